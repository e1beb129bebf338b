#include "insole/analysis/measure_values.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

namespace insole::analysis {

std::string_view intern_measure_name(std::string_view name) {
  static std::mutex mutex;
  // Never destroyed: views handed out stay valid through static destruction.
  static auto* names = new std::set<std::string, std::less<>>();
  const std::lock_guard<std::mutex> lock(mutex);
  auto it = names->find(name);
  if (it == names->end()) it = names->emplace(name).first;
  return *it;
}

namespace {
template <class It>
It lower(It first, It last, std::string_view key) {
  return std::lower_bound(first, last, key, [](const auto& e, std::string_view k) { return e.first < k; });
}
}  // namespace

MeasureValues::MeasureValues(std::initializer_list<value_type> init) {
  for (const auto& [k, v] : init) (*this)[k] = v;
}

double& MeasureValues::operator[](std::string_view key) {
  auto it = lower(values_.begin(), values_.end(), key);
  if (it != values_.end() && it->first == key) return it->second;
  return values_.insert(it, value_type{intern_measure_name(key), 0.0})->second;
}

MeasureValues::iterator MeasureValues::find(std::string_view key) noexcept {
  auto it = lower(values_.begin(), values_.end(), key);
  return it != values_.end() && it->first == key ? it : values_.end();
}

MeasureValues::const_iterator MeasureValues::find(std::string_view key) const noexcept {
  auto it = lower(values_.begin(), values_.end(), key);
  return it != values_.end() && it->first == key ? it : values_.end();
}

double MeasureValues::at(std::string_view key) const {
  auto it = find(key);
  if (it == end()) throw std::out_of_range("no measure '" + std::string(key) + "'");
  return it->second;
}

}  // namespace insole::analysis
