// The mapping step (insole/calibration/sensor_mapping.hpp): a pressing trial built here, with
// resting offsets, noise and crosstalk, gives back the wiring it was built with; faulty trials are
// refused with what to do.
#include "insole/calibration/sensor_mapping.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <random>

#include "support/temp_dir.hpp"

namespace insole::calibration {
namespace {

std::vector<Zone> zones18() {
  std::vector<Zone> z;
  for (int i = 0; i < 18; ++i)
    z.push_back(Zone{"zone " + std::to_string(i), 10.0 + (i % 3) * 15.0, 20.0 + (i / 3) * 40.0, i == 0 ? 150.0 : 120.0});
  return z;
}

// 100 Hz; 0.5 s at rest, then per zone 1.0 s pressed and 0.6 s released. Zone k presses output
// wiring[k] with 800 g, leaking 15 % into the next output; every output rests at 5 + i with
// +-2 noise.
Stream pressing_trial(const std::vector<std::size_t>& wiring, std::vector<double> strength = {}) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> noise(-2.0, 2.0);
  Stream s;
  s.info.name = "left";
  s.info.units = PressureUnits::counts;
  s.info.layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(18, 2, std::nan("")),
                                        Eigen::VectorXd::Constant(18, std::nan("")))
                      .value();
  const int frames = int((0.5 + 1.6 * double(wiring.size())) * 100.0);
  s.time_s.resize(frames);
  s.pressure_kpa.resize(frames, 18);
  for (int f = 0; f < frames; ++f) {
    const double t = 0.01 * f;
    s.time_s[f] = t;
    for (int i = 0; i < 18; ++i) s.pressure_kpa(f, i) = float(5.0 + i + noise(rng));
    const double since = t - 0.5;
    if (since < 0) continue;
    const auto k = std::size_t(since / 1.6);
    if (k >= wiring.size() || since - 1.6 * double(k) >= 1.0) continue;
    const double g = 800.0 * (strength.empty() ? 1.0 : strength[k]);
    s.pressure_kpa(f, Eigen::Index(wiring[k])) += float(g);
    s.pressure_kpa(f, Eigen::Index((wiring[k] + 1) % 18)) += float(0.15 * g);
  }
  return s;
}

std::vector<std::size_t> scrambled() {
  std::vector<std::size_t> w(18);
  std::iota(w.begin(), w.end(), 0);
  std::shuffle(w.begin(), w.end(), std::mt19937(3));
  return w;
}

TEST(SensorMapping, FindsTheWiringTheTrialWasBuiltWith) {
  const auto wiring = scrambled();
  const auto zones = zones18();
  auto m = map_sensors(pressing_trial(wiring), zones);
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->presses.size(), 18u);
  for (std::size_t k = 0; k < 18; ++k) {
    EXPECT_EQ(m->presses[k].output, wiring[k]) << "zone " << k;
    EXPECT_EQ(m->zone_of_output[wiring[k]], k);
    // Pressed from 0.5 + 1.6 k s for 1 s.
    EXPECT_NEAR(m->presses[k].start_s, 0.5 + 1.6 * double(k), 0.011);
    EXPECT_NEAR(m->presses[k].end_s, 1.49 + 1.6 * double(k), 0.011);
    EXPECT_NEAR(m->presses[k].rise, 800.0, 3.0);
    EXPECT_NEAR(m->presses[k].next_rise, 120.0, 3.0);
  }
  // The positions file, read back as a device description reads it: per output, its zone.
  const std::string csv = positions_csv(*m, zones);
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "x_mm,y_mm,area_mm2");
  for (std::size_t out = 0; out < 18; ++out) {
    ASSERT_TRUE(std::getline(in, line));
    const Zone& z = zones[m->zone_of_output[out]];
    std::ostringstream want;
    want << z.x_mm << "," << z.y_mm << "," << z.area_mm2 << "  # output " << out << ": " << z.name;
    EXPECT_EQ(line.substr(0, want.str().size()), want.str());
  }
}

TEST(SensorMapping, FaultyTrialsAreRefusedWithWhatToDo) {
  const auto wiring = scrambled();
  auto zones = zones18();
  auto refused = [](const Result<SensorMapping>& r, const std::string& expected) {
    ASSERT_FALSE(r) << expected;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  // A zone skipped: 17 presses for 18 zones.
  auto skipped = wiring;
  skipped.erase(skipped.begin() + 6);
  refused(map_sensors(pressing_trial(skipped), zones), "found 17 presses (at 0.50 s, 2.10 s");
  // Press 4 on the border of two cells: both rise alike.
  Stream both = pressing_trial(wiring);
  for (Eigen::Index f = 0; f < both.frame_count(); ++f) {
    const double since = both.time_s[f] - 0.5 - 1.6 * 3;
    if (since >= 0 && since < 1.0) both.pressure_kpa(f, Eigen::Index((wiring[3] + 5) % 18)) += 700.0f;
  }
  refused(map_sensors(both, zones), "press 4 (zone 'zone 3', 5.3");
  refused(map_sensors(both, zones), "both rose; press one zone at a time");
  // The same cell pressed for two zones.
  auto twice = wiring;
  twice[9] = wiring[2];
  refused(map_sensors(pressing_trial(twice), zones), "(zone 'zone 9', 14.9") ;
  refused(map_sensors(pressing_trial(twice), zones), "): output " +
                                                         std::to_string(wiring[2]) + " was already pressed as zone 'zone 2'");
  // A zones file for another insole.
  zones.pop_back();
  refused(map_sensors(pressing_trial(wiring), zones), "the zones file has 17 zones for 18 outputs");
  // Nothing pressed.
  refused(map_sensors(pressing_trial({}), zones18()), "found 0 presses");
}

TEST(SensorMapping, ZonesFileErrorsNameTheLine) {
  test::TempDir dir;
  auto refused = [&](const std::string& text, const std::string& expected) {
    std::ofstream(dir / "zones.csv") << text;
    auto r = read_zones(dir / "zones.csv");
    ASSERT_FALSE(r) << expected;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  refused("zone,x,y,area\n", "zones.csv line 1: expected the header zone,x_mm,y_mm,area_mm2");
  refused("zone,x_mm,y_mm,area_mm2\nheel,1,2\n", "zones.csv line 2: expected 4 fields");
  refused("zone,x_mm,y_mm,area_mm2\nheel,1,two,3\n", "zones.csv line 2: \"two\" is not a number");
  refused("zone,x_mm,y_mm,area_mm2\nheel,1,2,0\n", "zones.csv line 2: the area must be positive");
  refused("zone,x_mm,y_mm,area_mm2\n,1,2,3\n", "zones.csv line 2: the zone has no name");
  refused("# nothing\n", "empty (expected the header");
  refused("zone,x_mm,y_mm,area_mm2\n", "no zones");
  std::ofstream(dir / "zones.csv") << "# pressing order\nzone, x_mm, y_mm, area_mm2\nmedial heel, -12.5, 30, 150 # first\r\n";
  auto ok = read_zones(dir / "zones.csv");
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].name, "medial heel");
  EXPECT_EQ((*ok)[0].x_mm, -12.5);
  EXPECT_EQ((*ok)[0].area_mm2, 150.0);
}

}  // namespace
}  // namespace insole::calibration
