// Leaf encoding v1: field rules and strict decoding (golden bytes live in format_test.cpp).
#include <doctest/doctest.h>

#include "qledger/leaf.hpp"
#include "reference_leaf.hpp"

#include <string>
#include <vector>

using namespace qledger;

namespace {
using test::reference_leaf_bytes;

Leaf sample_leaf() {
  Leaf leaf;
  leaf.seq = 2;
  leaf.kind = "sample.recorded";
  leaf.actor = "检查员-1";
  leaf.recorded_at = "2026-11-27T08:00:00.000Z";
  leaf.payload = Json{{"b", 1}, {"a", "x"}};
  leaf.prev.fill(0xab);
  return leaf;
}
}  // namespace

TEST_SUITE("leaf") {
  TEST_CASE("encoding is the canonical object with the seven keys in byte order") {
    // prev is 32 bytes of 0xab, so its hex is "ab" 32 times.
    std::string prev_hex;
    for (int i = 0; i < 32; ++i) prev_hex += "ab";
    const std::string want =
        R"({"actor":"检查员-1","kind":"sample.recorded","payload":{"a":"x","b":1},"prev":")" +
        prev_hex + R"(","recorded_at":"2026-11-27T08:00:00.000Z","seq":2,"v":1})";
    CHECK(encode_leaf(sample_leaf()) == want);
  }

  TEST_CASE("decode accepts exactly what encode produces") {
    const std::string bytes = encode_leaf(sample_leaf());
    LeafError error;
    const auto leaf = decode_leaf(bytes, error);
    REQUIRE(leaf);
    CHECK(leaf->seq == 2);
    CHECK(leaf->actor == "检查员-1");
    CHECK(leaf->payload["b"] == 1);
  }

  TEST_CASE("decode rejects every deviation") {
    const std::string good = encode_leaf(sample_leaf());
    auto rejects = [](const std::string& bytes, const std::string& code) {
      LeafError error;
      CHECK_FALSE(decode_leaf(bytes, error));
      CHECK(error.code == code);
    };
    // Whitespace or reordered keys: valid JSON, not canonical.
    std::string spaced = good;
    spaced.insert(1, " ");
    rejects(spaced, "not_canonical");
    rejects(R"({"v":1,"seq":2})", "not_canonical");
    // Missing key / extra key / wrong version.
    rejects(R"({"actor":"a","kind":"k","payload":{},"prev":"00","recorded_at":"x","seq":1})",
            "bad_shape");
    std::string v2 = good;
    v2.replace(v2.find("\"v\":1"), 5, "\"v\":2");
    rejects(v2, "bad_field");
    std::string upper = good;
    upper.replace(upper.find("abab"), 4, "ABAB");
    rejects(upper, "bad_field");
    std::string bad_time = good;
    bad_time.replace(bad_time.find("2026-11-27"), 10, "2026-02-30");
    rejects(bad_time, "bad_field");
    std::string zero_seq = good;
    zero_seq.replace(zero_seq.find("\"seq\":2"), 7, "\"seq\":0");
    rejects(zero_seq, "bad_field");
  }

  TEST_CASE("recorded_at is a real UTC instant in one fixed form") {
    CHECK(is_recorded_at("2024-02-29T23:59:59.999Z"));
    CHECK_FALSE(is_recorded_at("2023-02-29T00:00:00.000Z"));
    CHECK_FALSE(is_recorded_at("2026-11-27T24:00:00.000Z"));
    CHECK_FALSE(is_recorded_at("2026-11-27T08:00:00Z"));
    CHECK_FALSE(is_recorded_at("2026-11-27T08:00:00.000+08:00"));
    CHECK(is_recorded_at(now_recorded_at()));
  }

  TEST_CASE("encode_leaf gives the reference object encoding for varied fields") {
    const std::vector<std::string> actors = {"a",
                                             "检查员-1",
                                             R"(quo"te)",
                                             R"(back\slash)",
                                             std::string(128, 'z'),
                                             "emoji \xF0\x9F\x98\x80"};
    const std::vector<Json> payloads = {
        Json::object(), Json{{"b", 1}, {"a", "x"}},
        Json{{"nested",
              {{"list", {1, -2, "three", nullptr, true, false}}, {"empty", Json::array()}}},
             {"text", "tab\there \"q\" \\ \x01 \x7f 中文"},
             {"n", kMaxSafeInteger},
             {"m", -kMaxSafeInteger}},
        Json{{"key with space", Json::object()}, {"Z", "upper first"}}};
    const std::vector<std::uint64_t> seqs = {1, 9, 10, 123456789,
                                             static_cast<std::uint64_t>(kMaxSafeInteger)};
    int checked = 0;
    for (const auto& actor : actors) {
      for (const auto& payload : payloads) {
        for (const auto seq : seqs) {
          Leaf leaf = sample_leaf();
          leaf.actor = actor;
          leaf.payload = payload;
          leaf.seq = seq;
          leaf.prev[0] = static_cast<std::uint8_t>(seq);
          CHECK(encode_leaf(leaf) == reference_leaf_bytes(leaf));
          ++checked;
        }
      }
    }
    CHECK(checked == 120);
  }

  TEST_CASE("check_leaf_fits: the leaf must fit kMaxLeafBytes at the widest seq") {
    // A payload {"text": n × 'a'} makes a leaf whose size grows by one byte per 'a'. Find, with
    // the reference encoding at the widest seq, the longest text that still fits.
    Leaf widest = sample_leaf();
    widest.seq = static_cast<std::uint64_t>(kMaxSafeInteger);
    widest.payload = Json{{"text", ""}};
    const std::size_t empty_size = reference_leaf_bytes(widest).size();
    REQUIRE(empty_size < kMaxLeafBytes);
    const std::size_t longest = kMaxLeafBytes - empty_size;
    CHECK_FALSE(
        check_leaf_fits(widest.kind, widest.actor, Json{{"text", std::string(longest, 'a')}}));
    const auto over =
        check_leaf_fits(widest.kind, widest.actor, Json{{"text", std::string(longest + 1, 'a')}});
    REQUIRE(over);
    CHECK(over->field == "payload");
    CHECK(over->code == "too_large");
    // At seq 1 the one byte over would still encode (15 digits shorter): the check is for any seq.
    Leaf small = widest;
    small.seq = 1;
    small.payload = Json{{"text", std::string(longest + 1, 'a')}};
    CHECK(encode_leaf(small).size() == kMaxLeafBytes + 1 - 15);
    // Field problems come first, as from check_leaf_fields.
    CHECK(check_leaf_fits("9kind", "a", Json::object())->field == "kind");
    CHECK(check_leaf_fits("k", "a", Json{{"x", 0.5}})->field == "payload/x");
  }

  TEST_CASE("field rules") {
    CHECK_FALSE(check_leaf_fields("sample.recorded", "a", Json::object()));
    CHECK(check_leaf_fields("9kind", "a", Json::object())->field == "kind");
    CHECK(check_leaf_fields(std::string(65, 'a'), "a", Json::object())->field == "kind");
    CHECK(check_leaf_fields("k", std::string(129, 'a'), Json::object())->field == "actor");
    CHECK(check_leaf_fields("k", "a\x7f", Json::object())->field == "actor");
    CHECK(check_leaf_fields("k", "a\xc2\x85", Json::object())->field == "actor");  // C1 NEL
    CHECK(check_leaf_fields("k", "\xff", Json::object())->field == "actor");
    CHECK(check_leaf_fields("k", "a", Json{{"x", 0.5}})->field == "payload/x");
  }
}
