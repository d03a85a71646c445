// The targets reports compare figures against, and where they come from: the county quality plan
// (霍山县质量强县建设实施方案, 2021) by default, overridable by a JSON configuration file. The
// provincial special-equipment death rate is not published in the plan: its default (0.3 deaths
// per 10,000 units) is a placeholder the bureau is expected to configure each year.
//
// File format (every key optional; a figure id maps to an object, `null` removes the target):
//   {"product_pass_rate": {"at_least": 0.95, "source": "…"},
//    "food_pass_rate": {"reference": 0.973, "source": "…"},
//    "equipment_death_rate": {"below": 0.3, "source": "…"}}
// `at_least` and `below` are exclusive; rates are fractions (0.95), except the death rate, which
// is per 10,000 units.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace qledger {

enum class TargetKind {
  kNone,     // report only
  kAtLeast,  // the figure should be ≥ value
  kBelow,    // the figure should be < value
};

struct Target {
  TargetKind kind = TargetKind::kNone;
  double value = 0;
  std::optional<double> reference;  // a published comparison value, shown but not judged
  std::string source;               // where the value comes from (free text)
};

struct ReportConfig {
  std::map<std::string, Target> targets;  // by figure id; missing: report only

  // The plan's values: product and agricultural pass rates ≥ 95 %, licensed food producer
  // coverage 100 %, food pass rate report-only with SAMR's 2023 national 97.3 % as reference,
  // death rate below 0.3 per 10,000 units (placeholder for the provincial average).
  static ReportConfig defaults();

  // The target of `figure_id` (kind kNone if there is none).
  Target target_of(const std::string& figure_id) const;
};

// Reads a configuration file's text over the defaults. Throws std::invalid_argument naming the
// offending key on malformed JSON, unknown figure ids or keys, or values out of range.
ReportConfig parse_report_config(std::string_view json_text);

}  // namespace qledger
