// The qledger command line, run as a user would run it: exit codes, receipts, proofs, and the
// supervisor's checks with stock openssl.
#include <doctest/doctest.h>

#include "qledger/canonical_json.hpp"
#include "test_support.hpp"

using namespace qledger::test;

namespace {

const std::string kCli = QLEDGER_CLI_PATH;

CommandResult ql(const std::string& args, const std::string& stdin_text = "") {
  std::string line = shell_quote(kCli) + " " + args;
  if (!stdin_text.empty()) line = "printf '%s' " + shell_quote(stdin_text) + " | " + line;
  return run_command(line + " 2>/dev/null");
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("every command documents itself; bad usage exits 2") {
    for (const char* cmd :
         {"init", "append", "checkpoint", "public-key", "prove", "verify-proof", "verify"}) {
      const auto r = ql(std::string(cmd) + " --help");
      CHECK(r.exit_code == 0);
      CHECK(r.output.find("usage: qledger") != std::string::npos);
    }
    CHECK(ql("--help").exit_code == 0);
    CHECK(ql("").exit_code == 2);
    CHECK(ql("frobnicate").exit_code == 2);
    CHECK(ql("verify --db").exit_code == 2);
    CHECK(ql("verify --db x.db --bogus").exit_code == 2);
    CHECK(ql("verify --db /nonexistent/x.db").exit_code == 2);
  }

  TEST_CASE("init, append, checkpoint, prove and verify from the shell") {
    TempDir dir;
    const std::string db = shell_quote(dir.file("county.db"));
    const auto init = ql("init --db " + db + " --origin qledger.test/huoshan");
    REQUIRE(init.exit_code == 0);
    CHECK(init.output.find("qledger.test/huoshan+") != std::string::npos);
    CHECK((std::filesystem::status(dir.file("county.db.key")).permissions() &
           std::filesystem::perms::group_all) == std::filesystem::perms::none);
    CHECK(ql("init --db " + db).exit_code == 2);  // refuses to overwrite

    for (int i = 1; i <= 12; ++i) {
      char no[16];
      std::snprintf(no, sizeof no, "CT-%04d", i);
      const auto r = ql("append --db " + db + " --kind complaint.received --actor 张三",
                        R"({"complaint_no":")" + std::string(no) +
                            R"(","received_on":"2026-10-09","channel":"walk_in",)"
                            R"("respondent_name":"某超市","category":"goods"})");
      REQUIRE(r.exit_code == 0);
      const auto receipt = qledger::Json::parse(r.output);
      CHECK(receipt["seq"] == i);
      CHECK(receipt["tree_size"] == i);
      CHECK(receipt["leaf_hash"].get<std::string>().size() == 64);
      CHECK(receipt["root_hash"].get<std::string>().size() == 64);
    }

    SUBCASE("bad input is refused with a structured error and writes nothing") {
      for (const std::string bad :
           {R"({"a":1.5})", R"({"a":1,"a":2})", "[1]", "{", "", "{\"a\":\"\xff\"}"}) {
        const auto r = ql("append --db " + db + " --kind k --actor a", bad.empty() ? " " : bad);
        CHECK(r.exit_code == 1);
        const auto body = qledger::Json::parse(r.output, nullptr, false);
        REQUIRE_FALSE(body.is_discarded());
        CHECK(body["errors"].size() >= 1);
        CHECK(body["errors"][0]["field"].get<std::string>().rfind("payload", 0) == 0);
      }
      CHECK(ql("append --db " + db + " --kind BAD --actor a", "{}").exit_code == 1);
      // Domain validation: unknown kinds, missing fields and future dates are refused too.
      const auto unknown = ql("append --db " + db + " --kind sample.recorded --actor a", "{}");
      CHECK(unknown.exit_code == 1);
      CHECK(qledger::Json::parse(unknown.output)["errors"][0]["code"] == "unknown_kind");
      const auto missing = ql("append --db " + db + " --kind complaint.received --actor a",
                              R"({"complaint_no":"X-1","received_on":"2999-01-01"})");
      CHECK(missing.exit_code == 1);
      const auto errors = qledger::Json::parse(missing.output)["errors"];
      CHECK(errors.size() == 4);  // future date + channel, respondent_name, category missing
      CHECK(errors[0]["field"] == "received_on");  // problems follow the schema's field order
      CHECK(errors[0]["message_zh"].get<std::string>().find("不能晚于今天") != std::string::npos);
      const auto v = ql("verify --db " + db + " --json");
      CHECK(qledger::Json::parse(v.output)["tree_size"] == 12);
    }

    SUBCASE("checkpoints, proofs and a supervisor's own key") {
      const std::string cp = shell_quote(dir.file("cp-12.txt"));
      REQUIRE(ql("checkpoint --db " + db + " --out " + cp).exit_code == 0);
      const std::string key = shell_quote(dir.file("trusted.key"));
      REQUIRE(run_command(shell_quote(kCli) + " public-key --db " + db + " > " + key).exit_code ==
              0);

      const auto verify = ql("verify --db " + db + " --checkpoint " + cp + " --trusted-key " + key);
      CHECK(verify.exit_code == 0);
      CHECK(verify.output.find("INTACT: 12 events") != std::string::npos);

      const std::string proof = shell_quote(dir.file("proof.json"));
      REQUIRE(
          run_command(shell_quote(kCli) + " prove --db " + db + " --seq 5 > " + proof).exit_code ==
          0);
      CHECK(
          ql("verify-proof " + proof + " --checkpoint " + cp + " --trusted-key " + key).exit_code ==
          0);
      const std::string cons = shell_quote(dir.file("cons.json"));
      REQUIRE(run_command(shell_quote(kCli) + " prove --db " + db + " --from 3 --to 12 > " + cons)
                  .exit_code == 0);
      CHECK(
          ql("verify-proof " + cons + " --checkpoint " + cp + " --trusted-key " + key).exit_code ==
          0);

      // A forged proof (one hash changed) is invalid.
      auto doc = qledger::Json::parse(read_text(dir.file("proof.json")));
      std::string h = doc["proof"][0];
      h[0] = h[0] == '0' ? '1' : '0';
      doc["proof"][0] = h;
      write_text(dir.file("forged.json"), doc.dump());
      CHECK(ql("verify-proof " + shell_quote(dir.file("forged.json"))).exit_code == 1);

      // Stock openssl verifies the checkpoint signature once the 4-byte key ID is stripped.
      REQUIRE(run_command(shell_quote(kCli) + " public-key --format pem --db " + db + " > " +
                          shell_quote(dir.file("pub.pem")))
                  .exit_code == 0);
      const std::string note = read_text(dir.file("cp-12.txt"));
      const auto split = note.find("\n\n");
      REQUIRE(split != std::string::npos);
      write_text(dir.file("body.txt"), note.substr(0, split + 1));
      const std::string sigline = note.substr(split + 2);
      const std::string b64 =
          sigline.substr(sigline.rfind(' ') + 1, sigline.size() - sigline.rfind(' ') - 2);
      write_text(dir.file("sig.b64"), b64 + "\n");
      const std::string d = shell_quote(dir.path().string());
      REQUIRE(run_command("cd " + d +
                          " && base64 -d sig.b64 | tail -c 64 > sig.bin && openssl pkeyutl -verify "
                          "-rawin -pubin -inkey pub.pem -sigfile sig.bin -in body.txt")
                  .output.find("Signature Verified Successfully") != std::string::npos);
    }

    SUBCASE("tampering found from the shell exits 1 and names the seq") {
      run_command(
          "sqlite3 " + db +
          " \"DROP TRIGGER events_no_update; UPDATE events SET leaf = "
          "CAST(replace(CAST(leaf AS TEXT), 'CT-0004', 'CT-0009') AS BLOB) WHERE seq = 4;\"");
      const auto r = ql("verify --db " + db);
      CHECK(r.exit_code == 1);
      CHECK(r.output.find("first bad seq 4") != std::string::npos);
      const auto j = qledger::Json::parse(ql("verify --db " + db + " --json").output);
      CHECK(j["first_bad_seq"] == 4);
      CHECK(j["intact"] == false);
    }
  }

  TEST_CASE("snapshot from the shell: reports use it and say the same") {
    TempDir dir;
    const std::string db = shell_quote(dir.file("county.db"));
    REQUIRE(ql("demo --db " + db + " --start 2026-08-01 --end 2026-10-31").exit_code == 0);
    CHECK(ql("snapshot --help").output.find("usage: qledger snapshot") != std::string::npos);
    CHECK(ql("snapshot --db " + db + " --at-size 999999999").exit_code != 0);
    const auto before =
        qledger::Json::parse(ql("report --db " + db + " --period 2026-10 --unsigned").output);
    const auto snap = ql("snapshot --db " + db + " --at-size 500");
    REQUIRE(snap.exit_code == 0);
    CHECK(qledger::Json::parse(snap.output)["tree_size"] == 500);
    auto after = qledger::Json::parse(ql("report --db " + db + " --period 2026-10").output);
    CHECK_FALSE(after["checkpoint"].is_null());
    after["checkpoint"] = nullptr;
    CHECK(after == before);
    CHECK(run_command("sqlite3 " + db + " 'SELECT tree_size FROM registry_snapshots'").output ==
          "500\n");
  }
}
