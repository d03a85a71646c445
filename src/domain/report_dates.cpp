#include "qledger/report_dates.hpp"

namespace qledger {

namespace {

const std::string* string_member(const Json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(name);
  if (found == object.end() || !found->is_string()) return nullptr;
  return &found->get_ref<const std::string&>();
}

// The first `n` characters (code points) of UTF-8 text, as SQL's substr(text, 1, n) counts them
// (the index was first kept by a trigger using it).
std::string first_characters(const std::string& text, std::size_t n) {
  std::size_t end = 0;
  for (std::size_t count = 0; end < text.size() && count < n; ++count) {
    ++end;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  }
  return text.substr(0, end);
}

}  // namespace

std::optional<std::string> business_date_set_by(std::string_view kind, const Json& payload) {
  if (kind == "inspection.recorded") {
    if (const auto* d = string_member(payload, "sampling_date")) return *d;
    return std::nullopt;
  }
  if (kind == "complaint.received") {
    if (const auto* d = string_member(payload, "received_on")) return *d;
    return std::nullopt;
  }
  if (kind == "incident.reported") {
    if (const auto* t = string_member(payload, "occurred_at")) return first_characters(*t, 10);
    return std::nullopt;
  }
  if (kind == "correction" && payload.is_object()) {
    const auto values = payload.find("values");
    if (values == payload.end()) return std::nullopt;
    if (const auto* d = string_member(*values, "sampling_date")) return *d;
    if (const auto* d = string_member(*values, "received_on")) return *d;
    if (const auto* t = string_member(*values, "occurred_at")) return first_characters(*t, 10);
  }
  return std::nullopt;
}

}  // namespace qledger
