// Named presets of the generic matrix codec. Sources are the firmware and viewers listed in the
// devices-and-formats survey, section 1.5; docs/devices.md repeats each wire format as a table.
// Anything marked GUESS there (ADC resolution, scan order, pitch) is a documented default the
// user can override with their own MatrixCodecConfig.

#include <cmath>
#include <limits>

#include "insole/drivers/protocol/matrix_codec.hpp"

namespace insole::drivers {

namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<MatrixCodecConfig> build_presets() {
  std::vector<MatrixCodecConfig> v;
  {
    // slakshmi98/ITAS-: host sends 'A', device answers 256 bytes, each mapped to 1..255,
    // column-major (the outer loop drives the column multiplexer); boot banner.
    MatrixCodecConfig c;
    c.name = "velostat16_poll";
    c.description = "DIY 16x16 Velostat mat: 'A' polls 256 raw bytes (1..255), column-major";
    c.device = "DIY Velostat 16x16 (poll)";
    c.order = ScanOrder::col_major;
    c.framing = MatrixFraming::poll_raw;
    c.value_type = ValueType::u8;
    c.poll_request = bytes("A");
    c.boot_banner = "Velostat 16x16 Streaming Ready\r\n";
    c.min_raw = 1;
    c.max_raw = 255;
    c.frame_rate_hz = 50;
    v.push_back(c);
  }
  {
    // Aightech/FSR_array: any received byte triggers a scan; 512 bytes of uint16, little-endian
    // (Teensy native). ADC resolution and scan order not stated: 10-bit, row-major (GUESS).
    MatrixCodecConfig c;
    c.name = "fsr16_poll_u16le";
    c.description = "DIY 16x16 FSR array: any byte polls 256 x u16 little-endian, row-major";
    c.device = "DIY FSR 16x16 (poll, u16le)";
    c.framing = MatrixFraming::poll_raw;
    c.value_type = ValueType::u16le;
    c.poll_request = bytes("A");
    c.max_raw = 1023;
    c.frame_rate_hz = 50;
    v.push_back(c);
  }
  {
    // robinhermit/SillyCode matrix_sweater: 210 ints separated by spaces, println (CR LF),
    // about every 10 ms; Arduino analogRead is 10-bit. 15 rows x 14 columns, row-major (GUESS).
    MatrixCodecConfig c;
    c.name = "ascii15x14";
    c.description = "DIY 15x14 matrix: one text line of 210 space-separated integers per frame";
    c.device = "DIY 15x14 matrix (text)";
    c.rows = 15;
    c.cols = 14;
    c.framing = MatrixFraming::text_lines;
    c.value_type = ValueType::ascii;
    c.max_raw = 1023;
    c.frame_rate_hz = 100;
    v.push_back(c);
  }
  {
    // ESP32 film-tile scanner, one 32 x 32 tile per scanner: one ASCII CSV line of 1024 values per
    // frame, column-major (as issue 13 describes it; the scanner's source was not found, so the
    // ADC range, rate and pitch are GUESSES). Tiles are composed into 32 x 64 / 64 x 64 by
    // TiledSource (insole/core/tiled_source.hpp).
    MatrixCodecConfig c;
    c.name = "esp32_tile32";
    c.description = "ESP32 film-tile scanner: one 32x32 tile, a CSV line of 1024 values, column-major";
    c.device = "ESP32 scanner, 32x32 film tile";
    c.rows = 32;
    c.cols = 32;
    c.order = ScanOrder::col_major;
    c.framing = MatrixFraming::text_lines;
    c.value_type = ValueType::ascii;
    c.text_separator = ',';
    c.max_raw = 4095;      // GUESS: the ESP32's 12-bit ADC
    c.frame_rate_hz = 20;  // GUESS: not documented
    c.provenance =
        "line format (ASCII CSV, 1024 values per line, column-major) as described in issue 13; the "
        "open ESP32 scanner's source was not found in the public sources searched, so UNVERIFIED: "
        "value range (12-bit ADC assumed, 0..4095), frame rate (20/s assumed), cell pitch (10 mm "
        "nominal; film tiles vary: set your own), which end is column 0";
    v.push_back(c);
  }
  {
    // eTextile/Matrix: 2 bytes per value, LSB first, row-major, framed by PacketSerial (COBS
    // with a 0x00 delimiter, GUESS). 12-bit values (GUESS).
    MatrixCodecConfig c;
    c.name = "etextile16_cobs";
    c.description = "eTextile 16x16 matrix: COBS packets (0x00 delimited) of 256 x u16 little-endian";
    c.device = "eTextile Matrix 16x16 (COBS)";
    c.framing = MatrixFraming::cobs;
    c.value_type = ValueType::u16le;
    c.max_raw = 4095;
    c.frame_rate_hz = 100;
    v.push_back(c);
  }
  {
    // Sensitronics-derived firmware: values 1..254, "0 n" = n zeros, 0xFF ends the packet.
    MatrixCodecConfig c;
    c.name = "sensitronics16_zrle";
    c.description = "Sensitronics-style 16x16: values 1..254, 0x00 n = n zeros, 0xFF ends a frame";
    c.device = "Sensitronics-style 16x16 (zero-run)";
    c.framing = MatrixFraming::zero_run;
    c.value_type = ValueType::u8;
    c.max_raw = 254;
    c.frame_rate_hz = 50;
    v.push_back(c);
  }
  {
    // Ninth2234/PiezoresistiveArray_SerialMonitor ("M1616"): AA AB AC + 256 x u16 big-endian +
    // 4 trailing bytes of unknown meaning. With values of at most 12 bits (GUESS) the sync can
    // never appear inside the values, so an embedded sync marks a cut frame.
    MatrixCodecConfig c;
    c.name = "m1616";
    c.description = "AliExpress M1616 16x16 mat: AA AB AC + 256 x u16 big-endian + 4 trailer bytes";
    c.device = "M1616 16x16 piezoresistive mat";
    c.framing = MatrixFraming::header;
    c.value_type = ValueType::u16be;
    c.sync = {0xAA, 0xAB, 0xAC};
    c.trailer_bytes = 4;
    c.reject_embedded_sync = true;
    c.max_raw = 4095;
    c.frame_rate_hz = 50;
    v.push_back(c);
  }
  {
    // Commodity 18-point insole over UART (MakeCode "PressureSensorLib"): 39 bytes =
    // 0xAA, foot (01 left, 02 right), 18 x u16 big-endian, sum8 of bytes 0..37. Sensor positions
    // are not documented, so the layout carries no geometry. 12-bit values (GUESS).
    MatrixCodecConfig c;
    c.name = "insole18_uart";
    c.description = "18-point insole (UART): AA, foot byte, 18 x u16 big-endian, sum8; left+right";
    c.device = "18-point pressure insole (UART)";
    c.rows = 18;
    c.cols = 1;
    c.sensor_set = true;
    c.framing = MatrixFraming::header;
    c.value_type = ValueType::u16be;
    c.sync = {0xAA};
    c.foot_byte = true;
    c.checksum = MatrixChecksum::sum8_all;
    c.max_raw = 4095;
    c.frame_rate_hz = 50;
    // The public library for this insole reports its values as grams. Without cell areas grams
    // cannot become pressure, and none are published, so the values stay raw (units "counts")
    // with their unit stated in the stream attribute raw_unit.
    c.raw_unit = "g";
    c.provenance =
        "values are grams according to the public MakeCode PressureSensorLib; cell areas and "
        "positions are not published, so values are recorded unconverted (units counts, "
        "raw_unit g); 12-bit range assumed";
    v.push_back(c);
  }
  {
    // 208-cell Moxian "FLX Sensor" insole (issue 13, item 1): 460800 Bd; 214 bytes
    // A5 5A | 01 | D6 00 | 01 | 208 x u8 | u16 LE sum. D6 00 = 214 = the bytes before the
    // checksum, so the six header bytes are constant and serve as the sync. The public logging
    // code that documents the frame (and publishes per-cell positions) was not found in the
    // sources searched, so: the checksum coverage (every byte before it, GUESS), the side carried
    // by the header bytes, the frame rate, the cell sizes and the cell positions are unverified,
    // and the layout carries no geometry. See docs/devices.md.
    MatrixCodecConfig c;
    c.name = "flx208";
    c.description =
        "208-cell FLX insole: A5 5A 01 D6 00 01 + 208 x u8 + u16 LE sum of bytes 0..213";
    c.device = "Moxian FLX Sensor insole (208 cells)";
    c.rows = 208;
    c.cols = 1;
    c.sensor_set = true;
    c.framing = MatrixFraming::header;
    c.value_type = ValueType::u8;
    c.sync = {0xA5, 0x5A, 0x01, 0xD6, 0x00, 0x01};
    c.checksum = MatrixChecksum::sum16le_all;
    c.max_raw = 255;
    c.side = Side::unknown;
    c.stream_name = "insole";
    c.frame_rate_hz = 50;  // GUESS: the rate is not documented
    c.baud = 460800;
    c.provenance =
        "frame layout and 460800 Bd as given in issue 13; UNVERIFIED: checksum coverage (taken as "
        "bytes 0..213), frame rate (50/s assumed), cell sizes, cell positions (source not found: "
        "no geometry), which foot the header names";
    v.push_back(c);
  }
  {
    // SensingTex dev kit (hcmlab/ssi SensingTex plugin): configure 'C', start 'S', stop 'X', each
    // ending in CR; per column 'M' nrows col i16[nrows] '\n' (little-endian, GUESS from an x86
    // memcpy); 12-bit inverted values p = |(v & 0xFFF) - 4095|. Rates 1.0..25.5 Hz, tested <= 21.
    MatrixCodecConfig c;
    c.name = "sensingtex16";
    c.description = "SensingTex 16x16 mat kit: C/S/X commands, one 'M' message per column";
    c.device = "SensingTex pressure mat 16x16";
    c.order = ScanOrder::col_major;
    c.framing = MatrixFraming::column_messages;
    c.value_type = ValueType::i16le;
    c.sync = {'M'};
    c.terminator = '\n';
    c.transform = RawTransform::sensingtex12;
    c.max_raw = 4095;
    c.frame_rate_hz = 20;
    c.open_commands = {{sensingtex_configure(16, 16, 20.0), false, "configure 16x16 at 20 Hz ('C')"},
                       {bytes("S\r"), false, "start scanning ('S')"}};
    c.close_commands = {{bytes("X\r"), false, "stop scanning ('X')"}};
    c.start_command = bytes("S\r");
    c.stop_command = bytes("X\r");
    c.configure_prefix = 'C';
    c.configure_length = 6;
    v.push_back(c);
  }
  return v;
}

}  // namespace

const std::vector<MatrixCodecConfig>& matrix_presets() {
  static const std::vector<MatrixCodecConfig> presets = build_presets();
  return presets;
}

Result<std::vector<StreamInfo>> matrix_streams(const MatrixCodecConfig& c) {
  if (auto st = c.validate(); !st) return st.error();
  Result<SensorLayout> layout = [&]() -> Result<SensorLayout> {
    if (!c.sensor_set) return SensorLayout::grid(c.rows, c.cols, c.row_pitch_mm, c.col_pitch_mm);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return SensorLayout::sensors(Eigen::MatrixX2d::Constant(c.rows, 2, nan),
                                 Eigen::VectorXd::Constant(c.rows, nan));
  }();
  if (!layout) return layout.error();
  StreamInfo base;
  base.layout = *layout;
  base.sample_rate_hz = c.frame_rate_hz;
  base.device = c.device.empty() ? c.name : c.device;
  base.attributes["protocol"] = c.name;
  if (!c.provenance.empty()) base.attributes["provenance"] = c.provenance;
  base.units = c.units;
  if (!c.raw_unit.empty()) base.attributes["raw_unit"] = c.raw_unit;
  if (c.units == PressureUnits::counts)
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
  info.provenance = config.provenance;
  return info;
}

}  // namespace insole::drivers
