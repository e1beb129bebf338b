#pragma once
// BoundedQueue: hands items from an I/O thread to a consumer. The producer never blocks (a serial
// line cannot be paused), so when the queue is full the new item is dropped and counted: overflow
// is visible in the counters, never silent.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace insole::drivers {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {
    if (capacity == 0) throw std::invalid_argument("BoundedQueue: capacity must be positive");
  }

  /// Adds an item; false (and the overflow counter goes up) when the queue is full or closed.
  bool try_push(T item) {
    {
      std::lock_guard lock(mutex_);
      if (closed_ || items_.size() >= capacity_) {
        ++overflows_;
        return false;
      }
      items_.push_back(std::move(item));
      high_water_ = std::max(high_water_, items_.size());
    }
    cv_.notify_one();
    return true;
  }

  /// Adds a control item (e.g. "disconnected") even when the queue is full, so that such news
  /// is never lost; refused only when closed.
  bool push_always(T item) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return false;
      items_.push_back(std::move(item));
      high_water_ = std::max(high_water_, items_.size());
    }
    cv_.notify_one();
    return true;
  }

  /// Removes the oldest item, waiting at most `timeout`; nullopt on timeout or when closed and
  /// empty.
  std::optional<T> pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  /// Wakes waiting consumers; further pushes are refused (and counted). Items already queued can
  /// still be popped.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    cv_.notify_all();
  }
  /// Accepts pushes again after close().
  void reopen() {
    std::lock_guard lock(mutex_);
    closed_ = false;
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  std::size_t capacity() const noexcept { return capacity_; }
  std::uint64_t overflows() const {
    std::lock_guard lock(mutex_);
    return overflows_;
  }
  /// The largest number of items ever waiting at once.
  std::size_t high_water() const {
    std::lock_guard lock(mutex_);
    return high_water_;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<T> items_;
  bool closed_ = false;
  std::uint64_t overflows_ = 0;
  std::size_t high_water_ = 0;
};

}  // namespace insole::drivers
