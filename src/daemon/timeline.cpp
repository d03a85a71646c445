// Timelines of batches, incidents and complaints. The state is the library's fold
// (LedgerRecords::batch / incident / complaint, which fold effective_events); the event list is
// LedgerRecords::record_events, read in the same read transaction so both describe one tree.
#include "timeline.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "html_page.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/event_schema.hpp"
#include "qledger/html_escape.hpp"
#include "qledger/record_state.hpp"

namespace qledger::daemon {

namespace {

using Status = http::status;

std::string h(std::string_view s) { return escape_html(s); }

bool is_timeline_type(std::string_view type) {
  return type == "batch" || type == "incident" || type == "complaint";
}

struct TimelineEvent {
  std::uint64_t seq = 0;
  std::string kind, recorded_at, actor;
  std::optional<std::uint64_t> target_seq;  // corrections and voids
  std::optional<std::uint64_t> voided_by;
  std::vector<std::uint64_t> corrected_by;  // non-voided corrections of this event
  Json values;                              // a correction's new values
};

struct Timeline {
  std::string type, key;
  Json state;  // the fold, as JSON
  std::vector<TimelineEvent> events;
};

Json date_or_null(const std::optional<CivilDate>& d) {
  return d ? Json(d->to_string()) : Json(nullptr);
}

Json batch_json(const BatchState& s, CivilDate today) {
  return Json{{"sample_no", s.sample_no},
              {"regime", s.regime},
              {"plan_level", s.plan_level},
              {"category", s.category},
              {"uscc", s.uscc},
              {"lab", s.lab},
              {"sampling_date", s.sampling_date.to_string()},
              {"result_date", s.result_date.to_string()},
              {"first_conclusion", s.first_conclusion},
              {"microbiological", s.microbiological},
              {"notified_on", date_or_null(s.notified_on)},
              {"retest_state", s.retest_state()},
              {"retest_window_end", date_or_null(s.retest_window_end)},
              {"retest_applied_on", date_or_null(s.retest_applied_on)},
              {"retest_decided_on", date_or_null(s.retest_decided_on)},
              {"retest_accepted", s.retest_accepted ? Json(*s.retest_accepted) : Json(nullptr)},
              {"retest_result_date", date_or_null(s.retest_result_date)},
              {"retest_conclusion", s.retest_conclusion},
              {"objection_filed_on", date_or_null(s.objection_filed_on)},
              {"objection_decided_on", date_or_null(s.objection_decided_on)},
              {"conclusion", s.conclusion_as_of(today)},
              {"as_of", today.to_string()},
              {"first_seq", s.first_seq},
              {"last_seq", s.last_seq},
              {"final_seq", s.final_seq}};
}

Json incident_json(const IncidentState& s) {
  return Json{{"incident_no", s.incident_no},
              {"equipment_code", s.equipment_code},
              {"occurred_at", s.occurred_at},
              {"occurred_on", s.occurred_on.to_string()},
              {"deaths", s.deaths},
              {"serious_injuries", s.serious_injuries},
              {"minor_injuries", s.minor_injuries},
              {"direct_loss_yuan", s.direct_loss_yuan},
              {"evacuated", s.evacuated},
              {"people_trapped", s.people_trapped},
              {"minutes_trapped", s.minutes_trapped},
              {"explosion", s.explosion},
              {"toxic_medium_leak", s.toxic_medium_leak},
              {"crane_overturned", s.crane_overturned},
              {"crane_structure_failed", s.crane_structure_failed},
              {"special_equipment_accident", s.special_equipment_accident},
              {"non_accident_ground", s.non_accident_ground},
              {"closed_on", date_or_null(s.closed_on)},
              {"first_seq", s.first_seq},
              {"last_seq", s.last_seq}};
}

Json complaint_json(const ComplaintState& s) {
  return Json{{"complaint_no", s.complaint_no},
              {"channel", s.channel},
              {"respondent_uscc", s.respondent_uscc},
              {"respondent_name", s.respondent_name},
              {"category", s.category},
              {"amount_yuan", s.amount_yuan},
              {"state", s.state},
              {"accepted", s.accepted},
              {"mediation_outcome", s.mediation_outcome},
              {"received_on", s.received_on.to_string()},
              {"decided_on", date_or_null(s.decided_on)},
              {"mediation_ended_on", date_or_null(s.mediation_ended_on)},
              {"closed_on", date_or_null(s.closed_on)},
              {"accept_due", date_or_null(s.accept_due)},
              {"mediation_due", date_or_null(s.mediation_due)},
              {"recovered_yuan", s.recovered_yuan},
              {"first_seq", s.first_seq},
              {"last_seq", s.last_seq}};
}

// nullopt when the record has no events or no current state (e.g. its opening event voided: the
// events are still listed, with a null state).
std::optional<Timeline> read_timeline(Context& ctx, const std::string& type,
                                      const std::string& key) {
  std::optional<Timeline> out;
  const CivilDate today = ctx.today();
  ctx.ledger->with_reader([&](SQLite::Database& db) {
    const LedgerRecords records(db);
    const auto raw = records.record_events(type, key);
    if (raw.empty()) return;
    Timeline t{type, key, Json(nullptr), {}};
    if (type == "batch") {
      if (const auto s = records.batch(key)) t.state = batch_json(*s, today);
    } else if (type == "incident") {
      if (const auto s = records.incident(key)) t.state = incident_json(*s);
    } else if (const auto s = records.complaint(key)) {
      t.state = complaint_json(*s);
    }
    // The same void rule as effective_events: any void names its target as voided.
    std::map<std::uint64_t, std::uint64_t> voided_by;
    for (const auto& e : raw) {
      if (e.kind == "void") {
        voided_by[e.payload.at("target_seq").get<std::uint64_t>()] = e.seq;
      }
    }
    std::map<std::uint64_t, std::vector<std::uint64_t>> corrected_by;
    for (const auto& e : raw) {
      if (e.kind == "correction" && voided_by.count(e.seq) == 0) {
        corrected_by[e.payload.at("target_seq").get<std::uint64_t>()].push_back(e.seq);
      }
    }
    SQLite::Statement actor(db, "SELECT actor FROM events WHERE seq = ?");
    for (const auto& e : raw) {
      TimelineEvent te;
      te.seq = e.seq;
      te.kind = e.kind;
      te.recorded_at = e.recorded_at;
      actor.reset();
      actor.bind(1, static_cast<std::int64_t>(e.seq));
      if (actor.executeStep()) te.actor = actor.getColumn(0).getString();
      if (e.kind == "void" || e.kind == "correction") {
        te.target_seq = e.payload.at("target_seq").get<std::uint64_t>();
      }
      if (e.kind == "correction") te.values = e.payload.value("values", Json::object());
      if (const auto it = voided_by.find(e.seq); it != voided_by.end()) te.voided_by = it->second;
      if (const auto it = corrected_by.find(e.seq); it != corrected_by.end()) {
        te.corrected_by = it->second;
      }
      t.events.push_back(std::move(te));
    }
    out = std::move(t);
  });
  return out;
}

// "<type>/<key>" split at the first '/'.
std::pair<std::string, std::string> split_tail(std::string_view tail) {
  const std::size_t slash = tail.find('/');
  if (slash == std::string_view::npos) return {std::string(tail), ""};
  return {std::string(tail.substr(0, slash)), std::string(tail.substr(slash + 1))};
}

std::string type_label(const Exchange& x, const std::string& type) {
  if (type == "batch") return x.t("抽检批次", "Sample batch");
  if (type == "incident") return x.t("特种设备事故", "Incident");
  return x.t("消费投诉", "Complaint");
}

std::string kind_label(const Exchange& x, const std::string& kind) {
  const KindSpec* spec = EventSchema::builtin().find(kind);
  if (spec == nullptr) return kind;
  return x.en ? spec->en : spec->zh;
}

std::string seq_link(std::uint64_t seq) {
  const std::string n = std::to_string(seq);
  return "<a href=\"/events/" + n + "\">" + n + "</a>";
}

std::string json_text(const Json& value) {
  return value.is_string() ? value.get<std::string>()
                           : value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string timeline_body(const Exchange& x, const Timeline& t) {
  std::string body = "<h2>" + std::string(x.t("当前状态", "Current state")) + "</h2>";
  if (t.state.is_null()) {
    body += "<p>" +
            std::string(x.t("该记录目前没有有效事件（已作废）。",
                            "The record has no events in effect (voided).")) +
            "</p>";
  } else {
    body += "<p>" +
            std::string(x.t("由有效事件折算（已应用更正，已剔除作废事件）。",
                            "Folded from the events in effect (corrections applied, voided "
                            "events left out).")) +
            "</p><table class=\"state\">";
    for (const auto& [name, value] : t.state.items()) {
      body += "<tr><th>" + h(name) + "</th><td>" +
              (value.is_null() ? std::string("—") : h(json_text(value))) + "</td></tr>";
    }
    body += "</table>";
  }
  body += "<h2>" + std::string(x.t("全部事件（按序号）", "All events (in seq order)")) +
          "</h2><table class=\"timeline\"><tr><th>#</th><th>" + x.t("类型", "Kind") + "</th><th>" +
          x.t("记录时间 (UTC)", "Recorded (UTC)") + "</th><th>" + x.t("记录人", "Actor") +
          "</th><th>" + x.t("说明", "Notes") + "</th></tr>";
  for (const auto& e : t.events) {
    std::string notes;
    if (e.voided_by) {
      notes += "<span class=\"voided\">" + std::string(x.t("已作废（见 ", "Voided (by ")) +
               seq_link(*e.voided_by) + x.t("）", ")") + "</span> ";
    }
    for (const auto c : e.corrected_by) {
      notes += std::string(x.t("已被更正：", "Corrected by ")) + seq_link(c) + " ";
    }
    if (e.target_seq) {
      notes += std::string(e.kind == "void" ? x.t("作废 ", "Voids ") : x.t("更正 ", "Corrects ")) +
               seq_link(*e.target_seq);
      if (e.values.is_object()) {
        for (const auto& [name, value] : e.values.items()) {
          notes += " <code>" + h(name) + " = " + h(json_text(value)) + "</code>";
        }
      }
    }
    body += std::string("<tr") + (e.voided_by ? " class=\"voided\"" : "") + "><td>" +
            seq_link(e.seq) + "</td><td>" + h(kind_label(x, e.kind)) + "</td><td>" +
            h(e.recorded_at) + "</td><td>" + h(e.actor) + "</td><td>" + notes + "</td></tr>";
  }
  body += "</table>";
  return body;
}

}  // namespace

Response timeline_page(Exchange& x, std::string_view tail) {
  const auto [type, key] = split_tail(tail);
  const auto t =
      is_timeline_type(type) && !key.empty() ? read_timeline(x.ctx, type, key) : std::nullopt;
  if (!t) {
    return message_page(x, Status::not_found, "404", x.t("没有这个记录。", "No such record."));
  }
  return html_response(x, Status::ok, type_label(x, type) + " " + key, timeline_body(x, *t));
}

Response timeline_api(Exchange& x, std::string_view tail) {
  const auto [type, key] = split_tail(tail);
  if (!is_timeline_type(type)) {
    return json_error(x, Status::bad_request, "type", "bad_parameter",
                      "type must be batch, incident or complaint.",
                      "type 必须是 batch、incident 或 complaint。");
  }
  const auto t = key.empty() ? std::nullopt : read_timeline(x.ctx, type, key);
  if (!t) {
    return json_error(x, Status::not_found, "key", "not_found", "No such record.",
                      "没有这个记录。");
  }
  Json events = Json::array();
  for (const auto& e : t->events) {
    Json j = {{"seq", e.seq},
              {"kind", e.kind},
              {"recorded_at", e.recorded_at},
              {"actor", e.actor},
              {"voided", e.voided_by.has_value()},
              {"voided_by", e.voided_by ? Json(*e.voided_by) : Json(nullptr)},
              {"corrected_by", e.corrected_by}};
    if (e.target_seq) j["target_seq"] = *e.target_seq;
    if (e.kind == "correction") j["values"] = e.values;
    events.push_back(std::move(j));
  }
  return json_response(
      x, Status::ok,
      Json{{"type", t->type}, {"key", t->key}, {"state", t->state}, {"events", events}});
}

std::string timeline_link_html(Exchange& x, std::uint64_t seq) {
  std::string type, key;
  x.ctx.ledger->with_reader([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT record_type, record_key FROM event_index WHERE seq = ?");
    q.bind(1, static_cast<std::int64_t>(seq));
    if (q.executeStep()) {
      type = q.getColumn(0).getString();
      key = q.getColumn(1).getString();
    }
  });
  if (!is_timeline_type(type)) return "";
  return "<p><a href=\"/timeline/" + type + "/" + h(percent_encode(key)) + "\">" +
         h(type_label(x, type) + " " + key) + x.t(" 的时间线", " — timeline") + "</a></p>";
}

}  // namespace qledger::daemon
