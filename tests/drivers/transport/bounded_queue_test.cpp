#include "insole/drivers/transport/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace insole::drivers {
namespace {

using namespace std::chrono_literals;

TEST(BoundedQueue, CountsOverflowInsteadOfBlocking) {
  BoundedQueue<int> q(3);
  EXPECT_TRUE(q.try_push(1));
  EXPECT_TRUE(q.try_push(2));
  EXPECT_TRUE(q.try_push(3));
  EXPECT_FALSE(q.try_push(4));
  EXPECT_FALSE(q.try_push(5));
  EXPECT_EQ(q.overflows(), 2u);
  EXPECT_EQ(q.high_water(), 3u);
  EXPECT_EQ(q.pop(0ms), 1);
  EXPECT_EQ(q.pop(0ms), 2);
  EXPECT_EQ(q.pop(0ms), 3);
  EXPECT_EQ(q.pop(0ms), std::nullopt);
}

TEST(BoundedQueue, ControlItemsGetThroughAFullQueue) {
  BoundedQueue<int> q(1);
  EXPECT_TRUE(q.try_push(1));
  EXPECT_TRUE(q.push_always(-1));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.overflows(), 0u);
  EXPECT_EQ(q.pop(0ms), 1);
  EXPECT_EQ(q.pop(0ms), -1);
}

TEST(BoundedQueue, CloseWakesAConsumerAndKeepsQueuedItems) {
  BoundedQueue<int> q(4);
  ASSERT_TRUE(q.try_push(7));
  q.close();
  EXPECT_FALSE(q.try_push(8));
  EXPECT_FALSE(q.push_always(9));
  EXPECT_EQ(q.pop(0ms), 7);
  EXPECT_EQ(q.pop(1000ms), std::nullopt);  // closed and empty: returns at once
  q.reopen();
  EXPECT_TRUE(q.try_push(10));
}

TEST(BoundedQueue, HandsItemsAcrossThreadsInOrder) {
  BoundedQueue<int> q(16);
  constexpr int kCount = 5000;
  std::thread producer([&] {
    for (int i = 0; i < kCount; ++i)
      while (!q.try_push(i)) std::this_thread::yield();
  });
  int expected = 0;
  while (expected < kCount) {
    auto v = q.pop(1000ms);
    ASSERT_TRUE(v.has_value());
    ASSERT_EQ(*v, expected);
    ++expected;
  }
  producer.join();
}

TEST(BoundedQueue, ZeroCapacityIsAProgrammerError) {
  EXPECT_THROW(BoundedQueue<int>(0), std::invalid_argument);
}

}  // namespace
}  // namespace insole::drivers
