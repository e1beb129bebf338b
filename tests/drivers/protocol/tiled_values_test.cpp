// A frame sent tile by tile (values.tiles in a device description, docs/devices.md): the cells of a
// 4 x 4 grid sent as four 2 x 2 tiles, each wire order worked out by hand below, decoded from a
// description file, written back by the device model, and refused with the field named when the
// tiles do not divide the grid.
#include <gtest/gtest.h>

#include "decoder_harness.hpp"
#include "insole/drivers/protocol/device_description.hpp"
#include "insole/drivers/protocol/matrix_codec.hpp"

namespace insole::drivers {
namespace {

using test::Bytes;
using test::operator+;

std::string description(const std::string& tiles, const std::string& order) {
  return R"({"format": "insole-device", "format_version": 1, "name": "tiled4", "description": "a 4x4 mat sent as 2x2 tiles",
    "frame_rate_hz": 50, "transport": {"baud": 115200},
    "framing": {"type": "header", "sync": "A5 5A", "checksum": "none"},
    "values": {"type": "u8", "order": ")" + order + R"(", "max_raw": 255)" + tiles + R"(},
    "layout": {"kind": "grid", "rows": 4, "cols": 4, "pitch_mm": [10, 10]},
    "provenance": {"wire_format": "measured", "values": "measured", "geometry": "measured", "rate": "measured"}})";
}

// The wire carries 0, 1, ..., 15 after the sync.
Bytes frame() {
  Bytes b{0xA5, 0x5A};
  for (std::uint8_t k = 0; k < 16; ++k) b.push_back(k);
  return b;
}

struct Case {
  std::string tiles, order;
  std::vector<float> grid;  // the decoded frame, row-major
};

TEST(TiledValues, EachWireOrderByHand) {
  const std::vector<Case> cases = {
      // Tiles row by row (top-left, top-right, bottom-left, bottom-right), cells row by row:
      // wire 0..3 fill rows 0-1 of columns 0-1, 4..7 rows 0-1 of columns 2-3, ...
      {R"(, "tiles": {"rows": 2, "cols": 2, "order": "row_major"})", "row_major",
       {0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}},
      // Tiles row by row, the cells of each column by column: (0,0) 0, (1,0) 1, (0,1) 2, (1,1) 3.
      {R"(, "tiles": {"rows": 2, "cols": 2})", "col_major",
       {0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15}},
      // Tiles column by column (top-left, bottom-left, top-right, bottom-right), cells row by row.
      {R"(, "tiles": {"rows": 2, "cols": 2, "order": "col_major"})", "row_major",
       {0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15}},
      // One tile of 2 rows x 4 columns above another: the same as row-major within each.
      {R"(, "tiles": {"rows": 2, "cols": 4})", "row_major",
       {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
      // Tiles of 2 rows x 4 columns, one above the other, taken column by column (top, bottom),
      // cells column by column: (0,0) 0, (1,0) 1, (0,1) 2, ... (1,3) 7, then rows 2-3.
      {R"(, "tiles": {"rows": 2, "cols": 4, "order": "col_major"})", "col_major",
       {0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15}},
      // Tiles of 4 rows x 2 columns side by side, taken row by row (left, right), cells row by
      // row: (0,0) 0, (0,1) 1, (1,0) 2, ... (3,1) 7, then columns 2-3.
      {R"(, "tiles": {"rows": 4, "cols": 2})", "row_major",
       {0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15}},
      // No tiles: the whole grid column by column.
      {"", "col_major", {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.order + c.tiles);
    auto config = parse_device_description(description(c.tiles, c.order), "tiled4.json");
    ASSERT_TRUE(config) << config.error().message;
    MatrixDecoder d(*config);
    const test::Decoded r = test::decode_all_ways(d, Bytes{0x00, 0xA5} + frame() + frame(), 5);
    ASSERT_EQ(r.frames.size(), 2u);
    for (const auto& f : r.frames) {
      ASSERT_EQ(f.pressure_kpa.size(), 16);
      for (int s = 0; s < 16; ++s) EXPECT_EQ(f.pressure_kpa(s), c.grid[std::size_t(s)]) << "sensel " << s;
    }
    // The device model sends the grid back in the same wire order.
    MatrixDeviceModel model(*config);
    PressureFrame g;
    g.pressure_kpa = Eigen::Map<const Eigen::VectorXf>(c.grid.data(), 16);
    Bytes out;
    model.encode_frame(g, out);
    EXPECT_EQ(out, frame());
    // Written back, the description reads as the same device.
    auto again = parse_device_description(to_device_description(*config), "again");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(to_device_description(*again), to_device_description(*config));
    EXPECT_EQ(again->tile_rows, config->tile_rows);
    EXPECT_EQ(again->tile_order, config->tile_order);
  }
}

TEST(TiledValues, TilesThatDoNotDivideTheGridAreRefusedNamingTheFields) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(, "tiles": {"rows": 3, "cols": 2})",
       "fields 'values.tiles', 'layout.rows' and 'layout.cols': tiles of 3 x 2 cells do not divide the 4 x 4 grid"},
      {R"(, "tiles": {"rows": 2})", "field 'values.tiles.cols': missing"},
      {R"(, "tiles": {"rows": 2, "cols": 0})", "field 'values.tiles.cols': must be between 1 and 4096, got 0"},
      {R"(, "tiles": {"rows": 2, "cols": 2, "order": "diagonal"})", "field 'values.tiles.order': \"diagonal\" is not one of"},
      {R"(, "tiles": {"rows": 2, "cols": 2, "size": 4})", "field 'values.tiles.size': unknown field"},
      {R"(, "tiles": [2, 2])", "field 'values.tiles': expected an object, found array"},
  };
  for (const auto& [tiles, expected] : cases) {
    auto c = parse_device_description(description(tiles, "row_major"), "tiled4.json");
    ASSERT_FALSE(c) << "accepted, expected: " << expected;
    EXPECT_NE(c.error().message.find(expected), std::string::npos) << c.error().message << "\n  expected: " << expected;
  }
}

}  // namespace
}  // namespace insole::drivers
