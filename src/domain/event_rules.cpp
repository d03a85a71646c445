#include "qledger/event_rules.hpp"

#include "qledger/identifiers.hpp"

#include <algorithm>

namespace qledger {

namespace {

std::optional<CivilDate> date_of(const Json& p, const char* key) {
  if (p.contains(key) && p[key].is_string()) return CivilDate::parse(p[key].get<std::string>());
  return std::nullopt;
}

std::string text_of(const Json& p, const char* key) {
  return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : std::string();
}

// Collects problems with a fluent, bilingual shorthand.
class Problems {
 public:
  void add(std::string field, std::string code, std::string en, std::string zh) {
    list_.push_back({std::move(field), std::move(code), std::move(en), std::move(zh)});
  }
  // "<field> must not be before <other>"
  void not_before(const Json& p, const char* field, const char* field_zh, CivilDate limit,
                  const std::string& limit_en, const std::string& limit_zh) {
    const auto d = date_of(p, field);
    if (d && *d < limit) {
      add(field, "date_order",
          std::string(field) + " must not be before " + limit_en + " (" + limit.to_string() + ")",
          std::string(field_zh) + "不能早于" + limit_zh + "（" + limit.to_string() + "）");
    }
  }
  FieldProblems take() { return std::move(list_); }
  bool empty() const { return list_.empty(); }

 private:
  FieldProblems list_;
};

void check_conclusion_items(const Json& p, Problems& out) {
  const bool fail = text_of(p, "conclusion") == "fail";
  const bool has_items = p.contains("failed_items") && !p["failed_items"].empty();
  if (fail && !has_items) {
    out.add("failed_items", "required", "a failing conclusion needs at least one failed item",
            "结论为不合格时，应至少填写一项不合格项目");
  }
  if (!fail && has_items) {
    out.add("failed_items", "not_allowed", "a passing conclusion has no failed items",
            "结论为合格时不应填写不合格项目");
  }
}

// Rules between fields of one payload.
void check_cross_fields(const std::string& kind, const Json& p, Problems& out) {
  if (kind == "inspection.recorded") {
    const auto sampled = date_of(p, "sampling_date");
    const auto result = date_of(p, "result_date");
    if (sampled && result && *sampled > *result) {
      out.add("sampling_date", "date_order", "sampling date must not be after the result date",
              "抽样日期不能晚于检验结论日期");
    }
    check_conclusion_items(p, out);
    if (p.contains("notified_on")) {
      if (text_of(p, "conclusion") != "fail") {
        out.add("notified_on", "not_allowed", "only a failing result is notified for re-test",
                "仅不合格结果需要填写告知日期");
      } else if (result) {
        out.not_before(p, "notified_on", "告知日期", *result, "the result date", "检验结论日期");
      }
    }
  } else if (kind == "retest.result") {
    check_conclusion_items(p, out);
  } else if (kind == "licence.granted") {
    const auto from = date_of(p, "valid_from");
    const auto to = date_of(p, "valid_to");
    if (from && to && *to <= *from) {
      out.add("valid_to", "date_order", "valid-to must be after valid-from",
              "有效期至应晚于有效期起");
    }
  } else if (kind == "incident.reported") {
    const bool special = p.value("special_equipment_accident", true);
    if (!special && !p.contains("non_accident_ground")) {
      out.add("non_accident_ground", "required",
              "say why this is only a related accident (SAMR Order 50 Art. 3)",
              "请选择不属于特种设备事故的情形（市场监管总局令第50号第三条）");
    }
    if (special && p.contains("non_accident_ground")) {
      out.add("non_accident_ground", "not_allowed",
              "only a related accident has a non-accident ground", "特种设备事故不应填写此项");
    }
  } else if (kind == "entity.changed") {
    if (!p.contains("name") && !p.contains("township") && !p.contains("industry") &&
        !p.contains("address")) {
      out.add("", "nothing_changed", "give at least one changed field", "请至少填写一项变更内容");
    }
  }
}

class StateRules {
 public:
  StateRules(const EventSchema& schema, const RecordLookup& records, CivilDate today, Problems& out)
      : schema_(schema), records_(records), today_(today), out_(out) {}

  void check(const std::string& kind, const Json& p) {
    if (kind.rfind("entity.", 0) == 0) return entity_rules(kind, p);
    if (kind.rfind("licence.", 0) == 0) return licence_rules(kind, p);
    if (kind.rfind("equipment.", 0) == 0) return equipment_rules(kind, p);
    if (kind == "inspection.recorded") return inspection_rules(p);
    if (kind.rfind("retest.", 0) == 0 || kind.rfind("objection.", 0) == 0) {
      return batch_event_rules(kind, p);
    }
    if (kind.rfind("incident.", 0) == 0) return incident_rules(kind, p);
    if (kind.rfind("complaint.", 0) == 0) return complaint_rules(kind, p);
    if (kind == "correction" || kind == "void") return amendment_rules(kind, p);
  }

 private:
  bool require_entity(const Json& p, const char* field) {
    const std::string uscc = text_of(p, field);
    if (records_.has_entity(uscc)) return true;
    out_.add(field, "unknown_entity",
             "no market entity with credit code " + uscc + " is registered",
             "统一社会信用代码为 " + uscc + " 的市场主体尚未登记");
    return false;
  }

  void entity_rules(const std::string& kind, const Json& p) {
    const std::string uscc = text_of(p, "uscc");
    if (kind == "entity.registered" && records_.has_entity(uscc)) {
      out_.add("uscc", "duplicate", "an entity with this credit code is already registered",
               "该统一社会信用代码已登记");
    }
    if (kind == "entity.changed") require_entity(p, "uscc");
  }

  void licence_rules(const std::string& kind, const Json& p) {
    const std::string no = text_of(p, "licence_no");
    const auto licence = records_.licence(no);
    if (kind == "licence.granted") {
      if (licence) {
        out_.add("licence_no", "duplicate", "this licence number is already recorded",
                 "该许可证编号已登记");
      }
      require_entity(p, "uscc");
      return;
    }
    if (!licence) {
      out_.add("licence_no", "unknown_licence", "no licence " + no + " was granted",
               "许可证 " + no + " 尚未登记");
      return;
    }
    if (licence->revoked_on) {
      out_.add("licence_no", "revoked",
               "the licence was revoked on " + licence->revoked_on->to_string(),
               "该许可证已于 " + licence->revoked_on->to_string() + " 注销");
      return;
    }
    if (kind == "licence.renewed") {
      const auto to = date_of(p, "valid_to");
      if (to && *to <= licence->valid_to) {
        out_.add("valid_to", "date_order",
                 "a renewal must extend validity beyond " + licence->valid_to.to_string(),
                 "延续后的有效期应晚于 " + licence->valid_to.to_string());
      }
    } else if (kind == "licence.revoked") {
      out_.not_before(p, "revoked_on", "注销日期", licence->valid_from, "the licence's valid-from",
                      "有效期起");
    }
  }

  void equipment_rules(const std::string& kind, const Json& p) {
    const std::string code = text_of(p, "equipment_code");
    const auto equipment = records_.equipment(code);
    if (kind == "equipment.registered") {
      if (equipment) {
        out_.add("equipment_code", "duplicate", "this equipment code is already registered",
                 "该设备代码已登记");
      }
      require_entity(p, "user_uscc");
      check_category_matches_code(p);
      return;
    }
    if (!equipment) {
      out_.add("equipment_code", "unknown_equipment", "no equipment " + code + " is registered",
               "设备 " + code + " 尚未登记");
      return;
    }
    if (equipment->status == "scrapped") {
      out_.add("equipment_code", "scrapped",
               "the equipment was scrapped on " + equipment->status_since.to_string(),
               "该设备已于 " + equipment->status_since.to_string() + " 报废");
      return;
    }
    out_.not_before(p, "effective_on", "生效日期", equipment->registered_on, "registration",
                    "登记日期");
    if (kind == "equipment.status_changed" && text_of(p, "status") == equipment->status) {
      out_.add("status", "unchanged", "the equipment already has this status", "设备已处于该状态");
    }
    if (kind == "equipment.transferred") {
      if (require_entity(p, "new_user_uscc") &&
          text_of(p, "new_user_uscc") == equipment->user_uscc) {
        out_.add("new_user_uscc", "unchanged", "the equipment already belongs to this entity",
                 "设备已属于该使用单位");
      }
    }
  }

  void check_category_matches_code(const Json& p) {
    const auto parsed =
        check_equipment_code(text_of(p, "equipment_code"), "equipment_code", today_.year());
    if (!parsed.valid || parsed.legacy || !parsed.category) return;
    std::string category = text_of(p, "category");
    if (category == "gas_cylinder") category = "pressure_vessel";
    if (std::string(to_code(*parsed.category)) != category) {
      out_.add("category", "category_mismatch",
               "the equipment code names category " + std::string(to_code(*parsed.category)),
               "设备代码对应的类别为“" + std::string(to_string_zh(*parsed.category)) + "”");
    }
  }

  void inspection_rules(const Json& p) {
    if (records_.has_batch(text_of(p, "sample_no"))) {
      out_.add("sample_no", "duplicate", "this sample number is already recorded",
               "该抽样单编号已登记");
    }
    require_entity(p, "uscc");
  }

  void batch_event_rules(const std::string& kind, const Json& p) {
    const std::string no = text_of(p, "sample_no");
    const auto batch = records_.batch(no);
    if (!batch) {
      out_.add("sample_no", "unknown_batch",
               "no inspection with sample number " + no + " is recorded",
               "抽样单编号 " + no + " 尚无检验结果");
      return;
    }
    const std::string state = batch->retest_state();
    if (kind == "retest.applied") {
      if (batch->first_conclusion != "fail") {
        out_.add("sample_no", "not_failed", "only a failing batch can be re-tested",
                 "仅不合格批次可申请复检");
      } else if (batch->microbiological) {
        out_.add("sample_no", "microbiological", "microbiological failures may not be re-tested",
                 "微生物项目不合格的，不予复检");
      } else if (state != "window_open") {
        out_.add("sample_no", "already_applied", "a re-test was already applied for",
                 "已申请过复检");
      } else {
        const CivilDate start = batch->notified_on.value_or(batch->result_date);
        out_.not_before(p, "applied_on", "申请日期", start, "notification", "告知日期");
        const auto applied = date_of(p, "applied_on");
        if (!batch->retest_window_end) {
          out_.add("applied_on", "calendar_missing",
                   "the working-day calendar lacks the year needed for the re-test deadline",
                   "工作日历缺少计算复检期限所需年度");
        } else if (applied && *applied > *batch->retest_window_end) {
          out_.add("applied_on", "deadline_passed",
                   "the re-test window ended on " + batch->retest_window_end->to_string(),
                   "复检申请期限已于 " + batch->retest_window_end->to_string() + " 届满");
        }
      }
    } else if (kind == "retest.decided") {
      if (state != "applied") {
        out_.add("sample_no", "no_pending_application", "there is no undecided re-test application",
                 "没有待决定的复检申请");
      } else {
        out_.not_before(p, "decided_on", "决定日期", *batch->retest_applied_on, "the application",
                        "申请日期");
      }
    } else if (kind == "retest.result") {
      if (state == "concluded") {
        out_.add("sample_no", "already_final", "the re-test result is final and already recorded",
                 "复检结论为终局结论，已登记，不得再次复检");
      } else if (state != "accepted") {
        out_.add("sample_no", "retest_not_accepted", "no accepted re-test application",
                 "没有已受理的复检申请");
      } else {
        out_.not_before(p, "result_date", "复检结论日期", *batch->retest_decided_on, "the decision",
                        "受理决定日期");
      }
    } else if (kind == "objection.filed") {
      if (batch->objection_filed_on && !batch->objection_decided_on) {
        out_.add("sample_no", "objection_open", "an objection is already awaiting a decision",
                 "已有待处理的异议");
      }
      out_.not_before(p, "filed_on", "提出日期", batch->sampling_date, "sampling", "抽样日期");
    } else if (kind == "objection.decided") {
      if (!batch->objection_filed_on || batch->objection_decided_on) {
        out_.add("sample_no", "no_open_objection", "there is no objection awaiting a decision",
                 "没有待处理的异议");
      } else {
        out_.not_before(p, "decided_on", "决定日期", *batch->objection_filed_on, "the objection",
                        "异议提出日期");
      }
    }
  }

  void incident_rules(const std::string& kind, const Json& p) {
    const std::string no = text_of(p, "incident_no");
    const auto incident = records_.incident(no);
    if (kind == "incident.reported") {
      if (incident) {
        out_.add("incident_no", "duplicate", "this incident number is already recorded",
                 "该事故编号已登记");
      }
      const std::string code = text_of(p, "equipment_code");
      const auto equipment = records_.equipment(code);
      if (!equipment) {
        out_.add("equipment_code", "unknown_equipment", "no equipment " + code + " is registered",
                 "设备 " + code + " 尚未登记");
      } else if (equipment->status == "scrapped") {
        out_.add("equipment_code", "scrapped",
                 "the equipment was scrapped on " + equipment->status_since.to_string() +
                     "; an incident cannot involve it",
                 "该设备已于 " + equipment->status_since.to_string() + " 报废，不能登记事故");
      }
      return;
    }
    if (!incident) {
      out_.add("incident_no", "unknown_incident", "no incident " + no + " is recorded",
               "事故 " + no + " 尚未登记");
      return;
    }
    if (incident->closed_on) {
      out_.add("incident_no", "closed",
               "the incident was closed on " + incident->closed_on->to_string(),
               "该事故已于 " + incident->closed_on->to_string() + " 结案");
      return;
    }
    if (kind == "incident.casualties_revised") {
      out_.not_before(p, "revised_on", "补报日期", incident->occurred_on, "the incident",
                      "事故发生日期");
      const auto revised = date_of(p, "revised_on");
      if (revised && *revised > incident->occurred_on.plus_days(30)) {
        out_.add("revised_on", "deadline_passed",
                 "casualties may be revised within 30 days of the incident (until " +
                     incident->occurred_on.plus_days(30).to_string() + ")",
                 "伤亡人数应在事故发生之日起30日内补报（截至 " +
                     incident->occurred_on.plus_days(30).to_string() + "）");
      }
    } else if (kind == "incident.closed") {
      out_.not_before(p, "closed_on", "结案日期", incident->occurred_on, "the incident",
                      "事故发生日期");
    }
  }

  void complaint_rules(const std::string& kind, const Json& p) {
    const std::string no = text_of(p, "complaint_no");
    const auto complaint = records_.complaint(no);
    if (kind == "complaint.received") {
      if (complaint) {
        out_.add("complaint_no", "duplicate", "this complaint number is already recorded",
                 "该投诉编号已登记");
      }
      return;
    }
    // Erasure needs the data to be held, not a live record: a voided complaint's data can
    // still be erased, and data already erased cannot be erased again.
    if (kind == "complaint.personal_data_erased") {
      if (records_.holds_personal_data(no)) return;
      if (complaint) {
        out_.add("complaint_no", "no_personal_data", "this complaint holds no personal data",
                 "该投诉没有个人信息");
        return;
      }
    }
    if (!complaint) {
      out_.add("complaint_no", "unknown_complaint", "no complaint " + no + " is recorded",
               "投诉 " + no + " 尚未登记");
      return;
    }
    const std::string& state = complaint->state;
    auto wrong_state = [&](const std::string& en, const std::string& zh) {
      out_.add("complaint_no", "wrong_state", en + " (current state: " + state + ")", zh);
    };
    if (kind == "complaint.accepted" || kind == "complaint.not_accepted") {
      if (state != "received")
        return wrong_state("the acceptance decision was already made", "已作出受理决定");
      out_.not_before(p, "decided_on", "决定日期", complaint->received_on, "receipt", "收到日期");
    } else if (kind == "complaint.mediation_succeeded" ||
               kind == "complaint.mediation_terminated") {
      if (state != "accepted") {
        return wrong_state("mediation needs an accepted complaint whose mediation has not ended",
                           "仅已受理且调解尚未结束的投诉可登记调解结果");
      }
      out_.not_before(p, "ended_on", "调解结束日期", *complaint->decided_on, "acceptance",
                      "受理日期");
    } else if (kind == "complaint.closed") {
      if (!complaint->accepted) {
        return wrong_state("a complaint that was never accepted cannot be closed",
                           "未受理的投诉不能办结");
      }
      if (state == "closed") return wrong_state("the complaint is already closed", "投诉已办结");
      out_.not_before(p, "closed_on", "办结日期", *complaint->decided_on, "acceptance", "受理日期");
    }
  }

  void amendment_rules(const std::string& kind, const Json& p) {
    const auto target_seq = p["target_seq"].get<std::int64_t>();
    const auto target = records_.event(static_cast<std::uint64_t>(target_seq));
    const std::string what_en = kind == "void" ? "void" : "correct";
    const std::string what_zh = kind == "void" ? "作废" : "更正";
    if (!target) {
      out_.add("target_seq", "unknown_event", "there is no event " + std::to_string(target_seq),
               "不存在序号为 " + std::to_string(target_seq) + " 的事件");
      return;
    }
    if (target->kind != text_of(p, "target_kind")) {
      out_.add(
          "target_kind", "kind_mismatch",
          "event " + std::to_string(target_seq) + " is a " + target->kind + ", not a " +
              text_of(p, "target_kind"),
          "事件 " + std::to_string(target_seq) + " 的类型为 " + target->kind + "，与所填类型不符");
      return;
    }
    if (target->kind == "void" || target->kind == "correction" ||
        target->kind == "complaint.personal_data_erased" ||
        target->kind == "calendar.year_loaded" || target->kind.rfind("account.", 0) == 0) {
      if (!(kind == "void" && target->kind == "correction")) {
        out_.add(
            "target_seq", "not_amendable",
            "a " + target->kind + " event cannot be " + (kind == "void" ? "voided" : "corrected"),
            "该类事件不能" + what_zh);
        return;
      }
    }
    if (target->voided) {
      out_.add("target_seq", "already_voided",
               "event " + std::to_string(target_seq) + " was already voided",
               "事件 " + std::to_string(target_seq) + " 已被作废");
      return;
    }
    if (kind == "void") {
      if (target->has_live_dependents) {
        out_.add("target_seq", "has_dependents",
                 "later events of this record still count; void them first",
                 "该记录的后续事件仍然有效，请先作废后续事件");
      }
      return;
    }
    correction_values_rules(p, *target);
  }

  void correction_values_rules(const Json& p, const RecordLookup::EventRef& target) {
    const KindSpec* spec = schema_.find(target.kind);
    const Json& values = p["values"];
    for (const auto& [key, value] : values.items()) {
      if (spec->field(key) == nullptr) {
        out_.add("values/" + key, "unknown_field",
                 "a " + target.kind + " has no field '" + key + "'",
                 "该类事件没有字段“" + key + "”");
      } else if (!is_correctable_field(*spec, key)) {
        out_.add("values/" + key, "not_correctable",
                 "this field names the record and cannot be corrected; void the event and record "
                 "it again",
                 "该字段标识记录本身，不能更正；请作废后重新登记");
      }
    }
    if (!out_.empty()) return;
    // The corrected payload must still be a valid event of the target's kind.
    Json merged = target.payload;
    for (const auto& [key, value] : values.items()) {
      if (value.is_null()) {
        merged.erase(key);
      } else {
        merged[key] = value;
      }
    }
    merged.erase("complainant_commitment");
    for (auto& problem : check_payload_fields(schema_, *spec, merged, today_)) {
      problem.field = "values/" + problem.field;
      out_.add(problem.field, problem.code, problem.message_en, problem.message_zh);
    }
    if (!out_.empty()) return;
    Problems cross;
    check_cross_fields(target.kind, merged, cross);
    for (auto& problem : cross.take()) {
      out_.add("values/" + problem.field, problem.code, problem.message_en, problem.message_zh);
    }
  }

  const EventSchema& schema_;
  const RecordLookup& records_;
  CivilDate today_;
  Problems& out_;
};

}  // namespace

bool is_correctable_field(const KindSpec& spec, const std::string& field) {
  if (field == spec.aggregate_field) return false;
  const FieldSpec* f = spec.field(field);
  return f != nullptr && f->type != FieldType::kPersonal;
}

FieldProblems validate_event(const EventSchema& schema, const std::string& kind,
                             const Json& payload, const RecordLookup& records, CivilDate today) {
  const KindSpec* spec = schema.find(kind);
  if (spec == nullptr) {
    // Quote the kind only if it is printable ASCII (messages must stay valid UTF-8).
    const bool printable = std::all_of(kind.begin(), kind.end(), [](char c) {
      return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
    });
    const std::string shown = printable && kind.size() <= 64 ? kind : "(unprintable)";
    return {{"kind", "unknown_kind", "unknown event kind '" + shown + "'",
             "未知的事件类型“" + shown + "”"}};
  }
  FieldProblems problems = check_payload_fields(schema, *spec, payload, today);
  // A credit code confirmed "as printed on the licence" at registration may be referenced as it
  // is: drop a check-character complaint about a reference to such a registered entity.
  if (kind != "entity.registered") {
    std::erase_if(problems, [&](const FieldProblem& p) {
      if (p.code != "uscc_check_char" || !payload.contains(p.field)) return false;
      const auto entity = records.entity(text_of(payload, p.field.c_str()));
      return entity && entity->uscc_as_printed;
    });
  }
  if (!problems.empty()) return problems;
  Problems rules;
  check_cross_fields(kind, payload, rules);
  if (!rules.empty()) return rules.take();
  StateRules(schema, records, today, rules).check(kind, payload);
  return rules.take();
}

}  // namespace qledger
