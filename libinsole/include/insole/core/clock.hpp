#pragma once
// Injected time: code that paces, times out or stamps frames asks a Clock, so tests can run
// instantly and deterministically with a ManualClock.

#include <atomic>
#include <memory>

namespace insole {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Seconds on a monotonic scale (origin unspecified).
  virtual double now_s() const = 0;
  /// Waits (or, for a manual clock, advances) by the given number of seconds.
  virtual void sleep_for_s(double seconds) = 0;
};

/// std::chrono::steady_clock and std::this_thread::sleep_for.
class SteadyClock final : public Clock {
 public:
  double now_s() const override;
  void sleep_for_s(double seconds) override;
};

/// A clock that only moves when told to; sleep_for_s advances it at once. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(double start_s = 0.0) : now_(start_s) {}
  double now_s() const override { return now_.load(); }
  void sleep_for_s(double seconds) override { advance_s(seconds); }
  void advance_s(double seconds);

 private:
  std::atomic<double> now_;
};

/// The process-wide steady clock (for wiring in main; library code takes a Clock&).
std::shared_ptr<Clock> steady_clock();

}  // namespace insole
