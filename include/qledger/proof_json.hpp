// Inclusion and consistency proofs as JSON documents (docs/ledger-format.md §"Proofs"), and their
// offline verification. Hashes are lower-case hex. Pure functions.
#pragma once

#include "qledger/canonical_json.hpp"
#include "qledger/checkpoint.hpp"
#include "qledger/hash.hpp"
#include "qledger/merkle.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace qledger {

struct InclusionProofDoc {
  std::string origin;
  std::uint64_t seq = 0;  // leaf index = seq − 1
  std::uint64_t tree_size = 0;
  Hash leaf_hash{};
  std::optional<std::string> leaf;  // the leaf bytes, when included
  Hash root_hash{};
  std::vector<Hash> proof;
};

struct ConsistencyProofDoc {
  std::string origin;
  std::uint64_t from_size = 0;
  std::uint64_t to_size = 0;
  Hash from_root{};
  Hash to_root{};
  std::vector<Hash> proof;
};

Json to_json(const InclusionProofDoc& doc);
Json to_json(const ConsistencyProofDoc& doc);

// Parses either document (by its "type" field). Throws std::invalid_argument with a reason.
std::variant<InclusionProofDoc, ConsistencyProofDoc> parse_proof_json(const Json& value);

// Checks the proof's arithmetic (and the leaf bytes against leaf_hash when present), then that
// each given checkpoint matches one of the (size, root) pairs the proof states.
ProofCheck check_proof_doc(const InclusionProofDoc& doc,
                           const std::vector<Checkpoint>& checkpoints);
ProofCheck check_proof_doc(const ConsistencyProofDoc& doc,
                           const std::vector<Checkpoint>& checkpoints);

}  // namespace qledger
