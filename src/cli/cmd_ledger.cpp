// init, append, checkpoint, public-key.
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "qledger/auth_account_events.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/ledger.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/verifier.hpp"

namespace qledger::cli {

int run_init(const Words& words) {
  const Args args(words, {"db", "key", "origin"}, {});
  const std::string db = args.require("db");
  const std::string key = args.get("key").value_or(default_key_path(db));
  const std::string origin = args.get("origin").value_or(default_origin(db));
  const VerifierKey verifier = init_ledger(db, key, origin);
  std::cout << "created ledger " << db << " (origin " << origin << ")\n"
            << "signing key: " << key << " (keep it private; mode 0600)\n"
            << "verifier key (give this to supervisors):\n"
            << verifier.to_note_string() << "\n";
  return 0;
}

namespace {

Json errors_json(const std::vector<FieldProblem>& problems) {
  Json list = Json::array();
  for (const auto& p : problems) {
    Json item = {{"field", p.field}, {"code", p.code}, {"message", p.message_en}};
    item["message_zh"] = p.message_zh.empty() ? p.message_en : p.message_zh;
    list.push_back(item);
  }
  return Json{{"errors", list}};
}

Json receipt_json(const Receipt& r) {
  return Json{{"seq", r.seq},
              {"leaf_hash", to_hex(r.leaf_hash)},
              {"recorded_at", r.recorded_at},
              {"tree_size", r.tree_size},
              {"root_hash", to_hex(r.root_hash)}};
}

}  // namespace

int run_append(const Words& words) {
  const Args args(words, {"db", "kind", "actor", "payload"}, {});
  const std::string db = args.require("db");
  AppendRequest request;
  request.kind = args.require("kind");
  request.actor = args.require("actor");
  const std::string text = read_input(args.get("payload").value_or("-"), kMaxLeafBytes * 4);
  CanonicalError parse_error;
  auto payload = parse_profile_json(text, parse_error, kMaxLeafBytes);
  if (!payload) {
    std::cout << errors_json(
                     {{"payload" + parse_error.path, parse_error.code, parse_error.message, ""}})
                     .dump()
              << "\n";
    return 1;
  }
  request.payload = std::move(*payload);
  if (is_account_event_kind(request.kind)) {  // only `qledger user` / `qledger token` append these
    std::cout << errors_json({{"kind", "account_kind",
                               "account events come only from the "
                               "account commands (qledger user, qledger token)",
                               "账户事件只能由账户命令（qledger user、qledger token）写入"}})
                     .dump()
              << "\n";
    return 1;
  }
  const auto ledger = open_domain_ledger(db);
  try {
    const Receipt receipt = ledger->append(std::move(request));
    std::cout << receipt_json(receipt).dump() << "\n";
    return 0;
  } catch (const AppendRejected& rejected) {
    std::cout << errors_json(rejected.problems()).dump() << "\n";
    return 1;
  }
}

int run_checkpoint(const Words& words) {
  const Args args(words, {"db", "key", "out"}, {"skip-verify"});
  const std::string db = args.require("db");
  if (!args.has("skip-verify")) {
    // Never sign a state whose leaves do not produce the stored tree.
    const VerifyReport report = verify_ledger(db, {});
    if (!report.intact()) {
      std::cerr << "qledger checkpoint: refusing to sign: the ledger does not verify: "
                << (report.io_error ? report.io_message : report.problems.front().message) << "\n";
      return 1;
    }
  }
  Ledger ledger(db);
  const SigningKey key =
      load_ledger_key(ledger.info(), args.get("key").value_or(default_key_path(db)));
  const std::string note = sign_tree_head(ledger.info(), ledger.head(), key);
  if (const auto out = args.get("out")) {
    write_file_atomic(*out, note);
  } else {
    std::cout << note;
  }
  return 0;
}

int run_public_key(const Words& words) {
  const Args args(words, {"db", "format", "key"}, {});
  const std::string db = args.require("db");
  const std::string format = args.get("format").value_or("note");
  if (format != "note" && format != "pem") throw UsageError("--format must be note or pem");
  LedgerInfo info;
  {
    auto database = open_ledger_database(db, true, 10000);
    info = read_ledger_info(*database);
  }
  const VerifierKey verifier = args.get("key") ? load_ledger_key(info, *args.get("key")).verifier()
                                               : VerifierKey::from_note_string(info.verifier_key);
  std::cout << (format == "note" ? verifier.to_note_string() + "\n" : verifier.to_pem());
  return 0;
}

}  // namespace qledger::cli
