#include "insole/importers/gaitpdb.hpp"

#include <cmath>
#include <limits>

#include "common.hpp"
#include "text.hpp"

namespace insole::importers {

using namespace detail;

namespace {

// PhysioNet gaitpdb format.txt, sensor (X, Y) of L1..L8 in arbitrary units; R = X mirrored.
constexpr double kSensorX[8] = {-500, -700, -300, -700, -300, -700, -300, -500};
constexpr double kSensorY[8] = {-800, -400, -400, 0, 0, 400, 400, 800};

StreamInfo gaitpdb_stream(bool left) {
  Eigen::MatrixX2d xy(8, 2);
  for (int i = 0; i < 8; ++i) {
    const double x = left ? kSensorX[i] : -kSensorX[i];
    const double foot_centre_x = left ? -500.0 : 500.0;
    xy(i, 0) = (x - foot_centre_x) * kGaitpdbMmPerUnit;
    xy(i, 1) = (kSensorY[i] - kSensorY[0]) * kGaitpdbMmPerUnit;
  }
  StreamInfo info;
  info.name = left ? "left" : "right";
  info.side = left ? Side::left : Side::right;
  info.layout = SensorLayout::sensors(xy, Eigen::VectorXd::Constant(8, kGaitpdbNominalSensorAreaMm2)).value();
  info.sample_rate_hz = 100.0;
  info.device = "Infotronic Ultraflex Computer Dyno Graphy insole (PhysioNet gaitpdb)";
  info.attributes["quantity"] = "force";
  info.attributes["pressure_conversion"] =
      "the sensors measure vertical force (N); pressure_kpa = 1000 x force_n / " +
      std::to_string(kGaitpdbNominalSensorAreaMm2) + " mm² (nominal area, not a measured one)";
  info.attributes["geometry"] =
      "published sensor positions (arbitrary units) x " + std::to_string(kGaitpdbMmPerUnit) +
      " mm/unit (nominal scale): distances are proportional, not true millimetres";
  return info;
}

}  // namespace

Result<Recording> read_gaitpdb(std::istream& in, const std::string& source, const ImportOptions&) {
  LineReader r(in, source);
  StreamBuilder left(gaitpdb_stream(true)), right(gaitpdb_stream(false));
  double last_t = -std::numeric_limits<double>::infinity();
  float l[8], rr[8];
  // kPa per N over the nominal area: p = F / A, 1 N / 1 mm² = 1000 kPa.
  const double kpa_per_n = 1000.0 / kGaitpdbNominalSensorAreaMm2;
  while (true) {
    auto line = r.next();
    if (!line) return line.error();
    if (!*line) break;
    const std::string_view text = trim(**line);
    if (text.empty()) continue;
    const auto f = split_ws(text);
    if (f.size() != 19)
      return format_error(r, "expected 19 whitespace-separated numbers (time, L1..L8, R1..R8, left "
                             "total, right total), got " + std::to_string(f.size()) + " fields");
    double v[19];
    for (std::size_t i = 0; i < 19; ++i) {
      auto x = parse_number(f[i]);
      if (!x) return format_error(r, "expected a number in column " + std::to_string(i + 1) + ", got " + quote(f[i]));
      v[i] = *x;
    }
    if (!(v[0] > last_t)) return format_error(r, "expected time to increase, got " + quote(f[0]));
    last_t = v[0];
    double sum_l = 0, sum_r = 0;
    for (int i = 0; i < 8; ++i) {
      sum_l += v[1 + i];
      sum_r += v[9 + i];
      l[i] = static_cast<float>(v[1 + i] * kpa_per_n);
      rr[i] = static_cast<float>(v[9 + i] * kpa_per_n);
    }
    // The totals are the sensor sums, printed to two decimals (format.txt; checked on GaCo01_01).
    const double tol = 0.05;
    if (std::abs(sum_l - v[17]) > tol || std::abs(sum_r - v[18]) > tol)
      return format_error(r, "expected columns 18 and 19 to be the left and right sensor sums (" +
                                 std::to_string(sum_l) + ", " + std::to_string(sum_r) + " N), got " +
                                 std::string(f[17]) + ", " + std::string(f[18]));
    if (!left.add(v[0], l) || !right.add(v[0], rr))
      return format_error(r, "expected at most " + std::to_string(kMaxValuesPerStream) + " values per stream");
  }
  if (left.frames() == 0) return format_error(source, r.line_number() + 1, "expected at least one data row");
  Recording rec;
  rec.streams.push_back(left.finish());
  rec.streams.push_back(right.finish());
  stamp_recording(rec, "gaitpdb", source);
  return rec;
}

}  // namespace insole::importers
