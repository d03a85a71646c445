// Read-ahead for bulk appends: runs a RequestSource on a thread of its own, up to `depth`
// requests ahead of the writer pulling them, so that producing requests (reading and converting
// CSV rows) overlaps with validating and writing them instead of taking turns on one thread.
//
// The inner source is called only on that thread, in order, until it returns nullopt or throws;
// the puller sees exactly that sequence, the end or the exception at the same position. Destroying
// the ReadAhead stops the thread and joins it: a call of the inner source already under way
// finishes first (for a source reading a pipe, that may wait for its next line), and it is not
// called again. Whatever the inner source writes is safe to read once the ReadAhead is destroyed.
#pragma once

#include "qledger/ledger.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace qledger {

class ReadAhead {
 public:
  explicit ReadAhead(RequestSource inner, std::size_t depth = 256);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The inner source's next result. After its end or exception, returns nullopt. One puller
  // thread at a time.
  std::optional<AppendRequest> next();
  // A RequestSource calling next(); valid while this ReadAhead lives.
  RequestSource source();

 private:
  struct Item {
    std::optional<AppendRequest> request;  // neither request nor error: the end
    std::exception_ptr error;
  };
  void produce();

  RequestSource inner_;
  const std::size_t depth_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  bool puller_waiting_ = false;
  bool producer_waiting_ = false;
  bool finished_ = false;  // the puller has taken the end or the exception
  std::thread thread_;
};

}  // namespace qledger
