#pragma once
// Inputs for the "bad input exits 2, names the file and leaves the output alone" tests of the
// commands that read recordings.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace insole::test {

/// Writes `bytes` to `file`, replacing it.
inline void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream o(file, std::ios::binary | std::ios::trunc);
  o << bytes;
}

/// Three recordings no reader accepts, named after what is wrong with them: `dir`/missing.h5 (not
/// there), `dir`/truncated.h5 (the first third of the readable recording `good`) and
/// `dir`/garbage.h5 (4096 bytes of 0xff).
inline std::vector<std::filesystem::path> bad_recordings(const std::filesystem::path& dir,
                                                         const std::filesystem::path& good) {
  std::ifstream in(good, std::ios::binary);
  const std::string whole{std::istreambuf_iterator<char>(in), {}};
  write_bytes(dir / "truncated.h5", whole.substr(0, whole.size() / 3));
  write_bytes(dir / "garbage.h5", std::string(4096, '\xff'));
  return {dir / "missing.h5", dir / "truncated.h5", dir / "garbage.h5"};
}

}  // namespace insole::test
