// libFuzzer target for the canonical JSON profile. For every input the profile parser accepts,
// the canonical encoding must be canonical, parse back to an equal value and be a fixed point;
// for every input it refuses, the error must carry a known code. Any violation aborts.
#include "qledger/canonical_json.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

bool known_code(const std::string& code) {
  for (const char* known :
       {"invalid_json", "duplicate_key", "float_not_allowed", "integer_out_of_range",
        "invalid_utf8", "lone_surrogate", "bad_key", "too_deep", "too_large"}) {
    if (code == known) return true;
  }
  return false;
}

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  qledger::CanonicalError error;
  const auto value = qledger::parse_profile_json(text, error);
  if (!value) {
    require(known_code(error.code));
    require(!qledger::is_canonical(text));
    return 0;
  }
  require(!qledger::check_profile(*value).has_value());
  const std::string encoded = qledger::encode_canonical(*value);
  require(qledger::is_canonical(encoded));
  require(qledger::is_canonical(text) == (text == encoded));

  qledger::CanonicalError reparse_error;
  const auto reparsed = qledger::parse_profile_json(encoded, reparse_error);
  require(reparsed.has_value());
  require(*reparsed == *value);
  require(qledger::encode_canonical(*reparsed) == encoded);
  return 0;
}
