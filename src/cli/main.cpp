// qledger: the command-line tool. Thin: parses words, calls the library, prints results.
#include <iostream>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "qledger/allocator_tuning.hpp"

namespace qledger::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"init", "create a ledger database and its signing key",
       "usage: qledger init --db FILE [--key KEYFILE] [--origin NAME]\n"
       "  Creates FILE (must not exist) with the ledger schema. The Ed25519 signing key is "
       "written\n"
       "  to KEYFILE (default FILE.key, mode 0600) unless KEYFILE already holds a key, which is "
       "then\n"
       "  reused. NAME is the checkpoint origin (default qledger.local/<file stem>).\n"
       "  Prints the verifier key: give it to supervisors; they verify with it.\n",
       run_init},
      {"append", "append one event (payload JSON on standard input)",
       "usage: qledger append --db FILE --kind KIND --actor NAME [--payload FILE]\n"
       "  Reads the payload (a JSON object) from standard input or FILE and appends it once it is\n"
       "  durable. Prints a JSON receipt: seq, leaf_hash, recorded_at, tree_size, root_hash.\n"
       "  Rejected input prints {\"errors\":[{field,code,message}]} and exits 1; nothing is "
       "written.\n",
       run_append},
      {"checkpoint", "print a signed checkpoint of the current tree",
       "usage: qledger checkpoint --db FILE [--key KEYFILE] [--out FILE] [--skip-verify]\n"
       "  Verifies the whole ledger first (refuses to sign one that does not verify, unless\n"
       "  --skip-verify), then signs the current tree head (C2SP tlog-checkpoint in a signed\n"
       "  note) with the ledger's key\n"
       "  (default FILE.key) and prints it, or writes it to --out. Keep checkpoints outside the\n"
       "  database: `qledger verify --checkpoint` uses them to detect rewrites and rollbacks.\n",
       run_checkpoint},
      {"public-key", "print the verifier key",
       "usage: qledger public-key --db FILE [--format note|pem] [--key KEYFILE]\n"
       "  note (default): <name>+<key id>+<base64 key>, the signed-note verifier key form.\n"
       "  pem: the public key as PEM, for `openssl pkeyutl -verify -rawin`.\n"
       "  Read from KEYFILE when given (trustworthy), else from the ledger's own record.\n",
       run_public_key},
      {"prove", "print an inclusion or consistency proof as JSON",
       "usage: qledger prove --db FILE --seq N [--tree-size M]\n"
       "       qledger prove --db FILE --from M --to N\n"
       "  Inclusion: event N is in the tree of size M (default: the current size).\n"
       "  Consistency: the tree of size M is a prefix of the tree of size N.\n",
       run_prove},
      {"verify-proof", "check a proof offline",
       "usage: qledger verify-proof PROOF.json [--checkpoint FILE ...] [--trusted-key KEY]\n"
       "  Checks the proof's hashes (and the leaf bytes, when included). With checkpoints, also\n"
       "  checks their signatures with KEY (a note-form verifier key, or a file holding one) and\n"
       "  that the proof is against a tree head they sign. Exit 0 valid, 1 invalid, 2 usage/I/O.\n",
       run_verify_proof},
      {"verify", "re-check every leaf, the chain, the tree and saved checkpoints",
       "usage: qledger verify --db FILE [--checkpoint FILE ...] [--trusted-key KEY] [--json]\n"
       "  Re-reads every leaf and recomputes its hash, the chain and the Merkle tree. With saved\n"
       "  checkpoints, checks their signatures with KEY (note form or a file holding it; default:\n"
       "  the key recorded in the ledger, which an insider could replace — pass your own copy) "
       "and\n"
       "  that the ledger still holds the history each signed (no rewrite, truncation, rollback).\n"
       "  Exit 0 intact, 1 tampered (names the first bad seq), 2 usage or I/O error.\n",
       run_verify},
      {"check", "say whether a credit code, SC licence or equipment code is well-formed",
       "usage: qledger check uscc|sc|equipment CODE [--json]\n"
       "  uscc: unified social credit code (GB 32100-2015: charset, division digits, check char).\n"
       "  sc: food production licence number (SC + 14 digits; format only).\n"
       "  equipment: special-equipment code (18-character, or legacy 20-character local form).\n"
       "  Says exactly what is wrong (position, character, expected check char), in zh and en.\n"
       "  Exit 0 valid, 1 invalid, 2 usage.\n",
       run_check},
      {"rebuild", "replay the ledger into fresh current-state tables",
       "usage: qledger rebuild --db FILE\n"
       "  Empties the projection tables (entities, equipment, batches, incidents, complaints …)\n"
       "  and replays every event through the same code that maintains them on append.\n"
       "  Personal data (kept outside the ledger) is not touched.\n",
       run_rebuild},
      {"overdue", "list complaints and re-tests past their deadlines",
       "usage: qledger overdue --db FILE [--as-of YYYY-MM-DD] [--json]\n"
       "  Complaints without an acceptance decision after 7 working days, mediations beyond 45\n"
       "  working days, re-test applications undecided after 5 working days, accepted re-tests\n"
       "  without a result after 10 working days (docs/events.md \"Deadlines\").\n",
       run_overdue},
      {"erase-personal-data", "erase a complainant's name and phone (the chain still verifies)",
       "usage: qledger erase-personal-data --db FILE --complaint NO --reason TEXT [--actor NAME]\n"
       "  Appends a complaint.personal_data_erased event; in the same transaction the name and\n"
       "  phone are deleted from personal_data. The leaf keeps only a salted commitment.\n",
       run_erase_personal_data},
      {"calendar", "load or show the working-day calendar",
       "usage: qledger calendar load --db FILE --year YYYY --source TEXT FILE.csv [--actor NAME]\n"
       "       qledger calendar show --db FILE\n"
       "  load appends a calendar.year_loaded event (CSV: date,kind,name with kind holiday or\n"
       "  workday, as data/cn-holiday-calendar-2025-2026.csv). Deadlines in a year without\n"
       "  calendar data are an explicit error, never a guess.\n",
       run_calendar},
      {"report", "figures of a month/quarter/year: rates, 95 % intervals, targets, traceable seqs",
       kReportHelp, run_report},
      {"snapshot", "store a signed registry snapshot so reports read less", kSnapshotHelp,
       run_snapshot},
      {"demo", "fill a new ledger with a realistic generated county history", kDemoHelp, run_demo},
      {"import", "import a CSV file of one event kind, all rows or none", kImportHelp, run_import},
      {"export", "stream the ledger as JSON lines or CSV", kExportHelp, run_export},
      {"user", "manage qledgerd accounts (password read from standard input)",
       "usage: qledger user add NAME --db FILE --role ROLE [--actor NAME] [--users-db FILE]\n"
       "       qledger user passwd|disable|enable NAME --db FILE\n"
       "       qledger user role NAME --db FILE --role ROLE\n"
       "       qledger user list --db FILE\n"
       "  Roles: inspector (records), supervisor (verify, checkpoints, corrections, voids),\n"
       "  analyst (reports, read-only), admin (users, registries, calendar). Accounts live in\n"
       "  FILE.users.db (PBKDF2-SHA256); every change is recorded in its account_changes table.\n"
       "  The password is read from standard input, never from the command line.\n",
       run_user},
      {"token", "create, revoke or list bearer tokens for scripts",
       "usage: qledger token create --db FILE --user NAME --label TEXT [--expires-days N]\n"
       "       qledger token revoke ID --db FILE\n"
       "       qledger token list --db FILE\n"
       "  The token secret is printed once; only its SHA-256 is stored.\n",
       run_token},
  };
  return all;
}

namespace {

void print_overview() {
  std::cout << "qledger — hash-chained, append-only ledger for quality-supervision records\n\n"
               "usage: qledger COMMAND [OPTIONS]\n\ncommands:\n";
  for (const auto& c : commands()) {
    const std::size_t width = std::string(c.name).size();
    std::cout << "  " << c.name << std::string(width < 21 ? 21 - width : 1, ' ') << c.summary
              << "\n";
  }
  std::cout
      << "\n`qledger COMMAND --help` shows a command's options. Exit codes: 0 ok, 1 negative\n"
         "answer (tampered, invalid, rejected), 2 usage or I/O error.\n";
}

}  // namespace
}  // namespace qledger::cli

int main(int argc, char** argv) {
  using namespace qledger::cli;
  qledger::tune_allocator();
  std::ios::sync_with_stdio(false);
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    print_overview();
    return words.empty() ? 2 : 0;
  }
  const std::string name = words[0];
  words.erase(words.begin());
  for (const auto& command : commands()) {
    if (name != command.name) continue;
    for (const auto& w : words) {
      if (w == "--help" || w == "-h") {
        std::cout << command.help;
        return 0;
      }
    }
    try {
      return command.run(words);
    } catch (const UsageError& e) {
      std::cerr << "qledger " << name << ": " << e.what() << "\n\n" << command.help;
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "qledger " << name << ": error: " << e.what() << "\n";
      return 2;
    }
  }
  std::cerr << "qledger: unknown command '" << name << "'\n\n";
  print_overview();
  return 2;
}
