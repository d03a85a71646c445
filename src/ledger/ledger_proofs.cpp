#include "qledger/ledger_proofs.hpp"

namespace qledger {

std::optional<InclusionProofDoc> prove_inclusion(Ledger& ledger, std::uint64_t seq,
                                                 std::optional<std::uint64_t> tree_size) {
  const std::uint64_t current = ledger.head().size;
  const std::uint64_t size = tree_size.value_or(current);
  if (seq == 0 || seq > size || size > current) return std::nullopt;
  const auto event = ledger.event(seq);
  if (!event) return std::nullopt;
  InclusionProofDoc doc;
  doc.origin = ledger.info().origin;
  doc.seq = seq;
  doc.tree_size = size;
  doc.leaf_hash = event->leaf_hash;
  doc.leaf = event->leaf;
  doc.root_hash = ledger.root_at(size);
  doc.proof = ledger.inclusion_proof(seq, size);
  return doc;
}

std::optional<ConsistencyProofDoc> prove_consistency(Ledger& ledger, std::uint64_t from_size,
                                                     std::uint64_t to_size) {
  if (from_size == 0 || from_size > to_size || to_size > ledger.head().size) return std::nullopt;
  ConsistencyProofDoc doc;
  doc.origin = ledger.info().origin;
  doc.from_size = from_size;
  doc.to_size = to_size;
  doc.from_root = ledger.root_at(from_size);
  doc.to_root = ledger.root_at(to_size);
  doc.proof = ledger.consistency_proof(from_size, to_size);
  return doc;
}

}  // namespace qledger
