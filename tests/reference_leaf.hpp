// A leaf's bytes as docs/ledger-format.md defines them — the canonical encoding of one JSON
// object with the seven members — computed without encode_leaf, for tests to compare with.
#pragma once

#include "qledger/canonical_json.hpp"
#include "qledger/hash.hpp"
#include "qledger/leaf.hpp"

#include <cstdint>
#include <string>

namespace qledger::test {

inline std::string reference_leaf_bytes(const Leaf& leaf) {
  return encode_canonical(Json{{"actor", leaf.actor},
                               {"kind", leaf.kind},
                               {"payload", leaf.payload},
                               {"prev", to_hex(leaf.prev)},
                               {"recorded_at", leaf.recorded_at},
                               {"seq", static_cast<std::int64_t>(leaf.seq)},
                               {"v", 1}});
}

}  // namespace qledger::test
