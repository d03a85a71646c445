// RFC 6962 / RFC 9162 Merkle tree proofs over perfect nodes. See merkle.hpp for the terms.
#include "qledger/merkle.hpp"

#include <bit>
#include <stdexcept>

namespace qledger {

namespace {

constexpr std::uint64_t kOne = 1;

// The k of RFC 6962 §2.1: the largest power of two smaller than n (n > 1).
std::uint64_t split_point(std::uint64_t n) { return std::bit_floor(n - 1); }

// Calls fn(level, index) for each perfect node of the binary decomposition of
// [begin, begin + size), leftmost (largest) first. begin must be aligned (see subtree_hash).
template <typename Fn>
void for_each_perfect_node(std::uint64_t begin, std::uint64_t size, Fn&& fn) {
  for (auto level = static_cast<unsigned>(std::bit_width(size)); level-- > 0;) {
    const std::uint64_t width = kOne << level;
    if ((size & width) == 0) continue;
    fn(level, begin >> level);
    begin += width;
  }
}

// Folds subtree roots, leftmost first, into one root: MTH splits off the largest perfect
// subtree on the left, so the tree is ((a, (b, (c, ...)))).
Hash fold_right(const std::vector<Hash>& parts, Sha256* hasher) {
  Hash acc = parts.back();
  for (std::size_t i = parts.size() - 1; i-- > 0;) {
    acc = hasher != nullptr ? hasher->node_hash(parts[i], acc) : node_hash(parts[i], acc);
  }
  return acc;
}

// Right-shifts fn and sn together until fn's lowest bit is set or fn is 0 (RFC 9162 loops).
void shift_while_lsb_clear(std::uint64_t& fn, std::uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

ProofCheck fail(std::string reason) { return ProofCheck{false, std::move(reason)}; }
ProofCheck pass() { return ProofCheck{true, {}}; }

}  // namespace

Hash subtree_hash(const NodeSource& nodes, std::uint64_t begin, std::uint64_t end) {
  if (begin >= end) throw std::invalid_argument("subtree_hash: empty range");
  const std::uint64_t size = end - begin;
  // bit_ceil(size) would overflow above 2^63; such a range can only start at 0.
  const bool aligned = size > (kOne << 63) ? begin == 0 : begin % std::bit_ceil(size) == 0;
  if (!aligned) {
    throw std::invalid_argument("subtree_hash: range is not a subtree of the tree");
  }
  std::vector<Hash> parts;
  for_each_perfect_node(begin, size, [&](unsigned level, std::uint64_t index) {
    parts.push_back(nodes.perfect_node(level, index));
  });
  return fold_right(parts, nullptr);
}

Hash tree_root(const NodeSource& nodes, std::uint64_t size) {
  return size == 0 ? empty_tree_root() : subtree_hash(nodes, 0, size);
}

// RFC 6962 §2.1.1, unrolled: PATH(m, D[lo:hi]) with k = split_point(hi − lo) is
//   PATH(m, D[lo:lo+k]) : MTH(D[lo+k:hi])   if m < lo + k
//   PATH(m, D[lo+k:hi]) : MTH(D[lo:lo+k])   otherwise,
// so walking down from the root yields the proof back to front.
std::vector<Hash> inclusion_proof(const NodeSource& nodes, std::uint64_t index,
                                  std::uint64_t size) {
  if (index >= size) throw std::invalid_argument("inclusion_proof: index out of range");
  std::vector<Hash> proof;
  std::uint64_t lo = 0;
  std::uint64_t hi = size;
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + split_point(hi - lo);
    if (index < mid) {
      proof.push_back(subtree_hash(nodes, mid, hi));
      hi = mid;
    } else {
      proof.push_back(subtree_hash(nodes, lo, mid));
      lo = mid;
    }
  }
  return {proof.rbegin(), proof.rend()};
}

// RFC 6962 §2.1.2, unrolled: SUBPROOF(m, D[lo:hi], b) with k = split_point(hi − lo) is
//   SUBPROOF(m, D[lo:lo+k], b) : MTH(D[lo+k:hi])        if m − lo <= k
//   SUBPROOF(m, D[lo+k:hi], false) : MTH(D[lo:lo+k])   otherwise,
// ending at m == hi with {} when b is still true (the verifier knows that root) or
// {MTH(D[lo:hi])} when it is false.
std::vector<Hash> consistency_proof(const NodeSource& nodes, std::uint64_t old_size,
                                    std::uint64_t new_size) {
  if (old_size == 0 || old_size > new_size) {
    throw std::invalid_argument("consistency_proof: need 0 < old_size <= new_size");
  }
  std::vector<Hash> suffix;  // elements appended on the way down, outermost first
  std::uint64_t lo = 0;
  std::uint64_t hi = new_size;
  bool whole_old_tree = true;  // the b flag
  while (old_size != hi) {
    const std::uint64_t mid = lo + split_point(hi - lo);
    if (old_size <= mid) {
      suffix.push_back(subtree_hash(nodes, mid, hi));
      hi = mid;
    } else {
      suffix.push_back(subtree_hash(nodes, lo, mid));
      lo = mid;
      whole_old_tree = false;
    }
  }
  std::vector<Hash> proof;
  proof.reserve(suffix.size() + 1);
  if (!whole_old_tree) proof.push_back(subtree_hash(nodes, lo, hi));
  proof.insert(proof.end(), suffix.rbegin(), suffix.rend());
  return proof;
}

// RFC 9162 §2.1.3.2.
ProofCheck verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash,
                            const std::vector<Hash>& proof, const Hash& root) {
  // Step 1: the leaf must be inside the tree.
  if (index >= size) return fail("leaf index is not below the tree size");
  // Steps 2-3: fn is the leaf's position, sn the last position, r the running hash.
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Hash r = leaf_hash;
  // Step 4: climb one level per proof element.
  for (const Hash& p : proof) {
    if (sn == 0) return fail("inclusion proof is too long");
    if ((fn & 1) == 1 || fn == sn) {
      // p is a left sibling. When fn is a right-edge node without a sibling on this level
      // (fn == sn, fn even), skip the levels where it is simply promoted.
      r = node_hash(p, r);
      if ((fn & 1) == 0) shift_while_lsb_clear(fn, sn);
    } else {
      r = node_hash(r, p);  // p is a right sibling
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5: the proof must reach the root level exactly, then match the root.
  if (sn != 0) return fail("inclusion proof is too short");
  if (r != root) return fail("inclusion proof does not match the root");
  return pass();
}

// RFC 9162 §2.1.4.2.
ProofCheck verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root,
                              const Hash& new_root, const std::vector<Hash>& proof) {
  if (old_size == 0) return fail("consistency from an empty tree proves nothing");
  if (old_size > new_size) return fail("old tree size exceeds new tree size");
  if (old_size == new_size) {
    if (!proof.empty()) return fail("consistency proof between equal sizes must be empty");
    if (old_root != new_root) return fail("roots differ for equal tree sizes");
    return pass();
  }
  // Step 1: a non-trivial proof is never empty.
  if (proof.empty()) return fail("consistency proof is empty");
  // Step 2: if old_size is a power of two the old root is a node of the new tree and is
  // omitted from the proof; treat it as the first element.
  const bool seed_is_old_root = std::has_single_bit(old_size);
  std::size_t next = seed_is_old_root ? 0 : 1;
  // Step 3.
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  // Step 4: skip the levels where the old tree's last node is a right child; the proof
  // starts at the node whose right edge is the old tree's last leaf.
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5: fr rebuilds the old root, sr the new one.
  Hash fr = seed_is_old_root ? old_root : proof[0];
  Hash sr = fr;
  // Step 6.
  for (; next < proof.size(); ++next) {
    const Hash& c = proof[next];
    if (sn == 0) return fail("consistency proof is too long");
    if ((fn & 1) == 1 || fn == sn) {
      // c is a left sibling inside the old tree: it feeds both roots.
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if ((fn & 1) == 0) shift_while_lsb_clear(fn, sn);
    } else {
      sr = node_hash(sr, c);  // c lies right of the old tree: only the new root sees it
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0) return fail("consistency proof is too short");
  if (fr != old_root) return fail("consistency proof does not match the old root");
  if (sr != new_root) return fail("consistency proof does not match the new root");
  return pass();
}

CompactRange::CompactRange(std::uint64_t size, std::vector<Hash> edge)
    : size_(size), edge_(std::move(edge)) {
  if (edge_.size() != static_cast<std::size_t>(std::popcount(size_))) {
    throw std::invalid_argument("CompactRange: edge does not match the size's decomposition");
  }
}

// Like a binary counter increment: each trailing 1 bit of size_ is a perfect subtree that the
// new node completes, merging into one node a level higher.
std::vector<CompactRange::CompletedNode> CompactRange::append(Sha256& hasher, const Hash& leaf) {
  std::vector<CompletedNode> completed{{0, size_, leaf}};
  Hash node = leaf;
  for (unsigned level = 0; ((size_ >> level) & 1) == 1; ++level) {
    node = hasher.node_hash(edge_.back(), node);
    edge_.pop_back();
    completed.push_back({level + 1, size_ >> (level + 1), node});
  }
  edge_.push_back(node);
  ++size_;
  return completed;
}

Hash CompactRange::root(Sha256& hasher) const {
  return edge_.empty() ? hasher.digest({}) : fold_right(edge_, &hasher);
}

std::vector<std::pair<unsigned, std::uint64_t>> CompactRange::decomposition(std::uint64_t size) {
  std::vector<std::pair<unsigned, std::uint64_t>> out;
  for_each_perfect_node(
      0, size, [&](unsigned level, std::uint64_t index) { out.emplace_back(level, index); });
  return out;
}

InMemoryTree::InMemoryTree(std::vector<Hash> leaves) {
  for (const Hash& leaf : leaves) append(leaf);
}

// Adds the leaf, then every perfect node it completes (each level whose count became even).
void InMemoryTree::append(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  for (std::size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();
    const std::vector<Hash>& row = levels_[level];
    const Hash parent = node_hash(row[row.size() - 2], row.back());
    levels_[level + 1].push_back(parent);
  }
}

Hash InMemoryTree::perfect_node(unsigned level, std::uint64_t index) const {
  if (level >= levels_.size() || index >= levels_[level].size()) {
    throw std::out_of_range("InMemoryTree: no perfect node at level " + std::to_string(level) +
                            ", index " + std::to_string(index));
  }
  return levels_[level][index];
}

}  // namespace qledger
