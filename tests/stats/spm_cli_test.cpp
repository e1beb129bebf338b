// `insole spm` as users run it (the built program, INSOLE_CLI): simulated walks analysed, their
// footprint images registered onto the first one and tested. The statistics themselves are
// checked against hand computations in spm_test.cpp; this checks the wiring and the errors.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "report/cli_run.hpp"
#include "support/temp_dir.hpp"

namespace insole::test {
namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

class SpmCli : public ::testing::Test {
 protected:
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

}  // namespace
}  // namespace insole::test
