// One problem with one input field, in both of the bureau's languages. Every validator returns a
// list of these (all problems at once), never a bare string.
#pragma once

#include <string>
#include <vector>

namespace qledger {

struct FieldProblem {
  std::string field;       // JSON-pointer-like path inside the payload, e.g. "failed_items/0/limit"
  std::string code;        // stable machine code, e.g. "required", "uscc_check_char"
  std::string message_en;  // English sentence
  std::string message_zh;  // Chinese sentence (zh-CN)
};

using FieldProblems = std::vector<FieldProblem>;

}  // namespace qledger
