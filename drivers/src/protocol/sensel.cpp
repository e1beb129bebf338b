#include "insole/drivers/protocol/sensel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "insole/drivers/protocol/framing.hpp"

namespace insole::drivers::sensel {

namespace {

constexpr double kStandardGravity = 9.80665;  // m/s^2, grams-force -> newtons
constexpr std::uint32_t kMaxVarint = 0x7FFF;  // (b & 0x7f) | (next << 7), next a full byte
constexpr double kNominalRateHz = 125.0;       // emulator pacing; the Morph's rate depends on detail

std::uint16_t le16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::int16_t le16s(const std::uint8_t* p) { return static_cast<std::int16_t>(le16(p)); }
std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
void put16(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
  out.push_back(static_cast<std::uint8_t>((v >> 8) & 0xFF));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}
void put_varint(std::vector<std::uint8_t>& out, std::uint32_t v) {
  if (v > kMaxVarint) throw std::invalid_argument("sensel varint out of range");
  if (v < 0x80) {
    out.push_back(static_cast<std::uint8_t>(v));
  } else {
    out.push_back(static_cast<std::uint8_t>(0x80 | (v & 0x7F)));
    out.push_back(static_cast<std::uint8_t>(v >> 7));
  }
}
std::string printable(std::span<const std::uint8_t> bytes) {
  std::string s;
  for (std::uint8_t b : bytes) {
    if (b == 0) break;
    s.push_back(b >= 0x20 && b < 0x7F ? static_cast<char>(b) : '?');
  }
  return s;
}
std::uint16_t clamp_u16(double v) {
  if (!(v > 0)) return 0;
  return static_cast<std::uint16_t>(std::min(std::lround(v), 65535L));
}
std::int16_t clamp_i16(double v) {
  if (!std::isfinite(v)) return 0;
  return static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L));
}
std::size_t contact_size(std::uint8_t fields) {
  return 10 + ((fields & 1) ? 6 : 0) + ((fields & 2) ? 8 : 0) + ((fields & 4) ? 8 : 0) +
         ((fields & 8) ? 6 : 0);
}
std::size_t cells_of(const CompressionMeta& m) {
  return static_cast<std::size_t>(m.cols) * static_cast<std::size_t>(m.rows);
}

}  // namespace

std::array<std::uint8_t, 6> CompressionMeta::bytes() const {
  return {0, 0, static_cast<std::uint8_t>(cols), static_cast<std::uint8_t>(rows),
          static_cast<std::uint8_t>(col_scale), static_cast<std::uint8_t>(row_scale)};
}

std::optional<CompressionMeta> CompressionMeta::parse(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 6) return std::nullopt;
  CompressionMeta m{bytes[2], bytes[3], bytes[4], bytes[5]};
  if (m.cols == 0 || m.rows == 0 || m.col_scale == 0 || m.row_scale == 0) return std::nullopt;
  return m;
}

CompressionMeta CompressionMeta::for_detail(Detail detail) {
  switch (detail) {
    case Detail::high: return {93, 53, 2, 2};
    case Detail::medium: return {47, 27, 4, 4};
    case Detail::low: return {24, 14, 8, 8};  // GUESS: (24-1)*8+1 = 185, (14-1)*8+1 = 105
  }
  return {};
}

double grams_per_sensel_to_kpa(double force_g, const SensorGeometry& g) {
  const double area_mm2 = g.col_pitch_mm() * g.row_pitch_mm();
  return force_g * 1e-3 * kStandardGravity / area_mm2 * 1e3;
}

double kpa_to_grams_per_sensel(double pressure_kpa, const SensorGeometry& g) {
  const double area_mm2 = g.col_pitch_mm() * g.row_pitch_mm();
  return pressure_kpa * 1e-3 * area_mm2 / (1e-3 * kStandardGravity);
}

std::optional<std::vector<std::uint32_t>> decompress_pressure(std::span<const std::uint8_t> body,
                                                              std::size_t cells,
                                                              std::size_t* consumed) {
  std::size_t i = 0;
  auto next = [&](std::uint32_t& v) {
    if (i >= body.size()) return false;
    const std::uint8_t b = body[i++];
    if (!(b & 0x80)) {
      v = b;
      return true;
    }
    if (i >= body.size()) return false;
    v = (b & 0x7Fu) | (static_cast<std::uint32_t>(body[i++]) << 7);
    return true;
  };
  std::uint32_t base = 0;
  if (!next(base)) return std::nullopt;
  std::vector<std::uint32_t> values;
  values.reserve(cells);
  bool zero_run = true;
  while (values.size() < cells) {
    std::uint32_t v = 0;
    if (!next(v)) return std::nullopt;
    if (zero_run) {
      if (v > cells - values.size()) return std::nullopt;
      values.insert(values.end(), v, 0u);
      zero_run = false;
    } else if (v == 0) {
      zero_run = true;
    } else {
      values.push_back(base + v);
    }
  }
  if (consumed) *consumed = i;
  return values;
}

std::vector<std::uint8_t> compress_pressure(std::span<const std::uint32_t> values) {
  std::uint32_t min_nonzero = 0;
  for (std::uint32_t v : values)
    if (v != 0 && (min_nonzero == 0 || v < min_nonzero)) min_nonzero = v;
  const std::uint32_t base = min_nonzero == 0 ? 0 : min_nonzero - 1;
  std::vector<std::uint8_t> out;
  put_varint(out, base);
  bool zero_run = true;
  std::size_t i = 0;
  while (i < values.size()) {
    if (zero_run) {
      std::size_t run = 0;
      while (i + run < values.size() && values[i + run] == 0 && run < kMaxVarint) ++run;
      put_varint(out, static_cast<std::uint32_t>(run));
      i += run;
      zero_run = false;
    } else if (values[i] == 0) {
      put_varint(out, 0);
      zero_run = true;
    } else {
      if (values[i] - base > kMaxVarint)
        throw std::invalid_argument("sensel pressure value range exceeds 15 bits");
      put_varint(out, values[i] - base);
      ++i;
    }
  }
  return out;
}

std::optional<Frame> parse_frame(std::span<const std::uint8_t> p, const CompressionMeta& meta,
                                 const UnitShifts& shifts, const SensorGeometry& geometry) {
  if (p.size() < 6) return std::nullopt;
  Frame f;
  f.content_mask = p[0];
  f.counter = p[1];
  f.timestamp = le32(&p[2]);
  std::size_t off = 6;
  const double dims = std::ldexp(1.0, -shifts.dims), force = std::ldexp(1.0, -shifts.force),
               area = std::ldexp(1.0, -shifts.area), angle = std::ldexp(1.0, -shifts.angle);
  if (f.content_mask & kContentContacts) {
    if (p.size() - off < 2) return std::nullopt;
    const std::uint8_t fields = p[off];
    const std::size_t n = p[off + 1];
    off += 2;
    const std::size_t each = contact_size(fields);
    if ((p.size() - off) / each < n) return std::nullopt;
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint8_t* c = &p[off];
      Contact ct;
      ct.id = c[0];
      ct.state = c[1];
      ct.x_mm = le16(c + 2) * dims;
      ct.y_mm = le16(c + 4) * dims;
      ct.force_g = le16(c + 6) * force;
      ct.area_sensels = le16(c + 8) * area;
      std::size_t at = 10;
      if (fields & 1) {
        ct.ellipse = {{le16s(c + at) * angle, le16(c + at + 2) * dims, le16(c + at + 4) * dims}};
        at += 6;
      }
      if (fields & 2) {
        ct.delta = {{le16s(c + at) * dims, le16s(c + at + 2) * dims, le16s(c + at + 4) * force,
                     le16s(c + at + 6) * area}};
        at += 8;
      }
      if (fields & 4) {
        ct.bbox_mm = {{le16(c + at) * dims, le16(c + at + 2) * dims, le16(c + at + 4) * dims,
                       le16(c + at + 6) * dims}};
        at += 8;
      }
      if (fields & 8) {
        ct.peak = {{static_cast<double>(le16(c + at)), static_cast<double>(le16(c + at + 2)),
                    le16(c + at + 4) * force}};
        at += 6;
      }
      f.contacts.push_back(ct);
      off += each;
    }
  }
  if (f.content_mask & kContentAccel) {
    if (p.size() - off < 6) return std::nullopt;
    f.accel = {{le16s(&p[off]), le16s(&p[off + 2]), le16s(&p[off + 4])}};
    off += 6;
  }
  if (f.content_mask & kContentPressure) {
    // Labels, when enabled, follow the pressure body and are not decoded.
    auto values = decompress_pressure(p.subspan(off), cells_of(meta));
    if (!values) return std::nullopt;
    Eigen::VectorXf kpa(static_cast<Eigen::Index>(values->size()));
    for (std::size_t i = 0; i < values->size(); ++i)
      kpa(static_cast<Eigen::Index>(i)) =
          static_cast<float>(grams_per_sensel_to_kpa((*values)[i] * force, geometry));
    f.pressure_kpa = std::move(kpa);
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Decoder

SenselDecoder::SenselDecoder(Config config) : config_(config) {}

void SenselDecoder::reset() {
  buf_.clear();
  pos_ = 0;
  discarding_ = false;
  last_counter_.reset();
  sequence_ = 0;
  regs_.fill(0);
  known_.fill(false);
  facts_ = DeviceFacts{};
  stats_ = DecoderStats{};
  status_ = Status{};
}

CompressionMeta SenselDecoder::grid() const { return CompressionMeta::for_detail(config_.detail); }

void SenselDecoder::discard(std::size_t n) {
  stats_.garbage_bytes += n;
  if (!discarding_) {
    ++stats_.resyncs;
    discarding_ = true;
  }
  pos_ += n;
}

void SenselDecoder::feed(std::span<const std::uint8_t> bytes, std::vector<PressureFrame>& out) {
  std::vector<Frame> frames;
  feed_frames(bytes, frames);
  for (Frame& f : frames) {
    if (!f.pressure_kpa) continue;
    PressureFrame pf;
    pf.stream = 0;
    pf.sequence = f.sequence;
    pf.pressure_kpa = std::move(*f.pressure_kpa);
    out.push_back(std::move(pf));
  }
}

void SenselDecoder::feed_frames(std::span<const std::uint8_t> bytes, std::vector<Frame>& out) {
  stats_.bytes += bytes.size();
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  parse(out);
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 4096) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
}

void SenselDecoder::parse(std::vector<Frame>& out) {
  while (pos_ < buf_.size()) {
    const std::size_t avail = buf_.size() - pos_;
    const std::uint8_t* p = &buf_[pos_];
    const std::uint8_t kind = p[0];
    if (kind == kReadAck) {
      // 01 reg size_le16 payload sum8; fixed reads ask for 1..255 bytes of a 256-byte map.
      if (avail < 4) return;
      const std::size_t len = le16(p + 2);
      if (len == 0 || len > 255 || p[1] + len > 256) {
        discard(1);
        continue;
      }
      if (avail < 4 + len + 1) return;
      if (sum8({p + 4, len}) != p[4 + len]) {
        ++stats_.checksum_errors;
        discard(1);
        continue;
      }
      learn_fixed(p[1], {p + 4, len});
      ++stats_.replies;
      discarding_ = false;
      pos_ += 4 + len + 1;
    } else if (kind == kRvsAck || kind == kAsyncData) {
      // 03|09 reg 00 len_le16 payload sum8; async pushes only carry frames (register 0x26).
      if (avail >= 2 && kind == kAsyncData && p[1] != kRegReadFrame) {
        discard(1);
        continue;
      }
      if (avail >= 3 && p[2] != 0) {
        discard(1);
        continue;
      }
      if (avail < 5) return;
      const std::size_t len = le16(p + 3);
      const bool is_frame = p[1] == kRegReadFrame;
      if (is_frame ? (len < 6 || len > kMaxFramePayload) : (len > kMaxRegisterPayload)) {
        discard(1);
        continue;
      }
      if (avail < 5 + len + 1) return;
      if (sum8({p + 5, len}) != p[5 + len]) {
        ++stats_.checksum_errors;
        discard(1);
        continue;
      }
      const std::span<const std::uint8_t> payload{p + 5, len};
      if (kind == kRvsAck) ++stats_.replies;
      discarding_ = false;
      if (is_frame) {
        auto frame = parse_frame(payload, grid(), facts_.shifts, facts_.geometry);
        if (!frame) {
          ++stats_.malformed_frames;
        } else {
          // Lost frames from the 8-bit rolling counter: (cur - prev - 1) mod 256 (sensel.c).
          if (last_counter_) {
            const unsigned lost = static_cast<std::uint8_t>(frame->counter - *last_counter_ - 1);
            stats_.lost_frames += lost;
            sequence_ += lost + 1;
          } else {
            sequence_ = frame->counter;
          }
          last_counter_ = frame->counter;
          frame->sequence = sequence_;
          ++stats_.frames;
          out.push_back(std::move(*frame));
        }
      } else {
        learn_variable(p[1], payload);
      }
      pos_ += 5 + len + 1;
    } else if (kind == kWriteAck || kind == kWvsAck || kind == kReadNack || kind == kRvsNack ||
               kind == kWriteNack || kind == kWvsNack) {
      if (avail < 2) return;
      ++stats_.replies;
      if (kind == kReadNack || kind == kRvsNack || kind == kWriteNack || kind == kWvsNack)
        ++stats_.nacks;
      discarding_ = false;
      pos_ += 2;
    } else {
      // 0x00, BUFFERED_FRAME (layout unknown) and anything above: not a packet start.
      discard(1);
    }
  }
}

void SenselDecoder::learn_fixed(std::uint8_t reg, std::span<const std::uint8_t> payload) {
  for (std::size_t i = 0; i < payload.size() && reg + i < regs_.size(); ++i) {
    regs_[reg + i] = payload[i];
    known_[reg + i] = true;
  }
  auto all_known = [&](unsigned from, unsigned n) {
    for (unsigned i = from; i < from + n; ++i)
      if (!known_[i]) return false;
    return true;
  };
  if (all_known(kRegMagic, 6)) {
    facts_.magic = printable({&regs_[kRegMagic], 6});
    if (std::string_view(reinterpret_cast<const char*>(&regs_[kRegMagic]), 6) != kMagic)
      status_ = make_error(Errc::unsupported, "not a Sensel device: magic register 0x00 reads '" +
                                                  *facts_.magic + "', expected 'S3NS31'");
  }
  if (known_[kRegFwProtocol]) facts_.fw_protocol = regs_[kRegFwProtocol];
  if (all_known(kRegNumCols, 4)) {
    const int cols = le16(&regs_[kRegNumCols]), rows = le16(&regs_[kRegNumRows]);
    if (cols > 0 && rows > 0) {
      facts_.geometry.cols = cols;
      facts_.geometry.rows = rows;
    }
  }
  if (all_known(kRegWidthUm, 8)) {
    const std::uint32_t w = le32(&regs_[kRegWidthUm]), h = le32(&regs_[kRegHeightUm]);
    if (w > 0 && h > 0) {
      facts_.geometry.width_um = w;
      facts_.geometry.height_um = h;
    }
  }
  int* shifts[] = {&facts_.shifts.dims, &facts_.shifts.force, &facts_.shifts.area,
                   &facts_.shifts.angle, &facts_.shifts.time};
  for (unsigned i = 0; i < 5; ++i)
    if (known_[kRegUnitShiftDims + i]) *shifts[i] = std::min<int>(regs_[kRegUnitShiftDims + i], 31);
  if (known_[kRegContentSupported]) facts_.content_supported = regs_[kRegContentSupported];
  if (known_[kRegContactsMax]) facts_.contacts_max = regs_[kRegContactsMax];
}

void SenselDecoder::learn_variable(std::uint8_t reg, std::span<const std::uint8_t> payload) {
  if (reg == kRegSerial) {
    facts_.serial = printable(payload);
  } else if (reg == kRegCompressionMeta) {
    facts_.compression = CompressionMeta::parse(payload);
    const CompressionMeta want = grid();
    if (!facts_.compression) {
      status_ = make_error(Errc::format_error,
                           "Sensel compression metadata (register 0x1C) is malformed");
    } else if (!(*facts_.compression == want)) {
      const CompressionMeta& got = *facts_.compression;
      status_ = make_error(
          Errc::unsupported,
          "Sensel reports a " + std::to_string(got.cols) + "x" + std::to_string(got.rows) +
              " compressed grid at scale " + std::to_string(got.col_scale) + " but the preset expects " +
              std::to_string(want.cols) + "x" + std::to_string(want.rows) + " at scale " +
              std::to_string(want.col_scale));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Host session

std::vector<std::uint8_t> read_register(std::uint8_t reg, std::uint8_t size) {
  return {static_cast<std::uint8_t>(0x80 | kBoardAddress), reg, size};
}

std::vector<std::uint8_t> read_variable_register(std::uint8_t reg) {
  return {static_cast<std::uint8_t>(0x80 | kBoardAddress), reg, 0x00};
}

std::vector<std::uint8_t> write_register(std::uint8_t reg, std::span<const std::uint8_t> payload) {
  if (payload.empty() || payload.size() > 255)
    throw std::invalid_argument("sensel fixed register writes carry 1..255 bytes");
  std::vector<std::uint8_t> out(payload.size() + 4);
  out[0] = kBoardAddress;
  out[1] = reg;
  out[2] = static_cast<std::uint8_t>(payload.size());
  std::copy(payload.begin(), payload.end(), out.begin() + 3);
  out.back() = sum8(payload);
  return out;
}

std::vector<HostCommand> SenselHostSession::open_commands() const {
  auto write1 = [](std::uint8_t reg, std::uint8_t v) {
    const std::uint8_t b[1] = {v};
    return write_register(reg, b);
  };
  std::vector<HostCommand> cmds{
      {read_register(kRegMagic, 6), true, "read register 0x00 (magic)"},
      {read_register(kRegFwProtocol, 1), true, "read register 0x06 (protocol version)"},
      {read_register(kRegNumCols, 12), true, "read registers 0x10..0x1B (sensor geometry)"},
      {read_register(kRegUnitShiftDims, 5), true, "read registers 0xA0..0xA4 (unit shifts)"},
      {read_register(kRegContentSupported, 1), true, "read register 0x28 (supported content)"},
      {read_register(kRegContactsMax, 1), true, "read register 0x40 (maximum contacts)"},
      {read_variable_register(kRegSerial), true, "read register 0x0F (serial number)"},
      {write1(kRegDetail, static_cast<std::uint8_t>(config_.detail)), true,
       "write register 0x23 (scan detail)"},
      {read_variable_register(kRegCompressionMeta), true,
       "read register 0x1C (compression metadata)"},
      {write1(kRegContentControl, config_.content), true, "write register 0x24 (frame content)"},
  };
  if (config_.content & kContentContacts)
    cmds.push_back({write1(kRegContactsMask, config_.contact_fields), true,
                    "write register 0x4B (contact fields)"});
  cmds.push_back({write1(kRegScanEnabled, config_.async ? 2 : 1), true,
                  "write register 0x25 (start scanning)"});
  return cmds;
}

std::vector<std::uint8_t> SenselHostSession::poll_bytes() const {
  if (config_.async) return {};
  return read_variable_register(kRegReadFrame);
}

std::vector<HostCommand> SenselHostSession::close_commands() const {
  const std::uint8_t off[1] = {0};
  return {{write_register(kRegScanEnabled, off), true, "write register 0x25 (stop scanning)"}};
}

// ---------------------------------------------------------------------------------------------
// Device model

SenselDeviceModel::SenselDeviceModel(std::string serial, Detail initial)
    : serial_(std::move(serial)) {
  std::copy(kMagic, kMagic + 6, regs_.begin());
  regs_[kRegFwProtocol] = 1;
  regs_[0x07] = 0;  // firmware version 0.16.78 (the Liberation doc's device)
  regs_[0x08] = 16;
  regs_[0x09] = 78;
  const SensorGeometry g;
  regs_[kRegNumCols] = static_cast<std::uint8_t>(g.cols & 0xFF);
  regs_[kRegNumCols + 1] = static_cast<std::uint8_t>(g.cols >> 8);
  regs_[kRegNumRows] = static_cast<std::uint8_t>(g.rows & 0xFF);
  regs_[kRegNumRows + 1] = static_cast<std::uint8_t>(g.rows >> 8);
  for (int i = 0; i < 4; ++i) {
    regs_[kRegWidthUm + i] = static_cast<std::uint8_t>(g.width_um >> (8 * i));
    regs_[kRegHeightUm + i] = static_cast<std::uint8_t>(g.height_um >> (8 * i));
  }
  regs_[0x20] = static_cast<std::uint8_t>(kNominalRateHz);
  regs_[kRegDetail] = static_cast<std::uint8_t>(initial);
  regs_[kRegContentControl] = kContentPressure;
  // Labels are not emulated, so the emulated device does not offer them.
  regs_[kRegContentSupported] = kContentPressure | kContentContacts | kContentAccel;
  regs_[kRegContactsMax] = 16;
  regs_[kRegContactsMask] = 0x0F;
  const UnitShifts s;
  regs_[kRegUnitShiftDims] = static_cast<std::uint8_t>(s.dims);
  regs_[kRegUnitShiftForce] = static_cast<std::uint8_t>(s.force);
  regs_[kRegUnitShiftArea] = static_cast<std::uint8_t>(s.area);
  regs_[kRegUnitShiftAngle] = static_cast<std::uint8_t>(s.angle);
  regs_[kRegUnitShiftTime] = static_cast<std::uint8_t>(s.time);
}

CompressionMeta SenselDeviceModel::meta() const {
  return CompressionMeta::for_detail(static_cast<Detail>(regs_[kRegDetail]));
}

bool SenselDeviceModel::streaming() const {
  const std::uint8_t mode = regs_[kRegScanEnabled];
  return mode == 2 || (mode == 1 && pending_polls_ > 0);
}

void SenselDeviceModel::on_host_bytes(std::span<const std::uint8_t> bytes,
                                      std::vector<std::uint8_t>& reply) {
  in_.insert(in_.end(), bytes.begin(), bytes.end());
  std::size_t pos = 0;
  while (pos < in_.size()) {
    const std::size_t avail = in_.size() - pos;
    const std::uint8_t* p = &in_[pos];
    if (p[0] == (0x80 | kBoardAddress)) {
      if (avail < 3) break;
      handle_read(p[1], p[2], reply);
      pos += 3;
    } else if (p[0] == kBoardAddress) {
      if (avail < 3) break;
      if (p[2] == 0) {
        // Variable-size write header: 01 reg 00 04 <u32 size> <sum8>. Not emulated: refuse.
        if (avail < 9) break;
        reply.push_back(kWriteNack);
        reply.push_back(p[1]);
        pos += 9;
        continue;
      }
      const std::size_t len = p[2];
      if (avail < 3 + len + 1) break;
      if (sum8({p + 3, len}) != p[3 + len]) {
        reply.push_back(kWriteNack);
        reply.push_back(p[1]);
      } else {
        handle_write(p[1], {p + 3, len}, reply);
      }
      pos += 3 + len + 1;
    } else {
      ++pos;  // not a command start: the device ignores it
    }
  }
  in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(pos));
}

void SenselDeviceModel::handle_read(std::uint8_t reg, std::uint8_t size,
                                    std::vector<std::uint8_t>& reply) {
  if (size == 0) {
    std::vector<std::uint8_t> payload;
    if (reg == kRegSerial) {
      payload.assign(serial_.begin(), serial_.end());
    } else if (reg == kRegCompressionMeta) {
      const auto b = meta().bytes();
      payload.assign(b.begin(), b.end());
    } else if (reg == kRegReadFrame && regs_[kRegScanEnabled] == 1) {
      ++pending_polls_;  // answered by the next encode_frame()
      return;
    } else {
      reply.push_back(kRvsNack);
      reply.push_back(reg);
      return;
    }
    reply.insert(reply.end(), {kRvsAck, reg, 0x00});
    put16(reply, static_cast<std::uint32_t>(payload.size()));
    reply.insert(reply.end(), payload.begin(), payload.end());
    reply.push_back(sum8(payload));
    return;
  }
  if (reg + size > 256) {
    reply.push_back(kReadNack);
    reply.push_back(reg);
    return;
  }
  reply.insert(reply.end(), {kReadAck, reg});
  put16(reply, size);
  const std::span<const std::uint8_t> payload{&regs_[reg], size};
  reply.insert(reply.end(), payload.begin(), payload.end());
  reply.push_back(sum8(payload));
}

void SenselDeviceModel::handle_write(std::uint8_t reg, std::span<const std::uint8_t> payload,
                                     std::vector<std::uint8_t>& reply) {
  // Identity, geometry, capabilities and unit shifts are read-only.
  auto read_only = [](std::size_t r) {
    return r < 0x20 || r == kRegContentSupported || r == kRegContactsMax ||
           (r >= kRegUnitShiftDims && r <= kRegUnitShiftTime);
  };
  bool ok = reg + payload.size() <= 256;
  for (std::size_t r = reg; ok && r < reg + payload.size(); ++r) ok = !read_only(r);
  if (ok && reg == kRegDetail) ok = payload[0] <= 2;
  if (ok && reg == kRegScanEnabled) ok = payload[0] <= 2;
  if (ok && reg == kRegContentControl) ok = (payload[0] & ~regs_[kRegContentSupported]) == 0;
  if (!ok) {
    reply.push_back(kWriteNack);
    reply.push_back(reg);
    return;
  }
  std::copy(payload.begin(), payload.end(), regs_.begin() + reg);
  if (reg == kRegScanEnabled && payload[0] == 0) pending_polls_ = 0;
  reply.push_back(kWriteAck);
  reply.push_back(reg);
}

void SenselDeviceModel::encode_frame(const PressureFrame& frame, std::vector<std::uint8_t>& out) {
  const std::uint8_t mode = regs_[kRegScanEnabled];
  if (!streaming()) throw std::logic_error("SenselDeviceModel::encode_frame while not streaming");
  const CompressionMeta m = meta();
  const SensorGeometry g;
  const UnitShifts s;
  // Resample (nearest neighbour) from whichever detail grid the caller used to the device's.
  const Eigen::Index n_in = frame.pressure_kpa.size();
  std::optional<CompressionMeta> src;
  for (Detail d : {Detail::medium, Detail::high, Detail::low})
    if (static_cast<Eigen::Index>(cells_of(CompressionMeta::for_detail(d))) == n_in)
      src = CompressionMeta::for_detail(d);
  if (!src)
    throw std::invalid_argument("SenselDeviceModel: pressure vector of " + std::to_string(n_in) +
                                " cells matches no Sensel detail grid");
  std::vector<std::uint32_t> values(cells_of(m));
  const double to_raw = std::ldexp(1.0, s.force);
  for (int r = 0; r < m.rows; ++r)
    for (int c = 0; c < m.cols; ++c) {
      const int sr = std::clamp(static_cast<int>(std::lround(double(r) * m.row_scale / src->row_scale)), 0, src->rows - 1);
      const int sc = std::clamp(static_cast<int>(std::lround(double(c) * m.col_scale / src->col_scale)), 0, src->cols - 1);
      const float kpa = frame.pressure_kpa(Eigen::Index(sr) * src->cols + sc);
      const double raw = std::isfinite(kpa) && kpa > 0 ? kpa_to_grams_per_sensel(kpa, g) * to_raw : 0.0;
      // Saturates at the largest value one varint can carry above a base of 0.
      values[std::size_t(r) * m.cols + c] =
          static_cast<std::uint32_t>(std::lround(std::min(raw, double(kMaxVarint))));
    }

  const std::uint8_t mask = regs_[kRegContentControl] & (kContentPressure | kContentContacts | kContentAccel);
  std::vector<std::uint8_t> payload{mask, static_cast<std::uint8_t>(frame.sequence & 0xFF)};
  put32(payload, static_cast<std::uint32_t>(frame.sequence * 8000u));  // nominal microseconds
  if (mask & kContentContacts) {
    const std::uint8_t fields = regs_[kRegContactsMask] & 0x0F;
    payload.push_back(fields);
    // One contact summarising the whole load: force-weighted centroid in sensel-grid mm.
    double sum_g = 0, sx = 0, sy = 0, peak_g = 0;
    int cells = 0, min_c = m.cols, min_r = m.rows, max_c = -1, max_r = -1, peak_c = 0, peak_r = 0;
    const double cell_sensels = double(m.col_scale) * m.row_scale;
    for (int r = 0; r < m.rows; ++r)
      for (int c = 0; c < m.cols; ++c) {
        const double fg = values[std::size_t(r) * m.cols + c] / to_raw;
        if (fg <= 0) continue;
        const double x = c * m.col_scale * g.col_pitch_mm(), y = r * m.row_scale * g.row_pitch_mm();
        sum_g += fg * cell_sensels;
        sx += fg * x;
        sy += fg * y;
        ++cells;
        min_c = std::min(min_c, c), max_c = std::max(max_c, c);
        min_r = std::min(min_r, r), max_r = std::max(max_r, r);
        if (fg > peak_g) peak_g = fg, peak_c = c, peak_r = r;
      }
    if (cells == 0) {
      payload.push_back(0);
    } else {
      payload.push_back(1);
      const double cx = sx / (sum_g / cell_sensels), cy = sy / (sum_g / cell_sensels);
      const double dims = std::ldexp(1.0, s.dims), force = to_raw, area = std::ldexp(1.0, s.area);
      const double x0 = min_c * m.col_scale * g.col_pitch_mm(), x1 = max_c * m.col_scale * g.col_pitch_mm();
      const double y0 = min_r * m.row_scale * g.row_pitch_mm(), y1 = max_r * m.row_scale * g.row_pitch_mm();
      payload.push_back(0);  // id
      payload.push_back(2);  // state: move
      put16(payload, clamp_u16(cx * dims));
      put16(payload, clamp_u16(cy * dims));
      put16(payload, clamp_u16(sum_g * force));
      put16(payload, clamp_u16(cells * cell_sensels * area));
      if (fields & 1) {
        put16(payload, static_cast<std::uint16_t>(clamp_i16(0)));
        put16(payload, clamp_u16((x1 - x0) * dims));
        put16(payload, clamp_u16((y1 - y0) * dims));
      }
      if (fields & 2)
        for (int i = 0; i < 4; ++i) put16(payload, 0);
      if (fields & 4)
        for (double v : {x0, y0, x1, y1}) put16(payload, clamp_u16(v * dims));
      if (fields & 8) {
        put16(payload, clamp_u16(peak_c * m.col_scale * g.col_pitch_mm()));  // whole mm
        put16(payload, clamp_u16(peak_r * m.row_scale * g.row_pitch_mm()));
        put16(payload, clamp_u16(peak_g * force));
      }
    }
  }
  if (mask & kContentAccel) {
    for (std::int16_t v : {std::int16_t(0), std::int16_t(0), std::int16_t(15600)})  // 1 g on z
      put16(payload, static_cast<std::uint16_t>(v));
  }
  if (mask & kContentPressure) {
    const auto body = compress_pressure(values);
    payload.insert(payload.end(), body.begin(), body.end());
  }
  out.push_back(mode == 2 ? kAsyncData : kRvsAck);
  out.push_back(kRegReadFrame);
  out.push_back(0x00);
  put16(out, static_cast<std::uint32_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
  out.push_back(sum8(payload));
  if (mode == 1) --pending_polls_;
}

StreamInfo stream_info(Detail detail) {
  const CompressionMeta m = CompressionMeta::for_detail(detail);
  const SensorGeometry g;
  StreamInfo info;
  info.name = "mat";
  info.layout = SensorLayout::grid(m.rows, m.cols, m.row_scale * g.row_pitch_mm(),
                                   m.col_scale * g.col_pitch_mm())
                    .value();
  info.side = Side::both;
  info.sample_rate_hz = kNominalRateHz;
  info.device = "Sensel Morph";
  info.attributes["compressed_grid"] = std::to_string(m.cols) + "x" + std::to_string(m.rows);
  info.attributes["sensel_grid"] = std::to_string(g.cols) + "x" + std::to_string(g.rows);
  return info;
}

}  // namespace insole::drivers::sensel
