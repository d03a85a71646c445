// Differential tests: the one-pass canonical scan (is_canonical, decode_leaf_header, decode_leaf)
// against the reference path that parses to a value and re-encodes it (parse_profile_json +
// encode_canonical, decode_leaf_reference), and the fast builder decode_canonical against
// nlohmann's Json::parse. Inputs: the canonical_json fuzz corpus, the canonical
// encodings of its entries, hand-written edge cases, and systematic and random mutations of all
// of them.
#include "qledger/canonical_scan.hpp"
#include "qledger/canonical_decode.hpp"
#include "qledger/canonical_json.hpp"
#include "qledger/leaf.hpp"
#include "same_json_tree.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace qledger;
using qledger::test::same_tree;
using namespace std::string_view_literals;

namespace {

// The old definition of is_canonical: parse, re-encode, compare.
bool reference_is_canonical(std::string_view bytes) {
  CanonicalError error;
  const auto value = parse_profile_json(bytes, error, bytes.size());
  return value.has_value() && encode_canonical(*value) == bytes;
}

std::vector<std::string> corpus_files() {
  const std::filesystem::path dir =
      std::filesystem::path(QLEDGER_TEST_DATA) / ".." / "fuzz" / "corpus" / "canonical_json";
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(text.str());
  }
  return out;
}

// Bytes that sit on the profile's edges: structure, escapes, digits, UTF-8 lead and trail bytes,
// DEL, the highest printable ASCII, NUL.
const std::string kTrickyBytes(
    "\"\\{}[]:,-0129eE.+ubtnfr/aAF~\x7f\x7e\x1f\x20\x00\x80\xbf\xc0\xc2\xe0\xed\xef\xf0\xf4\xf5\xff"sv);

// Fewer for the long leaves, to keep the suite quick under the sanitizers.
const std::string kLeafTrickyBytes("\"\\{}[]:,-019aA\x7f\x00\xc2\xed\xff"sv);

// Every single-byte deletion, replacement by a tricky byte, insertion of one, and truncation.
std::vector<std::string> systematic_mutations(const std::string& s,
                                              const std::string& tricky = kTrickyBytes) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    out.push_back(s.substr(0, i));
    if (i < s.size()) out.push_back(s.substr(0, i) + s.substr(i + 1));
    for (const char c : tricky) {
      if (i < s.size()) {
        std::string replaced = s;
        replaced[i] = c;
        out.push_back(std::move(replaced));
      }
      std::string inserted = s;
      inserted.insert(i, 1, c);
      out.push_back(std::move(inserted));
    }
  }
  return out;
}

// A few random edits at once (deterministic seed), including swaps of two bytes.
std::string random_mutation(const std::string& s, std::mt19937& rng) {
  std::string m = s;
  const int edits = 1 + static_cast<int>(rng() % 3);
  for (int e = 0; e < edits && !m.empty(); ++e) {
    const std::size_t i = rng() % m.size();
    const std::size_t j = rng() % m.size();
    switch (rng() % 4) {
      case 0:
        m[i] = kTrickyBytes[rng() % kTrickyBytes.size()];
        break;
      case 1:
        m.erase(i, 1 + rng() % 3);
        break;
      case 2:
        m.insert(i, m.substr(j, 1 + rng() % 4));
        break;
      default:
        std::swap(m[i], m[j]);
    }
  }
  return m;
}

std::vector<std::string> value_seeds() {
  std::vector<std::string> seeds = corpus_files();
  const std::size_t files = seeds.size();
  for (std::size_t i = 0; i < files; ++i) {
    CanonicalError error;
    if (auto value = parse_profile_json(seeds[i], error)) {
      seeds.push_back(encode_canonical(*value));
    }
  }
  for (const char* text : {"0",
                           "-0",
                           "-1",
                           "01",
                           "9007199254740991",
                           "-9007199254740991",
                           "9007199254740992",
                           "10000000000000000",
                           "1.0",
                           "1e3",
                           "true",
                           "false",
                           "null",
                           "tru",
                           "\"\"",
                           R"("\u0000\u001f\b\t\n\f\r\"\\")",
                           R"("\u0008")",
                           R"("\u001F")",
                           R"("\u007f")",
                           R"("\u00e9")",
                           R"("\/")",
                           "\"\x7f\"",
                           "\"\xc3\xa9\"",
                           "\"\xed\xa0\x80\"",
                           "\"\xf4\x90\x80\x80\"",
                           "\"\xe6\xa3\x80\"",
                           R"({"":1})",
                           R"({"a":1,"a":2})",
                           R"({"b":1,"a":2})",
                           R"({"a":1,"b":2})",
                           R"({"\"":1,"\\":2})",
                           R"({"\\":1,"\"":2})",
                           R"({"a\u0001":1})",
                           "{\"\x7f\":1}",
                           R"({"A":1,"a":2})",
                           R"({"a":1,"ab":2})",
                           R"({"ab":1,"a":2})",
                           "[]",
                           "{}",
                           "[[]]",
                           "[1,]",
                           "[,1]",
                           "{\"a\":1,}",
                           " 1",
                           "1 ",
                           "\xef\xbb\xbf{}"}) {
    seeds.emplace_back(text);
  }
  seeds.push_back("{\"" + std::string(64, 'k') + "\":1}");
  seeds.push_back("{\"" + std::string(65, 'k') + "\":1}");
  seeds.push_back("{\"" + std::string(63, 'k') + "\\\"\":1}");
  seeds.push_back("{\"" + std::string(64, 'k') + "\\\\\":1}");
  for (const std::size_t depth : {31, 32, 33}) {
    seeds.push_back(std::string(depth, '[') + std::string(depth, ']'));
  }
  return seeds;
}

std::string sample_leaf(const std::string& actor, const Json& payload, std::uint64_t seq) {
  Leaf leaf;
  leaf.seq = seq;
  leaf.kind = "inspection.recorded";
  leaf.actor = actor;
  leaf.recorded_at = "2024-02-29T23:59:59.999Z";
  leaf.payload = payload;
  leaf.prev.fill(0x9c);
  return encode_leaf(leaf);
}

// The fast decoders must agree with decode_leaf_reference on acceptance, on every field when
// accepted, and on the error when refused.
void check_leaf_agrees(const std::string& bytes) {
  LeafError reference_error;
  const auto reference = decode_leaf_reference(bytes, reference_error);
  LeafHeader header;
  LeafError header_error;
  const bool header_ok = decode_leaf_header(bytes, header, header_error);
  LeafError decode_error;
  const auto decoded = decode_leaf(bytes, decode_error);
  REQUIRE_MESSAGE(header_ok == reference.has_value(), "leaf: " << bytes);
  REQUIRE(decoded.has_value() == reference.has_value());
  if (reference) {
    CHECK(header.seq == reference->seq);
    CHECK(header.kind == reference->kind);
    CHECK(header.actor == reference->actor);
    CHECK(header.recorded_at == reference->recorded_at);
    CHECK(header.prev == reference->prev);
    CHECK(header.payload == encode_canonical(reference->payload));
    CHECK(decoded->seq == reference->seq);
    CHECK(decoded->kind == reference->kind);
    CHECK(decoded->actor == reference->actor);
    CHECK(decoded->recorded_at == reference->recorded_at);
    CHECK(decoded->prev == reference->prev);
    CHECK(decoded->payload == reference->payload);
    CHECK(encode_canonical(decoded->payload) == encode_canonical(reference->payload));
  } else {
    for (const LeafError* e : {&header_error, &decode_error}) {
      CHECK(e->field == reference_error.field);
      CHECK(e->code == reference_error.code);
      CHECK(e->message == reference_error.message);
    }
  }
}

}  // namespace

TEST_SUITE("canonical_scan") {
  TEST_CASE("decode_canonical builds exactly what Json::parse builds, or refuses") {
    std::size_t canonical = 0, compact_not_canonical = 0, refused = 0;
    std::mt19937 rng(20261128);
    for (const std::string& seed : value_seeds()) {
      std::vector<std::string> inputs = systematic_mutations(seed);
      for (int r = 0; r < 100; ++r) inputs.push_back(random_mutation(seed, rng));
      inputs.push_back(seed);
      for (const std::string& input : inputs) {
        std::optional<Json> decoded;
        try {
          decoded = decode_canonical(input);
        } catch (const std::invalid_argument&) {
          ++refused;
        }
        if (is_canonical(input)) {
          // Every canonical input decodes, to the profile parser's value.
          REQUIRE_MESSAGE(decoded.has_value(), "input: " << input);
          CanonicalError error;
          const auto reference = parse_profile_json(input, error, input.size());
          REQUIRE(reference.has_value());
          CHECK(same_tree(*decoded, *reference));
          ++canonical;
        }
        if (decoded) {
          const Json parsed = Json::parse(input, nullptr, false);
          REQUIRE_MESSAGE(!parsed.is_discarded(), "decoded what nlohmann refuses: " << input);
          CHECK_MESSAGE(same_tree(*decoded, parsed), "input: " << input);
          compact_not_canonical += is_canonical(input) ? 0 : 1;
        }
      }
    }
    CHECK(canonical > 1000);
    CHECK(compact_not_canonical > 100);  // unsorted or repeated keys, "\/", "\u00e9" …
    CHECK(refused > 10000);
  }

  TEST_CASE("decode_canonical refuses what is outside compact JSON in the profile's limits") {
    for (const std::string& input :
         std::vector<std::string>{"",
                                  " 1",
                                  "1 ",
                                  "{\"a\": 1}",
                                  "1.0",
                                  "1e3",
                                  "-",
                                  "01",
                                  "-01",
                                  "9007199254740992",
                                  "-9007199254740992",
                                  "123456789012345678901234567890",
                                  "[1,]",
                                  "{\"a\":1,}",
                                  "tru",
                                  "\"a",
                                  "\"\x01\"",
                                  "\"\xed\xa0\x80\"",
                                  "\"\xc0\xaf\"",
                                  "\"\\ud800\"",
                                  "\"\\udc00\"",
                                  "\"\\ud800\\u0041\"",
                                  "\"\\x\"",
                                  "\"\\u12\"",
                                  "[]]",
                                  "{}x",
                                  std::string(33, '[') + std::string(33, ']'),
                                  std::string(100000, '[')}) {
      CHECK_THROWS_AS_MESSAGE(decode_canonical(input), std::invalid_argument, "input: " << input);
    }
    CHECK(same_tree(decode_canonical(std::string(32, '[') + std::string(32, ']')),
                    Json::parse(std::string(32, '[') + std::string(32, ']'))));
    CHECK(same_tree(decode_canonical("-0"), Json::parse("-0")));
    CHECK(same_tree(decode_canonical(R"({"b":1,"a":-2,"b":3})"),
                    Json::parse(R"({"b":1,"a":-2,"b":3})")));
    CHECK(decode_canonical(R"("\ud83d\ude00\u00e9\/")") == "\xf0\x9f\x98\x80\xc3\xa9/");
  }

  TEST_CASE("is_canonical agrees with parse + re-encode on the corpus and its mutations") {
    std::size_t checked = 0;
    std::size_t accepted = 0;
    std::mt19937 rng(20261127);
    for (const std::string& seed : value_seeds()) {
      std::vector<std::string> inputs = systematic_mutations(seed);
      for (int r = 0; r < 200; ++r) inputs.push_back(random_mutation(seed, rng));
      inputs.push_back(seed);
      for (const std::string& input : inputs) {
        const bool expected = reference_is_canonical(input);
        REQUIRE_MESSAGE(is_canonical(input) == expected, "input: " << input);
        ++checked;
        accepted += expected ? 1 : 0;
      }
    }
    // The corpus must exercise both answers, or the comparison says little.
    CHECK(checked > 50000);
    CHECK(accepted > 1000);
  }

  TEST_CASE("scan_canonical_value: end position and depth budget") {
    CHECK(scan_canonical_value(R"([1,{"a":"b"}],x)", 0, 32) == 13);
    CHECK(scan_canonical_value("[[1]]", 0, 2) == 5);
    CHECK(scan_canonical_value("[[1]]", 0, 1) == std::string_view::npos);
    CHECK(scan_canonical_value(R"({"a":1})", 3, 32) == std::string_view::npos);
    CHECK(scan_canonical_value("x1", 1, 0) == 2);  // a scalar needs no depth
  }

  TEST_CASE("hostile nesting is refused without deep recursion") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK_FALSE(is_canonical(deep));
  }

  TEST_CASE("leaf decoders agree with the reference decoder on leaves and their mutations") {
    const Json payload = {{"sample_no", "GC2026-0001"},
                          {"items", Json::array({1, -9007199254740991, "\x01\"\\", nullptr})},
                          {"nested", {{"a", {{"b", Json::array()}}}, {"t", true}}},
                          {"name", "检验"}};
    std::vector<std::string> leaves = {
        sample_leaf("检查员-1", payload, 1),
        sample_leaf("a", Json::object(), 9007199254740991),
        sample_leaf("say \"hi\" \\ back", payload, 42),  // actor with escapes: reference path
        sample_leaf(std::string(128, 'x'), Json{{"k", 0}}, 10),
    };
    Json deep = Json::object();
    for (int i = 0; i < 30; ++i) deep = Json{{"d", deep}};  // payload depth 31: the limit
    leaves.push_back(sample_leaf("a", deep, 3));
    std::string too_deep = leaves.back();
    too_deep.replace(too_deep.find("{}"), 2, R"({"d":{}})");
    leaves.push_back(too_deep);  // payload depth 32: refused
    std::mt19937 rng(7);
    std::size_t accepted = 0;
    for (const std::string& leaf : leaves) {
      std::vector<std::string> inputs = systematic_mutations(leaf, kLeafTrickyBytes);
      for (int r = 0; r < 500; ++r) inputs.push_back(random_mutation(leaf, rng));
      inputs.push_back(leaf);
      for (const std::string& input : inputs) {
        check_leaf_agrees(input);
        LeafError error;
        accepted += decode_leaf_reference(input, error) ? 1 : 0;
      }
    }
    CHECK(accepted > 50);
  }

  TEST_CASE("the fast path keeps the reference path's errors") {
    LeafError error;
    LeafHeader header;
    CHECK_FALSE(decode_leaf_header(R"({"v":1})", header, error));
    CHECK(error.code == "bad_shape");
    CHECK_FALSE(decode_leaf_header("{\"actor\":", header, error));
    CHECK(error.code == "invalid_json");
  }
}
