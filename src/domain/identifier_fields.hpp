// Internal: identifier checks (identifiers.hpp) adapted to schema fields (src/domain only).
#pragma once

#include "qledger/event_schema.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace qledger {

// The first problem with identifier `value` in field `path`, or nullopt if it is acceptable.
// `current_year` bounds equipment manufacturing years. A USCC whose only fault is its check
// character is acceptable when `uscc_as_printed` is set.
std::optional<FieldProblem> check_identifier_field(FieldType type, const std::string& path,
                                                   const std::string& label_en,
                                                   const std::string& label_zh,
                                                   const std::string& value, bool uscc_as_printed,
                                                   int current_year);

}  // namespace qledger
