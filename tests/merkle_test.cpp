// Tests for qledger/merkle.hpp. Expected values come from an independent, naive transcription
// of the RFC 6962 §2.1 definitions (recursive MTH, PATH, PROOF) over a vector of leaf hashes,
// from the RFC 6962 reference roots, and from the transparency-dev/merkle test vectors.
#include "qledger/merkle.hpp"

#include "qledger/hash.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#ifndef QLEDGER_TEST_DATA
#error "QLEDGER_TEST_DATA must name the tests/data directory"
#endif

namespace {

using qledger::Hash;
using Hashes = std::vector<Hash>;
using Span = std::span<const Hash>;

// ---------------------------------------------------------------------------------------------
// Reference model: RFC 6962 §2.1 written out literally. Node hashes are built from explicit
// byte strings so nothing here depends on the code under test.

std::string bytes(const Hash& h) { return std::string(h.begin(), h.end()); }

Hash ref_leaf(const std::string& data) { return qledger::sha256(std::string(1, '\0') + data); }

Hash ref_node(const Hash& left, const Hash& right) {
  return qledger::sha256(std::string(1, '\x01') + bytes(left) + bytes(right));
}

// The largest power of two smaller than n (n > 1).
std::size_t ref_split(std::size_t n) {
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// MTH(D[n]) over leaf hashes.
Hash ref_mth(Span d) {
  if (d.empty()) return qledger::sha256("");
  if (d.size() == 1) return d[0];
  const std::size_t k = ref_split(d.size());
  return ref_node(ref_mth(d.first(k)), ref_mth(d.subspan(k)));
}

// PATH(m, D[n]).
Hashes ref_path(std::size_t m, Span d) {
  if (d.size() <= 1) return {};
  const std::size_t k = ref_split(d.size());
  Hashes p;
  if (m < k) {
    p = ref_path(m, d.first(k));
    p.push_back(ref_mth(d.subspan(k)));
  } else {
    p = ref_path(m - k, d.subspan(k));
    p.push_back(ref_mth(d.first(k)));
  }
  return p;
}

// SUBPROOF(m, D[n], b); PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
Hashes ref_subproof(std::size_t m, Span d, bool b) {
  if (m == d.size()) return b ? Hashes{} : Hashes{ref_mth(d)};
  const std::size_t k = ref_split(d.size());
  Hashes p;
  if (m <= k) {
    p = ref_subproof(m, d.first(k), b);
    p.push_back(ref_mth(d.subspan(k)));
  } else {
    p = ref_subproof(m - k, d.subspan(k), false);
    p.push_back(ref_mth(d.first(k)));
  }
  return p;
}

// The "shape" of PATH(m, D[n]): for each element, 'L' if it is hashed on the left of the
// running value, 'R' if on the right. A verifier's result can only depend on the shape it
// derives from (index, size), so a proof is valid for exactly the (index, size) pairs sharing
// its shape.
std::string ref_path_shape(std::size_t m, std::size_t n) {
  if (n <= 1) return "";
  const std::size_t k = ref_split(n);
  return m < k ? ref_path_shape(m, k) + "R" : ref_path_shape(m - k, n - k) + "L";
}

// The shape of PROOF(m, D[n]): 'o' if the old root seeds the computation (it is omitted from
// the proof), 'p' if the first element does; then per further element 'L' (left sibling
// inside the old tree, feeds both roots) or 'R' (right of the old tree, new root only).
std::string ref_consistency_shape(std::size_t m, std::size_t n, bool b = true) {
  if (m == n) return b ? "o" : "p";
  const std::size_t k = ref_split(n);
  return m <= k ? ref_consistency_shape(m, k, b) + "R"
                : ref_consistency_shape(m - k, n - k, false) + "L";
}

// Leaf hashes of distinct entries.
Hashes make_leaves(std::size_t n) {
  Hashes leaves;
  for (std::size_t i = 0; i < n; ++i) leaves.push_back(ref_leaf("entry " + std::to_string(i)));
  return leaves;
}

std::vector<Hash> ref_roots(const Hashes& leaves) {
  Hashes roots;
  for (std::size_t n = 0; n <= leaves.size(); ++n) roots.push_back(ref_mth(Span(leaves).first(n)));
  return roots;
}

Hash flip_bit(Hash h, std::size_t bit) {
  h[bit / 8 % h.size()] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return h;
}

Hash from_hex(const char* hex) {
  Hash h{};
  REQUIRE(qledger::hash_from_hex(hex, h));
  return h;
}

// ---------------------------------------------------------------------------------------------
// Node sources.

// Wraps a NodeSource: counts reads and throws on any node not inside the first `limit` leaves,
// proving the code never looks past the tree size it was given.
class CheckedSource : public qledger::NodeSource {
 public:
  CheckedSource(const qledger::NodeSource& inner, std::uint64_t limit)
      : inner_(inner), limit_(limit) {}

  Hash perfect_node(unsigned level, std::uint64_t index) const override {
    ++reads;
    // Node (level, index) covers [index·2^level, (index+1)·2^level).
    if (level >= 64 || index >= (limit_ >> level)) {
      throw std::out_of_range("node (" + std::to_string(level) + ", " + std::to_string(index) +
                              ") lies outside size " + std::to_string(limit_));
    }
    return inner_.perfect_node(level, index);
  }

  mutable std::uint64_t reads = 0;

 private:
  const qledger::NodeSource& inner_;
  std::uint64_t limit_;
};

// A huge fake tree: every perfect node is a deterministic hash of its coordinates.
class SyntheticSource : public qledger::NodeSource {
 public:
  Hash perfect_node(unsigned level, std::uint64_t index) const override {
    return qledger::sha256(std::to_string(level) + ":" + std::to_string(index));
  }
};

// ---------------------------------------------------------------------------------------------
// Test vectors (transparency-dev/merkle format).

std::filesystem::path vectors_root() {
  return std::filesystem::path(QLEDGER_TEST_DATA) / "rfc6962-vectors";
}

std::vector<std::filesystem::path> json_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json load_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

// A field that is not exactly 32 base64-encoded bytes cannot be a SHA-256 hash: a front end
// parsing it into qledger::Hash rejects the input before verification even starts.
bool decode_hash(const nlohmann::json& j, Hash& out) {
  return j.is_string() && qledger::hash_from_base64(j.get<std::string>(), out);
}

bool decode_proof(const nlohmann::json& j, Hashes& out) {
  out.clear();
  if (j.is_null()) return true;
  if (!j.is_array()) return false;
  for (const auto& element : j) {
    Hash h{};
    if (!decode_hash(element, h)) return false;
    out.push_back(h);
  }
  return true;
}

// The leaves behind the RFC 6962 reference trees (certificate-transparency-go, transparency-dev).
std::vector<std::string> reference_leaf_data() {
  return {std::string(),
          std::string(1, '\x00'),
          "\x10",
          "\x20\x21",
          "\x30\x31",
          "\x40\x41\x42\x43",
          "\x50\x51\x52\x53\x54\x55\x56\x57",
          "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
}

qledger::InMemoryTree reference_tree() {
  qledger::InMemoryTree tree;
  for (const std::string& data : reference_leaf_data()) tree.append(ref_leaf(data));
  return tree;
}

}  // namespace

TEST_SUITE("merkle") {
  TEST_CASE("empty tree root and the RFC 6962 reference roots") {
    const qledger::InMemoryTree empty;
    CHECK(empty.size() == 0);
    CHECK(qledger::tree_root(empty, 0) ==
          from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));

    const char* kRoots[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    const qledger::InMemoryTree tree = reference_tree();
    REQUIRE(tree.size() == 8);
    Hashes leaves;
    for (const std::string& data : reference_leaf_data()) leaves.push_back(ref_leaf(data));
    for (std::uint64_t n = 1; n <= 8; ++n) {
      CAPTURE(n);
      CHECK(qledger::tree_root(tree, n) == from_hex(kRoots[n - 1]));
      CHECK(ref_mth(Span(leaves).first(n)) == from_hex(kRoots[n - 1]));  // the model agrees
    }
  }

  TEST_CASE("InMemoryTree holds exactly the complete perfect nodes") {
    const Hashes leaves = make_leaves(37);
    const qledger::InMemoryTree built(leaves);
    qledger::InMemoryTree appended;
    for (const Hash& leaf : leaves) appended.append(leaf);
    CHECK(built.size() == 37);
    for (unsigned level = 0; level < 6; ++level) {
      const std::uint64_t width = std::uint64_t{1} << level;
      for (std::uint64_t k = 0; k < 37 / width; ++k) {
        const Hash expected = ref_mth(Span(leaves).subspan(k * width, width));
        CHECK(built.perfect_node(level, k) == expected);
        CHECK(appended.perfect_node(level, k) == expected);
      }
      CHECK_THROWS_AS(built.perfect_node(level, 37 / width), std::out_of_range);
    }
    CHECK_THROWS_AS(built.perfect_node(6, 0), std::out_of_range);
    CHECK_THROWS_AS(qledger::InMemoryTree().perfect_node(0, 0), std::out_of_range);
  }

  TEST_CASE("subtree_hash assembles every RFC subtree range from popcount(size) nodes") {
    const Hashes leaves = make_leaves(64);
    const qledger::InMemoryTree tree(leaves);
    for (std::uint64_t end = 1; end <= 64; ++end) {
      for (std::uint64_t begin = 0; begin < end; ++begin) {
        if (begin % std::bit_ceil(end - begin) != 0) continue;
        CAPTURE(begin);
        CAPTURE(end);
        const CheckedSource source(tree, end);
        CHECK(qledger::subtree_hash(source, begin, end) ==
              ref_mth(Span(leaves).subspan(begin, end - begin)));
        CHECK(source.reads == static_cast<std::uint64_t>(std::popcount(end - begin)));
      }
    }
    CHECK_THROWS_AS(qledger::subtree_hash(tree, 1, 3), std::invalid_argument);  // misaligned
    CHECK_THROWS_AS(qledger::subtree_hash(tree, 4, 9), std::invalid_argument);
    CHECK_THROWS_AS(qledger::subtree_hash(tree, 3, 3), std::invalid_argument);  // empty
    CHECK_THROWS_AS(qledger::subtree_hash(tree, 5, 4), std::invalid_argument);
  }

  TEST_CASE("inclusion proofs equal RFC 6962 PATH and verify, sizes 1..64") {
    const Hashes leaves = make_leaves(64);
    const Hashes roots = ref_roots(leaves);
    const qledger::InMemoryTree tree(leaves);
    for (std::uint64_t n = 1; n <= 64; ++n) {
      CHECK(qledger::tree_root(CheckedSource(tree, n), n) == roots[n]);
      for (std::uint64_t i = 0; i < n; ++i) {
        CAPTURE(n);
        CAPTURE(i);
        const CheckedSource source(tree, n);
        const Hashes proof = qledger::inclusion_proof(source, i, n);
        CHECK(proof == ref_path(i, Span(leaves).first(n)));
        CHECK(source.reads <= 2 * std::bit_width(n));
        const qledger::ProofCheck result =
            qledger::verify_inclusion(i, n, leaves[i], proof, roots[n]);
        CHECK_MESSAGE(result.ok, result.reason);
        CHECK(result.reason.empty());
      }
      CHECK_THROWS_AS(qledger::inclusion_proof(tree, n, n), std::invalid_argument);
    }
  }

  TEST_CASE("inclusion proofs verify for every leaf of larger trees") {
    for (const std::uint64_t n : {1000u, 1024u, 1025u}) {
      const Hashes leaves = make_leaves(n);
      const Hash root = ref_mth(leaves);
      const qledger::InMemoryTree tree(leaves);
      CHECK(qledger::tree_root(tree, n) == root);
      std::size_t verified = 0;
      for (std::uint64_t i = 0; i < n; ++i) {
        const Hashes proof = qledger::inclusion_proof(CheckedSource(tree, n), i, n);
        if (qledger::verify_inclusion(i, n, leaves[i], proof, root)) ++verified;
      }
      CAPTURE(n);
      CHECK(verified == n);
    }
  }

  TEST_CASE("tampered inclusion proofs are rejected") {
    const Hashes leaves = make_leaves(80);
    const Hashes roots = ref_roots(leaves);
    const qledger::InMemoryTree tree(leaves);
    const Hash stranger = ref_leaf("not in the tree");
    for (std::uint64_t n = 1; n <= 40; ++n) {
      for (std::uint64_t i = 0; i < n; ++i) {
        CAPTURE(n);
        CAPTURE(i);
        const Hashes proof = qledger::inclusion_proof(tree, i, n);
        auto rejects = [&](std::uint64_t index, std::uint64_t size, const Hash& leaf,
                           const Hashes& p, const Hash& root) {
          const qledger::ProofCheck result = qledger::verify_inclusion(index, size, leaf, p, root);
          return !result.ok && !result.reason.empty();
        };
        for (std::size_t j = 0; j < proof.size(); ++j) {
          CAPTURE(j);
          for (const std::size_t bit : {std::size_t{0}, j * 37 + i, std::size_t{255}}) {
            Hashes bad = proof;
            bad[j] = flip_bit(bad[j], bit);
            CHECK(rejects(i, n, leaves[i], bad, roots[n]));
          }
          Hashes dropped = proof;
          dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(j));
          CHECK(rejects(i, n, leaves[i], dropped, roots[n]));
          Hashes swapped = proof;
          if (j + 1 < proof.size() && proof[j] != proof[j + 1]) {
            std::swap(swapped[j], swapped[j + 1]);
            CHECK(rejects(i, n, leaves[i], swapped, roots[n]));
          }
        }
        for (std::size_t j = 0; j <= proof.size(); ++j) {
          for (const Hash& extra : {stranger, roots[n], leaves[i]}) {
            Hashes added = proof;
            added.insert(added.begin() + static_cast<std::ptrdiff_t>(j), extra);
            CHECK(rejects(i, n, leaves[i], added, roots[n]));
          }
        }
        for (std::uint64_t j = 0; j < n; ++j) {
          if (j != i) CHECK(rejects(j, n, leaves[i], proof, roots[n]));  // wrong index
          if (j != i) CHECK(rejects(i, n, leaves[j], proof, roots[n]));  // wrong leaf
        }
        for (const std::uint64_t index :
             {n, n + 1, 2 * n, std::numeric_limits<std::uint64_t>::max()}) {
          CHECK(rejects(index, n, leaves[i], proof, roots[n]));
        }
        CHECK(rejects(i, n, flip_bit(leaves[i], 7), proof, roots[n]));
        CHECK(rejects(i, n, leaves[i], proof, flip_bit(roots[n], 100)));
        CHECK(rejects(i, 0, leaves[i], proof, roots[n]));
        // Wrong size, each with the genuine root of that size.
        for (const std::uint64_t size : {n - 1, n + 1, n + 2, 2 * n}) {
          if (size > i && size != n) CHECK(rejects(i, size, leaves[i], proof, roots[size]));
        }
      }
    }
  }

  TEST_CASE("an inclusion proof is accepted for exactly the positions that share its shape") {
    // (index, size) fixes the hashing order, so a proof with its leaf and root is accepted
    // for exactly those (index, size) whose PATH has the same left/right order; the signed
    // root is what binds the real size. Catches verifiers that skip the final sn == 0 check
    // (a proof for a small tree accepted at a larger size) or the "too long" check (PATH(3, 4)
    // = [l2, H(l0, l1)] accepted as index 1 of a size-2 tree).
    constexpr std::uint64_t kMax = 24;
    const Hashes leaves = make_leaves(kMax);
    const Hashes roots = ref_roots(leaves);
    const qledger::InMemoryTree tree(leaves);
    std::vector<std::vector<std::string>> shapes(2 * kMax + 3);  // shapes[size][index]
    for (std::uint64_t size = 0; size < shapes.size(); ++size) {
      for (std::uint64_t index = 0; index < size; ++index) {
        shapes[size].push_back(ref_path_shape(index, size));
      }
    }
    std::size_t accepted_elsewhere = 0;
    for (std::uint64_t n = 1; n <= kMax; ++n) {
      for (std::uint64_t i = 0; i < n; ++i) {
        const Hashes proof = qledger::inclusion_proof(tree, i, n);
        for (std::uint64_t size = 0; size <= 2 * n + 2; ++size) {
          for (std::uint64_t index = 0; index <= size; ++index) {
            CAPTURE(n);
            CAPTURE(i);
            CAPTURE(size);
            CAPTURE(index);
            const bool expected = index < size && shapes[size][index] == shapes[n][i];
            CHECK(qledger::verify_inclusion(index, size, leaves[i], proof, roots[n]).ok ==
                  expected);
            if (expected && (index != i || size != n)) ++accepted_elsewhere;
          }
        }
      }
    }
    CHECK(accepted_elsewhere > 0);  // the ambiguity is real, e.g. (0, 3) and (0, 4) below
    // The "too long" case from above.
    CHECK_FALSE(
        qledger::verify_inclusion(1, 2, leaves[3], qledger::inclusion_proof(tree, 3, 4), roots[4])
            .ok);

    // PATH(0, D[3]) = [l1, l2] hashes exactly like a size-4 proof: H(H(l0, l1), l2).
    const Hashes proof3 = qledger::inclusion_proof(tree, 0, 3);
    CHECK(qledger::verify_inclusion(0, 4, leaves[0], proof3, roots[3]).ok);
    CHECK_FALSE(qledger::verify_inclusion(0, 4, leaves[0], proof3, roots[4]).ok);
  }

  TEST_CASE("inclusion proofs that stop below the root are rejected (final sn == 0 check)") {
    const Hashes leaves = make_leaves(64);
    const Hashes roots = ref_roots(leaves);
    const qledger::InMemoryTree tree(leaves);
    // The simplest case: [l1] climbs from l0 to H(l0, l1), the root of size 2, not of size 4.
    const qledger::ProofCheck short_proof =
        qledger::verify_inclusion(0, 4, leaves[0], {leaves[1]}, ref_node(leaves[0], leaves[1]));
    CHECK_FALSE(short_proof.ok);
    CHECK(short_proof.reason.find("short") != std::string::npos);
    for (std::uint64_t n = 2; n <= 64; ++n) {
      for (std::uint64_t i = 0; i < n; ++i) {
        const Hashes proof = qledger::inclusion_proof(tree, i, n);
        const std::string shape = ref_path_shape(i, n);
        // Every prefix of the proof, checked against the hash it really climbs to.
        Hash r = leaves[i];
        for (std::size_t t = 0; t < proof.size(); ++t) {
          CAPTURE(n);
          CAPTURE(i);
          CAPTURE(t);
          const Hashes prefix(proof.begin(), proof.begin() + static_cast<std::ptrdiff_t>(t));
          CHECK_FALSE(qledger::verify_inclusion(i, n, leaves[i], prefix, r).ok);
          r = shape[t] == 'L' ? ref_node(proof[t], r) : ref_node(r, proof[t]);
        }
        CHECK(r == roots[n]);
      }
    }
  }

  TEST_CASE("consistency proofs equal RFC 6962 PROOF and verify, 1 <= m <= n <= 64") {
    const Hashes leaves = make_leaves(64);
    const Hashes roots = ref_roots(leaves);
    const qledger::InMemoryTree tree(leaves);
    for (std::uint64_t n = 1; n <= 64; ++n) {
      for (std::uint64_t m = 1; m <= n; ++m) {
        CAPTURE(m);
        CAPTURE(n);
        const CheckedSource source(tree, n);
        const Hashes proof = qledger::consistency_proof(source, m, n);
        CHECK(proof == ref_subproof(m, Span(leaves).first(n), true));
        CHECK(source.reads <= 3 * std::bit_width(n));
        const qledger::ProofCheck result =
            qledger::verify_consistency(m, n, roots[m], roots[n], proof);
        CHECK_MESSAGE(result.ok, result.reason);
      }
      CHECK_THROWS_AS(qledger::consistency_proof(tree, 0, n), std::invalid_argument);
      CHECK_THROWS_AS(qledger::consistency_proof(tree, n + 1, n), std::invalid_argument);
    }
  }

  TEST_CASE("consistency proofs verify in larger trees") {
    const Hashes leaves = make_leaves(1025);
    const qledger::InMemoryTree tree(leaves);
    const std::uint64_t sizes[] = {1, 2, 3, 511, 512, 513, 700, 1000, 1023, 1024, 1025};
    for (const std::uint64_t n : sizes) {
      for (const std::uint64_t m : sizes) {
        if (m > n) continue;
        CAPTURE(m);
        CAPTURE(n);
        const Hashes proof = qledger::consistency_proof(CheckedSource(tree, n), m, n);
        CHECK(qledger::verify_consistency(m, n, ref_mth(Span(leaves).first(m)),
                                          ref_mth(Span(leaves).first(n)), proof)
                  .ok);
      }
    }
  }

  TEST_CASE("tampered consistency proofs are rejected") {
    const Hashes leaves = make_leaves(80);
    const Hashes roots = ref_roots(leaves);
    const qledger::InMemoryTree tree(leaves);
    const Hash stranger = ref_leaf("not in the tree");
    auto rejects = [](std::uint64_t m, std::uint64_t n, const Hash& r1, const Hash& r2,
                      const Hashes& p) {
      const qledger::ProofCheck result = qledger::verify_consistency(m, n, r1, r2, p);
      return !result.ok && !result.reason.empty();
    };
    for (std::uint64_t n = 1; n <= 40; ++n) {
      for (std::uint64_t m = 1; m <= n; ++m) {
        CAPTURE(m);
        CAPTURE(n);
        const Hashes proof = qledger::consistency_proof(tree, m, n);
        for (std::size_t j = 0; j < proof.size(); ++j) {
          CAPTURE(j);
          for (const std::size_t bit : {std::size_t{0}, j * 41 + m, std::size_t{255}}) {
            Hashes bad = proof;
            bad[j] = flip_bit(bad[j], bit);
            CHECK(rejects(m, n, roots[m], roots[n], bad));
          }
          Hashes dropped = proof;
          dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(j));
          CHECK(rejects(m, n, roots[m], roots[n], dropped));
        }
        for (std::size_t j = 0; j <= proof.size(); ++j) {
          for (const Hash& extra : {stranger, roots[m], roots[n]}) {
            Hashes added = proof;
            added.insert(added.begin() + static_cast<std::ptrdiff_t>(j), extra);
            CHECK(rejects(m, n, roots[m], roots[n], added));
          }
        }
        CHECK(rejects(m, n, flip_bit(roots[m], 3), roots[n], proof));
        CHECK(rejects(m, n, roots[m], flip_bit(roots[n], 200), proof));
        if (m != n) CHECK(rejects(m, n, roots[n], roots[m], proof));       // swapped roots
        CHECK(rejects(n, m == n ? n + 1 : m, roots[n], roots[m], proof));  // swapped sizes
        // Wrong sizes, each paired with the genuine root of that size.
        for (std::uint64_t size = 1; size <= n; ++size) {
          if (size != m) CHECK(rejects(size, n, roots[size], roots[n], proof));
        }
        for (const std::uint64_t size : {n + 1, n + 2, 2 * n, n - 1}) {
          if (size >= m && size != n) CHECK(rejects(m, size, roots[m], roots[size], proof));
        }
      }
    }
  }

  TEST_CASE("a consistency proof is accepted for exactly the size pairs that share its shape") {
    // Same reasoning as for inclusion: presenting PROOF(m, n) with the roots of m and n but
    // other sizes must fail unless the sizes imply the very same hashing order. Catches
    // verifiers that skip the final sn == 0 check (a proof for a smaller tree accepted for a
    // larger size) or that derive the order from one size only.
    constexpr std::uint64_t kMax = 24;
    const Hashes leaves = make_leaves(kMax);
    const Hashes roots = ref_roots(leaves);
    const qledger::InMemoryTree tree(leaves);
    std::vector<std::vector<std::string>> shapes(2 * kMax + 3);  // shapes[size2][size1]
    for (std::uint64_t size2 = 0; size2 < shapes.size(); ++size2) {
      for (std::uint64_t size1 = 0; size1 <= size2; ++size1) {
        shapes[size2].push_back(size1 == 0 ? "" : ref_consistency_shape(size1, size2));
      }
    }
    std::size_t accepted_other_sizes = 0;
    for (std::uint64_t n = 1; n <= kMax; ++n) {
      for (std::uint64_t m = 1; m <= n; ++m) {
        const Hashes proof = qledger::consistency_proof(tree, m, n);
        for (std::uint64_t size2 = 0; size2 <= 2 * n + 2; ++size2) {
          for (std::uint64_t size1 = 0; size1 <= size2; ++size1) {
            CAPTURE(m);
            CAPTURE(n);
            CAPTURE(size1);
            CAPTURE(size2);
            const bool expected = size1 > 0 && shapes[size2][size1] == shapes[n][m];
            CHECK(qledger::verify_consistency(size1, size2, roots[m], roots[n], proof).ok ==
                  expected);
            if (expected && (size1 != m || size2 != n)) ++accepted_other_sizes;
          }
        }
      }
    }
    CHECK(accepted_other_sizes > 0);
  }

  TEST_CASE("consistency verifier edge cases") {
    const Hashes leaves = make_leaves(16);
    const Hashes roots = ref_roots(leaves);
    const qledger::InMemoryTree tree(leaves);
    const Hash empty_root = qledger::empty_tree_root();
    // Size 0: nothing to prove; an empty proof must not be taken as evidence.
    for (std::uint64_t n = 0; n <= 16; ++n) {
      CHECK_FALSE(qledger::verify_consistency(0, n, empty_root, roots[n], {}).ok);
      CHECK_FALSE(qledger::verify_consistency(0, n, empty_root, roots[n], {roots[n]}).ok);
    }
    // Equal sizes: only an empty proof with equal roots.
    CHECK(qledger::verify_consistency(5, 5, roots[5], roots[5], {}).ok);
    CHECK_FALSE(qledger::verify_consistency(5, 5, roots[5], roots[6], {}).ok);
    CHECK_FALSE(qledger::verify_consistency(5, 5, roots[5], roots[5], {roots[5]}).ok);
    // Shrinking trees.
    CHECK_FALSE(qledger::verify_consistency(6, 5, roots[6], roots[5], {}).ok);
    CHECK_FALSE(qledger::verify_consistency(6, 5, roots[6], roots[5],
                                            qledger::consistency_proof(tree, 5, 6))
                    .ok);
    // Growing trees need a proof.
    for (std::uint64_t n = 2; n <= 16; ++n) {
      for (std::uint64_t m = 1; m < n; ++m) {
        CHECK_FALSE(qledger::verify_consistency(m, n, roots[m], roots[n], {}).ok);
      }
    }
    // A proof that stops short: [l1] takes l0 to H(l0, l1), the root of size 2, not size 4.
    const qledger::ProofCheck short_proof =
        qledger::verify_consistency(1, 4, leaves[0], roots[2], {leaves[1]});
    CHECK_FALSE(short_proof.ok);
    CHECK(short_proof.reason.find("short") != std::string::npos);
  }

  TEST_CASE("every RFC 6962 test vector (transparency-dev/merkle) gives the expected verdict") {
    const qledger::InMemoryTree reference = reference_tree();
    std::size_t checked = 0;
    std::size_t rejected_as_malformed = 0;
    std::size_t happy_paths_regenerated = 0;

    const auto inclusion_files = json_files(vectors_root() / "inclusion");
    REQUIRE(!inclusion_files.empty());
    for (const auto& file : inclusion_files) {
      const nlohmann::json v = load_json(file);
      const std::uint64_t index = v.at("leafIdx").get<std::uint64_t>();
      const std::uint64_t size = v.at("treeSize").get<std::uint64_t>();
      const bool want_err = v.at("wantErr").get<bool>();
      Hash root{};
      Hash leaf{};
      Hashes proof;
      const bool well_formed = decode_hash(v.at("root"), root) &&
                               decode_hash(v.at("leafHash"), leaf) &&
                               decode_proof(v.at("proof"), proof);
      qledger::ProofCheck result{false, "malformed hash"};
      if (well_formed) result = qledger::verify_inclusion(index, size, leaf, proof, root);
      if (!well_formed) ++rejected_as_malformed;
      CHECK_MESSAGE(result.ok == !want_err, file.string(), ": ", v.value("desc", ""), ": ",
                    result.reason);
      if (!want_err && size <= reference.size() && index < size &&
          leaf == reference.perfect_node(0, index)) {
        CHECK(qledger::inclusion_proof(reference, index, size) == proof);
        ++happy_paths_regenerated;
      }
      ++checked;
    }

    const auto consistency_files = json_files(vectors_root() / "consistency");
    REQUIRE(!consistency_files.empty());
    for (const auto& file : consistency_files) {
      const nlohmann::json v = load_json(file);
      const std::uint64_t size1 = v.at("size1").get<std::uint64_t>();
      const std::uint64_t size2 = v.at("size2").get<std::uint64_t>();
      const bool want_err = v.at("wantErr").get<bool>();
      Hash root1{};
      Hash root2{};
      Hashes proof;
      const bool well_formed = decode_hash(v.at("root1"), root1) &&
                               decode_hash(v.at("root2"), root2) &&
                               decode_proof(v.at("proof"), proof);
      qledger::ProofCheck result{false, "malformed hash"};
      if (well_formed) result = qledger::verify_consistency(size1, size2, root1, root2, proof);
      if (!well_formed) ++rejected_as_malformed;
      CHECK_MESSAGE(result.ok == !want_err, file.string(), ": ", v.value("desc", ""), ": ",
                    result.reason);
      if (!want_err && size2 <= reference.size() && root1 == qledger::tree_root(reference, size1)) {
        CHECK(qledger::consistency_proof(reference, size1, size2) == proof);
        ++happy_paths_regenerated;
      }
      ++checked;
    }

    // No file silently skipped: the count of verdicts equals the count of files on disk.
    std::size_t files_on_disk = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(vectors_root())) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") ++files_on_disk;
    }
    CHECK(checked == files_on_disk);
    CHECK(checked == inclusion_files.size() + consistency_files.size());
    CHECK(happy_paths_regenerated > 0);
    MESSAGE("vectors checked: ", checked, " (", rejected_as_malformed,
            " rejected while decoding), happy paths regenerated: ", happy_paths_regenerated);
  }

  TEST_CASE("proofs over a million leaves read O(log n) perfect nodes") {
    const SyntheticSource synthetic;
    const std::uint64_t n = 1'000'000;
    const double log_n = std::log2(static_cast<double>(n));
    const auto budget = static_cast<std::uint64_t>(4 * log_n * log_n);
    const auto log_bound = static_cast<std::uint64_t>(std::bit_width(n));

    const CheckedSource root_source(synthetic, n);
    qledger::tree_root(root_source, n);
    CHECK(root_source.reads == static_cast<std::uint64_t>(std::popcount(n)));

    std::vector<std::uint64_t> indices = {0, 1, 2, 3, 524287, 524288, 123456, n / 2, n - 2, n - 1};
    for (std::uint64_t x = 12345; indices.size() < 60;
         x = x * 6364136223846793005u + 1442695040888963407u) {
      indices.push_back((x >> 20) % n);
    }
    for (const std::uint64_t i : indices) {
      CAPTURE(i);
      const CheckedSource source(synthetic, n);
      const Hashes proof = qledger::inclusion_proof(source, i, n);
      CHECK(proof.size() <= log_bound);
      CHECK(source.reads < budget);
      CHECK(source.reads <= 2 * log_bound);
    }
    for (const std::uint64_t m : indices) {
      CAPTURE(m);
      const CheckedSource source(synthetic, n);
      qledger::consistency_proof(source, m + 1, n);
      CHECK(source.reads < budget);
      CHECK(source.reads <= 3 * log_bound);
    }

    // A tree far too large to ever enumerate: only the arithmetic scales.
    const std::uint64_t huge = (std::uint64_t{1} << 50) + 12345;
    const CheckedSource huge_source(synthetic, huge);
    qledger::inclusion_proof(huge_source, (std::uint64_t{1} << 49) + 7, huge);
    qledger::consistency_proof(huge_source, (std::uint64_t{1} << 40) + 3, huge);
    qledger::consistency_proof(huge_source, huge - 1, huge);
    CHECK(huge_source.reads <= 8 * 51);

    // The largest representable size still works (no overflow in the split arithmetic).
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const CheckedSource max_source(synthetic, max);
    qledger::tree_root(max_source, max);
    CHECK(max_source.reads == 64);
    CHECK(qledger::inclusion_proof(max_source, max - 1, max).size() == 63);  // last leaf: depth 63
    CHECK(qledger::consistency_proof(max_source, max - 1, max).size() > 0);
    CHECK(qledger::subtree_hash(max_source, 0, max) == qledger::tree_root(max_source, max));
    CHECK_THROWS_AS(qledger::subtree_hash(max_source, 1, max), std::invalid_argument);
  }

  TEST_CASE("CompactRange reproduces the tree leaf by leaf, sizes 0..200") {
    const Hashes leaves = make_leaves(200);
    const qledger::InMemoryTree tree(leaves);
    qledger::Sha256 hasher;
    qledger::CompactRange range;
    CHECK(range.size() == 0);
    CHECK(range.edge().empty());
    CHECK(range.root(hasher) == ref_mth({}));

    std::vector<std::vector<qledger::CompactRange::CompletedNode>> history;
    std::uint64_t completed_total = 0;
    for (std::uint64_t i = 0; i < 200; ++i) {
      CAPTURE(i);
      const auto completed = range.append(hasher, leaves[i]);
      history.push_back(completed);
      const std::uint64_t n = i + 1;
      REQUIRE(range.size() == n);
      CHECK(range.root(hasher) == ref_mth(Span(leaves).first(n)));

      // The leaf first, then one node per level, each a genuine perfect node of the tree.
      REQUIRE(!completed.empty());
      CHECK(completed.front().level == 0);
      CHECK(completed.front().index == i);
      CHECK(completed.size() == static_cast<std::size_t>(std::countr_one(i)) + 1);
      for (std::size_t j = 0; j < completed.size(); ++j) {
        CHECK(completed[j].level == j);
        CHECK(completed[j].index == (i >> j));
        CHECK(completed[j].hash == tree.perfect_node(completed[j].level, completed[j].index));
      }
      completed_total += completed.size();

      // The edge is the tree's perfect nodes of the decomposition of n.
      const auto decomposition = qledger::CompactRange::decomposition(n);
      REQUIRE(range.edge().size() == decomposition.size());
      for (std::size_t j = 0; j < decomposition.size(); ++j) {
        CHECK(range.edge()[j] ==
              tree.perfect_node(decomposition[j].first, decomposition[j].second));
      }
    }
    // Every perfect node of the 200-leaf tree was reported exactly once.
    std::uint64_t perfect_nodes = 0;
    for (std::uint64_t width = 1; width <= 200; width *= 2) perfect_nodes += 200 / width;
    CHECK(completed_total == perfect_nodes);

    // Resuming from any stored (size, edge) continues identically.
    for (std::uint64_t start = 0; start <= 200; ++start) {
      CAPTURE(start);
      Hashes edge;
      for (const auto& [level, index] : qledger::CompactRange::decomposition(start)) {
        edge.push_back(tree.perfect_node(level, index));
      }
      qledger::CompactRange resumed(start, edge);
      CHECK(resumed.root(hasher) == ref_mth(Span(leaves).first(start)));
      for (std::uint64_t i = start; i < 200; ++i) {
        const auto completed = resumed.append(hasher, leaves[i]);
        REQUIRE(completed.size() == history[i].size());
        for (std::size_t j = 0; j < completed.size(); ++j) {
          CHECK(completed[j].level == history[i][j].level);
          CHECK(completed[j].index == history[i][j].index);
          CHECK(completed[j].hash == history[i][j].hash);
        }
      }
      CHECK(resumed.root(hasher) == range.root(hasher));
      CHECK(resumed.edge() == range.edge());
    }

    CHECK_THROWS_AS(qledger::CompactRange(3, Hashes{leaves[0]}), std::invalid_argument);
    CHECK_THROWS_AS(qledger::CompactRange(0, Hashes{leaves[0]}), std::invalid_argument);
    CHECK_THROWS_AS(qledger::CompactRange(4, Hashes{}), std::invalid_argument);
  }

  TEST_CASE("CompactRange::decomposition lists the size's binary digits leftmost first") {
    using Decomposition = std::vector<std::pair<unsigned, std::uint64_t>>;
    CHECK(qledger::CompactRange::decomposition(0).empty());
    CHECK(qledger::CompactRange::decomposition(1) == Decomposition{{0, 0}});
    CHECK(qledger::CompactRange::decomposition(6) == Decomposition{{2, 0}, {1, 2}});
    CHECK(qledger::CompactRange::decomposition(7) == Decomposition{{2, 0}, {1, 2}, {0, 6}});
    CHECK(qledger::CompactRange::decomposition(13) == Decomposition{{3, 0}, {2, 2}, {0, 12}});
    CHECK(qledger::CompactRange::decomposition(64) == Decomposition{{6, 0}});
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    CHECK(qledger::CompactRange::decomposition(max).size() == 64);
    CHECK(qledger::CompactRange::decomposition(max).back() ==
          std::pair<unsigned, std::uint64_t>{0, max - 1});

    // The nodes tile [0, size) left to right with strictly decreasing levels.
    for (std::uint64_t size = 1; size <= 1000; ++size) {
      CAPTURE(size);
      std::uint64_t covered = 0;
      unsigned previous_level = 64;
      for (const auto& [level, index] : qledger::CompactRange::decomposition(size)) {
        CHECK(level < previous_level);
        CHECK((index << level) == covered);
        covered += std::uint64_t{1} << level;
        previous_level = level;
      }
      CHECK(covered == size);
    }
  }
}
