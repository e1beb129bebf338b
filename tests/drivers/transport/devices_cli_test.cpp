// A clinic adds a device by writing a file (docs/devices.md, "Devices described as data"): the
// program lists it with its provenance, checks it, emulates it on a pseudo-terminal and captures
// from it, with nothing recompiled. Bad files are named and skipped; the others still work.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "insole/io/hdf5_recording.hpp"
#include "report/cli_run.hpp"
#include "support/clinic_mat_description.hpp"
#include "support/temp_dir.hpp"

namespace insole {
namespace {

using test::quote;

using test::kClinicMat;

struct Clinic {
  test::TempDir dir;
  std::string env;
  Clinic() {
    std::filesystem::create_directories(dir / "devices");
    std::ofstream(dir / "devices" / "clinic_mat.json") << kClinicMat;
    std::ofstream(dir / "devices" / "broken.json") << "{\"format\": \"insole-device\", ";
    env = "INSOLE_DEVICE_PATH=" + quote(dir / "devices") + " ";
  }
  test::CliRun run(const std::string& args) {
    return test::run_command(env + std::string(INSOLE_CLI) + " " + args, dir.path());
  }
};

TEST(DevicesCli, AClinicsOwnDeviceIsListedAndTheBrokenFileNamed) {
  Clinic c;
  auto r = c.run("devices --protocols");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("clinic_mat\n    Clinic's own 40x40 mat"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("40 frames/s, 250000 baud, streaming, mat 40x40, records raw counts (uncalibrated)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("wire format measured, values measured, geometry measured, rate guessed; sources: our "
                       "firmware, rev 3. pitch measured with a ruler"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("defined in " + (c.dir / "devices" / "clinic_mat.json").string()), std::string::npos);
  // The built-in ones say where their facts come from too.
  EXPECT_NE(r.out.find("m1616\n"), std::string::npos);
  EXPECT_NE(r.out.find("wire format documented, values guessed, geometry guessed, rate guessed; sources: "
                       "github.com/Ninth2234/PiezoresistiveArray_SerialMonitor"),
            std::string::npos)
      << r.out;
  // The Sensel Morph and the Fisica scale are description files too, naming their built-in codecs.
  for (const char* name : {"sensel_morph", "sensel_morph_async", "sensel_morph_high", "fisica", "m1616"})
    EXPECT_NE(r.out.find(std::string("defined in the built-in description ") + name + ".json (drivers/devices)"),
              std::string::npos)
        << name;
  EXPECT_NE(r.out.find("sensel_morph\n    Sensel Morph register protocol, sync polling, medium detail (47x27 grid)\n"
                       "    125 frames/s, 115200 baud, polled, mat 27x47, records kPa, USB 2c2f:0003\n"
                       "    wire format documented, values documented, geometry documented, rate guessed; sources: "
                       "github.com/sensel/sensel-api"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("fisica\n    Fisica scale: standing platform"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("10 frames/s, 115200 baud, streaming, mat 29x22, load_cell 1x1, records raw counts "
                       "(uncalibrated), USB 10c4:ea60\n    wire format documented, values documented, geometry "
                       "guessed, rate guessed; sources: PyPI fisica 1.0.1"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("skipped a device description: " + (c.dir / "devices" / "broken.json").string() +
                       ": not valid JSON"),
            std::string::npos)
      << r.err;
}

TEST(DevicesCli, CheckValidatesAFileBeforeItIsUsed) {
  Clinic c;
  auto r = c.run("devices --check " + quote(c.dir / "devices" / "clinic_mat.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("valid device description \"clinic_mat\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("40x40 grid, 40 frames/s, 250000 baud, streaming"), std::string::npos) << r.out;
  // The same file named from its own directory is not "another device"; a bare name is read
  // from the working directory, with any positions file beside it.
  r = test::run_command("cd " + quote(c.dir / "devices") + " && " + c.env + std::string(INSOLE_CLI) +
                            " devices --check clinic_mat.json",
                        c.dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = c.run("devices --check " + quote(c.dir / "devices" / "broken.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("broken.json: not valid JSON"), std::string::npos) << r.err;
  std::string text = kClinicMat;
  text.replace(text.find("\"sum8_payload\""), 14, "\"crc16\"");
  std::ofstream(c.dir / "typo.json") << text;
  r = c.run("devices --check " + quote(c.dir / "typo.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("typo.json: field 'framing.checksum': \"crc16\" is not one of"), std::string::npos) << r.err;
  text = kClinicMat;
  text.replace(text.find("\"clinic_mat\""), 12, "\"m1616\"");
  std::ofstream(c.dir / "clash.json") << text;
  r = c.run("devices --check " + quote(c.dir / "clash.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the name \"m1616\" is already taken"), std::string::npos) << r.err;
}

TEST(DevicesCli, TheGenericEmulatorAndACaptureSpeakTheDescribedDevice) {
  Clinic c;
  const auto link = c.dir / "ttyCLINIC";
  auto start = test::run_command(c.env + std::string(INSOLE_CLI) + " virtual-device --protocol clinic_mat --mode stand --link " +
                                     quote(link) + " > " + quote(c.dir / "emulator.log") + " 2>&1 & echo $!",
                                 c.dir.path());
  const pid_t pid = static_cast<pid_t>(std::atoi(start.out.c_str()));
  ASSERT_GT(pid, 0) << start.out;
  struct Kill {
    pid_t pid;
    ~Kill() { ::kill(pid, SIGTERM); }
  } kill_emulator{pid};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(link) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(std::filesystem::exists(link)) << "the emulator made no port";
  auto r = c.run("capture --source " + quote("serial://" + link.string() + "?protocol=clinic_mat") +
                 " --duration 2 -q -o " + quote(c.dir / "scan.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("lost 0, checksum errors 0"), std::string::npos) << r.out;
  auto rec = io::read_recording(c.dir / "scan.h5");
  ASSERT_TRUE(rec) << rec.error().message;
  ASSERT_EQ(rec->streams.size(), 1u);
  const Stream& s = rec->streams[0];
  EXPECT_EQ(s.info.layout.rows(), 40);
  EXPECT_EQ(s.info.layout.cols(), 40);
  EXPECT_EQ(s.info.layout.row_pitch_mm(), 8.5);
  EXPECT_EQ(s.info.device, "Clinic 40x40 resistive mat");
  EXPECT_EQ(s.info.units, PressureUnits::counts);
  EXPECT_EQ(s.info.attributes.at("protocol"), "clinic_mat");
  EXPECT_EQ(s.info.attributes.at("provenance").rfind("wire format measured, values measured", 0), 0u);
  // About 2 s at 40 frames/s, feet standing on the mat: some sensels read counts.
  EXPECT_GT(s.frame_count(), 20);
  EXPECT_GT(s.pressure_kpa.maxCoeff(), 0.0f);
}

}  // namespace
}  // namespace insole
