#include "insole/importers/importers.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "importer_test_util.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"

namespace insole::test {
namespace {

const std::vector<std::pair<std::string, std::string>> kSeeds = {
    {"tekscan", "tekscan/fscan_small.asf"}, {"tekscan", "tekscan/iscan_small.csv"},
    {"emed", "emed/emed_small.lst"},        {"pedar", "pedar/pedar_small.asc"},
    {"pliance", "pliance/pliance_small.asc"}, {"xsensor", "xsensor/xsensor_small.csv"},
    {"moticon", "moticon/moticon_small.txt"}, {"gaitpdb", "gaitpdb/gaitpdb_small.txt"},
    {"apd", "apd/apd_small.apd"}};

TEST(Registry, ListsEveryFormatOnce) {
  std::set<std::string> names;
  for (const auto& f : importers::formats()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_FALSE(f.description.empty());
    EXPECT_FALSE(f.extensions.empty());
  }
  EXPECT_EQ(names, (std::set<std::string>{"tekscan", "emed", "pedar", "pliance", "xsensor", "moticon",
                                          "gaitpdb", "apd"}));
}

TEST(Registry, DetectsEachSeedFromContent) {
  for (const auto& [format, file] : kSeeds) {
    auto d = importers::detect_format_text(seed(file));
    ASSERT_TRUE(d.ok()) << file << ": " << d.error().message;
    EXPECT_EQ(*d, format) << file;
  }
  EXPECT_EQ(importers::detect_format_text("hello world\n").error().code, Errc::unsupported);
}

TEST(Registry, DetectsRealFiles) {
  INSOLE_REQUIRE_SHARED_DATA("pressure_vendor_samples/emed_test.lst");
  const std::vector<std::pair<std::string, std::string>> real = {
      {"tekscan", "tekscan_fscan_footpress/FrasP01L.asf"},
      {"tekscan", "pressure_vendor_samples/iscan_test.csv"},
      {"emed", "pressure_vendor_samples/emed_test.lst"},
      {"pedar", "pressure_vendor_samples/pedar_example.asc"},
      {"pliance", "pressure_vendor_samples/pliance_test.asc"},
      {"xsensor", "pressure_vendor_samples/xsensor_data.csv"},
      {"moticon", "moticon_opengo/230927_102231.txt"},
      {"moticon", "moticon_opengo/walk_data_with_events/text_export.txt"},
      {"gaitpdb", "physionet_gaitpdb/GaCo01_01.txt"}};
  for (const auto& [format, rel] : real) {
    auto d = importers::detect_format(shared_data(rel));
    ASSERT_TRUE(d.ok()) << rel << ": " << d.error().message;
    EXPECT_EQ(*d, format) << rel;
  }
}

TEST(ImportFile, ErrorsForMissingEmptyAndUnknown) {
  TempDir dir;
  EXPECT_EQ(importers::import_file(dir / "missing.asf").error().code, Errc::not_found);
  EXPECT_EQ(importers::import_file(dir.path()).error().code, Errc::not_found);
  { std::ofstream(dir / "empty.asf"); }
  auto empty = importers::import_file(dir / "empty.asf");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, Errc::format_error);
  EXPECT_NE(empty.error().message.find("empty.asf:1: expected"), std::string::npos) << empty.error().message;
  { std::ofstream(dir / "x.asc") << seed("pedar/pedar_small.asc"); }
  EXPECT_EQ(importers::import_file(dir / "x.asc", "nonsense").error().code, Errc::invalid_argument);
  // An explicit but wrong format fails with a located message, it does not guess.
  auto wrong = importers::import_file(dir / "x.asc", "tekscan");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::format_error);
  EXPECT_NE(wrong.error().message.find("x.asc:1: expected"), std::string::npos) << wrong.error().message;
  auto ok = importers::import_file(dir / "x.asc");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->meta.attributes.at("import.source"), "x.asc");
}

}  // namespace
}  // namespace insole::test
