// Structured access log: one JSON object per line on a stream (stderr in qledgerd). Holds no
// secrets or personal data: no query strings (filters may hold names), no cookies or headers, no
// bodies, no peer address; the user is its numeric account id.
#pragma once

#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>

namespace qledger::daemon {

struct AccessRecord {
  std::string method;
  std::string path;  // the request target; logged without its query string, truncated to 200
                     // bytes, and as "-" unless it is a plain path (origin form)
  unsigned status = 0;
  std::uint64_t bytes = 0;
  double duration_ms = 0;
  std::int64_t user_id = 0;  // 0: anonymous
};

class AccessLog {
 public:
  explicit AccessLog(std::ostream& out) : out_(out) {}
  void write(const AccessRecord& record);
  static std::string format(const AccessRecord& record);  // one line, without newline

 private:
  std::mutex mutex_;
  std::ostream& out_;
};

}  // namespace qledger::daemon
