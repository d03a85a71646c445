#include "qledger/proof_json.hpp"

#include "qledger/leaf.hpp"

#include <stdexcept>

namespace qledger {

namespace {

Json hashes_to_json(const std::vector<Hash>& hashes) {
  Json out = Json::array();
  for (const auto& h : hashes) out.push_back(to_hex(h));
  return out;
}

Hash hash_field(const Json& v, const char* key) {
  Hash h{};
  if (!v.contains(key) || !v[key].is_string() || !hash_from_hex(v[key].get<std::string>(), h)) {
    throw std::invalid_argument(std::string("field '") + key + "' must be 64 hex digits");
  }
  return h;
}

std::uint64_t size_field(const Json& v, const char* key) {
  if (!v.contains(key) || !v[key].is_number_integer() || v[key].get<std::int64_t>() < 0) {
    throw std::invalid_argument(std::string("field '") + key + "' must be a non-negative integer");
  }
  return static_cast<std::uint64_t>(v[key].get<std::int64_t>());
}

std::vector<Hash> proof_field(const Json& v) {
  if (!v.contains("proof") || !v["proof"].is_array() || v["proof"].size() > 128) {
    throw std::invalid_argument("field 'proof' must be an array of at most 128 hashes");
  }
  std::vector<Hash> out;
  for (const auto& item : v["proof"]) {
    Hash h{};
    if (!item.is_string() || !hash_from_hex(item.get<std::string>(), h)) {
      throw std::invalid_argument("every proof element must be 64 hex digits");
    }
    out.push_back(h);
  }
  return out;
}

std::string origin_field(const Json& v) {
  return v.contains("origin") && v["origin"].is_string() ? v["origin"].get<std::string>() : "";
}

ProofCheck fail(std::string reason) { return ProofCheck{false, std::move(reason)}; }

ProofCheck match_checkpoints(const std::vector<Checkpoint>& checkpoints, const std::string& origin,
                             std::vector<std::pair<std::uint64_t, Hash>> heads) {
  for (const auto& cp : checkpoints) {
    if (!origin.empty() && cp.origin != origin) {
      return fail("checkpoint origin '" + cp.origin + "' differs from the proof's '" + origin +
                  "'");
    }
    bool matched = false;
    for (const auto& [size, root] : heads) matched |= cp.tree_size == size && cp.root_hash == root;
    if (!matched) {
      return fail("checkpoint at size " + std::to_string(cp.tree_size) +
                  " does not match the tree head the proof is against");
    }
  }
  return ProofCheck{true, ""};
}

}  // namespace

Json to_json(const InclusionProofDoc& doc) {
  Json out = {{"type", "inclusion"},
              {"origin", doc.origin},
              {"seq", doc.seq},
              {"leaf_index", doc.seq - 1},
              {"tree_size", doc.tree_size},
              {"leaf_hash", to_hex(doc.leaf_hash)},
              {"root_hash", to_hex(doc.root_hash)},
              {"proof", hashes_to_json(doc.proof)}};
  if (doc.leaf) out["leaf"] = *doc.leaf;
  return out;
}

Json to_json(const ConsistencyProofDoc& doc) {
  return Json{{"type", "consistency"},
              {"origin", doc.origin},
              {"from_size", doc.from_size},
              {"to_size", doc.to_size},
              {"from_root", to_hex(doc.from_root)},
              {"to_root", to_hex(doc.to_root)},
              {"proof", hashes_to_json(doc.proof)}};
}

std::variant<InclusionProofDoc, ConsistencyProofDoc> parse_proof_json(const Json& v) {
  if (!v.is_object() || !v.contains("type") || !v["type"].is_string()) {
    throw std::invalid_argument("a proof is a JSON object with a 'type' field");
  }
  const std::string type = v["type"].get<std::string>();
  if (type == "inclusion") {
    InclusionProofDoc doc;
    doc.origin = origin_field(v);
    doc.seq = size_field(v, "seq");
    doc.tree_size = size_field(v, "tree_size");
    doc.leaf_hash = hash_field(v, "leaf_hash");
    doc.root_hash = hash_field(v, "root_hash");
    doc.proof = proof_field(v);
    if (v.contains("leaf")) {
      if (!v["leaf"].is_string()) throw std::invalid_argument("field 'leaf' must be a string");
      doc.leaf = v["leaf"].get<std::string>();
    }
    return doc;
  }
  if (type == "consistency") {
    ConsistencyProofDoc doc;
    doc.origin = origin_field(v);
    doc.from_size = size_field(v, "from_size");
    doc.to_size = size_field(v, "to_size");
    doc.from_root = hash_field(v, "from_root");
    doc.to_root = hash_field(v, "to_root");
    doc.proof = proof_field(v);
    return doc;
  }
  throw std::invalid_argument("unknown proof type '" + type + "'");
}

ProofCheck check_proof_doc(const InclusionProofDoc& doc,
                           const std::vector<Checkpoint>& checkpoints) {
  if (doc.seq < 1) return fail("seq must be at least 1");
  if (doc.leaf) {
    if (leaf_hash(*doc.leaf) != doc.leaf_hash)
      return fail("leaf_hash is not SHA-256(0x00 || leaf)");
    LeafError error;
    const auto leaf = decode_leaf(*doc.leaf, error);
    if (!leaf) return fail("the included leaf is not a valid leaf: " + error.message);
    if (leaf->seq != doc.seq) {
      return fail("the included leaf is event " + std::to_string(leaf->seq) + ", not " +
                  std::to_string(doc.seq));
    }
  }
  ProofCheck math =
      verify_inclusion(doc.seq - 1, doc.tree_size, doc.leaf_hash, doc.proof, doc.root_hash);
  if (!math) return math;
  return match_checkpoints(checkpoints, doc.origin, {{doc.tree_size, doc.root_hash}});
}

ProofCheck check_proof_doc(const ConsistencyProofDoc& doc,
                           const std::vector<Checkpoint>& checkpoints) {
  ProofCheck math =
      verify_consistency(doc.from_size, doc.to_size, doc.from_root, doc.to_root, doc.proof);
  if (!math) return math;
  return match_checkpoints(checkpoints, doc.origin,
                           {{doc.from_size, doc.from_root}, {doc.to_size, doc.to_root}});
}

}  // namespace qledger
