#pragma once
// Generic matrix codec: one parameterised decoder / host session / device model for the DIY
// Velostat and FSR matrices and cheap commercial arrays, whose firmware sends a rows x cols
// matrix in one of six framings (devices-and-formats survey, section 1.5):
//   text_lines      ASCII numbers separated by spaces/commas/semicolons/tabs, one frame per line
//   poll_raw        the host sends a request, the device answers exactly rows*cols values
//   header          sync bytes [+ foot byte] [+ length field + constant bytes] + values [+ trailer]
//                   [+ sum8 | sum16 LE]
//   cobs            COBS packets delimited by 0x00
//   slip            SLIP packets (RFC 1055): values escaped (C0 -> DB DC, DB -> DB DD), C0 ends each
//   zero_run        values 1..254, "0x00 n" = n zeros, 0xFF ends a frame (Sensitronics style)
//   column_messages one message per column: start byte, nrows, col, values, terminator (SensingTex)
// Named presets for known devices are in matrix_presets(); docs/devices.md has their tables.
//
// Units: DIY and cheap commercial sensors are uncalibrated, and no preset invents a scale for
// them. Their streams have units "counts" (docs/format.md): the value recorded is the raw wire
// value after its transform (x below), unscaled. A user-defined config may state a linear
// calibration to kPa (units = kpa); otherwise calibrate the recording with `insole calibrate`
// (docs/calibration.md).

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "insole/core/result.hpp"
#include "insole/core/recording.hpp"
#include "insole/core/side.hpp"
#include "insole/drivers/protocol/decoder.hpp"
#include "insole/drivers/protocol/sensel.hpp"

namespace insole::drivers {

enum class MatrixFraming { text_lines, poll_raw, header, cobs, slip, zero_run, column_messages };
/// Which codec runs a described device: the generic matrix codec (everything in this header), or
/// a built-in codec with its own decoder for a protocol a matrix framing cannot express (a
/// handshake, mixed frame contents). A description chooses it with its framing type
/// ("framing": {"type": "sensel"}); everything else about the device stays data.
enum class DeviceCodec {
  matrix,  ///< MatrixDecoder / MatrixHostSession / MatrixDeviceModel
  sensel,  ///< the Sensel Morph register protocol (sensel.hpp)
  fisica,  ///< the Fisica scale: 645-byte frames with a load cell (fisica.hpp)
};
enum class ValueType { u8, u16le, u16be, i16le, ascii };
enum class ScanOrder { row_major, col_major };
enum class MatrixChecksum {
  none,
  sum8_all,      ///< sum8 over sync + foot byte + values + trailer
  sum8_payload,  ///< sum8 over values + trailer
  /// Low 16 bits of the sum of every byte before the checksum (sync + foot byte + values +
  /// trailer), sent little-endian in two bytes (208-cell FLX insole).
  sum16le_all,
};
/// What a header's length field counts. The field holds that count plus LengthField::adjust.
enum class LengthCounts {
  values,   ///< the number of values (cells) in the frame, not bytes
  payload,  ///< bytes of the values and the trailer (what sum8_payload covers)
  frame,    ///< bytes of the whole frame, from the first sync byte to the last checksum byte
};

/// A length field in a header frame: right after the sync (and the foot byte), 1 or 2 bytes.
/// The grid fixes the frame size, so exactly one value is valid: expected_length(). A frame
/// whose field says anything else is refused at once (counted malformed; the decoder drops one
/// byte and looks for the next sync), so a lying field neither makes the decoder wait for bytes
/// that never come nor makes it skip good frames.
struct LengthField {
  std::size_t size = 0;     ///< 0: no length field; else 1 or 2 bytes
  bool big_endian = false;  ///< 2-byte fields: byte order on the wire
  LengthCounts counts = LengthCounts::frame;
  long adjust = 0;  ///< the field holds count + adjust (e.g. -2: the bytes before a 2-byte checksum)
};

enum class RawTransform {
  none,         ///< x = raw
  invert,       ///< x = max_raw - raw (sensors whose reading falls with load)
  sensingtex12  ///< x = |(raw & 0x0FFF) - 4095| (SensingTex 12-bit inverted values)
};

/// How a fact about a device is known (device descriptions, `insole devices --protocols`).
enum class FactSource {
  documented,  ///< stated by the maker's documentation, SDK or firmware source
  measured,    ///< measured on the device (a capture, a ruler, a logic analyser)
  guessed,     ///< assumed: a plausible default nobody has checked
  unknown      ///< not known, and nothing is claimed (e.g. no sensor positions in the layout)
};
std::string_view to_string(FactSource s) noexcept;

/// Where the facts of a device description come from.
struct DeviceProvenance {
  FactSource wire_format = FactSource::guessed;  ///< framing, checksum, commands, baud
  FactSource values = FactSource::guessed;       ///< value type, range, transform, scan order
  FactSource geometry = FactSource::guessed;     ///< rows x cols, pitch, sensor positions
  FactSource rate = FactSource::guessed;         ///< nominal frame rate
  std::vector<std::string> sources;              ///< public sources (repository and file, manual)
};

/// value = max(0, x - zero_counts) * kpa_per_count (kPa when units is kpa). The default is the
/// identity: the value is the raw count x.
struct LinearCalibration {
  double zero_counts = 0;
  double kpa_per_count = 1;
};

/// One device description (device_description.hpp): the generic matrix codec's parameters, or,
/// when `codec` names a built-in codec, the data that codec takes from the description (name,
/// grid and pitch, rate, baud, USB id, stream, calibration, provenance); validate() refuses what
/// that codec cannot honour.
struct MatrixCodecConfig {
  std::string name;         ///< preset name, e.g. "m1616"
  DeviceCodec codec = DeviceCodec::matrix;
  /// sensel: the scan detail (medium 47x27 or high 93x53) and push (async) or polled (sync) frames.
  sensel::Detail sensel_detail = sensel::Detail::medium;
  bool sensel_async = false;
  std::string description;  ///< one line
  int rows = 16, cols = 16;
  double row_pitch_mm = 10, col_pitch_mm = 10;  ///< nominal for DIY mats: set your own
  /// Where the pitch comes from when it is not published (e.g. "assumed default: ..."); recorded
  /// as the stream attribute "pitch_source". Empty: not stated.
  std::string pitch_source;
  ScanOrder order = ScanOrder::row_major;       ///< order of values on the wire (within a tile)
  /// A frame sent tile by tile (values.tiles): tile_rows x tile_cols cells each, the tiles in
  /// `tile_order` across the grid and the cells of each in `order`. 0 x 0: no tiles (the whole
  /// grid in `order`). The tiles must divide the grid.
  int tile_rows = 0, tile_cols = 0;
  ScanOrder tile_order = ScanOrder::row_major;
  MatrixFraming framing = MatrixFraming::header;
  ValueType value_type = ValueType::u8;
  /// header: sync bytes at frame start; column_messages: the start byte (one byte).
  std::vector<std::uint8_t> sync;
  /// header: a byte after the sync selects the stream: 0x01 -> stream 0 (left), 0x02 -> 1 (right).
  bool foot_byte = false;
  std::size_t trailer_bytes = 0;  ///< header: bytes after the values, ignored by the decoder
  /// header: a length field after the sync and foot byte (size 0: none).
  LengthField length;
  /// header: constant bytes between the length field and the values, matched like the sync
  /// (constant bytes before the length field belong to `sync`). Needs a length field.
  std::vector<std::uint8_t> after_length;
  MatrixChecksum checksum = MatrixChecksum::none;
  /// header without checksum: a frame whose bytes contain the sync sequence again is taken as cut
  /// short by the next frame (counted truncated). Only for devices whose values cannot contain it.
  bool reject_embedded_sync = false;
  std::uint8_t terminator = '\n';  ///< column_messages: message terminator
  char text_separator = ' ';  ///< text_lines: what the device model puts between values
  std::vector<std::uint8_t> poll_request;  ///< poll_raw: bytes that request one frame
  /// Host commands sent after opening / before closing the port (e.g. SensingTex C, S / X).
  std::vector<HostCommand> open_commands, close_commands;
  /// Device model: it streams only between these commands (empty start: streams from power-up).
  std::vector<std::uint8_t> start_command, stop_command;
  /// Device model: a configure command starts with this byte and has this total length; the
  /// model records the last one (SensingTex: 'C', 6 bytes). 0 length: none.
  std::uint8_t configure_prefix = 0;
  std::size_t configure_length = 0;
  /// The layout is an irregular sensor set of `rows` sensors (cols = 1) instead of a grid.
  bool sensor_set = false;
  /// Sensor set: per sensor, in wire order, its centre x, y (mm, foot frame: +x towards the
  /// subject's right, y from heel to toe; sensor_layout.hpp) and its area (mm^2). Empty: positions
  /// unknown (NaN). With a foot byte these are the left insole's; the right is its mirror image
  /// (x -> -x, same areas).
  Eigen::MatrixX3d positions;
  /// The raw values are grams on each cell: recorded as kPa = grams * g0 / area (g0 = 9.80665
  /// m/s^2), which needs `positions` (their areas) and units kpa.
  bool grams_per_cell = false;
  std::string boot_banner;  ///< what the device prints at power-up (device model; tests)
  RawTransform transform = RawTransform::none;
  std::uint32_t min_raw = 0, max_raw = 255;  ///< range of raw values the device sends
  LinearCalibration calibration;
  /// What the decoded values are: counts (every preset: uncalibrated raw values) unless a
  /// user-defined config states a calibration to kPa.
  PressureUnits units = PressureUnits::counts;
  /// What the device's raw values mean when its public source states it (e.g. "g" for the
  /// 18-point insole); recorded as the stream attribute "raw_unit". Empty: not stated.
  std::string raw_unit;
  Side side = Side::both;
  double frame_rate_hz = 50;
  std::uint32_t baud = 115200;
  std::string device;  ///< StreamInfo::device text
  std::string stream_name = "mat";  ///< name of the single stream (no foot byte)
  /// What is known and what is assumed about the device (`insole devices` prints it); empty when
  /// nothing needs saying.
  std::string provenance;
  /// How each kind of fact above is known, and the sources.
  DeviceProvenance facts;
  /// USB identity of the device's serial bridge when it is fixed (0: none); discovery uses it.
  std::uint16_t usb_vid = 0, usb_pid = 0;

  /// Checks sizes and consistency; the message names the preset and what is wrong.
  Status validate() const;
  int cells() const { return rows * cols; }
  /// Bytes of the checksum on the wire (0, 1 or 2).
  std::size_t checksum_width() const;
  /// header: bytes before the values (sync, foot byte, length field, after_length), and of a
  /// whole frame.
  std::size_t header_bytes() const;
  std::size_t frame_bytes() const;
  /// header with a length field: the one value the field must hold for this grid.
  long expected_length() const;
  std::size_t value_width() const;  ///< bytes per value on the wire (0 for ascii)
  std::size_t stream_count() const { return foot_byte ? 2 : 1; }
  /// Raw wire value -> recorded value (counts, or kPa with a stated calibration) and back
  /// (device model; rounding to the nearest count).
  float to_kpa(double raw, int sensel = 0) const;
  std::uint32_t to_raw(float kpa, int sensel = 0) const;
  /// Raw value index on the wire (0..cells-1) -> row-major sensel index.
  int sensel_index(int wire_index) const;
};

class MatrixDecoder final : public Decoder {
 public:
  /// Throws std::invalid_argument when the config does not validate (programmer error).
  explicit MatrixDecoder(MatrixCodecConfig config);
  void feed(std::span<const std::uint8_t> bytes, std::vector<PressureFrame>& out) override;
  void on_request_sent() override;
  void reset() override;
  const DecoderStats& stats() const override { return stats_; }
  const MatrixCodecConfig& config() const { return config_; }

 private:
  void feed_byte_framed(std::uint8_t b, std::vector<PressureFrame>& out);
  void parse_header(std::vector<PressureFrame>& out);
  void parse_columns(std::vector<PressureFrame>& out);
  void end_text_line(std::vector<PressureFrame>& out);
  void end_packet(std::vector<PressureFrame>& out);  // cobs, slip
  void emit(std::size_t stream, const std::vector<double>& wire_values,
            std::vector<PressureFrame>& out);
  void discard(std::size_t n);
  void in_sync() { discarding_ = false; }
  double read_value(const std::uint8_t* p) const;

  MatrixCodecConfig config_;
  std::size_t frame_bytes_ = 0;  // header: total bytes of one frame
  long expected_length_ = 0;     // header with a length field: the value it must hold
  std::vector<std::uint8_t> buf_;
  std::size_t pos_ = 0;
  bool discarding_ = false;
  bool skipping_line_ = false;
  std::vector<double> values_;   // zero_run / column_messages: cells being assembled
  std::vector<bool> seen_;       // column_messages: columns received for the current frame
  std::size_t seen_count_ = 0;
  bool zero_marker_ = false;     // zero_run: the previous byte was 0x00
  bool overrun_ = false;         // zero_run: more cells than rows*cols in this frame
  std::vector<std::uint64_t> next_sequence_;
  DecoderStats stats_;
};

class MatrixHostSession final : public HostSession {
 public:
  explicit MatrixHostSession(MatrixCodecConfig config) : config_(std::move(config)) {}
  std::vector<HostCommand> open_commands() const override { return config_.open_commands; }
  std::vector<std::uint8_t> poll_bytes() const override {
    return config_.framing == MatrixFraming::poll_raw ? config_.poll_request
                                                      : std::vector<std::uint8_t>{};
  }
  std::vector<HostCommand> close_commands() const override { return config_.close_commands; }

 private:
  MatrixCodecConfig config_;
};

/// Device side. Streaming devices stream from power-up, except those with open commands (the
/// SensingTex kit), which stream between their start and stop commands; poll_raw devices answer
/// each poll request with one frame.
class MatrixDeviceModel final : public DeviceModel {
 public:
  explicit MatrixDeviceModel(MatrixCodecConfig config);
  std::vector<std::uint8_t> boot_bytes() const override;
  void on_host_bytes(std::span<const std::uint8_t> bytes, std::vector<std::uint8_t>& reply) override;
  bool streaming() const override;
  void encode_frame(const PressureFrame& frame, std::vector<std::uint8_t>& out) override;
  /// The last configure command received (empty when none).
  const std::vector<std::uint8_t>& last_configure() const { return last_configure_; }

 private:
  MatrixCodecConfig config_;
  std::vector<std::uint8_t> in_;
  std::size_t pending_polls_ = 0;
  bool started_ = false;
  std::vector<std::uint8_t> last_configure_;
};

/// SensingTex host commands (hcmlab/ssi SensingTex plugin): 'C' nrows ncols 0x00 Hz*10 '\r'
/// configures (rate 1.0..25.5 Hz), 'S' '\r' starts, 'X' '\r' stops.
std::vector<std::uint8_t> sensingtex_configure(int rows_per_column, int columns, double rate_hz);

/// The named presets of the generic matrix codec, in a stable order: the built-in descriptions
/// whose codec is the matrix codec (builtin_devices() has all of them).
const std::vector<MatrixCodecConfig>& matrix_presets();
/// Every built-in device description (drivers/devices/*.json, compiled in), parsed, in registry
/// order: the matrix presets and the devices of the built-in codecs.
const std::vector<MatrixCodecConfig>& builtin_devices();
/// The streams a config describes: "mat" (grid) or "left" + "right" (foot byte); for a built-in
/// codec, that codec's streams (fisica: the grid and "load_cell").
Result<std::vector<StreamInfo>> matrix_streams(const MatrixCodecConfig& config);
/// "wire format documented, values guessed, geometry guessed, rate guessed; sources: ...; notes":
/// what `insole devices --protocols` prints and the stream attribute "provenance" records.
std::string provenance_summary(const MatrixCodecConfig& config);
/// What every stream of a described device records from its description: device name, frame
/// rate, and the attributes "protocol", "provenance" (provenance_summary) and "pitch_source" (when
/// given). Each codec adds its own layout, units and "calibration".
void describe_stream(StreamInfo& stream, const MatrixCodecConfig& config);
/// Why a sensor position (x_mm, y_mm, area_mm2) cannot be used, or "" when it can: finite, within
/// 10 m of the origin, an area between 0.01 and 1e6 mm^2 (MatrixCodecConfig::validate() and the
/// description parser apply the same rule).
std::string sensor_position_problem(double x_mm, double y_mm, double area_mm2);
/// Wraps a (validated) config as a registry entry, e.g. for a user-defined matrix; a config whose
/// codec is a built-in one (sensel, fisica) becomes that codec's entry.
Result<ProtocolInfo> make_matrix_protocol(const MatrixCodecConfig& config);

}  // namespace insole::drivers
