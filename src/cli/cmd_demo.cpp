// demo: fill an empty ledger with a generated history of the county (for demonstrations and
// benchmarks). Every generated event goes through the same validation as user input.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "args.hpp"
#include "commands.hpp"
#include "qledger/demo_history.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/ledger_setup.hpp"

namespace qledger::cli {

extern const char* const kDemoHelp;
int run_demo(const Words& words);

const char* const kDemoHelp =
    "usage: qledger demo --db FILE [--seed N] [--scale N] [--key KEYFILE] [--origin NAME]\n"
    "                    [--start YYYY-MM-DD] [--end YYYY-MM-DD]\n"
    "  Fills an EMPTY ledger with a generated, realistic history of the Huoshan county bureau\n"
    "  (霍山县市场监督管理局): market entities across the townships, food production licences,\n"
    "  special equipment, sampling inspections with re-tests and objections, incidents,\n"
    "  12315 complaints, and the corrections and voids a real register collects. All names,\n"
    "  codes and complainants are invented.\n"
    "  FILE is created (as by `qledger init`, with --key and --origin) if it does not exist; a\n"
    "  ledger that already holds events is refused, because corrections and voids name their\n"
    "  targets by sequence number. The history is appended in one transaction through the\n"
    "  domain validator: if any event is rejected, nothing is written and the first rejections\n"
    "  are printed (exit 1).\n"
    "  --seed N   (default 1): the same seed, scale and dates give the same events, byte for\n"
    "             byte (recorded_at aside).\n"
    "  --scale N  (default 1, at most 1000): scale 1 is ~300 entities, ~400 equipment units,\n"
    "             ~1,500 sampled batches and ~600 complaints a year; volumes grow with N.\n"
    "  --start, --end (default 2025-01-01 .. 2026-10-31, end clipped to today): the period.\n"
    "             Re-tests of food and agricultural batches need the working-day calendar of\n"
    "             their year (built in: 2025, 2026); in other years none are generated.\n";

namespace {

CivilDate date_option(const Args& args, const std::string& name, CivilDate fallback) {
  const auto text = args.get(name);
  if (!text) return fallback;
  const auto date = CivilDate::parse(*text);
  if (!date) throw UsageError("--" + name + " needs a date written YYYY-MM-DD");
  return *date;
}

}  // namespace

int run_demo(const Words& words) {
  const Args args(words, {"db", "seed", "scale", "key", "origin", "start", "end"}, {});
  const std::string db = args.require("db");
  DemoOptions options;
  options.seed = args.get_uint("seed").value_or(options.seed);
  const std::uint64_t scale = args.get_uint("scale", 1).value_or(1);
  if (scale > 1000) throw UsageError("--scale must be at most 1000");
  options.scale = static_cast<int>(scale);
  options.start = date_option(args, "start", options.start);
  options.end = date_option(args, "end", options.end);
  const CivilDate today = shanghai_today();
  if (options.end > today) {
    std::cout << "note: end date " << options.end << " is after today; using " << today << "\n";
    options.end = today;
  }
  if (options.end < options.start) throw UsageError("--end must not be before --start");
  if (options.start.year() < 2000) throw UsageError("--start must be in 2000 or later");

  if (!std::filesystem::exists(db)) {
    const std::string key = args.get("key").value_or(default_key_path(db));
    const std::string origin = args.get("origin").value_or(default_origin(db));
    const VerifierKey verifier = init_ledger(db, key, origin);
    std::cout << "created ledger " << db << " (origin " << origin << ")\n"
              << "signing key: " << key << " (keep it private; mode 0600)\n"
              << "verifier key: " << verifier.to_note_string() << "\n";
  } else if (args.get("key") || args.get("origin")) {
    std::cout << "note: " << db << " exists; --key and --origin apply only when creating it\n";
  }

  const auto ledger = open_domain_ledger(db);
  if (const std::uint64_t size = ledger->head().size; size != 0) {
    std::cerr << "qledger demo: refusing: " << db << " already holds " << size
              << " events; the generated history must start from an empty ledger\n";
    return 1;
  }

  DemoHistory history(options);
  std::map<std::string, std::uint64_t> per_kind;
  std::vector<std::string> kind_names;
  std::vector<std::uint8_t> kind_of;  // request index -> kind_names index, to report rejections
  const auto started = std::chrono::steady_clock::now();
  const BulkResult result = ledger->append_all([&]() -> std::optional<AppendRequest> {
    auto request = history.next();
    if (request) {
      ++per_kind[request->kind];
      auto it = std::find(kind_names.begin(), kind_names.end(), request->kind);
      if (it == kind_names.end()) it = kind_names.insert(kind_names.end(), request->kind);
      kind_of.push_back(static_cast<std::uint8_t>(it - kind_names.begin()));
    }
    return request;
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (result.rejected_count > 0 || !result.committed) {
    std::cerr << "qledger demo: " << result.rejected_count << " of " << result.total
              << " generated events were rejected; nothing was written\n";
    for (std::size_t i = 0; i < result.rejected.size() && i < 5; ++i) {
      const auto& [index, problems] = result.rejected[i];
      std::cerr << "  #" << index << " " << kind_names[kind_of[index]] << ":\n";
      for (const auto& p : problems) {
        std::cerr << "    " << (p.field.empty() ? "(event)" : p.field) << " [" << p.code << "] "
                  << p.message_en << "\n";
      }
    }
    return 1;
  }

  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s (%.0f events/s)", seconds,
                seconds > 0 ? static_cast<double>(result.total) / seconds : 0.0);
  std::cout << "appended " << result.total << " events (seed " << options.seed << ", scale "
            << options.scale << ", " << options.start << " .. " << options.end << ") in " << rate
            << "\n";
  for (const auto& [kind, count] : per_kind) {
    std::cout << "  " << kind << std::string(kind.size() < 32 ? 32 - kind.size() : 1, ' ') << count
              << "\n";
  }
  std::cout << "tree size: " << result.head.size << "\n"
            << "root hash: " << to_hex(result.head.root) << "\n";
  return 0;
}

}  // namespace qledger::cli
