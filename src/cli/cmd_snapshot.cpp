// snapshot: store a signed registry snapshot so that later reports read only the registry
// events written after it (docs/figures.md "Registry snapshots").
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/registry_snapshot.hpp"

namespace qledger::cli {

const char* const kSnapshotHelp =
    "usage: qledger snapshot --db FILE [--at-size N] [--key KEYFILE]\n"
    "  Folds the registry (entities, food production licences, special equipment) as it stood\n"
    "  at tree size N (default: the current size), signs it with the ledger's key (default\n"
    "  FILE.key) and stores it in the ledger file. Reports signed with that key then start from\n"
    "  the newest snapshot at or below their size and read only the registry events after it;\n"
    "  their figures are the same with or without snapshots. A snapshot that does not check\n"
    "  (signature, root hash) is ignored. qledgerd writes one every hour by itself.\n"
    "  Prints {\"tree_size\": N}.\n";

int run_snapshot(const Words& words) {
  const Args args(words, {"db", "at-size", "key"}, {});
  const std::string db = args.require("db");
  Ledger ledger(db);
  const SigningKey key =
      load_ledger_key(ledger.info(), args.get("key").value_or(default_key_path(db)));
  const std::uint64_t size = write_registry_snapshot(ledger, key, args.get_uint("at-size"));
  std::cout << "{\"tree_size\":" << size << "}\n";
  return 0;
}

}  // namespace qledger::cli
