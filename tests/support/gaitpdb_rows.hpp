#pragma once
// The numeric rows of a PhysioNet gaitpdb walk, read straight from the text without the toolkit's
// importer (tests compare the toolkit against values computed from these): 19 columns per row,
// time (s), L1..L8, R1..R8 (N), total left, total right. Lines that are not 19 numbers are skipped.
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace insole::test {

using GaitpdbRow = std::array<double, 19>;

inline std::vector<GaitpdbRow> read_gaitpdb_rows(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<GaitpdbRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    GaitpdbRow v{};
    bool ok = true;
    for (double& x : v) ok = ok && static_cast<bool>(ls >> x);
    if (ok) rows.push_back(v);
  }
  return rows;
}

}  // namespace insole::test
