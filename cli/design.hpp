#pragma once
// The inputs of the statistics commands (`insole register`, `insole spm`): a design CSV (file,
// side, subject, condition, covariates), a folder of recordings or a list of them, turned into
// rows, and the rows into per-foot images through the same analysis path as `insole analyze`.
// Shared so that both commands read designs the same way (docs/statistics.md, "Design files").
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "insole/core/result.hpp"
#include "insole/core/side.hpp"
#include "insole/stats/image.hpp"

namespace insole::cli {

struct DesignRow {
  std::string file, side, subject, condition;
  double covariate = 0.0;
  std::size_t line = 0;  ///< line in the design file; 0 for a recording named on the command line
};

/// The whole file as text; not_found naming it when it cannot be opened.
Result<std::string> read_text(const std::filesystem::path& p);

/// The design rows; columns by header name, `file` required, `covariate` (when not empty) a numeric
/// column. Paths are relative to the design file's folder. Errors (format_error) name the file and
/// the line.
Result<std::vector<DesignRow>> read_design(const std::filesystem::path& path, const std::string& covariate);

/// Rows from command-line inputs: one argument ending in .csv is a design file; a folder gives its
/// *.h5 recordings in name order; otherwise each argument is a recording. A design file must be
/// the only input.
Result<std::vector<DesignRow>> rows_from_inputs(const std::vector<std::string>& inputs, const std::string& covariate);

/// "<design>: line N: <file>" for a design row, "<file>" for a recording given directly.
std::string where(const DesignRow& row, const std::string& design);

/// The two levels of the condition column, in order of first appearance.
Result<std::array<std::string, 2>> two_levels(const std::vector<DesignRow>& rows, const std::string& design);

/// --value: mean-peak | max-peak | mean-pressure | pti | contact.
Result<stats::FootValue> parse_foot_value(const std::string& v);

struct FootImageEntry {
  stats::Image image;
  Side side = Side::unknown;
  std::size_t row = 0;  ///< index into the rows
};

/// The per-foot images of the rows' recordings, analysed as by `insole analyze`. A row with a side
/// gives that foot's image. A row without one gives its only foot; with `every_foot`, a recording
/// with images of both feet gives both, otherwise that is an error asking for a side column.
Result<std::vector<FootImageEntry>> load_foot_images(const std::vector<DesignRow>& rows, const std::string& design,
                                                     stats::FootValue value, bool every_foot);

/// A template image: a CSV of numbers (the MUN104 layout) with its pixel pitch.
Result<stats::Image> load_template(const std::string& path, double pitch_mm);

}  // namespace insole::cli
