// The built-in device descriptions (drivers/devices/*.json, compiled in; each names its public
// sources and says which facts are documented and which guessed), the named presets of the
// generic matrix codec among them, and registry entries made from descriptions (of the matrix
// codec or of a built-in codec). docs/devices.md repeats each wire format as a table.

#include <cmath>
#include <limits>

#include <sstream>
#include <stdexcept>

#include "insole/drivers/protocol/device_description.hpp"
#include "insole/drivers/protocol/fisica.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"
#include "insole/drivers/protocol/sensel.hpp"

namespace insole::drivers {

const std::vector<MatrixCodecConfig>& builtin_devices() {
  static const std::vector<MatrixCodecConfig> all = [] {
    std::vector<MatrixCodecConfig> v;
    for (const auto& [file, text] : builtin_device_descriptions()) {
      auto c = parse_device_description(text, "built-in device description " + file);
      // Every built-in file is parsed by the tests (DeviceDescription.TheBuiltInDevicesAreDescriptionFiles).
      if (!c) throw std::logic_error(c.error().message);
      v.push_back(std::move(*c));
    }
    return v;
  }();
  return all;
}

const std::vector<MatrixCodecConfig>& matrix_presets() {
  static const std::vector<MatrixCodecConfig> presets = [] {
    std::vector<MatrixCodecConfig> v;
    for (const MatrixCodecConfig& c : builtin_devices())
      if (c.codec == DeviceCodec::matrix) v.push_back(c);
    return v;
  }();
  return presets;
}

namespace {

// The Sensel Morph's stream: the codec's grid attributes, the description's data.
StreamInfo sensel_stream(const MatrixCodecConfig& c) {
  StreamInfo s = sensel::stream_info(c.sensel_detail);
  s.name = c.stream_name;
  s.side = c.side;
  // validate() checked the grid and pitch against the codec's: they are the description's values.
  s.layout = SensorLayout::grid(c.rows, c.cols, c.row_pitch_mm, c.col_pitch_mm).value();
  describe_stream(s, c);
  // The decoder divides each reading by one sensel's area (sensel.cpp), not the grid cell's.
  const sensel::SensorGeometry g;
  std::ostringstream cal;
  cal << "grams per sensel over one sensel's area (" << g.row_pitch_mm() << " x " << g.col_pitch_mm()
      << " mm): kPa = g * 9.80665 / area_mm2";
  s.attributes["calibration"] = cal.str();
  return s;
}

ProtocolInfo sensel_protocol(const MatrixCodecConfig& c) {
  sensel::Config config;
  config.detail = c.sensel_detail;
  config.async = c.sensel_async;
  ProtocolInfo info;
  info.name = c.name;
  info.description = c.description;
  info.default_baud = c.baud;  // CDC-ACM ignores the rate; the SDK sets B115200
  info.streams = {sensel_stream(c)};
  info.frame_rate_hz = c.frame_rate_hz;
  info.make_decoder = [config] { return std::make_unique<sensel::SenselDecoder>(config); };
  info.make_host_session = [config] { return std::make_unique<sensel::SenselHostSession>(config); };
  info.make_device = [] { return std::make_unique<sensel::SenselDeviceModel>(); };
  info.poll_driven = !config.async;
  info.usb_vid = c.usb_vid;
  info.usb_pid = c.usb_pid;
  info.provenance = provenance_summary(c);
  return info;
}

}  // namespace

void describe_stream(StreamInfo& s, const MatrixCodecConfig& c) {
  s.sample_rate_hz = c.frame_rate_hz;
  s.device = c.device.empty() ? c.name : c.device;
  s.attributes["protocol"] = c.name;
  s.attributes["provenance"] = provenance_summary(c);
  if (!c.pitch_source.empty()) s.attributes["pitch_source"] = c.pitch_source;
}

std::string provenance_summary(const MatrixCodecConfig& c) {
  std::string out = "wire format " + std::string(to_string(c.facts.wire_format)) + ", values " +
                    std::string(to_string(c.facts.values)) + ", geometry " + std::string(to_string(c.facts.geometry)) +
                    ", rate " + std::string(to_string(c.facts.rate));
  if (!c.facts.sources.empty()) {
    out += "; sources: ";
    for (std::size_t i = 0; i < c.facts.sources.size(); ++i) out += (i ? "; " : "") + c.facts.sources[i];
  }
  if (!c.provenance.empty()) out += ". " + c.provenance;
  return out;
}

Result<std::vector<StreamInfo>> matrix_streams(const MatrixCodecConfig& c) {
  if (auto st = c.validate(); !st) return st.error();
  if (c.codec == DeviceCodec::sensel) return std::vector<StreamInfo>{sensel_stream(c)};
  if (c.codec == DeviceCodec::fisica) return fisica::streams_for(c);
  // Sensor positions are given in wire order; the layout is in sensel order (the same for a
  // sensor set, which has one column).
  auto sensor_layout = [&](bool mirror) -> Result<SensorLayout> {
    if (!c.sensor_set) return SensorLayout::grid(c.rows, c.cols, c.row_pitch_mm, c.col_pitch_mm);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (c.positions.size() == 0)
      return SensorLayout::sensors(Eigen::MatrixX2d::Constant(c.rows, 2, nan), Eigen::VectorXd::Constant(c.rows, nan));
    Eigen::MatrixX2d xy = c.positions.leftCols<2>();
    if (mirror) xy.col(0) = -xy.col(0);
    return SensorLayout::sensors(xy, c.positions.col(2));
  };
  auto layout = sensor_layout(false);
  if (!layout) return layout.error();
  StreamInfo base;
  base.layout = *layout;
  describe_stream(base, c);
  base.units = c.units;
  if (!c.raw_unit.empty()) base.attributes["raw_unit"] = c.raw_unit;
  if (c.grams_per_cell)
    base.attributes["calibration"] = "grams per cell over the cell's area: kPa = g * 9.80665 / area_mm2";
  else if (c.units == PressureUnits::counts)
    base.attributes["calibration"] =
        "none: values are the device's raw counts; calibrate with `insole calibrate` "
        "(docs/calibration.md)";
  else
    base.attributes["calibration"] = "stated linear: kPa = max(0, x - " +
                                     std::to_string(c.calibration.zero_counts) + ") * " +
                                     std::to_string(c.calibration.kpa_per_count);
  std::vector<StreamInfo> streams;
  if (c.foot_byte) {
    StreamInfo left = base, right = base;
    left.name = "left";
    left.side = Side::left;
    right.name = "right";
    right.side = Side::right;
    auto mirrored = sensor_layout(true);  // the right insole: the left's mirror image
    if (!mirrored) return mirrored.error();
    right.layout = *mirrored;
    streams = {left, right};
  } else {
    base.name = c.stream_name;
    base.side = c.side;
    streams = {base};
  }
  return streams;
}

Result<ProtocolInfo> make_matrix_protocol(const MatrixCodecConfig& config) {
  auto streams = matrix_streams(config);
  if (!streams) return streams.error();
  if (config.codec == DeviceCodec::sensel) return sensel_protocol(config);
  if (config.codec == DeviceCodec::fisica) return fisica::protocol_for(config);
  ProtocolInfo info;
  info.name = config.name;
  info.description = config.description;
  info.default_baud = config.baud;
  info.frame_rate_hz = config.frame_rate_hz;
  info.streams = std::move(*streams);
  info.make_decoder = [config] { return std::make_unique<MatrixDecoder>(config); };
  info.make_host_session = [config] { return std::make_unique<MatrixHostSession>(config); };
  info.make_device = [config] { return std::make_unique<MatrixDeviceModel>(config); };
  info.poll_driven = config.framing == MatrixFraming::poll_raw;
  info.provenance = provenance_summary(config);
  info.usb_vid = config.usb_vid;
  info.usb_pid = config.usb_pid;
  return info;
}

}  // namespace insole::drivers
