// Reports end to end through a real ledger: byte-for-byte reproducibility at a tree size after
// later events (corrections and voids of the period's events included), the diff naming the
// events that changed a figure, the Asia/Shanghai month boundary, the signed checkpoint, and the
// output formats.
#include <doctest/doctest.h>

#include "qledger/checkpoint.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/report.hpp"
#include "qledger/report_formats.hpp"
#include "test_support.hpp"

#include <algorithm>

using namespace qledger;
using qledger::test::TempDir;

namespace {

std::string uscc(int n) {
  char first17[18];
  std::snprintf(first17, sizeof first17, "91341525MA%07d", n);
  return std::string(first17) + *uscc_check_char(first17);
}

struct County {
  TempDir dir;
  std::string db = dir.file("county.db");
  std::unique_ptr<Ledger> ledger;
  SigningKey key;

  County()
      : key((init_ledger(db, default_key_path(db), "qledger.test/county"),
             load_ledger_key(read_info(db), default_key_path(db)))) {
    ledger = open_domain_ledger(db, [] { return CivilDate(2026, 11, 27); });
  }
  static LedgerInfo read_info(const std::string& path) {
    auto conn = open_ledger_database(path, true, 1000);
    return read_ledger_info(*conn);
  }

  std::uint64_t ok(const std::string& kind, Json payload) {
    try {
      return ledger->append({kind, "inspector-1", std::move(payload)}).seq;
    } catch (const AppendRejected& e) {
      FAIL("rejected " << kind << ": " << e.problems().front().field << " "
                       << e.problems().front().code);
      throw;
    }
  }

  void entity(int n, const std::string& township) {
    ok("entity.registered", {{"uscc", uscc(n)},
                             {"name", "企业<" + std::to_string(n) + ">&"},
                             {"township", township},
                             {"industry", "ecological_food"}});
  }

  std::uint64_t batch(const std::string& no, int entity_n, const std::string& regime,
                      const std::string& sampled, const std::string& conclusion) {
    Json p = {{"sample_no", no},
              {"regime", regime},
              {"plan_level", "county"},
              {"category", "茶叶"},
              {"uscc", uscc(entity_n)},
              {"sampling_date", sampled},
              {"result_date", "2026-10-22"},
              {"lab", "六安市检验检测中心"},
              {"conclusion", conclusion}};
    if (conclusion == "fail") {
      p["failed_items"] = Json::array({{{"item", "铅(以Pb计)"},
                                        {"measured", "6.1"},
                                        {"limit", "5.0"},
                                        {"standard", "GB 2762-2022"}}});
      p["notified_on"] = "2026-10-23";
    }
    return ok("inspection.recorded", p);
  }

  std::uint64_t incident(const std::string& no, const std::string& at, int deaths) {
    return ok("incident.reported", {{"incident_no", no},
                                    {"equipment_code", "311034001201900012"},
                                    {"occurred_at", at},
                                    {"deaths", deaths},
                                    {"serious_injuries", 0},
                                    {"minor_injuries", 0},
                                    {"direct_loss_yuan", 0},
                                    {"special_equipment_accident", true}});
  }

  Report report(const std::string& period, std::optional<std::uint64_t> size) {
    return build_report(*ledger, *Period::parse(period), size, ReportConfig::defaults(), &key);
  }
};

const Figure& figure(const Report& r, const std::string& id) {
  for (const auto& f : r.figures.figures) {
    if (f.id == id) return f;
  }
  FAIL("no figure " << id);
  throw std::logic_error("unreachable");
}

void build_october(County& c) {
  c.entity(1, "衡山镇");
  c.entity(2, "佛子岭镇<&>");
  c.ok("licence.granted", {{"licence_no", "SC11434152500012"},
                           {"uscc", uscc(1)},
                           {"valid_from", "2024-01-01"},
                           {"valid_to", "2029-01-01"}});
  c.ok("equipment.registered", {{"equipment_code", "311034001201900012"},
                                {"registration_no", "梯11皖NS0001(19)"},
                                {"category", "lift"},
                                {"user_uscc", uscc(2)},
                                {"township", "佛子岭镇"},
                                {"registered_on", "2019-06-01"}});
  c.batch("F-1", 1, "food", "2026-10-10", "pass");
  c.batch("P-1", 2, "product", "2026-10-12", "pass");
  c.batch("P-2", 2, "product", "2026-10-13", "fail");
  c.batch("A-1", 1, "agri", "2026-10-14", "pass");
  c.ok("complaint.received", {{"complaint_no", "TS-1"},
                              {"received_on", "2026-10-09"},
                              {"channel", "hotline_12315"},
                              {"respondent_uscc", uscc(1)},
                              {"respondent_name", "企业1"},
                              {"category", "goods"},
                              {"amount_yuan", "120.5"}});
  c.ok("complaint.accepted", {{"complaint_no", "TS-1"}, {"decided_on", "2026-10-12"}});
}

}  // namespace

TEST_SUITE("reports") {
  TEST_CASE("a report at size N is reproduced byte for byte after later corrections") {
    County c;
    build_october(c);
    const std::uint64_t n = c.incident("SG-1", "2026-10-31T23:30:00+08:00", 1);
    const Report before = c.report("2026-10", std::nullopt);
    CHECK(before.head.size == n);
    const std::string json = render_report_json(before);
    const std::string csv = render_report_csv(before);
    const std::string html = render_report_html(before);
    CHECK(figure(before, "product_pass_rate").total.denominator +
              figure(before, "product_pass_rate").total.pending ==
          2);
    CHECK(figure(before, "agri_pass_rate").total.numerator == 1);
    CHECK(figure(before, "equipment_death_rate").total.numerator == 1);

    // Later events: an agri batch moved out of October by correction, a food batch voided, the
    // incident's deaths revised, a new October batch, a complaint closed.
    const std::uint64_t fix = c.ok("correction", {{"target_seq", 8},
                                                  {"target_kind", "inspection.recorded"},
                                                  {"values", {{"sampling_date", "2026-09-30"}}},
                                                  {"reason", "抽样日期录入错误"}});
    const std::uint64_t gone =
        c.ok("void",
             {{"target_seq", 5}, {"target_kind", "inspection.recorded"}, {"reason", "重复录入"}});
    const std::uint64_t revised = c.ok("incident.casualties_revised", {{"incident_no", "SG-1"},
                                                                       {"revised_on", "2026-11-05"},
                                                                       {"deaths", 2},
                                                                       {"serious_injuries", 0},
                                                                       {"minor_injuries", 0}});
    const std::uint64_t fresh = c.batch("P-3", 2, "product", "2026-10-20", "pass");
    const std::uint64_t closed =
        c.ok("complaint.closed",
             {{"complaint_no", "TS-1"}, {"closed_on", "2026-10-30"}, {"recovered_yuan", "100.25"}});
    const std::uint64_t unrelated = c.batch("P-9", 2, "product", "2026-09-01", "pass");
    const std::uint64_t m = unrelated;

    const Report again = c.report("2026-10", n);
    CHECK(render_report_json(again) == json);
    CHECK(render_report_csv(again) == csv);
    CHECK(render_report_html(again) == html);

    const Report now = c.report("2026-10", std::nullopt);
    CHECK(now.head.size == m);
    CHECK(figure(now, "agri_pass_rate").total.denominator == 0);
    CHECK(figure(now, "food_pass_rate").total.denominator == 0);
    CHECK(figure(now, "equipment_death_rate").total.numerator == 2);
    CHECK(figure(now, "recovered_losses").total.numerator == 10025);
    CHECK(render_report_json(now) != json);

    const ReportDiff diff =
        diff_reports(*c.ledger, *Period::parse("2026-10"), n, m, ReportConfig::defaults());
    std::vector<std::uint64_t> causes;
    for (const auto& cause : diff.causes) causes.push_back(cause.seq);
    CHECK(causes == std::vector<std::uint64_t>{fix, gone, revised, fresh, closed});
    std::set<std::string> changed;
    for (const auto& ch : diff.changes) {
      if (ch.dimension.empty()) changed.insert(ch.figure_id);
    }
    CHECK(changed.count("agri_pass_rate") == 1);
    CHECK(changed.count("food_pass_rate") == 1);
    CHECK(changed.count("equipment_death_rate") == 1);
    CHECK(changed.count("complaint_closure_rate") == 1);
    CHECK(changed.count("food_licence_coverage") == 1);
    const std::string diff_text = render_report_diff_text(diff);
    CHECK(diff_text.find("#" + std::to_string(fix) + " correction") != std::string::npos);
    const Json dj = report_diff_to_json(diff);
    CHECK(dj["causes"][0]["target_seq"] == 8);
  }

  TEST_CASE("the signed checkpoint covers the report's tree size and root") {
    County c;
    build_october(c);
    const Report r = c.report("2026-Q4", 6);
    CHECK(r.head.size == 6);
    CHECK(r.head.root == c.ledger->root_at(6));
    const OpenedCheckpoint opened =
        open_checkpoint(r.checkpoint, c.key.verifier(), "qledger.test/county");
    REQUIRE(opened.ok);
    CHECK(opened.checkpoint.tree_size == 6);
    CHECK(opened.checkpoint.root_hash == r.head.root);
    CHECK(r.monthly.size() == 3);
    const Json j = report_to_json(r);
    CHECK(j["tree_size"] == 6);
    CHECK(j["root_hash"] == to_hex(r.head.root));
    CHECK(j["checkpoint"] == r.checkpoint);
    CHECK_THROWS_AS(c.report("2026-10", 1000), std::out_of_range);
  }

  TEST_CASE("Asia/Shanghai month boundary: 23:30 local on the 31st is October") {
    County c;
    build_october(c);
    const auto late_local = c.incident("SG-1", "2026-10-31T23:30:00+08:00", 1);
    // 16:30 UTC on the 31st is 00:30 on 1 November in Shanghai.
    const auto utc_written = c.incident("SG-2", "2026-10-31T16:30:00Z", 3);
    const Report oct = c.report("2026-10", std::nullopt);
    const Report nov = c.report("2026-11", std::nullopt);
    CHECK(figure(oct, "equipment_death_rate").total.numerator == 1);
    CHECK(figure(oct, "equipment_death_rate").total.numerator_seqs ==
          std::vector<std::uint64_t>{late_local});
    CHECK(figure(nov, "equipment_death_rate").total.numerator == 3);
    CHECK(figure(nov, "equipment_death_rate").total.numerator_seqs ==
          std::vector<std::uint64_t>{utc_written});
    CHECK(figure(oct, "incidents_general").total.numerator == 1);
    CHECK(figure(nov, "incidents_major").total.numerator == 1);
    // One lift in use: 1 death per 1 unit = 10,000 per 10,000 units.
    CHECK(*figure(oct, "equipment_death_rate").total.rate == 10000.0);
  }

  TEST_CASE("formats: CSV with BOM and Chinese headers, escaped self-contained HTML") {
    County c;
    build_october(c);
    const Report r = c.report("2026-10", std::nullopt);
    const std::string csv = render_report_csv(r);
    REQUIRE(csv.size() > 3);
    CHECK(csv.substr(0, 3) == "\xEF\xBB\xBF");
    CHECK(csv.find("指标") != std::string::npos);
    CHECK(csv.find("工业产品质量监督抽查合格率") != std::string::npos);
    const std::string html = render_report_html(r);
    CHECK(html.find("<html lang=\"zh-CN\">") != std::string::npos);
    CHECK(html.find("<svg") != std::string::npos);
    CHECK(html.find("@page") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("qledger.test/county") != std::string::npos);
    // Values are escaped: entity 2's township is "佛子岭镇<&>".
    CHECK(html.find("佛子岭镇&lt;&amp;&gt;") != std::string::npos);
    CHECK(html.find("佛子岭镇<&>") == std::string::npos);
  }
}
