#include "access_log.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "qledger/leaf.hpp"

namespace qledger::daemon {

namespace {

// The path of an origin-form target ("/events?…"), without its query, at most 200 bytes; "-" for
// any other form ("http://user:password@host/…", "*", authority form), which may carry secrets.
std::string logged_path(const std::string& target) {
  if (target.empty() || target.front() != '/') return "-";
  return target.substr(0, target.find('?')).substr(0, 200);
}

}  // namespace

std::string AccessLog::format(const AccessRecord& r) {
  nlohmann::json line = {{"ts", now_recorded_at()},
                         {"method", r.method},
                         {"path", logged_path(r.path)},
                         {"status", r.status},
                         {"bytes", r.bytes},
                         {"ms", std::round(r.duration_ms * 1000.0) / 1000.0}};
  if (r.user_id != 0) line["user"] = r.user_id;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AccessLog::write(const AccessRecord& record) {
  const std::string line = format(record) + "\n";
  std::lock_guard lock(mutex_);
  out_ << line << std::flush;
}

}  // namespace qledger::daemon
