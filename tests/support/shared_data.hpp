#pragma once
// Locating the third-party recordings in ../shared/data. Tests that need them call
// INSOLE_REQUIRE_SHARED_DATA("sub/path") and are skipped, not failed, when the folder is absent.

#include <cstdlib>
#include <filesystem>
#include <string>

namespace insole::test {

inline std::filesystem::path shared_data_dir() {
  if (const char* env = std::getenv("INSOLE_SHARED_DATA"); env && *env) return env;
  return INSOLE_SHARED_DATA_DEFAULT;
}

inline std::filesystem::path shared_data(const std::string& relative) {
  return shared_data_dir() / relative;
}


}  // namespace insole::test

#define INSOLE_REQUIRE_SHARED_DATA(rel)                                                   \
  do {                                                                                    \
    if (!std::filesystem::exists(::insole::test::shared_data(rel)))                       \
      GTEST_SKIP() << "shared data not available: " << ::insole::test::shared_data(rel); \
  } while (0)
