#pragma once
// Sensel Morph register protocol over its CDC-ACM serial interface: decoder, host session and
// device model. Wire format from the MIT-licensed Sensel SDK (sensel/sensel-api: sensel-lib/src/
// sensel_register.c, sensel_register_map.h, sensel.c) and, for the compressed pressure image, the
// reverse-engineered description in CreativeInquiry/Sensel-Morph-Liberation
// (docs/communications_protocol.md). Tables in docs/devices.md.
//
// Pressure is decoded at the device's native compressed grid (47 x 27 at medium detail, 93 x 53
// at high detail); it is NOT upsampled to 185 x 105 sensels, because the device's 4-tap
// interpolation weights are not public. Each compressed cell sits on every scale-th sensel, so
// its pitch is scale x the sensel pitch.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "insole/drivers/protocol/decoder.hpp"

namespace insole::drivers::sensel {

inline constexpr std::uint16_t kUsbVid = 0x2C2F;
inline constexpr std::uint16_t kUsbPidMorph = 0x0003;
inline constexpr std::uint8_t kBoardAddress = 0x01;  ///< reads set bit 7: 0x81
inline constexpr char kMagic[] = "S3NS31";           ///< register 0x00, 6 bytes

/// First byte of device -> host packets (sensel_protocol.h).
enum Ack : std::uint8_t {
  kReadAck = 1, kReadNack = 2, kRvsAck = 3, kRvsNack = 4, kWriteAck = 5, kWriteNack = 6,
  kWvsAck = 7, kWvsNack = 8, kAsyncData = 9, kBufferedFrame = 10,
};

/// Register addresses used here (sensel_register_map.h, protocol v1).
enum Reg : std::uint8_t {
  kRegMagic = 0x00, kRegFwProtocol = 0x06, kRegSerial = 0x0F, kRegNumCols = 0x10,
  kRegNumRows = 0x12, kRegWidthUm = 0x14, kRegHeightUm = 0x18, kRegCompressionMeta = 0x1C,
  kRegDetail = 0x23, kRegContentControl = 0x24, kRegScanEnabled = 0x25, kRegReadFrame = 0x26,
  kRegContentSupported = 0x28, kRegContactsMax = 0x40, kRegContactsMask = 0x4B,
  kRegUnitShiftDims = 0xA0, kRegUnitShiftForce = 0xA1, kRegUnitShiftArea = 0xA2,
  kRegUnitShiftAngle = 0xA3, kRegUnitShiftTime = 0xA4,
};

/// FRAME_CONTENT_CONTROL bits (sensel.h).
inline constexpr std::uint8_t kContentPressure = 0x01, kContentLabels = 0x02,
                              kContentContacts = 0x04, kContentAccel = 0x08;
/// SCAN_DETAIL_CONTROL values.
enum class Detail : std::uint8_t { high = 0, medium = 1, low = 2 };

/// Largest payload accepted in a frame packet (reg 0x26); larger claimed lengths are treated as
/// noise. High detail is 93 x 53 cells, at most 2 bytes per varint, plus labels and 16 contacts
/// of 40 bytes: well under this.
inline constexpr std::size_t kMaxFramePayload = 32768;
/// Largest payload accepted for any other register reply.
inline constexpr std::size_t kMaxRegisterPayload = 1024;

/// The compression metadata register 0x1C: compressed grid and its scale to the sensel grid.
/// Medium detail: 00 00 2f 1b 04 04 (47 x 27 at 4x); high: 00 00 5d 35 02 02 (93 x 53 at 2x).
struct CompressionMeta {
  int cols = 47, rows = 27, col_scale = 4, row_scale = 4;
  std::array<std::uint8_t, 6> bytes() const;
  static std::optional<CompressionMeta> parse(std::span<const std::uint8_t> bytes);
  static CompressionMeta for_detail(Detail detail);
  bool operator==(const CompressionMeta&) const = default;
};

/// Physical facts of a Morph (Liberation doc's device): 185 x 105 sensels over 230 x 130 mm.
struct SensorGeometry {
  int cols = 185, rows = 105;
  std::uint32_t width_um = 230000, height_um = 130000;
  double col_pitch_mm() const { return width_um / 1000.0 / cols; }
  double row_pitch_mm() const { return height_um / 1000.0 / rows; }
};

/// Converts per-sensel force in grams to kPa: F[N] = g * 9.80665e-3, p = F / A * 1e3.
double grams_per_sensel_to_kpa(double force_g, const SensorGeometry& geometry);
double kpa_to_grams_per_sensel(double pressure_kpa, const SensorGeometry& geometry);

/// Decodes the compressed pressure image body (Liberation doc): 7/14-bit varints
/// (b & 0x80 ? (b & 0x7f) | (next << 7) : b); the first is the base; then zero-run mode (n -> n
/// zeros) alternates with value mode (v != 0 -> base + v; v == 0 -> back to zero-run mode), until
/// exactly `cells` values. Returns the raw values (force * 2^force_shift) and, in `consumed`, the
/// bytes used (labels may follow); nullopt when the body overruns or ends early.
std::optional<std::vector<std::uint32_t>> decompress_pressure(std::span<const std::uint8_t> body,
                                                              std::size_t cells,
                                                              std::size_t* consumed = nullptr);
/// Inverse of decompress_pressure. Values must be below base + 32768 where base is the smallest
/// non-zero value minus one (the encoder's choice; any base is valid on the wire).
std::vector<std::uint8_t> compress_pressure(std::span<const std::uint32_t> values);

struct Contact {
  std::uint8_t id = 0;
  std::uint8_t state = 0;  ///< 0 invalid, 1 start, 2 move, 3 end
  double x_mm = 0, y_mm = 0, force_g = 0, area_sensels = 0;
  std::optional<std::array<double, 3>> ellipse;  ///< orientation_deg, major_axis_mm, minor_axis_mm
  std::optional<std::array<double, 4>> delta;    ///< dx_mm, dy_mm, dforce_g, darea_sensels
  std::optional<std::array<double, 4>> bbox_mm;  ///< min_x, min_y, max_x, max_y
  /// peak_x_mm, peak_y_mm, peak_force_g; peak x/y are whole mm (not scaled; Liberation doc).
  std::optional<std::array<double, 3>> peak;
};

/// One frame as the device sent it (frame payload of register 0x26).
struct Frame {
  std::uint8_t content_mask = 0;
  std::uint8_t counter = 0;
  std::uint64_t sequence = 0;  ///< counter extended to 64 bits by the decoder
  std::uint32_t timestamp = 0;
  std::vector<Contact> contacts;
  std::optional<std::array<std::int16_t, 3>> accel;  ///< raw counts, about 15600 per g
  std::optional<Eigen::VectorXf> pressure_kpa;       ///< compressed grid, row-major
};

/// Unit shifts of registers 0xA0..0xA4 (device values 8, 3, 0, 4, 0).
struct UnitShifts {
  int dims = 8, force = 3, area = 0, angle = 4, time = 0;
};

/// Parses one frame payload; nullopt when it is malformed (too short, contact list overruns,
/// pressure body invalid).
std::optional<Frame> parse_frame(std::span<const std::uint8_t> payload, const CompressionMeta& meta,
                                 const UnitShifts& shifts, const SensorGeometry& geometry);

/// What a host session asks for.
struct Config {
  Detail detail = Detail::medium;
  bool async = false;  ///< async: the device pushes frames; sync: the host polls each frame
  std::uint8_t content = kContentPressure | kContentContacts;
  std::uint8_t contact_fields = 0x0F;  ///< register 0x4B: ellipse, deltas, bbox, peak
};

/// Everything the decoder learnt from register replies.
struct DeviceFacts {
  std::optional<std::string> magic;
  std::optional<std::string> serial;
  std::optional<std::uint8_t> fw_protocol;
  std::optional<CompressionMeta> compression;
  std::optional<std::uint8_t> content_supported;
  std::optional<std::uint8_t> contacts_max;
  SensorGeometry geometry;  ///< defaults until registers 0x10..0x1B are read
  UnitShifts shifts;        ///< defaults until registers 0xA0..0xA4 are read
};

/// Context-free packet decoder: register replies update DeviceFacts, frame packets (RVS reply or
/// async push on register 0x26) become frames. Unknown first bytes, implausible lengths and bad
/// checksums drop one byte and rescan, so a lying length field never swallows good packets.
class SenselDecoder final : public Decoder {
 public:
  explicit SenselDecoder(Config config = {});
  void feed(std::span<const std::uint8_t> bytes, std::vector<PressureFrame>& out) override;
  /// Like feed() but keeps everything the frame carried (contacts, accelerometer, timestamp).
  /// Frames without pressure content appear here only.
  void feed_frames(std::span<const std::uint8_t> bytes, std::vector<Frame>& out);
  void reset() override;
  const DecoderStats& stats() const override { return stats_; }
  Status device_status() const override { return status_; }
  const DeviceFacts& facts() const { return facts_; }
  /// The compressed grid frames are decoded on (from the config until register 0x1C is read).
  CompressionMeta grid() const;

 private:
  void parse(std::vector<Frame>& out);
  void learn_fixed(std::uint8_t reg, std::span<const std::uint8_t> payload);
  void learn_variable(std::uint8_t reg, std::span<const std::uint8_t> payload);
  void discard(std::size_t n);

  Config config_;
  std::vector<std::uint8_t> buf_;
  std::size_t pos_ = 0;
  bool discarding_ = false;
  std::optional<std::uint8_t> last_counter_;
  std::uint64_t sequence_ = 0;
  std::array<std::uint8_t, 256> regs_{};
  std::array<bool, 256> known_{};
  DeviceFacts facts_;
  DecoderStats stats_;
  Status status_;
};

/// Host side: identify (magic), read geometry and unit shifts, set detail, read compression
/// metadata, set content, start scanning; poll with an RVS read of 0x26 in sync mode.
class SenselHostSession final : public HostSession {
 public:
  explicit SenselHostSession(Config config = {}) : config_(config) {}
  std::vector<HostCommand> open_commands() const override;
  std::vector<std::uint8_t> poll_bytes() const override;
  std::vector<HostCommand> close_commands() const override;

 private:
  Config config_;
};

/// Host -> device command bytes.
std::vector<std::uint8_t> read_register(std::uint8_t reg, std::uint8_t size);
std::vector<std::uint8_t> read_variable_register(std::uint8_t reg);
std::vector<std::uint8_t> write_register(std::uint8_t reg, std::span<const std::uint8_t> payload);

/// Device side: a Morph's register file (magic, geometry, unit shifts, detail, content, scan
/// mode), answering reads and writes like the device, NACKing what it cannot do, and encoding
/// frames (pressure image, plus one contact summarising the load and a 1 g accelerometer reading
/// when those are enabled).
class SenselDeviceModel final : public DeviceModel {
 public:
  explicit SenselDeviceModel(std::string serial = "SM01000000", Detail initial = Detail::medium);
  void on_host_bytes(std::span<const std::uint8_t> bytes, std::vector<std::uint8_t>& reply) override;
  bool streaming() const override;
  /// frame.pressure_kpa is a compressed grid of any supported detail (resampled by nearest
  /// neighbour to the detail the host selected).
  void encode_frame(const PressureFrame& frame, std::vector<std::uint8_t>& out) override;
  std::uint8_t scan_mode() const { return regs_[kRegScanEnabled]; }

 private:
  void handle_read(std::uint8_t reg, std::uint8_t size, std::vector<std::uint8_t>& reply);
  void handle_write(std::uint8_t reg, std::span<const std::uint8_t> payload,
                    std::vector<std::uint8_t>& reply);
  CompressionMeta meta() const;

  std::string serial_;
  std::array<std::uint8_t, 256> regs_{};
  std::vector<std::uint8_t> in_;
  std::size_t pending_polls_ = 0;
};

/// Compressed-grid layout of a detail level, with pitches from the sensor geometry.
StreamInfo stream_info(Detail detail);

}  // namespace insole::drivers::sensel
