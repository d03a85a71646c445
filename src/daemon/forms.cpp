#include "forms.hpp"

#include <charconv>

#include "qledger/html_escape.hpp"

namespace qledger::daemon {

namespace {

constexpr std::size_t kArrayRows = 3;  // empty rows offered for array fields

std::string label(const FieldSpec& f, bool en) { return en ? f.en : f.zh; }

std::string value_of(const FormValues& values, const std::string& name) {
  const auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

// Problems aimed at `name` (exactly, or inside it for composite fields).
std::string errors_for(const FieldProblems& problems, const std::string& name, bool en,
                       bool include_children) {
  std::string out;
  for (const auto& p : problems) {
    const std::string target = input_name(p.field);
    const bool match = target == name || (include_children && target.rfind(name + ".", 0) == 0);
    if (!match) continue;
    out += "<p class=\"err\" role=\"alert\">" +
           escape_html(en || p.message_zh.empty() ? p.message_en : p.message_zh) + "</p>";
  }
  return out;
}

// `in_row`: an item of an optional array row; the browser must not insist on it (blank rows are
// skipped, and a partly filled row is reported by the validator).
std::string scalar_input(const EventSchema& schema, const FieldSpec& f, const std::string& name,
                         const std::string& value, bool en, bool in_row) {
  const std::string id = escape_html(name);
  const std::string required = f.required && !in_row ? " required" : "";
  switch (f.type) {
    case FieldType::kLongText:
    case FieldType::kValues:
      return "<textarea id=\"" + id + "\" name=\"" + id + "\"" + required + ">" +
             escape_html(value) + "</textarea>";
    case FieldType::kBoolean:
      return "<input type=\"checkbox\" id=\"" + id + "\" name=\"" + id + "\" value=\"true\"" +
             (value == "true" || value == "on" ? " checked" : "") + ">";
    case FieldType::kEnum: {
      std::string out = "<select id=\"" + id + "\" name=\"" + id + "\"" + required +
                        "><option value=\"\"></option>";
      const auto it = schema.enums().find(f.enum_name);
      if (it != schema.enums().end()) {
        for (const auto& [code, zh] : it->second) {
          out += "<option value=\"" + escape_html(code) + "\"" +
                 (code == value ? " selected" : "") + ">" +
                 escape_html(en ? code + " (" + zh + ")" : zh) + "</option>";
        }
      }
      return out + "</select>";
    }
    case FieldType::kDate:
      return "<input type=\"date\" id=\"" + id + "\" name=\"" + id + "\" value=\"" +
             escape_html(value) + "\"" + required + ">";
    case FieldType::kInstant:
      return "<input type=\"text\" id=\"" + id + "\" name=\"" + id + "\" value=\"" +
             escape_html(value) + "\" placeholder=\"2026-11-27T09:30+08:00\"" + required + ">";
    case FieldType::kInteger:
    case FieldType::kSeq:
      return "<input type=\"text\" inputmode=\"numeric\" id=\"" + id + "\" name=\"" + id +
             "\" value=\"" + escape_html(value) + "\"" + required + ">";
    default:
      return "<input type=\"text\" id=\"" + id + "\" name=\"" + id + "\" value=\"" +
             escape_html(value) + "\"" + required + ">";
  }
}

std::string render_field(const EventSchema& schema, const FieldSpec& f, const std::string& name,
                         bool en, const FormValues& values, const FieldProblems& problems,
                         bool in_row = false) {
  const std::string star = f.required ? " <span aria-hidden=\"true\">*</span>" : "";
  if (f.type == FieldType::kArray) {
    std::string rows;
    std::size_t count = kArrayRows;
    for (std::size_t i = kArrayRows; i < f.max_items; ++i) {
      const std::string prefix = name + "." + std::to_string(i) + ".";
      const auto it = values.lower_bound(prefix);
      if (it == values.end() || it->first.rfind(prefix, 0) != 0) break;
      count = i + 1;
    }
    for (std::size_t i = 0; i < count && i < f.max_items; ++i) {
      rows += "<fieldset><legend>" + std::to_string(i + 1) + "</legend>";
      for (const auto& item : f.items) {
        rows += render_field(schema, item, name + "." + std::to_string(i) + "." + item.name, en,
                             values, problems, true);
      }
      rows += "</fieldset>";
    }
    return "<fieldset class=\"field\"><legend>" + escape_html(label(f, en)) + star + "</legend>" +
           errors_for(problems, name, en, false) + rows + "</fieldset>";
  }
  if (f.type == FieldType::kPersonal) {
    std::string out = "<fieldset class=\"field\"><legend>" + escape_html(label(f, en)) + star +
                      "</legend>" + errors_for(problems, name, en, false);
    for (const auto& [part, zh, en_label] :
         {std::tuple{"name", "姓名", "Name"}, std::tuple{"phone", "电话", "Phone"}}) {
      const std::string sub = name + "." + part;
      out += "<div class=\"field\"><label for=\"" + escape_html(sub) + "\">" +
             (en ? en_label : zh) + "</label><input type=\"text\" id=\"" + escape_html(sub) +
             "\" name=\"" + escape_html(sub) + "\" value=\"" + escape_html(value_of(values, sub)) +
             "\">" + errors_for(problems, sub, en, false) + "</div>";
    }
    return out + "</fieldset>";
  }
  const std::string errors = errors_for(problems, name, en, f.type == FieldType::kValues);
  return std::string("<div class=\"field") + (errors.empty() ? "" : " bad") + "\"><label for=\"" +
         escape_html(name) + "\">" + escape_html(label(f, en)) + star + "</label>" +
         scalar_input(schema, f, name, value_of(values, name), en, in_row) + errors + "</div>";
}

std::optional<Json> convert(const FieldSpec& f, const std::string& text, const std::string& path,
                            FieldProblems& problems) {
  if (text.empty()) return std::nullopt;
  switch (f.type) {
    case FieldType::kInteger:
    case FieldType::kSeq: {
      std::int64_t n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size() || n > kMaxSafeInteger ||
          n < -kMaxSafeInteger) {
        problems.push_back({path, "not_integer", "Enter a whole number.", "请输入整数。"});
        return std::nullopt;
      }
      return Json(n);
    }
    case FieldType::kBoolean:
      return Json(text == "true" || text == "on" || text == "1");
    case FieldType::kInstant:
      // What a person types or a datetime-local input sends: local Beijing time.
      if (text.size() == 16 && text[10] == 'T') return Json(text + ":00+08:00");
      if (text.size() == 19 && text[10] == 'T') return Json(text + "+08:00");
      return Json(text);
    case FieldType::kValues: {
      CanonicalError error;
      auto value = parse_profile_json(text, error, 64 * 1024);
      if (!value || !value->is_object()) {
        problems.push_back({path, "invalid_json",
                            "Enter the corrected values as a JSON object, e.g. {\"name\": \"…\"}.",
                            "请以 JSON 对象填写更正后的值，例如 {\"name\": \"…\"}。"});
        return std::nullopt;
      }
      return value;
    }
    default:
      return Json(text);
  }
}

void collect(const FieldSpec& f, const std::string& name, const std::string& path,
             const FormValues& values, Json& into, FieldProblems& problems) {
  if (f.type == FieldType::kArray) {
    Json rows = Json::array();
    for (std::size_t i = 0; i < f.max_items; ++i) {
      Json row = Json::object();
      for (const auto& item : f.items) {
        collect(item, name + "." + std::to_string(i) + "." + item.name,
                path + "/" + std::to_string(rows.size()) + "/" + item.name, values, row, problems);
      }
      if (!row.empty()) rows.push_back(std::move(row));
    }
    if (!rows.empty()) into[f.name] = std::move(rows);
    return;
  }
  if (f.type == FieldType::kPersonal) {
    Json person = Json::object();
    for (const char* part : {"name", "phone"}) {
      const std::string v = value_of(values, name + "." + part);
      if (!v.empty()) person[part] = v;
    }
    if (!person.empty()) into[f.name] = std::move(person);
    return;
  }
  if (auto v = convert(f, value_of(values, name), path, problems)) into[f.name] = std::move(*v);
}

}  // namespace

std::string input_name(const std::string& problem_field) {
  // The ledger's own field checks name payload fields "payload/…"; the validator names them
  // relative to the payload, as the form does.
  constexpr std::string_view kPayload = "payload/";
  const std::string_view field = std::string_view(problem_field).starts_with(kPayload)
                                     ? std::string_view(problem_field).substr(kPayload.size())
                                     : std::string_view(problem_field);
  std::string out = "f.";
  for (char c : field) out.push_back(c == '/' ? '.' : c);
  return out;
}

std::string render_event_fields(const EventSchema& schema, const KindSpec& spec, bool en,
                                const FormValues& values, const FieldProblems& problems) {
  std::string out;
  for (const auto& f : spec.fields) {
    out += render_field(schema, f, "f." + f.name, en, values, problems);
  }
  return out;
}

PayloadFromForm payload_from_form(const KindSpec& spec, const FormValues& values) {
  PayloadFromForm out;
  for (const auto& f : spec.fields) {
    collect(f, "f." + f.name, f.name, values, out.payload, out.problems);
  }
  return out;
}

}  // namespace qledger::daemon
