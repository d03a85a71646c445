// The event list's filters (kind, credit code, township, Asia/Shanghai recording dates) select
// exactly the events of the records they name; pagination keeps the filters.
#include <doctest/doctest.h>

#include <set>

#include "daemon_fixture.hpp"
#include "ledger_views.hpp"

using namespace qledger;
using namespace qledger::test;

namespace {

std::uint64_t post(DaemonFixture& d, const std::string& json) {
  const auto res = d.post_json("/api/v1/events", json, &d.inspector);
  REQUIRE_MESSAGE(status(res) == 201, res.body());
  return Json::parse(res.body())["seq"].get<std::uint64_t>();
}

std::string entity_in(int n, const std::string& township) {
  Json payload = {{"uscc", test_uscc(n)},
                  {"name", "Entity " + std::to_string(n)},
                  {"township", township},
                  {"industry", "ecological_food"}};
  return Json{{"kind", "entity.registered"}, {"payload", payload}}.dump();
}

std::string batch_of(int n, const std::string& no) {
  return Json{{"kind", "inspection.recorded"},
              {"payload", inspection_payload(no, true, "product", "2026-11-02", "2026-11-03", n)}}
      .dump();
}

std::set<std::uint64_t> seqs_of(const std::vector<daemon::EventSummary>& events) {
  std::set<std::uint64_t> out;
  for (const auto& e : events) out.insert(e.seq);
  return out;
}

}  // namespace

TEST_SUITE("event_filters") {
  TEST_CASE("credit code, township, kind and dates select exactly their events") {
    DaemonFixture d;
    const auto e1 = post(d, entity_in(1, "衡山镇"));
    const auto e2 = post(d, entity_in(2, "佛子岭镇"));
    const auto b1 = post(d, batch_of(1, "P-1"));
    const auto b2 = post(d, batch_of(2, "P-2"));
    const auto b3 = post(d, batch_of(1, "P-3"));
    Ledger& ledger = *d.ctx->ledger;

    daemon::EventFilter f;
    f.uscc = test_uscc(1);
    CHECK(seqs_of(daemon::list_events(ledger, f, 100)) == std::set<std::uint64_t>{e1, b1, b3});
    f.kind = "inspection.recorded";
    CHECK(seqs_of(daemon::list_events(ledger, f, 100)) == std::set<std::uint64_t>{b1, b3});
    f = {};
    f.township = "佛子岭镇";
    CHECK(seqs_of(daemon::list_events(ledger, f, 100)) == std::set<std::uint64_t>{e2, b2});
    f.uscc = test_uscc(1);  // entity 1 is not in 佛子岭镇
    CHECK(daemon::list_events(ledger, f, 100).empty());
    f = {};
    f.from_seq = b2;
    CHECK(seqs_of(daemon::list_events(ledger, f, 2)) == std::set<std::uint64_t>{b2, b3});

    // Dates: the Asia/Shanghai date of each event's recorded_at, computed independently.
    const auto event = ledger.event(e1);
    REQUIRE(event);
    const auto day = shanghai_date_of_instant(event->recorded_at);
    REQUIRE(day);
    f = {};
    f.from_date = *day;
    f.to_date = *day;
    CHECK(daemon::list_events(ledger, f, 100).size() >= 5);
    f.to_date = day->plus_days(-1);
    f.from_date = day->plus_days(-30);
    CHECK(daemon::list_events(ledger, f, 100).empty());

    // The page: the same selection, the filters kept in the form, bad dates refused.
    const auto page = d.get("/events?uscc=" + test_uscc(2), &d.analyst);
    REQUIRE(status(page) == 200);
    CHECK(page.body().find("<a href=\"/events/" + std::to_string(b2) + "\">") != std::string::npos);
    CHECK(page.body().find("<a href=\"/events/" + std::to_string(b1) + "\">") == std::string::npos);
    CHECK(page.body().find("<option value=\"佛子岭镇\">") != std::string::npos);
    CHECK(status(d.get("/events?date_from=2026-13-01", &d.analyst)) == 400);
    CHECK(status(d.get("/events?township=%3Cscript%3E", &d.analyst)) == 200);
    CHECK(d.get("/events?uscc=%3Cscript%3E", &d.analyst).body().find("<script>") ==
          std::string::npos);
  }

  TEST_CASE("the next-page link carries every filter") {
    daemon::Config config;
    config.page_size = 2;
    DaemonFixture d(config);
    for (int n = 1; n <= 3; ++n) post(d, entity_in(n, "衡山镇"));
    const auto page =
        d.get("/events?township=%E8%A1%A1%E5%B1%B1%E9%95%87&kind=entity.registered", &d.analyst);
    REQUIRE(status(page) == 200);
    CHECK(page.body().find("township=%E8%A1%A1%E5%B1%B1%E9%95%87") != std::string::npos);
    CHECK(page.body().find("kind=entity.registered") != std::string::npos);
  }
}
