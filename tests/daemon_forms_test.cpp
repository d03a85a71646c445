// The generated event forms as a browser sees them: required top-level fields are marked for the
// browser, while the items of the optional array rows are not (a passing inspection has no
// failed items, and a browser that insists on them would never submit the form — found by the
// e2e test in Chromium).
#include <doctest/doctest.h>

#include <regex>

#include "forms.hpp"
#include "qledger/event_schema.hpp"

using namespace qledger;

TEST_SUITE("daemon") {
  TEST_CASE("forms: array rows are optional for the browser, top-level fields are not") {
    const EventSchema& schema = EventSchema::builtin();
    const KindSpec* spec = schema.find("inspection.recorded");
    REQUIRE(spec != nullptr);
    const std::string html = daemon::render_event_fields(schema, *spec, false, {}, {});
    const auto required = [&](const std::string& name) {
      const std::regex input("<(input|select|textarea)[^>]* name=\"" +
                             std::regex_replace(name, std::regex("\\."), "\\.") + "\"[^>]*>");
      std::smatch m;
      REQUIRE_MESSAGE(std::regex_search(html, m, input), name);
      return m.str().find(" required") != std::string::npos;
    };
    CHECK(required("f.sample_no"));
    CHECK(required("f.uscc"));
    CHECK(required("f.sampling_date"));
    CHECK(required("f.conclusion"));
    CHECK_FALSE(required("f.notified_on"));  // optional in the schema
    for (const char* row : {"0", "1", "2"}) {
      CHECK_FALSE(required(std::string("f.failed_items.") + row + ".item"));
      CHECK_FALSE(required(std::string("f.failed_items.") + row + ".standard"));
    }
  }
}
