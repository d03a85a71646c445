// Login throttling: at most N failed logins per account and M per client address within a
// sliding window; beyond that, logins for that account/address are refused (429) until old
// failures leave the window. In memory (a restart forgets); bounded in size. Thread-safe.
//
// An attempt is counted when it begins, before its password is checked, and stays counted as a
// failure unless it succeeds: so concurrent attempts cannot all pass the check while the slow
// password hashes of the first ones run: however many requests arrive at once, at most N
// password checks per account (M per address) start before one of them succeeds (a success
// clears its account's count).
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

  // Reserves one attempt for the account and the address at `now`, counted as a failure; false
  // (nothing reserved) if either is at its limit.
  bool begin_attempt(const std::string& account, const std::string& address, std::int64_t now);
  // The attempt begun at `now` succeeded: forgets the account's failures and gives the address
  // its attempt back.
  void succeeded(const std::string& account, const std::string& address, std::int64_t now);

 private:
  bool over(const std::string& key, unsigned limit, std::int64_t now);
  void add(const std::string& key, std::int64_t now);
  void take_back(const std::string& key, std::int64_t now);

  std::mutex mutex_;
  unsigned per_account_, per_address_;
  std::int64_t window_;
  std::map<std::string, std::deque<std::int64_t>> failures_;
};

}  // namespace qledger::daemon
