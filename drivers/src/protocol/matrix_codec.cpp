#include "insole/drivers/protocol/matrix_codec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "insole/core/calibration_model.hpp"
#include "insole/drivers/protocol/fisica.hpp"
#include "insole/drivers/protocol/framing.hpp"

namespace insole::drivers {

namespace {

constexpr int kMaxCells = 65536;

std::uint32_t type_max(ValueType t) {
  switch (t) {
    case ValueType::u8: return 0xFF;
    case ValueType::u16le:
    case ValueType::u16be: return 0xFFFF;
    case ValueType::i16le: return 0x7FFF;
    case ValueType::ascii: return std::numeric_limits<std::uint32_t>::max();
  }
  return 0;
}

bool is_separator(char c) { return c == ' ' || c == ',' || c == ';' || c == '\t' || c == '\r'; }

std::string mm(double v) {
  std::ostringstream os;
  os << std::setprecision(5) << v;
  return os.str();
}

// What a description may say of a device run by a built-in codec (sensel, fisica): the data, not
// the wire format, which is the codec's. The message names the codec and what it cannot honour.
std::string builtin_codec_problem(const MatrixCodecConfig& c) {
  const std::string codec = c.codec == DeviceCodec::sensel ? "sensel" : "fisica";
  const std::string is = "the " + codec + " codec ";
  if (!c.sync.empty() || c.foot_byte || c.trailer_bytes || c.checksum != MatrixChecksum::none || c.length.size ||
      !c.after_length.empty() || c.reject_embedded_sync || !c.poll_request.empty() || c.terminator != '\n' ||
      c.text_separator != ' ')
    return is + "has its own framing: sync, foot byte, trailer, checksum, length, poll request, terminator and "
                "separator do not apply";
  if (!c.open_commands.empty() || !c.close_commands.empty() || !c.start_command.empty() || !c.stop_command.empty() ||
      c.configure_length || c.configure_prefix || !c.boot_banner.empty())
    return is + "sends its own commands and its device model its own replies: leave out commands and boot_banner";
  if (c.sensor_set || c.positions.size() != 0) return is + "decodes a grid, not a sensor set";
  if (c.transform != RawTransform::none) return is + "records the values as the device sends them (transform none)";
  if (c.stream_name.empty()) return is + "needs a stream name";
  if (c.codec == DeviceCodec::sensel) {
    if (c.sensel_detail == sensel::Detail::low)
      return is + "decodes medium and high detail only (the low-detail grid is not documented)";
    const sensel::CompressionMeta m = sensel::CompressionMeta::for_detail(c.sensel_detail);
    const std::string detail = c.sensel_detail == sensel::Detail::high ? "high" : "medium";
    if (c.rows != m.rows || c.cols != m.cols)
      return is + "decodes a " + std::to_string(m.rows) + " x " + std::to_string(m.cols) + " grid (rows x cols) at " +
             detail + " detail, not " + std::to_string(c.rows) + " x " + std::to_string(c.cols);
    // The cells are every scale-th sensel of the Morph (185 x 105 sensels over 230 x 130 mm), and
    // the decoder turns grams into kPa through that sensel area: another pitch would contradict it.
    const sensel::SensorGeometry g;
    const double row = m.row_scale * g.row_pitch_mm(), col = m.col_scale * g.col_pitch_mm();
    if (std::abs(c.row_pitch_mm - row) > 1e-3 || std::abs(c.col_pitch_mm - col) > 1e-3)
      return is + "records the Morph's own pitch at " + detail + " detail, [" + mm(row) + ", " + mm(col) +
             "] mm (every " + std::to_string(m.row_scale) + "th sensel of 130 mm / 105 and 230 mm / 185), not [" +
             mm(c.row_pitch_mm) + ", " + mm(c.col_pitch_mm) + "]";
    if (c.units != PressureUnits::kpa || !c.grams_per_cell || !c.raw_unit.empty())
      return is + "records kPa from the grams per sensel the device reports: the calibration is "
                  "{\"units\": \"kPa\", \"from\": \"grams_per_cell\"}";
    return {};
  }
  if (c.rows != fisica::kRows || c.cols != fisica::kCols)
    return is + "decodes the platform's " + std::to_string(fisica::kRows) + " x " + std::to_string(fisica::kCols) +
           " grid (rows x cols), not " + std::to_string(c.rows) + " x " + std::to_string(c.cols);
  for (double p : {c.row_pitch_mm, c.col_pitch_mm})
    if (!(p >= 1.0 && p <= 100.0)) return is + "takes a cell pitch between 1 and 100 mm, got " + mm(p);
  if (c.pitch_source.empty())
    return is + "needs pitch_source: the maker does not publish the pitch, so say where it comes from";
  if (c.value_type != ValueType::u8 || c.order != ScanOrder::row_major || c.tile_rows != 0 || c.min_raw != 0 || c.max_raw != 255)
    return is + "reads one u8 per cell, row-major, 0..255, no tiles (values {\"type\": \"u8\", \"order\": \"row_major\", "
                "\"min_raw\": 0, \"max_raw\": 255})";
  if (c.units != PressureUnits::counts || c.grams_per_cell || !c.raw_unit.empty())
    return is + "records the grid in raw counts (calibration {\"units\": \"counts\"}; calibrate with the load cell)";
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Config

std::size_t MatrixCodecConfig::value_width() const {
  switch (value_type) {
    case ValueType::u8: return 1;
    case ValueType::u16le:
    case ValueType::u16be:
    case ValueType::i16le: return 2;
    case ValueType::ascii: return 0;
  }
  return 0;
}

std::string sensor_position_problem(double x_mm, double y_mm, double area_mm2) {
  if (!std::isfinite(x_mm) || !std::isfinite(y_mm) || !std::isfinite(area_mm2)) return "position and area must be finite";
  if (std::abs(x_mm) > 1e4 || std::abs(y_mm) > 1e4) return "position must be within 10 m (1e4 mm) of the origin";
  if (!(area_mm2 >= 0.01 && area_mm2 <= 1e6)) return "area must be between 0.01 and 1e6 mm^2";
  return {};
}

Status MatrixCodecConfig::validate() const {
  // The message names the fields of a device description (docs/devices.md) that the problem
  // involves, so the author of a description file knows which lines to change.
  auto bad = [this](const std::vector<std::string>& fields, const std::string& what) {
    std::string where;
    std::size_t i = 0;
    for (const std::string& f : fields) {
      where += std::string(i == 0 ? "" : i + 1 == fields.size() ? " and " : ", ") + "'" + f + "'";
      ++i;
    }
    if (i != 0) where = (i == 1 ? "field " : "fields ") + where + ": ";
    return make_error(Errc::invalid_argument,
                      std::string(codec == DeviceCodec::matrix ? "matrix codec '" : "device '") +
                          (name.empty() ? std::string("(unnamed)") : name) + "': " + where + what);
  };
  if (rows < 1 || cols < 1 || rows > kMaxCells || cols > kMaxCells ||
      static_cast<long long>(rows) * cols > kMaxCells)
    return bad({"layout.rows", "layout.cols"}, "rows x cols must be between 1 and " + std::to_string(kMaxCells) + " cells, got " +
               std::to_string(rows) + "x" + std::to_string(cols));
  if (!(row_pitch_mm > 0) || !(col_pitch_mm > 0) || !std::isfinite(row_pitch_mm) ||
      !std::isfinite(col_pitch_mm))
    return bad({"layout.pitch_mm"}, "pitch must be positive and finite (mm)");
  if (sensor_set && cols != 1) return bad({"layout.kind"}, "a sensor set has cols = 1");
  if (!(frame_rate_hz > 0)) return bad({"frame_rate_hz"}, "frame rate must be positive");
  if (codec != DeviceCodec::matrix) {
    if (const std::string why = builtin_codec_problem(*this); !why.empty()) return bad({}, why);
    return {};
  }
  if (text_separator != ' ' && text_separator != ',' && text_separator != ';' && text_separator != '\t')
    return bad({"framing.separator"}, "text_separator must be a space, ',', ';' or a tab");
  if ((framing == MatrixFraming::text_lines) != (value_type == ValueType::ascii))
    return bad({"framing.type", "values.type"}, "text_lines framing goes with ascii values, and only with them");
  if (min_raw > max_raw) return bad({"values.min_raw", "values.max_raw"}, "min_raw > max_raw");
  if (max_raw > type_max(value_type)) return bad({"values.max_raw", "values.type"}, "max_raw does not fit the value type");
  if (!(calibration.kpa_per_count > 0) || !std::isfinite(calibration.kpa_per_count) ||
      !std::isfinite(calibration.zero_counts))
    return bad({"calibration.kpa_per_count", "calibration.zero_counts"}, "calibration kpa_per_count must be positive and finite");
  if (framing != MatrixFraming::header &&
      (foot_byte || checksum != MatrixChecksum::none || trailer_bytes != 0 || reject_embedded_sync)) {
    std::vector<std::string> set = {"framing.type"};
    if (foot_byte) set.push_back("framing.foot_byte");
    if (trailer_bytes != 0) set.push_back("framing.trailer_bytes");
    if (checksum != MatrixChecksum::none) set.push_back("framing.checksum");
    if (reject_embedded_sync) set.push_back("framing.reject_embedded_sync");
    return bad(set, "foot byte, trailer, checksum and embedded-sync rejection need header framing");
  }
  if (framing == MatrixFraming::header && (sync.empty() || sync.size() > 8))
    return bad({"framing.sync"}, "header framing needs 1..8 sync bytes");
  if (framing == MatrixFraming::header && trailer_bytes > 64) return bad({"framing.trailer_bytes"}, "trailer over 64 bytes");
  if (framing != MatrixFraming::header && (length.size != 0 || !after_length.empty()))
    return bad(length.size != 0 ? std::vector<std::string>{"framing.type", "framing.length"}
                                : std::vector<std::string>{"framing.type", "framing.after_length"},
               "a length field (and after_length) needs header framing");
  if (length.size > 2) return bad({"framing.length.size"}, "a length field has 1 or 2 bytes, not " + std::to_string(length.size));
  if (!after_length.empty() && length.size == 0)
    return bad({"framing.after_length", "framing.length"}, "after_length needs a length field (constant bytes before the values belong to sync)");
  if (after_length.size() > 8) return bad({"framing.after_length"}, "after_length over 8 bytes");
  if (length.size != 0) {
    if (length.adjust < -65535 || length.adjust > 65535)
      return bad({"framing.length.adjust"}, "length adjust must be between -65535 and 65535");
    const long want = expected_length();
    const long most = length.size == 1 ? 0xFF : 0xFFFF;
    if (want < 0 || want > most) {
      // What the field counts follows from the grid and, counted in bytes, from the value type
      // and the trailer: those fields are named too. (A count of frame bytes also includes the
      // sync, length, after_length, foot and checksum bytes, which the message does not list.)
      std::vector<std::string> fields = {"framing.length.size", "framing.length.counts"};
      if (length.adjust != 0) fields.push_back("framing.length.adjust");
      fields.insert(fields.end(), {"layout.rows", "layout.cols"});
      if (length.counts != LengthCounts::values) fields.push_back("values.type");
      if (length.counts != LengthCounts::values && trailer_bytes != 0) fields.push_back("framing.trailer_bytes");
      const char* unit = length.counts == LengthCounts::values    ? " values"
                         : length.counts == LengthCounts::payload ? " payload bytes"
                                                                  : " frame bytes";
      return bad(fields, "the " + std::to_string(length.size) + "-byte length field cannot hold " + std::to_string(want) +
                             " (" + std::to_string(want - length.adjust) + unit + " for the " + std::to_string(rows) +
                             " x " + std::to_string(cols) + " grid" +
                             (length.adjust != 0 ? ", adjusted by " + std::to_string(length.adjust) : std::string()) +
                             "); it must be 0.." + std::to_string(most));
    }
  }
  if (framing == MatrixFraming::poll_raw && poll_request.empty())
    return bad({"framing.poll_request"}, "poll_raw framing needs a poll request");
  if (framing == MatrixFraming::zero_run && (value_type != ValueType::u8 || max_raw > 254))
    return bad({"framing.type", "values.type", "values.max_raw"}, "zero_run framing carries u8 values 0..254");
  if (tile_rows != 0 || tile_cols != 0) {
    if (sensor_set) return bad({"values.tiles", "layout.kind"}, "tiles divide a grid; a sensor set is in wire order");
    if (tile_rows < 1 || tile_cols < 1 || rows % tile_rows != 0 || cols % tile_cols != 0)
      return bad({"values.tiles", "layout.rows", "layout.cols"},
                 "tiles of " + std::to_string(tile_rows) + " x " + std::to_string(tile_cols) + " cells do not divide the " +
                     std::to_string(rows) + " x " + std::to_string(cols) + " grid");
    if (framing == MatrixFraming::column_messages)
      return bad({"values.tiles", "framing.type"}, "column_messages sends whole columns, not tiles");
  }
  if (framing == MatrixFraming::column_messages) {
    if (sync.size() != 1) return bad({"framing.sync"}, "column_messages needs a one-byte start marker");
    if (value_width() != 2) return bad({"values.type"}, "column_messages carries 16-bit values");
    if (order != ScanOrder::col_major) return bad({"values.order"}, "column_messages is column-major");
    if (rows > 255 || cols > 256) return bad({"layout.rows", "layout.cols"}, "column_messages allows at most 255 rows, 256 columns");
  }
  if (transform == RawTransform::sensingtex12 && max_raw > 0xFFFF)
    return bad({"values.transform", "values.type", "values.max_raw"}, "sensingtex12 transform needs 16-bit values");
  if (configure_length != 0 && configure_length < 2) return bad({"commands.configure_length"}, "configure command too short");
  if (positions.size() != 0) {
    if (!sensor_set) return bad({"layout.kind", "layout.positions"}, "sensor positions need a sensor set (a grid has a pitch)");
    if (positions.rows() != rows)
      return bad({"layout.count", "layout.positions"}, std::to_string(positions.rows()) + " sensor positions for " + std::to_string(rows) + " sensors");
    for (Eigen::Index i = 0; i < positions.rows(); ++i)
      if (const std::string why = sensor_position_problem(positions(i, 0), positions(i, 1), positions(i, 2)); !why.empty())
        return bad({"layout.positions"}, "sensor " + std::to_string(i) + ": " + why);
  }
  if (grams_per_cell && (positions.size() == 0 || units != PressureUnits::kpa))
    return bad({"calibration.from", "layout.kind", "layout.positions"}, "grams per cell become kPa through the cells' areas: give the sensor positions and areas, and units kPa");
  return {};
}

namespace {

// kPa per raw unit for a sensel: the stated linear factor, or for grams on a cell g0 / area
// (1 g on 1 mm^2 is 9.80665 kPa).
double kpa_per_raw(const MatrixCodecConfig& c, int sensel) {
  if (c.grams_per_cell) return kStandardGravityMs2 / c.positions(sensel, 2);
  return c.calibration.kpa_per_count;
}

}  // namespace

float MatrixCodecConfig::to_kpa(double raw, int sensel) const {
  double x = raw;
  switch (transform) {
    case RawTransform::none: break;
    case RawTransform::invert: x = double(max_raw) - raw; break;
    case RawTransform::sensingtex12: {
      const long r = std::lround(raw);
      x = std::fabs(double(r & 0x0FFF) - 4095.0);
      break;
    }
  }
  return static_cast<float>(std::max(0.0, x - calibration.zero_counts) * kpa_per_raw(*this, sensel));
}

std::uint32_t MatrixCodecConfig::to_raw(float kpa, int sensel) const {
  const double p = std::isfinite(kpa) && kpa > 0 ? double(kpa) : 0.0;
  const double x = std::round(p / kpa_per_raw(*this, sensel) + calibration.zero_counts);
  double raw = x;
  switch (transform) {
    case RawTransform::none: break;
    case RawTransform::invert: raw = double(max_raw) - x; break;
    case RawTransform::sensingtex12: raw = 4095.0 - std::clamp(x, 0.0, 4095.0); break;
  }
  return static_cast<std::uint32_t>(std::clamp(raw, double(min_raw), double(max_raw)));
}

std::size_t MatrixCodecConfig::checksum_width() const {
  switch (checksum) {
    case MatrixChecksum::none: return 0;
    case MatrixChecksum::sum8_all:
    case MatrixChecksum::sum8_payload: return 1;
    case MatrixChecksum::sum16le_all: return 2;
  }
  return 0;
}

std::size_t MatrixCodecConfig::header_bytes() const {
  return sync.size() + (foot_byte ? 1 : 0) + length.size + after_length.size();
}

std::size_t MatrixCodecConfig::frame_bytes() const {
  return header_bytes() + std::size_t(cells()) * value_width() + trailer_bytes + checksum_width();
}

long MatrixCodecConfig::expected_length() const {
  long count = 0;
  switch (length.counts) {
    case LengthCounts::values: count = cells(); break;
    case LengthCounts::payload: count = long(std::size_t(cells()) * value_width() + trailer_bytes); break;
    case LengthCounts::frame: count = long(frame_bytes()); break;
  }
  return count + length.adjust;
}

int MatrixCodecConfig::sensel_index(int k) const {
  if (tile_rows == 0) {
    if (order == ScanOrder::row_major) return k;
    const int r = k % rows, c = k / rows;  // column-major: the outer loop walks columns
    return r * cols + c;
  }
  // Tile t of the frame, cell w within it; the tiles form an across x down grid of tiles.
  const int per_tile = tile_rows * tile_cols, t = k / per_tile, w = k % per_tile;
  const int across = cols / tile_cols, down = rows / tile_rows;
  const int tr = tile_order == ScanOrder::row_major ? t / across : t % down;
  const int tc = tile_order == ScanOrder::row_major ? t % across : t / down;
  const int r = order == ScanOrder::row_major ? w / tile_cols : w % tile_rows;
  const int c = order == ScanOrder::row_major ? w % tile_cols : w / tile_rows;
  return (tr * tile_rows + r) * cols + tc * tile_cols + c;
}

// ---------------------------------------------------------------------------------------------
// Decoder

MatrixDecoder::MatrixDecoder(MatrixCodecConfig config) : config_(std::move(config)) {
  if (auto st = config_.validate(); !st) throw std::invalid_argument(st.error().message);
  if (config_.codec != DeviceCodec::matrix)
    throw std::invalid_argument("MatrixDecoder: '" + config_.name + "' is run by a built-in codec, not the matrix codec");
  frame_bytes_ = config_.frame_bytes();
  expected_length_ = config_.length.size != 0 ? config_.expected_length() : 0;
  reset();
}

void MatrixDecoder::reset() {
  buf_.clear();
  pos_ = 0;
  discarding_ = false;
  skipping_line_ = false;
  values_.assign(config_.framing == MatrixFraming::column_messages ? config_.cells() : 0, 0.0);
  if (config_.framing == MatrixFraming::zero_run) values_.reserve(config_.cells());
  seen_.assign(config_.framing == MatrixFraming::column_messages ? config_.cols : 0, false);
  seen_count_ = 0;
  zero_marker_ = false;
  overrun_ = false;
  next_sequence_.assign(config_.stream_count(), 0);
  stats_ = DecoderStats{};
}

void MatrixDecoder::discard(std::size_t n) {
  if (n == 0) return;
  stats_.garbage_bytes += n;
  if (!discarding_) {
    ++stats_.resyncs;
    discarding_ = true;
  }
}

double MatrixDecoder::read_value(const std::uint8_t* p) const {
  switch (config_.value_type) {
    case ValueType::u8: return p[0];
    case ValueType::u16le: return p[0] | (p[1] << 8);
    case ValueType::u16be: return (p[0] << 8) | p[1];
    case ValueType::i16le: return static_cast<std::int16_t>(p[0] | (p[1] << 8));
    case ValueType::ascii: break;
  }
  return 0;
}

void MatrixDecoder::emit(std::size_t stream, const std::vector<double>& wire,
                         std::vector<PressureFrame>& out) {
  PressureFrame f;
  f.stream = stream;
  f.sequence = next_sequence_[stream]++;
  f.pressure_kpa.resize(config_.cells());
  for (int k = 0; k < config_.cells(); ++k)
    f.pressure_kpa(config_.sensel_index(k)) = config_.to_kpa(wire[std::size_t(k)], config_.sensel_index(k));
  ++stats_.frames;
  in_sync();
  out.push_back(std::move(f));
}

void MatrixDecoder::on_request_sent() {
  if (config_.framing != MatrixFraming::poll_raw) return;
  // Whatever came before the request and is not a whole frame (a boot banner, the tail of a
  // late reply) cannot belong to the reply: drop it so the reply starts aligned.
  discard(buf_.size());
  buf_.clear();
}

void MatrixDecoder::feed(std::span<const std::uint8_t> bytes, std::vector<PressureFrame>& out) {
  stats_.bytes += bytes.size();
  const std::size_t cells = std::size_t(config_.cells());
  switch (config_.framing) {
    case MatrixFraming::text_lines: {
      // Longest plausible line: every value with 24 characters, plus room for a prefix.
      const std::size_t max_line = cells * 24 + 256;
      for (std::uint8_t b : bytes) {
        if (skipping_line_) {
          discard(1);
          if (b == '\n') skipping_line_ = false;
          continue;
        }
        if (b == '\n') {
          end_text_line(out);
          continue;
        }
        buf_.push_back(b);
        if (buf_.size() > max_line) {
          discard(buf_.size());
          buf_.clear();
          skipping_line_ = true;
        }
      }
      break;
    }
    case MatrixFraming::poll_raw: {
      const std::size_t n = cells * config_.value_width();
      std::size_t i = 0;
      while (i < bytes.size()) {
        const std::size_t take = std::min(n - buf_.size(), bytes.size() - i);
        buf_.insert(buf_.end(), bytes.begin() + std::ptrdiff_t(i), bytes.begin() + std::ptrdiff_t(i + take));
        i += take;
        if (buf_.size() == n) {
          std::vector<double> wire(cells);
          for (std::size_t k = 0; k < cells; ++k) wire[k] = read_value(&buf_[k * config_.value_width()]);
          buf_.clear();
          emit(0, wire, out);
        }
      }
      break;
    }
    case MatrixFraming::cobs:
    case MatrixFraming::slip: {
      // Delimited packets: COBS ends each with 00, SLIP with C0. An undelimited run longer than
      // the largest encoding of a frame is garbage up to the next delimiter.
      const bool cobs = config_.framing == MatrixFraming::cobs;
      const std::uint8_t delimiter = cobs ? 0x00 : kSlipEnd;
      const std::size_t decoded = cells * config_.value_width();
      const std::size_t max_packet = cobs ? decoded + decoded / 254 + 2 : 2 * decoded;
      for (std::uint8_t b : bytes) {
        if (skipping_line_) {
          discard(1);
          if (b == delimiter) skipping_line_ = false;
          continue;
        }
        if (b == delimiter) {
          end_packet(out);
          continue;
        }
        buf_.push_back(b);
        if (buf_.size() > max_packet) {
          discard(buf_.size());
          buf_.clear();
          skipping_line_ = true;
        }
      }
      break;
    }
    case MatrixFraming::zero_run: {
      for (std::uint8_t b : bytes) {
        if (zero_marker_) {
          zero_marker_ = false;
          if (b == 0xFF) {  // "0x00" must be followed by a count 0..254
            ++stats_.malformed_frames;
            values_.clear();
            overrun_ = false;
            continue;
          }
          if (values_.size() + b > cells) {
            overrun_ = true;
            values_.resize(cells, 0.0);
          } else {
            values_.insert(values_.end(), b, 0.0);
          }
        } else if (b == 0x00) {
          zero_marker_ = true;
        } else if (b == 0xFF) {
          if (overrun_) {
            ++stats_.malformed_frames;
          } else if (values_.size() == cells) {
            emit(0, values_, out);
          } else if (!values_.empty()) {
            ++stats_.truncated_frames;
          }
          values_.clear();
          overrun_ = false;
        } else if (values_.size() == cells) {
          overrun_ = true;
        } else {
          values_.push_back(b);
        }
      }
      break;
    }
    case MatrixFraming::header:
      buf_.insert(buf_.end(), bytes.begin(), bytes.end());
      parse_header(out);
      break;
    case MatrixFraming::column_messages:
      buf_.insert(buf_.end(), bytes.begin(), bytes.end());
      parse_columns(out);
      break;
  }
  if (config_.framing == MatrixFraming::header || config_.framing == MatrixFraming::column_messages) {
    if (pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    } else if (pos_ > 4096) {
      buf_.erase(buf_.begin(), buf_.begin() + std::ptrdiff_t(pos_));
      pos_ = 0;
    }
  }
}

void MatrixDecoder::end_text_line(std::vector<PressureFrame>& out) {
  const std::size_t line_bytes = buf_.size() + 1;  // with the '\n'
  std::vector<double> wire;
  bool numeric = true, finite = true;
  std::size_t i = 0;
  const char* s = reinterpret_cast<const char*>(buf_.data());
  const std::size_t n = buf_.size();
  while (i < n) {
    while (i < n && is_separator(s[i])) ++i;
    if (i == n) break;
    std::size_t j = i;
    while (j < n && !is_separator(s[j])) ++j;
    double v = 0;
    const char* first = s + i;
    if (*first == '+') ++first;  // from_chars rejects a leading '+'
    auto [end, ec] = std::from_chars(first, s + j, v);
    if (ec != std::errc{} || end != s + j) {
      numeric = false;
      break;
    }
    if (!std::isfinite(v)) finite = false;
    wire.push_back(v);
    i = j;
  }
  buf_.clear();
  if (wire.empty() && numeric) return;  // blank line (or separators only): nothing to count
  if (!numeric) {
    discard(line_bytes);  // banner or debug text
    return;
  }
  const std::size_t cells = std::size_t(config_.cells());
  if (!finite || wire.size() > cells) {
    ++stats_.malformed_frames;
  } else if (wire.size() < cells) {
    ++stats_.truncated_frames;
  } else {
    emit(0, wire, out);
  }
}

void MatrixDecoder::end_packet(std::vector<PressureFrame>& out) {
  if (buf_.empty()) return;  // consecutive delimiters
  auto data = config_.framing == MatrixFraming::cobs ? cobs_decode(buf_) : slip_decode(buf_);
  buf_.clear();
  const std::size_t want = std::size_t(config_.cells()) * config_.value_width();
  if (!data || data->size() > want) {
    ++stats_.malformed_frames;
    return;
  }
  if (data->size() < want) {
    ++stats_.truncated_frames;
    return;
  }
  std::vector<double> wire(std::size_t(config_.cells()));
  for (std::size_t k = 0; k < wire.size(); ++k) wire[k] = read_value(&(*data)[k * config_.value_width()]);
  emit(0, wire, out);
}

void MatrixDecoder::parse_header(std::vector<PressureFrame>& out) {
  const std::vector<std::uint8_t>& sync = config_.sync;
  const std::size_t S = sync.size();
  while (pos_ < buf_.size()) {
    const std::size_t avail = buf_.size() - pos_;
    const std::uint8_t* p = &buf_[pos_];
    const std::size_t k = std::min(avail, S);
    if (std::memcmp(p, sync.data(), k) != 0) {
      discard(1);
      ++pos_;
      continue;
    }
    if (avail < S) return;
    std::size_t stream = 0;
    if (config_.foot_byte) {
      if (avail < S + 1) return;
      if (p[S] != 0x01 && p[S] != 0x02) {
        discard(1);
        ++pos_;
        continue;
      }
      stream = p[S] - 1u;
    }
    if (config_.length.size != 0) {
      // The length field is read as soon as it is here: one that disagrees with the grid is
      // refused before waiting for the bytes it claims.
      const std::size_t at = S + (config_.foot_byte ? 1 : 0);
      const std::size_t n = config_.length.size;
      if (avail < at + n) return;
      const long claimed = n == 1 ? long(p[at])
                           : config_.length.big_endian ? long((p[at] << 8) | p[at + 1])
                                                       : long(p[at] | (p[at + 1] << 8));
      if (claimed != expected_length_) {
        ++stats_.malformed_frames;
        discard(1);
        ++pos_;
        continue;
      }
      const std::vector<std::uint8_t>& tail = config_.after_length;
      const std::size_t got = std::min(avail - (at + n), tail.size());
      if (got != 0 && std::memcmp(p + at + n, tail.data(), got) != 0) {  // no null pointer to memcmp
        discard(1);
        ++pos_;
        continue;
      }
    }
    if (avail < frame_bytes_) return;
    const std::size_t values_at = config_.header_bytes();
    const std::size_t values_len = std::size_t(config_.cells()) * config_.value_width();
    if (config_.checksum != MatrixChecksum::none) {
      const std::size_t from = config_.checksum == MatrixChecksum::sum8_payload ? values_at : 0;
      const std::size_t to = values_at + values_len + config_.trailer_bytes;
      const bool ok = config_.checksum == MatrixChecksum::sum16le_all
                          ? sum16({p + from, to - from}) == (p[to] | (p[to + 1] << 8))
                          : sum8({p + from, to - from}) == p[to];
      if (!ok) {
        ++stats_.checksum_errors;
        discard(1);
        ++pos_;
        continue;
      }
    } else if (config_.reject_embedded_sync) {
      const auto it = std::search(p + 1, p + frame_bytes_, sync.begin(), sync.end());
      if (it != p + frame_bytes_) {
        // The next frame started before this one was complete.
        ++stats_.truncated_frames;
        const std::size_t skip = std::size_t(it - p);
        discard(skip);
        pos_ += skip;
        continue;
      }
    }
    std::vector<double> wire(std::size_t(config_.cells()));
    for (std::size_t i = 0; i < wire.size(); ++i)
      wire[i] = read_value(p + values_at + i * config_.value_width());
    pos_ += frame_bytes_;
    emit(stream, wire, out);
  }
}

void MatrixDecoder::parse_columns(std::vector<PressureFrame>& out) {
  const std::uint8_t start = config_.sync[0];
  const std::size_t rows = std::size_t(config_.rows);
  const std::size_t msg = 3 + 2 * rows + 1;
  while (pos_ < buf_.size()) {
    const std::size_t avail = buf_.size() - pos_;
    const std::uint8_t* p = &buf_[pos_];
    if (p[0] != start) {
      discard(1);
      ++pos_;
      continue;
    }
    if (avail >= 2 && p[1] != rows) {
      discard(1);
      ++pos_;
      continue;
    }
    if (avail >= 3 && p[2] >= config_.cols) {
      discard(1);
      ++pos_;
      continue;
    }
    if (avail < msg) return;
    if (p[msg - 1] != config_.terminator) {
      // Length-based read, then the terminator check (a 'M' or '\n' may sit inside the values).
      ++stats_.truncated_frames;
      discard(1);
      ++pos_;
      continue;
    }
    const std::size_t col = p[2];
    if (seen_[col]) {
      // A column came again before the frame was complete: the frame lost a message.
      ++stats_.truncated_frames;
      std::fill(seen_.begin(), seen_.end(), false);
      seen_count_ = 0;
    }
    for (std::size_t r = 0; r < rows; ++r) values_[col * rows + r] = read_value(p + 3 + 2 * r);
    seen_[col] = true;
    ++seen_count_;
    pos_ += msg;
    in_sync();
    if (seen_count_ == std::size_t(config_.cols)) {
      emit(0, values_, out);
      std::fill(seen_.begin(), seen_.end(), false);
      seen_count_ = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Device model

MatrixDeviceModel::MatrixDeviceModel(MatrixCodecConfig config) : config_(std::move(config)) {
  if (auto st = config_.validate(); !st) throw std::invalid_argument(st.error().message);
  if (config_.codec != DeviceCodec::matrix)
    throw std::invalid_argument("MatrixDeviceModel: '" + config_.name + "' is run by a built-in codec, not the matrix codec");
}

std::vector<std::uint8_t> MatrixDeviceModel::boot_bytes() const {
  return {config_.boot_banner.begin(), config_.boot_banner.end()};
}

bool MatrixDeviceModel::streaming() const {
  if (config_.framing == MatrixFraming::poll_raw) return pending_polls_ > 0;
  if (config_.start_command.empty()) return true;
  return started_;
}

void MatrixDeviceModel::on_host_bytes(std::span<const std::uint8_t> bytes,
                                      std::vector<std::uint8_t>& /*reply*/) {
  in_.insert(in_.end(), bytes.begin(), bytes.end());
  std::size_t pos = 0;
  // Returns 1 when `cmd` matches at pos, 0 when it might once more bytes come, -1 otherwise.
  auto match = [&](const std::vector<std::uint8_t>& cmd) {
    if (cmd.empty()) return -1;
    const std::size_t avail = in_.size() - pos;
    const std::size_t k = std::min(avail, cmd.size());
    if (!std::equal(cmd.begin(), cmd.begin() + std::ptrdiff_t(k), in_.begin() + std::ptrdiff_t(pos)))
      return -1;
    return k == cmd.size() ? 1 : 0;
  };
  while (pos < in_.size()) {
    bool wait = false;
    if (config_.framing == MatrixFraming::poll_raw) {
      const int m = match(config_.poll_request);
      if (m == 1) {
        ++pending_polls_;
        pos += config_.poll_request.size();
        continue;
      }
      wait = wait || m == 0;
    }
    if (int m = match(config_.start_command); m == 1) {
      started_ = true;
      pos += config_.start_command.size();
      continue;
    } else {
      wait = wait || m == 0;
    }
    if (int m = match(config_.stop_command); m == 1) {
      started_ = false;
      pos += config_.stop_command.size();
      continue;
    } else {
      wait = wait || m == 0;
    }
    if (config_.configure_length > 0 && in_[pos] == config_.configure_prefix) {
      if (in_.size() - pos < config_.configure_length) break;
      last_configure_.assign(in_.begin() + std::ptrdiff_t(pos),
                             in_.begin() + std::ptrdiff_t(pos + config_.configure_length));
      pos += config_.configure_length;
      continue;
    }
    if (wait) break;
    ++pos;  // not a command this device knows
  }
  in_.erase(in_.begin(), in_.begin() + std::ptrdiff_t(pos));
}

void MatrixDeviceModel::encode_frame(const PressureFrame& frame, std::vector<std::uint8_t>& out) {
  if (!streaming()) throw std::logic_error("MatrixDeviceModel::encode_frame while not streaming");
  if (frame.stream >= config_.stream_count())
    throw std::invalid_argument("MatrixDeviceModel: stream index out of range");
  if (frame.pressure_kpa.size() != config_.cells())
    throw std::invalid_argument("MatrixDeviceModel: frame has " +
                                std::to_string(frame.pressure_kpa.size()) + " values, expected " +
                                std::to_string(config_.cells()));
  const std::size_t cells = std::size_t(config_.cells());
  std::vector<std::uint32_t> raw(cells);
  for (std::size_t k = 0; k < cells; ++k)
    raw[k] = config_.to_raw(frame.pressure_kpa(config_.sensel_index(int(k))), config_.sensel_index(int(k)));
  auto put = [this](std::vector<std::uint8_t>& o, std::uint32_t v) {
    switch (config_.value_type) {
      case ValueType::u8: o.push_back(std::uint8_t(v)); break;
      case ValueType::u16le:
      case ValueType::i16le:
        o.push_back(std::uint8_t(v & 0xFF));
        o.push_back(std::uint8_t(v >> 8));
        break;
      case ValueType::u16be:
        o.push_back(std::uint8_t(v >> 8));
        o.push_back(std::uint8_t(v & 0xFF));
        break;
      case ValueType::ascii: break;
    }
  };
  switch (config_.framing) {
    case MatrixFraming::text_lines: {
      for (std::size_t k = 0; k < cells; ++k) {
        if (k) out.push_back(static_cast<std::uint8_t>(config_.text_separator));
        const std::string s = std::to_string(raw[k]);
        out.insert(out.end(), s.begin(), s.end());
      }
      out.push_back('\r');  // Arduino println ends lines with CR LF
      out.push_back('\n');
      break;
    }
    case MatrixFraming::poll_raw:
      for (std::uint32_t v : raw) put(out, v);
      --pending_polls_;
      break;
    case MatrixFraming::header: {
      const std::size_t start = out.size();
      out.insert(out.end(), config_.sync.begin(), config_.sync.end());
      if (config_.foot_byte) out.push_back(std::uint8_t(frame.stream + 1));
      if (config_.length.size != 0) {
        const auto v = static_cast<std::uint16_t>(config_.expected_length());  // validated to fit
        if (config_.length.size == 1) {
          out.push_back(std::uint8_t(v));
        } else if (config_.length.big_endian) {
          out.push_back(std::uint8_t(v >> 8));
          out.push_back(std::uint8_t(v & 0xFF));
        } else {
          out.push_back(std::uint8_t(v & 0xFF));
          out.push_back(std::uint8_t(v >> 8));
        }
        out.insert(out.end(), config_.after_length.begin(), config_.after_length.end());
      }
      const std::size_t values_at = out.size();
      for (std::uint32_t v : raw) put(out, v);
      out.insert(out.end(), config_.trailer_bytes, 0);  // trailer meaning unknown: zeros
      if (config_.checksum != MatrixChecksum::none) {
        const std::size_t from =
            config_.checksum == MatrixChecksum::sum8_payload ? values_at : start;
        const std::span<const std::uint8_t> covered{out.data() + from, out.size() - from};
        if (config_.checksum == MatrixChecksum::sum16le_all) {
          const std::uint16_t sum = sum16(covered);
          out.push_back(std::uint8_t(sum & 0xFF));
          out.push_back(std::uint8_t(sum >> 8));
        } else {
          out.push_back(sum8(covered));
        }
      }
      break;
    }
    case MatrixFraming::cobs: {
      std::vector<std::uint8_t> data;
      for (std::uint32_t v : raw) put(data, v);
      const auto enc = cobs_encode(data);
      out.insert(out.end(), enc.begin(), enc.end());
      out.push_back(0x00);
      break;
    }
    case MatrixFraming::slip: {
      std::vector<std::uint8_t> data;
      for (std::uint32_t v : raw) put(data, v);
      const auto enc = slip_encode(data);
      out.insert(out.end(), enc.begin(), enc.end());
      out.push_back(kSlipEnd);
      break;
    }
    case MatrixFraming::zero_run: {
      std::size_t k = 0;
      while (k < cells) {
        if (raw[k] == 0) {
          std::size_t run = 0;
          while (k + run < cells && raw[k + run] == 0 && run < 254) ++run;
          out.push_back(0x00);
          out.push_back(std::uint8_t(run));
          k += run;
        } else {
          out.push_back(std::uint8_t(raw[k]));
          ++k;
        }
      }
      out.push_back(0xFF);
      break;
    }
    case MatrixFraming::column_messages: {
      const std::size_t rows = std::size_t(config_.rows);
      for (int c = 0; c < config_.cols; ++c) {
        out.push_back(config_.sync[0]);
        out.push_back(std::uint8_t(rows));
        out.push_back(std::uint8_t(c));
        for (std::size_t r = 0; r < rows; ++r) put(out, raw[std::size_t(c) * rows + r]);
        out.push_back(config_.terminator);
      }
      break;
    }
  }
}

std::vector<std::uint8_t> sensingtex_configure(int rows_per_column, int columns, double rate_hz) {
  if (rows_per_column < 1 || rows_per_column > 255 || columns < 1 || columns > 255)
    throw std::invalid_argument("sensingtex_configure: rows and columns must be 1..255");
  if (!(rate_hz >= 1.0 && rate_hz <= 25.5))
    throw std::invalid_argument("sensingtex_configure: rate must be 1.0..25.5 Hz");
  return {'C', std::uint8_t(rows_per_column), std::uint8_t(columns), 0x00,
          std::uint8_t(std::lround(rate_hz * 10)), '\r'};
}

}  // namespace insole::drivers
