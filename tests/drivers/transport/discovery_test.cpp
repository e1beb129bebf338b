// Discovery on a fake /dev + /sys tree shaped like the kernel's: a CDC-ACM Sensel Morph
// (ttyACM0, interface directory under the USB device that carries idVendor/idProduct), an FTDI
// bridge (ttyUSB0 sits one level deeper, under the usb-serial port directory) and a port without
// USB identity.
#include "insole/drivers/transport/discovery.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "insole/drivers/protocol/decoder.hpp"
#include "support/temp_dir.hpp"

namespace insole::drivers {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text << "\n";
}

struct FakeTree {
  test::TempDir dir;
  DiscoveryRoots roots{dir.path() / "dev", dir.path() / "sys"};

  FakeTree() {
    const fs::path dev = roots.dev, sys = roots.sys;
    fs::create_directories(dev / "serial" / "by-id");
    for (const char* n : {"ttyACM0", "ttyUSB0", "ttyUSB1", "tty0", "ttyS0"}) write(dev / n, "");
    // Sensel: /sys/devices/usb1/1-1 is the USB device, 1-1:1.0 the CDC interface.
    const fs::path sensel = sys / "devices" / "usb1" / "1-1";
    write(sensel / "idVendor", "2c2f");
    write(sensel / "idProduct", "0003");
    write(sensel / "manufacturer", "Sensel");
    write(sensel / "product", "Sensel Morph");
    write(sensel / "serial", "SM01234567");
    fs::create_directories(sensel / "1-1:1.0");
    fs::create_directories(sys / "bus" / "usb" / "drivers" / "cdc_acm");
    fs::create_directory_symlink(sys / "bus" / "usb" / "drivers" / "cdc_acm", sensel / "1-1:1.0" / "driver");
    fs::create_directories(sys / "class" / "tty" / "ttyACM0");
    fs::create_directory_symlink(sensel / "1-1:1.0", sys / "class" / "tty" / "ttyACM0" / "device");
    // FTDI bridge: the tty's device is the usb-serial port below the interface.
    const fs::path ftdi = sys / "devices" / "usb1" / "1-2";
    write(ftdi / "idVendor", "0403");
    write(ftdi / "idProduct", "6001");
    write(ftdi / "product", "FT232R USB UART");
    fs::create_directories(ftdi / "1-2:1.0" / "ttyUSB0");
    fs::create_directories(sys / "class" / "tty" / "ttyUSB0");
    fs::create_directory_symlink(ftdi / "1-2:1.0" / "ttyUSB0", sys / "class" / "tty" / "ttyUSB0" / "device");
    // by-id links are relative, as udev makes them.
    fs::create_symlink("../../ttyACM0", dev / "serial" / "by-id" / "usb-Sensel_Sensel_Morph_SM01234567-if00");
    fs::create_symlink("../../ttyUSB0", dev / "serial" / "by-id" / "usb-FTDI_FT232R_USB_UART_A1-if00-port0");
  }
};

TEST(Discovery, ListsUsbSerialPortsWithIdentity) {
  FakeTree t;
  const auto ports = list_serial_ports(t.roots);
  ASSERT_EQ(ports.size(), 3u);  // ttyACM0, ttyUSB0, ttyUSB1; tty0/ttyS0 are not USB serial
  const auto& acm = ports[0];
  EXPECT_EQ(fs::path(acm.device_path).filename(), "ttyACM0");
  EXPECT_EQ(fs::path(acm.by_id_path).filename(), "usb-Sensel_Sensel_Morph_SM01234567-if00");
  ASSERT_TRUE(acm.usb_vid && acm.usb_pid);
  EXPECT_EQ(*acm.usb_vid, 0x2C2F);
  EXPECT_EQ(*acm.usb_pid, 0x0003);
  EXPECT_EQ(acm.product, "Sensel Morph");
  EXPECT_EQ(acm.serial, "SM01234567");
  EXPECT_EQ(acm.driver, "cdc_acm");
  EXPECT_EQ(acm.stable_path(), acm.by_id_path);

  const auto& ftdi = ports[1];
  EXPECT_EQ(fs::path(ftdi.device_path).filename(), "ttyUSB0");
  ASSERT_TRUE(ftdi.usb_vid);
  EXPECT_EQ(*ftdi.usb_vid, 0x0403);
  EXPECT_TRUE(ftdi.protocols.empty());  // a generic bridge says nothing about the protocol

  const auto& bare = ports[2];
  EXPECT_EQ(fs::path(bare.device_path).filename(), "ttyUSB1");
  EXPECT_FALSE(bare.usb_vid);
  EXPECT_TRUE(bare.by_id_path.empty());
  EXPECT_EQ(bare.stable_path(), bare.device_path);
}

TEST(Discovery, RecognisesRegisteredUsbIds) {
  FakeTree t;
  const auto ports = list_serial_ports(t.roots);
  ASSERT_FALSE(ports.empty());
  // Whatever protocol the registry ties to 2c2f:0003 is offered for the Morph.
  std::vector<std::string> expected;
  for (const auto& p : protocols())
    if (p.usb_vid == 0x2C2F && p.usb_pid == 0x0003) expected.push_back(p.name);
  ASSERT_FALSE(expected.empty()) << "the registry should know the Sensel Morph's USB id";
  EXPECT_EQ(ports[0].protocols, expected);
}

TEST(Discovery, PrefersTheByIdNameAfterReEnumeration) {
  FakeTree t;
  const auto by_id = (t.roots.dev / "serial" / "by-id" / "usb-Sensel_Sensel_Morph_SM01234567-if00").string();
  EXPECT_EQ(prefer_stable_path((t.roots.dev / "ttyACM0").string(), t.roots), by_id);
  EXPECT_EQ(prefer_stable_path(by_id, t.roots), by_id);
  // Replug: the device comes back as ttyACM1 and udev re-points the same by-id name.
  write(t.roots.dev / "ttyACM1", "");
  fs::remove(by_id);
  fs::create_symlink("../../ttyACM1", by_id);
  EXPECT_EQ(prefer_stable_path((t.roots.dev / "ttyACM1").string(), t.roots), by_id);
  EXPECT_EQ(prefer_stable_path((t.roots.dev / "ttyACM0").string(), t.roots),
            (t.roots.dev / "ttyACM0").string());
}

TEST(Discovery, MissingRootsGiveAnEmptyList) {
  DiscoveryRoots roots{"/nonexistent-insole/dev", "/nonexistent-insole/sys"};
  EXPECT_TRUE(list_serial_ports(roots).empty());
  EXPECT_EQ(prefer_stable_path("/dev/ttyACM7", roots), "/dev/ttyACM7");
}

TEST(Discovery, GarbageInSysfsLeavesFieldsEmpty) {
  FakeTree t;
  write(t.roots.sys / "devices" / "usb1" / "1-1" / "idVendor", "not-hex");
  write(t.roots.sys / "devices" / "usb1" / "1-1" / "idProduct", "123456789");
  const auto ports = list_serial_ports(t.roots);
  ASSERT_FALSE(ports.empty());
  EXPECT_FALSE(ports[0].usb_vid);
  EXPECT_FALSE(ports[0].usb_pid);
  EXPECT_TRUE(ports[0].protocols.empty());
}

}  // namespace
}  // namespace insole::drivers
