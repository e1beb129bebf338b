#include "insole/analysis/measure_catalogue.hpp"

#include <algorithm>

namespace insole::analysis {

namespace {

constexpr unsigned kAnyMode = kWalking | kStanding;
constexpr unsigned kAnySurface = kBarefoot | kInShoe;
constexpr unsigned kEverywhere = kAnyMode | kAnySurface;
constexpr unsigned kWalk = kWalking | kAnySurface;
constexpr unsigned kStand = kStanding | kAnySurface;
constexpr unsigned kShape = kAnyMode | kBarefoot | kShapeOnly;  // footprint shape: barefoot grids
constexpr unsigned kMatWalk = kWalking | kBarefoot;
constexpr unsigned kGait = kWalk | kRecording;

std::vector<MeasureInfo> make() {
  const char* cr = "Cavanagh & Rodgers 1987 J Biomech 20:547";
  const char* song = "Song et al. 1996 JAPMA 86:16 (CPEI construction)";
  const char* phases = "COP phases: gait speed and gender study, n = 30, RSscan (metrics.md section 4)";
  const char* own = "toolkit definition (docs/metrics.md)";
  const char* pti = "peak pressure-time integral, Novel definition (metrics.md section 5.2)";
  const char* robinson = "Robinson, Herzog & Nigg 1987 J Manipulative Physiol Ther 10:172";
  const char* prieto = "Prieto et al. 1996 IEEE Trans Biomed Eng 43:956";
  std::vector<MeasureInfo> c = {
      // Footprint and shape.
      {"foot_length_mm", "mm", "Foot length", "heel to most anterior contact along the foot axis", own, kEverywhere, true},
      {"foot_width_mm", "mm", "Foot width", "largest contact extent across the foot axis", own, kEverywhere, true},
      {"arch_index", "", "Arch index", "middle third of the toe-less peak footprint's area over its whole area", cr, kShape, true},
      {"chippaux_smirak_percent", "%", "Chippaux-Smirak index",
       "narrowest midfoot contact width over widest forefoot width", "Chippaux 1952; Smirak 1960", kShape, true},
      {"staheli_index", "", "Staheli plantar arch index", "midfoot width over heel width at the medial tangent",
       "Staheli, Chew & Corbett 1987 JBJS Am 69:426", kShape, true},
      {"arch_index_resolution", "", "Arch index resolution",
       "how far the arch index can move when the middle third's two borders are known only to half a sensel: "
       "pitch x toe-less length / 3 over the toe-less area", own, kShape, true},
      {"midfoot_contact_ratio", "", "Midfoot contact ratio",
       "midfoot contact area over the footprint envelope's area in the middle third", own, kShape, false},
      // Centre of pressure and pronation.
      {"cpei_percent", "%", "CPEI", "centre-of-pressure excursion at the distal third over forefoot width", song, kWalk, true},
      {"cpe_mm", "mm", "CPE", "centre-of-pressure excursion from the construction line at the distal third", song, kWalk, false},
      {"cpei_forefoot_width_mm", "mm", "CPEI forefoot width", "footprint width at the distal-third line", song, kWalk, false},
      {"mlpi", "", "Medial-lateral index (+ lateral)", "(lateral - medial) / (lateral + medial) force-time integral",
       "Tse et al. 2021 JFAR (metrics.md section 7)", kWalk, true},
      {"forefoot_mlpi", "", "Forefoot medial-lateral index", "the medial-lateral index over the forefoot band",
       "Tse et al. 2021 JFAR (metrics.md section 7)", kWalk, true},
      {"foot_progression_angle_deg", "deg", "Foot progression angle",
       "angle between the foot axis and the line of progression (positive out-toeing)", own, kMatWalk, true},
      {"cop_speed_mm_s", "mm/s", "COP speed", "mean COP speed over stance", phases, kWalk, true},
      {"cop_speed_initial_contact_mm_s", "mm/s", "COP speed, initial contact", "mean COP speed in the initial-contact phase", phases, kWalk, false},
      {"cop_speed_forefoot_contact_mm_s", "mm/s", "COP speed, forefoot contact", "mean COP speed in the forefoot-contact phase", phases, kWalk, false},
      {"cop_speed_foot_flat_mm_s", "mm/s", "COP speed, foot flat", "mean COP speed in the foot-flat phase", phases, kWalk, false},
      {"cop_speed_push_off_mm_s", "mm/s", "COP speed, push off", "mean COP speed in the push-off phase", phases, kWalk, false},
      {"cop_path_length_mm", "mm", "COP path length", "length of the COP path over the contact", "Lee & Chang 2019 J Kor Phys Ther 31:346", kWalk, true},
      {"cop_ap_excursion_percent", "%", "COP roll-over", "antero-posterior range of the COP over foot length", own, kWalk, false},
      // From a vendor's COP channel (sensor positions unknown, e.g. Moticon): normalised insole
      // units, x in fractions of the insole's width and y of its length.
      {"cop_path_length_normalised", "insole units", "COP path length (vendor COP)",
       "length of the vendor COP path over the contact, x in insole widths, y in insole lengths", own,
       kWalk | kInShoe | kVendorCop, false},
      {"cop_ap_range_normalised", "insole length", "COP range along the insole (vendor COP)",
       "range of the vendor COP along the insole over the contact", own, kWalk | kInShoe | kVendorCop, false},
      {"cop_ml_range_normalised", "insole width", "COP range across the insole (vendor COP)",
       "range of the vendor COP across the insole over the contact", own, kWalk | kInShoe | kVendorCop, false},
      // Gait events.
      {"stance_s", "s", "Stance time", "initial contact to toe-off", own, kWalk, true},
      {"initial_contact_percent", "%", "Initial-contact phase", "share of stance in the initial-contact phase", phases, kWalk, false},
      {"forefoot_contact_percent", "%", "Forefoot-contact phase", "share of stance in the forefoot-contact phase", phases, kWalk, false},
      {"foot_flat_percent", "%", "Foot-flat phase", "share of stance in the foot-flat phase", phases, kWalk, false},
      {"push_off_percent", "%", "Push-off phase", "share of stance in the push-off phase", phases, kWalk, false},
      {"heel_contact_percent", "%", "Heel contact", "heel on to heel off, share of stance", "Searle, Spink & Chuter 2018 JFAR (mechanism)", kWalk, true},
      {"toe_first_percent", "%", "Toe-first contacts", "share of walking footfalls whose heel is unloaded in the first 10 % of stance", own, kWalk, true},
      {"strike_index", "", "Strike index", "COP at first contact from the heel over foot length", "Cavanagh & Lafortune 1980 J Biomech 13:397", kWalk, false},
      {"stride_length_mm", "mm", "Stride length", "heel to heel of successive contacts of one foot", own, kMatWalk, true},
      // Loading.
      {"forefoot_peak_kpa", "kPa", "Forefoot peak pressure", "highest sensel pressure in the forefoot band", own, kWalk | kNeedsKpa, true},
      {"forefoot_relative_load_percent", "%", "Forefoot relative load",
       "forefoot band's (metatarsal heads, 55-85 % of foot length) share of the force-time integral",
       "relative load, regional FTI / total FTI (Novel region analysis; metrics.md section 5.2)", kWalk, true},
      {"heel_peak_kpa", "kPa", "Heel peak pressure", "highest sensel pressure in the heel band", own, kWalk | kNeedsKpa, true},
      {"forefoot_peak_ap_mm", "mm", "Forefoot peak, distance from heel",
       "where the forefoot region's highest peak lies along the foot axis (grids)", own, kAnyMode | kAnySurface, false},
      {"forefoot_pti_kpa_s", "kPa s", "Forefoot PTI", "forefoot band's peak pressure-time integral", pti, kWalk | kNeedsKpa, false},
      {"heel_pti_kpa_s", "kPa s", "Heel PTI", "heel band's peak pressure-time integral", pti, kWalk | kNeedsKpa, false},
      {"forefoot_heel_pti_ratio", "", "Forefoot:heel PTI", "forefoot PTI over heel PTI", pti, kWalk, true},
      {"peak_force_n", "N", "Peak force", "highest total force of the contact", own, kWalk | kNeedsKpa, true},
      {"force_time_integral_n_s", "N s", "Force-time integral", "total force integrated over the contact", own, kWalk | kNeedsKpa, false},
      // Standing.
      {"standing_heel_load_share_percent", "%", "Heel share of load (standing)", "heel band's share of the force-time integral",
       "Cavanagh, Rodgers & Iiboshi 1987 Foot Ankle 7:262", kStand & ~kWalking, true},
      {"standing_midfoot_load_share_percent", "%", "Midfoot share of load (standing)",
       "midfoot band's (30-55 % of foot length) share of the force-time integral", "Ohlendorf et al. 2020 J Physiol Anthropol 39", kStand & ~kWalking, false},
      {"standing_forefoot_load_share_percent", "%", "Forefoot share of load (standing)",
       "forefoot and toe bands' (55-100 % of foot length) share of the force-time integral", "Ohlendorf et al. 2020 J Physiol Anthropol 39", kStand & ~kWalking, false},
      {"standing_cop_ap_percent", "% foot length", "COP position from the heel (standing)", "mean COP along the foot axis from the heel", own, kStand & ~kWalking, false},
      {"standing_cop_ml_percent", "% foot width", "COP position from the axis, + medial (standing)", "mean COP across the foot axis", own, kStand & ~kWalking, false},
      {"standing_cop_path_length_mm", "mm", "COP sway path (standing, one foot)", "length of the COP path under one foot", prieto, kStand & ~kWalking, false},
      {"standing_cop_range_ap_mm", "mm", "COP sway range along the foot (standing)", "range of the COP along the foot axis", prieto, kStand & ~kWalking, false},
      {"standing_cop_range_ml_mm", "mm", "COP sway range across the foot (standing)", "range of the COP across the foot axis", prieto, kStand & ~kWalking, false},
      {"standing_cop_mean_velocity_mm_s", "mm/s", "COP mean sway velocity (standing)", "COP path length over the contact's duration", prieto, kStand & ~kWalking, false},
      {"standing_cop_ellipse95_area_mm2", "mm2", "COP 95 % confidence ellipse (standing)", "area of the 95 % confidence ellipse of the COP", prieto, kStand & ~kWalking, false},
      {"standing_mlpi", "", "Medial-lateral index (standing)", "the medial-lateral index of a standing contact", own, kStand & ~kWalking, false},
      {"standing_forefoot_mlpi", "", "Forefoot medial-lateral index (standing)", "the forefoot medial-lateral index of a standing contact", own, kStand & ~kWalking, false},
      {"standing_mean_force_n", "N", "Mean force (standing)", "force-time integral over the contact's duration", own, (kStand & ~kWalking) | kNeedsKpa, false},
      {"standing_forefoot_peak_kpa", "kPa", "Forefoot peak pressure (standing)", "highest forefoot sensel pressure while standing", own, (kStand & ~kWalking) | kNeedsKpa, false},
      {"standing_heel_peak_kpa", "kPa", "Heel peak pressure (standing)", "highest heel sensel pressure while standing", own, (kStand & ~kWalking) | kNeedsKpa, false},
      // One value per recording: gait timing and left/right symmetry.
      {"cadence_steps_per_min", "steps/min", "Cadence", "steps per minute over the walking contacts", own, kGait, false},
      {"stance_symmetry_percent", "%", "Stance-time symmetry index", "Robinson symmetry index of left and right stance time", robinson, kGait, false},
      {"swing_symmetry_percent", "%", "Swing-time symmetry index", "Robinson symmetry index of left and right swing time", robinson, kGait, false},
      {"step_symmetry_percent", "%", "Step-time symmetry index", "Robinson symmetry index of left and right step time", robinson, kGait, false},
      {"peak_force_symmetry_percent", "%", "Peak-force symmetry index", "Robinson symmetry index of the feet's median peak force", robinson, kGait, false},
      {"force_time_integral_symmetry_percent", "%", "Force-time-integral symmetry index",
       "Robinson symmetry index of the feet's median force-time integral", robinson, kGait, false},
  };
  // Every per-foot measure needs the sensor positions (a foot frame, bands, regions or a COP in
  // mm) except these, which a total force alone gives (contact and its threshold crossings, force
  // and its integral), and the vendor-COP measures. Per-recording measures come from the gait
  // events and the feet's forces.
  for (auto& m : c) {
    const bool force_only = m.key == "stance_s" || m.key == "peak_force_n" || m.key == "force_time_integral_n_s" ||
                            m.key == "standing_mean_force_n";
    if (!force_only && !(m.scope & (kRecording | kVendorCop))) m.scope |= kNeedsPositions;
  }
  return c;
}

}  // namespace

std::string MeasureInfo::applies() const {
  std::string s;
  auto add = [&](bool on, const char* word, std::string& into) {
    if (on) into += (into.empty() ? "" : ", ") + std::string(word);
  };
  std::string mode, surface;
  add(walking(), "walking", mode);
  add(standing(), "standing", mode);
  add(barefoot(), "barefoot", surface);
  add(in_shoe(), "in-shoe", surface);
  s = mode + "; " + surface;
  if (scope & kShapeOnly) s += "; footprint shape (grid)";
  if (per_recording()) s += "; per recording";
  return s;
}

const std::vector<MeasureInfo>& measure_catalogue() {
  static const std::vector<MeasureInfo> c = make();
  return c;
}

const MeasureInfo* find_measure_info(std::string_view key) noexcept {
  const auto& c = measure_catalogue();
  const auto it = std::find_if(c.begin(), c.end(), [&](const MeasureInfo& m) { return m.key == key; });
  return it == c.end() ? nullptr : &*it;
}

}  // namespace insole::analysis
