#pragma once
// JSON form of a Prescription, for `insole analyze --json` ("recommendations") and
// `insole report --format json`. Keys are stable; see docs/recommendations.md.

#include <nlohmann/json.hpp>

#include "insole/recommend/engine.hpp"

namespace insole::recommend {

/// The "recommendations" array: referrals first (category "referral"), then every item with its
/// triggers, links, dose, expected effects, contraindications, confidence and what would change it.
nlohmann::json recommendations_json(const Prescription& prescription);

/// The whole prescription: rules name/version, red_flags_screened, referrals, items, active chain
/// nodes and links, statements, caveats, review and sign-off.
nlohmann::json prescription_json(const Prescription& prescription);

}  // namespace insole::recommend
