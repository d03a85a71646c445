#include "qledger/domain_ledger.hpp"

#include "qledger/report_dates.hpp"

#include "qledger/statement_cache.hpp"

#include <openssl/rand.h>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <algorithm>
#include <limits>
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
void run(StatementCache& db, std::string_view sql, const std::vector<SqlValue>& values) {
  const auto use = db.use(sql);
  SQLite::Statement& stmt = *use;
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
// A date column written by opt()/to_string() above.
CivilDate stored_date(const SQLite::Column& column) {
  const auto date = CivilDate::parse(column.getString());
  if (!date) throw std::runtime_error("projection holds a malformed date: " + column.getString());
  return *date;
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

void refresh_record(StatementCache& db, const LedgerRecords& records, const std::string& type,
                    const std::string& key, const Leaf* latest = nullptr);

void write_entity(StatementCache& db, const EntityState& s) {
  run(db, "INSERT OR REPLACE INTO entities VALUES (?,?,?,?,?,?,?,?)",
      {s.uscc, s.name, s.township, s.industry, s.address, flag(s.uscc_as_printed), num(s.first_seq),
       num(s.last_seq)});
}

void write_licence(StatementCache& db, const LicenceState& s) {
  run(db, "INSERT OR REPLACE INTO licences VALUES (?,?,?,?,?,?,?)",
      {s.licence_no, s.uscc, s.valid_from.to_string(), s.valid_to.to_string(), opt(s.revoked_on),
       num(s.first_seq), num(s.last_seq)});
}

void write_equipment(StatementCache& db, const EquipmentState& s) {
  run(db, "INSERT OR REPLACE INTO equipment VALUES (?,?,?,?,?,?,?,?,?,?)",
      {s.equipment_code, s.registration_no, s.category, s.user_uscc, s.township, s.status,
       s.registered_on.to_string(), s.status_since.to_string(), num(s.first_seq), num(s.last_seq)});
}

void write_batch(StatementCache& db, const BatchState& s, const WorkingDayCalendar& calendar) {
  std::optional<CivilDate> result_due;
  if (s.retest_accepted && *s.retest_accepted && s.retest_conclusion.empty()) {
    result_due = try_add_working_days(calendar, *s.retest_decided_on, 10);
  }
  const bool objection_open = s.objection_filed_on && !s.objection_decided_on;
  run(db, "INSERT OR REPLACE INTO batches VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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

void write_incident(StatementCache& db, const LedgerRecords& records, const IncidentState& s) {
  const auto equipment = records.equipment(s.equipment_code);
  const std::string category = equipment ? equipment->category : "";
  const IncidentGrading grading = grade_of(s, category);
  run(db, "INSERT OR REPLACE INTO incidents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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

void write_complaint(StatementCache& db, const ComplaintState& s) {
  run(db, "INSERT OR REPLACE INTO complaints VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
      {s.complaint_no, s.received_on.to_string(), s.channel, s.respondent_uscc, s.respondent_name,
       s.category, s.amount_yuan, s.state, opt(s.decided_on), opt(s.accept_due),
       opt(s.mediation_due), opt(s.mediation_ended_on), opt(s.closed_on), s.recovered_yuan,
       num(s.first_seq), num(s.last_seq)});
}

std::vector<std::string> keys_of(StatementCache& db, std::string_view sql,
                                 const std::string& param = "") {
  const auto use = db.use(sql);
  SQLite::Statement& q = *use;
  if (!param.empty()) q.bind(1, param);
  std::vector<std::string> keys;
  while (q.executeStep()) keys.push_back(q.getColumn(0).getString());
  return keys;
}

// Rewrites the record's projection row from its events. `latest`, when given, is the event being
// projected, already indexed under this record and the last of its events: it is taken as it is
// instead of being read back and decoded (its bytes are its canonical encoding, so decoding them
// would give the same kind, payload and recorded_at).
void refresh_record(StatementCache& db, const LedgerRecords& records, const std::string& type,
                    const std::string& key, const Leaf* latest) {
  const char* table = table_of(type);
  if (table == nullptr) return;
  std::vector<RecordEvent> events;
  if (latest != nullptr) {
    events = records.record_events_before(type, key, latest->seq);
    events.push_back(RecordEvent{latest->seq, latest->kind, latest->payload, latest->recorded_at});
  } else {
    events = records.record_events(type, key);
  }
  const auto effective = effective_events(std::move(events));
  const WorkingDayCalendar& calendar = records.calendar();
  // The row is replaced by the record's fold (INSERT OR REPLACE), or removed when nothing of the
  // record is in force (a voided creating event).
  bool written = false;
  const auto write_if = [&](const auto& state, const auto& write) {
    if (!state) return;
    write(*state);
    written = true;
  };
  if (type == "entity") {
    write_if(fold_entity(effective), [&](const auto& s) { write_entity(db, s); });
  } else if (type == "licence") {
    write_if(fold_licence(effective), [&](const auto& s) { write_licence(db, s); });
  } else if (type == "equipment") {
    write_if(fold_equipment(effective), [&](const auto& s) { write_equipment(db, s); });
  } else if (type == "batch") {
    write_if(fold_batch(effective, calendar), [&](const auto& s) { write_batch(db, s, calendar); });
  } else if (type == "incident") {
    write_if(fold_incident(effective), [&](const auto& s) { write_incident(db, records, s); });
  } else if (type == "complaint") {
    write_if(fold_complaint(effective, calendar), [&](const auto& s) { write_complaint(db, s); });
  }
  if (!written) {
    run(db, std::string("DELETE FROM ") + table + " WHERE " + key_column_of(type) + " = ?", {key});
  }
  if (type == "equipment") {
    // An incident's grade depends on its equipment's category.
    for (const auto& incident :
         keys_of(db, "SELECT incident_no FROM incidents WHERE equipment_code = ?", key)) {
      refresh_record(db, records, "incident", incident);
    }
  }
}

// Lets `db` insert into event_index: schema/0005 has a trigger calling this function, so that a
// qledger too old to write report_dates itself fails to append instead of leaving records out of
// the report index. Idempotent.
void allow_event_index_writes(SQLite::Database& db) {
  const int rc = sqlite3_create_function_v2(
      db.getHandle(), "qledger_writes_report_dates", 0,
      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
      [](sqlite3_context* context, int, sqlite3_value**) { sqlite3_result_null(context); }, nullptr,
      nullptr, nullptr);
  if (rc != SQLITE_OK) throw SQLite::Exception(db.getHandle(), rc);
}

// Replaces the complainant's personal data in the payload by a salted commitment and stores it
// apart (table personal_data).
void move_personal_data(StatementCache& db, Leaf& leaf) {
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
  const auto use = db.use("INSERT OR REPLACE INTO personal_data VALUES (?, ?, ?, ?, ?, ?)");
  SQLite::Statement& ins = *use;
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
      prefix == "complaint" || prefix == "calendar" || prefix == "account") {
    return prefix;
  }
  return "";  // correction / void: the record of the target
}

namespace {

// The calendar is read on every append; parsing it each time would dominate bulk imports. Cache
// it per thread, keyed by the file and the (year, seq) of every loaded year, so a newly loaded
// year (or a rolled-back one) is always seen.
std::shared_ptr<const WorkingDayCalendar> cached_calendar(StatementCache& statements) {
  thread_local std::string cached_key;
  thread_local std::shared_ptr<const WorkingDayCalendar> cached;
  SQLite::Database& db = statements.db();
  std::string key = db.getFilename() + "|";
  {
    const auto years = statements.use(
        "SELECT COALESCE(group_concat(year || ':' || seq), '') FROM "
        "(SELECT year, seq FROM calendar_years ORDER BY year)");
    if (years->executeStep()) key += years->getColumn(0).getString();
  }
  if (cached && key == cached_key) return cached;
  auto calendar = std::make_shared<WorkingDayCalendar>(WorkingDayCalendar::built_in());
  SQLite::Statement q(db, "SELECT csv FROM calendar_years ORDER BY year");
  while (q.executeStep()) calendar->load_year(q.getColumn(0).getString());
  cached = std::move(calendar);
  cached_key = std::move(key);
  return cached;
}

}  // namespace

WorkingDayCalendar ledger_calendar(SQLite::Database& db) {
  StatementCache statements(db);
  return *cached_calendar(statements);
}

LedgerRecords::LedgerRecords(SQLite::Database& db)
    : own_statements_(std::make_unique<StatementCache>(db)),
      statements_(*own_statements_),
      calendar_(cached_calendar(statements_)) {}

LedgerRecords::LedgerRecords(StatementCache& statements)
    : statements_(statements), calendar_(cached_calendar(statements_)) {}

LedgerRecords::~LedgerRecords() = default;

std::vector<RecordEvent> LedgerRecords::record_events(const std::string& type,
                                                      const std::string& key) const {
  return record_events_before(type, key, std::numeric_limits<std::uint64_t>::max());
}

std::vector<RecordEvent> LedgerRecords::record_events_before(const std::string& type,
                                                             const std::string& key,
                                                             std::uint64_t before) const {
  const auto use = statements_.use(
      "SELECT e.seq, e.leaf FROM event_index i JOIN events e ON e.seq = i.seq "
      "WHERE i.record_type = ? AND i.record_key = ? AND i.seq < ? ORDER BY i.seq");
  SQLite::Statement& q = *use;
  q.bind(1, type);
  q.bind(2, key);
  constexpr auto kMaxSeq = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  q.bind(3, static_cast<std::int64_t>(std::min(before, kMaxSeq)));
  std::vector<RecordEvent> out;
  while (q.executeStep()) out.push_back(record_event_of(q));
  return out;
}

// Entities, licences and equipment are read from their projection rows: each row is exactly the
// fold of the record's effective events (write_entity etc. above), written in the transaction of
// the record's latest event, so it equals folding again here.
std::optional<EntityState> LedgerRecords::entity(const std::string& uscc) const {
  const auto q = statements_.use(
      "SELECT uscc, name, township, industry, address, uscc_as_printed, first_seq, last_seq "
      "FROM entities WHERE uscc = ?");
  q->bind(1, uscc);
  if (!q->executeStep()) return std::nullopt;
  EntityState s;
  s.uscc = q->getColumn(0).getString();
  s.name = q->getColumn(1).getString();
  s.township = q->getColumn(2).getString();
  s.industry = q->getColumn(3).getString();
  s.address = q->getColumn(4).getString();
  s.uscc_as_printed = q->getColumn(5).getInt64() != 0;
  s.first_seq = static_cast<std::uint64_t>(q->getColumn(6).getInt64());
  s.last_seq = static_cast<std::uint64_t>(q->getColumn(7).getInt64());
  return s;
}
std::optional<LicenceState> LedgerRecords::licence(const std::string& licence_no) const {
  const auto q = statements_.use(
      "SELECT licence_no, uscc, valid_from, valid_to, revoked_on, first_seq, last_seq FROM "
      "licences "
      "WHERE licence_no = ?");
  q->bind(1, licence_no);
  if (!q->executeStep()) return std::nullopt;
  LicenceState s;
  s.licence_no = q->getColumn(0).getString();
  s.uscc = q->getColumn(1).getString();
  s.valid_from = stored_date(q->getColumn(2));
  s.valid_to = stored_date(q->getColumn(3));
  if (!q->getColumn(4).isNull()) s.revoked_on = stored_date(q->getColumn(4));
  s.first_seq = static_cast<std::uint64_t>(q->getColumn(5).getInt64());
  s.last_seq = static_cast<std::uint64_t>(q->getColumn(6).getInt64());
  return s;
}
std::optional<EquipmentState> LedgerRecords::equipment(const std::string& code) const {
  const auto q = statements_.use(
      "SELECT equipment_code, registration_no, category, user_uscc, township, status, "
      "registered_on, status_since, first_seq, last_seq FROM equipment WHERE equipment_code = ?");
  q->bind(1, code);
  if (!q->executeStep()) return std::nullopt;
  EquipmentState s;
  s.equipment_code = q->getColumn(0).getString();
  s.registration_no = q->getColumn(1).getString();
  s.category = q->getColumn(2).getString();
  s.user_uscc = q->getColumn(3).getString();
  s.township = q->getColumn(4).getString();
  s.status = q->getColumn(5).getString();
  s.registered_on = stored_date(q->getColumn(6));
  s.status_since = stored_date(q->getColumn(7));
  s.first_seq = static_cast<std::uint64_t>(q->getColumn(8).getInt64());
  s.last_seq = static_cast<std::uint64_t>(q->getColumn(9).getInt64());
  return s;
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

// A projection row exists exactly when the fold of the record's effective events has a value
// (refresh_record writes the fold or deletes the row), so the key alone answers these.
bool LedgerRecords::has_entity(const std::string& uscc) const {
  const auto use = statements_.use("SELECT 1 FROM entities WHERE uscc = ?");
  use->bind(1, uscc);
  return use->executeStep();
}
bool LedgerRecords::has_batch(const std::string& sample_no) const {
  const auto use = statements_.use("SELECT 1 FROM batches WHERE sample_no = ?");
  use->bind(1, sample_no);
  return use->executeStep();
}

bool LedgerRecords::holds_personal_data(const std::string& complaint_no) const {
  const auto use = statements_.use("SELECT 1 FROM personal_data WHERE complaint_no = ?");
  use->bind(1, complaint_no);
  return use->executeStep();
}

std::optional<RecordLookup::EventRef> LedgerRecords::event(std::uint64_t seq) const {
  RecordEvent target;
  std::string type;
  std::string key;
  {
    const auto use = statements_.use(
        "SELECT e.seq, e.leaf, i.record_type, i.record_key FROM event_index i "
        "JOIN events e ON e.seq = i.seq WHERE i.seq = ?");
    SQLite::Statement& q = *use;
    q.bind(1, static_cast<std::int64_t>(seq));
    if (!q.executeStep()) return std::nullopt;
    target = record_event_of(q);
    type = q.getColumn(2).getString();
    key = q.getColumn(3).getString();
  }
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

namespace {
FieldProblems validate_with(StatementCache& statements, const std::string& kind,
                            const Json& payload, CivilDate today);
void project_with(StatementCache& db, const Leaf& leaf);
}  // namespace

DomainApplier::DomainApplier(TodayClock today) : today_(std::move(today)) {}

DomainApplier::~DomainApplier() = default;

StatementCache& DomainApplier::statements(SQLite::Database& db) {
  if (!statements_) {
    allow_event_index_writes(db);
    statements_ = std::make_unique<StatementCache>(db);
  } else if (&statements_->db() != &db) {
    throw std::logic_error("a DomainApplier serves the one connection it was first used with");
  }
  return *statements_;
}

void DomainApplier::prepare(SQLite::Database& db, Leaf& leaf) {
  StatementCache& cache = statements(db);
  FieldProblems problems = validate_with(cache, leaf.kind, leaf.payload, today_());
  if (!problems.empty()) throw AppendRejected(std::move(problems));
  move_personal_data(cache, leaf);
}

void DomainApplier::project(SQLite::Database& db, const Leaf& leaf) {
  project_with(statements(db), leaf);
}

namespace {

FieldProblems validate_with(StatementCache& statements, const std::string& kind,
                            const Json& payload, CivilDate today) {
  LedgerRecords records(statements);
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

void project_with(StatementCache& db, const Leaf& leaf) {
  std::string type = record_type_of(leaf.kind);
  std::string key;
  std::optional<std::int64_t> target;
  if (type.empty()) {
    target = leaf.payload.at("target_seq").get<std::int64_t>();
    const auto use = db.use("SELECT record_type, record_key FROM event_index WHERE seq = ?");
    SQLite::Statement& q = *use;
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
  if (auto date = business_date_set_by(leaf.kind, leaf.payload)) {
    run(db,
        "INSERT OR IGNORE INTO report_dates (record_type, business_date, record_key, seq) "
        "VALUES (?, ?, ?, ?)",
        {type, std::move(*date), key, num(leaf.seq)});
  }
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
  refresh_record(db, records, type, key, &leaf);
}

}  // namespace

FieldProblems validate_against_ledger(SQLite::Database& db, const std::string& kind,
                                      const Json& payload, CivilDate today) {
  StatementCache statements(db);
  return validate_with(statements, kind, payload, today);
}

void project_event(SQLite::Database& db, const Leaf& leaf) {
  allow_event_index_writes(db);
  StatementCache statements(db);
  project_with(statements, leaf);
}

const std::vector<std::string>& projection_tables() {
  static const std::vector<std::string> tables = {"event_index", "entities",      "licences",
                                                  "equipment",   "batches",       "incidents",
                                                  "complaints",  "calendar_years"};
  return tables;
}

std::uint64_t rebuild_projections(SQLite::Database& db) {
  allow_event_index_writes(db);
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  for (const auto& table : projection_tables()) db.exec("DELETE FROM " + table);
  StatementCache statements(db);  // reset before the commit: each use resets its statement
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
    project_with(statements, *leaf);
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
