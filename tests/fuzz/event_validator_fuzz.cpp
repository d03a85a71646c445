// libFuzzer target for the event validator (validate_event). The input's first line names the
// event kind, the rest is the payload text; the payload is read with parse_profile_json (the
// CLI's reader) and validated against an in-memory ledger holding a few fixed records: one
// entity of each kind of state, licences, equipment, batches, incidents, complaints and events
// for corrections and voids. On any input the validator must return without crashing or
// throwing, and every problem it reports must have a field path and a code that are valid UTF-8,
// a non-empty code, and non-empty, valid UTF-8 messages in English and Chinese. Any violation
// aborts.
#include "qledger/canonical_json.hpp"
#include "qledger/event_rules.hpp"
#include "qledger/event_schema.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/record_state.hpp"
#include "qledger/working_day_calendar.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace qledger;

void require(bool condition) {
  if (!condition) std::abort();
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t len = b < 0x80             ? 1
                            : (b & 0xE0) == 0xC0 ? 2
                            : (b & 0xF0) == 0xE0 ? 3
                            : (b & 0xF8) == 0xF0 ? 4
                                                 : 0;
    if (len == 0 || len > s.size() - i) return false;
    std::uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    const std::uint32_t min = len == 1 ? 0 : len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

CivilDate day(int y, int m, int d) { return CivilDate(y, m, d); }

// Keys the fake knows (the corpus uses them).
const char* const kEntity = "91341525MA2N000011";
const char* const kOtherEntity = "91341525MA2N000024";
const char* const kLicence = "SC11434152500123";
const char* const kRevokedLicence = "SC11434152500124";
const char* const kLift = "311033035201800001";
const char* const kScrappedCrane = "411033035201000002";
const char* const kFailedFood = "SP-2026-C-00001";
const char* const kPassedFood = "SP-2026-C-00002";
const char* const kMicroFood = "SP-2026-C-00003";
const char* const kAcceptedProduct = "CP-2026-P-00001";
const char* const kOpenIncident = "HS-TZSG-2026-001";
const char* const kClosedIncident = "HS-TZSG-2026-002";
const char* const kReceivedComplaint = "TS20260301-0001";
const char* const kAcceptedComplaint = "TS20260301-0002";
const char* const kClosedComplaint = "TS20260301-0003";

class FakeRecords : public RecordLookup {
 public:
  FakeRecords() : calendar_(WorkingDayCalendar::built_in()) {}

  std::optional<EntityState> entity(const std::string& uscc) const override {
    if (uscc != kEntity && uscc != kOtherEntity) return std::nullopt;
    EntityState s;
    s.uscc = uscc;
    s.name = "霍山县青岚茶业有限公司";
    s.township = "大化坪镇";
    s.industry = "ecological_food";
    s.first_seq = s.last_seq = 1;
    return s;
  }

  std::optional<LicenceState> licence(const std::string& no) const override {
    if (no != kLicence && no != kRevokedLicence) return std::nullopt;
    LicenceState s;
    s.licence_no = no;
    s.uscc = kEntity;
    s.valid_from = day(2024, 1, 1);
    s.valid_to = day(2028, 12, 31);
    if (no == kRevokedLicence) s.revoked_on = day(2026, 5, 1);
    s.first_seq = s.last_seq = 6;
    return s;
  }

  std::optional<EquipmentState> equipment(const std::string& code) const override {
    if (code != kLift && code != kScrappedCrane) return std::nullopt;
    EquipmentState s;
    s.equipment_code = code;
    s.registration_no = "梯10皖N00001(18)";
    s.category = code == kLift ? "lift" : "crane";
    s.user_uscc = kEntity;
    s.township = "衡山镇";
    s.registered_on = s.status_since = day(2018, 5, 1);
    if (code == kScrappedCrane) {
      s.status = "scrapped";
      s.status_since = day(2026, 2, 1);
    }
    s.first_seq = s.last_seq = 7;
    return s;
  }

  std::optional<BatchState> batch(const std::string& no) const override {
    BatchState s;
    s.sample_no = no;
    s.regime = "food";
    s.plan_level = "county";
    s.category = "茶叶（霍山黄芽）";
    s.uscc = kEntity;
    s.lab = "霍山县食品药品检验检测中心";
    s.sampling_date = day(2026, 2, 2);
    s.result_date = day(2026, 2, 26);
    s.first_conclusion = "fail";
    s.first_seq = s.last_seq = s.final_seq = 2;
    if (no == kPassedFood) {
      s.first_conclusion = "pass";
    } else if (no == kMicroFood) {
      s.microbiological = true;
    } else if (no == kAcceptedProduct) {
      s.regime = "product";
      s.notified_on = day(2026, 3, 2);
      s.retest_applied_on = day(2026, 3, 10);
      s.retest_decided_on = day(2026, 3, 12);
      s.retest_accepted = true;
    } else if (no == kFailedFood) {
      s.notified_on = day(2026, 3, 2);
      s.objection_filed_on = day(2026, 3, 4);
    } else {
      return std::nullopt;
    }
    if (s.first_conclusion == "fail") {
      s.retest_window_end =
          retest_window_end(s.regime, s.notified_on.value_or(s.result_date), calendar_);
    }
    return s;
  }

  std::optional<IncidentState> incident(const std::string& no) const override {
    if (no != kOpenIncident && no != kClosedIncident) return std::nullopt;
    IncidentState s;
    s.incident_no = no;
    s.equipment_code = kLift;
    s.occurred_at = "2026-03-01T10:20:00+08:00";
    s.occurred_on = day(2026, 3, 1);
    s.people_trapped = 3;
    s.minutes_trapped = 40;
    if (no == kClosedIncident) s.closed_on = day(2026, 5, 1);
    s.first_seq = s.last_seq = 8;
    return s;
  }

  std::optional<ComplaintState> complaint(const std::string& no) const override {
    ComplaintState s;
    s.complaint_no = no;
    s.channel = "platform";
    s.respondent_name = "霍山县青岚茶业有限公司";
    s.category = "goods";
    s.received_on = day(2026, 3, 1);
    s.accept_due = try_add_working_days(calendar_, s.received_on, 7);
    s.complainant_commitment = std::string(64, 'a');
    s.first_seq = s.last_seq = 9;
    if (no == kAcceptedComplaint || no == kClosedComplaint) {
      s.state = "accepted";
      s.accepted = true;
      s.decided_on = day(2026, 3, 3);
      s.mediation_due = try_add_working_days(calendar_, *s.decided_on, 45);
    }
    if (no == kClosedComplaint) {
      s.state = "closed";
      s.closed_on = day(2026, 4, 1);
      s.recovered_yuan = "120.00";
    } else if (no != kReceivedComplaint && no != kAcceptedComplaint) {
      return std::nullopt;
    }
    return s;
  }

  std::optional<EventRef> event(std::uint64_t seq) const override {
    switch (seq) {
      case 1:
        return EventRef{"entity.registered",
                        Json{{"uscc", kEntity},
                             {"name", "霍山县青岚茶业有限公司"},
                             {"township", "大化坪镇"},
                             {"industry", "ecological_food"}},
                        false, true};
      case 2:
        return EventRef{"inspection.recorded",
                        Json{{"sample_no", kFailedFood},
                             {"regime", "food"},
                             {"plan_level", "county"},
                             {"category", "茶叶（霍山黄芽）"},
                             {"uscc", kEntity},
                             {"sampling_date", "2026-02-02"},
                             {"result_date", "2026-02-26"},
                             {"lab", "霍山县食品药品检验检测中心"},
                             {"conclusion", "fail"},
                             {"notified_on", "2026-03-02"},
                             {"failed_items", Json::array({Json{{"item", "铅（以Pb计）"},
                                                                {"measured", "6.2"},
                                                                {"limit", "≤5.0"},
                                                                {"unit", "mg/kg"},
                                                                {"standard", "GB 2762-2022"}}})}},
                        false, true};
      case 3:
        return EventRef{"correction",
                        Json{{"target_seq", 2},
                             {"target_kind", "inspection.recorded"},
                             {"values", Json{{"lab", "六安市食品药品检验中心"}}},
                             {"reason", "检验机构录入有误"}},
                        false, false};
      case 4:
        return EventRef{"complaint.accepted",
                        Json{{"complaint_no", kAcceptedComplaint}, {"decided_on", "2026-03-03"}},
                        true, false};
      case 5:
        return EventRef{"calendar.year_loaded",
                        Json{{"year", 2026},
                             {"csv", "date,kind,name\n2026-01-01,holiday,元旦\n"},
                             {"source", "国务院办公厅通知"}},
                        false, false};
      case 9:
        return EventRef{"complaint.received",
                        Json{{"complaint_no", kReceivedComplaint},
                             {"received_on", "2026-03-01"},
                             {"channel", "platform"},
                             {"respondent_name", "霍山县青岚茶业有限公司"},
                             {"category", "goods"},
                             {"amount_yuan", "350.00"},
                             {"complainant_commitment", std::string(64, 'a')}},
                        false, false};
      default:
        return std::nullopt;
    }
  }

  const WorkingDayCalendar& calendar() const override { return calendar_; }

 private:
  WorkingDayCalendar calendar_;
};

void check_problems(const FieldProblems& problems) {
  for (const FieldProblem& p : problems) {
    require(!p.code.empty());
    require(valid_utf8(p.code) && valid_utf8(p.field));
    require(!p.message_en.empty() && !p.message_zh.empty());
    require(valid_utf8(p.message_en) && valid_utf8(p.message_zh));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const FakeRecords records;
  const EventSchema& schema = EventSchema::builtin();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  std::string kind(input.substr(0, newline));
  if (!kind.empty() && kind.back() == '\r') kind.pop_back();
  // Kinds reach the validator from JSON documents (valid UTF-8) or after check_leaf_fields. A kind
  // that is not valid UTF-8 is echoed unescaped in the unknown_kind message (reported to the
  // validator's owner); drop this guard once that message escapes it.
  if (!valid_utf8(kind)) return 0;
  CanonicalError error;
  const auto payload = parse_profile_json(input.substr(newline + 1), error, 64 * 1024);
  if (!payload) {
    require(!error.code.empty());
    return 0;
  }
  // Today: the fixed day the corpus was written for, and one derived from the input so that
  // "not after today" and the calendar's edges are reached from both sides.
  const CivilDate fixed(2026, 11, 27);
  check_problems(validate_event(schema, kind, *payload, records, fixed));
  const CivilDate moving = CivilDate(2025, 1, 1).plus_days(static_cast<std::int64_t>(size % 800));
  check_problems(validate_event(schema, kind, *payload, records, moving));
  return 0;
}
