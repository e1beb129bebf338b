// Replays the libFuzzer entry points (libinsole/fuzz/recommend/fuzz_entry.cpp) under g++, so their
// invariants are checked in every build: byte mutations of the seed intakes and rule files, and
// structure-aware mutations of the shipped rule file (deleted keys, values of the wrong type,
// renamed ids), which reach the validator and the engine far more often than random bytes do.
// run_intake() / run_rules() abort on a broken invariant, which fails this test.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "fuzz_entry.hpp"
#include "recommend/support.hpp"

namespace insole::recommend {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kFuzzDir = fs::path(INSOLE_SOURCE_DIR) / "libinsole" / "fuzz" / "recommend";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string mutate_bytes(std::string t, std::mt19937& rng) {
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !t.empty(); ++e) {
    const std::size_t at = rng() % t.size();
    switch (rng() % 7) {
      case 0: t[at] = static_cast<char>(rng()); break;
      case 1: t.erase(at, 1 + rng() % 16); break;
      case 2: t.insert(at, t.substr(rng() % t.size(), 1 + rng() % 32)); break;
      case 3: t.resize(at); break;
      case 4: t.insert(at, std::to_string(static_cast<std::int32_t>(rng()))); break;
      case 5: t.insert(at, "\xC3\x28"); break;  // an invalid UTF-8 sequence
      default: t.insert(at, std::string(1 + rng() % 40, "[{:-\n"[rng() % 5])); break;  // deep nesting
    }
  }
  return t;
}

void run_intake_text(const std::string& t) {
  fuzz::run_intake(reinterpret_cast<const std::uint8_t*>(t.data()), t.size());
}
void run_rules_text(const std::string& t) {
  fuzz::run_rules(reinterpret_cast<const std::uint8_t*>(t.data()), t.size());
}

// The seed corpus and every input that ever broke the target (regressions/, committed with its fix).
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
std::vector<fs::path> seeds(const std::string& kind) { return files_in(kFuzzDir / "corpus" / kind); }
std::vector<fs::path> regressions(const std::string& kind) { return files_in(kFuzzDir / "regressions" / kind); }

TEST(FuzzReplay, RegressionInputsOfBothTargets) {
  const auto intakes = regressions("intake");
  ASSERT_FALSE(intakes.empty());
  for (const auto& f : intakes) run_intake_text(read(f));
  for (const auto& f : regressions("rules")) run_rules_text(read(f));
}

TEST(FuzzReplay, IntakeSeedsAndByteMutations) {
  const auto files = seeds("intake");
  ASSERT_GE(files.size(), 3u);
  std::mt19937 rng(11);
  for (const auto& f : files) {
    const std::string base = read(f);
    run_intake_text(base);
    for (int i = 0; i < 60; ++i) run_intake_text(mutate_bytes(base, rng));
  }
}

TEST(FuzzReplay, IntakeHostileShapes) {
  const std::vector<std::string> hostile = {
      std::string(), std::string("\0\0\0", 3), std::string(5000, '['), std::string(5000, '{'),
        std::string(3000, '-') + " x", "age_years: 1e999", "age_years: -0", "age_years: .nan", "age_years: 0x10",
        "notes: !!binary aGVsbG8=", "notes: \"\\xff\"", "? [a]\n: b", "&a x: *a", "symptoms: &s {calf_pain: true}\nrisk_factors: *s",
        "{\"notes\": \"\\ud800\"}", "patient_id: \"\xff\xfe\""};
  for (const auto& t : hostile) run_intake_text(t);
}

TEST(FuzzReplay, RuleSeedsAndByteMutations) {
  auto files = seeds("rules");
  files.push_back(fs::path(INSOLE_SOURCE_DIR) / "libinsole" / "rules" / "default.json");
  std::mt19937 rng(12);
  for (const auto& f : files) {
    const std::string base = read(f);
    ASSERT_TRUE(parse_rules(base, f.string())) << f << ": a seed must be a valid rule file";
    run_rules_text(base);
    for (int i = 0; i < 15; ++i) run_rules_text(mutate_bytes(base, rng));
  }
}

// Picks a random node of the document (object member or array element).
json* random_node(json& root, std::mt19937& rng) {
  json* at = &root;
  for (int depth = 0; depth < 6; ++depth) {
    if (!(at->is_object() || at->is_array()) || at->empty() || rng() % 4 == 0) break;
    auto it = at->begin();
    std::advance(it, static_cast<long>(rng() % at->size()));
    at = &*it;
  }
  return at;
}

TEST(FuzzReplay, RuleStructureMutationsReachTheValidatorAndEngine) {
  const json base = json::parse(test::default_rules_text());
  std::mt19937 rng(13);
  int accepted = 0;
  const std::vector<json> replacements = {nullptr, json::array(), json::object(), "", "L1", "F-EQUINUS", "A", 0, -1,
                                          1e308, true, json::array({"F-ARCH-LOW"})};
  for (int i = 0; i < 40; ++i) {
    json doc = base;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      json* n = random_node(doc, rng);
      switch (rng() % 4) {
        case 0: *n = replacements[rng() % replacements.size()]; break;
        case 1:
          if (n->is_object() && !n->empty()) {
            auto it = n->begin();
            std::advance(it, static_cast<long>(rng() % n->size()));
            n->erase(it.key());
          }
          break;
        case 2:
          if (n->is_array() && !n->empty()) n->push_back((*n)[rng() % n->size()]);  // duplicate an item
          break;
        default:
          if (n->is_string()) *n = n->get<std::string>() + "X";  // rename an id or a reference
          else if (n->is_number()) *n = -n->get<double>();
          break;
      }
    }
    const std::string text = doc.dump();
    const auto parsed = parse_rules(text, "m.json");
    if (parsed) {
      ++accepted;
      run_rules_text(text);  // the engine runs on every rule set that validated
    } else {
      EXPECT_EQ(parsed.error().code, Errc::format_error) << parsed.error().message;
      EXPECT_EQ(parsed.error().message.rfind("m.json: ", 0), 0u) << parsed.error().message;
    }
  }
  // Some mutations leave a valid rule set (e.g. a changed label), so the engine part ran too.
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace insole::recommend
