#include "qledger/figures.hpp"

#include "qledger/leaf.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <stdexcept>

namespace qledger {

namespace {

const std::vector<std::string> kBatchDims = {"township", "industry", "plan_level", "category"};
const std::vector<std::string> kEntityDims = {"township", "industry"};
const std::vector<std::string> kComplaintDims = {"township", "industry", "category"};

FigureDefinition pass_rate(const std::string& regime, const std::string& zh, const std::string& en,
                           const std::string& regime_zh) {
  return {regime + "_pass_rate",
          FigureKind::kProportion,
          DecisionBasis::kInterval,
          zh,
          en,
          "抽样日期（北京时间）在期内、抽检类型为“" + regime_zh +
              "”的批次中，最终结论（有复检的以复检结论为准）为合格的批次数 ÷ "
              "已有最终结论的批次数。等待复检（复检申请期内、申请待决定、复检待出结论）的批次"
              "计为待定，不计入分子分母；被作废的事件不计，被更正的事件按更正后的值计。",
          "Batches of regime `" + regime +
              "` sampled in the period (Asia/Shanghai sampling date) whose final conclusion "
              "(the re-test result if any, else the first result) is pass ÷ batches with a "
              "final conclusion. Batches awaiting a re-test (window open, application "
              "undecided, accepted re-test without result) on the evaluation date are pending "
              "and counted in neither. Voided events do not count; corrected events count with "
              "their corrected values.",
          kBatchDims};
}

FigureDefinition grade_count(IncidentGrade grade) {
  const std::string code(to_code(grade));
  return {"incidents_" + code,
          FigureKind::kCount,
          DecisionBasis::kExact,
          "事故分级：" + std::string(to_string_zh(grade)),
          "Incidents graded: " + std::string(to_string_en(grade)),
          "发生时间（北京时间）在期内的特种设备事故中，按《特种设备安全监察条例》第61–64条由"
          "所记事实推定为“" +
              std::string(to_string_zh(grade)) +
              "”的起数；分母为期内特种设备事故总起数（不含仅为相关事故者）。",
          "Special-equipment accidents that occurred in the period (Asia/Shanghai date) whose "
          "grade, derived from the recorded facts by 特种设备安全监察条例 Arts. 61–64, is " +
              std::string(to_string_en(grade)) +
              "; the denominator is all special-equipment accidents of the period (related "
              "accidents excluded).",
          {"township"}};
}

std::vector<FigureDefinition> make_definitions() {
  std::vector<FigureDefinition> d;
  d.push_back(pass_rate("product", "工业产品质量监督抽查合格率", "Product spot-check pass rate",
                        "产品质量监督抽查"));
  d.push_back(
      pass_rate("food", "食品监督抽检合格率", "Food sampling pass rate", "食品安全监督抽检"));
  d.push_back(pass_rate("agri", "主要农产品质量安全抽检合格率", "Agricultural product pass rate",
                        "食用农产品质量安全抽检"));
  d.push_back(
      {"food_licence_coverage", FigureKind::kProportion, DecisionBasis::kExact,
       "获证食品生产企业监督抽查覆盖率", "Licensed food producer coverage",
       "期内任一时间持有有效食品生产许可证（SC，未注销且有效期与期间重叠）的市场主体中，期内"
       "被抽样至少一个“食品安全监督抽检”批次（不论结论）的主体数 ÷ 持证主体数。全部持证主体"
       "均为统计对象（普查），直接以比率与目标比较。",
       "Entities holding a valid SC food production licence at any time in the period (not "
       "revoked, validity overlapping the period) with at least one `food` batch sampled in the "
       "period (any conclusion) ÷ entities holding one. A census of all holders: the rate itself "
       "is compared with the target.",
       kEntityDims});
  d.push_back(
      {"equipment_death_rate", FigureKind::kPer10k, DecisionBasis::kExact, "万台特种设备事故死亡率",
       "Special-equipment deaths per 10,000 units",
       "发生时间（北京时间）在期内的特种设备事故（不含仅为相关事故者）死亡人数（含补报修正）"
       "÷ 期末在用特种设备台数 × 10000。台数为期末日已登记且状态为在用的设备，不含气瓶和压力"
       "管道（以只、公里计）。区间为把死亡人数视作台数比例的Wilson区间，仅供参考；与全省平均"
       "比较用比率本身。",
       "Deaths (as last revised) in special-equipment accidents (related accidents excluded) "
       "that occurred in the period (Asia/Shanghai date) ÷ units registered and in use on the "
       "period's last day × 10,000; gas cylinders and pressure piping (counted in pieces and km) "
       "are excluded. The interval is the Wilson interval of deaths ÷ units, scaled, for "
       "information; the rate itself is compared with the provincial average.",
       kEntityDims});
  for (auto g : {IncidentGrade::kExtraordinary, IncidentGrade::kSerious, IncidentGrade::kMajor,
                 IncidentGrade::kGeneral, IncidentGrade::kNone}) {
    d.push_back(grade_count(g));
  }
  d.push_back({"complaint_acceptance_on_time_rate", FigureKind::kProportion, DecisionBasis::kExact,
               "投诉按时受理率", "Complaint on-time acceptance rate",
               "收到日期在期内的投诉中，在收到之日起7个工作日内作出受理或不予受理决定的件数 ÷ "
               "已作出决定的件数。尚未决定的、或期限因日历缺少年度无法计算的计为待定。",
               "Complaints received in the period decided (accepted or not accepted) within 7 "
               "working days of receipt ÷ complaints decided. Undecided complaints, and those "
               "whose deadline cannot be computed (calendar lacks the year), are pending.",
               kComplaintDims});
  d.push_back({"complaint_closure_rate", FigureKind::kProportion, DecisionBasis::kExact,
               "投诉办结率", "Complaint closure rate",
               "收到日期在期内的投诉中，已办结件数 ÷ 已受理件数。尚未作出受理决定的计为待定。",
               "Complaints received in the period that are closed ÷ those accepted. Complaints "
               "still awaiting the acceptance decision are pending.",
               kComplaintDims});
  d.push_back({"complaint_closure_on_time_rate", FigureKind::kProportion, DecisionBasis::kExact,
               "投诉按期办结率", "Complaint on-time closure rate",
               "收到日期在期内的已办结投诉中，在受理之日起45个工作日（调解期限）内办结的件数 ÷ "
               "已办结件数。期限无法计算的计为待定。",
               "Closed complaints received in the period that were closed within 45 working "
               "days of acceptance (the mediation limit; our choice of limit) ÷ closed "
               "complaints. Those whose limit cannot be computed are pending.",
               kComplaintDims});
  d.push_back({"mediation_success_rate", FigureKind::kProportion, DecisionBasis::kExact,
               "调解成功率", "Mediation success rate",
               "收到日期在期内的投诉中，调解成功件数 ÷ 调解已结束（成功或终止）件数。已受理、"
               "未结束调解且未办结的计为待定。",
               "Complaints received in the period whose mediation succeeded ÷ those whose "
               "mediation ended (succeeded or terminated). Accepted complaints with mediation "
               "not ended and not closed are pending.",
               kComplaintDims});
  d.push_back({"recovered_losses", FigureKind::kAmount, DecisionBasis::kExact, "挽回经济损失",
               "Recovered losses",
               "收到日期在期内、已办结的投诉所记挽回经济损失之和（元）；分母为已办结件数。",
               "Sum of the economic loss recovered (yuan) recorded on closing the complaints "
               "received in the period; the denominator is the number closed.",
               kComplaintDims});
  return d;
}

// One unit's contribution to a figure.
struct Contribution {
  std::uint64_t seq = 0;
  bool in_numerator = false, in_denominator = false, pending = false;
  std::int64_t numerator_amount = 1, denominator_amount = 1;
  std::map<std::string, std::string> groups;
};

void add(FigureValue& v, const Contribution& c) {
  if (c.in_numerator) {
    v.numerator += c.numerator_amount;
    v.numerator_seqs.push_back(c.seq);
  }
  if (c.in_denominator) {
    v.denominator += c.denominator_amount;
    v.denominator_seqs.push_back(c.seq);
  }
  if (c.pending) {
    v.pending += 1;
    v.pending_seqs.push_back(c.seq);
  }
}

void finish(FigureValue& v, const FigureDefinition& def, const Target& target) {
  for (auto* seqs : {&v.numerator_seqs, &v.denominator_seqs, &v.pending_seqs}) {
    std::sort(seqs->begin(), seqs->end());
    seqs->erase(std::unique(seqs->begin(), seqs->end()), seqs->end());
  }
  if (v.denominator > 0 && def.kind != FigureKind::kAmount && def.kind != FigureKind::kCount) {
    const double scale = def.kind == FigureKind::kPer10k ? 10000.0 : 1.0;
    v.rate = static_cast<double>(v.numerator) / static_cast<double>(v.denominator) * scale;
    if (auto w = wilson_interval(v.numerator, v.denominator)) {
      v.interval = WilsonInterval{w->lower * scale, w->upper * scale};
    }
  }
  v.status = target_status(v, target, def.basis);
}

// Collects contributions per figure and builds totals and breakdowns.
class Tally {
 public:
  void add_unit(const std::string& figure, const Contribution& c) {
    by_figure_[figure].push_back(c);
  }

  Figure build(const FigureDefinition& def, const ReportConfig& config, bool breakdowns) const {
    Figure f;
    f.id = def.id;
    const Target target = config.target_of(def.id);
    const auto it = by_figure_.find(def.id);
    if (it != by_figure_.end()) {
      for (const auto& c : it->second) {
        add(f.total, c);
        if (!breakdowns) continue;
        for (const auto& dim : def.dimensions) {
          const auto g = c.groups.find(dim);
          add(f.breakdowns[dim][g == c.groups.end() ? "" : g->second], c);
        }
      }
    }
    finish(f.total, def, target);
    for (auto& [dim, groups] : f.breakdowns) {
      for (auto& [group, value] : groups) finish(value, def, target);
    }
    return f;
  }

 private:
  std::map<std::string, std::vector<Contribution>> by_figure_;
};

// The status of the equipment on `day` from its effective events: registered and in use.
bool in_use_on(const std::vector<RecordEvent>& effective, CivilDate day) {
  bool registered = false;
  std::string status;
  CivilDate latest;
  bool have_change = false;
  for (const auto& e : effective) {
    if (e.kind == "equipment.registered") {
      const auto on = CivilDate::parse(e.payload.value("registered_on", ""));
      registered = on && *on <= day;
      status = "in_use";
    } else if (e.kind == "equipment.status_changed") {
      const auto on = CivilDate::parse(e.payload.value("effective_on", ""));
      // The latest change effective on or before `day` (ties: the later event).
      if (on && *on <= day && (!have_change || *on >= latest)) {
        latest = *on;
        have_change = true;
        status = e.payload.value("status", "");
      }
    }
  }
  return registered && status == "in_use";
}

std::optional<std::int64_t> fen_of(const std::string& money) {
  if (money.empty()) return 0;
  std::int64_t whole = 0;
  std::size_t i = 0;
  for (; i < money.size() && money[i] != '.'; ++i) {
    if (money[i] < '0' || money[i] > '9' || whole > 100000000000000) return std::nullopt;
    whole = whole * 10 + (money[i] - '0');
  }
  std::int64_t cents = 0;
  int digits = 0;
  if (i < money.size()) {
    for (++i; i < money.size(); ++i, ++digits) {
      if (money[i] < '0' || money[i] > '9' || digits >= 2) return std::nullopt;
      cents = cents * 10 + (money[i] - '0');
    }
    if (digits == 0) return std::nullopt;
  }
  if (digits == 1) cents *= 10;
  return whole * 100 + cents;
}

}  // namespace

const std::vector<FigureDefinition>& figure_definitions() {
  static const std::vector<FigureDefinition> all = make_definitions();
  return all;
}

const FigureDefinition* find_figure_definition(const std::string& id) {
  for (const auto& d : figure_definitions()) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::string yuan_text(std::int64_t fen) {
  const bool negative = fen < 0;
  const std::uint64_t abs =
      negative ? static_cast<std::uint64_t>(-(fen + 1)) + 1 : static_cast<std::uint64_t>(fen);
  std::string out = std::to_string(abs / 100);
  const std::uint64_t cents = abs % 100;
  if (cents != 0) {
    out += '.';
    out += static_cast<char>('0' + cents / 10);
    if (cents % 10 != 0) out += static_cast<char>('0' + cents % 10);
  }
  return negative ? "-" + out : out;
}

std::string target_status(const FigureValue& value, const Target& target, DecisionBasis basis) {
  if (value.denominator == 0) return "no_data";
  if (target.kind == TargetKind::kNone || !value.rate) return "report_only";
  const bool at_least = target.kind == TargetKind::kAtLeast;
  const double t = target.value;
  if (basis == DecisionBasis::kExact || !value.interval) {
    if (at_least) return *value.rate >= t ? "met" : "below_target";
    return *value.rate < t ? "met" : "above_target";
  }
  const WilsonInterval& w = *value.interval;
  if (at_least) {
    if (w.lower >= t) return "met";
    if (w.upper < t) return "below_target";
  } else {
    if (w.upper < t) return "met";
    if (w.lower >= t) return "above_target";
  }
  return "not_yet_decidable";
}

FigureSet compute_figures(const PeriodEvidence& evidence, const Period& period,
                          const ReportConfig& config, bool with_breakdowns) {
  const CivilDate first = period.first_day();
  const CivilDate last = period.last_day();
  FigureSet out;
  Tally tally;

  std::map<std::string, EntityState> entities;
  for (const auto& h : evidence.entities) {
    if (auto s = fold_entity(effective_events(h.events))) entities[s->uscc] = *s;
  }
  auto entity_groups = [&](const std::string& uscc) {
    std::map<std::string, std::string> g;
    const auto it = entities.find(uscc);
    g["township"] = it == entities.end() ? "" : it->second.township;
    g["industry"] = it == entities.end() ? "" : it->second.industry;
    return g;
  };

  // Sampled batches: pass rates, and which entities had a food batch sampled.
  std::set<std::string> food_sampled;
  for (const auto& h : evidence.batches) {
    const auto s = fold_batch(effective_events(h.events), evidence.calendar);
    if (!s || !period.contains(s->sampling_date)) continue;
    out.period_records.insert({"batch", s->sample_no});
    out.units[s->first_seq] = {"batch", s->sample_no};
    if (s->regime == "food") food_sampled.insert(s->uscc);
    const std::string conclusion = s->conclusion_as_of(evidence.as_of);
    Contribution c;
    c.seq = s->first_seq;
    c.pending = conclusion == "pending";
    c.in_denominator = !c.pending;
    c.in_numerator = conclusion == "pass";
    c.groups = entity_groups(s->uscc);
    c.groups["plan_level"] = s->plan_level;
    c.groups["category"] = s->category;
    tally.add_unit(s->regime + "_pass_rate", c);
  }

  // Licensed food producers: coverage.
  std::map<std::string, std::uint64_t> holders;  // uscc → smallest licence seq
  for (const auto& h : evidence.licences) {
    const auto s = fold_licence(effective_events(h.events));
    if (!s || !s->held_during(first, last)) continue;
    auto [it, inserted] = holders.emplace(s->uscc, s->first_seq);
    if (!inserted) it->second = std::min(it->second, s->first_seq);
    out.units[s->first_seq] = {"licence", s->licence_no};
  }
  for (const auto& [uscc, seq] : holders) {
    Contribution c;
    c.seq = seq;
    c.in_denominator = true;
    c.in_numerator = food_sampled.count(uscc) != 0;
    c.groups = entity_groups(uscc);
    tally.add_unit("food_licence_coverage", c);
  }

  // Equipment in use at the period's end: the death rate's denominator.
  std::map<std::string, EquipmentState> equipment;
  for (const auto& h : evidence.equipment) {
    const auto effective = effective_events(h.events);
    const auto s = fold_equipment(effective);
    if (!s) continue;
    equipment[s->equipment_code] = *s;
    if (s->category == "gas_cylinder" || s->category == "pressure_piping") continue;
    if (!in_use_on(effective, last)) continue;
    out.units[s->first_seq] = {"equipment", s->equipment_code};
    Contribution c;
    c.seq = s->first_seq;
    c.in_denominator = true;
    c.groups = entity_groups(s->user_uscc);
    c.groups["township"] = s->township;
    tally.add_unit("equipment_death_rate", c);
  }

  // Incidents: deaths and grades.
  for (const auto& h : evidence.incidents) {
    const auto s = fold_incident(effective_events(h.events));
    if (!s || !period.contains(s->occurred_on)) continue;
    out.period_records.insert({"incident", s->incident_no});
    if (!s->special_equipment_accident) continue;
    out.units[s->first_seq] = {"incident", s->incident_no};
    const auto eq = equipment.find(s->equipment_code);
    const std::string category = eq == equipment.end() ? "" : eq->second.category;
    Contribution deaths;
    deaths.seq = s->first_seq;
    deaths.in_numerator = true;
    deaths.numerator_amount = s->deaths;
    if (eq != equipment.end()) {
      deaths.groups = entity_groups(eq->second.user_uscc);
      deaths.groups["township"] = eq->second.township;
    }
    tally.add_unit("equipment_death_rate", deaths);
    const IncidentGrade grade = grade_of(*s, category).grade;
    for (const IncidentGrade g : kIncidentGrades) {
      Contribution c;
      c.seq = s->first_seq;
      c.in_denominator = true;
      c.in_numerator = g == grade;
      c.groups["township"] = deaths.groups["township"];
      tally.add_unit("incidents_" + std::string(to_code(g)), c);
    }
  }

  // Complaints, by receipt date.
  for (const auto& h : evidence.complaints) {
    const auto s = fold_complaint(effective_events(h.events), evidence.calendar);
    if (!s || !period.contains(s->received_on)) continue;
    out.period_records.insert({"complaint", s->complaint_no});
    out.units[s->first_seq] = {"complaint", s->complaint_no};
    Contribution base;
    base.seq = s->first_seq;
    base.groups = entity_groups(s->respondent_uscc);
    base.groups["category"] = s->category;
    const bool decided = s->decided_on.has_value();
    const bool closed = s->closed_on.has_value();

    Contribution acceptance = base;
    if (decided && s->accept_due) {
      acceptance.in_denominator = true;
      acceptance.in_numerator = *s->decided_on <= *s->accept_due;
    } else {
      acceptance.pending = true;
    }
    tally.add_unit("complaint_acceptance_on_time_rate", acceptance);

    Contribution closure = base;
    closure.pending = !decided;
    closure.in_denominator = s->accepted;
    closure.in_numerator = s->accepted && closed;
    tally.add_unit("complaint_closure_rate", closure);

    if (closed) {
      Contribution on_time = base;
      if (s->mediation_due) {
        on_time.in_denominator = true;
        on_time.in_numerator = *s->closed_on <= *s->mediation_due;
      } else {
        on_time.pending = true;
      }
      tally.add_unit("complaint_closure_on_time_rate", on_time);

      Contribution recovered = base;
      recovered.in_denominator = true;
      recovered.in_numerator = true;
      recovered.numerator_amount = fen_of(s->recovered_yuan).value_or(0);
      tally.add_unit("recovered_losses", recovered);
    }

    Contribution mediation = base;
    if (!s->mediation_outcome.empty()) {
      mediation.in_denominator = true;
      mediation.in_numerator = s->mediation_outcome == "succeeded";
    } else {
      mediation.pending = s->accepted && !closed;
    }
    if (mediation.in_denominator || mediation.pending) {
      tally.add_unit("mediation_success_rate", mediation);
    }
  }

  for (const auto& def : figure_definitions()) {
    out.figures.push_back(tally.build(def, config, with_breakdowns));
  }
  return out;
}

// ---- Reading the evidence from a ledger file ----------------------------------------------

namespace {

class EvidenceReader {
 public:
  EvidenceReader(SQLite::Database& db, std::uint64_t size)
      : db_(db),
        size_(static_cast<std::int64_t>(size)),
        events_(db,
                "SELECT e.seq, e.leaf FROM event_index i JOIN events e ON e.seq = i.seq "
                "WHERE i.record_type = ? AND i.record_key = ? AND i.seq <= ? ORDER BY i.seq") {}

  RecordHistory history(const std::string& type, const std::string& key) {
    events_.reset();
    events_.bind(1, type);
    events_.bind(2, key);
    events_.bind(3, size_);
    RecordHistory h;
    h.key = key;
    while (events_.executeStep()) {
      const SQLite::Column leaf_col = events_.getColumn(1);
      const std::string_view bytes(static_cast<const char*>(leaf_col.getBlob()),
                                   static_cast<std::size_t>(leaf_col.getBytes()));
      LeafError error;
      auto leaf = decode_leaf(bytes, error);
      if (!leaf) {
        throw std::runtime_error("event " + std::to_string(events_.getColumn(0).getInt64()) +
                                 " has a malformed leaf: " + error.message);
      }
      h.events.push_back({leaf->seq, leaf->kind, std::move(leaf->payload), leaf->recorded_at});
    }
    return h;
  }

  std::vector<std::string> keys(const std::string& sql, const std::vector<std::string>& params) {
    SQLite::Statement q(db_, sql);
    int i = 1;
    for (const auto& p : params) q.bind(i++, p);
    q.bind(i, size_);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  }

  std::vector<std::string> all_keys(const std::string& type) {
    return keys(
        "SELECT DISTINCT record_key FROM event_index WHERE record_type = ? AND seq <= ? "
        "ORDER BY record_key",
        {type});
  }

 private:
  SQLite::Database& db_;
  std::int64_t size_;
  SQLite::Statement events_;
};

void collect_uscc(const Json& p, std::set<std::string>& out) {
  for (const char* field : {"uscc", "user_uscc", "new_user_uscc", "respondent_uscc"}) {
    if (p.contains(field) && p[field].is_string()) out.insert(p[field].get<std::string>());
  }
  if (p.contains("values") && p["values"].is_object()) collect_uscc(p["values"], out);
}

}  // namespace

PeriodEvidence load_period_evidence(SQLite::Database& db, const Period& period,
                                    std::uint64_t tree_size) {
  const auto max_seq = static_cast<std::uint64_t>(
      db.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM events").getInt64());
  if (tree_size > max_seq) {
    throw std::out_of_range("tree size " + std::to_string(tree_size) + " is beyond the ledger's " +
                            std::to_string(max_seq) + " events");
  }
  PeriodEvidence ev;
  ev.tree_size = tree_size;
  if (tree_size > 0) {
    SQLite::Statement q(db, "SELECT recorded_at FROM events WHERE seq = ?");
    q.bind(1, static_cast<std::int64_t>(tree_size));
    if (q.executeStep()) {
      ev.as_of = shanghai_date_of_instant(q.getColumn(0).getString()).value_or(CivilDate());
    }
  }
  EvidenceReader reader(db, tree_size);

  // The working-day calendar as it stood at tree_size (same order as ledger_calendar).
  ev.calendar = WorkingDayCalendar::built_in();
  std::map<std::int64_t, std::string> calendar_years;
  for (const auto& key : reader.all_keys("calendar")) {
    const auto effective = effective_events(reader.history("calendar", key).events);
    if (effective.empty()) continue;
    const Json& p = effective.back().payload;
    calendar_years[p.value("year", std::int64_t{0})] = p.value("csv", "");
  }
  for (const auto& [year, csv] : calendar_years) ev.calendar.load_year(csv);

  const bool indexed =
      db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'report_dates'").getInt() == 1;
  auto candidates = [&](const std::string& type, CivilDate from, CivilDate to) {
    if (!indexed) return reader.all_keys(type);
    return reader.keys(
        "SELECT DISTINCT record_key FROM report_dates WHERE record_type = ? AND "
        "business_date BETWEEN ? AND ? AND seq <= ? ORDER BY record_key",
        {type, from.to_string(), to.to_string()});
  };
  const CivilDate first = period.first_day();
  const CivilDate last = period.last_day();
  std::set<std::string> uscc;
  auto load = [&](const std::string& type, const std::vector<std::string>& keys,
                  std::vector<RecordHistory>& into) {
    for (const auto& key : keys) {
      into.push_back(reader.history(type, key));
      for (const auto& e : into.back().events) collect_uscc(e.payload, uscc);
    }
  };
  load("batch", candidates("batch", first, last), ev.batches);
  load("complaint", candidates("complaint", first, last), ev.complaints);
  // report_dates holds an incident's written local date, at most a day from its Shanghai date.
  load("incident", candidates("incident", first.plus_days(-1), last.plus_days(1)), ev.incidents);
  load("equipment", reader.all_keys("equipment"), ev.equipment);
  load("licence", reader.all_keys("licence"), ev.licences);
  for (const auto& code : uscc) {
    auto h = reader.history("entity", code);
    if (!h.events.empty()) ev.entities.push_back(std::move(h));
  }
  return ev;
}

}  // namespace qledger
