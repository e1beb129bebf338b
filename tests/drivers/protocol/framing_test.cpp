#include "insole/drivers/protocol/framing.hpp"

#include <gtest/gtest.h>

#include <random>

namespace insole::drivers {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(Sum8, KeepsTheLowEightBitsOfTheSum) {
  EXPECT_EQ(sum8(Bytes{}), 0);
  EXPECT_EQ(sum8(Bytes{0xFF, 0x02}), 0x01);  // 255 + 2 = 257 = 0x101
  // "S3NS31" = 0x53 + 0x33 + 0x4E + 0x53 + 0x33 + 0x31 = 395 = 0x18B -> 0x8B
  EXPECT_EQ(sum8(Bytes{'S', '3', 'N', 'S', '3', '1'}), 0x8B);
}

Bytes range(int from, int to) {  // inclusive
  Bytes b;
  for (int v = from; v <= to; ++v) b.push_back(static_cast<std::uint8_t>(v));
  return b;
}
Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Reference examples of COBS (Cheshire & Baker 1999; the table in the Wikipedia article
// "Consistent Overhead Byte Stuffing"), without the trailing 0x00 delimiter.
TEST(Cobs, EncodesTheReferenceExamples) {
  EXPECT_EQ(slip_encode(Bytes{0x01, 0xC0, 0xDB, 0x02}), (Bytes{0x01, 0xDB, 0xDC, 0xDB, 0xDD, 0x02}));
  EXPECT_EQ(slip_decode(Bytes{0x01, 0xDB, 0xDC, 0xDB, 0xDD, 0x02}), (Bytes{0x01, 0xC0, 0xDB, 0x02}));
  EXPECT_EQ(slip_decode(Bytes{0x01, 0xDB}), std::nullopt);        // a dangling escape
  EXPECT_EQ(slip_decode(Bytes{0x01, 0xDB, 0x01}), std::nullopt);  // an escape of nothing special
  EXPECT_EQ(slip_decode(Bytes{0x01, 0xC0}), std::nullopt);        // END inside a packet
  EXPECT_EQ(cobs_encode(Bytes{}), (Bytes{0x01}));
  EXPECT_EQ(cobs_encode(Bytes{0x00}), (Bytes{0x01, 0x01}));
  EXPECT_EQ(cobs_encode(Bytes{0x00, 0x00}), (Bytes{0x01, 0x01, 0x01}));
  EXPECT_EQ(cobs_encode(Bytes{0x00, 0x11, 0x00}), (Bytes{0x01, 0x02, 0x11, 0x01}));
  EXPECT_EQ(cobs_encode(Bytes{0x11, 0x22, 0x00, 0x33}), (Bytes{0x03, 0x11, 0x22, 0x02, 0x33}));
  EXPECT_EQ(cobs_encode(Bytes{0x11, 0x22, 0x33, 0x44}), (Bytes{0x05, 0x11, 0x22, 0x33, 0x44}));
  EXPECT_EQ(cobs_encode(Bytes{0x11, 0x00, 0x00, 0x00}), (Bytes{0x02, 0x11, 0x01, 0x01, 0x01}));
  // 01..FE (254 bytes) -> FF 01..FE
  EXPECT_EQ(cobs_encode(range(0x01, 0xFE)), cat(Bytes{0xFF}, range(0x01, 0xFE)));
  // 00 01..FE -> 01 FF 01..FE
  EXPECT_EQ(cobs_encode(cat(Bytes{0x00}, range(0x01, 0xFE))),
            cat(Bytes{0x01, 0xFF}, range(0x01, 0xFE)));
  // 01..FF (255 bytes) -> FF 01..FE 02 FF
  EXPECT_EQ(cobs_encode(range(0x01, 0xFF)), cat(cat(Bytes{0xFF}, range(0x01, 0xFE)), Bytes{0x02, 0xFF}));
  // 02..FF 00 -> FF 02..FF 01 01
  EXPECT_EQ(cobs_encode(cat(range(0x02, 0xFF), Bytes{0x00})),
            cat(cat(Bytes{0xFF}, range(0x02, 0xFF)), Bytes{0x01, 0x01}));
  // 03..FF 00 01 -> FE 03..FF 02 01
  EXPECT_EQ(cobs_encode(cat(range(0x03, 0xFF), Bytes{0x00, 0x01})),
            cat(cat(Bytes{0xFE}, range(0x03, 0xFF)), Bytes{0x02, 0x01}));
}

TEST(Cobs, DecodesTheReferenceExamplesAndRoundTripsRandomData) {
  EXPECT_EQ(cobs_decode(Bytes{0x03, 0x11, 0x22, 0x02, 0x33}), (Bytes{0x11, 0x22, 0x00, 0x33}));
  EXPECT_EQ(cobs_decode(Bytes{0x01, 0x01, 0x01}), (Bytes{0x00, 0x00}));
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    Bytes data(std::uniform_int_distribution<std::size_t>(0, 700)(rng));
    for (auto& b : data) b = static_cast<std::uint8_t>(rng() % (trial % 2 ? 3 : 256));  // zero-rich too
    const Bytes enc = cobs_encode(data);
    EXPECT_EQ(std::count(enc.begin(), enc.end(), 0), 0);
    EXPECT_LE(enc.size(), data.size() + data.size() / 254 + 1);
    EXPECT_EQ(cobs_decode(enc), data);
  }
}

TEST(Cobs, RejectsMalformedPackets) {
  EXPECT_FALSE(cobs_decode(Bytes{0x05, 0x11, 0x22}));        // code points past the end
  EXPECT_FALSE(cobs_decode(Bytes{0x03, 0x11, 0x00, 0x01}));  // a zero inside a packet
  EXPECT_FALSE(cobs_decode(Bytes{0x00}));
}

}  // namespace
}  // namespace insole::drivers
