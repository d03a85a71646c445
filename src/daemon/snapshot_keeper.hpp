// Keeps registry snapshots (qledger/registry_snapshot.hpp) fresh: a background thread that, once
// at start and then every interval, runs refresh_registry_snapshots when the ledger has grown: a
// signed snapshot at the head if registry events arrived since the newest one, and only the
// newest 6 kept. Failures are reported on stderr and retried at the next interval; reports never
// depend on a snapshot being there. Stopping waits for a snapshot being written (seconds at 10M
// events).
#pragma once

#include "qledger/ledger.hpp"
#include "qledger/signing_key.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace qledger::daemon {

class SnapshotKeeper {
 public:
  SnapshotKeeper(Ledger& ledger, const SigningKey& key, std::chrono::milliseconds interval);
  ~SnapshotKeeper();  // stops the thread (waits for a snapshot being written)
  SnapshotKeeper(const SnapshotKeeper&) = delete;
  SnapshotKeeper& operator=(const SnapshotKeeper&) = delete;

  // Tree size of the newest snapshot after this keeper's last run (0: none yet).
  std::uint64_t last_size() const;

 private:
  void run();

  Ledger& ledger_;
  const SigningKey& key_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t last_size_ = 0;
  std::thread thread_;
};

}  // namespace qledger::daemon
