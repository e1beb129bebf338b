#include <gtest/gtest.h>

#include "insole/sim/simulator.hpp"

namespace insole::sim {
namespace {

using std::chrono::milliseconds;

TEST(SimSource, DeliversTheSameFramesAsTheGenerator) {
  auto src = make_source("sim://walk?foot=flat&seed=3&layout=mat&rows=40&cols=200&duration=1.5&rate=50", nullptr, false);
  ASSERT_TRUE(src.ok()) << src.error().message;
  auto& s = **src;
  ASSERT_TRUE(s.start().ok());
  ASSERT_EQ(s.info().streams.size(), 1u);
  std::map<std::string, std::string> o{{"mode", "walk"}, {"foot", "flat"}, {"seed", "3"},     {"layout", "mat"},
                                       {"rows", "40"},   {"cols", "200"},  {"duration", "1.5"}, {"rate", "50"}};
  auto g = make_generator(parse_spec(o).value());
  ASSERT_TRUE(g.ok());
  Eigen::VectorXd t;
  FrameMatrix p;
  g->generate(0, 0, g->frame_count(), t, p);
  Eigen::Index n = 0;
  for (;; ++n) {
    auto f = s.next(milliseconds(0));
    if (!f.ok()) {
      EXPECT_EQ(f.error().code, Errc::end_of_stream);
      break;
    }
    ASSERT_LT(n, p.rows());
    EXPECT_DOUBLE_EQ(f->time_s, t[n]);
    EXPECT_TRUE(f->pressure_kpa.cwiseEqual(p.row(n).transpose()).all());
  }
  EXPECT_EQ(n, 75);  // 1.5 s at 50 Hz
  EXPECT_EQ(s.stats().frames, 75u);
}

TEST(SimSource, InsolesInterleaveStreamsAndRealtimePacesByTheClock) {
  auto clock = std::make_shared<ManualClock>(100.0);
  auto src = make_source("walk?layout=insole16&duration=1&rate=10", clock, true);
  ASSERT_TRUE(src.ok()) << src.error().message;
  auto& s = **src;
  ASSERT_TRUE(s.start().ok());
  ASSERT_EQ(s.info().streams.size(), 2u);
  auto a = s.next(milliseconds(0));
  auto b = s.next(milliseconds(0));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->stream, 0u);
  EXPECT_EQ(b->stream, 1u);
  EXPECT_EQ(a->time_s, b->time_s);
  // The next frame is due 0.1 s later: a 10 ms wait times out, then it arrives.
  auto c = s.next(milliseconds(10));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::timeout);
  auto d = s.next(milliseconds(1000));
  ASSERT_TRUE(d.ok());
  EXPECT_NEAR(d->time_s, 0.1, 1e-12);
  EXPECT_NEAR(clock->now_s(), 100.1, 1e-9);
}

TEST(SimSource, BadUrisAreClearErrors) {
  for (const char* uri : {"walk?foot=hollow", "walk?colour=red", "run", "walk?mass=-1", "walk?mass=abc",
                          "stand?layout=insole16", "walk?layout=insole3", "walk?seed=-1", "walk?seed=1&seed=2"}) {
    auto s = make_source(uri, nullptr, false);
    ASSERT_FALSE(s.ok()) << uri;
    EXPECT_EQ(s.error().code, Errc::invalid_argument) << uri;
    EXPECT_NE(s.error().message.find("simulator URI"), std::string::npos) << s.error().message;
  }
  auto rt = make_source("walk?duration=1", nullptr, true);
  ASSERT_TRUE(rt.ok());
  EXPECT_FALSE((*rt)->start().ok());  // realtime without a clock
}

TEST(SimSpec, ParsesOptions) {
  auto s = parse_spec({{"mode", "stand"}, {"foot", "cavus"}, {"pronation", "-0.5"}, {"mass", "82"}, {"typical_noise", "1"}});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->mode, "stand");
  EXPECT_EQ(s->stand.foot.arch, ArchType::cavus);
  EXPECT_DOUBLE_EQ(s->stand.foot.pronation, -0.5);
  EXPECT_DOUBLE_EQ(s->stand.body_mass_kg, 82);
  EXPECT_DOUBLE_EQ(s->stand.noise.noise_sd_kpa, NoiseParams::typical_mat().noise_sd_kpa);
  auto bad = parse_spec({{"mass", "-1"}});
  ASSERT_TRUE(bad.ok());  // range checks happen in validate / make_generator
  EXPECT_FALSE(make_generator(*bad).ok());
}

TEST(SimSpec, TreadmillKey) {
  auto t = parse_spec({{"treadmill", "true"}});
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_TRUE(t->walk.treadmill);
  auto off = parse_spec({});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->walk.treadmill);
  auto bad = parse_spec({{"treadmill", "sometimes"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("treadmill"), std::string::npos);
}

}  // namespace
}  // namespace insole::sim
