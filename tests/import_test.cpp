// CSV import and export end to end: real files in a scratch directory, in UTF-8 (with and without
// BOM) and GB18030, imported through Ledger::append_all with the domain rules; every broken file
// is refused whole with the exact row, line and column; exports stream every event.
#include <doctest/doctest.h>
#include <iconv.h>

#include <SQLiteCpp/Statement.h>

#include <fstream>
#include <set>
#include <sstream>

#include "qledger/csv_import.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/ledger_setup.hpp"
#include "test_support.hpp"

using namespace qledger;
using qledger::test::TempDir;

namespace {

const CivilDate kToday(2026, 11, 27);

std::string uscc(int n) {
  std::string digits = std::to_string(n);
  const std::string first17 = "91341525MA" + std::string(7 - digits.size(), '0') + digits;
  return first17 + *uscc_check_char(first17);
}

// UTF-8 -> GB18030 with glibc iconv (the inverse of what the importer does).
std::string to_gb18030(const std::string& utf8) {
  const iconv_t cd = iconv_open("GB18030", "UTF-8");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* o = out.data();
  std::size_t o_left = out.size();
  const std::size_t r = iconv(cd, &in, &in_left, &o, &o_left);
  iconv_close(cd);
  REQUIRE(r != static_cast<std::size_t>(-1));
  out.resize(out.size() - o_left);
  return out;
}

std::vector<std::vector<std::string>> parse_all(const std::string& bytes) {
  std::istringstream in(bytes);
  CsvReader reader(in);
  CsvRecord record;
  std::vector<std::vector<std::string>> out;
  while (reader.next(record)) {
    CHECK(record.issues.empty());
    out.push_back(record.cells);
  }
  return out;
}

struct Bureau {
  TempDir dir;
  std::string db = dir.file("bureau.db");
  std::unique_ptr<Ledger> ledger;

  Bureau() {
    init_ledger(db, default_key_path(db), "qledger.test/import");
    ledger = open_domain_ledger(db, [] { return kToday; });
  }

  // Writes `bytes` to a file and imports it.
  ImportResult import(const std::string& kind, const std::string& bytes, bool dry_run = false,
                      EncodingChoice encoding = EncodingChoice::kAuto) {
    const std::string path = dir.file("rows.csv");
    test::write_text(path, bytes);
    std::ifstream in(path, std::ios::binary);
    return import_csv(*ledger, in, {kind, "科员甲", encoding, dry_run});
  }

  std::uint64_t size() { return ledger->head().size; }

  Json payload(std::uint64_t seq) {
    const auto e = ledger->event(seq);
    REQUIRE(e.has_value());
    LeafError error;
    const auto leaf = decode_leaf(e->leaf, error);
    REQUIRE(leaf.has_value());
    return leaf->payload;
  }

  std::string scalar(const std::string& sql) {
    std::string out;
    ledger->with_reader([&](SQLite::Database& conn) {
      SQLite::Statement q(conn, sql);
      if (q.executeStep()) out = q.getColumn(0).isNull() ? "NULL" : q.getColumn(0).getString();
    });
    return out;
  }

  // Entities 1..n, registered by importing a CSV file.
  void entities(int n) {
    std::string csv = "uscc,name,township,industry\n";
    for (int i = 1; i <= n; ++i) {
      csv += uscc(i) + ",企业" + std::to_string(i) + ",衡山镇,ecological_food\n";
    }
    const auto r = import("entity.registered", csv);
    REQUIRE(r.committed);
  }
};

std::string describe(const ImportResult& r) {
  std::string out;
  for (const auto& p : r.problems) {
    out += "row " + std::to_string(p.row) + " line " + std::to_string(p.line) + " [" + p.column +
           "] " + p.field + " " + p.code + ": " + p.message_en + "\n";
  }
  return out;
}

// The single problem expected, as (row, line, column, code).
void expect_only(const ImportResult& r, std::uint64_t row, std::uint64_t line,
                 const std::string& column, const std::string& code) {
  INFO(describe(r));
  CHECK_FALSE(r.committed);
  CHECK_FALSE(r.valid);
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].row == row);
  CHECK(r.problems[0].line == line);
  CHECK(r.problems[0].column == column);
  CHECK(r.problems[0].code == code);
  CHECK_FALSE(r.problems[0].message_en.empty());
  CHECK_FALSE(r.problems[0].message_zh.empty());
}

const std::string kInspectionHeader =
    "抽样单编号,抽检类型,计划层级,产品类别,被抽样单位统一社会信用代码,抽样日期,检验结论日期,"
    "检验机构,检验结论,不合格项目\r\n";

std::string inspection_row(const std::string& no, int entity, const std::string& sampled,
                           const std::string& conclusion = "合格", const std::string& items = "") {
  return no + ",食品安全监督抽检,县抽,茶叶," + uscc(entity) + "," + sampled +
         ",2026-09-22,\"六安市检验检测中心, 食品室\"," + conclusion + "," + items + "\r\n";
}

const std::string kCli = QLEDGER_CLI_PATH;

test::CommandResult ql(const std::string& args) {
  return test::run_command(test::shell_quote(kCli) + " " + args + " 2>/dev/null");
}

}  // namespace

TEST_SUITE("import") {
  TEST_CASE("CSV records: quotes, doubled quotes, commas and line breaks inside cells") {
    const std::string bytes =
        "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        "\"two\r\nlines\",,x\n"
        "\n"
        "last,\"\"\r"
        "only";
    std::istringstream in(bytes);
    CsvReader reader(in);
    CsvRecord r;
    REQUIRE(reader.next(r));
    CHECK(r.line == 1);
    CHECK(r.cells == std::vector<std::string>{"a", "b,c", "say \"hi\""});
    REQUIRE(reader.next(r));
    CHECK(r.line == 2);
    CHECK(r.cells == std::vector<std::string>{"two\nlines", "", "x"});
    REQUIRE(reader.next(r));
    CHECK(r.line == 4);
    CHECK(r.blank());
    REQUIRE(reader.next(r));
    CHECK(r.line == 5);  // CR alone ends a line too
    CHECK(r.cells == std::vector<std::string>{"last", ""});
    REQUIRE(reader.next(r));
    CHECK(r.line == 6);
    CHECK(r.cells == std::vector<std::string>{"only"});
    CHECK_FALSE(reader.next(r));

    std::istringstream broken("ok,bad\"quote\n\"closed\"junk,x\n\"never closed,\n");
    CsvReader reader2(broken);
    REQUIRE(reader2.next(r));
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].code == "stray_quote");
    CHECK(r.issues[0].cell == 1);
    REQUIRE(reader2.next(r));
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].code == "text_after_quote");
    REQUIRE(reader2.next(r));
    CHECK(r.line == 3);
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].code == "unclosed_quote");
    CHECK_FALSE(reader2.next(r));
  }

  TEST_CASE("CSV cells are written so that they read back, formulas defused") {
    std::string out;
    const std::vector<std::string> cells = {"plain", "a,b",      "say \"x\"", "two\nlines",
                                            " pad ", "=SUM(A1)", "+86 138",   "-1",
                                            "@x",    "",         "中文"};
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';
      append_csv_cell(out, cells[i], true);
    }
    out += "\r\n";
    const auto back = parse_all(out);
    REQUIRE(back.size() == 1);
    const std::vector<std::string> expected = {"plain", "a,b",       "say \"x\"", "two\nlines",
                                               " pad ", "'=SUM(A1)", "'+86 138",  "'-1",
                                               "'@x",   "",          "中文"};
    CHECK(back[0] == expected);
    std::string unguarded;
    append_csv_cell(unguarded, "=1", false);
    CHECK(unguarded == "=1");
  }

  TEST_CASE("every kind has a column layout with unique headers") {
    const auto& schema = EventSchema::builtin();
    for (const auto& [name, kind] : schema.kinds()) {
      const ImportLayout layout(schema, kind);  // throws on a header clash
      CHECK(layout.columns().size() >= kind.fields.size());
      for (const auto& f : kind.fields) {
        if (f.type == FieldType::kPersonal) continue;
        REQUIRE(layout.find(f.name) != nullptr);
        CHECK(layout.find(f.zh) == layout.find(f.name));
      }
    }
    const ImportLayout complaint(schema, *schema.find("complaint.received"));
    REQUIRE(complaint.find("投诉人姓名") != nullptr);
    CHECK(complaint.find("投诉人姓名")->name == "complainant_name");
    CHECK(complaint.find(" 联系电话 ")->name == "complainant_phone");
    CHECK(complaint.find("complainant") == nullptr);
  }

  TEST_CASE("GB18030 bytes of 合格 are BA CF B8 F1 and decode back") {
    CHECK(to_gb18030("合格") == "\xBA\xCF\xB8\xF1");
    CellDecoder decoder(TextEncoding::kGb18030);
    std::string out;
    std::size_t bad = 0;
    CHECK(decoder.decode("\xBA\xCF\xB8\xF1", out, bad));
    CHECK(out == "合格");
    CHECK_FALSE(decoder.decode("ab\xFF", out, bad));
    CHECK(bad == 2);
    CHECK_FALSE(decoder.decode("\xBA", out, bad));  // cut short
    CHECK(first_invalid_utf8("ok\xE5\x90") == 2);
    CHECK(first_invalid_utf8("\xED\xA0\x80") == 0);  // a surrogate
    CHECK(first_invalid_utf8("合格") == std::string_view::npos);
  }

  TEST_CASE("a good UTF-8 file with BOM and Chinese headers imports every row") {
    Bureau b;
    b.entities(3);
    CHECK(b.size() == 3);
    const std::string csv =
        "\xEF\xBB\xBF" + kInspectionHeader + inspection_row("CJ-001", 1, "2026/9/10") +
        inspection_row("CJ-002", 2, "2026年9月10日", "不合格",
                       "\"铅(以Pb计)|6.1|5.0|GB 2762-2022|mg/kg|否;镉|0.9|0.5|GB 2762-2022\"") +
        inspection_row("CJ-003", 3, "2026-09-10", "pass");
    const auto r = b.import("inspection.recorded", csv);
    INFO(describe(r));
    CHECK(r.committed);
    CHECK(r.valid);
    CHECK(r.encoding == TextEncoding::kUtf8);
    CHECK(r.rows == 3);
    CHECK(r.first_seq == 4);
    CHECK(r.last_seq == 6);
    CHECK(b.size() == 6);
    const Json first = b.payload(4);
    CHECK(first["sampling_date"] == "2026-09-10");
    CHECK(first["regime"] == "food");
    CHECK(first["plan_level"] == "county");
    CHECK(first["conclusion"] == "pass");
    CHECK(first["lab"] == "六安市检验检测中心, 食品室");
    const Json second = b.payload(5);
    CHECK(second["conclusion"] == "fail");
    REQUIRE(second["failed_items"].size() == 2);
    CHECK(second["failed_items"][0] == Json{{"item", "铅(以Pb计)"},
                                            {"measured", "6.1"},
                                            {"limit", "5.0"},
                                            {"standard", "GB 2762-2022"},
                                            {"unit", "mg/kg"},
                                            {"microbiological", false}});
    CHECK(second["failed_items"][1]["item"] == "镉");
    CHECK_FALSE(second["failed_items"][1].contains("unit"));
    CHECK(b.scalar("SELECT COUNT(*) FROM batches") == "3");
  }

  TEST_CASE("without BOM, field-name headers in any order, JSON failed items, blank rows") {
    Bureau b;
    b.entities(1);
    const std::string csv =
        "conclusion,sample_no,regime,plan_level,category,uscc,sampling_date,result_date,lab,"
        "failed_items,notified_on\n"
        "fail,CJ-9,food,county,茶叶," +
        uscc(1) +
        ",2026-09-10,2026-09-22,县中心,"
        "\"[{\"\"item\"\":\"\"铅\"\",\"\"measured\"\":\"\"6.1\"\",\"\"limit\"\":\"\"5.0\"\","
        "\"\"standard\"\":\"\"GB 2762-2022\"\"}]\",2026/9/24\n"
        ",,,,,,,,,,\n"
        "\n";
    const auto r = b.import("inspection.recorded", csv);
    INFO(describe(r));
    CHECK(r.committed);
    CHECK(r.rows == 3);
    CHECK(r.blank_rows == 2);
    CHECK(r.requests == 1);
    const Json p = b.payload(2);
    CHECK(p["failed_items"][0]["item"] == "铅");
    CHECK(p["notified_on"] == "2026-09-24");
  }

  TEST_CASE("a GB18030 file is detected, or read as told; as UTF-8 it is refused") {
    Bureau b;
    b.entities(2);
    const std::string utf8 = kInspectionHeader + inspection_row("GB-1", 1, "2026-09-10") +
                             inspection_row("GB-2", 2, "2026-09-11");
    const std::string gb = to_gb18030(utf8);
    CHECK(first_invalid_utf8(gb) != std::string_view::npos);

    const auto forced_utf8 = b.import("inspection.recorded", gb, false, EncodingChoice::kUtf8);
    CHECK_FALSE(forced_utf8.committed);
    REQUIRE_FALSE(forced_utf8.problems.empty());
    CHECK(forced_utf8.problems[0].code == "bad_encoding");
    CHECK(forced_utf8.problems[0].row == 0);  // the header is already not UTF-8

    const auto dry = b.import("inspection.recorded", gb, true);
    INFO(describe(dry));
    CHECK(dry.encoding == TextEncoding::kGb18030);
    CHECK(dry.encoding_note.find("line 1") != std::string::npos);
    CHECK(dry.valid);
    CHECK_FALSE(dry.committed);
    CHECK(b.size() == 2);

    const auto told = b.import("inspection.recorded", gb, false, EncodingChoice::kGb18030);
    INFO(describe(told));
    CHECK(told.committed);
    CHECK(b.size() == 4);
    CHECK(b.payload(3)["lab"] == "六安市检验检测中心, 食品室");
    CHECK(b.payload(4)["category"] == "茶叶");

    // A UTF-8 BOM contradicting --encoding gb18030 is refused, not guessed at.
    const auto conflict =
        b.import("inspection.recorded", "\xEF\xBB\xBF" + utf8, false, EncodingChoice::kGb18030);
    expect_only(conflict, 0, 0, "", "encoding_conflict");
  }

  TEST_CASE("bytes invalid in both UTF-8 and GB18030 are reported at their row") {
    Bureau b;
    b.entities(2);
    std::string gb = to_gb18030(kInspectionHeader + inspection_row("GB-1", 1, "2026-09-10") +
                                "\r\n" + inspection_row("GB-2", 2, "2026-09-11"));
    const std::string tea = to_gb18030("茶叶");
    gb.insert(gb.rfind(tea) + tea.size(), "\xFF");  // invalid in GB18030 and in UTF-8
    const auto r = b.import("inspection.recorded", gb);
    CHECK(r.encoding == TextEncoding::kGb18030);
    expect_only(r, 3, 4, "产品类别", "bad_encoding");  // row 2 is the blank line
    CHECK(r.problems[0].message_en.find("0xFF") != std::string::npos);
    CHECK(r.problems[0].message_en.find("not valid UTF-8 either") != std::string::npos);
    CHECK(b.size() == 2);  // GB-1 was fine, but nothing is written
  }

  TEST_CASE("header problems: missing required column, unknown and repeated columns") {
    Bureau b;
    b.entities(1);
    const auto missing =
        b.import("entity.registered", "uscc,name,industry\n" + uscc(9) + ",x,other\n");
    expect_only(missing, 0, 1, "township", "missing_column");
    CHECK(missing.rows == 0);

    const auto unknown = b.import("entity.registered",
                                  "uscc,名称,乡镇,industry,电话\n" + uscc(9) + ",x,y,other,1\n");
    expect_only(unknown, 0, 1, "电话", "unknown_column");

    const auto twice = b.import("entity.registered",
                                "uscc,name,名称,township,industry\n" + uscc(9) + ",x,x,y,other\n");
    expect_only(twice, 0, 1, "名称", "duplicate_column");

    const auto empty = b.import("entity.registered", "");
    expect_only(empty, 0, 1, "", "no_header");
    CHECK(b.size() == 1);
  }

  TEST_CASE("a date that does not exist is reported with its row, line and column") {
    Bureau b;
    b.entities(2);
    const std::string csv = kInspectionHeader + inspection_row("D-1", 1, "2026-09-10") +
                            inspection_row("D-2", 2, "2026-02-30");
    const auto r = b.import("inspection.recorded", csv);
    expect_only(r, 2, 3, "抽样日期", "bad_date");
    CHECK(r.problems[0].field == "sampling_date");
    CHECK(r.problems[0].message_en.find("2026-02-30") != std::string::npos);
    CHECK(b.size() == 2);

    // Other spellings of a non-existent date, and a spreadsheet date number.
    for (const char* text : {"2026/2/30", "2026年2月30日", "46000", "30.02.2026"}) {
      const auto again =
          b.import("inspection.recorded", kInspectionHeader + inspection_row("D-3", 1, text));
      expect_only(again, 1, 2, "抽样日期", "bad_date");
    }
  }

  TEST_CASE("negative counts are refused by the validator, mapped to their column") {
    Bureau b;
    const std::string csv =
        "incident_no,equipment_code,发生时间,deaths,serious_injuries,minor_injuries,"
        "direct_loss_yuan,special_equipment_accident\n"
        "SG-1,311034001201900012,2026-11-20 14:30,0,-2,0,\"1,000\",是\n";
    const auto r = b.import("incident.reported", csv);
    expect_only(r, 1, 2, "serious_injuries", "negative");
    CHECK(b.size() == 0);
  }

  TEST_CASE("a duplicate sample number inside the file: the second row is reported") {
    Bureau b;
    b.entities(2);
    const std::string csv = kInspectionHeader + inspection_row("DUP-1", 1, "2026-09-10") +
                            inspection_row("OK-2", 2, "2026-09-10") +
                            inspection_row("DUP-1", 2, "2026-09-11");
    const auto r = b.import("inspection.recorded", csv);
    expect_only(r, 3, 4, "抽样单编号", "duplicate");
    CHECK(r.problems[0].field == "sample_no");
    CHECK(r.bad_rows == 1);
    CHECK(b.size() == 2);  // all or nothing: the two good rows are not written either
    CHECK(b.scalar("SELECT COUNT(*) FROM batches") == "0");
  }

  TEST_CASE("a reference to an entity that is not registered") {
    Bureau b;
    b.entities(1);
    const std::string csv = kInspectionHeader + inspection_row("R-1", 1, "2026-09-10") +
                            inspection_row("R-2", 7, "2026-09-10");
    const auto r = b.import("inspection.recorded", csv);
    expect_only(r, 2, 3, "被抽样单位统一社会信用代码", "unknown_entity");
    CHECK(b.size() == 1);
  }

  TEST_CASE("conversion and validation problems of many rows are reported together") {
    Bureau b;
    b.entities(1);
    const std::string csv = "uscc,name,township,industry,uscc_as_printed\n" +  // line 1
                            uscc(2) + ",甲,\"衡山\n镇\",other,也许\n" +        // row 1, lines 2-3
                            uscc(3) + ",乙,衡山镇,medicine,\n" +               // row 2, line 4
                            uscc(1) + ",丙,衡山镇,other,\n" +    // row 3, line 5: duplicate
                            uscc(4) + ",丁,衡山镇,other,否\n" +  // row 4, line 6: fine
                            "\"bad\"x,戊,衡山镇,other,\n";       // row 5, line 7: CSV syntax
    const auto r = b.import("entity.registered", csv);
    INFO(describe(r));
    CHECK_FALSE(r.committed);
    CHECK(r.rows == 5);
    CHECK(r.bad_rows == 4);
    std::set<std::string> seen;
    for (const auto& p : r.problems) {
      seen.insert(std::to_string(p.row) + "/" + std::to_string(p.line) + "/" + p.column + "/" +
                  p.code);
    }
    // Row 1: the boolean cannot be read; its one-line township has a line break.
    CHECK(seen.count("1/2/uscc_as_printed/bad_boolean") == 1);
    CHECK(seen.count("1/2/township/control_character") == 1);
    CHECK(seen.count("2/4/industry/bad_enum") == 1);
    CHECK(seen.count("3/5/uscc/duplicate") == 1);
    CHECK(seen.count("5/7/uscc/csv_syntax") == 1);
    CHECK(seen.size() == r.problems.size());
    CHECK(b.size() == 1);

    // A row whose only problem is a conversion problem is not written either.
    const auto one = b.import("entity.registered", "uscc,name,township,industry,uscc_as_printed\n" +
                                                       uscc(5) + ",己,衡山镇,other,maybe\n");
    expect_only(one, 1, 2, "uscc_as_printed", "bad_boolean");
    CHECK(b.size() == 1);
  }

  TEST_CASE("a dry run checks everything and writes nothing") {
    Bureau b;
    b.entities(2);
    const std::string csv = kInspectionHeader + inspection_row("DRY-1", 1, "2026-09-10") +
                            inspection_row("DRY-2", 2, "2026-09-10");
    const auto r = b.import("inspection.recorded", csv, true);
    CHECK(r.valid);
    CHECK_FALSE(r.committed);
    CHECK(r.first_seq == 3);
    CHECK(r.last_seq == 4);
    CHECK(b.size() == 2);
    CHECK(b.scalar("SELECT COUNT(*) FROM batches") == "0");
    const auto bad =
        b.import("inspection.recorded", csv + inspection_row("DRY-1", 1, "2026-09-10"), true);
    expect_only(bad, 3, 4, "抽样单编号", "duplicate");
    CHECK(b.size() == 2);
  }

  TEST_CASE("complainants' personal data go to their own table, not into the leaf") {
    Bureau b;
    const std::string csv =
        "投诉编号,收到日期,来源渠道,被投诉方名称,投诉类别,投诉人姓名,联系电话,争议金额（元）,"
        "投诉内容\n"
        "TS-1,2026-10-09,12315热线,某超市,商品,张三,138 0000 "
        "0000,\"1,280.50\",\"买到过期\r\n牛奶\"\n"
        "TS-2,2026-10-10,letter,某饭店,services,,,,\n"
        "TS-3,2026-10-11,walk_in,某店,goods,,13900000000,,\n";
    const auto r = b.import("complaint.received", csv);
    // TS-3 has a phone but no name: the validator's complainant/name maps to the name column.
    expect_only(r, 3, 5, "投诉人姓名", "required");  // TS-1 spans lines 2-3
    CHECK(r.problems[0].field == "complainant/name");

    const auto ok = b.import("complaint.received", csv.substr(0, csv.rfind("TS-3")));
    INFO(describe(ok));
    REQUIRE(ok.committed);
    const Json p = b.payload(1);
    CHECK_FALSE(p.contains("complainant"));
    CHECK(p["complainant_commitment"].get<std::string>().size() == 64);
    CHECK(p["amount_yuan"] == "1280.50");
    CHECK(p["summary"] == "买到过期\n牛奶");
    CHECK(b.scalar("SELECT name || '/' || phone FROM personal_data") == "张三/138 0000 0000");
    CHECK_FALSE(b.payload(2).contains("complainant_commitment"));
  }

  TEST_CASE("import and export from the command line") {
    TempDir dir;
    const std::string db = dir.file("county.db");
    const std::string q = test::shell_quote(db);
    REQUIRE(ql("init --db " + q).exit_code == 0);
    // Complaints need no other records: 20,000 rows, every fifth with personal data.
    {
      std::ofstream out(dir.file("complaints.csv"), std::ios::binary);
      out << "\xEF\xBB\xBF投诉编号,收到日期,来源渠道,被投诉方名称,投诉类别,投诉人姓名,联系电话,"
             "投诉内容\r\n";
      for (int i = 1; i <= 20000; ++i) {
        out << "TS-" << i << ",2026-10-09,hotline_12315,\"=某超市" << i << "\",goods,"
            << (i % 5 == 0 ? "李四,+86 139 0000 0000" : ",") << ",\"过期\r\n牛奶\"\r\n";
      }
    }
    const std::string csv = test::shell_quote(dir.file("complaints.csv"));
    // A dry run, from standard input, writes nothing.
    test::write_text(dir.file("three.csv"),
                     "complaint_no,received_on,channel,respondent_name,category\n"
                     "TS-1,2026-10-09,letter,某店,goods\nTS-2,2026-10-09,letter,某店,goods\n"
                     "TS-3,2026-10-09,letter,某店,goods\n");
    const auto dry = ql("import --db " + q + " --kind complaint.received --dry-run - < " +
                        test::shell_quote(dir.file("three.csv")));
    CHECK(dry.exit_code == 0);
    CHECK(dry.output.find("rows: 3\n") != std::string::npos);
    CHECK(dry.output.find("valid, nothing written (dry run); 3 events would get seq 1–3") !=
          std::string::npos);
    CHECK(ql("export --db " + q + " --format jsonl").output.empty());
    const auto imported =
        ql("import --db " + q + " --kind complaint.received --actor 科员乙 " + csv);
    INFO(imported.output);
    REQUIRE(imported.exit_code == 0);
    CHECK(imported.output.find("imported 20000 events, seq 1–20000") != std::string::npos);

    // Refused: the report names rows and lines; exit 1; nothing written.
    test::write_text(dir.file("bad.csv"),
                     "complaint_no,received_on,channel,respondent_name,category\n"
                     "TS-1,2026-10-09,letter,某店,goods\n"
                     "TS-X,2026-13-01,letter,某店,goods\n");
    const auto refused = ql("import --db " + q + " --kind complaint.received " +
                            test::shell_quote(dir.file("bad.csv")));
    CHECK(refused.exit_code == 1);
    CHECK(refused.output.find("row 1 (line 2), column \"complaint_no\": duplicate") !=
          std::string::npos);
    CHECK(refused.output.find("row 2 (line 3), column \"received_on\": bad_date") !=
          std::string::npos);
    CHECK(ql("import --db " + q + " --kind no.such " + csv).exit_code == 2);
    CHECK(
        ql("import --db " + q + " --kind complaint.received --encoding latin1 " + csv).exit_code ==
        2);
    CHECK(ql("import --db " + q + " --kind complaint.received /nonexistent.csv").exit_code == 2);

    // JSON Lines: one object per event, personal data only on request.
    const std::string jsonl = dir.file("all.jsonl");
    REQUIRE(
        ql("export --db " + q + " --format jsonl --out " + test::shell_quote(jsonl)).exit_code ==
        0);
    std::ifstream lines(jsonl);
    std::string line;
    std::uint64_t count = 0;
    while (std::getline(lines, line)) {
      const Json e = Json::parse(line);
      CHECK(e["seq"] == ++count);
      if (count == 5) {
        CHECK(e["kind"] == "complaint.received");
        CHECK(e["actor"] == "科员乙");
        CHECK(e["payload"]["complaint_no"] == "TS-5");
        CHECK(e["leaf_hash"].get<std::string>().size() == 64);
        CHECK_FALSE(e.contains("complainant"));
      }
    }
    CHECK(count == 20000);
    CHECK(test::read_text(jsonl).find("李四") == std::string::npos);
    CHECK(std::filesystem::file_size(jsonl) > 20000u * 250u);  // streamed in full

    const auto with_personal = ql("export --db " + q +
                                  " --format jsonl --kind complaint.received --from-seq 19996 "
                                  "--include-personal-data");
    REQUIRE(with_personal.exit_code == 0);
    std::istringstream tail(with_personal.output);
    std::vector<Json> events;
    while (std::getline(tail, line)) events.push_back(Json::parse(line));
    REQUIRE(events.size() == 5);
    CHECK(events[0]["seq"] == 19996);
    CHECK_FALSE(events[0].contains("complainant"));
    CHECK(events[4]["complainant"] == Json{{"name", "李四"}, {"phone", "+86 139 0000 0000"}});

    // CSV: BOM, Chinese headers, payload as JSON in one cell, formulas defused.
    const auto exported = ql("export --db " + q + " --format csv --include-personal-data");
    REQUIRE(exported.exit_code == 0);
    CHECK(exported.output.rfind(
              "\xEF\xBB\xBF序号,类型,记录时间,记录人,叶哈希,内容,投诉人姓名,联系电话\r\n", 0) == 0);
    const auto rows = parse_all(exported.output.substr(3));
    REQUIRE(rows.size() == 20001);
    CHECK(rows[10][0] == "10");
    CHECK(rows[10][3] == "科员乙");
    const Json payload = Json::parse(rows[10][5]);
    CHECK(payload["respondent_name"] == "=某超市10");
    CHECK(payload["summary"] == "过期\n牛奶");
    CHECK(rows[10][6] == "李四");
    CHECK(rows[10][7] == "'+86 139 0000 0000");
    CHECK(rows[11][6].empty());

    const auto plain = ql("export --db " + q + " --format csv --kind complaint.received");
    CHECK(plain.output.find("李四") == std::string::npos);
    CHECK(parse_all(plain.output.substr(3)).size() == 20001);
    CHECK(parse_all(plain.output.substr(3))[0].size() == 6);
    CHECK(ql("export --db " + q + " --format xml").exit_code == 2);
  }
}
