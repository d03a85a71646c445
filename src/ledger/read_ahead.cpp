#include "qledger/read_ahead.hpp"

#include <algorithm>
#include <utility>

namespace qledger {

ReadAhead::ReadAhead(RequestSource inner, std::size_t depth)
    : inner_(std::move(inner)), depth_(std::max<std::size_t>(depth, 2)) {
  thread_ = std::thread([this] { produce(); });
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  not_full_.notify_one();
  thread_.join();
}

void ReadAhead::produce() {
  for (;;) {
    Item item;
    try {
      item.request = inner_();
    } catch (...) {
      item.error = std::current_exception();
    }
    const bool last = !item.request;
    std::unique_lock lock(mutex_);
    producer_waiting_ = true;
    not_full_.wait(lock, [&] { return stopping_ || queue_.size() < depth_; });
    producer_waiting_ = false;
    if (stopping_) return;
    queue_.push_back(std::move(item));
    // Wake the puller only when it sleeps: every wake-up is a context switch.
    if (puller_waiting_) not_empty_.notify_one();
    if (last) return;
  }
}

std::optional<AppendRequest> ReadAhead::next() {
  if (finished_) return std::nullopt;
  Item item;
  {
    std::unique_lock lock(mutex_);
    puller_waiting_ = true;
    not_empty_.wait(lock, [&] { return !queue_.empty(); });
    puller_waiting_ = false;
    item = std::move(queue_.front());
    queue_.pop_front();
    // A full queue's producer sleeps until half of it is taken, not after every request.
    if (producer_waiting_ && queue_.size() <= depth_ / 2) not_full_.notify_one();
  }
  if (item.error) {
    finished_ = true;
    std::rethrow_exception(item.error);
  }
  if (!item.request) finished_ = true;
  return std::move(item.request);
}

RequestSource ReadAhead::source() {
  return [this] { return next(); };
}

}  // namespace qledger
