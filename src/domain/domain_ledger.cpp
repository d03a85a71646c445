#include "qledger/domain_ledger.hpp"

#include <openssl/rand.h>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <stdexcept>
#include <variant>

namespace qledger {

namespace {

const char* kCreatingKind[][2] = {
    {"entity", "entity.registered"},       {"licence", "licence.granted"},
    {"equipment", "equipment.registered"}, {"batch", "inspection.recorded"},
    {"incident", "incident.reported"},     {"complaint", "complaint.received"},
    {"calendar", "calendar.year_loaded"}};

std::string creating_kind(const std::string& record_type) {
  for (const auto& [type, kind] : kCreatingKind) {
    if (record_type == type) return kind;
  }
  return "";
}

std::string key_text(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Binds a parameter list of mixed values to a statement and runs it.
using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string>;
void run(SQLite::Database& db, const std::string& sql, const std::vector<SqlValue>& values) {
  SQLite::Statement stmt(db, sql);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            stmt.bind(index);
          } else {
            stmt.bind(index, v);
          }
        },
        values[i]);
  }
  stmt.exec();
}

SqlValue opt(const std::optional<CivilDate>& d) {
  if (d) return d->to_string();
  return nullptr;
}
SqlValue num(std::uint64_t n) { return static_cast<std::int64_t>(n); }
SqlValue flag(bool b) { return static_cast<std::int64_t>(b ? 1 : 0); }

const char* table_of(const std::string& type) {
  if (type == "entity") return "entities";
  if (type == "licence") return "licences";
  if (type == "equipment") return "equipment";
  if (type == "batch") return "batches";
  if (type == "incident") return "incidents";
  if (type == "complaint") return "complaints";
  return nullptr;
}

const char* key_column_of(const std::string& type) {
  if (type == "entity") return "uscc";
  if (type == "licence") return "licence_no";
  if (type == "equipment") return "equipment_code";
  if (type == "batch") return "sample_no";
  if (type == "incident") return "incident_no";
  if (type == "complaint") return "complaint_no";
  return nullptr;
}

void refresh_record(SQLite::Database& db, const LedgerRecords& records, const std::string& type,
                    const std::string& key);

void write_entity(SQLite::Database& db, const EntityState& s) {
  run(db, "INSERT INTO entities VALUES (?,?,?,?,?,?,?,?)",
      {s.uscc, s.name, s.township, s.industry, s.address, flag(s.uscc_as_printed), num(s.first_seq),
       num(s.last_seq)});
}

void write_licence(SQLite::Database& db, const LicenceState& s) {
  run(db, "INSERT INTO licences VALUES (?,?,?,?,?,?,?)",
      {s.licence_no, s.uscc, s.valid_from.to_string(), s.valid_to.to_string(), opt(s.revoked_on),
       num(s.first_seq), num(s.last_seq)});
}

void write_equipment(SQLite::Database& db, const EquipmentState& s) {
  run(db, "INSERT INTO equipment VALUES (?,?,?,?,?,?,?,?,?,?)",
      {s.equipment_code, s.registration_no, s.category, s.user_uscc, s.township, s.status,
       s.registered_on.to_string(), s.status_since.to_string(), num(s.first_seq), num(s.last_seq)});
}

void write_batch(SQLite::Database& db, const BatchState& s, const WorkingDayCalendar& calendar) {
  std::optional<CivilDate> result_due;
  if (s.retest_accepted && *s.retest_accepted && s.retest_conclusion.empty()) {
    result_due = try_add_working_days(calendar, *s.retest_decided_on, 10);
  }
  const bool objection_open = s.objection_filed_on && !s.objection_decided_on;
  run(db, "INSERT INTO batches VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
      {s.sample_no,
       s.regime,
       s.plan_level,
       s.category,
       s.uscc,
       s.lab,
       s.sampling_date.to_string(),
       s.result_date.to_string(),
       s.first_conclusion,
       flag(s.microbiological),
       opt(s.notified_on),
       s.retest_state(),
       opt(s.retest_window_end),
       opt(s.retest_applied_on),
       opt(s.retest_decided_on),
       s.retest_conclusion.empty() ? SqlValue(nullptr) : SqlValue(s.retest_conclusion),
       opt(result_due),
       flag(objection_open),
       num(s.first_seq),
       num(s.last_seq),
       num(s.final_seq)});
}

void write_incident(SQLite::Database& db, const LedgerRecords& records, const IncidentState& s) {
  const auto equipment = records.equipment(s.equipment_code);
  const std::string category = equipment ? equipment->category : "";
  const IncidentGrading grading = grade_of(s, category);
  run(db, "INSERT INTO incidents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
      {s.incident_no,
       s.equipment_code,
       category,
       s.occurred_at,
       s.occurred_on.to_string(),
       s.deaths,
       s.serious_injuries,
       s.minor_injuries,
       s.direct_loss_yuan,
       s.evacuated,
       s.people_trapped,
       s.minutes_trapped,
       flag(s.explosion),
       flag(s.toxic_medium_leak),
       flag(s.crane_overturned),
       flag(s.crane_structure_failed),
       flag(s.special_equipment_accident),
       std::string(to_code(grading.grade)),
       opt(s.closed_on),
       num(s.first_seq),
       num(s.last_seq)});
}

void write_complaint(SQLite::Database& db, const ComplaintState& s) {
  run(db, "INSERT INTO complaints VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
      {s.complaint_no, s.received_on.to_string(), s.channel, s.respondent_uscc, s.respondent_name,
       s.category, s.amount_yuan, s.state, opt(s.decided_on), opt(s.accept_due),
       opt(s.mediation_due), opt(s.mediation_ended_on), opt(s.closed_on), s.recovered_yuan,
       num(s.first_seq), num(s.last_seq)});
}

std::vector<std::string> keys_of(SQLite::Database& db, const std::string& sql,
                                 const std::string& param = "") {
  SQLite::Statement q(db, sql);
  if (!param.empty()) q.bind(1, param);
  std::vector<std::string> keys;
  while (q.executeStep()) keys.push_back(q.getColumn(0).getString());
  return keys;
}

void refresh_record(SQLite::Database& db, const LedgerRecords& records, const std::string& type,
                    const std::string& key) {
  const char* table = table_of(type);
  if (table == nullptr) return;
  run(db, std::string("DELETE FROM ") + table + " WHERE " + key_column_of(type) + " = ?", {key});
  const auto effective = effective_events(records.record_events(type, key));
  const WorkingDayCalendar& calendar = records.calendar();
  if (type == "entity") {
    if (auto s = fold_entity(effective)) write_entity(db, *s);
  } else if (type == "licence") {
    if (auto s = fold_licence(effective)) write_licence(db, *s);
  } else if (type == "equipment") {
    if (auto s = fold_equipment(effective)) write_equipment(db, *s);
    // An incident's grade depends on its equipment's category.
    for (const auto& incident :
         keys_of(db, "SELECT incident_no FROM incidents WHERE equipment_code = ?", key)) {
      refresh_record(db, records, "incident", incident);
    }
  } else if (type == "batch") {
    if (auto s = fold_batch(effective, calendar)) write_batch(db, *s, calendar);
  } else if (type == "incident") {
    if (auto s = fold_incident(effective)) write_incident(db, records, *s);
  } else if (type == "complaint") {
    if (auto s = fold_complaint(effective, calendar)) write_complaint(db, *s);
  }
}

// Replaces the complainant's personal data in the payload by a salted commitment and stores it
// apart (table personal_data).
void move_personal_data(SQLite::Database& db, Leaf& leaf) {
  if (leaf.kind != "complaint.received" || !leaf.payload.contains("complainant")) return;
  const Json person = {{"name", leaf.payload["complainant"].value("name", "")},
                       {"phone", leaf.payload["complainant"].value("phone", "")}};
  std::string salt(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), 16) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  const std::string commitment = to_hex(sha256(salt + encode_canonical(person)));
  leaf.payload.erase("complainant");
  leaf.payload["complainant_commitment"] = commitment;
  // A complaint number freed by voiding its record may be recorded again: the new complainant
  // replaces the voided record's.
  SQLite::Statement ins(db, "INSERT OR REPLACE INTO personal_data VALUES (?, ?, ?, ?, ?, ?)");
  ins.bind(1, leaf.payload["complaint_no"].get<std::string>());
  ins.bind(2, static_cast<std::int64_t>(leaf.seq));
  ins.bind(3, salt.data(), static_cast<int>(salt.size()));
  ins.bind(4, person["name"].get<std::string>());
  ins.bind(5, person["phone"].get<std::string>());
  ins.bind(6, commitment);
  ins.exec();
}

RecordEvent record_event_of(SQLite::Statement& q) {
  const SQLite::Column leaf_col = q.getColumn(1);
  const std::string_view bytes(static_cast<const char*>(leaf_col.getBlob()),
                               static_cast<std::size_t>(leaf_col.getBytes()));
  LeafError error;
  auto leaf = decode_leaf(bytes, error);
  if (!leaf) {
    throw std::runtime_error("event " + std::to_string(q.getColumn(0).getInt64()) +
                             " has a malformed leaf: " + error.message);
  }
  return RecordEvent{leaf->seq, leaf->kind, std::move(leaf->payload), leaf->recorded_at};
}

}  // namespace

std::string record_type_of(const std::string& kind) {
  const std::string prefix = kind.substr(0, kind.find('.'));
  if (prefix == "inspection" || prefix == "retest" || prefix == "objection") return "batch";
  if (prefix == "entity" || prefix == "licence" || prefix == "equipment" || prefix == "incident" ||
      prefix == "complaint" || prefix == "calendar") {
    return prefix;
  }
  return "";  // correction / void: the record of the target
}

namespace {

// The calendar is read on every append; parsing it each time would dominate bulk imports. Cache
// it per thread, keyed by the file and the (year, seq) of every loaded year, so a newly loaded
// year (or a rolled-back one) is always seen.
std::shared_ptr<const WorkingDayCalendar> cached_calendar(SQLite::Database& db) {
  thread_local std::string cached_key;
  thread_local std::shared_ptr<const WorkingDayCalendar> cached;
  std::string key = db.getFilename() + "|" +
                    db.execAndGet(
                          "SELECT COALESCE(group_concat(year || ':' || seq), '') FROM "
                          "(SELECT year, seq FROM calendar_years ORDER BY year)")
                        .getString();
  if (cached && key == cached_key) return cached;
  auto calendar = std::make_shared<WorkingDayCalendar>(WorkingDayCalendar::built_in());
  SQLite::Statement q(db, "SELECT csv FROM calendar_years ORDER BY year");
  while (q.executeStep()) calendar->load_year(q.getColumn(0).getString());
  cached = std::move(calendar);
  cached_key = std::move(key);
  return cached;
}

}  // namespace

WorkingDayCalendar ledger_calendar(SQLite::Database& db) { return *cached_calendar(db); }

LedgerRecords::LedgerRecords(SQLite::Database& db) : db_(db), calendar_(cached_calendar(db)) {}

std::vector<RecordEvent> LedgerRecords::record_events(const std::string& type,
                                                      const std::string& key) const {
  SQLite::Statement q(db_,
                      "SELECT e.seq, e.leaf FROM event_index i JOIN events e ON e.seq = i.seq "
                      "WHERE i.record_type = ? AND i.record_key = ? ORDER BY i.seq");
  q.bind(1, type);
  q.bind(2, key);
  std::vector<RecordEvent> out;
  while (q.executeStep()) out.push_back(record_event_of(q));
  return out;
}

std::optional<EntityState> LedgerRecords::entity(const std::string& uscc) const {
  return fold_entity(effective_events(record_events("entity", uscc)));
}
std::optional<LicenceState> LedgerRecords::licence(const std::string& licence_no) const {
  return fold_licence(effective_events(record_events("licence", licence_no)));
}
std::optional<EquipmentState> LedgerRecords::equipment(const std::string& code) const {
  return fold_equipment(effective_events(record_events("equipment", code)));
}
std::optional<BatchState> LedgerRecords::batch(const std::string& sample_no) const {
  return fold_batch(effective_events(record_events("batch", sample_no)), *calendar_);
}
std::optional<IncidentState> LedgerRecords::incident(const std::string& incident_no) const {
  return fold_incident(effective_events(record_events("incident", incident_no)));
}
std::optional<ComplaintState> LedgerRecords::complaint(const std::string& complaint_no) const {
  return fold_complaint(effective_events(record_events("complaint", complaint_no)), *calendar_);
}

std::optional<RecordLookup::EventRef> LedgerRecords::event(std::uint64_t seq) const {
  SQLite::Statement q(db_,
                      "SELECT e.seq, e.leaf, i.record_type, i.record_key FROM event_index i "
                      "JOIN events e ON e.seq = i.seq WHERE i.seq = ?");
  q.bind(1, static_cast<std::int64_t>(seq));
  if (!q.executeStep()) return std::nullopt;
  RecordEvent target = record_event_of(q);
  const std::string type = q.getColumn(2).getString();
  const std::string key = q.getColumn(3).getString();
  EventRef ref{target.kind, std::move(target.payload), false, false};
  const auto events = record_events(type, key);
  for (const auto& e : events) {
    if (e.kind == "void" &&
        e.payload.value("target_seq", std::int64_t{0}) == static_cast<std::int64_t>(seq)) {
      ref.voided = true;
    }
  }
  if (!ref.voided && ref.kind == creating_kind(type)) {
    ref.has_live_dependents = effective_events(events).size() > 1;
  }
  return ref;
}

DomainApplier::DomainApplier(TodayClock today) : today_(std::move(today)) {}

void DomainApplier::prepare(SQLite::Database& db, Leaf& leaf) {
  FieldProblems problems = validate_against_ledger(db, leaf.kind, leaf.payload, today_());
  if (!problems.empty()) throw AppendRejected(std::move(problems));
  move_personal_data(db, leaf);
}

void DomainApplier::project(SQLite::Database& db, const Leaf& leaf) { project_event(db, leaf); }

FieldProblems validate_against_ledger(SQLite::Database& db, const std::string& kind,
                                      const Json& payload, CivilDate today) {
  LedgerRecords records(db);
  FieldProblems problems = validate_event(EventSchema::builtin(), kind, payload, records, today);
  if (problems.empty() && kind == "calendar.year_loaded") {
    WorkingDayCalendar probe;
    for (auto& p : probe.load_year(payload["csv"].get<std::string>())) {
      p.field = "csv" + (p.field.empty() ? "" : "/" + p.field);
      problems.push_back(std::move(p));
    }
    if (problems.empty() && !probe.covers(static_cast<int>(payload["year"].get<std::int64_t>()))) {
      problems.push_back({"csv", "wrong_year", "the rows are not for the stated year",
                          "日历数据与所填年度不一致"});
    }
  }
  return problems;
}

void project_event(SQLite::Database& db, const Leaf& leaf) {
  std::string type = record_type_of(leaf.kind);
  std::string key;
  std::optional<std::int64_t> target;
  if (type.empty()) {
    target = leaf.payload.at("target_seq").get<std::int64_t>();
    SQLite::Statement q(db, "SELECT record_type, record_key FROM event_index WHERE seq = ?");
    q.bind(1, *target);
    if (!q.executeStep()) throw std::runtime_error("amended event is not indexed");
    type = q.getColumn(0).getString();
    key = q.getColumn(1).getString();
  } else {
    const KindSpec* spec = EventSchema::builtin().find(leaf.kind);
    if (spec == nullptr) throw std::runtime_error("unknown kind " + leaf.kind);
    key = key_text(leaf.payload.at(spec->aggregate_field));
  }
  run(db, "INSERT INTO event_index VALUES (?, ?, ?, ?, ?)",
      {num(leaf.seq), leaf.kind, type, key, target ? SqlValue(*target) : SqlValue(nullptr)});
  if (leaf.kind == "complaint.personal_data_erased") {
    run(db, "DELETE FROM personal_data WHERE complaint_no = ?", {key});
  }
  if (type == "calendar") {
    run(db, "DELETE FROM calendar_years WHERE year = ?", {key});
    LedgerRecords before(db);
    const auto effective = effective_events(before.record_events("calendar", key));
    if (!effective.empty()) {
      const Json& p = effective.back().payload;
      run(db, "INSERT INTO calendar_years VALUES (?, ?, ?, ?)",
          {p["year"].get<std::int64_t>(), p["csv"].get<std::string>(),
           p["source"].get<std::string>(), num(effective.back().seq)});
    }
    // Deadlines of batches and complaints depend on the calendar.
    LedgerRecords records(db);
    for (const auto& no : keys_of(db, "SELECT sample_no FROM batches")) {
      refresh_record(db, records, "batch", no);
    }
    for (const auto& no : keys_of(db, "SELECT complaint_no FROM complaints")) {
      refresh_record(db, records, "complaint", no);
    }
    return;
  }
  LedgerRecords records(db);
  refresh_record(db, records, type, key);
}

const std::vector<std::string>& projection_tables() {
  static const std::vector<std::string> tables = {"event_index", "entities",      "licences",
                                                  "equipment",   "batches",       "incidents",
                                                  "complaints",  "calendar_years"};
  return tables;
}

std::uint64_t rebuild_projections(SQLite::Database& db) {
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  for (const auto& table : projection_tables()) db.exec("DELETE FROM " + table);
  SQLite::Statement q(db, "SELECT seq, leaf FROM events ORDER BY seq");
  std::uint64_t count = 0;
  while (q.executeStep()) {
    const SQLite::Column leaf_col = q.getColumn(1);
    LeafError error;
    auto leaf = decode_leaf(std::string_view(static_cast<const char*>(leaf_col.getBlob()),
                                             static_cast<std::size_t>(leaf_col.getBytes())),
                            error);
    if (!leaf) throw std::runtime_error("malformed leaf at seq " + std::to_string(count + 1));
    if (EventSchema::builtin().find(leaf->kind) == nullptr) continue;  // not a domain event
    project_event(db, *leaf);
    ++count;
  }
  tx.commit();
  return count;
}

std::unique_ptr<Ledger> open_domain_ledger(const std::string& path, TodayClock today,
                                           LedgerOptions options) {
  return std::make_unique<Ledger>(path, options, std::make_shared<DomainApplier>(std::move(today)));
}

}  // namespace qledger
