// The figures against an independent, deliberately plain implementation written here: it reads
// every event with seq ≤ N straight from the events table (no report index, no event_index),
// applies corrections and voids itself, and counts by the definitions of docs/figures.md. Only
// the record folds (record_state.hpp, tested in the domain suite) and the incident grading are
// shared. Run over a generated history (demo_history.hpp) at several periods and tree sizes.
#include <doctest/doctest.h>

#include <SQLiteCpp/Statement.h>

#include "qledger/demo_history.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/figures.hpp"
#include "qledger/leaf.hpp"
#include "qledger/ledger_setup.hpp"
#include "test_support.hpp"

#include <cmath>
#include <map>
#include <set>

using namespace qledger;
using qledger::test::TempDir;

namespace {

struct Expected {
  std::int64_t numerator = 0, denominator = 0, pending = 0;
  std::set<std::uint64_t> num, den, pend;
  void count(std::uint64_t seq, bool in_num, bool in_den, bool pending_unit,
             std::int64_t amount = 1) {
    if (in_num) numerator += amount, num.insert(seq);
    if (in_den) denominator += 1, den.insert(seq);
    if (pending_unit) pending += 1, pend.insert(seq);
  }
};

using RecordKey = std::pair<std::string, std::string>;

std::string type_of(const std::string& kind) {
  const std::string p = kind.substr(0, kind.find('.'));
  if (p == "inspection" || p == "retest" || p == "objection") return "batch";
  return p;
}

std::string key_of(const std::string& type, const Json& p) {
  if (type == "batch") return p["sample_no"].get<std::string>();
  if (type == "entity") return p["uscc"].get<std::string>();
  if (type == "licence") return p["licence_no"].get<std::string>();
  if (type == "equipment") return p["equipment_code"].get<std::string>();
  if (type == "incident") return p["incident_no"].get<std::string>();
  if (type == "complaint") return p["complaint_no"].get<std::string>();
  return p["year"].dump();
}

// Voids drop their target; corrections overlay their values in seq order (null removes).
std::vector<RecordEvent> plain_effective(const std::vector<RecordEvent>& events) {
  std::set<std::uint64_t> voided;
  for (const auto& e : events) {
    if (e.kind == "void") voided.insert(e.payload["target_seq"].get<std::uint64_t>());
  }
  std::vector<RecordEvent> out;
  for (const auto& e : events) {
    if (e.kind == "void" || e.kind == "correction" || voided.count(e.seq)) continue;
    RecordEvent x = e;
    for (const auto& c : events) {
      if (c.kind != "correction" || voided.count(c.seq) ||
          c.payload["target_seq"].get<std::uint64_t>() != e.seq) {
        continue;
      }
      for (const auto& [k, v] : c.payload["values"].items()) {
        if (v.is_null()) {
          x.payload.erase(k);
        } else {
          x.payload[k] = v;
        }
      }
    }
    out.push_back(std::move(x));
  }
  return out;
}

struct PlainLedger {
  std::map<RecordKey, std::vector<RecordEvent>> records;
  CivilDate as_of;
  WorkingDayCalendar calendar = WorkingDayCalendar::built_in();
};

PlainLedger read_plain(SQLite::Database& db, std::uint64_t size) {
  PlainLedger out;
  std::map<std::uint64_t, RecordKey> record_of;
  SQLite::Statement q(db, "SELECT leaf FROM events WHERE seq <= ? ORDER BY seq");
  q.bind(1, static_cast<std::int64_t>(size));
  while (q.executeStep()) {
    const auto col = q.getColumn(0);
    LeafError error;
    auto leaf = decode_leaf(
        std::string_view(static_cast<const char*>(col.getBlob()), col.getBytes()), error);
    REQUIRE(leaf);
    RecordKey rk;
    if (leaf->kind == "correction" || leaf->kind == "void") {
      rk = record_of.at(leaf->payload["target_seq"].get<std::uint64_t>());
    } else {
      const std::string type = type_of(leaf->kind);
      rk = {type, key_of(type, leaf->payload)};
    }
    record_of[leaf->seq] = rk;
    out.records[rk].push_back({leaf->seq, leaf->kind, leaf->payload, leaf->recorded_at});
    if (leaf->seq == size) out.as_of = *shanghai_date_of_instant(leaf->recorded_at);
  }
  std::map<std::int64_t, std::string> years;
  for (const auto& [rk, events] : out.records) {
    if (rk.first != "calendar") continue;
    const auto eff = plain_effective(events);
    if (!eff.empty())
      years[eff.back().payload["year"].get<std::int64_t>()] =
          eff.back().payload["csv"].get<std::string>();
  }
  for (const auto& [y, csv] : years) out.calendar.load_year(csv);
  return out;
}

// Registered on or before `day` and, by the last status change effective on or before it
// (equal dates: the later event), in use.
bool plain_in_use(const std::vector<RecordEvent>& eff, CivilDate day) {
  std::optional<CivilDate> registered;
  std::vector<std::pair<CivilDate, std::string>> changes;  // seq order
  for (const auto& e : eff) {
    if (e.kind == "equipment.registered") {
      registered = CivilDate::parse(e.payload["registered_on"].get<std::string>());
    }
    if (e.kind == "equipment.status_changed") {
      changes.push_back({*CivilDate::parse(e.payload["effective_on"].get<std::string>()),
                         e.payload["status"].get<std::string>()});
    }
  }
  if (!registered || *registered > day) return false;
  std::string status = "in_use";
  std::optional<CivilDate> best;
  for (const auto& [on, st] : changes) {
    if (on <= day && (!best || on >= *best)) best = on, status = st;
  }
  return status == "in_use";
}

std::int64_t plain_fen(const std::string& yuan) {
  if (yuan.empty()) return 0;
  const auto dot = yuan.find('.');
  std::int64_t fen = std::stoll(yuan.substr(0, dot)) * 100;
  if (dot != std::string::npos) {
    std::string cents = yuan.substr(dot + 1);
    if (cents.size() == 1) cents += "0";
    fen += std::stoll(cents);
  }
  return fen;
}

// `township_of` gets, for every unit counted, the township its breakdown group should be: the
// entity's for batches, licences and complaints, the unit's own for equipment and incidents.
std::map<std::string, Expected> plain_figures(const PlainLedger& L, const Period& period,
                                              std::map<std::uint64_t, std::string>& township_of) {
  std::map<std::string, Expected> x;
  std::map<std::string, EquipmentState> equipment;
  std::set<std::string> food_sampled;
  std::map<std::string, std::string> entity_township;
  for (const auto& [rk, events] : L.records) {
    if (rk.first != "entity") continue;
    if (const auto e = fold_entity(plain_effective(events))) entity_township[e->uscc] = e->township;
  }
  auto township = [&](const std::string& uscc) {
    const auto it = entity_township.find(uscc);
    return it == entity_township.end() ? std::string() : it->second;
  };
  for (const auto& [rk, events] : L.records) {
    const auto eff = plain_effective(events);
    if (rk.first == "batch") {
      const auto b = fold_batch(eff, L.calendar);
      if (!b || b->sampling_date < period.first_day() || b->sampling_date > period.last_day())
        continue;
      township_of[b->first_seq] = township(b->uscc);
      if (b->regime == "food") food_sampled.insert(b->uscc);
      const std::string c = b->conclusion_as_of(L.as_of);
      x[b->regime + "_pass_rate"].count(b->first_seq, c == "pass", c != "pending", c == "pending");
    } else if (rk.first == "equipment") {
      const auto s = fold_equipment(eff);
      if (!s) continue;
      equipment[s->equipment_code] = *s;
      if (s->category != "gas_cylinder" && s->category != "pressure_piping" &&
          plain_in_use(eff, period.last_day())) {
        township_of[s->first_seq] = s->township;
        x["equipment_death_rate"].count(s->first_seq, false, true, false);
      }
    }
  }
  std::map<std::string, std::uint64_t> holders;
  for (const auto& [rk, events] : L.records) {
    const auto eff = plain_effective(events);
    if (rk.first == "licence") {
      const auto l = fold_licence(eff);
      if (!l) continue;
      const CivilDate end = l->revoked_on && *l->revoked_on < l->valid_to
                                ? l->revoked_on->plus_days(-1)
                                : l->valid_to;
      if (l->valid_from <= period.last_day() && end >= period.first_day() && l->valid_from <= end) {
        if (!holders.count(l->uscc) || holders[l->uscc] > l->first_seq) {
          holders[l->uscc] = l->first_seq;
        }
      }
    } else if (rk.first == "incident") {
      const auto i = fold_incident(eff);
      if (!i || !period.contains(i->occurred_on) || !i->special_equipment_accident) continue;
      x["equipment_death_rate"].count(i->first_seq, true, false, false, i->deaths);
      const auto eq = equipment.find(i->equipment_code);
      township_of[i->first_seq] = eq == equipment.end() ? "" : eq->second.township;
      const auto grade = grade_of(*i, eq == equipment.end() ? "" : eq->second.category).grade;
      for (auto g : kIncidentGrades) {
        x["incidents_" + std::string(to_code(g))].count(i->first_seq, g == grade, true, false);
      }
    } else if (rk.first == "complaint") {
      const auto c = fold_complaint(eff, L.calendar);
      if (!c || !period.contains(c->received_on)) continue;
      const auto seq = c->first_seq;
      township_of[seq] = township(c->respondent_uscc);
      if (c->decided_on && c->accept_due) {
        x["complaint_acceptance_on_time_rate"].count(seq, *c->decided_on <= *c->accept_due, true,
                                                     false);
      } else {
        x["complaint_acceptance_on_time_rate"].count(seq, false, false, true);
      }
      x["complaint_closure_rate"].count(seq, c->accepted && c->closed_on, c->accepted,
                                        !c->decided_on);
      if (c->closed_on) {
        if (c->mediation_due) {
          x["complaint_closure_on_time_rate"].count(seq, *c->closed_on <= *c->mediation_due, true,
                                                    false);
        } else {
          x["complaint_closure_on_time_rate"].count(seq, false, false, true);
        }
        x["recovered_losses"].count(seq, true, true, false, plain_fen(c->recovered_yuan));
      }
      if (c->mediation_outcome == "succeeded" || c->mediation_outcome == "terminated") {
        x["mediation_success_rate"].count(seq, c->mediation_outcome == "succeeded", true, false);
      } else if (c->accepted && !c->closed_on) {
        x["mediation_success_rate"].count(seq, false, false, true);
      }
    }
  }
  for (const auto& [uscc, seq] : holders) {
    township_of[seq] = township(uscc);
    x["food_licence_coverage"].count(seq, food_sampled.count(uscc) != 0, true, false);
  }
  return x;
}

// The Wilson bounds in their quadratic-root form: (2k + z² ± z√(z² + 4k(n−k)/n)) / 2(n + z²).
std::pair<double, double> plain_wilson(std::int64_t k, std::int64_t n) {
  const double z = 1.959963984540054, kk = static_cast<double>(k), nn = static_cast<double>(n);
  const double root = z * std::sqrt(z * z + 4.0 * kk * (nn - kk) / nn);
  return {(2 * kk + z * z - root) / (2 * (nn + z * z)),
          (2 * kk + z * z + root) / (2 * (nn + z * z))};
}

std::vector<std::uint64_t> as_vector(const std::set<std::uint64_t>& s) {
  return {s.begin(), s.end()};
}

}  // namespace

TEST_SUITE("reports") {
  TEST_CASE("every figure equals an independent plain computation over a generated history") {
    TempDir dir;
    const std::string db = dir.file("demo.db");
    init_ledger(db, default_key_path(db), "qledger.test/figures");
    DemoOptions options;
    options.seed = 7;
    options.start = CivilDate(2026, 1, 1);
    options.end = CivilDate(2026, 10, 31);
    options.correction_permille = 60;
    options.void_permille = 30;
    {
      auto ledger = open_domain_ledger(db, [] { return CivilDate(2026, 11, 30); });
      DemoHistory history(options);
      const BulkResult result = ledger->append_all([&] { return history.next(); });
      REQUIRE(result.committed);
    }
    auto conn = open_ledger_database(db, true, 10000);
    const auto head =
        static_cast<std::uint64_t>(conn->execAndGet("SELECT MAX(seq) FROM events").getInt64());
    const ReportConfig config = ReportConfig::defaults();
    int compared_units = 0, grouped_units = 0;
    for (const std::uint64_t size : {head, head * 2 / 3, head / 4}) {
      const PlainLedger plain = read_plain(*conn, size);
      for (const char* text : {"2026-03", "2026-Q2", "2026-10", "2026", "2026-11"}) {
        const Period period = *Period::parse(text);
        CAPTURE(text);
        CAPTURE(size);
        const PeriodEvidence evidence = load_period_evidence(*conn, period, size);
        CHECK(evidence.as_of == plain.as_of);
        const FigureSet got = compute_figures(evidence, period, config);
        std::map<std::uint64_t, std::string> township_of;
        const auto want = plain_figures(plain, period, township_of);
        REQUIRE(got.figures.size() == figure_definitions().size());
        for (const Figure& f : got.figures) {
          CAPTURE(f.id);
          const auto it = want.find(f.id);
          const Expected e = it == want.end() ? Expected{} : it->second;
          CHECK(f.total.numerator == e.numerator);
          CHECK(f.total.denominator == e.denominator);
          CHECK(f.total.pending == e.pending);
          CHECK(f.total.numerator_seqs == as_vector(e.num));
          CHECK(f.total.denominator_seqs == as_vector(e.den));
          CHECK(f.total.pending_seqs == as_vector(e.pend));
          compared_units += static_cast<int>(e.den.size() + e.pend.size());
          const FigureDefinition& def = *find_figure_definition(f.id);
          const bool has_rate = e.denominator > 0 && (def.kind == FigureKind::kProportion ||
                                                      def.kind == FigureKind::kPer10k);
          REQUIRE(f.total.rate.has_value() == has_rate);
          if (!has_rate) continue;
          const double scale = def.kind == FigureKind::kPer10k ? 10000.0 : 1.0;
          CHECK(*f.total.rate == doctest::Approx(scale * static_cast<double>(e.numerator) /
                                                 static_cast<double>(e.denominator)));
          if (e.numerator <= e.denominator) {
            const auto [lo, hi] = plain_wilson(e.numerator, e.denominator);
            REQUIRE(f.total.interval);
            CHECK(f.total.interval->lower == doctest::Approx(lo * scale).epsilon(1e-9));
            CHECK(f.total.interval->upper == doctest::Approx(hi * scale).epsilon(1e-9));
          }
          // Every unit sits in the township group the plain implementation puts it in.
          if (const auto by = f.breakdowns.find("township"); by != f.breakdowns.end()) {
            for (const auto& [group, value] : by->second) {
              for (const auto* seqs :
                   {&value.numerator_seqs, &value.denominator_seqs, &value.pending_seqs}) {
                for (const auto seq : *seqs) {
                  CAPTURE(seq);
                  REQUIRE(township_of.count(seq) == 1);
                  CHECK(township_of.at(seq) == group);
                  ++grouped_units;
                }
              }
            }
          }
          // Breakdown groups partition the total.
          for (const auto& [dim, groups] : f.breakdowns) {
            std::int64_t n = 0, d = 0, p = 0;
            for (const auto& [g, v] : groups) n += v.numerator, d += v.denominator, p += v.pending;
            CHECK(n == f.total.numerator);
            CHECK(d == f.total.denominator);
            CHECK(p == f.total.pending);
          }
        }
      }
    }
    // The history is not trivial: the comparison covered thousands of units.
    CHECK(compared_units > 2000);
    CHECK(grouped_units > 2000);
  }

  TEST_CASE("target status: whole interval below, straddling, census figures exact") {
    Target at_least{TargetKind::kAtLeast, 0.95, std::nullopt, ""};
    FigureValue v;
    v.numerator = 28;
    v.denominator = 30;
    v.rate = 28.0 / 30.0;
    v.interval = wilson_interval(28, 30);  // [0.787, 0.982] straddles 0.95
    CHECK(target_status(v, at_least, DecisionBasis::kInterval) == "not_yet_decidable");
    CHECK(target_status(v, at_least, DecisionBasis::kExact) == "below_target");
    v.numerator = 80;
    v.denominator = 100;
    v.rate = 0.8;
    v.interval = wilson_interval(80, 100);  // [0.711, 0.867]: wholly below
    CHECK(target_status(v, at_least, DecisionBasis::kInterval) == "below_target");
    v.numerator = 1000;
    v.denominator = 1000;
    v.rate = 1.0;
    v.interval = wilson_interval(1000, 1000);  // [0.9962, 1]: wholly at or above
    CHECK(target_status(v, at_least, DecisionBasis::kInterval) == "met");
    Target below{TargetKind::kBelow, 0.3, std::nullopt, ""};
    v.rate = 0.25;
    CHECK(target_status(v, below, DecisionBasis::kExact) == "met");
    v.rate = 0.3;
    CHECK(target_status(v, below, DecisionBasis::kExact) == "above_target");
    CHECK(target_status(v, Target{}, DecisionBasis::kExact) == "report_only");
    CHECK(target_status(FigureValue{}, at_least, DecisionBasis::kInterval) == "no_data");
  }

  TEST_CASE("report configuration: defaults and overrides") {
    const ReportConfig d = ReportConfig::defaults();
    CHECK(d.target_of("product_pass_rate").kind == TargetKind::kAtLeast);
    CHECK(d.target_of("product_pass_rate").value == 0.95);
    CHECK(d.target_of("food_pass_rate").kind == TargetKind::kNone);
    CHECK(*d.target_of("food_pass_rate").reference == 0.973);
    CHECK(d.target_of("equipment_death_rate").kind == TargetKind::kBelow);
    const ReportConfig c = parse_report_config(
        R"({"equipment_death_rate": {"below": 0.21, "source": "安徽省2025"},
            "agri_pass_rate": null, "food_pass_rate": {"at_least": 0.97}})");
    CHECK(c.target_of("equipment_death_rate").value == 0.21);
    CHECK(c.target_of("equipment_death_rate").source == "安徽省2025");
    CHECK(c.target_of("agri_pass_rate").kind == TargetKind::kNone);
    CHECK(c.target_of("food_pass_rate").kind == TargetKind::kAtLeast);
    CHECK_THROWS_AS(parse_report_config(R"({"nope": {}})"), std::invalid_argument);
    CHECK_THROWS_AS(parse_report_config(R"({"agri_pass_rate": {"at_least": 2}})"),
                    std::invalid_argument);
    CHECK_THROWS_AS(parse_report_config(R"({"agri_pass_rate": {"at_least": 0.9, "below": 1}})"),
                    std::invalid_argument);
    CHECK_THROWS_AS(parse_report_config("[1"), std::invalid_argument);
  }

  TEST_CASE("yuan text") {
    CHECK(yuan_text(0) == "0");
    CHECK(yuan_text(123456) == "1234.56");
    CHECK(yuan_text(1250) == "12.5");
    CHECK(yuan_text(100) == "1");
  }
}
