#include "insole/drivers/protocol/fisica.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "insole/core/calibration.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"

namespace insole::drivers::fisica {

namespace {

// Command headers the SDK documents (device.py, ATCommands); anything else after 0x24 is not a
// command of the documented 8-byte form.
bool known_header(std::uint8_t h) {
  return (h >= 0x10 && h <= 0x19) || (h >= 0x20 && h <= 0x23) || (h >= 0x30 && h <= 0x34) ||
         (h >= 0x40 && h <= 0x43) || h == 0x49 || h == 0x50 || h == 0x51 || h == 0x60;
}

// Error codes of failed commands (parser.py, _log_error_code).
constexpr std::uint8_t kErrOutOfRange = 2;
constexpr std::uint8_t kErrFormat = 3;

std::uint8_t to_count(float v) {
  if (!(v > 0)) return 0;  // also NaN
  return static_cast<std::uint8_t>(std::min(255.0f, std::round(v)));
}

std::uint16_t to_tenths(float kg) {
  if (!(kg > 0)) return 0;
  return static_cast<std::uint16_t>(std::min(65535.0f, std::round(kg * 10.0f)));
}


}  // namespace

Status validate(const Config& config) {
  if (!std::isfinite(config.pitch_mm) || config.pitch_mm < 1.0 || config.pitch_mm > 100.0)
    return make_error(Errc::invalid_argument,
                      "fisica: the cell pitch must be between 1 and 100 mm, got " +
                          std::to_string(config.pitch_mm));
  if (config.pitch_source.empty())
    return make_error(Errc::invalid_argument, "fisica: say where the cell pitch comes from");
  return {};
}

bool is_command(std::span<const std::uint8_t> p) {
  return p.size() >= kCommandBytes && p[0] == kStx && known_header(p[1]) &&
         (p[2] == kSet || p[2] == kGet) && p[3] <= 1 && p[6] == kEtx0 && p[7] == kEtx1;
}

std::vector<std::uint8_t> command(std::uint8_t header, std::uint8_t type, std::uint8_t data_high,
                                  std::uint8_t data_low) {
  return {kStx, header, type, 0x00, data_high, data_low, kEtx0, kEtx1};
}

// ---------------------------------------------------------------------------------------------
// Decoder

void FisicaDecoder::reset() {
  buf_.clear();
  pos_ = 0;
  discarding_ = false;
  sequence_ = 0;
  stats_ = {};
}

void FisicaDecoder::discard(std::size_t n) {
  stats_.garbage_bytes += n;
  if (!discarding_) ++stats_.resyncs;
  discarding_ = true;
  pos_ += n;
}

void FisicaDecoder::feed(std::span<const std::uint8_t> bytes, std::vector<PressureFrame>& out) {
  stats_.bytes += bytes.size();
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  for (;;) {
    const std::size_t avail = buf_.size() - pos_;
    if (avail == 0) break;
    const std::uint8_t* p = buf_.data() + pos_;
    // A reply: decided on its own 8 bytes (a frame starting with 0x24 is not a reply unless its
    // bytes 1..7 also have the reply's form).
    if (p[0] == kStx) {
      if (avail < kCommandBytes) break;
      if (is_command({p, kCommandBytes})) {
        ++stats_.replies;
        if (p[3] == 0x00) ++stats_.nacks;
        pos_ += kCommandBytes;
        discarding_ = false;
        continue;
      }
    }
    if (avail < kFrameBytes) break;
    if (p[kFrameBytes - 2] != kTrailer0 || p[kFrameBytes - 1] != kTrailer1) {
      discard(1);  // no trailer where a frame starting here would end it
      continue;
    }
    PressureFrame mat;
    mat.stream = 0;
    mat.sequence = sequence_;
    mat.pressure_kpa.resize(kCells);
    for (int k = 0; k < kCells; ++k) mat.pressure_kpa(k) = static_cast<float>(p[1 + k]);
    PressureFrame load;
    load.stream = 1;
    load.sequence = sequence_;
    load.pressure_kpa = Eigen::VectorXf::Constant(1, weight_kg(p[641], p[642]));
    out.push_back(std::move(mat));
    out.push_back(std::move(load));
    stats_.frames += 2;
    ++sequence_;
    pos_ += kFrameBytes;
    discarding_ = false;
  }
  // Bounded memory: at most one partial frame (< 645 bytes) stays buffered.
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 0) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Host session (the SDK's start_measurement and Receiver.stop)

std::vector<HostCommand> FisicaHostSession::open_commands() const {
  return {{command(kHeaderDeviceSetting, kSet, 0x00, 0x01), false,
           "select the measurement link (header 0x22, value 1 as the SDK sends it on serial too)"},
          {command(kHeaderContinuous, kSet, 0x00, 0x01), false,
           "start continuous measurement (header 0x51)"}};
}

std::vector<HostCommand> FisicaHostSession::close_commands() const {
  return {{command(kHeaderContinuous, kSet, 0x00, 0x00), false,
           "stop continuous measurement (header 0x51)"}};
}

// ---------------------------------------------------------------------------------------------
// Device model

void FisicaDeviceModel::answer(std::span<const std::uint8_t> cmd, std::vector<std::uint8_t>& reply) {
  const std::uint8_t h = cmd[1], type = cmd[2];
  const unsigned value = (static_cast<unsigned>(cmd[4]) << 8) | cmd[5];
  std::uint8_t code = 0;  // 0: success
  std::uint16_t data = static_cast<std::uint16_t>(value);
  if (cmd[3] != 0x00) {
    code = kErrFormat;  // the host always sends RET 00
  } else if (type == kSet) {
    switch (h) {
      case kHeaderContinuous:
        if (value > 1) code = kErrOutOfRange;
        else streaming_ = value == 1;
        break;
      case kHeaderDeviceSetting:
        if (value > 2) code = kErrOutOfRange;
        else if (value == 0) streaming_ = false;  // 0x00: measurement ends
        break;
      case kHeaderMeasurementInterval:
        if (value < 100 || value > 2000) code = kErrOutOfRange;
        else interval_ms_ = static_cast<int>(value);
        break;
      default: break;  // accepted, not emulated
    }
  } else {
    data = h == kHeaderCurrentWeight ? weight_tenths_ : 0;
  }
  if (code)
    reply.insert(reply.end(), {kStx, h, type, 0x00, 0x00, code, kEtx0, kEtx1});
  else
    reply.insert(reply.end(), {kStx, h, type, 0x01, static_cast<std::uint8_t>(data >> 8),
                               static_cast<std::uint8_t>(data & 0xFF), kEtx0, kEtx1});
}

void FisicaDeviceModel::on_host_bytes(std::span<const std::uint8_t> bytes,
                                      std::vector<std::uint8_t>& reply) {
  in_.insert(in_.end(), bytes.begin(), bytes.end());
  std::size_t pos = 0;
  while (in_.size() - pos >= 1) {
    if (in_[pos] != kStx) {
      ++pos;  // not a command start: ignored
      continue;
    }
    if (in_.size() - pos < kCommandBytes) break;
    const std::span<const std::uint8_t> cmd(in_.data() + pos, kCommandBytes);
    if (is_command(cmd)) {
      answer(cmd, reply);
      pos += kCommandBytes;
    } else {
      ++pos;  // variable-length commands (Wi-Fi, user) and noise are ignored
    }
  }
  in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(pos));
}

void FisicaDeviceModel::encode_frame(const PressureFrame& frame, std::vector<std::uint8_t>& out) {
  if (frame.stream == 0) {
    cells_.assign(kCells, 0);
    for (Eigen::Index k = 0; k < std::min<Eigen::Index>(kCells, frame.pressure_kpa.size()); ++k)
      cells_[static_cast<std::size_t>(k)] = to_count(frame.pressure_kpa(k));
  } else if (frame.stream == 1) {
    weight_tenths_ = to_tenths(frame.pressure_kpa.size() ? frame.pressure_kpa(0) : 0.0f);
    have_weight_ = true;
  } else {
    return;
  }
  if (cells_.empty() || !have_weight_) return;  // one device frame needs both parts
  out.push_back(0x00);  // byte 0: not documented; the model sends 0
  out.insert(out.end(), cells_.begin(), cells_.end());
  out.push_back(0x00);  // bytes 639, 640: not documented
  out.push_back(0x00);
  out.push_back(static_cast<std::uint8_t>(weight_tenths_ >> 8));
  out.push_back(static_cast<std::uint8_t>(weight_tenths_ & 0xFF));
  out.push_back(kTrailer0);
  out.push_back(kTrailer1);
  cells_.clear();
  have_weight_ = false;
}

// ---------------------------------------------------------------------------------------------
// Registry

std::vector<StreamInfo> streams_for(const MatrixCodecConfig& c) {
  StreamInfo mat;
  mat.name = c.stream_name;
  mat.layout = SensorLayout::grid(kRows, kCols, c.row_pitch_mm, c.col_pitch_mm).value();
  mat.side = c.side;
  describe_stream(mat, c);  // validate() requires the pitch_source of a platform whose pitch is unpublished
  mat.units = PressureUnits::counts;
  mat.attributes["calibration"] =
      "none: values are the device's raw counts; calibrate with `insole calibrate` "
      "(docs/calibration.md; the load_cell stream gives the body mass)";
  std::ostringstream pitch;
  pitch << c.row_pitch_mm;
  if (c.col_pitch_mm != c.row_pitch_mm) pitch << " x " << c.col_pitch_mm;  // rows x columns
  mat.attributes["pitch_mm"] = pitch.str();

  StreamInfo load;
  load.name = "load_cell";
  const double nan = std::numeric_limits<double>::quiet_NaN();
  load.layout = SensorLayout::sensors(Eigen::MatrixX2d::Constant(1, 2, nan),
                                      Eigen::VectorXd::Constant(1, nan))
                    .value();
  load.side = c.side;
  load.sample_rate_hz = c.frame_rate_hz;
  load.device = mat.device;
  load.units = PressureUnits::counts;
  load.attributes["protocol"] = c.name;
  load.attributes["quantity"] = kLoadCellQuantity;  // insole::is_load_cell_stream
  load.attributes["raw_unit"] = "kg";
  load.attributes["calibration"] =
      "none: the platform's load-cell reading in kg (u16 big-endian / 10), not pressure";
  return {mat, load};
}

ProtocolInfo protocol_for(const MatrixCodecConfig& c) {
  ProtocolInfo info;
  info.name = c.name;
  info.description = c.description;
  info.default_baud = c.baud;
  info.frame_rate_hz = c.frame_rate_hz;
  info.streams = streams_for(c);
  info.make_decoder = [] { return std::make_unique<FisicaDecoder>(); };
  info.make_host_session = [] { return std::make_unique<FisicaHostSession>(); };
  info.make_device = [] { return std::make_unique<FisicaDeviceModel>(); };
  info.poll_driven = false;
  info.usb_vid = c.usb_vid;
  info.usb_pid = c.usb_pid;
  info.provenance = provenance_summary(c);
  return info;
}

namespace {

// The built-in description (drivers/devices/fisica.json) with another pitch.
MatrixCodecConfig builtin_with(const Config& config) {
  if (auto st = validate(config); !st) throw std::invalid_argument(st.error().message);
  for (const MatrixCodecConfig& d : builtin_devices())
    if (d.codec == DeviceCodec::fisica && d.name == "fisica") {
      MatrixCodecConfig c = d;
      c.row_pitch_mm = c.col_pitch_mm = config.pitch_mm;
      c.pitch_source = config.pitch_source;
      if (auto st = c.validate(); !st) throw std::invalid_argument(st.error().message);
      return c;
    }
  throw std::logic_error("the built-in description fisica.json is missing");
}

}  // namespace

std::vector<StreamInfo> streams(const Config& config) { return streams_for(builtin_with(config)); }

ProtocolInfo protocol(const Config& config) { return protocol_for(builtin_with(config)); }

}  // namespace insole::drivers::fisica
