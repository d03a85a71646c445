// Login throttling: at most N failed logins per account and M per client address within a
// sliding window; beyond that, logins for that account/address are refused (429) until old
// failures leave the window. In memory (a restart forgets); bounded in size. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace qledger::daemon {

class LoginThrottle {
 public:
  LoginThrottle(unsigned per_account, unsigned per_address, std::int64_t window_seconds)
      : per_account_(per_account), per_address_(per_address), window_(window_seconds) {}

  // False if either key is over its limit at `now`.
  bool allowed(const std::string& account, const std::string& address, std::int64_t now);
  void record_failure(const std::string& account, const std::string& address, std::int64_t now);
  void record_success(const std::string& account);

 private:
  bool over(const std::string& key, unsigned limit, std::int64_t now);
  void add(const std::string& key, std::int64_t now);

  std::mutex mutex_;
  unsigned per_account_, per_address_;
  std::int64_t window_;
  std::map<std::string, std::deque<std::int64_t>> failures_;
};

}  // namespace qledger::daemon
