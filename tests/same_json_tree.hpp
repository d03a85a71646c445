// Shared by the canonical_scan suite and the canonical_json fuzz target: JSON equality that also
// compares the type of every node (nlohmann's operator== says 1u == 1; a decoder that returned
// signed where Json::parse returns unsigned would pass it).
#pragma once

#include "qledger/canonical_json.hpp"

#include <cstddef>

namespace qledger::test {

inline bool same_tree(const Json& a, const Json& b) {
  if (a.type() != b.type() || a != b) return false;
  if (a.is_object()) {
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
      if (i.key() != j.key() || !same_tree(*i, *j)) return false;
    }
  }
  if (a.is_array()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same_tree(a[i], b[i])) return false;
    }
  }
  return true;
}

}  // namespace qledger::test
