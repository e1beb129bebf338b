// SerialPort against a real pseudo-terminal: open, raw 8N1, baud rates (standard and termios2),
// read timeouts, interrupt, end of file on unplug. No mocks.
#include "insole/drivers/transport/serial_port.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "insole/drivers/transport/pseudo_terminal.hpp"

namespace insole::drivers {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint8_t> read_exactly(SerialPort& port, std::size_t n) {
  std::vector<std::uint8_t> got;
  std::vector<std::uint8_t> buf(256);
  for (int tries = 0; got.size() < n && tries < 200; ++tries) {
    auto r = port.read_some(buf, 100ms);
    if (r) got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(*r));
    else if (r.error().code != Errc::timeout) break;
  }
  return got;
}

std::vector<std::uint8_t> read_master(PseudoTerminal& pty, std::size_t n) {
  std::vector<std::uint8_t> got;
  std::vector<std::uint8_t> buf(256);
  for (int tries = 0; got.size() < n && tries < 200; ++tries) {
    auto r = pty.read(buf, 50ms);
    if (!r) break;
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(*r));
  }
  return got;
}

TEST(SerialPort, MissingPathIsNotFound) {
  SerialPort port;
  auto st = port.open("/dev/does-not-exist-insole");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::not_found);
  EXPECT_NE(st.error().message.find("/dev/does-not-exist-insole"), std::string::npos);
  EXPECT_FALSE(port.is_open());
}

TEST(SerialPort, ZeroBaudIsRejected) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty) << pty.error().message;
  SerialPort port;
  auto st = port.open(pty->slave_path(), SerialSettings{0, true});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::invalid_argument);
}

TEST(SerialPort, ControlBytesPassUnmodifiedBothWays) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty) << pty.error().message;
  SerialPort port;
  ASSERT_TRUE(port.open(pty->slave_path(), SerialSettings{115200, true}));
  // CR, LF, XON/XOFF, ^C, 0xFF, 0x00: a cooked terminal would translate or swallow these.
  const std::vector<std::uint8_t> bytes{0xAA, 0x0D, 0x0A, 0x03, 0x11, 0x13, 0xFF, 0x00, 0x7F, 0x1A};
  ASSERT_TRUE(pty->write_all(bytes, 1000ms));
  EXPECT_EQ(read_exactly(port, bytes.size()), bytes);
  ASSERT_TRUE(port.write_all(bytes, 1000ms));
  EXPECT_EQ(read_master(*pty, bytes.size()), bytes);
}

TEST(SerialPort, StandardBaudReadsBack) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  SerialPort port;
  ASSERT_TRUE(port.open(pty->slave_path(), SerialSettings{921600, true}));
  auto baud = port.current_baud();
  ASSERT_TRUE(baud) << baud.error().message;
  EXPECT_EQ(*baud, 921600u);
}

TEST(SerialPort, NonStandardBaudGoesThroughTermios2) {
  // 250000 is not a Bnnn constant: Asio's baud_rate option refuses it, termios2/BOTHER sets it.
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  SerialPort port;
  auto st = port.open(pty->slave_path(), SerialSettings{250000, true});
  ASSERT_TRUE(st) << st.error().message;
  auto baud = port.current_baud();
  ASSERT_TRUE(baud) << baud.error().message;
  EXPECT_EQ(*baud, 250000u);
}

TEST(SerialPort, ReadTimesOutWhenNothingArrives) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  SerialPort port;
  ASSERT_TRUE(port.open(pty->slave_path()));
  std::vector<std::uint8_t> buf(16);
  auto r = port.read_some(buf, 30ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::timeout);
  // The port stays usable after a timeout-cancelled read.
  const std::vector<std::uint8_t> ping{1, 2, 3};
  ASSERT_TRUE(pty->write_all(ping, 1000ms));
  EXPECT_EQ(read_exactly(port, 3), ping);
}

TEST(SerialPort, InterruptFromAnotherThreadCancelsARead) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  SerialPort port;
  ASSERT_TRUE(port.open(pty->slave_path()));
  std::thread t([&] {
    std::this_thread::sleep_for(50ms);
    port.interrupt();
  });
  std::vector<std::uint8_t> buf(16);
  auto r = port.read_some(buf, std::chrono::milliseconds(60000));
  t.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::cancelled);
  port.clear_interrupt();
  const std::vector<std::uint8_t> ping{9};
  ASSERT_TRUE(pty->write_all(ping, 1000ms));
  EXPECT_EQ(read_exactly(port, 1), ping);
}

TEST(SerialPort, ClosingTheMasterReadsAsDisconnected) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  SerialPort port;
  ASSERT_TRUE(port.open(pty->slave_path()));
  pty->close();
  std::vector<std::uint8_t> buf(16);
  Result<std::size_t> r = std::size_t{0};
  for (int i = 0; i < 50; ++i) {
    r = port.read_some(buf, 100ms);
    if (!r && r.error().code != Errc::timeout) break;
  }
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::disconnected) << r.error().message;
}

TEST(SerialPort, OperationsOnAClosedPortFailCleanly) {
  SerialPort port;
  std::vector<std::uint8_t> buf(4);
  auto r = port.read_some(buf, 10ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::disconnected);
  EXPECT_FALSE(port.write_all(buf, 10ms));
  port.close();
  port.close();
}

TEST(SerialPort, StaleInputIsDiscardedOnOpen) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  {
    SerialPort first;
    ASSERT_TRUE(first.open(pty->slave_path()));
    const std::vector<std::uint8_t> stale{0xDE, 0xAD};
    ASSERT_TRUE(pty->write_all(stale, 1000ms));
    std::this_thread::sleep_for(20ms);
    // `first` closes with the bytes unread; a pty keeps them in its buffer.
  }
  SerialPort port;
  ASSERT_TRUE(port.open(pty->slave_path(), SerialSettings{115200, true}));
  const std::vector<std::uint8_t> fresh{0x42};
  ASSERT_TRUE(pty->write_all(fresh, 1000ms));
  EXPECT_EQ(read_exactly(port, 1), fresh);
}

}  // namespace
}  // namespace insole::drivers
