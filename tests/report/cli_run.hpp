#pragma once
// Runs the built `insole` program (INSOLE_CLI) or a poppler-utils tool and collects its exit
// code, stdout and stderr, for the report tests that check the program as users run it.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace insole::test {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

inline std::string quote(const std::filesystem::path& p) {
  std::string out = "'";
  for (char c : p.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Runs `command` through the shell; stderr goes to a file next to `scratch_dir`.
inline CliRun run_command(const std::string& command, const std::filesystem::path& scratch_dir) {
  const auto err_file = scratch_dir / "stderr.txt";
  CliRun r;
  FILE* p = popen((command + " 2>" + quote(err_file)).c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  r.err.assign(std::istreambuf_iterator<char>(in), {});
  return r;
}

inline CliRun insole_cli(const std::string& args, const std::filesystem::path& scratch_dir) {
  return run_command(std::string(INSOLE_CLI) + " " + args, scratch_dir);
}

inline bool have_poppler() { return std::system("pdftotext -v > /dev/null 2>&1") == 0; }

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// pdftotext output with every run of white space collapsed to one space (wrapped lines join).
inline std::string pdf_text(const std::filesystem::path& pdf, const std::filesystem::path& scratch_dir) {
  const std::string raw = run_command("pdftotext " + quote(pdf) + " -", scratch_dir).out;
  std::string out;
  for (char c : raw) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r';
    if (!space) out += c;
    else if (!out.empty() && out.back() != ' ') out += ' ';
  }
  return out;
}

/// Page count from pdfinfo, or -1 when pdfinfo does not accept the file.
inline int pdf_pages(const std::filesystem::path& pdf, const std::filesystem::path& scratch_dir) {
  const CliRun r = run_command("pdfinfo " + quote(pdf), scratch_dir);
  const auto at = r.out.find("Pages:");
  if (r.exit_code != 0 || at == std::string::npos) return -1;
  return std::atoi(r.out.c_str() + at + 6);
}

/// Number of raster images in the PDF (pdfimages -list: two header lines, then one row per image
/// or soft mask; the third column is the type).
inline int pdf_images(const std::filesystem::path& pdf, const std::filesystem::path& scratch_dir) {
  const CliRun r = run_command("pdfimages -list " + quote(pdf), scratch_dir);
  if (r.exit_code != 0) return -1;
  std::istringstream lines(r.out);
  int n = 0;
  for (std::string l; std::getline(lines, l);) {
    std::istringstream cols(l);
    std::string page, num, type;
    cols >> page >> num >> type;
    n += type == "image";  // not "smask" (the alpha channel of an image)
  }
  return n;
}

}  // namespace insole::test
