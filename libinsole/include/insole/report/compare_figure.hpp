#pragma once
// The figure of a comparison (docs/compare.md): per foot, the difference map B_on_A - A of the mean
// peak-pressure images (kPa) seen from above, toes up, in the diverging scale of the pixel-level
// figure (spm_figure.hpp: red = higher in B, blue = lower), with a colour bar in kPa and the
// registration's rotation and Dice under each map. PNG or PDF through Cairo, written atomically.
#include <filesystem>

#include "insole/compare/compare.hpp"
#include "insole/core/result.hpp"
#include "insole/report/spm_figure.hpp"

namespace insole::report {

/// Writes the figure of every foot with a difference map. Errors: no_data when no foot has a map,
/// io_error / not_found from the file system; an existing file is replaced only by a complete figure.
Status write_compare_figure(const compare::Comparison& c, const std::filesystem::path& path, FigureFormat format);

}  // namespace insole::report
