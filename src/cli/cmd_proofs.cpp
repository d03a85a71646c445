// prove, verify-proof.
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "qledger/checkpoint.hpp"
#include "qledger/ledger.hpp"
#include "qledger/ledger_proofs.hpp"
#include "qledger/proof_json.hpp"

namespace qledger::cli {

int run_prove(const Words& words) {
  const Args args(words, {"db", "seq", "tree-size", "from", "to"}, {});
  Ledger ledger(args.require("db"));
  const auto seq = args.get_uint("seq", 1);
  const auto from = args.get_uint("from", 1);
  const auto to = args.get_uint("to", 1);
  if (seq && !from && !to) {
    const auto doc = prove_inclusion(ledger, *seq, args.get_uint("tree-size", 1));
    if (!doc) throw UsageError("seq must be an event inside the tree size");
    std::cout << to_json(*doc).dump(2) << "\n";
    return 0;
  }
  if (from && to && !seq && !args.get("tree-size")) {
    const auto doc = prove_consistency(ledger, *from, *to);
    if (!doc) throw UsageError("need 1 <= --from <= --to <= the tree size");
    std::cout << to_json(*doc).dump(2) << "\n";
    return 0;
  }
  throw UsageError("give either --seq N [--tree-size M] or --from M --to N");
}

int run_verify_proof(const Words& words) {
  const Args args(words, {"checkpoint", "trusted-key"}, {});
  if (args.positional().size() != 1) throw UsageError("give exactly one proof file (or -)");
  const Json value = Json::parse(read_input(args.positional()[0]), nullptr, false);
  if (value.is_discarded()) throw UsageError("the proof file is not JSON");
  std::vector<Checkpoint> checkpoints;
  const auto checkpoint_files = args.all("checkpoint");
  if (!checkpoint_files.empty()) {
    const VerifierKey key =
        VerifierKey::from_note_string(key_argument_text(args.require("trusted-key")));
    for (const auto& file : checkpoint_files) {
      const OpenedCheckpoint opened = open_checkpoint(read_input(file), key);
      if (!opened.ok) {
        std::cout << "INVALID: checkpoint " << file << ": " << opened.reason << "\n";
        return 1;
      }
      checkpoints.push_back(opened.checkpoint);
    }
  }
  const auto doc = parse_proof_json(value);
  const ProofCheck check =
      std::visit([&](const auto& d) { return check_proof_doc(d, checkpoints); }, doc);
  if (!check) {
    std::cout << "INVALID: " << check.reason << "\n";
    return 1;
  }
  std::cout << "VALID";
  if (!checkpoints.empty())
    std::cout << " (against " << checkpoints.size() << " signed checkpoint(s))";
  std::cout << "\n";
  return 0;
}

}  // namespace qledger::cli
