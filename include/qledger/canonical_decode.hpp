// Builds the value of bytes already known to be canonical (canonical_json.hpp) — a leaf's payload
// once decode_leaf_header has accepted it — about twice as fast as a general JSON parser: there
// is no whitespace to skip, object members arrive sorted so each is appended at the end of its
// map without comparisons, and numbers are integers.
#pragma once

#include "qledger/canonical_json.hpp"

#include <string_view>

namespace qledger {

// The value of `bytes`, exactly as Json::parse gives it (non-negative integers unsigned,
// negative ones signed; a repeated key keeps its last value). Throws std::invalid_argument,
// without reading past the input, for anything outside compact JSON within the profile's
// limits: whitespace, fractions or exponents, integers beyond ±(2^53−1), invalid UTF-8 or lone
// surrogates, nesting deeper than 32, trailing bytes.
Json decode_canonical(std::string_view bytes);

}  // namespace qledger
