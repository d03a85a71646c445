#include "login_throttle.hpp"

#include <iterator>

namespace qledger::daemon {

namespace {
constexpr std::size_t kMaxKeys = 100000;
}

bool LoginThrottle::over(const std::string& key, unsigned limit, std::int64_t now) {
  const auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  auto& times = it->second;
  while (!times.empty() && times.front() <= now - window_) times.pop_front();
  if (times.empty()) {
    failures_.erase(it);
    return false;
  }
  return times.size() >= limit;
}

void LoginThrottle::add(const std::string& key, std::int64_t now) {
  if (failures_.size() >= kMaxKeys && failures_.find(key) == failures_.end()) {
    // Drop expired entries; if still full, forget the oldest-keyed entry.
    for (auto it = failures_.begin(); it != failures_.end();) {
      it = (it->second.empty() || it->second.back() <= now - window_) ? failures_.erase(it)
                                                                      : std::next(it);
    }
    if (failures_.size() >= kMaxKeys) failures_.erase(failures_.begin());
  }
  auto& times = failures_[key];
  times.push_back(now);
  if (times.size() > 1000) times.pop_front();
}

void LoginThrottle::take_back(const std::string& key, std::int64_t now) {
  const auto it = failures_.find(key);
  if (it == failures_.end()) return;  // forgotten meanwhile (window passed, or evicted)
  auto& times = it->second;
  for (auto t = times.rbegin(); t != times.rend(); ++t) {
    if (*t == now) {
      times.erase(std::next(t).base());
      break;
    }
  }
  if (times.empty()) failures_.erase(it);
}

bool LoginThrottle::begin_attempt(const std::string& account, const std::string& address,
                                  std::int64_t now) {
  std::lock_guard lock(mutex_);
  const std::string account_key = "u:" + account, address_key = "a:" + address;
  if (over(account_key, per_account_, now) || over(address_key, per_address_, now)) return false;
  add(account_key, now);
  add(address_key, now);
  return true;
}

void LoginThrottle::succeeded(const std::string& account, const std::string& address,
                              std::int64_t now) {
  std::lock_guard lock(mutex_);
  failures_.erase("u:" + account);
  take_back("a:" + address, now);
}

}  // namespace qledger::daemon
