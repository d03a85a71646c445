#include "metrics.hpp"

#include <sstream>

namespace qledger::daemon {

void Metrics::count_response(unsigned status) {
  std::lock_guard lock(mutex_);
  ++responses_[status];
}

void Metrics::observe_append(double seconds, bool accepted) {
  std::lock_guard lock(mutex_);
  if (!accepted) {
    ++rejected_;
    return;
  }
  ++appends_;
  ++latency_count_;
  latency_sum_ += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  }
}

void Metrics::count_verification(bool intact) {
  std::lock_guard lock(mutex_);
  ++(intact ? verify_intact_ : verify_tampered_);
}

void Metrics::count_connection_refused() {
  std::lock_guard lock(mutex_);
  ++refused_;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP qledger_appends_total Events appended (durable) through qledgerd.\n"
      << "# TYPE qledger_appends_total counter\n"
      << "qledger_appends_total " << appends_ << "\n"
      << "# HELP qledger_appends_rejected_total Appends refused by validation.\n"
      << "# TYPE qledger_appends_rejected_total counter\n"
      << "qledger_appends_rejected_total " << rejected_ << "\n"
      << "# HELP qledger_append_duration_seconds Time from request to durable append.\n"
      << "# TYPE qledger_append_duration_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    out << "qledger_append_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} "
        << bucket_counts_[i] << "\n";
  }
  out << "qledger_append_duration_seconds_bucket{le=\"+Inf\"} " << latency_count_ << "\n"
      << "qledger_append_duration_seconds_sum " << latency_sum_ << "\n"
      << "qledger_append_duration_seconds_count " << latency_count_ << "\n"
      << "# HELP qledger_http_responses_total HTTP responses by status code.\n"
      << "# TYPE qledger_http_responses_total counter\n";
  for (const auto& [status, n] : responses_) {
    out << "qledger_http_responses_total{code=\"" << status << "\"} " << n << "\n";
  }
  out << "# HELP qledger_verifications_total Full ledger verifications run, by result.\n"
      << "# TYPE qledger_verifications_total counter\n"
      << "qledger_verifications_total{result=\"intact\"} " << verify_intact_ << "\n"
      << "qledger_verifications_total{result=\"tampered\"} " << verify_tampered_ << "\n"
      << "# HELP qledger_connections_refused_total Connections refused or delayed by limits.\n"
      << "# TYPE qledger_connections_refused_total counter\n"
      << "qledger_connections_refused_total " << refused_ << "\n";
  return out.str();
}

}  // namespace qledger::daemon
