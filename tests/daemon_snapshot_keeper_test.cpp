// qledgerd's registry snapshot keeper: a snapshot at start, a new one only after the ledger
// grew, each usable by reports.
#include <doctest/doctest.h>

#include <SQLiteCpp/Statement.h>

#include "qledger/demo_history.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/registry_snapshot.hpp"
#include "snapshot_keeper.hpp"
#include "test_support.hpp"

#include <chrono>
#include <thread>

using namespace qledger;
using qledger::test::TempDir;

namespace {

bool wait_until(const std::function<bool()>& done) {
  for (int i = 0; i < 400; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return done();
}

std::vector<std::uint64_t> snapshot_sizes(const std::string& db) {
  auto conn = open_ledger_database(db, true, 5000);
  SQLite::Statement q(*conn, "SELECT tree_size FROM registry_snapshots ORDER BY tree_size");
  std::vector<std::uint64_t> out;
  while (q.executeStep()) out.push_back(static_cast<std::uint64_t>(q.getColumn(0).getInt64()));
  return out;
}

}  // namespace

TEST_SUITE("daemon") {
  TEST_CASE("snapshot keeper: one at start, another only after the ledger grew") {
    TempDir dir;
    const std::string db = dir.file("county.db");
    init_ledger(db, default_key_path(db), "qledger.test/keeper");
    auto ledger = open_domain_ledger(db, [] { return CivilDate(2026, 11, 30); });
    const SigningKey key = load_ledger_key(ledger->info(), default_key_path(db));
    DemoOptions options;
    options.start = CivilDate(2026, 9, 1);
    options.end = CivilDate(2026, 10, 31);
    DemoHistory history(options);
    std::uint64_t n = 0;
    REQUIRE(ledger
                ->append_all([&]() -> std::optional<AppendRequest> {
                  if (++n > 400) return std::nullopt;
                  return history.next();
                })
                .committed);
    const std::uint64_t first_head = ledger->head().size;
    {
      daemon::SnapshotKeeper keeper(*ledger, key, std::chrono::milliseconds(50));
      REQUIRE(wait_until([&] { return keeper.last_size() == first_head; }));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // several idle intervals
      CHECK(snapshot_sizes(db) == std::vector<std::uint64_t>{first_head});

      REQUIRE(ledger->append_all([&] { return history.next(); }).committed);
      const std::uint64_t second_head = ledger->head().size;
      REQUIRE(second_head > first_head);
      REQUIRE(wait_until([&] { return keeper.last_size() == second_head; }));
      CHECK(snapshot_sizes(db) == std::vector<std::uint64_t>{first_head, second_head});

      std::optional<RegistryState> from_snapshot;
      RegistryState folded;
      std::uint64_t used = 0;
      ledger->with_reader([&](SQLite::Database& d) {
        from_snapshot = registry_from_snapshot(d, second_head, key.public_key(), &used);
        folded = fold_registry(d, second_head);
      });
      REQUIRE(from_snapshot.has_value());
      CHECK(used == second_head);
      CHECK(*from_snapshot == folded);
    }  // the keeper stops here, without waiting out its interval
  }
}
