#include "qledger/record_state.hpp"

#include <map>
#include <set>

namespace qledger {

namespace {

CivilDate date_field(const Json& p, const char* key) {
  if (p.contains(key) && p[key].is_string()) {
    if (auto d = CivilDate::parse(p[key].get<std::string>())) return *d;
  }
  return CivilDate();
}

std::optional<CivilDate> optional_date(const Json& p, const char* key) {
  if (p.contains(key) && p[key].is_string()) return CivilDate::parse(p[key].get<std::string>());
  return std::nullopt;
}

std::string text(const Json& p, const char* key) {
  return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : std::string();
}

std::int64_t integer(const Json& p, const char* key) {
  return p.contains(key) && p[key].is_number_integer() ? p[key].get<std::int64_t>() : 0;
}

bool flag(const Json& p, const char* key, bool fallback = false) {
  return p.contains(key) && p[key].is_boolean() ? p[key].get<bool>() : fallback;
}

bool any_microbiological(const Json& p) {
  if (!p.contains("failed_items") || !p["failed_items"].is_array()) return false;
  for (const auto& item : p["failed_items"]) {
    if (flag(item, "microbiological")) return true;
  }
  return false;
}

}  // namespace

std::optional<CivilDate> try_add_working_days(const WorkingDayCalendar& calendar, CivilDate start,
                                              int n) {
  try {
    return calendar.add_working_days(start, n);
  } catch (const CalendarYearMissing&) {
    return std::nullopt;
  }
}

std::vector<RecordEvent> effective_events(std::vector<RecordEvent> events) {
  std::set<std::uint64_t> voided;
  bool any_correction = false;
  for (const auto& e : events) {
    if (e.kind == "void")
      voided.insert(static_cast<std::uint64_t>(integer(e.payload, "target_seq")));
    any_correction = any_correction || e.kind == "correction";
  }
  if (voided.empty() && !any_correction) return events;  // most records: nothing to apply
  std::map<std::uint64_t, std::vector<const RecordEvent*>> corrections;
  for (const auto& e : events) {
    if (e.kind == "correction" && voided.count(e.seq) == 0) {
      corrections[static_cast<std::uint64_t>(integer(e.payload, "target_seq"))].push_back(&e);
    }
  }
  // Corrections and voids are never returned and never changed below, so the pointers to them
  // stay valid while the events that count are moved out.
  std::vector<RecordEvent> out;
  for (auto& e : events) {
    if (e.kind == "void" || e.kind == "correction" || voided.count(e.seq) != 0) continue;
    const auto found = corrections.find(e.seq);
    if (found != corrections.end()) {
      for (const RecordEvent* c : found->second) {
        for (const auto& [key, value] : c->payload["values"].items()) {
          if (value.is_null()) {
            e.payload.erase(key);
          } else {
            e.payload[key] = value;
          }
        }
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<EntityState> fold_entity(const std::vector<RecordEvent>& effective) {
  std::optional<EntityState> s;
  for (const auto& e : effective) {
    const Json& p = e.payload;
    if (e.kind == "entity.registered") {
      s = EntityState{};
      s->uscc = text(p, "uscc");
      s->uscc_as_printed = flag(p, "uscc_as_printed");
      s->first_seq = e.seq;
    }
    if (!s) continue;
    if (p.contains("name")) s->name = text(p, "name");
    if (p.contains("township")) s->township = text(p, "township");
    if (p.contains("industry")) s->industry = text(p, "industry");
    if (p.contains("address")) s->address = text(p, "address");
    s->last_seq = e.seq;
  }
  return s;
}

bool LicenceState::held_during(CivilDate from, CivilDate to) const {
  const CivilDate end = revoked_on && *revoked_on < valid_to ? revoked_on->plus_days(-1) : valid_to;
  return valid_from <= to && end >= from && valid_from <= end;
}

std::optional<LicenceState> fold_licence(const std::vector<RecordEvent>& effective) {
  std::optional<LicenceState> s;
  for (const auto& e : effective) {
    const Json& p = e.payload;
    if (e.kind == "licence.granted") {
      s = LicenceState{};
      s->licence_no = text(p, "licence_no");
      s->uscc = text(p, "uscc");
      s->valid_from = date_field(p, "valid_from");
      s->valid_to = date_field(p, "valid_to");
      s->first_seq = e.seq;
    } else if (!s) {
      continue;
    } else if (e.kind == "licence.renewed") {
      s->valid_to = date_field(p, "valid_to");
    } else if (e.kind == "licence.revoked") {
      s->revoked_on = date_field(p, "revoked_on");
    }
    s->last_seq = e.seq;
  }
  return s;
}

std::optional<EquipmentState> fold_equipment(const std::vector<RecordEvent>& effective) {
  std::optional<EquipmentState> s;
  for (const auto& e : effective) {
    const Json& p = e.payload;
    if (e.kind == "equipment.registered") {
      s = EquipmentState{};
      s->equipment_code = text(p, "equipment_code");
      s->registration_no = text(p, "registration_no");
      s->category = text(p, "category");
      s->user_uscc = text(p, "user_uscc");
      s->township = text(p, "township");
      s->registered_on = date_field(p, "registered_on");
      s->status_since = s->registered_on;
      s->first_seq = e.seq;
    } else if (!s) {
      continue;
    } else if (e.kind == "equipment.status_changed") {
      s->status = text(p, "status");
      s->status_since = date_field(p, "effective_on");
    } else if (e.kind == "equipment.transferred") {
      s->user_uscc = text(p, "new_user_uscc");
      if (p.contains("township")) s->township = text(p, "township");
    }
    s->last_seq = e.seq;
  }
  return s;
}

std::optional<CivilDate> retest_window_end(const std::string& regime, CivilDate start,
                                           const WorkingDayCalendar& calendar) {
  if (regime == "product") return start.plus_days(15);
  return try_add_working_days(calendar, start, 7);
}

std::string BatchState::retest_state() const {
  if (first_conclusion != "fail") return "none";
  if (!retest_conclusion.empty()) return "concluded";
  if (retest_accepted) return *retest_accepted ? "accepted" : "rejected";
  if (retest_applied_on) return "applied";
  if (microbiological) return "barred";
  return "window_open";
}

std::string BatchState::conclusion_as_of(CivilDate as_of) const {
  if (first_conclusion == "pass") return "pass";
  if (!retest_conclusion.empty()) return retest_conclusion;
  if (microbiological) return "fail";
  if (retest_accepted) return *retest_accepted ? "pending" : "fail";
  if (retest_applied_on) return "pending";
  if (!retest_window_end) return "pending";  // deadline unknown: calendar lacks the year
  return as_of <= *retest_window_end ? "pending" : "fail";
}

std::optional<BatchState> fold_batch(const std::vector<RecordEvent>& effective,
                                     const WorkingDayCalendar& calendar) {
  std::optional<BatchState> s;
  for (const auto& e : effective) {
    const Json& p = e.payload;
    if (e.kind == "inspection.recorded") {
      s = BatchState{};
      s->sample_no = text(p, "sample_no");
      s->regime = text(p, "regime");
      s->plan_level = text(p, "plan_level");
      s->category = text(p, "category");
      s->uscc = text(p, "uscc");
      s->lab = text(p, "lab");
      s->sampling_date = date_field(p, "sampling_date");
      s->result_date = date_field(p, "result_date");
      s->first_conclusion = text(p, "conclusion");
      s->microbiological = s->first_conclusion == "fail" && any_microbiological(p);
      s->notified_on = optional_date(p, "notified_on");
      s->first_seq = e.seq;
      s->final_seq = e.seq;
    } else if (!s) {
      continue;
    } else if (e.kind == "retest.applied") {
      s->retest_applied_on = date_field(p, "applied_on");
    } else if (e.kind == "retest.decided") {
      s->retest_accepted = flag(p, "accepted");
      s->retest_decided_on = date_field(p, "decided_on");
    } else if (e.kind == "retest.result") {
      s->retest_conclusion = text(p, "conclusion");
      s->retest_result_date = date_field(p, "result_date");
      s->final_seq = e.seq;
    } else if (e.kind == "objection.filed") {
      s->objection_filed_on = date_field(p, "filed_on");
      s->objection_decided_on.reset();
    } else if (e.kind == "objection.decided") {
      s->objection_decided_on = date_field(p, "decided_on");
    }
    s->last_seq = e.seq;
    s->seqs.push_back(e.seq);
  }
  if (s && s->first_conclusion == "fail") {
    s->retest_window_end =
        retest_window_end(s->regime, s->notified_on.value_or(s->result_date), calendar);
  }
  return s;
}

std::optional<IncidentState> fold_incident(const std::vector<RecordEvent>& effective) {
  std::optional<IncidentState> s;
  for (const auto& e : effective) {
    const Json& p = e.payload;
    if (e.kind == "incident.reported") {
      s = IncidentState{};
      s->incident_no = text(p, "incident_no");
      s->equipment_code = text(p, "equipment_code");
      s->occurred_at = text(p, "occurred_at");
      s->occurred_on = shanghai_date_of_instant(s->occurred_at).value_or(CivilDate());
      s->deaths = integer(p, "deaths");
      s->serious_injuries = integer(p, "serious_injuries");
      s->minor_injuries = integer(p, "minor_injuries");
      s->direct_loss_yuan = integer(p, "direct_loss_yuan");
      s->evacuated = integer(p, "evacuated");
      s->minutes_trapped = integer(p, "minutes_trapped");
      s->explosion = flag(p, "explosion");
      s->people_trapped = integer(p, "people_trapped");
      s->toxic_medium_leak = flag(p, "toxic_medium_leak");
      s->crane_overturned = flag(p, "crane_overturned");
      s->crane_structure_failed = flag(p, "crane_structure_failed");
      s->special_equipment_accident = flag(p, "special_equipment_accident", true);
      s->non_accident_ground = text(p, "non_accident_ground");
      s->narrative = text(p, "narrative");
      s->first_seq = e.seq;
    } else if (!s) {
      continue;
    } else if (e.kind == "incident.casualties_revised") {
      s->deaths = integer(p, "deaths");
      s->serious_injuries = integer(p, "serious_injuries");
      s->minor_injuries = integer(p, "minor_injuries");
    } else if (e.kind == "incident.closed") {
      s->closed_on = date_field(p, "closed_on");
    }
    s->last_seq = e.seq;
  }
  return s;
}

IncidentGrading grade_of(const IncidentState& incident, const std::string& equipment_category) {
  IncidentFacts facts;
  const std::string code =
      equipment_category == "gas_cylinder" ? "pressure_vessel" : equipment_category;
  facts.category = parse_equipment_category(code).value_or(EquipmentCategory::kBoiler);
  facts.is_special_equipment_accident = incident.special_equipment_accident;
  facts.deaths = incident.deaths;
  facts.serious_injuries = incident.serious_injuries;
  facts.minor_injuries = incident.minor_injuries;
  facts.direct_loss_yuan = incident.direct_loss_yuan;
  facts.evacuated = incident.evacuated;
  facts.toxic_medium_leak = incident.toxic_medium_leak;
  facts.people_trapped = incident.people_trapped;
  facts.minutes_trapped = incident.minutes_trapped;
  facts.explosion = incident.explosion;
  facts.crane_overturned = incident.crane_overturned;
  facts.crane_structure_failed = incident.crane_structure_failed;
  return grade_incident(facts);
}

std::optional<ComplaintState> fold_complaint(const std::vector<RecordEvent>& effective,
                                             const WorkingDayCalendar& calendar) {
  std::optional<ComplaintState> s;
  for (const auto& e : effective) {
    const Json& p = e.payload;
    if (e.kind == "complaint.received") {
      s = ComplaintState{};
      s->complaint_no = text(p, "complaint_no");
      s->channel = text(p, "channel");
      s->respondent_uscc = text(p, "respondent_uscc");
      s->respondent_name = text(p, "respondent_name");
      s->category = text(p, "category");
      s->amount_yuan = text(p, "amount_yuan");
      s->complainant_commitment = text(p, "complainant_commitment");
      s->received_on = date_field(p, "received_on");
      s->accept_due = try_add_working_days(calendar, s->received_on, 7);
      s->first_seq = e.seq;
    } else if (!s) {
      continue;
    } else if (e.kind == "complaint.accepted") {
      s->state = "accepted";
      s->accepted = true;
      s->decided_on = date_field(p, "decided_on");
      s->mediation_due = try_add_working_days(calendar, *s->decided_on, 45);
    } else if (e.kind == "complaint.not_accepted") {
      s->state = "not_accepted";
      s->decided_on = date_field(p, "decided_on");
    } else if (e.kind == "complaint.mediation_succeeded" ||
               e.kind == "complaint.mediation_terminated") {
      const bool ok = e.kind == "complaint.mediation_succeeded";
      s->state = ok ? "mediation_succeeded" : "mediation_terminated";
      s->mediation_outcome = ok ? "succeeded" : "terminated";
      s->mediation_ended_on = date_field(p, "ended_on");
    } else if (e.kind == "complaint.closed") {
      s->state = "closed";
      s->closed_on = date_field(p, "closed_on");
      s->recovered_yuan = text(p, "recovered_yuan");
    }
    s->last_seq = e.seq;
  }
  return s;
}

}  // namespace qledger
