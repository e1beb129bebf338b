#pragma once
// The worked example of docs/devices.md, section 2.1: a clinic's own 40 x 40 mat described in a
// file (used by the description parser's tests and the command-line tests alike).

namespace insole::test {

inline constexpr const char* kClinicMat = R"({
  "format": "insole-device",
  "format_version": 1,
  "name": "clinic_mat",
  "description": "Clinic's own 40x40 mat: 5A A5 + 1600 x u16 LE + sum8",
  "device": "Clinic 40x40 resistive mat",
  "frame_rate_hz": 40,
  "transport": {"baud": 250000, "usb": "1a86:7523"},
  "framing": {"type": "header", "sync": "5A A5", "checksum": "sum8_payload"},
  "values": {"type": "u16le", "order": "col_major", "max_raw": 1023},
  "layout": {"kind": "grid", "rows": 40, "cols": 40, "pitch_mm": [8.5, 8.5]},
  "stream": {"name": "mat", "side": "both"},
  "provenance": {"wire_format": "measured", "values": "measured", "geometry": "measured",
                 "rate": "guessed", "sources": ["our firmware, rev 3"], "notes": "pitch measured with a ruler"}
})";

}  // namespace insole::test
