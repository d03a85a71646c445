// One HTML form per event kind, generated from the event schema (EventSchema::builtin()), and
// the reverse: form fields back into a payload. Field names are "f.<field>", array rows
// "f.<field>.<row>.<item field>", personal data "f.<field>.name" / ".phone"; a problem's field
// path ("failed_items/0/limit") maps to the input "f.failed_items.0.limit".
#pragma once

#include <map>
#include <string>

#include "qledger/canonical_json.hpp"
#include "qledger/event_schema.hpp"
#include "qledger/field_problem.hpp"

namespace qledger::daemon {

using FormValues = std::map<std::string, std::string>;

// The form's inner HTML (fields with their errors and the kept input), without <form> tags.
std::string render_event_fields(const EventSchema& schema, const KindSpec& spec, bool en,
                                const FormValues& values, const FieldProblems& problems);

struct PayloadFromForm {
  Json payload = Json::object();
  FieldProblems problems;  // conversions that failed (not a whole number, not JSON …)
};
PayloadFromForm payload_from_form(const KindSpec& spec, const FormValues& values);

// "failed_items/0/limit" → "f.failed_items.0.limit"; the ledger's "payload/name" → "f.name".
std::string input_name(const std::string& problem_field);

}  // namespace qledger::daemon
