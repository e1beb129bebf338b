// Sensel Morph register protocol. Golden vectors are written by hand from the survey
// (devices-and-formats.md section 1.1 "Register framing" and "Frame payload", section 4.1 spec
// sketch), which cites sensel/sensel-api and the Sensel-Morph-Liberation protocol write-up.

#include "insole/drivers/protocol/sensel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "decoder_harness.hpp"
#include "insole/drivers/protocol/framing.hpp"

namespace insole::drivers::sensel {
namespace {

using test::Bytes;
using test::text;
using test::operator+;

// Pressure of one sensel carrying 1 g: 9.80665e-3 N over (230/185 mm x 130/105 mm) sensels
// = 9.80665e-3 / 1.539254 mm^2 * 1e3 = 6.3710 kPa.
constexpr double kKpaPerGram = 9.80665 / ((230.0 / 185.0) * (130.0 / 105.0));

// Section 1.1: read of the magic register. Host 81 00 06; device 01 00 06 00 "S3NS31" sum8,
// sum8 = 0x53+0x33+0x4E+0x53+0x33+0x31 = 0x18B -> 0x8B.
const Bytes kMagicRequest{0x81, 0x00, 0x06};
const Bytes kMagicReply{0x01, 0x00, 0x06, 0x00, 'S', '3', 'N', 'S', '3', '1', 0x8B};

// A sync frame reply (section 1.1 "Sync read of one frame": 03 26 00 len_le16 payload sum8).
// Payload: mask 0x01 (pressure), counter, timestamp 0x00002710 (10000, LE 10 27 00 00),
// pressure body (section 1.1 "Pressure image compression", medium grid 47x27 = 1269 cells):
//   03        base 3
//   0A        zero run of 10 cells
//   0C        value mode: 3 + 12 = 15        -> cell 10
//   81 01     (0x01) | (0x01 << 7) = 129 -> 3 + 129 = 132 -> cell 11
//   00        back to zero-run mode
//   E9 09     (0x69) | (0x09 << 7) = 1257 zeros: 10 + 2 + 1257 = 1269 cells
// sum8 of the payload with counter 0x20:
//   01+20+10+27+00+00+03+0A+0C+81+01+00+E9+09 = 485 = 0x1E5 -> 0xE5; other counters shift it.
Bytes frame_packet(std::uint8_t counter, std::uint8_t kind = 0x03) {
  const std::uint8_t sum = static_cast<std::uint8_t>(0xE5 - 0x20 + counter);
  return {kind, 0x26, 0x00, 0x0E, 0x00,                                      // header, len 14
          0x01, counter, 0x10, 0x27, 0x00, 0x00,                             // mask, counter, ts
          0x03, 0x0A, 0x0C, 0x81, 0x01, 0x00, 0xE9, 0x09,                    // body
          sum};
}

void expect_golden_pressure(const Eigen::VectorXf& kpa) {
  ASSERT_EQ(kpa.size(), 1269);
  // raw 15 / 2^3 = 1.875 g; raw 132 / 8 = 16.5 g (force shift 3, register 0xA1).
  EXPECT_NEAR(kpa(10), 1.875 * kKpaPerGram, 1e-3);
  EXPECT_NEAR(kpa(11), 16.5 * kKpaPerGram, 1e-3);
  EXPECT_EQ((kpa.array() != 0).count(), 2);
}

TEST(SenselCompression, QuietFrameBodyDecodesToAnAllZeroMediumGrid) {
  // Liberation doc: the quiet frame body 03 f5 09 is an all-zero 47x27 grid
  // (base 3, then a zero run of (0x75) | (0x09 << 7) = 117 + 1152 = 1269 cells).
  std::size_t used = 0;
  auto v = decompress_pressure(Bytes{0x03, 0xF5, 0x09}, 47 * 27, &used);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->size(), 1269u);
  EXPECT_EQ(std::count(v->begin(), v->end(), 0u), 1269);
  EXPECT_EQ(used, 3u);
}

TEST(SenselCompression, RejectsOverrunsAndShortBodies) {
  EXPECT_FALSE(decompress_pressure(Bytes{0x03, 0xF6, 0x09}, 1269));  // run of 1270 > 1269
  EXPECT_FALSE(decompress_pressure(Bytes{0x03, 0x0A, 0x05}, 1269));  // ends after 11 cells
  EXPECT_FALSE(decompress_pressure(Bytes{0x03, 0xF5}, 1269));        // varint cut in half
  EXPECT_FALSE(decompress_pressure(Bytes{}, 1269));
}

TEST(SenselCompression, RoundTripsValuesAndLongZeroRuns) {
  std::vector<std::uint32_t> values(40000, 0);  // a zero run longer than one varint (32767)
  values[3] = 7;
  values[4] = 7;
  values[5] = 20000;
  values[39999] = 9;
  const Bytes body = compress_pressure(values);
  std::size_t used = 0;
  auto back = decompress_pressure(body, values.size(), &used);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, values);
  EXPECT_EQ(used, body.size());
  // All zero: base 0 and a single run 1269 = F5 09.
  EXPECT_EQ(compress_pressure(std::vector<std::uint32_t>(1269, 0)), (Bytes{0x00, 0xF5, 0x09}));
}

TEST(SenselDecoder, GoldenMagicReplyIdentifiesTheDevice) {
  SenselDecoder d;
  std::vector<PressureFrame> out;
  d.feed(kMagicReply, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(d.stats().replies, 1u);
  ASSERT_TRUE(d.facts().magic);
  EXPECT_EQ(*d.facts().magic, "S3NS31");
  EXPECT_TRUE(d.device_status().ok());
}

TEST(SenselDecoder, WrongMagicIsReportedAsAnotherDevice) {
  // 01 00 06 00 "ABCDEF" sum8 = 0x41+..+0x46 = 0x195 -> 0x95
  SenselDecoder d;
  std::vector<PressureFrame> out;
  d.feed(Bytes{0x01, 0x00, 0x06, 0x00, 'A', 'B', 'C', 'D', 'E', 'F', 0x95}, out);
  ASSERT_FALSE(d.device_status().ok());
  EXPECT_EQ(d.device_status().error().code, Errc::unsupported);
  EXPECT_NE(d.device_status().error().message.find("ABCDEF"), std::string::npos);
}

TEST(SenselDecoder, GoldenSyncFrame) {
  SenselDecoder d;
  std::vector<Frame> frames;
  d.feed_frames(frame_packet(0x20), frames);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].counter, 0x20);
  EXPECT_EQ(frames[0].sequence, 0x20u);  // the first frame takes the device counter
  EXPECT_EQ(frames[0].timestamp, 10000u);
  EXPECT_TRUE(frames[0].contacts.empty());
  ASSERT_TRUE(frames[0].pressure_kpa);
  expect_golden_pressure(*frames[0].pressure_kpa);
  EXPECT_EQ(d.stats().frames, 1u);
  EXPECT_EQ(d.stats().replies, 1u);  // an RVS reply
}

TEST(SenselDecoder, AnySplitGivesTheSameFramesAndCountsLostFrames) {
  // Boot noise, the magic reply, a write ack (05 25), frames 0x20 and 0x21, then 0x24 (two lost:
  // (0x24 - 0x21 - 1) mod 256 = 2), then an async push 0x25 and a counter wrap 0xFF -> 0x00 is
  // checked separately below.
  const Bytes noise = text("boot\r\n");  // all bytes outside 0x01..0x0A except \n: garbage
  test::Capture c;
  c.append(noise + kMagicReply + Bytes{0x05, 0x25} + frame_packet(0x20) + frame_packet(0x21) +
           frame_packet(0x24) + frame_packet(0x25, 0x09));
  SenselDecoder d;
  const test::Decoded r = test::decode_all_ways(d, c);
  ASSERT_EQ(r.frames.size(), 4u);
  EXPECT_EQ(r.frames[0].sequence, 0x20u);
  EXPECT_EQ(r.frames[1].sequence, 0x21u);
  EXPECT_EQ(r.frames[2].sequence, 0x24u);
  EXPECT_EQ(r.frames[3].sequence, 0x25u);
  for (const auto& f : r.frames) expect_golden_pressure(f.pressure_kpa);
  EXPECT_EQ(r.stats.frames, 4u);
  EXPECT_EQ(r.stats.lost_frames, 2u);
  EXPECT_EQ(r.stats.garbage_bytes, noise.size());
  EXPECT_EQ(r.stats.resyncs, 1u);
  EXPECT_EQ(r.stats.replies, 5u);  // magic, write ack, three RVS frame replies (async is no reply)
  EXPECT_EQ(r.stats.checksum_errors, 0u);
  EXPECT_EQ(r.stats.bytes, c.bytes.size());
}

TEST(SenselDecoder, CounterWrapExtendsTheSequence) {
  SenselDecoder d;
  const test::Decoded r = test::decode_all_ways(d, frame_packet(0xFE) + frame_packet(0xFF) +
                                                       frame_packet(0x00) + frame_packet(0x02));
  ASSERT_EQ(r.frames.size(), 4u);
  EXPECT_EQ(r.frames[2].sequence, 0x100u);
  EXPECT_EQ(r.frames[3].sequence, 0x102u);
  EXPECT_EQ(r.stats.lost_frames, 1u);
}

TEST(SenselDecoder, CorruptedChecksumDropsOnlyThatFrame) {
  Bytes bad = frame_packet(0x20);
  bad.back() = 0xE6;  // correct sum is 0xE5
  SenselDecoder d;
  const test::Decoded r = test::decode_all_ways(d, frame_packet(0x1F) + bad + frame_packet(0x21));
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[1].sequence, 0x21u);
  EXPECT_EQ(r.stats.checksum_errors, 1u);
  EXPECT_EQ(r.stats.lost_frames, 1u);  // 0x20 never arrived
  // After the failed candidate the decoder rescans from its second byte: 26 00 0E 00 are not
  // packet starts; 01 20 10 27 claims a 0x2710-byte register read (> 255) ; 03 0A 0C is not an
  // RVS header (third byte not 0); 01 00 E9 09 claims 0x09E9 bytes; 09 E6 is no async frame
  // (register not 0x26). So every byte of the bad packet is garbage, in one run.
  EXPECT_EQ(r.stats.garbage_bytes, bad.size());
  EXPECT_EQ(r.stats.resyncs, 1u);
}

TEST(SenselDecoder, TruncatedFrameIsCaughtByTheChecksum) {
  // A packet cut after 10 bytes, followed by a whole one. The cut candidate claims 14 payload
  // bytes, takes 01 20 10 27 00 03 26 00 0E 00 01 20 10 27 (sum 0xE7) and finds 00 where its
  // checksum should be; rescanning then drops 26 00 0E 00, 01 (claims 0x2710 bytes), 20 10 27 00
  // and resynchronises on the whole packet: 10 garbage bytes.
  const Bytes whole = frame_packet(0x20);
  const Bytes cut(whole.begin(), whole.begin() + 10);
  SenselDecoder d;
  const test::Decoded r = test::decode_all_ways(d, cut + whole);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.stats.checksum_errors, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, 10u);
  EXPECT_EQ(r.stats.resyncs, 1u);
}

TEST(SenselDecoder, OversizedClaimedLengthsAreNotTrusted) {
  // 03 26 00 FF FF claims 65535 bytes (more than the 32768 accepted for a frame): dropped at once
  // instead of waiting for 64 KiB. 01 10 00 10 claims 0x1000 bytes from a fixed read (at most
  // 255). Each lie is dropped byte by byte (no byte of either starts a plausible packet).
  const Bytes lie1{0x03, 0x26, 0x00, 0xFF, 0xFF};
  const Bytes lie2{0x01, 0x10, 0x00, 0x10};
  SenselDecoder d;
  const test::Decoded r =
      test::decode_all_ways(d, lie1 + frame_packet(0x20) + lie2 + frame_packet(0x21));
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.stats.garbage_bytes, lie1.size() + lie2.size());
  EXPECT_EQ(r.stats.resyncs, 2u);
  EXPECT_EQ(r.stats.frames, 2u);
}

TEST(SenselDecoder, NacksAreCountedAsReplies) {
  SenselDecoder d;
  const test::Decoded r = test::decode_all_ways(d, Bytes{0x06, 0x25, 0x04, 0x26, 0x05, 0x23});
  EXPECT_EQ(r.stats.replies, 3u);
  EXPECT_EQ(r.stats.nacks, 2u);
  EXPECT_EQ(r.stats.garbage_bytes, 0u);
}

TEST(SenselDecoder, MalformedPressureBodyWithAGoodChecksumIsCounted) {
  // Payload: mask 01, counter 07, ts 0, body 03 0A (ends after a 10-cell run): 8 bytes,
  // sum8 = 01+07+03+0A = 0x15.
  const Bytes p{0x03, 0x26, 0x00, 0x08, 0x00, 0x01, 0x07, 0, 0, 0, 0, 0x03, 0x0A, 0x15};
  SenselDecoder d;
  const test::Decoded r = test::decode_all_ways(d, p + frame_packet(0x08));
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.stats.malformed_frames, 1u);
  EXPECT_EQ(r.stats.checksum_errors, 0u);
  EXPECT_EQ(r.stats.garbage_bytes, 0u);
}

TEST(SenselDecoder, ParsesContactsAndAccelerometer) {
  // Payload: mask 0x0C (contacts + accel), counter 1, ts 0, contact field mask 0x08 (peak),
  // one contact: id 3, state 2, x 0x0A00 (10 mm at shift 8), y 0x1400 (20 mm), force 0x0050
  // (80 / 2^3 = 10 g), area 0x0006 (6 sensels), peak x 11, y 21 (whole mm), peak force 0x0010
  // (2 g); accel x 0, y -1 (FF FF), z 15600 (0x3CF0).
  Bytes payload{0x0C, 0x01, 0, 0, 0, 0, 0x08, 0x01, 0x03, 0x02, 0x00, 0x0A, 0x00, 0x14,
                0x50, 0x00, 0x06, 0x00, 0x0B, 0x00, 0x15, 0x00, 0x10, 0x00,
                0x00, 0x00, 0xFF, 0xFF, 0xF0, 0x3C};
  Bytes packet{0x03, 0x26, 0x00, static_cast<std::uint8_t>(payload.size()), 0x00};
  packet = packet + payload + Bytes{sum8(payload)};
  SenselDecoder d;
  std::vector<Frame> frames;
  d.feed_frames(packet, frames);
  ASSERT_EQ(frames.size(), 1u);
  const Frame& f = frames[0];
  EXPECT_FALSE(f.pressure_kpa);
  ASSERT_EQ(f.contacts.size(), 1u);
  const Contact& c = f.contacts[0];
  EXPECT_EQ(c.id, 3);
  EXPECT_EQ(c.state, 2);
  EXPECT_DOUBLE_EQ(c.x_mm, 10.0);
  EXPECT_DOUBLE_EQ(c.y_mm, 20.0);
  EXPECT_DOUBLE_EQ(c.force_g, 10.0);
  EXPECT_DOUBLE_EQ(c.area_sensels, 6.0);
  EXPECT_FALSE(c.ellipse);
  ASSERT_TRUE(c.peak);
  EXPECT_DOUBLE_EQ((*c.peak)[0], 11.0);
  EXPECT_DOUBLE_EQ((*c.peak)[1], 21.0);
  EXPECT_DOUBLE_EQ((*c.peak)[2], 2.0);
  ASSERT_TRUE(f.accel);
  EXPECT_EQ((*f.accel)[1], -1);
  EXPECT_EQ((*f.accel)[2], 15600);
  // A frame without pressure is not a PressureFrame.
  std::vector<PressureFrame> out;
  SenselDecoder d2;
  d2.feed(packet, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(d2.stats().frames, 1u);
}

TEST(SenselDecoder, ContactListLongerThanThePayloadIsMalformed) {
  // mask 04, counter 0, ts 0, field mask 0, n = 2 but only one 10-byte contact follows.
  Bytes payload{0x04, 0x00, 0, 0, 0, 0, 0x00, 0x02, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  Bytes packet = Bytes{0x03, 0x26, 0x00, static_cast<std::uint8_t>(payload.size()), 0x00} + payload +
                 Bytes{sum8(payload)};
  SenselDecoder d;
  std::vector<Frame> frames;
  d.feed_frames(packet, frames);
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(d.stats().malformed_frames, 1u);
}

TEST(SenselDecoder, CompressionMetadataMustMatchThePreset) {
  // 03 1C 00 06 00 | 00 00 5d 35 02 02 | sum8 = 0x5D+0x35+2+2 = 0x96 : high-detail metadata.
  const Bytes high{0x03, 0x1C, 0x00, 0x06, 0x00, 0x00, 0x00, 0x5D, 0x35, 0x02, 0x02, 0x96};
  SenselDecoder medium;  // default config: medium detail
  std::vector<PressureFrame> out;
  medium.feed(high, out);
  ASSERT_FALSE(medium.device_status().ok());
  EXPECT_NE(medium.device_status().error().message.find("93x53"), std::string::npos);
  Config cfg;
  cfg.detail = Detail::high;
  SenselDecoder h(cfg);
  h.feed(high, out);
  EXPECT_TRUE(h.device_status().ok());
  ASSERT_TRUE(h.facts().compression);
  EXPECT_EQ(h.facts().compression->cols, 93);
}

TEST(SenselDeviceModel, AnswersTheMagicReadWithTheGoldenBytes) {
  SenselDeviceModel dev;
  Bytes reply;
  dev.on_host_bytes(kMagicRequest, reply);
  EXPECT_EQ(reply, kMagicReply);
}

TEST(SenselDeviceModel, AcknowledgesWritesAndRefusesBadOnes) {
  SenselDeviceModel dev;
  Bytes reply;
  // write 0x25 = 1: 01 25 01 01 sum8(01) = 01 -> ack 05 25
  dev.on_host_bytes(Bytes{0x01, 0x25, 0x01, 0x01, 0x01}, reply);
  EXPECT_EQ(reply, (Bytes{0x05, 0x25}));
  EXPECT_EQ(dev.scan_mode(), 1);
  EXPECT_FALSE(dev.streaming());  // sync mode: streams only while a poll is pending
  reply.clear();
  dev.on_host_bytes(Bytes{0x01, 0x25, 0x01, 0x01, 0x02}, reply);  // bad checksum
  dev.on_host_bytes(Bytes{0x01, 0x00, 0x01, 0x07, 0x07}, reply);  // magic is read-only
  dev.on_host_bytes(Bytes{0x01, 0x23, 0x01, 0x09, 0x09}, reply);  // no detail level 9
  dev.on_host_bytes(Bytes{0x81, 0x30, 0x00}, reply);              // no variable register 0x30
  EXPECT_EQ(reply, (Bytes{0x06, 0x25, 0x06, 0x00, 0x06, 0x23, 0x04, 0x30}));
  reply.clear();
  dev.on_host_bytes(Bytes{0x81, 0x26, 0x00}, reply);  // poll: answered by encode_frame
  EXPECT_TRUE(reply.empty());
  EXPECT_TRUE(dev.streaming());
}

// The whole host conversation: open commands through the device model, decoder replies,
// then polled frames; round trip of pressure within one raw step (1/8 g per sensel).
void run_session(const Config& cfg, int frames) {
  SenselHostSession host(cfg);
  SenselDeviceModel dev;
  SenselDecoder dec(cfg);
  test::Capture wire;
  for (const HostCommand& cmd : host.open_commands()) {
    ASSERT_TRUE(cmd.await_reply);
    Bytes reply;
    const auto before = dec.stats().replies;
    dev.on_host_bytes(cmd.bytes, reply);
    std::vector<PressureFrame> none;
    dec.feed(reply, none);
    wire.append(reply);
    EXPECT_EQ(dec.stats().replies, before + 1) << cmd.what;
    EXPECT_EQ(dec.stats().nacks, 0u) << cmd.what;
  }
  EXPECT_TRUE(dec.device_status().ok());
  EXPECT_EQ(dec.facts().serial, "SM01000000");
  EXPECT_EQ(dec.facts().geometry.cols, 185);
  const CompressionMeta m = CompressionMeta::for_detail(cfg.detail);
  std::mt19937 rng(11);
  std::vector<PressureFrame> sent;
  for (int i = 0; i < frames; ++i) {
    if (!cfg.async) {
      Bytes reply;
      dev.on_host_bytes(host.poll_bytes(), reply);
      EXPECT_TRUE(reply.empty());
    }
    ASSERT_TRUE(dev.streaming());
    PressureFrame f;
    f.sequence = 250u + unsigned(i) + (i >= 3 ? 1u : 0u);  // wraps past 255; frame 253 lost
    f.pressure_kpa = Eigen::VectorXf::Zero(m.cols * m.rows);
    for (int k = 0; k < 60; ++k)
      f.pressure_kpa(int(rng() % unsigned(f.pressure_kpa.size()))) = float(rng() % 4000) / 10.f;
    Bytes bytes;
    dev.encode_frame(f, bytes);
    wire.append(bytes);
    sent.push_back(f);
  }
  if (!cfg.async) {
    EXPECT_FALSE(dev.streaming());
  }
  std::vector<Frame> rich;
  SenselDecoder again(cfg);
  const test::Decoded r = test::decode_all_ways(again, wire);
  ASSERT_EQ(r.frames.size(), sent.size());
  const double step_kpa = kKpaPerGram / 8;  // one raw count at force shift 3
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(r.frames[i].sequence, sent[i].sequence);
    EXPECT_LE((r.frames[i].pressure_kpa - sent[i].pressure_kpa).cwiseAbs().maxCoeff(),
              step_kpa / 2 + 1e-3);
  }
  EXPECT_EQ(r.stats.lost_frames, 1u);
  EXPECT_EQ(r.stats.garbage_bytes, 0u);
  // Contacts: one summarising contact whose force is the load in grams.
  again.reset();
  again.feed_frames(wire.bytes, rich);
  ASSERT_EQ(rich.size(), sent.size());
  ASSERT_EQ(rich[0].contacts.size(), 1u);
  const double cell_sensels = double(m.col_scale) * m.row_scale;
  const double load_g = sent[0].pressure_kpa.cast<double>().sum() / kKpaPerGram * cell_sensels;
  EXPECT_NEAR(rich[0].contacts[0].force_g, std::min(load_g, 65535.0 / 8), 0.01 * load_g + 1);
  // Closing stops the scan.
  for (const HostCommand& cmd : host.close_commands()) {
    Bytes reply;
    dev.on_host_bytes(cmd.bytes, reply);
    EXPECT_EQ(reply, (Bytes{0x05, 0x25}));
  }
  EXPECT_FALSE(dev.streaming());
}

TEST(SenselSession, SyncMediumRoundTrip) { run_session(Config{}, 8); }

TEST(SenselSession, AsyncHighRoundTrip) {
  Config cfg;
  cfg.async = true;
  cfg.detail = Detail::high;
  run_session(cfg, 6);
}

TEST(SenselDeviceModel, ResamplesAnotherDetailGrid) {
  SenselDeviceModel dev;  // medium
  Bytes reply;
  dev.on_host_bytes(Bytes{0x01, 0x25, 0x01, 0x02, 0x02}, reply);  // async
  PressureFrame f;
  f.pressure_kpa = Eigen::VectorXf::Constant(93 * 53, 100.f);  // a high-detail frame
  Bytes bytes;
  dev.encode_frame(f, bytes);
  SenselDecoder d;
  std::vector<PressureFrame> out;
  d.feed(bytes, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].pressure_kpa.size(), 47 * 27);
  EXPECT_NEAR(out[0].pressure_kpa.minCoeff(), 100.f, kKpaPerGram / 16 + 1e-3);
  PressureFrame odd;
  odd.pressure_kpa = Eigen::VectorXf::Zero(10);
  EXPECT_THROW(dev.encode_frame(odd, bytes), std::invalid_argument);
}

TEST(SenselDeviceModel, SaturatesHugePressuresAndZeroesInvalidOnes) {
  SenselDeviceModel dev;
  Bytes reply;
  dev.on_host_bytes(Bytes{0x01, 0x25, 0x01, 0x02, 0x02}, reply);  // async
  PressureFrame f;
  f.pressure_kpa = Eigen::VectorXf::Zero(47 * 27);
  f.pressure_kpa(0) = 1e30f;
  f.pressure_kpa(1) = std::numeric_limits<float>::quiet_NaN();
  f.pressure_kpa(2) = -5.f;
  Bytes bytes;
  dev.encode_frame(f, bytes);
  SenselDecoder d;
  std::vector<PressureFrame> out;
  d.feed(bytes, out);
  ASSERT_EQ(out.size(), 1u);
  // Largest raw value 32767 (one varint above base 0) / 2^3 = 4095.875 g on one sensel.
  EXPECT_NEAR(out[0].pressure_kpa(0), 32767 / 8.0 * kKpaPerGram, 0.05);
  EXPECT_EQ(out[0].pressure_kpa(1), 0.f);
  EXPECT_EQ(out[0].pressure_kpa(2), 0.f);
}

TEST(SenselDeviceModel, SurvivesHostGarbageAndSplitCommands) {
  SenselDeviceModel dev;
  Bytes reply;
  for (std::uint8_t b : text("\xFF\x00garbage") + kMagicRequest) dev.on_host_bytes(Bytes{b}, reply);
  EXPECT_EQ(reply, kMagicReply);
}

}  // namespace
}  // namespace insole::drivers::sensel
