#include "identifier_fields.hpp"

#include "qledger/identifiers.hpp"

namespace qledger {

namespace {
FieldProblem labelled(FieldProblem p, const std::string& path, const std::string& label_en,
                      const std::string& label_zh) {
  p.field = path;
  p.message_en = label_en + ": " + p.message_en;
  p.message_zh = label_zh + "：" + p.message_zh;
  return p;
}
}  // namespace

std::optional<FieldProblem> check_identifier_field(FieldType type, const std::string& path,
                                                   const std::string& label_en,
                                                   const std::string& label_zh,
                                                   const std::string& value, bool uscc_as_printed,
                                                   int current_year) {
  FieldProblems problems;
  switch (type) {
    case FieldType::kUscc: {
      const auto code = check_uscc(value, path);
      if (code.valid || (uscc_as_printed && code.only_check_char_wrong())) return std::nullopt;
      problems = code.problems;
      break;
    }
    case FieldType::kScLicence:
      problems = check_food_licence(value, path).problems;
      break;
    case FieldType::kEquipmentCode:
      problems = check_equipment_code(value, path, current_year).problems;
      break;
    default:
      return std::nullopt;
  }
  if (problems.empty()) return std::nullopt;
  return labelled(problems.front(), path, label_en, label_zh);
}

}  // namespace qledger
