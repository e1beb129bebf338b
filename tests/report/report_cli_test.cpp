// `insole report` as a user runs it: formats (pdf from the extension, --format html and json),
// exit codes (design note section 3.3: 0 success, 1 no usable foot contact, 2 bad usage or bad
// input with a message naming the file and the place), and an existing output file that is never
// truncated or damaged when the command fails.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "insole/io/hdf5_recording.hpp"
#include "report/cli_run.hpp"
#include "support/temp_dir.hpp"

namespace insole::test {
namespace {

// The smallest sample (a pair of 99-cell insoles, 6 s), so the successful runs stay quick.
const std::filesystem::path kSample = std::filesystem::path(INSOLE_SOURCE_DIR) / "data" / "insoles_pedar99_flat.h5";
constexpr const char* kPrevious = "previous report, must survive a failed run\n";

std::filesystem::path write_text(const TempDir& dir, const std::string& name, const std::string& text) {
  const auto p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

TEST(ReportCli, PdfFromTheExtensionExitsZero) {
  TempDir dir;
  const auto out = dir / "r.pdf";
  const CliRun r = insole_cli("report " + quote(kSample) + " -o " + quote(out), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(out).rfind("%PDF-", 0), 0u);
  EXPECT_TRUE(r.out.empty()) << r.out;  // the report goes to the file, messages to stderr
  EXPECT_NE(r.err.find("red flags not screened"), std::string::npos) << r.err;
  if (have_poppler()) {
    EXPECT_GT(pdf_pages(out, dir.path()), 0);
    EXPECT_NE(pdf_text(out, dir.path()).find("RED FLAGS NOT SCREENED"), std::string::npos);
  }
}

TEST(ReportCli, HtmlAndJsonFormats) {
  TempDir dir;
  const auto intake = write_text(dir, "intake.json",
                                 R"({"patient_id": "P-0099", "symptoms": {"numbness_tingling_weakness": true}})");
  // --format wins over the extension.
  const CliRun html = insole_cli("report " + quote(kSample) + " --intake " + quote(intake) + " --format html -o " +
                                  quote(dir / "report.out"),
                              dir.path());
  ASSERT_EQ(html.exit_code, 0) << html.err;
  const std::string page = read_file(dir / "report.out");
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("P-0099"), std::string::npos);  // pseudonym from the intake
  EXPECT_NE(page.find("PROMPT REFERRAL"), std::string::npos);  // RF-NERVE (numbness) is prompt
  EXPECT_NE(page.find("data:image/png;base64,"), std::string::npos);

  const CliRun json = insole_cli("report " + quote(kSample) + " --intake " + quote(intake) + " --format json -o " +
                                  quote(dir / "report.json"),
                              dir.path());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto doc = nlohmann::json::parse(read_file(dir / "report.json"));
  ASSERT_TRUE(doc.contains("feet"));
  EXPECT_EQ(doc["feet"].size(), 2u);
  EXPECT_TRUE(doc.contains("findings"));
  ASSERT_TRUE(doc.contains("recommendations"));
  ASSERT_TRUE(doc.contains("prescription"));
  EXPECT_EQ(doc["prescription"]["red_flags_screened"], true);
  ASSERT_FALSE(doc["prescription"]["referrals"].empty());
  EXPECT_EQ(doc["prescription"]["referrals"][0]["id"], "RF-NERVE");
  // Insoles: the arch index is null (an insole cannot see the footprint shape).
  EXPECT_TRUE(doc["feet"][0]["arch_index"].is_null());

  // The extension picks the format when --format is absent.
  const CliRun by_ext = insole_cli("report " + quote(kSample) + " -o " + quote(dir / "r.html"), dir.path());
  ASSERT_EQ(by_ext.exit_code, 0) << by_ext.err;
  EXPECT_EQ(read_file(dir / "r.html").rfind("<!DOCTYPE html>", 0), 0u);
}

struct BadCase {
  const char* name;
  std::string args;           ///< after "report"; {out} is replaced by the output path
  std::string message;        ///< must appear on stderr
};

TEST(ReportCli, BadUsageAndBadInputExitTwoAndLeaveTheOutputAlone) {
  TempDir dir;
  const auto unknown_key = write_text(dir, "unknown.yaml", "symptoms:\n  low_back_pain: true\n  backache: true\n");
  const auto wrong_type = write_text(dir, "type.json", R"({"age_years": "forty"})");
  const auto broken_yaml = write_text(dir, "broken.yaml", "symptoms: [low_back_pain: true\n");
  const auto bad_rules = write_text(dir, "clinic.json", R"({"schema": "insole-rules"})");
  const auto not_hdf5 = write_text(dir, "walk.h5", "this is not an HDF5 file");
  const auto wrong_ext = write_text(dir, "intake.txt", "{}");
  // A number too large for a double once escaped as "internal error", exit 3 (fuzz_recommend_intake).
  const auto huge_number = write_text(dir, "big.json", "{\"age_years\": 1" + std::string(400, '0') + "}");
  const auto huge_rules_number = write_text(dir, "big-rules.json", "{\"schema\": 1" + std::string(400, '0') + "}");
  const std::string sample = quote(kSample);
  const std::vector<BadCase> cases = {
      {"no file", "-o {out}", "missing FILE"},
      {"no output", sample, "missing -o"},
      {"bad format", sample + " --format docx -o {out}", "--format must be pdf, html or json"},
      {"unknown option", sample + " --colour -o {out}", "colour"},
      {"missing intake", sample + " --intake " + quote(dir / "none.yaml") + " -o {out}", "none.yaml: cannot open"},
      {"unknown intake key", sample + " --intake " + quote(unknown_key) + " -o {out}", "symptoms.backache: unknown key"},
      {"wrong intake type", sample + " --intake " + quote(wrong_type) + " -o {out}", "age_years: expected a number"},
      {"broken yaml", sample + " --intake " + quote(broken_yaml) + " -o {out}", "broken.yaml: not valid YAML"},
      {"intake extension", sample + " --intake " + quote(wrong_ext) + " -o {out}", "must end in .json, .yaml or .yml"},
      {"huge number in intake", sample + " --intake " + quote(huge_number) + " -o {out}",
       "big.json: not valid JSON: line 1, column 15: number too large for a double"},
      {"huge number in rules", sample + " --rules " + quote(huge_rules_number) + " -o {out}",
       "big-rules.json: not valid JSON: line 1, column 12: number too large"},
      {"bad rules", sample + " --rules " + quote(bad_rules) + " -o {out}", "clinic.json"},
      {"missing recording", quote(dir / "absent.h5") + " -o {out}", "absent.h5"},
      {"not a recording", quote(not_hdf5) + " -o {out}", "walk.h5"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    for (const char* ext : {"pdf", "html", "json"}) {
      const auto out = dir / (std::string("existing.") + ext);
      write_text(dir, out.filename().string(), kPrevious);
      std::string args = c.args;
      if (const auto at = args.find("{out}"); at != std::string::npos) args.replace(at, 5, quote(out));
      const CliRun r = insole_cli("report " + args, dir.path());
      EXPECT_EQ(r.exit_code, 2) << ext << ": " << r.err;
      EXPECT_NE(r.err.find(c.message), std::string::npos) << ext << ": " << r.err;
      EXPECT_EQ(read_file(out), kPrevious) << ext;
      EXPECT_TRUE(r.out.empty()) << r.out;
      if (c.args.find("{out}") == std::string::npos) break;  // no output named: one run is enough
    }
  }
  // No temporary (".<name>.tmp-XXXXXX", core/atomic_output.hpp) left behind.
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST(ReportCli, UnwritableOutputFailsWithoutDamage) {
  TempDir dir;
  const CliRun r = insole_cli("report " + quote(kSample) + " -o " + quote(dir / "no-such-dir" / "r.pdf"), dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no-such-dir"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "no-such-dir"));
}

TEST(ReportCli, NoFootContactWritesTheReportAndExitsOne) {
  TempDir dir;
  // One second of an unloaded 32 x 32 mat: valid, but nothing to analyse.
  Recording rec;
  Stream s;
  s.info.name = "mat";
  s.info.layout = SensorLayout::grid(32, 32, 5.08, 5.08).value();
  s.info.side = Side::both;
  s.info.sample_rate_hz = 50;
  s.info.device = "test mat";
  for (int f = 0; f < 50; ++f) s.append(f / 50.0, Eigen::VectorXf::Zero(32 * 32));
  rec.streams.push_back(std::move(s));
  const auto file = dir / "empty.h5";
  ASSERT_TRUE(io::write_recording(file, rec).ok());
  const CliRun r = insole_cli("report " + quote(file) + " -o " + quote(dir / "r.pdf"), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no usable foot contact"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir / "r.pdf").rfind("%PDF-", 0), 0u);
  if (have_poppler()) {
    EXPECT_NE(pdf_text(dir / "r.pdf", dir.path()).find("No foot contact to show"), std::string::npos);
  }
}

}  // namespace
}  // namespace insole::test
