#pragma once
// Anatomical regions on an image grid (a template or a registered mean image), from the footprint
// regions module (analysis/regions.hpp: toe line, Cavanagh & Rodgers thirds, MTH1-5 split), so that
// the clusters of a statistical map can be named by where they lie.

#include "insole/core/result.hpp"
#include "insole/core/side.hpp"
#include "insole/stats/image.hpp"
#include "insole/stats/spm.hpp"

namespace insole::stats {

/// Region labels of a (peak-pressure-like) footprint image: each pixel above `contact_threshold`
/// gets the finest region it belongs to (hallux, lesser_toes, mth1..mth5, midfoot, hindfoot; toes
/// or forefoot when no finer one applies). The image is read as seen from above (x to the
/// subject's right); `side` says which foot it is (unknown: estimated from the shape).
/// `toe_direction` (grid x, y; any length) says which way the toes point, as it is known for a
/// template stored upright; it is handed to the foot frame as a heel-to-toe loading order (heel
/// first, toes last), the cue the frame trusts most. Zero: the frame decides from the shape alone,
/// which can fail on a single static image (analysis/foot_frame.hpp). Errors (no_data,
/// unsupported) come from the foot-frame and region functions.
Result<RegionMap> regions_on_image(const Image& image, Side side, const Eigen::Vector2d& toe_direction,
                                   double contact_threshold = 0.0);

}  // namespace insole::stats
