// `insole spm` as users run it (the built program, INSOLE_CLI): simulated walks analysed, their
// footprint images registered onto the first one and tested. The statistics themselves are
// checked against hand computations in spm_test.cpp; this checks the wiring and the errors.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>
#include <nlohmann/json.hpp>

#include "report/cli_run.hpp"
#include "support/temp_dir.hpp"

namespace insole::test {
namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

/// A float64 dataset of an HDF5 file, with its shape; empty when absent.
std::vector<double> read_dataset(const std::filesystem::path& file, const std::string& name,
                                 std::vector<hsize_t>* shape = nullptr) {
  std::vector<double> out;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return out;
  if (H5Lexists(f, name.c_str(), H5P_DEFAULT) > 0) {
    const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    const hid_t sp = H5Dget_space(d);
    std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(sp)));
    H5Sget_simple_extent_dims(sp, dims.data(), nullptr);
    hsize_t n = 1;
    for (hsize_t v : dims) n *= v;
    out.resize(n);
    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
    if (shape) *shape = dims;
    H5Sclose(sp);
    H5Dclose(d);
  }
  H5Fclose(f);
  return out;
}

class SpmCli : public ::testing::Test {
 protected:
  /// A file of the test folder, quoted for the shell.
  static std::string at(const std::string& name) { return quote(dir_->path() / name); }
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    for (int i = 1; i <= 2; ++i) {
      const auto path = dir_->path() / ("walk" + std::to_string(i) + ".h5");
      const CliRun sim = insole_cli("simulate --duration 4 --rate 50 --rows 60 --cols 300 --seed " + std::to_string(i) +
                                        " --mass " + std::to_string(60 + 20 * i) + " -o " + quote(path),
                                    dir_->path());
      ASSERT_EQ(sim.exit_code, 0) << sim.err;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static TempDir* dir_;
};
TempDir* SpmCli::dir_ = nullptr;

TEST_F(SpmCli, OneSampleOverBothFeetOfTwoWalks) {
  write(dir_->path() / "design.csv",
        "file,side,subject,condition,mass\nwalk1.h5,left,s1,a,80\nwalk1.h5,right,s1,b,80\n"
        "walk2.h5,left,s2,a,100\nwalk2.h5,right,s2,b,100\n");
  const auto out = dir_->path() / "spm.h5";
  const CliRun r = insole_cli("spm " + quote(dir_->path() / "design.csv") + " --test one-sample --register rigid --json -o " +
                                  quote(out),
                              dir_->path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc.at("test"), "one_sample");
  EXPECT_EQ(doc.at("n"), 4);
  EXPECT_EQ(doc.at("permutations"), 16);  // 2^4 sign flips, all of them
  EXPECT_EQ(doc.at("exact"), true);
  ASSERT_EQ(doc.at("registrations").size(), 4u);
  // The template is the first image (a left foot): the right feet are mirrored onto it.
  EXPECT_EQ(doc.at("registrations")[0].at("mirrored"), false);
  EXPECT_EQ(doc.at("registrations")[1].at("mirrored"), true);
  for (const auto& reg : doc.at("registrations")) EXPECT_GT(reg.at("dice").get<double>(), 0.8) << reg.dump();
  EXPECT_GT(doc.at("pixels").get<int>(), 50);
  const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  EXPECT_GT(H5Lexists(f, "spm", H5P_DEFAULT), 0);
  EXPECT_GT(H5Lexists(f, "registration", H5P_DEFAULT), 0);
  H5Fclose(f);

  // The same design as a paired test (condition a vs b within subject) and a regression on mass.
  const CliRun paired = insole_cli("spm " + quote(dir_->path() / "design.csv") + " --test paired --register rigid --json",
                                   dir_->path());
  ASSERT_EQ(paired.exit_code, 0) << paired.err;
  EXPECT_EQ(nlohmann::json::parse(paired.out).at("n"), 2);
  EXPECT_EQ(nlohmann::json::parse(paired.out).at("permutations"), 4);
  const CliRun reg = insole_cli("spm " + quote(dir_->path() / "design.csv") +
                                    " --test regression --covariate mass --register rigid",
                                dir_->path());
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  EXPECT_NE(reg.out.find("regression t test, 4 images"), std::string::npos) << reg.out;
}

TEST_F(SpmCli, BadDesignsAreErrorsNamingThePlace) {
  write(dir_->path() / "nofile.csv", "path,side\nwalk1.h5,left\n");
  CliRun r = insole_cli("spm " + quote(dir_->path() / "nofile.csv") + " --test one-sample", dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nofile.csv: line 1: no 'file' column"), std::string::npos) << r.err;
  write(dir_->path() / "noside.csv", "file\nwalk1.h5\nwalk2.h5\n");
  r = insole_cli("spm " + quote(dir_->path() / "noside.csv") + " --test one-sample", dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("say which in a 'side' column"), std::string::npos) << r.err;
  write(dir_->path() / "badcov.csv", "file,side,speed\nwalk1.h5,left,fast\n");
  r = insole_cli("spm " + quote(dir_->path() / "badcov.csv") + " --test regression --covariate speed", dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line 2: covariate 'speed' is not a number: 'fast'"), std::string::npos) << r.err;
  r = insole_cli("spm " + quote(dir_->path() / "badcov.csv") + " --test anova", dir_->path());
  EXPECT_EQ(r.exit_code, 2);
}

// `insole register` on a list of recordings: every foot of both walks, one subject (no design
// file), so all four footprints go rigidly onto the first one turned into a right foot; left feet
// are mirrored. The first footprint registers onto its own mirror image: the identity.
TEST_F(SpmCli, RegisterRigidWithinSubjectMirrorsLeftFeet) {
  const auto out = dir_->path() / "registered.h5";
  const CliRun r = insole_cli("register " + at("walk1.h5") + " " + at("walk2.h5") + " --json -o " + quote(out), dir_->path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc.at("kind"), "rigid");
  EXPECT_TRUE(doc.at("template").is_null());
  const auto& images = doc.at("images");
  ASSERT_EQ(images.size(), 4u);  // both feet of both walks
  for (const auto& im : images) {
    EXPECT_EQ(im.at("reference"), 0) << im.dump();
    EXPECT_EQ(im.at("mirrored").get<bool>(), im.at("side") == "left") << im.dump();
    EXPECT_GT(im.at("dice").get<double>(), 0.8) << im.dump();
    EXPECT_GE(im.at("dice").get<double>(), im.at("dice_before").get<double>() - 1e-9) << im.dump();
    for (const char* key : {"angle_deg", "t_mm", "A", "ncc", "ncc_before", "rms_residual", "rms_residual_before"})
      EXPECT_TRUE(im.contains(key)) << key;
  }
  EXPECT_LT(std::abs(images[0].at("angle_deg").get<double>()), 0.5);
  EXPECT_GT(images[0].at("dice").get<double>(), 0.99);
  std::vector<hsize_t> shape;
  const auto stack = read_dataset(out, "registration/stack", &shape);
  ASSERT_EQ(shape.size(), 3u);
  EXPECT_EQ(shape[0], 4u);
  EXPECT_EQ(read_dataset(out, "registration/dice").size(), 4u);
  EXPECT_FALSE(read_dataset(out, "registration/images/0003/warped").empty());

  // The table names every footprint and its quality.
  const CliRun table = insole_cli("register " + at("walk1.h5") + " " + at("walk2.h5"), dir_->path());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("4 footprints, rigid"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("walk2.h5 left"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Dice"), std::string::npos) << table.out;
}

// A known shift: the right footprint of walk 1 (as `insole register` writes it onto itself) is
// written as a template CSV moved by 3 columns and 5 rows inside a zero border. Registering the
// recording onto that template must find the move: pixel (r, c) at x = ox + (c + 0.5) p in the
// footprint is pixel (r + 5, c + 3) of the template, whose origin is 0, so
// t = (3 p - ox, 5 p - oy) and the angle is 0; within one sensel and one degree (issue 15).
TEST_F(SpmCli, RegisterRecoversAKnownShiftOntoATemplate) {
  write(dir_->path() / "right1.csv", "file,side\nwalk1.h5,right\n");
  const auto self = dir_->path() / "self.h5";
  const CliRun r0 = insole_cli("register " + at("right1.csv") + " -o " + quote(self), dir_->path());
  ASSERT_EQ(r0.exit_code, 0) << r0.err;
  std::vector<hsize_t> shape;
  const auto img = read_dataset(self, "registration/images/0000/warped", &shape);
  const auto pitch = read_dataset(self, "registration/images/0000/pitch_mm");
  const auto origin = read_dataset(self, "registration/images/0000/origin_mm");
  ASSERT_EQ(shape.size(), 2u);
  ASSERT_EQ(pitch.size(), 2u);
  ASSERT_EQ(origin.size(), 2u);
  ASSERT_NEAR(pitch[0], pitch[1], 1e-9);
  const double p = pitch[0];
  const int dr = 5, dc = 3, rows = static_cast<int>(shape[0]), cols = static_cast<int>(shape[1]);
  std::ostringstream csv;
  for (int r = 0; r < rows + 2 * dr; ++r) {
    for (int c = 0; c < cols + 2 * dc; ++c) {
      const int sr = r - dr, sc = c - dc;
      const double v = sr >= 0 && sr < rows && sc >= 0 && sc < cols
                           ? img[static_cast<std::size_t>(sr * cols + sc)] : 0.0;
      csv << (c ? "," : "") << (std::isfinite(v) ? v : 0.0);
    }
    csv << "\n";
  }
  write(dir_->path() / "shifted.csv", csv.str());
  const CliRun r = insole_cli("register " + at("right1.csv") + " --template " + at("shifted.csv") + " --template-pitch-mm " + std::to_string(p) +
                                  " --register rigid --json",
                              dir_->path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto im = nlohmann::json::parse(r.out).at("images").at(0);
  EXPECT_EQ(im.at("mirrored"), false);
  EXPECT_NEAR(im.at("t_mm")[0].get<double>(), dc * p - origin[0], p) << im.dump();
  EXPECT_NEAR(im.at("t_mm")[1].get<double>(), dr * p - origin[1], p) << im.dump();
  EXPECT_NEAR(im.at("angle_deg").get<double>(), 0.0, 1.0) << im.dump();
  EXPECT_GT(im.at("dice").get<double>(), 0.95) << im.dump();
}

TEST_F(SpmCli, RegisterBadInputsAreErrorsNamingThePlace) {
  write(dir_->path() / "badside.csv", "file,side\nwalk1.h5,right\nwalk2.h5,middle\n");
  CliRun r = insole_cli("register " + at("badside.csv"), dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("badside.csv: line 3: side must be left or right, found 'middle'"), std::string::npos) << r.err;
  write(dir_->path() / "short.csv", "file,side,subject\nwalk1.h5,right\n");
  r = insole_cli("register " + at("short.csv"), dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("short.csv: line 2: expected 3 fields, found 2"), std::string::npos) << r.err;
  r = insole_cli("register " + at("short.csv") + " " + at("walk1.h5"), dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("a design file must be the only input"), std::string::npos) << r.err;
  write(dir_->path() / "missing.csv", "file\nnot-there.h5\n");
  r = insole_cli("register " + at("missing.csv"), dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.csv: line 2: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not-there.h5"), std::string::npos) << r.err;
  write(dir_->path() / "badtemplate.csv", "0,1,2\n0,x,2\n");
  r = insole_cli("register " + at("walk1.h5") + " --template " + at("badtemplate.csv") + " --template-pitch-mm 5", dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("badtemplate.csv: line 2, column 2: expected a number"), std::string::npos) << r.err;
  r = insole_cli("register " + at("walk1.h5") + " --template " + at("badtemplate.csv"), dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  r = insole_cli("register " + at("walk1.h5") + " --register elastic", dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  std::filesystem::create_directory(dir_->path() / "empty");
  r = insole_cli("register " + at("empty"), dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no .h5 recordings"), std::string::npos) << r.err;
  // An existing output survives a failed run.
  write(dir_->path() / "keep.h5", "precious");
  r = insole_cli("register " + at("badside.csv") + " -o " + at("keep.h5"), dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  std::ifstream kept(dir_->path() / "keep.h5");
  std::string content((std::istreambuf_iterator<char>(kept)), {});
  EXPECT_EQ(content, "precious");
}

// --progress draws the permutation bar on stderr even when it is not a terminal, ending at the
// total; stdout keeps the one JSON document. --figure writes the map as PDF or PNG (its pixels and
// labels are checked in tests/report/spm_figure_test.cpp).
TEST_F(SpmCli, ProgressBarOnStderrAndFigures) {
  write(dir_->path() / "prog.csv", "file,side\nwalk1.h5,left\nwalk1.h5,right\nwalk2.h5,left\nwalk2.h5,right\n");
  const CliRun r = insole_cli("spm " + at("prog.csv") + " --test one-sample --register rigid --json --progress --figure " + at("prog.pdf"),
                              dir_->path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (have_poppler()) {
    const std::string text = pdf_text(dir_->path() / "prog.pdf", dir_->path());
    EXPECT_NE(text.find("one_sample t test, n = 4, df = 3"), std::string::npos) << text;
    EXPECT_NE(text.find("16 (all) permutations"), std::string::npos) << text;
  }
  EXPECT_NE(r.err.find("permutations ["), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("16/16  100%"), std::string::npos) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("permutations"), 16);
  const CliRun quiet = insole_cli("spm " + at("prog.csv") + " --test one-sample --register rigid --json --figure " + at("prog.png"), dir_->path());
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("permutations ["), std::string::npos) << quiet.err;  // stderr is a file here
  EXPECT_EQ(read_file(dir_->path() / "prog.png").substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // A figure format the toolkit does not write is a usage error before any work.
  const CliRun svg = insole_cli("spm " + at("prog.csv") + " --test one-sample --figure " + at("prog.svg"), dir_->path());
  EXPECT_EQ(svg.exit_code, 2);
  EXPECT_NE(svg.err.find("prog.svg: a figure must be .png or .pdf"), std::string::npos) << svg.err;
}

}  // namespace
}  // namespace insole::test
