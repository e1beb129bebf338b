#include "insole/batch/progress.hpp"

#include <gtest/gtest.h>

namespace insole::batch {
namespace {

BatchProgress sample() {
  BatchProgress p;
  p.total = 100;
  p.done = 35;
  p.skipped = 5;
  p.failed = 2;
  p.bytes_total = 1000'000'000;
  p.bytes_done = 400'000'000;
  p.bytes_skipped = 100'000'000;
  p.elapsed_s = 10;
  return p;
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(7.4), "0:07");
  EXPECT_EQ(format_duration(725), "12:05");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "--:--");
}

TEST(Progress, EtaFromBytesAnalysedExcludingSkipped) {
  // 300 MB analysed in 10 s = 30 MB/s; 600 MB left -> 20 s.
  const auto eta = eta_s(sample());
  ASSERT_TRUE(eta);
  EXPECT_DOUBLE_EQ(*eta, 20.0);
  BatchProgress only_skipped = sample();
  only_skipped.done = only_skipped.skipped = 5;
  EXPECT_FALSE(eta_s(only_skipped));
  BatchProgress finished = sample();
  finished.done = finished.total;
  EXPECT_EQ(eta_s(finished), 0.0);
}

TEST(Progress, LineAndBarCarryCountsRateAndEta) {
  // 30 recordings analysed in 10 s = 3.0 rec/s; 300 MB / 10 s = 30 MB/s.
  EXPECT_EQ(progress_line(sample()), "batch: 35/100 (35%), 3.0 rec/s, 30 MB/s, ETA 0:20, 2 failed, 5 skipped");
  const std::string bar = progress_bar(sample(), 79);
  EXPECT_LE(bar.size(), 79u);
  EXPECT_EQ(bar.rfind("[", 0), 0u);
  EXPECT_NE(bar.find("35/100"), std::string::npos);
  EXPECT_NE(bar.find("ETA 0:20"), std::string::npos);
  EXPECT_NE(bar.find("2 failed"), std::string::npos);
  EXPECT_LE(progress_bar(sample(), 30).size(), 30u);
}

TEST(Progress, SummaryNamesEveryOutcome) {
  BatchSummary s;
  static_cast<BatchProgress&>(s) = sample();
  s.done = s.total = 100;
  s.analysed = 90;
  s.no_contact = 3;
  s.inputs_total = 400;
  EXPECT_EQ(summary_text(s).substr(0, 99),
            "analysed 93 (3 without foot contact), skipped 5, failed 2, of 100 in this shard (400 inputs in all)");
}

}  // namespace
}  // namespace insole::batch
