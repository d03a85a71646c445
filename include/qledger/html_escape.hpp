// The one escaping function for every value written into HTML (qledgerd's pages and the HTML
// report) that the code did not write itself.
#pragma once

#include <string>
#include <string_view>

namespace qledger {

// Escapes & < > " ' for use in element text and in double- or single-quoted attribute values.
// Invalid UTF-8 becomes U+FFFD and control characters other than tab and newline are dropped, so
// the output is always valid UTF-8 that cannot open a tag, close an attribute or start an entity.
std::string escape_html(std::string_view text);

}  // namespace qledger
