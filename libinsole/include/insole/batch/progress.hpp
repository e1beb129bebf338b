#pragma once
// Human-readable progress of a batch: a one-line bar with rate and ETA for terminals, plain
// lines for logs (Slurm output files, CI), and the final summary.

#include <string>

#include "insole/batch/run.hpp"

namespace insole::batch {

/// "0:07", "12:05", "1:02:03"; "--:--" for a negative or non-finite value.
std::string format_duration(double seconds);

/// The estimated time left, from the bytes still to analyse and the rate of bytes analysed so
/// far (skipped recordings excluded); nullopt until something was analysed.
std::optional<double> eta_s(const BatchProgress& p);

/// "[#######.............]  35/100  35%  4.2 rec/s  61 MB/s  ETA 0:15  2 failed" in `width`
/// columns at most (the bar shrinks first).
std::string progress_bar(const BatchProgress& p, int width);

/// "batch: 35/100 (35%), 4.2 rec/s, 61 MB/s, ETA 0:15, 2 failed, 0 skipped"
std::string progress_line(const BatchProgress& p);

/// "analysed 97 (3 without foot contact), skipped 0, failed 3, of 100 in 0:24 (4.1 rec/s, 58 MB/s)"
std::string summary_text(const BatchSummary& s);

}  // namespace insole::batch
