// A one-pass check that bytes are already in canonical form (canonical_json.hpp), without building
// a value or re-encoding: the fast path of is_canonical and of leaf decoding.
//
// It accepts exactly the byte strings that parse_profile_json accepts and encode_canonical maps
// back to themselves (tests/canonical_scan_test.cpp compares the two on a corpus of tricky
// inputs). It says only yes or no; callers wanting the reason run the parser.
#pragma once

#include <cstddef>
#include <string_view>

namespace qledger {

// Scans one canonical value starting at bytes[pos] with at most `max_depth` nested objects/arrays
// (the value itself counts if it is one). Returns the position just past the value, or npos if
// the bytes there do not start with a canonical value.
std::size_t scan_canonical_value(std::string_view bytes, std::size_t pos, std::size_t max_depth);

}  // namespace qledger
