#include "qledger/figures.hpp"

#include "qledger/leaf.hpp"
#include "qledger/registry_snapshot.hpp"
#include "record_history_reader.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

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

// The breakdown groups a unit belongs to ("" = not known). The strings are the folded records'
// and the registry's own, which outlive the computation: no copy per unit.
struct Groups {
  static const std::string kNone;
  const std::string* township = &kNone;
  const std::string* industry = &kNone;
  const std::string* plan_level = &kNone;
  const std::string* category = &kNone;

  // The member holding a dimension's group (nullptr: not a dimension).
  static const std::string* Groups::*member(const std::string& dimension) {
    if (dimension == "township") return &Groups::township;
    if (dimension == "industry") return &Groups::industry;
    if (dimension == "plan_level") return &Groups::plan_level;
    if (dimension == "category") return &Groups::category;
    return nullptr;
  }
};
const std::string Groups::kNone;

// One unit's contribution to a figure.
struct Contribution {
  std::uint64_t seq = 0;
  bool in_numerator = false, in_denominator = false, pending = false;
  std::int64_t numerator_amount = 1, denominator_amount = 1;
  Groups groups;
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

// Adds each unit to the value of its group along `dimension`.
void add_by_group(std::map<std::string, FigureValue>& groups, const std::string& dimension,
                  const std::vector<Contribution>& units) {
  const auto member = Groups::member(dimension);
  FigureValue* last = nullptr;  // units come in runs of the same group
  const std::string* last_group = nullptr;
  for (const auto& c : units) {
    const std::string* group = member == nullptr ? &Groups::kNone : c.groups.*member;
    if (last_group == nullptr || (last_group != group && *last_group != *group)) {
      last = &groups[*group];
      last_group = group;
    }
    add(*last, c);
  }
}

// Collects contributions per figure (by position in figure_definitions(): no string built or
// compared per unit) and builds totals and breakdowns.
class Tally {
 public:
  Tally() : by_figure_(figure_definitions().size()) {}

  void add_unit(std::size_t figure, Contribution c) { by_figure_[figure].push_back(std::move(c)); }

  Figure build(std::size_t figure, const ReportConfig& config, bool breakdowns) const {
    const FigureDefinition& def = figure_definitions()[figure];
    const std::vector<Contribution>& units = by_figure_[figure];
    Figure f;
    f.id = def.id;
    const Target target = config.target_of(def.id);
    for (const auto& c : units) add(f.total, c);
    if (breakdowns && !units.empty()) {
      for (const auto& dim : def.dimensions) add_by_group(f.breakdowns[dim], dim, units);
    }
    finish(f.total, def, target);
    for (auto& [dim, groups] : f.breakdowns) {
      for (auto& [group, value] : groups) finish(value, def, target);
    }
    return f;
  }

 private:
  std::vector<std::vector<Contribution>> by_figure_;
};

// The position of figure `id` in figure_definitions().
std::size_t figure_index(std::string_view id) {
  const auto& all = figure_definitions();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].id == id) return i;
  }
  throw std::logic_error("no figure " + std::string(id));
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

// ---- Folding once, counting per period ----------------------------------------------------

struct FoldedEvidence::Records {
  CivilDate as_of;
  std::optional<PeriodEvidence> owned;      // when constructed from an rvalue
  const RegistryState* registry = nullptr;  // the evidence's
  // registry->entities by credit code, hashed: every unit of a breakdown looks its entity up.
  std::unordered_map<std::string_view, const EntityState*> entities;
  std::vector<BatchState> batches;
  std::vector<IncidentState> incidents;
  std::vector<ComplaintState> complaints;

  // Folds every record of `evidence`; moves their events out of it when it is not const.
  template <class Evidence>
  void fold(Evidence& evidence) {
    auto events_of = [](auto& history) {
      if constexpr (std::is_const_v<Evidence>) {
        return history.events;  // a copy
      } else {
        return std::move(history.events);
      }
    };
    as_of = evidence.as_of;
    registry = &evidence.registry;
    entities.reserve(evidence.registry.entities.size());
    for (const auto& [uscc, entity] : evidence.registry.entities) entities.emplace(uscc, &entity);
    batches.reserve(evidence.batches.size());
    incidents.reserve(evidence.incidents.size());
    complaints.reserve(evidence.complaints.size());
    for (auto& h : evidence.batches) {
      if (auto s = fold_batch(effective_events(events_of(h)), evidence.calendar)) {
        batches.push_back(std::move(*s));
      }
    }
    for (auto& h : evidence.incidents) {
      if (auto s = fold_incident(effective_events(events_of(h))))
        incidents.push_back(std::move(*s));
    }
    for (auto& h : evidence.complaints) {
      if (auto s = fold_complaint(effective_events(events_of(h)), evidence.calendar)) {
        complaints.push_back(std::move(*s));
      }
    }
  }
};

FoldedEvidence::FoldedEvidence(const PeriodEvidence& evidence)
    : records_(std::make_unique<Records>()) {
  records_->fold(evidence);
}

FoldedEvidence::FoldedEvidence(PeriodEvidence&& evidence) : records_(std::make_unique<Records>()) {
  PeriodEvidence& owned = records_->owned.emplace(std::move(evidence));
  records_->fold(owned);
  owned.batches = {};
  owned.incidents = {};
  owned.complaints = {};
}

FoldedEvidence::~FoldedEvidence() = default;

FigureSet FoldedEvidence::compute(const Period& period, const ReportConfig& config,
                                  bool with_breakdowns) const {
  const Records& r = *records_;
  const RegistryState& registry = *r.registry;
  const CivilDate first = period.first_day();
  const CivilDate last = period.last_day();
  FigureSet out;
  Tally tally;
  static const std::size_t kCoverage = figure_index("food_licence_coverage");
  static const std::size_t kDeathRate = figure_index("equipment_death_rate");
  static const std::size_t kAcceptance = figure_index("complaint_acceptance_on_time_rate");
  static const std::size_t kClosure = figure_index("complaint_closure_rate");
  static const std::size_t kClosureOnTime = figure_index("complaint_closure_on_time_rate");
  static const std::size_t kRecovered = figure_index("recovered_losses");
  static const std::size_t kMediation = figure_index("mediation_success_rate");
  static const auto kGradeCounts = [] {
    std::array<std::size_t, kIncidentGrades.size()> indices{};
    for (std::size_t i = 0; i < indices.size(); ++i) {
      indices[i] = figure_index("incidents_" + std::string(to_code(kIncidentGrades[i])));
    }
    return indices;
  }();
  // A batch counts in its regime's pass rate; a regime without one (none today) in none.
  auto pass_rate_of = [](const std::string& regime) -> std::optional<std::size_t> {
    static const std::size_t product = figure_index("product_pass_rate");
    static const std::size_t food = figure_index("food_pass_rate");
    static const std::size_t agri = figure_index("agri_pass_rate");
    if (regime == "product") return product;
    if (regime == "food") return food;
    if (regime == "agri") return agri;
    return std::nullopt;
  };

  auto entity_groups = [&](const std::string& uscc) {
    Groups g;
    if (!with_breakdowns) return g;
    const auto it = r.entities.find(uscc);
    if (it != r.entities.end()) {
      g.township = &it->second->township;
      g.industry = &it->second->industry;
    }
    return g;
  };

  // Sampled batches: pass rates, and which entities had a food batch sampled.
  std::unordered_set<std::string_view> food_sampled;
  for (const auto& s : r.batches) {
    if (!period.contains(s.sampling_date)) continue;
    if (with_breakdowns) {
      out.period_records.insert({"batch", s.sample_no});
      out.units[s.first_seq] = {"batch", s.sample_no};
    }
    if (s.regime == "food") food_sampled.insert(s.uscc);
    const std::string conclusion = s.conclusion_as_of(r.as_of);
    Contribution c;
    c.seq = s.first_seq;
    c.pending = conclusion == "pending";
    c.in_denominator = !c.pending;
    c.in_numerator = conclusion == "pass";
    c.groups = entity_groups(s.uscc);
    if (with_breakdowns) {
      c.groups.plan_level = &s.plan_level;
      c.groups.category = &s.category;
    }
    if (const auto figure = pass_rate_of(s.regime)) tally.add_unit(*figure, c);
  }

  // Licensed food producers: coverage.
  std::map<std::string, std::uint64_t> holders;  // uscc → smallest licence seq
  for (const auto& [key, s] : registry.licences) {
    if (!s.held_during(first, last)) continue;
    auto [it, inserted] = holders.emplace(s.uscc, s.first_seq);
    if (!inserted) it->second = std::min(it->second, s.first_seq);
    if (with_breakdowns) out.units[s.first_seq] = {"licence", s.licence_no};
  }
  for (const auto& [uscc, seq] : holders) {
    Contribution c;
    c.seq = seq;
    c.in_denominator = true;
    c.in_numerator = food_sampled.count(uscc) != 0;
    c.groups = entity_groups(uscc);
    tally.add_unit(kCoverage, c);
  }

  // Equipment in use at the period's end: the death rate's denominator.
  for (const auto& [key, unit] : registry.equipment) {
    const EquipmentState& s = unit.state;
    if (s.category == "gas_cylinder" || s.category == "pressure_piping") continue;
    if (!unit.in_use_on(last)) continue;
    if (with_breakdowns)
      out.units.emplace_hint(out.units.end(), s.first_seq,
                             RecordRef{"equipment", s.equipment_code});
    Contribution c;
    c.seq = s.first_seq;
    c.in_denominator = true;
    c.groups = entity_groups(s.user_uscc);
    if (with_breakdowns) c.groups.township = &s.township;
    tally.add_unit(kDeathRate, c);
  }

  // Incidents: deaths and grades.
  for (const auto& s : r.incidents) {
    if (!period.contains(s.occurred_on)) continue;
    if (with_breakdowns) out.period_records.insert({"incident", s.incident_no});
    if (!s.special_equipment_accident) continue;
    if (with_breakdowns) out.units[s.first_seq] = {"incident", s.incident_no};
    const auto eq = registry.equipment.find(s.equipment_code);
    const EquipmentState* equipment = eq == registry.equipment.end() ? nullptr : &eq->second.state;
    const std::string category = equipment == nullptr ? "" : equipment->category;
    Contribution deaths;
    deaths.seq = s.first_seq;
    deaths.in_numerator = true;
    deaths.numerator_amount = s.deaths;
    if (equipment != nullptr) {
      deaths.groups = entity_groups(equipment->user_uscc);
      if (with_breakdowns) deaths.groups.township = &equipment->township;
    }
    tally.add_unit(kDeathRate, deaths);
    const IncidentGrade grade = grade_of(s, category).grade;
    for (std::size_t i = 0; i < kIncidentGrades.size(); ++i) {
      const IncidentGrade g = kIncidentGrades[i];
      Contribution c;
      c.seq = s.first_seq;
      c.in_denominator = true;
      c.in_numerator = g == grade;
      c.groups.township = deaths.groups.township;
      tally.add_unit(kGradeCounts[i], c);
    }
  }

  // Complaints, by receipt date.
  for (const auto& s : r.complaints) {
    if (!period.contains(s.received_on)) continue;
    if (with_breakdowns) {
      out.period_records.insert({"complaint", s.complaint_no});
      out.units[s.first_seq] = {"complaint", s.complaint_no};
    }
    Contribution base;
    base.seq = s.first_seq;
    base.groups = entity_groups(s.respondent_uscc);
    if (with_breakdowns) base.groups.category = &s.category;
    const bool decided = s.decided_on.has_value();
    const bool closed = s.closed_on.has_value();

    Contribution acceptance = base;
    if (decided && s.accept_due) {
      acceptance.in_denominator = true;
      acceptance.in_numerator = *s.decided_on <= *s.accept_due;
    } else {
      acceptance.pending = true;
    }
    tally.add_unit(kAcceptance, acceptance);

    Contribution closure = base;
    closure.pending = !decided;
    closure.in_denominator = s.accepted;
    closure.in_numerator = s.accepted && closed;
    tally.add_unit(kClosure, closure);

    if (closed) {
      Contribution on_time = base;
      if (s.mediation_due) {
        on_time.in_denominator = true;
        on_time.in_numerator = *s.closed_on <= *s.mediation_due;
      } else {
        on_time.pending = true;
      }
      tally.add_unit(kClosureOnTime, on_time);

      Contribution recovered = base;
      recovered.in_denominator = true;
      recovered.in_numerator = true;
      recovered.numerator_amount = fen_of(s.recovered_yuan).value_or(0);
      tally.add_unit(kRecovered, recovered);
    }

    Contribution mediation = base;
    if (!s.mediation_outcome.empty()) {
      mediation.in_denominator = true;
      mediation.in_numerator = s.mediation_outcome == "succeeded";
    } else {
      mediation.pending = s.accepted && !closed;
    }
    if (mediation.in_denominator || mediation.pending) {
      tally.add_unit(kMediation, mediation);
    }
  }

  for (std::size_t i = 0; i < figure_definitions().size(); ++i) {
    out.figures.push_back(tally.build(i, config, with_breakdowns));
  }
  return out;
}

FigureSet compute_figures(const PeriodEvidence& evidence, const Period& period,
                          const ReportConfig& config, bool with_breakdowns) {
  return FoldedEvidence(evidence).compute(period, config, with_breakdowns);
}

// ---- Reading the evidence from a ledger file ----------------------------------------------

namespace {

void collect_uscc(const Json& p, std::set<std::string>& out) {
  for (const char* field : {"uscc", "user_uscc", "new_user_uscc", "respondent_uscc"}) {
    if (p.contains(field) && p[field].is_string()) out.insert(p[field].get<std::string>());
  }
  if (p.contains("values") && p["values"].is_object()) collect_uscc(p["values"], out);
}

}  // namespace

PeriodEvidence load_period_records(SQLite::Database& db, const Period& period,
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
  RecordHistoryReader reader(db, tree_size);

  // The working-day calendar as it stood at tree_size (same order as ledger_calendar).
  ev.calendar = WorkingDayCalendar::built_in();
  std::map<std::int64_t, std::string> calendar_years;
  for (const auto& h : reader.histories("calendar")) {
    const auto effective = effective_events(h.events);
    if (effective.empty()) continue;
    const Json& p = effective.back().payload;
    calendar_years[p.value("year", std::int64_t{0})] = p.value("csv", "");
  }
  for (const auto& [year, csv] : calendar_years) ev.calendar.load_year(csv);

  const bool indexed =
      db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'report_dates'").getInt() == 1;
  auto candidates = [&](const std::string& type, CivilDate from, CivilDate to) {
    if (!indexed) return reader.histories(type);
    return reader.histories(type,
                            "SELECT record_key FROM report_dates WHERE record_type = ?1 AND "
                            "business_date BETWEEN ?3 AND ?4 AND seq <= ?2",
                            {from.to_string(), to.to_string()});
  };
  const CivilDate first = period.first_day();
  const CivilDate last = period.last_day();
  ev.batches = candidates("batch", first, last);
  ev.complaints = candidates("complaint", first, last);
  // report_dates holds an incident's written local date, at most a day from its Shanghai date.
  ev.incidents = candidates("incident", first.plus_days(-1), last.plus_days(1));

  return ev;
}

void load_period_registry(SQLite::Database& db, PeriodEvidence& ev, const PublicKey* snapshot_key) {
  ev.registry = RegistryState{};
  ev.registry_snapshot_size = 0;
  ev.registry_events_read = 0;
  if (snapshot_key != nullptr) {
    if (auto registry =
            registry_from_snapshot(db, ev.tree_size, *snapshot_key, &ev.registry_snapshot_size,
                                   &ev.registry_events_read)) {
      ev.registry = std::move(*registry);
      return;
    }
  }
  // No snapshot: every licence and equipment unit, and the entities anything loaded names.
  RecordHistoryReader reader(db, ev.tree_size);
  std::set<std::string> uscc;
  // One record at a time: the registry's events are never all in memory at once.
  auto fold = [&](const std::string& type, const std::string& filter,
                  const std::vector<std::string>& params) {
    reader.for_each(type, filter, params, [&](RecordHistory&& h) {
      ev.registry_events_read += h.events.size();
      ev.registry.refold(type, std::move(h));
    });
  };
  fold("equipment", "", {});
  fold("licence", "", {});
  for (const auto* histories : {&ev.batches, &ev.complaints, &ev.incidents}) {
    for (const auto& h : *histories) {
      for (const auto& e : h.events) collect_uscc(e.payload, uscc);
    }
  }
  for (const auto& [key, unit] : ev.registry.equipment) uscc.insert(unit.state.user_uscc);
  for (const auto& [key, licence] : ev.registry.licences) uscc.insert(licence.uscc);
  if (!uscc.empty()) {
    Json keys = Json::array();
    for (const auto& code : uscc) keys.push_back(code);
    fold("entity", "SELECT value FROM json_each(?3)", {keys.dump()});
  }
}

PeriodEvidence load_period_evidence(SQLite::Database& db, const Period& period,
                                    std::uint64_t tree_size, const PublicKey* snapshot_key) {
  PeriodEvidence ev = load_period_records(db, period, tree_size);
  load_period_registry(db, ev, snapshot_key);
  return ev;
}

}  // namespace qledger
