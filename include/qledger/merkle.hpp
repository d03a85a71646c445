// RFC 9162 Merkle tree arithmetic: tree heads, inclusion and consistency proofs, and their
// verification (RFC 9162 §2.1.3.2 and §2.1.4.2). Pure: hashes come from a NodeSource.
//
// Terms. Leaf index i is 0-based. A "perfect node" (level L, index k) is the root of the
// complete subtree over leaves [k·2^L, (k+1)·2^L); level 0 is the leaf hash itself. Every
// subtree hash a proof needs is built from O(log n) perfect nodes, so a store that keeps the
// perfect nodes answers any proof by reading O(log n) of them (log² n in the worst case).
#pragma once

#include "qledger/hash.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace qledger {

// Where perfect-node hashes come from (an in-memory vector, or the SQLite tables).
class NodeSource {
 public:
  virtual ~NodeSource() = default;
  // Hash of the perfect node at (level, index). Must exist: callers only ask for nodes inside
  // the tree sizes they were given. Throws on storage failure.
  virtual Hash perfect_node(unsigned level, std::uint64_t index) const = 0;
};

// MTH(D[begin:end]) of a subtree of the big tree, assembled from perfect nodes: the binary
// digits of (end − begin), largest first. Requires begin < end and begin a multiple of
// std::bit_ceil(end − begin), which holds for every range the RFC 6962 recursion produces
// (throws std::invalid_argument otherwise). Reads popcount(end − begin) nodes.
Hash subtree_hash(const NodeSource& nodes, std::uint64_t begin, std::uint64_t end);

// Root of the tree of `size` leaves (empty_tree_root() for size 0).
Hash tree_root(const NodeSource& nodes, std::uint64_t size);

// RFC 6962 §2.1.1 PATH(m, D[n]), leaf sibling first. Requires index < size (throws
// std::invalid_argument otherwise).
std::vector<Hash> inclusion_proof(const NodeSource& nodes, std::uint64_t index, std::uint64_t size);

// RFC 6962 §2.1.2 PROOF(m, D[n]). Requires 0 < old_size <= new_size (empty when equal; throws
// std::invalid_argument otherwise).
std::vector<Hash> consistency_proof(const NodeSource& nodes, std::uint64_t old_size,
                                    std::uint64_t new_size);

// Verification result: ok, or a short English reason.
struct ProofCheck {
  bool ok = false;
  std::string reason;
  explicit operator bool() const { return ok; }
};

// RFC 9162 §2.1.3.2. Rejects index >= size, wrong proof length and root mismatch.
ProofCheck verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash,
                            const std::vector<Hash>& proof, const Hash& root);

// RFC 9162 §2.1.4.2. Accepts old_size == new_size only with an empty proof and equal roots;
// rejects old_size == 0 (nothing to prove), old_size > new_size and any unused proof element.
ProofCheck verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root,
                              const Hash& new_root, const std::vector<Hash>& proof);

// The right edge of a tree being built leaf by leaf: the roots of the perfect subtrees whose
// sizes are the binary digits of the current size. Appending a leaf yields the perfect nodes
// it completes, which a store persists. Also computes the root of the current size.
class CompactRange {
 public:
  struct CompletedNode {
    unsigned level;
    std::uint64_t index;
    Hash hash;
  };

  CompactRange() = default;
  // Resume from a stored tree: `edge` lists the perfect-node hashes of the binary decomposition
  // of `size`, largest (leftmost) first. Throws std::invalid_argument unless
  // edge.size() == popcount(size).
  CompactRange(std::uint64_t size, std::vector<Hash> edge);

  // Adds leaf hash for leaf index size(); returns every perfect node completed, including the
  // leaf itself (level 0), in ascending level order.
  std::vector<CompletedNode> append(Sha256& hasher, const Hash& leaf);

  std::uint64_t size() const { return size_; }
  const std::vector<Hash>& edge() const { return edge_; }
  Hash root(Sha256& hasher) const;

  // (level, index) of each perfect node in the binary decomposition of `size`, leftmost first.
  static std::vector<std::pair<unsigned, std::uint64_t>> decomposition(std::uint64_t size);

 private:
  std::uint64_t size_ = 0;
  std::vector<Hash> edge_;  // leftmost (largest) first
};

// A NodeSource over leaf hashes held in memory (tests, small tools).
class InMemoryTree : public NodeSource {
 public:
  explicit InMemoryTree(std::vector<Hash> leaves = {});
  void append(const Hash& leaf);
  std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  // Throws std::out_of_range for a node not (yet) complete.
  Hash perfect_node(unsigned level, std::uint64_t index) const override;

 private:
  std::vector<std::vector<Hash>> levels_;  // levels_[L][k] = perfect node (L, k); [0] = leaves
};

}  // namespace qledger
