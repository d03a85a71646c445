// Golden vectors of the ledger format v1 (docs/ledger-format.md §9). The expected bytes in
// tests/data/golden/ledger-v1.json were computed by tests/data/golden/generate.py from the document
// alone (Python hashlib, an RFC 8032 Ed25519 transcription, cross-checked with the openssl tool);
// these tests check that the C++ library produces exactly those bytes, and that the document still
// quotes the same values, so the code, the vectors and the document cannot drift apart.
#include "qledger/canonical_json.hpp"
#include "qledger/checkpoint.hpp"
#include "qledger/hash.hpp"
#include "qledger/leaf.hpp"
#include "qledger/ledger.hpp"
#include "qledger/merkle.hpp"
#include "qledger/proof_json.hpp"
#include "qledger/signing_key.hpp"
#include "qledger/verifier.hpp"
#include "test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef QLEDGER_TEST_DATA
#error "QLEDGER_TEST_DATA must name the tests/data directory"
#endif

namespace {

using namespace qledger;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Json& golden() {
  static const Json value =
      Json::parse(slurp(std::string(QLEDGER_TEST_DATA) + "/golden/ledger-v1.json"));
  return value;
}

const std::string& format_doc() {
  static const std::string text =
      slurp(std::string(QLEDGER_TEST_DATA) + "/../../docs/ledger-format.md");
  return text;
}

std::string unhex(const Json& hex) {
  std::string out;
  REQUIRE_MESSAGE(bytes_from_hex(hex.get<std::string>(), out), "bad hex in golden file");
  return out;
}

Hash hash_of(const Json& hex) {
  Hash h{};
  REQUIRE_MESSAGE(hash_from_hex(hex.get<std::string>(), h), "bad hash in golden file");
  return h;
}

std::vector<Hash> hashes_of(const Json& list) {
  std::vector<Hash> out;
  for (const auto& h : list) out.push_back(hash_of(h));
  return out;
}

Leaf leaf_of(const Json& v) {
  Leaf leaf;
  leaf.seq = v["seq"].get<std::uint64_t>();
  leaf.kind = v["kind"].get<std::string>();
  leaf.actor = v["actor"].get<std::string>();
  leaf.recorded_at = v["recorded_at"].get<std::string>();
  leaf.payload = v["payload"];
  leaf.prev = hash_of(v["prev"]);
  return leaf;
}

// Leaf hashes of the golden ledger, checked event by event.
std::vector<Hash> golden_leaf_hashes() {
  std::vector<Hash> out;
  for (const auto& e : golden()["ledger"]["events"]) out.push_back(hash_of(e["leaf_hash"]));
  return out;
}

}  // namespace

TEST_SUITE("leaf") {
  TEST_CASE("golden: canonical JSON profile cases") {
    const Json& cases = golden()["canonical_json"];
    REQUIRE(cases.size() >= 20);
    for (const auto& c : cases) {
      const std::string input = unhex(c["input_hex"]);
      CAPTURE(c["input_hex"].get<std::string>());
      CanonicalError error;
      const auto value = parse_profile_json(input, error);
      if (c.contains("error")) {
        CHECK_FALSE(value.has_value());
        CHECK(error.code == c["error"].get<std::string>());
      } else {
        REQUIRE_MESSAGE(value.has_value(), error.code << ": " << error.message);
        const std::string canonical = unhex(c["canonical_hex"]);
        CHECK(encode_canonical(*value) == canonical);
        CHECK(is_canonical(canonical));
      }
    }
  }

  TEST_CASE("golden: the rich leaf encodes to the exact bytes and leaf hash") {
    const Json& g = golden()["leaf"];
    const Leaf leaf = leaf_of(g);
    const std::string expected = unhex(g["leaf_hex"]);
    const std::string bytes = encode_leaf(leaf);
    CHECK(bytes == expected);
    CHECK(bytes == g["leaf_text"].get<std::string>());
    CHECK(to_hex(leaf_hash(bytes)) == g["leaf_hash"].get<std::string>());
    CHECK(is_canonical(bytes));

    LeafError error;
    const auto decoded = decode_leaf(expected, error);
    REQUIRE_MESSAGE(decoded.has_value(), error.field << ": " << error.message);
    CHECK(decoded->seq == leaf.seq);
    CHECK(decoded->kind == leaf.kind);
    CHECK(decoded->actor == leaf.actor);
    CHECK(decoded->recorded_at == leaf.recorded_at);
    CHECK(decoded->prev == leaf.prev);
    CHECK(encode_canonical(decoded->payload) == encode_canonical(leaf.payload));
  }

  TEST_CASE("golden: the eight-event ledger's leaves and chain") {
    Hash prev = kGenesisPrev;
    std::uint64_t seq = 0;
    for (const auto& e : golden()["ledger"]["events"]) {
      ++seq;
      CAPTURE(seq);
      const Leaf leaf = leaf_of(e);
      CHECK(leaf.seq == seq);
      CHECK(leaf.prev == prev);  // the chain: prev = leaf hash of seq − 1, zeros for seq 1
      const std::string bytes = encode_leaf(leaf);
      CHECK(bytes == unhex(e["leaf_hex"]));
      const Hash h = leaf_hash(bytes);
      CHECK(to_hex(h) == e["leaf_hash"].get<std::string>());
      LeafError error;
      CHECK(decode_leaf(bytes, error).has_value());
      prev = h;
    }
    CHECK(seq == 8);
  }

  TEST_CASE("golden: roots at sizes 0..8, stored nodes and proofs") {
    const Json& g = golden()["ledger"];
    const std::vector<Hash> leaves = golden_leaf_hashes();
    const InMemoryTree tree(leaves);

    for (const auto& r : g["roots"]) {
      const auto size = r["tree_size"].get<std::uint64_t>();
      CAPTURE(size);
      CHECK(to_hex(tree_root(tree, size)) == r["root_hash"].get<std::string>());
      // The incremental writer's view (CompactRange) gives the same root.
      Sha256 hasher;
      CompactRange range;
      for (std::uint64_t i = 0; i < size; ++i) range.append(hasher, leaves[i]);
      CHECK(to_hex(range.root(hasher)) == r["root_hash"].get<std::string>());
    }

    // tree_nodes of an 8-event ledger: every complete subtree of level >= 1, n − popcount(n) rows,
    // exactly the nodes CompactRange::append reports as completed (what Ledger writes).
    std::vector<std::array<std::uint64_t, 2>> completed;
    std::vector<Hash> completed_hashes;
    Sha256 hasher;
    CompactRange range;
    for (const Hash& leaf : leaves) {
      for (const auto& node : range.append(hasher, leaf)) {
        if (node.level == 0) continue;
        completed.push_back({node.level, node.index});
        completed_hashes.push_back(node.hash);
      }
    }
    REQUIRE(g["tree_nodes"].size() == 7);
    REQUIRE(completed.size() == 7);
    for (const auto& n : g["tree_nodes"]) {
      const auto level = n["level"].get<unsigned>();
      const auto idx = n["idx"].get<std::uint64_t>();
      CAPTURE(level);
      CAPTURE(idx);
      CHECK(to_hex(tree.perfect_node(level, idx)) == n["hash"].get<std::string>());
      bool found = false;
      for (std::size_t i = 0; i < completed.size(); ++i) {
        if (completed[i][0] == level && completed[i][1] == idx) {
          found = true;
          CHECK(to_hex(completed_hashes[i]) == n["hash"].get<std::string>());
        }
      }
      CHECK(found);
    }

    for (const auto& p : g["inclusion_proofs"]) {
      const auto seq = p["seq"].get<std::uint64_t>();
      const auto size = p["tree_size"].get<std::uint64_t>();
      CAPTURE(seq);
      CAPTURE(size);
      const std::vector<Hash> expected = hashes_of(p["proof"]);
      CHECK(inclusion_proof(tree, seq - 1, size) == expected);
      CHECK(verify_inclusion(seq - 1, size, leaves[seq - 1], expected, tree_root(tree, size)).ok);
    }
    for (const auto& p : g["consistency_proofs"]) {
      const auto from = p["from_size"].get<std::uint64_t>();
      const auto to = p["to_size"].get<std::uint64_t>();
      CAPTURE(from);
      CAPTURE(to);
      const std::vector<Hash> expected = hashes_of(p["proof"]);
      CHECK(consistency_proof(tree, from, to) == expected);
      CHECK(verify_consistency(from, to, tree_root(tree, from), tree_root(tree, to), expected).ok);
    }
  }

  TEST_CASE("golden: checkpoints signed with the RFC 8032 test-1 key") {
    const Json& k = golden()["key"];
    const std::string seed_bytes = unhex(k["seed_hex"]);
    REQUIRE(seed_bytes.size() == 32);
    std::array<std::uint8_t, 32> seed{};
    std::copy(seed_bytes.begin(), seed_bytes.end(), seed.begin());
    const SigningKey key = SigningKey::from_seed(k["name"].get<std::string>(), seed);

    CHECK(to_hex(key.public_key().data(), key.public_key().size()) ==
          k["public_key_hex"].get<std::string>());
    const VerifierKey vk = key.verifier();
    char id[9];
    std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(vk.key_id()));
    CHECK(std::string(id) == k["key_id_hex"].get<std::string>());
    CHECK(vk.to_note_string() == k["verifier_key"].get<std::string>());
    CHECK(vk.to_pem() == k["public_key_pem"].get<std::string>());
    const VerifierKey parsed = VerifierKey::from_note_string(k["verifier_key"].get<std::string>());
    CHECK(parsed.key == key.public_key());

    for (const auto& c : golden()["checkpoints"]) {
      CAPTURE(c["tree_size"].get<std::uint64_t>());
      Checkpoint cp;
      cp.origin = golden()["ledger"]["origin"].get<std::string>();
      cp.tree_size = c["tree_size"].get<std::uint64_t>();
      cp.root_hash = hash_of(c["root_hash"]);
      CHECK(cp.body() == c["body"].get<std::string>());
      CHECK(to_hex(key.sign(cp.body())) == c["signature_hex"].get<std::string>());
      CHECK(sign_checkpoint(cp, key) == c["note"].get<std::string>());  // Ed25519 is deterministic

      const OpenedCheckpoint opened =
          open_checkpoint(c["note"].get<std::string>(), parsed, cp.origin);
      CHECK_MESSAGE(opened.ok, opened.reason);
      CHECK(opened.checkpoint.tree_size == cp.tree_size);
      CHECK(opened.checkpoint.root_hash == cp.root_hash);
    }
  }

  TEST_CASE("golden: a ledger file holding the golden rows verifies") {
    // Writes the golden rows into a fresh ledger the way docs/ledger-format.md §2 describes, then
    // runs the real verifier with both golden checkpoints and the golden trusted key.
    const Json& g = golden()["ledger"];
    const Json& k = golden()["key"];
    test::TempDir dir;
    const std::string path = dir.file("golden.db");
    const std::string origin = g["origin"].get<std::string>();
    Ledger::create(path, LedgerInfo{"", origin, origin, k["verifier_key"].get<std::string>()});
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE, 10000);
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement ev(db,
                           "INSERT INTO events (seq, kind, recorded_at, actor, leaf, leaf_hash) "
                           "VALUES (?, ?, ?, ?, ?, ?)");
      for (const auto& e : g["events"]) {
        const std::string leaf = unhex(e["leaf_hex"]);
        const std::string lh = unhex(e["leaf_hash"]);
        ev.bind(1, e["seq"].get<std::int64_t>());
        ev.bind(2, e["kind"].get<std::string>());
        ev.bind(3, e["recorded_at"].get<std::string>());
        ev.bind(4, e["actor"].get<std::string>());
        ev.bind(5, leaf.data(), static_cast<int>(leaf.size()));
        ev.bind(6, lh.data(), static_cast<int>(lh.size()));
        ev.exec();
        ev.reset();
      }
      SQLite::Statement node(db, "INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)");
      for (const auto& n : g["tree_nodes"]) {
        const std::string h = unhex(n["hash"]);
        node.bind(1, n["level"].get<std::int64_t>());
        node.bind(2, n["idx"].get<std::int64_t>());
        node.bind(3, h.data(), static_cast<int>(h.size()));
        node.exec();
        node.reset();
      }
      tx.commit();
    }

    VerifyOptions options;
    options.trusted_key = VerifierKey::from_note_string(k["verifier_key"].get<std::string>());
    for (const auto& c : golden()["checkpoints"]) {
      options.checkpoints.push_back(
          {"size-" + std::to_string(c["tree_size"].get<int>()), c["note"].get<std::string>()});
    }
    const VerifyReport report = verify_ledger(path, options);
    REQUIRE_MESSAGE(report.intact(),
                    (report.problems.empty() ? report.io_message : report.problems[0].message));
    CHECK(report.tree_size == 8);
    CHECK(to_hex(report.root) == g["roots"][8]["root_hash"].get<std::string>());
    REQUIRE(report.checkpoints.size() == 2);
    CHECK(report.checkpoints[0].ok);
    CHECK(report.checkpoints[1].ok);

    // The library's own view of the file agrees with the golden roots at every size.
    Ledger ledger(path);
    for (const auto& r : g["roots"]) {
      CHECK(to_hex(ledger.root_at(r["tree_size"].get<std::uint64_t>())) ==
            r["root_hash"].get<std::string>());
    }
  }

  TEST_CASE("golden: docs/ledger-format.md quotes the golden values") {
    const std::string& doc = format_doc();
    const Json& g = golden();
    auto quoted = [&](const std::string& needle) {
      CAPTURE(needle);
      CHECK(doc.find(needle) != std::string::npos);
    };
    quoted("qledger-ledger/1");
    // §3/§4: the rich leaf's hash and the first event's exact bytes and hash.
    quoted(g["leaf"]["leaf_hash"].get<std::string>());
    quoted(g["ledger"]["events"][0]["leaf_text"].get<std::string>());
    for (int i = 0; i < 3; ++i) quoted(g["ledger"]["events"][i]["leaf_hash"].get<std::string>());
    // §5: the roots of the three-event example and of the full golden ledger.
    for (int size = 0; size <= 3; ++size) {
      quoted(g["ledger"]["roots"][size]["root_hash"].get<std::string>());
    }
    quoted(g["ledger"]["roots"][8]["root_hash"].get<std::string>());
    // §7: the test key and the size-3 checkpoint note, line by line.
    quoted(g["key"]["verifier_key"].get<std::string>());
    quoted(g["key"]["key_id_hex"].get<std::string>());
    std::istringstream note(g["checkpoints"][0]["note"].get<std::string>());
    for (std::string line; std::getline(note, line);) {
      if (!line.empty()) quoted(line);
    }
    quoted(g["checkpoints"][0]["signature_hex"].get<std::string>().substr(0, 64));
  }
}
