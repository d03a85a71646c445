// Tests for the canonical JSON profile. Expected bytes are written out by hand, never produced
// by nlohmann's dump(), so the encoder is checked against an independent expectation.
#include "qledger/canonical_json.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

using qledger::CanonicalError;
using qledger::check_profile;
using qledger::encode_canonical;
using qledger::is_canonical;
using qledger::Json;
using qledger::parse_profile_json;

namespace {

// Parses `text` (which must be accepted) and returns its canonical encoding.
std::string canon(std::string_view text) {
  CanonicalError error;
  const auto value = parse_profile_json(text, error);
  REQUIRE_MESSAGE(value.has_value(), error.code << " at '" << error.path << "': " << error.message);
  return encode_canonical(*value);
}

// Parses `text` (which must be rejected) and returns the error.
CanonicalError reject(std::string_view text, std::size_t max_bytes = 1 << 20) {
  CanonicalError error;
  const auto value = parse_profile_json(text, error, max_bytes);
  CHECK_FALSE(value.has_value());
  CHECK_FALSE(error.code.empty());
  CHECK_FALSE(error.message.empty());
  return error;
}

void check_rejected(std::string_view text, std::string_view code, std::string_view path = "") {
  const CanonicalError error = reject(text);
  CHECK_MESSAGE(error.code == code, "input: " << text << " message: " << error.message);
  CHECK(error.path == path);
}

// a + b + c by appending (g++ 12 -O3 reports a false -Wrestrict for "literal" + std::string&&).
std::string concat(std::string_view a, std::string_view b, std::string_view c) {
  std::string out(a);
  out += b;
  out += c;
  return out;
}

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string nested_objects(std::size_t depth) {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += R"({"a":)";
  text += "1";
  return text + std::string(depth, '}');
}

}  // namespace

TEST_SUITE("canonical") {
  TEST_CASE("keys are sorted and whitespace removed") {
    CHECK(canon(R"({"b":1,"a":[true,null,"x"]})") == R"({"a":[true,null,"x"],"b":1})");
    CHECK(canon(" {\n\t\"a\" : [ 1 , 2 ] ,\r\n \"c\":{ } } \n") == R"({"a":[1,2],"c":{}})");
    CHECK(canon(R"({"b":0,"B":0,"a":0,"_":0,"A":0})") == R"({"A":0,"B":0,"_":0,"a":0,"b":0})");
    CHECK(canon(R"({"10":1,"1":2,"2":3})") == R"({"1":2,"10":1,"2":3})");
  }

  TEST_CASE("scalars and empty containers") {
    CHECK(canon("{}") == "{}");
    CHECK(canon("[]") == "[]");
    CHECK(canon(" [ ] ") == "[]");
    CHECK(canon("null") == "null");
    CHECK(canon("true") == "true");
    CHECK(canon("false") == "false");
    CHECK(canon(R"("")") == R"("")");
    CHECK(canon("0") == "0");
    CHECK(canon("-0") == "0");
    CHECK(canon("-12") == "-12");
    CHECK(canon(R"([{},[],[[]],{"a":{}}])") == R"([{},[],[[]],{"a":{}}])");
  }

  TEST_CASE("string escapes: only quote, backslash and control characters") {
    CHECK(canon(R"("\u00e9")") == "\"\xc3\xa9\"");
    CHECK(canon("\"\xc3\xa9\"") == "\"\xc3\xa9\"");
    CHECK(canon(R"("\u001f")") == R"("\u001f")");
    CHECK(canon(R"("\u001F")") == R"("\u001f")");
    CHECK(canon(R"("\u0000")") == R"("\u0000")");
    CHECK(canon(R"("\u000b\u0001\u001b")") == R"("\u000b\u0001\u001b")");
    CHECK(canon(R"("\u0009")") == R"("\t")");
    CHECK(canon(R"("\b\f\n\r\t")") == R"("\b\f\n\r\t")");
    CHECK(canon(R"("\u0008\u000C\u000a\u000D")") == R"("\b\f\n\r")");
    CHECK(canon(R"("\"\\")") == R"("\"\\")");
    CHECK(canon(R"("\u0022\u005c")") == R"("\"\\")");
    CHECK(canon(R"("\/")") == R"("/")");
    CHECK(canon(R"("a/b")") == R"("a/b")");
    CHECK(canon("\"\x7f\"") == "\"\x7f\"");
    CHECK(canon(R"("\u007f")") == "\"\x7f\"");
    CHECK(canon(R"("\u0041")") == R"("A")");
    CHECK(canon(R"("\ud83d\ude00")") == "\"\xf0\x9f\x98\x80\"");
    CHECK(canon(R"("\u2028\u2029")") == "\"\xe2\x80\xa8\xe2\x80\xa9\"");
    CHECK(canon(R"("\uffff")") == "\"\xef\xbf\xbf\"");
    CHECK(canon(R"("\udbff\udfff")") == "\"\xf4\x8f\xbf\xbf\"");
  }

  TEST_CASE("integers within +-(2^53-1) only") {
    CHECK(canon("9007199254740991") == "9007199254740991");
    CHECK(canon("-9007199254740991") == "-9007199254740991");
    CHECK(canon("[0,1,-1,123456789]") == "[0,1,-1,123456789]");
    check_rejected("9007199254740992", "integer_out_of_range");
    check_rejected("-9007199254740992", "integer_out_of_range");
    check_rejected("9223372036854775807", "integer_out_of_range");
    check_rejected("-9223372036854775808", "integer_out_of_range");
    check_rejected("18446744073709551615", "integer_out_of_range");
    check_rejected("18446744073709551616", "integer_out_of_range");  // overflows 64 bits
    check_rejected("-99999999999999999999999", "integer_out_of_range");
    check_rejected("1" + std::string(400, '0'), "integer_out_of_range");  // overflows a double
    check_rejected(R"({"a":[1,9007199254740992]})", "integer_out_of_range", "/a/1");
  }

  TEST_CASE("floats are rejected, even integral ones") {
    for (const std::string_view text : {"1.0", "1e2", "1E2", "1e+2", "1e-2", "-0.0", "0.5",
                                        "-1.5e300", "1e400", "0e0", "100000000000000000000.0"}) {
      CAPTURE(text);
      check_rejected(text, "float_not_allowed");
    }
    check_rejected(R"({"a":[1,2.5]})", "float_not_allowed", "/a/1");
    check_rejected(R"({"x":{"y":1e3}})", "float_not_allowed", "/x/y");
  }

  TEST_CASE("duplicate keys are rejected with their path") {
    check_rejected(R"({"a":1,"a":2})", "duplicate_key", "/a");
    check_rejected(R"({"a":1,"b":2,"a":1})", "duplicate_key", "/a");
    check_rejected(R"({"x":{"y":[{"k":1},{"k":1,"k":2}]}})", "duplicate_key", "/x/y/1/k");
    check_rejected(R"({"a/b~":1,"a/b~":{}})", "duplicate_key", "/a~1b~0");
    check_rejected(R"({"a":1,"\u0061":2})", "duplicate_key", "/a");  // same key once decoded
    CHECK(canon(R"({"a":1,"A":2,"a ":3})") == R"({"A":2,"a":1,"a ":3})");
    CHECK(canon(R"([{"a":1},{"a":1}])") == R"([{"a":1},{"a":1}])");
    CHECK(canon(R"({"a":{"a":{"a":1}}})") == R"({"a":{"a":{"a":1}}})");
  }

  TEST_CASE("invalid UTF-8 in strings is rejected") {
    check_rejected("\"\xff\"", "invalid_utf8");
    check_rejected("\"\xc0\xaf\"", "invalid_utf8");          // overlong '/'
    check_rejected("\"\xe0\x80\xaf\"", "invalid_utf8");      // overlong, 3 bytes
    check_rejected("\"\xed\xa0\x80\"", "invalid_utf8");      // UTF-8-encoded surrogate
    check_rejected("\"\xf4\x90\x80\x80\"", "invalid_utf8");  // above U+10FFFF
    check_rejected("\"\xe2\x82\"", "invalid_utf8");          // truncated sequence
    check_rejected("\"\x80\"", "invalid_utf8");              // lone continuation byte
    check_rejected("{\"a\":[\"ok\",\"\xfe\"]}", "invalid_utf8", "/a/1");
    check_rejected("{\"\xff\":1}", "invalid_utf8");  // in a key
    CHECK(canon("\"\xe2\x82\xac\xf0\x9f\x98\x80\"") == "\"\xe2\x82\xac\xf0\x9f\x98\x80\"");
  }

  TEST_CASE("lone surrogate escapes are rejected") {
    check_rejected(R"("\ud800")", "lone_surrogate");
    check_rejected(R"("\udc00")", "lone_surrogate");
    check_rejected(R"("\ud800x")", "lone_surrogate");
    check_rejected(R"("\ud800\u0041")", "lone_surrogate");
    check_rejected(R"("\ud800\ud800")", "lone_surrogate");
    check_rejected(R"("\ude00\ud83d")", "lone_surrogate");
    check_rejected(R"({"a":{"b":"\udfff"}})", "lone_surrogate", "/a/b");
  }

  TEST_CASE("object keys: 1..64 bytes of printable ASCII") {
    const std::string key64(64, 'k');
    CHECK(canon("{\"" + key64 + "\":1}") == "{\"" + key64 + "\":1}");
    CHECK(canon(R"({" ":1,"~":2,"a/b":3})") == R"({" ":1,"a/b":3,"~":2})");
    check_rejected("{\"" + key64 + "k\":1}", "bad_key");
    check_rejected(R"({"":1})", "bad_key");
    check_rejected(R"({"\u00e9":1})", "bad_key");
    check_rejected("{\"\xc3\xa9\":1}", "bad_key");
    check_rejected(R"({"a\u0001":1})", "bad_key");
    check_rejected(R"({"tab\t":1})", "bad_key");
    check_rejected("{\"\x7f\":1}", "bad_key");
    check_rejected(R"({"a":{"b":[{"":1}]}})", "bad_key", "/a/b/0");  // the object's path
  }

  TEST_CASE("nesting depth at most 32") {
    CHECK(canon(nested_arrays(32)) == nested_arrays(32));
    CHECK(canon(nested_objects(32)) == nested_objects(32));
    check_rejected(nested_arrays(33), "too_deep",
                   "/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0");
    CHECK(reject(nested_objects(33)).code == "too_deep");
    CHECK(reject(concat("[", nested_objects(32), "]")).code == "too_deep");
    // The string holds brackets, not nesting.
    const std::string brackets = concat("\"", std::string(1000, '['), "\"");
    CHECK(canon(brackets) == brackets);
  }

  TEST_CASE("hostile nesting is refused without exhausting the stack") {
    CHECK(reject(std::string(100000, '[')).code == "too_deep");
    CHECK(reject(nested_arrays(100000)).code == "too_deep");
    CHECK(reject(nested_objects(100000)).code == "too_deep");
    std::string mixed;
    for (int i = 0; i < 50000; ++i) mixed += R"([{"k":)";
    CHECK(reject(mixed).code == "too_deep");
  }

  TEST_CASE("size limit is enforced before parsing") {
    CHECK(reject("[1,2,3,4,5]", 10).code == "too_large");
    CHECK(reject(std::string(100, '['), 10).code == "too_large");
    CanonicalError error;
    CHECK(parse_profile_json("[1,2,3,45]", error, 10).has_value());
  }

  TEST_CASE("malformed JSON") {
    for (const std::string_view text :
         {"",           " ",         "{",         "}",       "[1,]",     "[1 2]", "{\"a\"}",
          "{\"a\":1,}", "{'a':1}",   "{a:1}",     "NaN",     "Infinity", "-",     "01",
          "+1",         ".5",        "[1] x",     "1 2",     "nul",      "True",  "\"abc",
          "\"\\x\"",    "\"\\u12\"", "/* c */ 1", "[1] // c"}) {
      CAPTURE(text);
      CHECK(reject(text).code == "invalid_json");
    }
    check_rejected("\"a\x01\"", "invalid_json");  // raw control character in a string
    check_rejected("\"a\tb\"", "invalid_json");
    check_rejected(std::string_view("\"a\0b\"", 5), "invalid_json");
    // Input that quotes the library's own error wording is still just unterminated.
    check_rejected(R"("ill-formed UTF-8 byte)", "invalid_json");
    check_rejected(R"(["invalid string: surrogate U+D800)", "invalid_json", "/0");
    check_rejected("\xef\xbb\xbf{}", "invalid_json");  // byte order mark
    check_rejected("\xff", "invalid_json");            // outside a string: just not JSON
    check_rejected(R"({"a":[1,}])", "invalid_json", "/a/1");
  }

  TEST_CASE("error messages are printable ASCII") {
    for (const std::string_view text :
         {"\xff\xfe", "[1,\x80]", "{\"\xc3\xa9\":1}", "\"\xc0\xaf\""}) {
      const CanonicalError error = reject(text);
      for (const char c : error.message) CHECK((c >= 0x20 && c <= 0x7E));
    }
  }

  TEST_CASE("RFC 8785 examples that fall inside the profile") {
    // RFC 8785 section 3.2.2.2: string escaping.
    CHECK(canon(R"("\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/")") ==
          "\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
    // JCS test data "arrays", "structures" (minus its float and non-ASCII keys), "unicode".
    CHECK(canon("[\n  56,\n  {\n    \"d\": true,\n    \"10\": null,\n    \"1\": [ ]\n  }\n]") ==
          R"([56,{"1":[],"10":null,"d":true}])");
    CHECK(
        canon(
            R"({"1":{"f":{"f":"hi","F":5}},"10":{},"a":{},"111":[{"e":"yes","E":"no"}],"A":{}})") ==
        R"({"1":{"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}})");
    CHECK(canon(R"({"Unnormalized Unicode":"A\u030a"})") ==
          "{\"Unnormalized Unicode\":\"A\xcc\x8a\"}");
    // Outside the profile: the fractional numbers and non-ASCII keys of other JCS examples.
    check_rejected(
        R"({"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001]})",
        "float_not_allowed", "/numbers/0");
    check_rejected(R"({"\u20ac":"Euro Sign"})", "bad_key");
  }

  TEST_CASE("check_profile on values built in code") {
    CHECK_FALSE(check_profile(Json::parse(R"({"a":[1,"x",null,true,{}]})")).has_value());
    CHECK_FALSE(check_profile(Json(-qledger::kMaxSafeInteger)).has_value());

    const auto code_at = [](const Json& value) {
      const auto error = check_profile(value);
      REQUIRE(error.has_value());
      return error->code + "@" + error->path;
    };
    CHECK(code_at(Json(1.5)) == "float_not_allowed@");
    CHECK(code_at(Json{{"a", Json::array({1, 2.0})}}) == "float_not_allowed@/a/1");
    CHECK(code_at(Json(std::uint64_t{9007199254740992})) == "integer_out_of_range@");
    CHECK(code_at(Json(std::int64_t{-9007199254740992})) == "integer_out_of_range@");
    CHECK(code_at(Json{{"s", "\xff"}}) == "invalid_utf8@/s");
    CHECK(code_at(Json{{"s", "\xed\xa0\x80"}}) == "invalid_utf8@/s");
    CHECK(code_at(Json{{"k", {{"", 1}}}}) == "bad_key@/k");
    CHECK(code_at(Json{{"\xc3\xa9", 1}}) == "bad_key@");
    CHECK(code_at(Json{{std::string(65, 'x'), 1}}) == "bad_key@");
    CHECK(code_at(Json::binary({1, 2})) == "invalid_json@");
    CHECK(code_at(Json(Json::value_t::discarded)) == "invalid_json@");

    Json deep = Json::array();
    for (int i = 0; i < 31; ++i) deep = Json::array({deep});
    CHECK_FALSE(check_profile(deep).has_value());  // 32 levels
    deep = Json::array({deep});
    CHECK(check_profile(deep)->code == "too_deep");
  }

  TEST_CASE("encode_canonical on values built in code") {
    Json value = {{"zeta", std::string("a\0b", 3)},
                  {"alpha", {1, -2, nullptr, false}},
                  {"Beta", "\xc3\xa9\x7f\t"},
                  {"n", std::uint64_t{9007199254740991}}};
    CHECK(encode_canonical(value) ==
          "{\"Beta\":\"\xc3\xa9\x7f\\t\",\"alpha\":[1,-2,null,false],\"n\":9007199254740991,"
          "\"zeta\":\"a\\u0000b\"}");
    CHECK_THROWS_AS(encode_canonical(Json(0.5)), std::invalid_argument);
    CHECK_THROWS_AS(encode_canonical(Json{{"x", 1e3}}), std::invalid_argument);
    CHECK_THROWS_AS(encode_canonical(Json(std::uint64_t{1} << 60)), std::invalid_argument);
    CHECK_THROWS_AS(encode_canonical(Json{{"", 1}}), std::invalid_argument);
    CHECK_THROWS_AS(encode_canonical(Json("\xc0\xaf")), std::invalid_argument);
    CHECK_THROWS_AS(encode_canonical(Json::binary({1})), std::invalid_argument);
  }

  TEST_CASE("is_canonical") {
    for (const std::string_view text :
         {"null", "0", "-1", "\"\"", "{}", "[]", R"({"a":[true,null,"x"],"b":1})",
          R"("\u001f\t\"\\")", "\"\xc3\xa9\x7f/\""}) {
      CAPTURE(text);
      CHECK(is_canonical(text));
    }
    for (const std::string_view text : {" {}", "{} ", "[1, 2]", R"({"b":1,"a":2})", R"("\u00e9")",
                                        R"("\/")", R"("\u001F")", R"("\u0009")", "-0", "1.0", "1e2",
                                        "\"\xff\"", R"({"a":1,"a":1})", "", "\xef\xbb\xbf{}"}) {
      CAPTURE(text);
      CHECK_FALSE(is_canonical(text));
    }
    CHECK(is_canonical(nested_arrays(32)));
    CHECK_FALSE(is_canonical(nested_arrays(33)));
    // is_canonical applies no size limit of its own (parse_profile_json defaults to 1 MiB).
    CHECK(is_canonical(concat("\"", std::string(2 << 20, 'a'), "\"")));
  }

  TEST_CASE("encoding is a fixed point") {
    const std::string text = R"( { "z" : [ 1, { "y": "\u00e9\n", "x": [] } ], "a": "\/" } )";
    const std::string once = canon(text);
    CHECK(once == "{\"a\":\"/\",\"z\":[1,{\"x\":[],\"y\":\"\xc3\xa9\\n\"}]}");
    CHECK(canon(once) == once);
    CHECK(is_canonical(once));
    CanonicalError error;
    CHECK(*parse_profile_json(once, error) == *parse_profile_json(text, error));
  }
}
