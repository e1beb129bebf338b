#include "insole/core/clock.hpp"

#include <chrono>
#include <thread>

namespace insole {

double SteadyClock::now_s() const {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void SteadyClock::sleep_for_s(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

void ManualClock::advance_s(double seconds) {
  double cur = now_.load();
  while (!now_.compare_exchange_weak(cur, cur + seconds)) {
  }
}

std::shared_ptr<Clock> steady_clock() {
  static auto clock = std::make_shared<SteadyClock>();
  return clock;
}

}  // namespace insole
