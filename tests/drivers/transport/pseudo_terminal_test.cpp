#include "insole/drivers/transport/pseudo_terminal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace insole::drivers {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(PseudoTerminal, OpensASlaveAndALink) {
  test::TempDir dir;
  const std::string link = (dir / "ttyEMU").string();
  auto pty = PseudoTerminal::open(link);
  ASSERT_TRUE(pty) << pty.error().message;
  EXPECT_TRUE(fs::exists(pty->slave_path()));
  EXPECT_EQ(fs::read_symlink(link).string(), pty->slave_path());
  EXPECT_EQ(pty->host_path(), link);
  EXPECT_FALSE(pty->host_connected());
}

TEST(PseudoTerminal, SeesTheHostComeAndGo) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  EXPECT_FALSE(pty->host_connected());
  const int fd = ::open(pty->slave_path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(pty->host_connected());
  const std::uint8_t bytes[] = {1, 2, 3, 4, 5};
  ASSERT_TRUE(pty->write_all(bytes, 1000ms));
  // The kernel moves bytes to the slave's queue asynchronously; give it a moment.
  for (int i = 0; i < 200 && pty->host_unread_bytes() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(pty->host_unread_bytes(), 5u);
  ::close(fd);
  EXPECT_FALSE(pty->host_connected());
}

TEST(PseudoTerminal, ReplacingTheLinkIsAtomicAndRemovalOnlyTouchesItsOwn) {
  test::TempDir dir;
  const std::string link = (dir / "ttyEMU").string();
  auto first = PseudoTerminal::open(link);
  ASSERT_TRUE(first);
  auto second = PseudoTerminal::open(link);
  ASSERT_TRUE(second);
  EXPECT_EQ(fs::read_symlink(link).string(), second->slave_path());
  first->close(/*remove_link=*/true);  // not ours any more: must stay
  EXPECT_TRUE(fs::is_symlink(link));
  second->close(/*remove_link=*/true);
  EXPECT_FALSE(fs::is_symlink(link));
  EXPECT_FALSE(second->is_open());
}

TEST(PseudoTerminal, ReadWithoutHostTimesOutWithNothing) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  std::uint8_t buf[8];
  auto r = pty->read(buf, 10ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 0u);
}

TEST(PseudoTerminal, WriteTimesOutWhenTheHostNeverReads) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  const int fd = ::open(pty->slave_path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  std::vector<std::uint8_t> big(1 << 20, 0x55);  // far more than a terminal buffer holds
  auto st = pty->write_all(big, 100ms);
  ::close(fd);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::timeout);
}

TEST(PseudoTerminal, ClosedTerminalRefusesIo) {
  auto pty = PseudoTerminal::open();
  ASSERT_TRUE(pty);
  pty->close();
  pty->close();
  std::uint8_t buf[4] = {};
  EXPECT_FALSE(pty->read(buf, 1ms));
  EXPECT_FALSE(pty->write_all(buf, 1ms));
  EXPECT_FALSE(pty->host_connected());
}

}  // namespace
}  // namespace insole::drivers
