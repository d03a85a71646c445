#include "qledger/ledger_setup.hpp"

#include "qledger/checkpoint.hpp"

#include <filesystem>

namespace qledger {

std::string default_key_path(const std::string& db_path) { return db_path + ".key"; }

std::string default_origin(const std::string& db_path) {
  // Key names may not hold spaces or '+': keep the stem's safe characters only.
  std::string stem = std::filesystem::path(db_path).stem().string();
  for (char& c : stem) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (!safe) c = '-';
  }
  return "qledger.local/" + (stem.empty() ? std::string("ledger") : stem);
}

VerifierKey init_ledger(const std::string& db_path, const std::string& key_path,
                        const std::string& origin) {
  if (std::filesystem::exists(db_path)) throw std::runtime_error("file already exists: " + db_path);
  const bool reuse = std::filesystem::exists(key_path);
  SigningKey key = reuse ? SigningKey::load(key_path, origin) : SigningKey::generate(origin);
  const VerifierKey verifier = key.verifier();
  if (!reuse) key.save(key_path);  // first: a ledger must never exist without its key
  Ledger::create(db_path, LedgerInfo{"", origin, origin, verifier.to_note_string()});
  return verifier;
}

SigningKey load_ledger_key(const LedgerInfo& info, const std::string& key_path) {
  SigningKey key = SigningKey::load(key_path, info.key_name);
  if (key.verifier().to_note_string() != info.verifier_key) {
    throw std::runtime_error("the key in " + key_path +
                             " is not the key this ledger was created with");
  }
  return key;
}

std::string sign_tree_head(const LedgerInfo& info, const TreeHead& head, const SigningKey& key) {
  Checkpoint cp;
  cp.origin = info.origin;
  cp.tree_size = head.size;
  cp.root_hash = head.root;
  return sign_checkpoint(cp, key);
}

}  // namespace qledger
