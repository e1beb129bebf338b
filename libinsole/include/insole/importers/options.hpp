#pragma once
// Options shared by every vendor importer.

#include <optional>

#include "insole/core/side.hpp"

namespace insole::importers {

struct ImportOptions {
  /// Side of a single-insole file (Tekscan F-Scan exports one file per foot and do not say
  /// which). Unset: taken from a file name ending in "L"/"R" (e.g. FrasP01L.asf), else unknown.
  std::optional<Side> side;
};

}  // namespace insole::importers
