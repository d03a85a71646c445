#include "access_log.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "qledger/leaf.hpp"

namespace qledger::daemon {

std::string AccessLog::format(const AccessRecord& r) {
  nlohmann::json line = {{"ts", now_recorded_at()},
                         {"method", r.method},
                         {"path", r.path.substr(0, r.path.find('?')).substr(0, 200)},
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
