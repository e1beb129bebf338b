#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

namespace insole::test {

/// A fresh empty directory for the current test, removed when the object goes out of scope.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "insole";
    for (auto& ch : name)
      if (ch == '/') ch = '_';
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("insole-test-" + name + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& f) const { return path_ / f; }

 private:
  std::filesystem::path path_;
};

}  // namespace insole::test
