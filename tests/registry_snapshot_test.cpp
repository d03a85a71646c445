// Registry snapshots: the registry a snapshot plus the later events give equals the registry
// folded from every raw event, at many (snapshot, tree size) pairs of a generated history with
// raised correction and void rates; reports are identical with and without snapshots; a
// snapshot that does not check (edited body, foreign key, another history's root) is ignored.
#include <doctest/doctest.h>

#include <SQLiteCpp/Statement.h>

#include "qledger/demo_history.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/registry_snapshot.hpp"
#include "qledger/report.hpp"
#include "qledger/report_formats.hpp"
#include "test_support.hpp"

#include <array>
#include <filesystem>

using namespace qledger;
using qledger::test::TempDir;

namespace {

struct DemoLedger {
  TempDir dir;
  std::string db = dir.file("demo.db");
  VerifierKey verifier = init_ledger(db, default_key_path(db), "qledger.test/snapshots");
  std::unique_ptr<Ledger> ledger;
  std::optional<SigningKey> key;
  std::uint64_t head = 0;

  DemoLedger() {
    ledger = open_domain_ledger(db, [] { return CivilDate(2026, 11, 30); });
    DemoOptions options;
    options.seed = 11;
    options.start = CivilDate(2026, 3, 1);
    options.end = CivilDate(2026, 10, 31);
    options.correction_permille = 80;
    options.void_permille = 40;
    DemoHistory history(options);
    REQUIRE(ledger->append_all([&] { return history.next(); }).committed);
    key = load_ledger_key(ledger->info(), default_key_path(db));
    head = ledger->head().size;
  }

  RegistryState folded(std::uint64_t size) {
    RegistryState r;
    ledger->with_reader([&](SQLite::Database& d) { r = fold_registry(d, size); });
    return r;
  }
  std::optional<RegistryState> from_snapshot(std::uint64_t size, const PublicKey& k,
                                             std::uint64_t* used = nullptr) {
    std::optional<RegistryState> r;
    ledger->with_reader([&](SQLite::Database& d) { r = registry_from_snapshot(d, size, k, used); });
    return r;
  }
  void exec(const std::string& sql) { open_ledger_database(db, false, 5000)->exec(sql); }
  // Stores a snapshot row as an insider with the file would: any body, root and signer.
  void plant(std::uint64_t at, const Hash& root, const std::string& body,
             const SigningKey& signer) {
    const std::string sig = signer.sign(registry_snapshot_message(at, root, body));
    auto conn = open_ledger_database(db, false, 5000);
    SQLite::Statement ins(*conn, "INSERT INTO registry_snapshots VALUES (?, ?, ?, ?)");
    ins.bind(1, static_cast<std::int64_t>(at));
    ins.bind(2, root.data(), static_cast<int>(root.size()));
    ins.bind(3, body.data(), static_cast<int>(body.size()));
    ins.bind(4, sig.data(), static_cast<int>(sig.size()));
    ins.exec();
  }
};

Json without_checkpoint(const Report& r) {
  Json j = report_to_json(r);
  j.erase("checkpoint");
  return j;
}

// Registry events after `size` that correct or void a registry event (what makes the re-fold
// matter), counted to show the history exercises it.
int registry_corrections_after(DemoLedger& d, std::uint64_t size) {
  int n = 0;
  d.ledger->with_reader([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT count(*) FROM event_index WHERE seq > ? AND kind IN "
                        "('correction', 'void') AND record_type IN ('entity', 'licence', "
                        "'equipment')");
    q.bind(1, static_cast<std::int64_t>(size));
    REQUIRE(q.executeStep());
    n = q.getColumn(0).getInt();
  });
  return n;
}

}  // namespace

TEST_SUITE("registry_snapshots") {
  TEST_CASE("body: encode and decode are inverse; anything else is refused") {
    DemoLedger d;
    const RegistryState r = d.folded(d.head);
    REQUIRE(r.entities.size() > 100);
    REQUIRE(r.licences.size() > 10);
    REQUIRE(r.equipment.size() > 100);
    const std::string body = encode_registry(r);
    const auto back = decode_registry(body);
    REQUIRE(back.has_value());
    CHECK(*back == r);
    CHECK(encode_registry(*back) == body);

    // Text with the escaped characters survives.
    RegistryState odd;
    EntityState e;
    e.uscc = "91341525MA2XXXXXX1";
    e.township = "a\tb\\c\nd";
    e.industry = "衡山镇";
    odd.entities["k\t1"] = e;
    EquipmentUnit unit;
    unit.state.equipment_code = "X";
    unit.registered_on = CivilDate(2026, 1, 2);
    unit.changes = {{CivilDate(2026, 3, 4), false}, {CivilDate(2026, 5, 6), true}};
    odd.equipment["X"] = unit;
    const auto odd_back = decode_registry(encode_registry(odd));
    REQUIRE(odd_back.has_value());
    CHECK(*odd_back == odd);

    CHECK_FALSE(decode_registry("").has_value());
    CHECK_FALSE(decode_registry("qledger-registry 2\n").has_value());
    CHECK_FALSE(decode_registry(body.substr(0, body.size() - 1)).has_value());  // no final \n
    std::string bad_date = encode_registry(odd);
    bad_date.replace(bad_date.find("2026-03-04"), 10, "2026-02-30");
    CHECK_FALSE(decode_registry(bad_date).has_value());
    std::string bad_escape = encode_registry(odd);
    bad_escape.replace(bad_escape.find("\\t"), 2, "\\x");
    CHECK_FALSE(decode_registry(bad_escape).has_value());
    // Sections out of order, and a key out of order.
    const std::string q_line = encode_registry(odd).substr(encode_registry(odd).find("\nQ") + 1);
    const std::string e_line =
        encode_registry(odd).substr(19, encode_registry(odd).find('\n', 19) - 18);
    REQUIRE(decode_registry("qledger-registry 1\n" + e_line + q_line).has_value());
    CHECK_FALSE(decode_registry("qledger-registry 1\n" + q_line + e_line).has_value());
    // One spelling per number.
    std::string zero = encode_registry(odd);
    zero.replace(zero.find("\t1\t4\t4\n") + 3, 1, "04");
    CHECK_FALSE(decode_registry(zero).has_value());
    const std::size_t first = body.find('\n') + 1;
    const std::size_t second = body.find('\n', first) + 1;
    const std::size_t third = body.find('\n', second) + 1;
    const std::string swapped = body.substr(0, first) + body.substr(second, third - second) +
                                body.substr(first, second - first) + body.substr(third);
    CHECK_FALSE(decode_registry(swapped).has_value());
  }

  TEST_CASE("the folded registry agrees with the domain projections at the head") {
    // The projection tables are written by the domain applier from fold_* directly, not through
    // RegistryState::refold.
    DemoLedger d;
    const RegistryState r = d.folded(d.head);
    auto db = open_ledger_database(d.db, true, 5000);
    std::size_t n = 0;
    SQLite::Statement entities(*db,
                               "SELECT uscc, township, industry, uscc_as_printed, first_seq, "
                               "last_seq FROM entities");
    while (entities.executeStep()) {
      ++n;
      const auto it = r.entities.find(entities.getColumn(0).getString());
      REQUIRE(it != r.entities.end());
      CHECK(it->second.township == entities.getColumn(1).getString());
      CHECK(it->second.industry == entities.getColumn(2).getString());
      CHECK(it->second.uscc_as_printed == (entities.getColumn(3).getInt() == 1));
      CHECK(it->second.first_seq == static_cast<std::uint64_t>(entities.getColumn(4).getInt64()));
      CHECK(it->second.last_seq == static_cast<std::uint64_t>(entities.getColumn(5).getInt64()));
    }
    CHECK(n == r.entities.size());
    n = 0;
    SQLite::Statement licences(*db,
                               "SELECT licence_no, uscc, valid_from, valid_to, "
                               "COALESCE(revoked_on, '-'), first_seq, last_seq FROM licences");
    while (licences.executeStep()) {
      ++n;
      const auto it = r.licences.find(licences.getColumn(0).getString());
      REQUIRE(it != r.licences.end());
      CHECK(it->second.uscc == licences.getColumn(1).getString());
      CHECK(it->second.valid_from.to_string() == licences.getColumn(2).getString());
      CHECK(it->second.valid_to.to_string() == licences.getColumn(3).getString());
      CHECK((it->second.revoked_on ? it->second.revoked_on->to_string() : "-") ==
            licences.getColumn(4).getString());
      CHECK(it->second.first_seq == static_cast<std::uint64_t>(licences.getColumn(5).getInt64()));
    }
    CHECK(n == r.licences.size());
    n = 0;
    SQLite::Statement equipment(*db,
                                "SELECT equipment_code, category, user_uscc, township, status, "
                                "registered_on, status_since, first_seq, last_seq FROM equipment");
    while (equipment.executeStep()) {
      ++n;
      const auto it = r.equipment.find(equipment.getColumn(0).getString());
      REQUIRE(it != r.equipment.end());
      const EquipmentState& s = it->second.state;
      CHECK(s.category == equipment.getColumn(1).getString());
      CHECK(s.user_uscc == equipment.getColumn(2).getString());
      CHECK(s.township == equipment.getColumn(3).getString());
      CHECK(s.status == equipment.getColumn(4).getString());
      CHECK(s.registered_on.to_string() == equipment.getColumn(5).getString());
      CHECK(s.status_since.to_string() == equipment.getColumn(6).getString());
      CHECK(s.first_seq == static_cast<std::uint64_t>(equipment.getColumn(7).getInt64()));
      CHECK(s.last_seq == static_cast<std::uint64_t>(equipment.getColumn(8).getInt64()));
    }
    CHECK(n == r.equipment.size());
  }

  TEST_CASE("refresh: a snapshot only when registry events arrived; the newest few kept") {
    DemoLedger d;
    CHECK(refresh_registry_snapshots(*d.ledger, *d.key, 2) == d.head);
    CHECK(refresh_registry_snapshots(*d.ledger, *d.key, 2) == d.head);  // nothing new
    for (const std::uint64_t s : {d.head / 4, d.head / 3, d.head / 2}) {
      write_registry_snapshot(*d.ledger, *d.key, s);
    }
    CHECK(refresh_registry_snapshots(*d.ledger, *d.key, 2) == d.head);
    auto db = open_ledger_database(d.db, true, 5000);
    SQLite::Statement q(*db, "SELECT tree_size FROM registry_snapshots ORDER BY tree_size");
    std::vector<std::uint64_t> left;
    while (q.executeStep()) left.push_back(static_cast<std::uint64_t>(q.getColumn(0).getInt64()));
    CHECK(left == std::vector<std::uint64_t>{d.head / 2, d.head});
    // Only the ledger's own key writes them.
    CHECK_THROWS_AS(write_registry_snapshot(*d.ledger, SigningKey::generate("someone-else")),
                    std::invalid_argument);
  }

  TEST_CASE("snapshot + later events = every raw event folded, at many sizes") {
    DemoLedger d;
    const std::array<std::uint64_t, 4> snapshots = {d.head / 5, d.head / 2, d.head * 4 / 5, d.head};
    CHECK(registry_corrections_after(d, snapshots[0]) > 10);

    std::uint64_t none = 0;
    CHECK_FALSE(d.from_snapshot(d.head, d.key->public_key(), &none).has_value());
    for (const std::uint64_t s : snapshots)
      CHECK(write_registry_snapshot(*d.ledger, *d.key, s) == s);
    CHECK(write_registry_snapshot(*d.ledger, *d.key, snapshots[1]) == snapshots[1]);  // no-op
    CHECK_THROWS_AS(write_registry_snapshot(*d.ledger, *d.key, d.head + 1), std::out_of_range);

    int compared = 0;
    for (std::uint64_t size = d.head / 5; size <= d.head; size += d.head / 13) {
      CAPTURE(size);
      std::uint64_t used = 0;
      const auto got = d.from_snapshot(size, d.key->public_key(), &used);
      REQUIRE(got.has_value());
      // The newest snapshot at or below the size.
      std::uint64_t want_used = 0;
      for (const std::uint64_t s : snapshots) {
        if (s <= size) want_used = std::max(want_used, s);
      }
      CHECK(used == want_used);
      CHECK(*got == d.folded(size));
      ++compared;
    }
    CHECK(compared >= 10);
    // Below the oldest snapshot there is none to use.
    CHECK_FALSE(d.from_snapshot(d.head / 5 - 1, d.key->public_key()).has_value());
  }

  TEST_CASE("a record voided after the snapshot leaves the registry") {
    DemoLedger d;
    const std::string uscc =
        "91341525MA2QQQQQQ" + std::string(1, *uscc_check_char("91341525MA2QQQQQQ"));
    const Receipt registered = d.ledger->append({"entity.registered", "test",
                                                 Json{{"uscc", uscc},
                                                      {"name", "作废测试商行"},
                                                      {"township", "衡山镇"},
                                                      {"industry", "other"}}});
    write_registry_snapshot(*d.ledger, *d.key, registered.seq);
    d.ledger->append({"void", "test",
                      Json{{"target_seq", registered.seq},
                           {"target_kind", "entity.registered"},
                           {"reason", "entered in error"}}});
    const std::uint64_t head = d.ledger->head().size;
    std::uint64_t used = 0;
    const auto got = d.from_snapshot(head, d.key->public_key(), &used);
    REQUIRE(got.has_value());
    CHECK(used == registered.seq);
    CHECK(d.from_snapshot(registered.seq, d.key->public_key())->entities.count(uscc) == 1);
    CHECK(got->entities.count(uscc) == 0);
    CHECK(*got == d.folded(head));
  }

  TEST_CASE("reports are the same with and without a snapshot") {
    DemoLedger d;
    write_registry_snapshot(*d.ledger, *d.key, d.head / 3);
    write_registry_snapshot(*d.ledger, *d.key, d.head * 2 / 3);
    const ReportConfig config = ReportConfig::defaults();
    for (const std::uint64_t size : {d.head / 3 + 1, d.head * 3 / 4, d.head}) {
      for (const char* text : {"2026-04", "2026-Q3", "2026-10", "2026"}) {
        CAPTURE(size);
        CAPTURE(text);
        const Period period = *Period::parse(text);
        const Report raw = build_report(*d.ledger, period, size, config, nullptr);
        const Report snap = build_report(*d.ledger, period, size, config, &*d.key);
        CHECK(without_checkpoint(raw) == without_checkpoint(snap));
        CHECK(raw.registry_snapshot_size == 0);
        CHECK(snap.registry_snapshot_size > 0);
        CHECK(snap.registry_read_beside);
        PeriodEvidence evidence;
        d.ledger->with_reader([&](SQLite::Database& db) {
          evidence = load_period_evidence(db, period, size, &d.key->public_key());
        });
        CHECK(evidence.registry_snapshot_size > 0);
      }
    }
  }

  TEST_CASE("when the snapshot's own connection cannot be used, the reader reads the registry") {
    // build_report reads the snapshot on a second connection to the file's path. With the file
    // moved away (the ledger's own connections stay open), or another ledger put at the path,
    // that connection is not the ledger's: the registry is then read on the ledger's reader
    // (still from the snapshot), and the report is the same.
    DemoLedger d;
    write_registry_snapshot(*d.ledger, *d.key, d.head);
    const Period period = *Period::parse("2026-09");
    const Report beside =
        build_report(*d.ledger, period, d.head, ReportConfig::defaults(), &*d.key);
    CHECK(beside.registry_read_beside);
    CHECK(beside.registry_snapshot_size == d.head);
    // The file and its -wal and -shm (the open connections keep theirs by descriptor).
    auto move_all = [&](const std::string& from, const std::string& to) {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        if (std::filesystem::exists(from + suffix)) {
          std::filesystem::rename(from + suffix, to + suffix);
        }
      }
    };
    move_all(d.db, d.db + ".moved");
    SUBCASE("moved away") { CHECK_THROWS(open_ledger_database(d.db, true, 100)); }
    SUBCASE("another, shorter ledger at the path") {
      init_ledger(d.db, d.dir.file("other.key"), "qledger.test/other");
    }
    SUBCASE("another history as long, with a snapshot of its own, at the path") {
      DemoLedger other;  // same generator, other timestamps: another root at d.head
      REQUIRE(other.head >= d.head);
      REQUIRE(other.ledger->root_at(d.head) != d.ledger->root_at(d.head));
      write_registry_snapshot(*other.ledger, *other.key, d.head);
      other.ledger.reset();  // closed: its WAL is folded into the file
      std::filesystem::copy_file(other.db, d.db);
    }
    const Report on_reader =
        build_report(*d.ledger, period, d.head, ReportConfig::defaults(), &*d.key);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(d.db + suffix);
    move_all(d.db + ".moved", d.db);
    CHECK_FALSE(on_reader.registry_read_beside);
    CHECK(on_reader.registry_snapshot_size == d.head);
    CHECK(report_to_json(on_reader) == report_to_json(beside));
  }

  TEST_CASE("a snapshot that does not check is ignored") {
    DemoLedger d;
    const std::uint64_t at = d.head / 2;
    const RegistryState want = d.folded(d.head);
    const Report raw = build_report(*d.ledger, *Period::parse("2026-09"), d.head,
                                    ReportConfig::defaults(), nullptr);
    auto report_with_key = [&] {
      return without_checkpoint(build_report(*d.ledger, *Period::parse("2026-09"), d.head,
                                             ReportConfig::defaults(), &*d.key));
    };

    SUBCASE("edited body: one equipment unit dropped") {
      write_registry_snapshot(*d.ledger, *d.key, at);
      d.exec(
          "UPDATE registry_snapshots SET body = substr(body, 1, instr(body, X'0A51') ) || "
          "substr(body, instr(substr(body, instr(body, X'0A51') + 1), X'0A') + instr(body, "
          "X'0A51') + 1)");
      CHECK_FALSE(d.from_snapshot(d.head, d.key->public_key()).has_value());
    }
    SUBCASE("signed with another key") {
      const SigningKey other = SigningKey::generate("someone-else");
      d.plant(at, d.ledger->root_at(at), encode_registry(d.folded(at)), other);
      CHECK_FALSE(d.from_snapshot(d.head, d.key->public_key()).has_value());
      CHECK(d.from_snapshot(d.head, other.public_key()).has_value());  // it is well formed
      // An older good one is used instead of the newest bad one; writing at the bad one's size
      // with the right key replaces it.
      write_registry_snapshot(*d.ledger, *d.key, at / 2);
      std::uint64_t used = 0;
      REQUIRE(d.from_snapshot(d.head, d.key->public_key(), &used).has_value());
      CHECK(used == at / 2);
      write_registry_snapshot(*d.ledger, *d.key, at);
      REQUIRE(d.from_snapshot(d.head, d.key->public_key(), &used).has_value());
      CHECK(used == at);
      CHECK(*d.from_snapshot(d.head, d.key->public_key()) == want);
      d.exec("DELETE FROM registry_snapshots");
    }
    SUBCASE("a root of another history, signed with the right key") {
      // What an insider holding the key could plant after rewriting history: the signature
      // checks, the root does not match this file's tree at that size.
      Hash root = d.ledger->root_at(at);
      root[0] ^= 1;
      d.plant(at, root, encode_registry(RegistryState{}), *d.key);
      CHECK_FALSE(d.from_snapshot(d.head, d.key->public_key()).has_value());
    }
    // Whatever was planted, the report is the one from the raw events.
    CHECK(report_with_key() == without_checkpoint(raw));
    CHECK(d.folded(d.head) == want);
  }
}
