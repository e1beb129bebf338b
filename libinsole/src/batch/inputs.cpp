#include "insole/batch/inputs.hpp"

#include <glob.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <system_error>

namespace insole::batch {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool wanted_extension(const fs::path& p, const InputOptions& o) {
  const std::string name = lower(p.filename().string());
  return std::any_of(o.extensions.begin(), o.extensions.end(), [&](const std::string& ext) {
    const std::string e = lower(ext);
    return name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  });
}

std::string normal_key(const fs::path& p) {
  std::string s = p.lexically_normal().generic_string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

InputFile problem(const std::string& input, std::string what) {
  InputFile f;
  f.key = input;
  f.path = input;
  f.relative = fs::path(input).filename();
  f.problem = std::move(what);
  return f;
}

void add_directory(const fs::path& dir, const InputOptions& o, std::vector<InputFile>& out) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) {
    out.push_back(problem(dir.string(), "cannot list the directory: " + ec.message()));
    return;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      out.push_back(problem(dir.string(), "error while listing the directory: " + ec.message()));
      return;
    }
    const fs::path& p = it->path();
    if (o.skip_hidden && p.filename().string().starts_with(".")) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    std::error_code fec;
    if (!it->is_regular_file(fec) || !wanted_extension(p, o)) continue;
    InputFile f;
    f.path = p;
    f.key = normal_key(p);
    f.relative = p.lexically_relative(dir);
    out.push_back(std::move(f));
  }
}

void add_path(const std::string& input, const InputOptions& o, std::vector<InputFile>& out) {
  std::error_code ec;
  const fs::path p(input);
  const auto st = fs::status(p, ec);
  if (ec || !fs::exists(st)) {
    out.push_back(problem(input, "no such file or directory"));
    return;
  }
  if (fs::is_directory(st)) {
    add_directory(p, o, out);
    return;
  }
  InputFile f;
  f.path = p;
  f.key = normal_key(p);
  f.relative = p.filename();
  out.push_back(std::move(f));
}

}  // namespace

bool is_glob(const std::string& text) { return text.find_first_of("*?[") != std::string::npos; }

std::vector<InputFile> expand_inputs(const std::vector<std::string>& inputs, const InputOptions& options) {
  std::vector<InputFile> all;
  for (const auto& input : inputs) {
    std::error_code ec;
    // A literal name that exists wins over a glob reading (file names may contain '[').
    if (!is_glob(input) || fs::exists(input, ec)) {
      add_path(input, options, all);
      continue;
    }
    glob_t g{};
    const int rc = glob(input.c_str(), GLOB_NOSORT, nullptr, &g);
    if (rc == GLOB_NOMATCH || (rc == 0 && g.gl_pathc == 0)) {
      all.push_back(problem(input, "the pattern matches no file"));
    } else if (rc != 0) {
      all.push_back(problem(input, "cannot expand the pattern"));
    } else {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) add_path(g.gl_pathv[i], options, all);
    }
    globfree(&g);
  }
  // Sorted by key, one entry per key (the first one found).
  std::stable_sort(all.begin(), all.end(), [](const InputFile& a, const InputFile& b) { return a.key < b.key; });
  all.erase(std::unique(all.begin(), all.end(), [](const InputFile& a, const InputFile& b) { return a.key == b.key; }),
            all.end());
  return all;
}

}  // namespace insole::batch
