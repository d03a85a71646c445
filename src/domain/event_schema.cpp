#include "qledger/event_schema.hpp"

#include "identifier_fields.hpp"

#include <algorithm>
#include <stdexcept>

namespace qledger {

namespace {

FieldType parse_type(const std::string& name) {
  static const std::map<std::string, FieldType> kTypes = {
      {"text", FieldType::kText},
      {"long_text", FieldType::kLongText},
      {"code", FieldType::kCode},
      {"date", FieldType::kDate},
      {"instant", FieldType::kInstant},
      {"integer", FieldType::kInteger},
      {"boolean", FieldType::kBoolean},
      {"enum", FieldType::kEnum},
      {"money", FieldType::kMoney},
      {"uscc", FieldType::kUscc},
      {"sc_licence", FieldType::kScLicence},
      {"equipment_code", FieldType::kEquipmentCode},
      {"seq", FieldType::kSeq},
      {"kind", FieldType::kKind},
      {"values", FieldType::kValues},
      {"personal", FieldType::kPersonal},
      {"array", FieldType::kArray},
  };
  const auto it = kTypes.find(name);
  if (it == kTypes.end()) throw std::invalid_argument("schema: unknown field type " + name);
  return it->second;
}

std::vector<FieldSpec> parse_fields(const nlohmann::ordered_json& fields) {
  std::vector<FieldSpec> out;
  for (const auto& [name, f] : fields.items()) {
    FieldSpec spec;
    spec.name = name;
    spec.type = parse_type(f.at("type").get<std::string>());
    spec.required = f.value("required", false);
    spec.allow_future = f.value("allow_future", false);
    spec.enum_name = f.value("enum", "");
    if (f.contains("min")) spec.min = f["min"].get<std::int64_t>();
    if (f.contains("max")) spec.max = f["max"].get<std::int64_t>();
    spec.max_length = f.value("max_length", spec.type == FieldType::kLongText ? 2000u : 200u);
    spec.max_items = f.value("max_items", 50u);
    if (f.contains("items")) spec.items = parse_fields(f["items"]);
    spec.zh = f.value("zh", name);
    spec.en = f.value("en", name);
    out.push_back(std::move(spec));
  }
  return out;
}

// Builds one problem; the messages are prefixed with the field's label.
FieldProblem problem(const std::string& path, const FieldSpec& spec, std::string code,
                     const std::string& en, const std::string& zh) {
  return FieldProblem{path, std::move(code), spec.en + ": " + en, spec.zh + "：" + zh};
}

bool has_control_chars(std::string_view s, bool allow_newline) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n' && allow_newline) continue;
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return true;
  }
  return false;
}

bool is_money(std::string_view s) {
  // digits[.d[d]], no leading zeros except "0", at most 13 integer digits.
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  if (whole.empty() || whole.size() > 13) return false;
  if (whole.size() > 1 && whole[0] == '0') return false;
  for (char c : whole) {
    if (c < '0' || c > '9') return false;
  }
  if (dot == std::string_view::npos) return true;
  const std::string_view frac = s.substr(dot + 1);
  if (frac.empty() || frac.size() > 2) return false;
  for (char c : frac) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_record_code(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '/' || c == '.';
    if (!ok) return false;
  }
  return true;
}

class PayloadChecker {
 public:
  PayloadChecker(const EventSchema& schema, CivilDate today, bool partial)
      : schema_(schema), today_(today), partial_(partial) {}

  void check_object(const std::vector<FieldSpec>& specs, const Json& object,
                    const std::string& prefix, const Json& whole_payload) {
    for (const auto& item : object.items()) {
      const std::string& key = item.key();
      const bool known = std::any_of(specs.begin(), specs.end(),
                                     [&](const FieldSpec& f) { return f.name == key; });
      if (!known) {
        problems_.push_back({prefix + key, "unknown_field", "unknown field '" + key + "'",
                             "未知字段“" + key + "”"});
      }
    }
    for (const auto& spec : specs) {
      const std::string path = prefix + spec.name;
      if (!object.contains(spec.name) || object[spec.name].is_null()) {
        if (spec.required && !partial_) {
          problems_.push_back(problem(path, spec, "required", "is required", "必填"));
        }
        continue;
      }
      check_value(spec, object[spec.name], path, whole_payload);
    }
  }

  FieldProblems take() { return std::move(problems_); }

 private:
  void check_value(const FieldSpec& spec, const Json& v, const std::string& path,
                   const Json& whole_payload) {
    switch (spec.type) {
      case FieldType::kText:
      case FieldType::kLongText:
        return check_text(spec, v, path, spec.type == FieldType::kLongText);
      case FieldType::kCode:
        if (!v.is_string() || !is_record_code(v.get<std::string>())) {
          problems_.push_back(problem(path, spec, "bad_code",
                                      "must be 1 to 64 letters, digits or - _ / .",
                                      "应为 1–64 位字母、数字或 - _ / ."));
        }
        return;
      case FieldType::kDate:
        return check_date(spec, v, path);
      case FieldType::kInstant:
        return check_instant(spec, v, path);
      case FieldType::kInteger:
      case FieldType::kSeq:
        return check_integer(spec, v, path);
      case FieldType::kBoolean:
        if (!v.is_boolean()) {
          problems_.push_back(
              problem(path, spec, "wrong_type", "must be true or false", "应为“是”或“否”"));
        }
        return;
      case FieldType::kEnum:
        return check_enum(spec, v, path);
      case FieldType::kMoney:
        if (!v.is_string() || !is_money(v.get<std::string>())) {
          problems_.push_back(problem(
              path, spec, "bad_money",
              "must be a non-negative amount in yuan with at most 2 decimals, e.g. \"1234.50\"",
              "应为非负金额（元），最多两位小数，如“1234.50”"));
        }
        return;
      case FieldType::kUscc:
      case FieldType::kScLicence:
      case FieldType::kEquipmentCode: {
        if (!v.is_string()) {
          problems_.push_back(problem(path, spec, "wrong_type", "must be text", "应为文本"));
          return;
        }
        // A uscc_as_printed of the wrong type is reported at its own field; here it means no.
        // (Json::value would throw on it: found by the long fuzzing run, 2026-11-27.)
        const auto flag =
            whole_payload.is_object() ? whole_payload.find("uscc_as_printed") : whole_payload.end();
        const bool as_printed =
            flag != whole_payload.end() && flag->is_boolean() && flag->get<bool>();
        if (auto p = check_identifier_field(spec.type, path, spec.en, spec.zh, v.get<std::string>(),
                                            as_printed, today_.year())) {
          problems_.push_back(std::move(*p));
        }
        return;
      }
      case FieldType::kKind:
        if (!v.is_string() || schema_.find(v.get<std::string>()) == nullptr) {
          problems_.push_back(
              problem(path, spec, "bad_kind", "is not a known event kind", "不是已知的事件类型"));
        }
        return;
      case FieldType::kValues:
        if (!v.is_object() || v.empty()) {
          problems_.push_back(problem(path, spec, "wrong_type",
                                      "must be an object with at least one field",
                                      "应至少包含一个字段"));
        }
        return;  // the fields themselves are checked against the target kind by the rules
      case FieldType::kPersonal:
        return check_personal(spec, v, path);
      case FieldType::kArray:
        return check_array(spec, v, path, whole_payload);
    }
  }

  void check_text(const FieldSpec& spec, const Json& v, const std::string& path, bool multiline) {
    if (!v.is_string()) {
      problems_.push_back(problem(path, spec, "wrong_type", "must be text", "应为文本"));
      return;
    }
    const std::string& s = v.get_ref<const std::string&>();
    if (spec.required && s.find_first_not_of(" \t") == std::string::npos) {
      problems_.push_back(problem(path, spec, "required", "must not be blank", "不能为空"));
      return;
    }
    if (has_control_chars(s, multiline)) {
      problems_.push_back(problem(path, spec, "control_character",
                                  "must not contain control characters", "不得包含控制字符"));
    }
    if (utf8_length(s) > spec.max_length) {
      problems_.push_back(
          problem(path, spec, "too_long",
                  "must be at most " + std::to_string(spec.max_length) + " characters",
                  "不得超过 " + std::to_string(spec.max_length) + " 个字符"));
    }
  }

  void check_date(const FieldSpec& spec, const Json& v, const std::string& path) {
    const auto date = v.is_string() ? CivilDate::parse(v.get<std::string>()) : std::nullopt;
    if (!date) {
      problems_.push_back(problem(path, spec, "bad_date", "must be a real date written YYYY-MM-DD",
                                  "应为真实日期，格式为 YYYY-MM-DD"));
    } else if (!spec.allow_future && *date > today_) {
      problems_.push_back(problem(path, spec, "future_date",
                                  "must not be after today (" + today_.to_string() + ")",
                                  "不能晚于今天（" + today_.to_string() + "）"));
    } else if (date->year() < 1950) {
      problems_.push_back(
          problem(path, spec, "bad_date", "must not be before 1950", "不能早于 1950 年"));
    }
  }

  void check_instant(const FieldSpec& spec, const Json& v, const std::string& path) {
    const auto date = v.is_string() ? shanghai_date_of_instant(v.get<std::string>()) : std::nullopt;
    if (!date) {
      problems_.push_back(problem(path, spec, "bad_instant",
                                  "must be a time with offset, e.g. 2026-11-27T14:30:00+08:00",
                                  "应为带时区的时间，如 2026-11-27T14:30:00+08:00"));
    } else if (*date > today_) {
      problems_.push_back(
          problem(path, spec, "future_date", "must not be in the future", "不能晚于当前时间"));
    }
  }

  void check_integer(const FieldSpec& spec, const Json& v, const std::string& path) {
    if (!v.is_number_integer()) {
      problems_.push_back(problem(path, spec, "wrong_type", "must be a whole number", "应为整数"));
      return;
    }
    const auto n = v.get<std::int64_t>();
    const std::int64_t lo = spec.type == FieldType::kSeq ? 1 : spec.min.value_or(INT64_MIN);
    const std::int64_t hi = spec.max.value_or(kMaxSafeInteger);
    if (n < lo || n > hi) {
      const std::string range = std::to_string(lo) + "–" + std::to_string(hi);
      problems_.push_back(problem(path, spec, n < 0 && lo >= 0 ? "negative" : "out_of_range",
                                  "must be between " + range, "应在 " + range + " 之间"));
    }
  }

  void check_enum(const FieldSpec& spec, const Json& v, const std::string& path) {
    const auto& values = schema_.enums().at(spec.enum_name);
    if (v.is_string() && values.count(v.get<std::string>()) != 0) return;
    std::string en, zh;
    for (const auto& [code, label] : values) {
      en += (en.empty() ? "" : ", ") + code;
      zh += (zh.empty() ? "" : "、") + label + "(" + code + ")";
    }
    problems_.push_back(
        problem(path, spec, "bad_enum", "must be one of " + en, "应为以下之一：" + zh));
  }

  void check_personal(const FieldSpec& spec, const Json& v, const std::string& path) {
    if (!v.is_object()) {
      problems_.push_back(
          problem(path, spec, "wrong_type", "must be {\"name\", \"phone\"}", "应包含姓名和电话"));
      return;
    }
    static const std::vector<FieldSpec> kPersonFields = [] {
      FieldSpec name;
      name.name = "name";
      name.required = true;
      name.max_length = 50;
      name.zh = "投诉人姓名";
      name.en = "Complainant's name";
      FieldSpec phone;
      phone.name = "phone";
      phone.max_length = 30;
      phone.zh = "联系电话";
      phone.en = "Phone";
      return std::vector<FieldSpec>{name, phone};
    }();
    check_object(kPersonFields, v, path + "/", v);
    if (v.contains("phone") && v["phone"].is_string()) {
      const std::string& phone = v["phone"].get_ref<const std::string&>();
      const bool ok =
          !phone.empty() && phone.find_first_not_of("0123456789-+ ") == std::string::npos;
      if (!ok) {
        problems_.push_back(problem(path + "/phone", kPersonFields[1], "bad_phone",
                                    "may contain only digits, spaces, '-' and '+'",
                                    "只能包含数字、空格、“-”和“+”"));
      }
    }
  }

  void check_array(const FieldSpec& spec, const Json& v, const std::string& path,
                   const Json& whole_payload) {
    if (!v.is_array()) {
      problems_.push_back(problem(path, spec, "wrong_type", "must be a list", "应为列表"));
      return;
    }
    if (v.size() > spec.max_items) {
      problems_.push_back(
          problem(path, spec, "too_many",
                  "must have at most " + std::to_string(spec.max_items) + " entries",
                  "不得超过 " + std::to_string(spec.max_items) + " 项"));
      return;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string item_path = path + "/" + std::to_string(i);
      if (!v[i].is_object()) {
        problems_.push_back(problem(item_path, spec, "wrong_type", "each entry must be an object",
                                    "每一项都应为对象"));
        continue;
      }
      check_object(spec.items, v[i], item_path + "/", whole_payload);
    }
  }

  const EventSchema& schema_;
  CivilDate today_;
  bool partial_;
  FieldProblems problems_;
};

}  // namespace

const FieldSpec* KindSpec::field(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

EventSchema::EventSchema(const nlohmann::ordered_json& document) {
  for (const auto& [name, values] : document.at("enums").items()) {
    for (const auto& [code, label] : values.items()) enums_[name][code] = label.get<std::string>();
  }
  for (const auto& [kind, k] : document.at("kinds").items()) {
    KindSpec spec;
    spec.kind = kind;
    spec.zh = k.at("zh").get<std::string>();
    spec.en = k.at("en").get<std::string>();
    spec.aggregate_field = k.at("aggregate").get<std::string>();
    spec.fields = parse_fields(k.at("fields"));
    for (const auto& f : spec.fields) {
      if (f.type == FieldType::kEnum && enums_.count(f.enum_name) == 0) {
        throw std::invalid_argument("schema: unknown enum " + f.enum_name);
      }
    }
    kinds_[kind] = std::move(spec);
  }
}

const EventSchema& EventSchema::builtin() {
  static const EventSchema schema(nlohmann::ordered_json::parse(event_schema_json()));
  return schema;
}

const KindSpec* EventSchema::find(std::string_view kind) const {
  const auto it = kinds_.find(std::string(kind));
  return it == kinds_.end() ? nullptr : &it->second;
}

std::string EventSchema::enum_label(std::string_view enum_name, std::string_view code) const {
  const auto e = enums_.find(std::string(enum_name));
  if (e == enums_.end()) return "";
  const auto v = e->second.find(std::string(code));
  return v == e->second.end() ? "" : v->second;
}

FieldProblems check_payload_fields(const EventSchema& schema, const KindSpec& spec,
                                   const Json& payload, CivilDate today, bool partial,
                                   const std::string& prefix) {
  if (!payload.is_object()) {
    return {{prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1), "wrong_type",
             "payload must be a JSON object", "数据应为 JSON 对象"}};
  }
  PayloadChecker checker(schema, today, partial);
  checker.check_object(spec.fields, payload, prefix, payload);
  return checker.take();
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace qledger
