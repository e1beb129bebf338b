#include "insole/importers/moticon.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "importer_test_util.hpp"
#include "support/shared_data.hpp"

namespace insole::test {
namespace {

std::vector<const Event*> events_of(const Recording& rec, const std::string& stream, const std::string& kind) {
  std::vector<const Event*> out;
  for (const auto& e : rec.events)
    if (e.stream == stream && e.kind == kind) out.push_back(&e);
  return out;
}

TEST(Moticon, BlankFieldsAreMissingSamples) {
  auto rec = parse("moticon", seed("moticon/moticon_small.txt"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 2u);
  const Stream& l = rec->streams[0];
  const Stream& r = rec->streams[1];
  EXPECT_FALSE(l.info.layout.has_geometry());
  ASSERT_EQ(l.frame_count(), 3);  // the 0.00 row has no left sample
  EXPECT_DOUBLE_EQ(l.time_s[0], 0.01);
  EXPECT_FLOAT_EQ(l.pressure_kpa(0, 1), 20.0f);  // 2.00 N/cm2 x 10
  EXPECT_TRUE(std::isnan(l.pressure_kpa(2, 2)));  // one blank cell: that sensor's sample is missing
  ASSERT_EQ(r.frame_count(), 3);  // the 0.02 row has no right sample
  EXPECT_DOUBLE_EQ(r.time_s[2], 0.03);
  EXPECT_FLOAT_EQ(r.pressure_kpa(0, 0), 65.0f);
  EXPECT_EQ(r.info.device, "Moticon OpenGo insole SN9171");
}

TEST(Moticon, StepCodesAndUserEventsBecomeEvents) {
  auto rec = parse("moticon", seed("moticon/moticon_small.txt"));
  ASSERT_TRUE(rec.ok());
  ASSERT_EQ(events_of(*rec, "right", "heel_strike").size(), 1u);
  EXPECT_DOUBLE_EQ(events_of(*rec, "right", "heel_strike")[0]->time_s, 0.01);  // code 21
  EXPECT_DOUBLE_EQ(events_of(*rec, "left", "heel_strike")[0]->time_s, 0.02);   // code 11
  EXPECT_DOUBLE_EQ(events_of(*rec, "left", "toe_off")[0]->time_s, 0.03);       // code 15
  EXPECT_DOUBLE_EQ(events_of(*rec, "right", "toe_off")[0]->time_s, 0.03);      // code 25
  ASSERT_EQ(events_of(*rec, "right", "vendor_event").size(), 1u);
  EXPECT_NE(events_of(*rec, "right", "vendor_event")[0]->detail.find("Event 1.00"), std::string::npos);
}

TEST(Moticon, MalformedRows) {
  const std::string good = seed("moticon/moticon_small.txt");
  EXPECT_TRUE(is_format_error_at(parse("moticon", replace_all(good, "\t330.00\t", "\t330.00\t\t")), 8));
  EXPECT_TRUE(is_format_error_at(parse("moticon", replace_all(good, "1.25\t2.50", "1.25\tx2.50")), 9));
  EXPECT_TRUE(is_format_error_at(parse("moticon", replace_all(good, "\t21.00\t", "\t22.00\t")), 8));
  EXPECT_TRUE(is_format_error_at(parse("moticon", replace_all(good, "0.03\t1.50", "0.01\t1.50")), 10));
  EXPECT_TRUE(is_format_error_at(parse("moticon", good.substr(0, good.find("0.00\t"))), 7));
}

// The vendor's total force and COP (moticon.hpp): kept per frame of the insole's stream when all
// three channels are there, COP stored as (across = file Y, along = file X); a blank field is NaN.
TEST(Moticon, VendorTotalForceAndCopAreKept) {
  auto rec = parse("moticon", seed("moticon/moticon_vendor.txt"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 2u);
  const Stream& l = rec->streams[0];
  ASSERT_EQ(l.frame_count(), 3);  // the 0.02 row has no left sample
  ASSERT_TRUE(l.vendor);
  ASSERT_EQ(l.vendor->total_force_n.size(), 3);
  EXPECT_EQ(l.vendor->total_force_n[0], 300.0);
  EXPECT_TRUE(std::isnan(l.vendor->total_force_n[1]));  // blank: no value, not zero
  EXPECT_EQ(l.vendor->total_force_n[2], 0.0);
  EXPECT_EQ(l.vendor->cop_normalised(0, 0), 0.05);   // Y: across
  EXPECT_EQ(l.vendor->cop_normalised(0, 1), -0.3);   // X: along (heel negative)
  EXPECT_TRUE(std::isnan(l.vendor->cop_normalised(1, 0)));
  EXPECT_EQ(l.vendor->cop_normalised(2, 1), 0.0);
  EXPECT_TRUE(l.validate());
  // The right insole's export has a total force but no COP: nothing is kept for it.
  EXPECT_FALSE(rec->streams[1].vendor);
  // The same values as read_moticon_vendor_channels reads (X, Y in the file's order; it refuses a
  // total force without COP, so the right insole's force channel is renamed out of its way).
  std::istringstream in(replace_all(seed("moticon/moticon_vendor.txt"), "right total force[N]", "right force[N]"));
  auto v = importers::read_moticon_vendor_channels(in, "mem");
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(v->left);
  EXPECT_EQ(v->left->total_force_n[0], l.vendor->total_force_n[0]);
  EXPECT_EQ(v->left->cop_normalised(0, 0), l.vendor->cop_normalised(0, 1));
  EXPECT_EQ(v->left->cop_normalised(0, 1), l.vendor->cop_normalised(0, 0));
}

TEST(Moticon, MalformedVendorChannels) {
  const std::string good = seed("moticon/moticon_vendor.txt");
  // A total force in another unit, a channel twice, a COP that is not a number.
  EXPECT_TRUE(is_format_error_at(parse("moticon", replace_all(good, "left total force[N]", "left total force[kN]")), 3));
  EXPECT_TRUE(is_format_error_at(
      parse("moticon", replace_all(good, "left center of pressure Y[-0.5...+0.5]", "left center of pressure X[-0.5...+0.5]")),
      3));
  EXPECT_TRUE(is_format_error_at(parse("moticon", replace_all(good, "\t0.050000\t", "\t0.05x\t")), 4));
  // Truncated in the middle of a row: the row has too few fields.
  EXPECT_TRUE(is_format_error_at(parse("moticon", good.substr(0, good.find("\t0.050000"))), 4));
}

// Reads "Initial contact (s)" and "Toe off (s)" from a derived gait-report CSV.
std::vector<std::pair<double, double>> report_steps(const std::filesystem::path& csv) {
  std::ifstream f(csv);
  std::string line;
  std::getline(f, line);
  std::vector<std::pair<double, double>> out;
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    std::string step, ic, to;
    std::getline(ss, step, ',');
    std::getline(ss, ic, ',');
    std::getline(ss, to, ',');
    out.emplace_back(std::stod(ic), std::stod(to));
  }
  return out;
}

TEST(MoticonRealData, StepCodesMatchTheVendorGaitReport) {
  INSOLE_REQUIRE_SHARED_DATA("moticon_opengo/230927_102114.txt");
  INSOLE_REQUIRE_SHARED_DATA("moticon_opengo/derived/gait_report_230927_10_21_14__Left_Steps.csv");
  auto rec = importers::import_file(shared_data("moticon_opengo/230927_102114.txt"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_EQ(rec->meta.attributes.at("import.format"), "moticon");
  EXPECT_EQ(rec->streams[0].info.attributes.at("header.Tag"), "normal");
  // The left insole starts about 0.3 s late (README §2): its first sample is after 0.
  EXPECT_GT(rec->streams[0].time_s[0], 0.2);
  EXPECT_DOUBLE_EQ(rec->streams[1].time_s[0], 0.0);
  for (const char* side : {"Left", "Right"}) {
    const std::string stream = side == std::string("Left") ? "left" : "right";
    const auto steps = report_steps(shared_data(std::string("moticon_opengo/derived/gait_report_230927_10_21_14__") +
                                                side + "_Steps.csv"));
    const auto hs = events_of(*rec, stream, "heel_strike");
    const auto to = events_of(*rec, stream, "toe_off");
    ASSERT_FALSE(steps.empty());
    // Every step of the workbook has a step code at the same time (txt rows are 10 ms apart).
    for (const auto& [ic_s, to_s] : steps) {
      bool hit_ic = false, hit_to = false;
      for (const Event* e : hs) hit_ic = hit_ic || std::abs(e->time_s - ic_s) <= 0.0051;
      for (const Event* e : to) hit_to = hit_to || std::abs(e->time_s - to_s) <= 0.0051;
      EXPECT_TRUE(hit_ic) << side << " initial contact " << ic_s;
      EXPECT_TRUE(hit_to) << side << " toe off " << to_s;
    }
  }
  EXPECT_DOUBLE_EQ(events_of(*rec, "left", "heel_strike")[0]->time_s, 3.00);  // README §2
}

TEST(MoticonRealData, EventsWalkKeepsUserEvents) {
  INSOLE_REQUIRE_SHARED_DATA("moticon_opengo/walk_data_with_events/text_export.txt");
  auto rec = importers::import_file(shared_data("moticon_opengo/walk_data_with_events/text_export.txt"));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_EQ(events_of(*rec, "left", "vendor_event").size(), 8u);
  EXPECT_EQ(events_of(*rec, "right", "vendor_event").size(), 8u);
  EXPECT_DOUBLE_EQ(events_of(*rec, "left", "vendor_event")[0]->time_s, 0.21);
}

}  // namespace
}  // namespace insole::test
