// ReadAhead: a RequestSource run on its own thread gives the puller the same sequence, its end
// and its exception in place, and stops cleanly when dropped early. Each case runs under a
// deadline, so that a lost wake-up fails the test instead of hanging it.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "qledger/read_ahead.hpp"

using namespace qledger;

namespace {

// A source of `count` requests numbered 0.., then the end (or `throw_at`'s exception). Each call
// takes `pause` first.
RequestSource numbered(int count, int throw_at = -1, std::atomic<int>* calls = nullptr,
                       std::thread::id* thread = nullptr,
                       std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
  auto next = std::make_shared<int>(0);
  return [=]() -> std::optional<AppendRequest> {
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
    if (calls != nullptr) ++*calls;
    if (thread != nullptr) *thread = std::this_thread::get_id();
    const int i = (*next)++;
    if (i == throw_at) throw std::runtime_error("row " + std::to_string(i) + " unreadable");
    if (i >= count) return std::nullopt;
    return AppendRequest{"test.event", "reader", Json{{"i", i}}};
  };
}

// Runs `body` on another thread; fails (instead of hanging) if it takes longer than 60 s. A stuck
// thread is detached and left behind (std::async's future would wait for it).
template <typename Body>
void within_deadline(Body body) {
  auto finished = std::make_shared<std::promise<void>>();
  auto done = finished->get_future();
  std::thread([finished, body]() mutable {
    try {
      body();
      finished->set_value();
    } catch (...) {
      finished->set_exception(std::current_exception());
    }
  }).detach();
  if (done.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    FAIL("timed out: a wake-up was lost");
  }
  done.get();
}

}  // namespace

TEST_SUITE("read_ahead") {
  TEST_CASE("delivers every request in order, then the end, whatever the depth") {
    for (const std::size_t depth : {1, 2, 3, 8, 256}) {
      CAPTURE(depth);
      within_deadline([depth] {
        std::thread::id producer;
        ReadAhead ahead(numbered(1000, -1, nullptr, &producer), depth);
        const RequestSource source = ahead.source();
        for (int i = 0; i < 1000; ++i) {
          const auto r = source();
          REQUIRE(r);
          CHECK(r->payload["i"].get<int>() == i);
        }
        CHECK_FALSE(source());
        CHECK_FALSE(source());  // and stays ended
        CHECK(producer != std::thread::id());
        CHECK(producer != std::this_thread::get_id());
      });
    }
  }

  TEST_CASE("an exception from the source reaches the puller at its position, once") {
    within_deadline([] {
      std::atomic<int> calls{0};
      ReadAhead ahead(numbered(100, 40, &calls), 8);
      for (int i = 0; i < 40; ++i) REQUIRE(ahead.next()->payload["i"].get<int>() == i);
      CHECK_THROWS_WITH_AS(ahead.next(), "row 40 unreadable", std::runtime_error);
      CHECK_FALSE(ahead.next());
      CHECK(calls.load() == 41);  // not called again after it threw
    });
  }

  TEST_CASE("dropped before the end: the source stops being called and nothing hangs") {
    within_deadline([] {
      std::atomic<int> calls{0};
      int settled = -1;
      {
        ReadAhead ahead(numbered(1000000, -1, &calls), 16);
        for (int i = 0; i < 5; ++i) REQUIRE(ahead.next());
        // The reading thread fills the queue (16 waiting) and makes one more request, which it
        // holds while it waits for room: 17 calls if it filled the queue before the 5 pulls
        // (taking 5 of 16 does not wake it), up to 22 if it filled it after them.
        for (int spins = 0; spins < 200; ++spins) {  // until it has not moved for 50 ms
          const int before = calls.load();
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          if (before >= 16 + 1 && calls.load() == before) {
            settled = before;
            break;
          }
        }
        CHECK(settled >= 16 + 1);
        CHECK(settled <= 5 + 16 + 1);
        REQUIRE(calls.load() == settled);
      }
      CHECK(calls.load() == settled);  // stopped and joined without another call
      // Dropped without a single pull.
      { ReadAhead never_pulled(numbered(1000000), 4); }
      // Dropped while the source is in the middle of a slow call: that call finishes, no other
      // starts.
      std::atomic<int> slow_calls{0};
      {
        ReadAhead slow(numbered(1000000, -1, &slow_calls, nullptr, std::chrono::milliseconds(50)),
                       4);
        REQUIRE(slow.next());
      }
      const int after_drop = slow_calls.load();
      std::this_thread::sleep_for(std::chrono::milliseconds(120));
      CHECK(slow_calls.load() == after_drop);
    });
  }
}
