#include "insole/core/atomic_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>

namespace insole {

namespace {

namespace fs = std::filesystem;

// ENOSPC, EDQUOT and EFBIG all mean "the data does not fit where it is going".
Error errno_error(int err, const std::string& what) {
  const bool full = err == ENOSPC || err == EDQUOT || err == EFBIG;
  return make_error(full ? Errc::disk_full : Errc::io_error,
                    what + ": " + std::generic_category().message(err));
}

fs::path directory_of(const fs::path& target) {
  fs::path dir = target.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

Status fsync_path(const fs::path& p, int flags, const std::string& what) {
  const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno_error(errno, what);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Some filesystems cannot fsync a directory (EINVAL); the rename itself has still happened.
  if (rc != 0 && !(err == EINVAL && (flags & O_DIRECTORY))) return errno_error(err, what);
  return {};
}

}  // namespace

Result<AtomicOutput> AtomicOutput::create(const fs::path& target) {
  if (target.filename().empty())
    return make_error(Errc::invalid_argument, "output path '" + target.string() + "' names no file");
  const fs::path dir = directory_of(target);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error(Errc::not_found, target.string() + ": directory '" + dir.string() +
                                           "' does not exist");
  if (fs::is_directory(target, ec))
    return make_error(Errc::invalid_argument, target.string() + ": is a directory, expected a file");
  std::random_device rd;
  std::mt19937_64 gen((std::uint64_t(rd()) << 32) ^ rd());
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string suffix;
    for (int i = 0; i < 8; ++i) suffix += kAlphabet[gen() % (sizeof(kAlphabet) - 1)];
    std::string name = ".";
    name += target.filename().string();
    name += ".tmp-";
    name += suffix;
    fs::path temp = dir / name;
    // 0666 minus the umask, like any newly created output file (mkstemp would give 0600).
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      return AtomicOutput(target, std::move(temp));
    }
    if (errno != EEXIST) return errno_error(errno, target.string() + ": cannot create a temporary file in '" + dir.string() + "'");
  }
  return make_error(Errc::io_error, target.string() + ": could not find a free temporary file name");
}

Status AtomicOutput::commit() {
  if (!active_) throw std::logic_error("AtomicOutput::commit() called twice or after a move");
  auto fail = [this](Error e) {
    discard();
    return e;
  };
  if (auto st = fsync_path(temp_, O_RDONLY, target_.string() + ": cannot flush to disk"); !st)
    return fail(st.error());
  // Keep the permissions of a file we replace.
  struct stat old {};
  if (::stat(target_.c_str(), &old) == 0 && S_ISREG(old.st_mode))
    (void)::chmod(temp_.c_str(), old.st_mode & 07777);
  if (::rename(temp_.c_str(), target_.c_str()) != 0)
    return fail(errno_error(errno, target_.string() + ": cannot rename the temporary file into place"));
  active_ = false;
  return fsync_path(directory_of(target_), O_RDONLY | O_DIRECTORY,
                    target_.string() + ": cannot flush the directory to disk");
}

void AtomicOutput::discard() noexcept {
  if (active_) ::unlink(temp_.c_str());
  active_ = false;
}

AtomicOutput::~AtomicOutput() { discard(); }

AtomicOutput::AtomicOutput(AtomicOutput&& other) noexcept
    : target_(std::move(other.target_)), temp_(std::move(other.temp_)), active_(other.active_) {
  other.active_ = false;
}

AtomicOutput& AtomicOutput::operator=(AtomicOutput&& other) noexcept {
  if (this != &other) {
    discard();
    target_ = std::move(other.target_);
    temp_ = std::move(other.temp_);
    active_ = other.active_;
    other.active_ = false;
  }
  return *this;
}

Status write_file_atomically(const fs::path& target, std::string_view contents) {
  auto out = AtomicOutput::create(target);
  if (!out) return out.error();
  const int fd = ::open(out->temp_path().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return errno_error(errno, target.string() + ": cannot open the temporary file");
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return errno_error(err, target.string() + ": write failed");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return errno_error(errno, target.string() + ": write failed");
  return out->commit();
}

}  // namespace insole
