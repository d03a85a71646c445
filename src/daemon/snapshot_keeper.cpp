#include "snapshot_keeper.hpp"

#include "qledger/registry_snapshot.hpp"

#include <iostream>

namespace qledger::daemon {

namespace {
constexpr std::size_t kKeep = 6;  // newest snapshots kept; older ones are deleted
}  // namespace

SnapshotKeeper::SnapshotKeeper(Ledger& ledger, const SigningKey& key,
                               std::chrono::milliseconds interval)
    : ledger_(ledger), key_(key), interval_(interval), thread_([this] { run(); }) {}

SnapshotKeeper::~SnapshotKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t SnapshotKeeper::last_size() const {
  std::lock_guard lock(mutex_);
  return last_size_;
}

void SnapshotKeeper::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const std::uint64_t previous = last_size_;
    lock.unlock();
    try {
      if (ledger_.head().size > previous) {
        const std::uint64_t size = refresh_registry_snapshots(ledger_, key_, kKeep);
        lock.lock();
        last_size_ = size;
        lock.unlock();
      }
    } catch (const std::exception& e) {
      std::cerr << "qledgerd: registry snapshot not written: " << e.what() << "\n";
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace qledger::daemon
