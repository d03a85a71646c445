// Creating a ledger together with its signing key, and signing its tree heads: the steps the CLI,
// the daemon and the tests share.
#pragma once

#include "qledger/ledger.hpp"
#include "qledger/signing_key.hpp"

#include <string>

namespace qledger {

// Where the signing key lives when not given: next to the database, "<db>.key".
std::string default_key_path(const std::string& db_path);

// The origin used when none is given: "qledger.local/<file name without extension>".
std::string default_origin(const std::string& db_path);

// Creates the ledger file and, unless `key_path` already holds an Ed25519 key (mode 0600), a new
// key there. The key's name is the origin. Returns the verifier key supervisors should keep.
VerifierKey init_ledger(const std::string& db_path, const std::string& key_path,
                        const std::string& origin);

// Loads the ledger's signing key and checks that it is the key recorded at creation.
// Throws std::runtime_error if it is not.
SigningKey load_ledger_key(const LedgerInfo& info, const std::string& key_path);

// A signed checkpoint (note text) for `head`.
std::string sign_tree_head(const LedgerInfo& info, const TreeHead& head, const SigningKey& key);

}  // namespace qledger
