#include "qledger/report_config.hpp"

#include "qledger/canonical_json.hpp"
#include "qledger/figures.hpp"

#include <stdexcept>

namespace qledger {

ReportConfig ReportConfig::defaults() {
  const std::string plan = "霍山县质量强县建设实施方案(2021) / county quality plan 2021";
  ReportConfig c;
  c.targets["product_pass_rate"] = {TargetKind::kAtLeast, 0.95, std::nullopt, plan};
  c.targets["agri_pass_rate"] = {TargetKind::kAtLeast, 0.95, std::nullopt, plan};
  c.targets["food_licence_coverage"] = {TargetKind::kAtLeast, 1.0, std::nullopt, plan};
  c.targets["food_pass_rate"] = {TargetKind::kNone, 0, 0.973,
                                 "市场监管总局2023年全国食品抽检合格率 / SAMR national 2023"};
  c.targets["equipment_death_rate"] = {
      TargetKind::kBelow, 0.3, std::nullopt,
      "全省平均(默认值0.3，须配置) / provincial average (default 0.3, configure it)"};
  return c;
}

Target ReportConfig::target_of(const std::string& figure_id) const {
  const auto it = targets.find(figure_id);
  return it == targets.end() ? Target{} : it->second;
}

namespace {

double number_in(const Json& v, const std::string& where, double max) {
  if (!v.is_number()) throw std::invalid_argument(where + ": must be a number");
  const double x = v.get<double>();
  if (!(x >= 0 && x <= max)) {
    throw std::invalid_argument(where + ": must be between 0 and " + std::to_string(max));
  }
  return x;
}

}  // namespace

ReportConfig parse_report_config(std::string_view json_text) {
  Json doc;
  try {
    doc = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    throw std::invalid_argument(std::string("report configuration is not JSON: ") + e.what());
  }
  if (!doc.is_object()) throw std::invalid_argument("report configuration must be an object");
  ReportConfig config = ReportConfig::defaults();
  for (const auto& [id, spec] : doc.items()) {
    if (find_figure_definition(id) == nullptr) {
      throw std::invalid_argument(id + ": unknown figure id");
    }
    if (spec.is_null()) {
      config.targets.erase(id);
      continue;
    }
    if (!spec.is_object()) throw std::invalid_argument(id + ": must be an object or null");
    const double max = id == "equipment_death_rate" ? 10000.0 : 1.0;
    Target t;
    for (const auto& [key, value] : spec.items()) {
      const std::string where = id + "/" + key;
      if (key == "at_least" || key == "below") {
        if (t.kind != TargetKind::kNone) {
          throw std::invalid_argument(id + ": give at most one of at_least and below");
        }
        t.kind = key == "at_least" ? TargetKind::kAtLeast : TargetKind::kBelow;
        t.value = number_in(value, where, max);
      } else if (key == "reference") {
        t.reference = number_in(value, where, max);
      } else if (key == "source") {
        if (!value.is_string()) throw std::invalid_argument(where + ": must be text");
        t.source = value.get<std::string>();
      } else {
        throw std::invalid_argument(where + ": unknown key");
      }
    }
    config.targets[id] = t;
  }
  return config;
}

}  // namespace qledger
