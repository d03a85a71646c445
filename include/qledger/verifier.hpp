// Full verification of a ledger file: every leaf, the chain, the stored Merkle nodes, the root,
// and — given checkpoints signed by a trusted key — that the file still holds the history those
// checkpoints committed to (not rewritten, truncated or rolled back to an older copy).
//
// The verifier reads the file read-only and trusts nothing in it: hashes are recomputed from the
// leaf bytes, and the trusted key comes from the caller (the copy in ledger_meta is used only when
// the caller has none, and the report says so).
#pragma once

#include "qledger/hash.hpp"
#include "qledger/signing_key.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qledger {

struct CheckpointInput {
  std::string name;  // where it came from (file name), for messages
  std::string note;  // signed note text
};

struct VerifyOptions {
  std::vector<CheckpointInput> checkpoints;
  std::optional<VerifierKey> trusted_key;  // if absent, ledger_meta.verifier_key is used
};

struct VerifyProblem {
  std::uint64_t seq = 0;  // first bad sequence number, 0 when the problem is not about one event
  std::string code;       // stable machine code, e.g. "leaf_hash_mismatch"
  std::string message;    // English sentence
};

struct CheckpointResult {
  std::string name;
  bool ok = false;
  std::uint64_t tree_size = 0;
  std::string message;
};

struct VerifyReport {
  bool io_error = false;  // could not read the file at all (exit 2)
  std::string io_message;
  std::uint64_t events_checked = 0;
  std::uint64_t tree_size = 0;  // events in the file
  Hash root{};                  // root recomputed from the leaf bytes
  std::string origin;
  bool key_from_ledger = false;         // true when no trusted key was supplied
  std::vector<VerifyProblem> problems;  // in order of discovery; the first is the first bad seq
  std::vector<CheckpointResult> checkpoints;

  bool intact() const { return !io_error && problems.empty(); }
};

// Verifies the ledger at `path`. Never throws for tampering (it is reported); I/O failures set
// io_error.
VerifyReport verify_ledger(const std::string& path, const VerifyOptions& options);

}  // namespace qledger
