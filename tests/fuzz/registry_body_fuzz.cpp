// libFuzzer target for the registry snapshot body decoder (registry_snapshot.hpp). On any bytes
// decode_registry must return without crashing; what it accepts must be exactly what
// encode_registry writes for the decoded state (one body per state), and decoding that again must
// give the same state. Any violation aborts.
#include "qledger/registry_snapshot.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto decoded = qledger::decode_registry(body);
  if (!decoded) return 0;
  const std::string again = qledger::encode_registry(*decoded);
  if (again != body) std::abort();
  const auto twice = qledger::decode_registry(again);
  if (!twice || !(*twice == *decoded)) std::abort();
  return 0;
}
