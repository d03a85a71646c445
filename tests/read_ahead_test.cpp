// ReadAhead: a RequestSource run on its own thread gives the puller the same sequence, its end
// and its exception in place, and stops cleanly when dropped early.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "qledger/read_ahead.hpp"

using namespace qledger;

namespace {

// A source of `count` requests numbered 0.., then the end (or `throw_at`'s exception).
RequestSource numbered(int count, int throw_at = -1, std::atomic<int>* calls = nullptr,
                       std::thread::id* thread = nullptr) {
  auto next = std::make_shared<int>(0);
  return [=]() -> std::optional<AppendRequest> {
    if (calls != nullptr) ++*calls;
    if (thread != nullptr) *thread = std::this_thread::get_id();
    const int i = (*next)++;
    if (i == throw_at) throw std::runtime_error("row " + std::to_string(i) + " unreadable");
    if (i >= count) return std::nullopt;
    return AppendRequest{"test.event", "reader", Json{{"i", i}}};
  };
}

}  // namespace

TEST_SUITE("read_ahead") {
  TEST_CASE("delivers every request in order, then the end, whatever the depth") {
    for (const std::size_t depth : {1, 2, 3, 8, 256}) {
      CAPTURE(depth);
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
      CHECK(producer != std::this_thread::get_id());
    }
  }

  TEST_CASE("an exception from the source reaches the puller at its position, once") {
    std::atomic<int> calls{0};
    ReadAhead ahead(numbered(100, 40, &calls), 8);
    for (int i = 0; i < 40; ++i) REQUIRE(ahead.next()->payload["i"].get<int>() == i);
    CHECK_THROWS_WITH_AS(ahead.next(), "row 40 unreadable", std::runtime_error);
    CHECK_FALSE(ahead.next());
    CHECK(calls.load() == 41);  // not called again after it threw
  }

  TEST_CASE("dropped before the end: the source stops being called and nothing hangs") {
    std::atomic<int> calls{0};
    {
      ReadAhead ahead(numbered(1000000, -1, &calls), 16);
      for (int i = 0; i < 5; ++i) REQUIRE(ahead.next());
      // Let the reading thread fill the queue and wait on it.
      for (int spins = 0; calls.load() < 5 + 16 && spins < 5000; ++spins) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    // At most the 16 queued, the 5 taken and one being produced when the queue filled.
    CHECK(calls.load() <= 5 + 16 + 1);
    ReadAhead never_pulled(numbered(1000000), 4);  // destroyed without a single pull
  }
}
