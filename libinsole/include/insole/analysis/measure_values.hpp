#pragma once
// One footfall's measures keyed by their JSON name: a flat array of (name, value) kept sorted by
// name, so it iterates in the order a std::map<std::string, double> would. Names are interned once
// per process (the vocabulary is the measure catalogue and whatever keys callers add), so an entry
// is a view and a double, 24 bytes, where a map spent a tree node and often a heap string on each.
// A ten-minute treadmill walk keeps about a thousand footfalls' measures until the analysis ends
// (docs/performance.md, "Memory by activity pattern").

#include <cstddef>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace insole::analysis {

/// The process-wide copy of `name`: a view that stays valid until the process ends. Thread-safe.
std::string_view intern_measure_name(std::string_view name);

class MeasureValues {
 public:
  using value_type = std::pair<std::string_view, double>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  MeasureValues() = default;
  MeasureValues(std::initializer_list<value_type> init);

  /// The value of `key`, inserted as 0 when absent.
  double& operator[](std::string_view key);
  iterator find(std::string_view key) noexcept;
  const_iterator find(std::string_view key) const noexcept;
  /// The value of `key`; throws std::out_of_range naming the key when absent.
  double at(std::string_view key) const;
  std::size_t count(std::string_view key) const noexcept { return find(key) == end() ? 0 : 1; }
  bool contains(std::string_view key) const noexcept { return count(key) == 1; }

  iterator begin() noexcept { return values_.begin(); }
  iterator end() noexcept { return values_.end(); }
  const_iterator begin() const noexcept { return values_.begin(); }
  const_iterator end() const noexcept { return values_.end(); }
  std::size_t size() const noexcept { return values_.size(); }
  bool empty() const noexcept { return values_.empty(); }
  void clear() noexcept { values_.clear(); }
  /// Removes `key` when present.
  void erase(std::string_view key) {
    if (auto it = find(key); it != end()) values_.erase(it);
  }
  /// Gives back the spare capacity (once a footfall's measures are complete).
  void shrink_to_fit() { values_.shrink_to_fit(); }

  friend bool operator==(const MeasureValues& a, const MeasureValues& b) { return a.values_ == b.values_; }

 private:
  std::vector<value_type> values_;  // sorted by name, names unique
};

}  // namespace insole::analysis
