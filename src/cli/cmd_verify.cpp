// verify.
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "qledger/canonical_json.hpp"
#include "qledger/verifier.hpp"

namespace qledger::cli {

namespace {

Json report_json(const VerifyReport& r) {
  Json problems = Json::array();
  for (const auto& p : r.problems) {
    problems.push_back({{"seq", p.seq}, {"code", p.code}, {"message", p.message}});
  }
  Json checkpoints = Json::array();
  for (const auto& c : r.checkpoints) {
    checkpoints.push_back(
        {{"file", c.name}, {"ok", c.ok}, {"tree_size", c.tree_size}, {"message", c.message}});
  }
  Json out = {{"intact", r.intact()},        {"origin", r.origin},
              {"tree_size", r.tree_size},    {"events_checked", r.events_checked},
              {"root_hash", to_hex(r.root)}, {"key_from_ledger", r.key_from_ledger},
              {"problems", problems},        {"checkpoints", checkpoints}};
  if (!r.problems.empty()) out["first_bad_seq"] = r.problems.front().seq;
  if (r.io_error) out["error"] = r.io_message;
  return out;
}

void print_text(const VerifyReport& r) {
  if (r.io_error) {
    std::cout << "ERROR: " << r.io_message << "\n";
    return;
  }
  if (r.key_from_ledger && !r.checkpoints.empty()) {
    std::cout << "warning: no --trusted-key given; checkpoint signatures were checked with the "
                 "key recorded in the ledger itself\n";
  }
  for (const auto& c : r.checkpoints) {
    std::cout << "checkpoint " << c.name << ": " << (c.ok ? "ok" : "FAILED") << " (size "
              << c.tree_size << ") " << c.message << "\n";
  }
  if (r.intact()) {
    std::cout << "INTACT: " << r.tree_size << " events, root " << to_hex(r.root) << "\n";
    return;
  }
  const auto& first = r.problems.front();
  std::cout << "TAMPERED: ";
  if (first.seq != 0) std::cout << "first bad seq " << first.seq << ": ";
  std::cout << first.message << " [" << first.code << "]\n";
  for (std::size_t i = 1; i < r.problems.size(); ++i) {
    std::cout << "  also: " << r.problems[i].message << " [" << r.problems[i].code << "]\n";
  }
}

}  // namespace

int run_verify(const Words& words) {
  const Args args(words, {"db", "checkpoint", "trusted-key"}, {"json"});
  VerifyOptions options;
  if (const auto key = args.get("trusted-key")) {
    options.trusted_key = VerifierKey::from_note_string(key_argument_text(*key));
  }
  for (const auto& file : args.all("checkpoint")) {
    options.checkpoints.push_back({file, read_input(file, 64 * 1024)});
  }
  const VerifyReport report = verify_ledger(args.require("db"), options);
  if (args.has("json")) {
    std::cout << report_json(report).dump(2) << "\n";
  } else {
    print_text(report);
  }
  if (report.io_error) return 2;
  return report.intact() ? 0 : 1;
}

}  // namespace qledger::cli
