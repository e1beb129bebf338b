#pragma once
// Statistics and registration results as a DataNode tree, for io::write_data_tree (the HDF5
// results file of docs/statistics.md, "Results file"). Kept here so that stats never depends on io.

#include "insole/core/data_tree.hpp"
#include "insole/stats/registration.hpp"
#include "insole/stats/spm.hpp"

namespace insole::stats {

/// The results-file format name written in the root attribute `format`.
inline constexpr const char* kSpmFormat = "insole-spm";
/// The same for the registered images of `insole register`.
inline constexpr const char* kRegistrationFormat = "insole-registration";

/// One test: attributes (design, tail, n, df, alpha, permutations, exact, seed, thresholds),
/// images [rows, cols] (statistic, p_fwe, effect, mask), the two permutation distributions and
/// the two cluster tables (one dataset per column; region names as strings).
DataNode to_data_tree(const SpmResult& result);

/// One registration: kind, mirrored, A, t_mm, angle_deg, quality, the warped image and the
/// displacement field when nonlinear.
DataNode to_data_tree(const Registration& reg);

}  // namespace insole::stats
