// Counters for /metrics (Prometheus text format 0.0.4). Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace qledger::daemon {

class Metrics {
 public:
  void count_response(unsigned status);
  void observe_append(double seconds, bool accepted);  // accepted: appended; else rejected
  void count_verification(bool intact);
  void count_connection_refused();  // connection cap reached or accept failed
  std::string render() const;

  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5,   5.0};

 private:
  mutable std::mutex mutex_;
  std::map<unsigned, std::uint64_t> responses_;
  std::uint64_t appends_ = 0, rejected_ = 0;
  std::array<std::uint64_t, kBuckets.size()> bucket_counts_{};
  std::uint64_t latency_count_ = 0;
  double latency_sum_ = 0;
  std::uint64_t verify_intact_ = 0, verify_tampered_ = 0;
  std::uint64_t refused_ = 0;
};

}  // namespace qledger::daemon
