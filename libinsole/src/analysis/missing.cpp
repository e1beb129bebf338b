#include "insole/analysis/missing.hpp"

#include "insole/analysis/measure_catalogue.hpp"

namespace insole::analysis {

StreamWithholding stream_withholding(const FootSummary& foot, const MeasureInfo& info) {
  return {!foot.positions_unknown.empty() && info.needs_positions(), foot.uncalibrated && info.needs_kpa()};
}

MissingReason missing_reason(const AnalysisResult& r, const FootSummary& foot, std::string_view key) {
  if (foot.median(std::string(key))) return {};
  const MeasureInfo* info = find_measure_info(key);
  if (!info || info->per_recording()) return {};
  // The vendor-COP measures exist only for streams analysed from a vendor's channels.
  if (info->vendor_cop() && foot.positions_unknown.empty()) return {};
  if (foot.footfalls_used == 0) return {"no usable footfall", false};
  const StreamWithholding withheld = stream_withholding(foot, *info);
  if (withheld.positions)
    return {"not available: sensor positions unknown (" + foot.positions_unknown + ")", true, true};
  if (withheld.kpa) {
    const std::size_t walking_contacts = foot.footfalls_used - foot.standing_footfalls;
    if ((info->walking() && walking_contacts > 0) || (info->standing() && foot.standing_footfalls > 0))
      return {"uncalibrated stream (units \"counts\"): needs pressure in kPa; calibrate it with insole calibrate",
              true};
  }
  // The analysis' own reason, from the first used footfall of this foot that gives one.
  const bool arch = key == "arch_index" || key == "arch_index_resolution" || key == "chippaux_smirak_percent" || key == "staheli_index" ||
                    key == "midfoot_contact_ratio";
  const bool cpei = key == "cpei_percent" || key == "cpe_mm" || key == "cpei_forefoot_width_mm";
  for (const auto& fa : r.footfalls) {
    if (!fa.footfall.reject_reason.empty() || fa.footfall.side != foot.side) continue;
    if (fa.footfall.stream < r.quality.streams.size() && r.quality.streams[fa.footfall.stream].stream != foot.stream)
      continue;
    if (arch && !fa.arch.unavailable_reason.empty()) return {fa.arch.unavailable_reason, false, true};
    if (cpei && !fa.cpei && !fa.cpei_note.empty()) return {fa.cpei_note, false, true};
  }
  // Not applicable by the catalogue's scope.
  const std::size_t walking = foot.footfalls_used - foot.standing_footfalls;
  if (info->walking() && !info->standing() && walking == 0) return {"standing: not measured on standing contacts", true};
  if (info->standing() && !info->walking() && foot.standing_footfalls == 0) return {};
  const bool in_shoe = foot.surface == Surface::in_shoe;
  if (in_shoe && !info->in_shoe()) return {"in-shoe recording: a barefoot (mat) measure", true};
  if (!in_shoe && !info->barefoot()) return {"barefoot recording: an in-shoe measure", true};
  if (key == "stride_length_mm") return {"no two successive contacts of this foot in one pass", false};
  if (key == "foot_progression_angle_deg") return {"no line of progression (fewer than two contacts in a pass)", false};
  if (key == "forefoot_heel_pti_ratio") return {"the heel was never loaded", false};
  if (key == "forefoot_peak_ap_mm") return {"no forefoot region (grid sensors only)", false};
  return {"not measurable on the used footfalls", false};
}

}  // namespace insole::analysis
