#pragma once
// What `insole batch INPUT...` analyses: each INPUT is a file, a directory (searched
// recursively for recordings) or a glob pattern (*, ?, [...], expanded by glob(3) when the shell
// did not). The result is sorted by path and free of duplicates, so the same inputs always give
// the same list in the same order, and hence the same shards and the same CSV.

#include <filesystem>
#include <string>
#include <vector>

namespace insole::batch {

struct InputFile {
  /// The path as the batch names it (CSV "file" column and the shard key): the input as given
  /// for files, the directory as given joined with the path below it for files found in a
  /// directory, lexically normalised ("a//b/./c.h5" -> "a/b/c.h5").
  std::string key;
  std::filesystem::path path;
  /// Path below the directory input it was found in (the file name for file inputs): where its
  /// JSON goes under --json-dir.
  std::filesystem::path relative;
  /// Set when the input names nothing (missing file, glob with no match, unreadable
  /// directory): the batch reports it as a failed row instead of stopping.
  std::string problem;
};

struct InputOptions {
  /// File name endings taken from directories (case-insensitive). Files named explicitly or
  /// matched by a glob are always taken, whatever their name.
  std::vector<std::string> extensions{".h5", ".hdf5"};
  /// Hidden files and directories (name starting with '.') are skipped in directories: they
  /// include the temporaries of interrupted atomic writes.
  bool skip_hidden = true;
};

/// True when `text` contains glob metacharacters (*, ?, [).
bool is_glob(const std::string& text);

/// Expands the inputs. Never fails: an input that names nothing becomes an entry with `problem`.
std::vector<InputFile> expand_inputs(const std::vector<std::string>& inputs, const InputOptions& options = {});

}  // namespace insole::batch
