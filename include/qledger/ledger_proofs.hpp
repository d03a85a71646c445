// Inclusion and consistency proof documents (qledger/proof_json.hpp) read from a ledger. The CLI's
// `qledger prove` and the daemon's /api/v1/proofs/* both build their answers here.
#pragma once

#include "qledger/ledger.hpp"
#include "qledger/proof_json.hpp"

#include <cstdint>
#include <optional>

namespace qledger {

// Proof that event `seq` is leaf seq−1 of the tree of `tree_size` leaves (the current size when
// absent), with the leaf bytes. nullopt unless 1 ≤ seq ≤ tree_size ≤ the ledger's size.
std::optional<InclusionProofDoc> prove_inclusion(Ledger& ledger, std::uint64_t seq,
                                                 std::optional<std::uint64_t> tree_size);

// Proof that the tree of `from_size` leaves is a prefix of the tree of `to_size` leaves.
// nullopt unless 1 ≤ from_size ≤ to_size ≤ the ledger's size.
std::optional<ConsistencyProofDoc> prove_consistency(Ledger& ledger, std::uint64_t from_size,
                                                     std::uint64_t to_size);

}  // namespace qledger
