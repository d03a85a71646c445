#include "qledger/registry_snapshot.hpp"

#include "record_history_reader.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <charconv>
#include <stdexcept>

namespace qledger {

// (The fold before snapshots reset the status at the registration event; here changes are all
// after it, because the domain rules refuse a status change for unregistered equipment.)
bool EquipmentUnit::in_use_on(CivilDate day) const {
  if (!registered_on || !(*registered_on <= day)) return false;
  bool in_use = true;
  CivilDate latest;
  bool have_change = false;
  for (const auto& c : changes) {
    if (c.effective_on <= day && (!have_change || c.effective_on >= latest)) {
      latest = c.effective_on;
      have_change = true;
      in_use = c.in_use;
    }
  }
  return in_use;
}

void RegistryState::refold(const std::string& record_type, RecordHistory history) {
  const auto effective = effective_events(std::move(history.events));
  if (record_type == "entity") {
    entities.erase(history.key);
    if (auto s = fold_entity(effective)) {
      s->name.clear();  // not used by any figure; kept out of snapshots
      s->address.clear();
      entities.emplace(history.key, std::move(*s));
    }
  } else if (record_type == "licence") {
    licences.erase(history.key);
    if (auto s = fold_licence(effective)) licences.emplace(history.key, std::move(*s));
  } else if (record_type == "equipment") {
    equipment.erase(history.key);
    auto s = fold_equipment(effective);
    if (!s) return;
    EquipmentUnit unit;
    for (const auto& e : effective) {
      if (e.kind == "equipment.registered") {
        unit.registered_on = CivilDate::parse(e.payload.value("registered_on", ""));
      } else if (e.kind == "equipment.status_changed") {
        // A change whose date does not parse never applies to a day.
        if (const auto on = CivilDate::parse(e.payload.value("effective_on", ""))) {
          unit.changes.push_back({*on, e.payload.value("status", "") == "in_use"});
        }
      }
    }
    unit.state = std::move(*s);
    unit.state.registration_no.clear();  // not used by any figure; kept out of snapshots
    equipment.emplace(history.key, std::move(unit));
  } else {
    throw std::invalid_argument("not a registry record type: " + record_type);
  }
}

namespace {

bool same_entity(const EntityState& a, const EntityState& b) {
  return a.uscc == b.uscc && a.name == b.name && a.township == b.township &&
         a.industry == b.industry && a.address == b.address &&
         a.uscc_as_printed == b.uscc_as_printed && a.first_seq == b.first_seq &&
         a.last_seq == b.last_seq;
}
bool same_licence(const LicenceState& a, const LicenceState& b) {
  return a.licence_no == b.licence_no && a.uscc == b.uscc && a.valid_from == b.valid_from &&
         a.valid_to == b.valid_to && a.revoked_on == b.revoked_on && a.first_seq == b.first_seq &&
         a.last_seq == b.last_seq;
}
bool same_unit(const EquipmentUnit& a, const EquipmentUnit& b) {
  const EquipmentState& x = a.state;
  const EquipmentState& y = b.state;
  if (a.changes.size() != b.changes.size()) return false;
  for (std::size_t i = 0; i < a.changes.size(); ++i) {
    if (a.changes[i].effective_on != b.changes[i].effective_on ||
        a.changes[i].in_use != b.changes[i].in_use) {
      return false;
    }
  }
  return x.equipment_code == y.equipment_code && x.registration_no == y.registration_no &&
         x.category == y.category && x.user_uscc == y.user_uscc && x.township == y.township &&
         x.status == y.status && x.registered_on == y.registered_on &&
         x.status_since == y.status_since && x.first_seq == y.first_seq &&
         x.last_seq == y.last_seq && a.registered_on == b.registered_on;
}

template <typename T, typename Same>
bool same_map(const std::map<std::string, T>& a, const std::map<std::string, T>& b, Same same) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    if (i->first != j->first || !same(i->second, j->second)) return false;
  }
  return true;
}

}  // namespace

bool operator==(const RegistryState& a, const RegistryState& b) {
  return same_map(a.entities, b.entities, same_entity) &&
         same_map(a.licences, b.licences, same_licence) &&
         same_map(a.equipment, b.equipment, same_unit);
}

// ---- The body ------------------------------------------------------------------------------
//
// "qledger-registry 1\n", then one line per record, fields separated by TAB, in this order:
//   E key uscc township industry as_printed(0|1) first_seq last_seq
//   L key licence_no uscc valid_from valid_to revoked_on|- first_seq last_seq
//   Q key code category user_uscc township status registered_on status_since first_seq last_seq
//     registration_date|- changes
// where changes is "" or "YYYY-MM-DD:1,YYYY-MM-DD:0,…" (1 = in use). In text fields a backslash,
// TAB and newline are written \\, \t and \n. Entities, then licences, then equipment, each in key
// order.

namespace {

constexpr std::string_view kBodyHeader = "qledger-registry 1\n";

void put_text(std::string& out, std::string_view text) {
  out += '\t';
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}
void put_number(std::string& out, std::uint64_t n) {
  out += '\t';
  out += std::to_string(n);
}
void put_date(std::string& out, const CivilDate& d) {
  out += '\t';
  out += d.to_string();
}
void put_optional_date(std::string& out, const std::optional<CivilDate>& d) {
  if (d) {
    put_date(out, *d);
  } else {
    out += "\t-";
  }
}

// Reads one line's fields back; every accessor fails (ok = false) on a malformed field.
class LineReader {
 public:
  explicit LineReader(std::string_view line) : line_(line) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ > line_.size(); }

  std::string_view raw() {
    if (pos_ > line_.size()) {
      ok_ = false;
      return {};
    }
    const std::size_t tab = line_.find('\t', pos_);
    const std::size_t end = tab == std::string_view::npos ? line_.size() : tab;
    const std::string_view field = line_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return field;
  }
  std::string text() {
    const std::string_view field = raw();
    if (field.find('\\') == std::string_view::npos) return std::string(field);
    std::string out;
    out.reserve(field.size());
    for (std::size_t i = 0; i < field.size(); ++i) {
      if (field[i] != '\\') {
        out += field[i];
        continue;
      }
      if (++i == field.size()) {
        ok_ = false;
        break;
      }
      if (field[i] == '\\') {
        out += '\\';
      } else if (field[i] == 't') {
        out += '\t';
      } else if (field[i] == 'n') {
        out += '\n';
      } else {
        ok_ = false;
      }
    }
    return out;
  }
  std::uint64_t number() {
    const std::string_view field = raw();
    std::uint64_t n = 0;
    const auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), n);
    if (ec != std::errc() || p != field.data() + field.size() || field.empty() ||
        (field.size() > 1 && field[0] == '0')) {
      ok_ = false;  // one spelling per number: no leading zeros
    }
    return n;
  }
  CivilDate date() { return date_of(raw()); }
  std::optional<CivilDate> optional_date() {
    const std::string_view field = raw();
    if (field == "-") return std::nullopt;
    return date_of(field);
  }
  bool flag() {
    const std::string_view field = raw();
    if (field != "0" && field != "1") ok_ = false;
    return field == "1";
  }
  std::vector<EquipmentUnit::StatusChange> changes() {
    std::vector<EquipmentUnit::StatusChange> out;
    const std::string_view field = raw();
    std::size_t pos = 0;
    while (ok_ && pos < field.size()) {
      const std::size_t comma = field.find(',', pos);
      const std::size_t end = comma == std::string_view::npos ? field.size() : comma;
      const std::string_view item = field.substr(pos, end - pos);
      if (item.size() != 12 || item[10] != ':' || (item[11] != '0' && item[11] != '1')) {
        ok_ = false;
        break;
      }
      out.push_back({date_of(item.substr(0, 10)), item[11] == '1'});
      pos = comma == std::string_view::npos ? field.size() : comma + 1;
      if (comma != std::string_view::npos && pos == field.size()) ok_ = false;  // trailing comma
    }
    return out;
  }

 private:
  CivilDate date_of(std::string_view field) {
    const auto d = CivilDate::parse(field);
    if (!d) ok_ = false;
    return d.value_or(CivilDate());
  }

  std::string_view line_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

namespace {

void put_entity(std::string& out, const std::string& key, const EntityState& s) {
  out += 'E';
  put_text(out, key);
  put_text(out, s.uscc);
  put_text(out, s.township);
  put_text(out, s.industry);
  put_text(out, s.uscc_as_printed ? "1" : "0");
  put_number(out, s.first_seq);
  put_number(out, s.last_seq);
  out += '\n';
}

void put_licence(std::string& out, const std::string& key, const LicenceState& s) {
  out += 'L';
  put_text(out, key);
  put_text(out, s.licence_no);
  put_text(out, s.uscc);
  put_date(out, s.valid_from);
  put_date(out, s.valid_to);
  put_optional_date(out, s.revoked_on);
  put_number(out, s.first_seq);
  put_number(out, s.last_seq);
  out += '\n';
}

void put_unit(std::string& out, const std::string& key, const EquipmentUnit& unit) {
  const EquipmentState& s = unit.state;
  out += 'Q';
  put_text(out, key);
  put_text(out, s.equipment_code);
  put_text(out, s.category);
  put_text(out, s.user_uscc);
  put_text(out, s.township);
  put_text(out, s.status);
  put_date(out, s.registered_on);
  put_date(out, s.status_since);
  put_number(out, s.first_seq);
  put_number(out, s.last_seq);
  put_optional_date(out, unit.registered_on);
  out += '\t';
  for (std::size_t i = 0; i < unit.changes.size(); ++i) {
    if (i > 0) out += ',';
    out += unit.changes[i].effective_on.to_string();
    out += unit.changes[i].in_use ? ":1" : ":0";
  }
  out += '\n';
}

// The lines of whatever `registry` holds, in section and key order.
void put_registry(std::string& out, const RegistryState& registry) {
  for (const auto& [key, s] : registry.entities) put_entity(out, key, s);
  for (const auto& [key, s] : registry.licences) put_licence(out, key, s);
  for (const auto& [key, unit] : registry.equipment) put_unit(out, key, unit);
}

}  // namespace

std::string encode_registry(const RegistryState& registry) {
  std::string out(kBodyHeader);
  put_registry(out, registry);
  return out;
}

std::optional<RegistryState> decode_registry(std::string_view body) {
  if (body.substr(0, kBodyHeader.size()) != kBodyHeader) return std::nullopt;
  RegistryState r;
  std::size_t pos = kBodyHeader.size();
  char section = 'E';
  while (pos < body.size()) {
    const std::size_t newline = body.find('\n', pos);
    if (newline == std::string_view::npos) return std::nullopt;  // every line ends with \n
    const std::string_view line = body.substr(pos, newline - pos);
    pos = newline + 1;
    if (line.size() < 2 || line[1] != '\t') return std::nullopt;
    const char tag = line[0];
    // Sections in order E, L, Q; keys ascending within each (what encode_registry writes).
    if ((tag != 'E' && tag != 'L' && tag != 'Q') || tag < section) return std::nullopt;
    section = tag;
    LineReader in(line.substr(2));
    const std::string key = in.text();
    bool ordered = true;
    if (tag == 'E') {
      EntityState s;
      s.uscc = in.text();
      s.township = in.text();
      s.industry = in.text();
      s.uscc_as_printed = in.flag();
      s.first_seq = in.number();
      s.last_seq = in.number();
      ordered = r.entities.empty() || r.entities.rbegin()->first < key;
      r.entities.emplace_hint(r.entities.end(), key, std::move(s));
    } else if (tag == 'L') {
      LicenceState s;
      s.licence_no = in.text();
      s.uscc = in.text();
      s.valid_from = in.date();
      s.valid_to = in.date();
      s.revoked_on = in.optional_date();
      s.first_seq = in.number();
      s.last_seq = in.number();
      ordered = r.licences.empty() || r.licences.rbegin()->first < key;
      r.licences.emplace_hint(r.licences.end(), key, std::move(s));
    } else {
      EquipmentUnit unit;
      EquipmentState& s = unit.state;
      s.equipment_code = in.text();
      s.category = in.text();
      s.user_uscc = in.text();
      s.township = in.text();
      s.status = in.text();
      s.registered_on = in.date();
      s.status_since = in.date();
      s.first_seq = in.number();
      s.last_seq = in.number();
      unit.registered_on = in.optional_date();
      unit.changes = in.changes();
      ordered = r.equipment.empty() || r.equipment.rbegin()->first < key;
      r.equipment.emplace_hint(r.equipment.end(), key, std::move(unit));
    }
    if (!in.ok() || !in.at_end() || !ordered) return std::nullopt;
  }
  return r;
}

std::string registry_snapshot_message(std::uint64_t size, const Hash& root, std::string_view body) {
  return "qledger registry snapshot v1\n" + std::to_string(size) + "\n" + to_hex(root) + "\n" +
         to_hex(sha256(body)) + "\n";
}

namespace {

const char* const kRegistryTypes[] = {"entity", "licence", "equipment"};

}  // namespace

RegistryState fold_registry(SQLite::Database& db, std::uint64_t size) {
  RecordHistoryReader reader(db, size);
  RegistryState r;
  for (const char* type : kRegistryTypes) {
    reader.for_each(type, "", {}, [&](RecordHistory&& h) { r.refold(type, std::move(h)); });
  }
  return r;
}

namespace {

// encode_registry(fold_registry(db, size)) holding one record at a time: the event index gives
// the records of each type in key order, the order of the body.
std::string encode_registry_at(SQLite::Database& db, std::uint64_t size) {
  RecordHistoryReader reader(db, size);
  std::string out(kBodyHeader);
  for (const char* type : kRegistryTypes) {
    reader.for_each(type, "", {}, [&](RecordHistory&& h) {
      RegistryState one;
      one.refold(type, std::move(h));
      put_registry(out, one);
    });
  }
  return out;
}

}  // namespace

namespace {

bool has_snapshot_table(SQLite::Database& db) {
  return db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'registry_snapshots'")
             .getInt() == 1;
}

// The registry of the snapshot row `q` points at (tree_size, root, body, signature), if it was
// signed by `key`, its root is this file's root at its size and its body decodes.
std::optional<RegistryState> checked_snapshot(SQLite::Database& db, SQLite::Statement& q,
                                              const PublicKey& key) {
  const auto at = static_cast<std::uint64_t>(q.getColumn(0).getInt64());
  const SQLite::Column root_col = q.getColumn(1);
  const SQLite::Column body_col = q.getColumn(2);
  const SQLite::Column sig_col = q.getColumn(3);
  if (root_col.getBytes() != static_cast<int>(Hash().size())) return std::nullopt;
  Hash root{};
  std::copy_n(static_cast<const std::uint8_t*>(root_col.getBlob()), root.size(), root.begin());
  const std::string_view body(static_cast<const char*>(body_col.getBlob()),
                              static_cast<std::size_t>(body_col.getBytes()));
  const std::string_view signature(static_cast<const char*>(sig_col.getBlob()),
                                   static_cast<std::size_t>(sig_col.getBytes()));
  if (!ed25519_verify(key, registry_snapshot_message(at, root, body), signature)) {
    return std::nullopt;
  }
  if (tree_root_in(db, at) != root) return std::nullopt;  // not this history
  return decode_registry(body);
}

}  // namespace

std::optional<RegistryState> registry_from_snapshot(SQLite::Database& db, std::uint64_t size,
                                                    const PublicKey& key,
                                                    std::uint64_t* snapshot_size,
                                                    std::uint64_t* events_read) {
  if (!has_snapshot_table(db)) return std::nullopt;
  // The newest that checks, among the three newest at or below the size.
  SQLite::Statement q(db,
                      "SELECT tree_size, root, body, signature FROM registry_snapshots "
                      "WHERE tree_size <= ? ORDER BY tree_size DESC LIMIT 3");
  q.bind(1, static_cast<std::int64_t>(size));
  std::optional<RegistryState> registry;
  std::uint64_t at = 0;
  while (!registry && q.executeStep()) {
    at = static_cast<std::uint64_t>(q.getColumn(0).getInt64());
    registry = checked_snapshot(db, q, key);
  }
  if (!registry) return std::nullopt;

  // Every registry record with an event after the snapshot, folded again from its whole history.
  RecordHistoryReader reader(db, size);
  std::uint64_t read = 0;
  for (const char* type : kRegistryTypes) {
    reader.for_each(type,
                    "SELECT record_key FROM event_index WHERE seq > CAST(?3 AS INTEGER) AND "
                    "seq <= ?2 AND +record_type = ?1",
                    {std::to_string(at)}, [&](RecordHistory&& h) {
                      read += h.events.size();
                      registry->refold(type, std::move(h));
                    });
  }
  if (snapshot_size != nullptr) *snapshot_size = at;
  if (events_read != nullptr) *events_read = read;
  return registry;
}

std::uint64_t write_registry_snapshot(Ledger& ledger, const SigningKey& key,
                                      std::optional<std::uint64_t> at_size) {
  if (key.verifier().to_note_string() != ledger.info().verifier_key) {
    throw std::invalid_argument("registry snapshots are signed with the ledger's own key only");
  }
  std::uint64_t size = 0;
  Hash root{};
  std::string body;
  {
    // Its own read transaction on its own connection: folding a large registry takes seconds,
    // and the ledger's reader (pages, proofs) must not wait for it.
    auto db = open_ledger_database(ledger.path(), true, 10000);
    db->exec("BEGIN");
    const auto head = static_cast<std::uint64_t>(
        db->execAndGet("SELECT COALESCE(MAX(seq), 0) FROM events").getInt64());
    if (at_size && *at_size > head) throw std::out_of_range("tree size beyond the ledger's head");
    size = at_size.value_or(head);
    // One that checks is kept; one that does not (an older body format, an edit) is replaced.
    SQLite::Statement q(*db,
                        "SELECT tree_size, root, body, signature FROM registry_snapshots "
                        "WHERE tree_size = ?");
    q.bind(1, static_cast<std::int64_t>(size));
    if (q.executeStep() && checked_snapshot(*db, q, key.public_key()).has_value()) return size;
    root = tree_root_in(*db, size);
    body = encode_registry_at(*db, size);
    db->exec("COMMIT");
  }
  // A body this code cannot read back would only ever be ignored: say so instead.
  if (!decode_registry(body)) throw std::logic_error("registry snapshot body does not decode");
  const std::string signature = key.sign(registry_snapshot_message(size, root, body));
  auto db = open_ledger_database(ledger.path(), false, 10000);
  SQLite::Statement insert(*db,
                           "INSERT OR REPLACE INTO registry_snapshots (tree_size, root, body, "
                           "signature) VALUES (?, ?, ?, ?)");
  insert.bind(1, static_cast<std::int64_t>(size));
  insert.bind(2, root.data(), static_cast<int>(root.size()));
  insert.bind(3, body.data(), static_cast<int>(body.size()));
  insert.bind(4, signature.data(), static_cast<int>(signature.size()));
  insert.exec();
  return size;
}

std::uint64_t refresh_registry_snapshots(Ledger& ledger, const SigningKey& key, std::size_t keep) {
  std::uint64_t newest = 0;
  bool changed = true;
  {
    auto db = open_ledger_database(ledger.path(), true, 10000);
    db->exec("BEGIN");
    newest = static_cast<std::uint64_t>(
        db->execAndGet("SELECT COALESCE(MAX(tree_size), 0) FROM registry_snapshots").getInt64());
    if (newest > 0) {
      SQLite::Statement q(*db,
                          "SELECT EXISTS (SELECT 1 FROM event_index WHERE seq > ? AND "
                          "record_type IN ('entity', 'licence', 'equipment'))");
      q.bind(1, static_cast<std::int64_t>(newest));
      changed = q.executeStep() && q.getColumn(0).getInt() == 1;
    }
    db->exec("COMMIT");
  }
  if (changed) newest = write_registry_snapshot(ledger, key);
  auto db = open_ledger_database(ledger.path(), false, 10000);
  SQLite::Statement prune(*db,
                          "DELETE FROM registry_snapshots WHERE tree_size NOT IN (SELECT "
                          "tree_size FROM registry_snapshots ORDER BY tree_size DESC LIMIT ?)");
  prune.bind(1, static_cast<std::int64_t>(keep));
  prune.exec();
  return newest;
}

}  // namespace qledger
