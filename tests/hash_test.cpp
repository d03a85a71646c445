// Tests for qledger/hash.hpp: SHA-256 known answers (FIPS 180-2 appendix B), the RFC 9162
// domain-separated leaf/node hashes, hex and strict base64 (RFC 4648).
#include "qledger/hash.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

std::string hex_of(const qledger::Hash& h) { return qledger::to_hex(h); }

std::string raw(const qledger::Hash& h) { return std::string(h.begin(), h.end()); }

// Deterministic pseudo-random bytes.
std::string pseudo_random_bytes(std::size_t n, std::uint32_t seed) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    out += static_cast<char>(seed >> 24);
  }
  return out;
}

bool decodes(const std::string& text) {
  std::string out;
  return qledger::base64_decode(text, out);
}

}  // namespace

TEST_SUITE("hash") {
  TEST_CASE("SHA-256 known-answer vectors") {
    CHECK(hex_of(qledger::sha256("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex_of(qledger::sha256("")) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex_of(qledger::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hex_of(qledger::sha256("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                                 "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")) ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    CHECK(hex_of(qledger::sha256(std::string(1'000'000, 'a'))) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    CHECK(qledger::empty_tree_root() == qledger::sha256(""));
  }

  TEST_CASE("a Sha256 context is reusable and agrees with the free functions") {
    qledger::Sha256 hasher;
    for (int round = 0; round < 3; ++round) {
      CHECK(hex_of(hasher.digest("abc")) ==
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      CHECK(hasher.digest("") == qledger::sha256(""));
    }
    // digest(prefix, data) hashes the concatenation, whatever the split.
    const std::string message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (std::size_t split = 0; split <= message.size(); ++split) {
      CHECK(hasher.digest(message.substr(0, split), message.substr(split)) ==
            qledger::sha256(message));
    }
    const std::string bytes = pseudo_random_bytes(100, 7);
    CHECK(hasher.leaf_hash(bytes) == qledger::leaf_hash(bytes));
    const qledger::Hash a = qledger::sha256("a");
    const qledger::Hash b = qledger::sha256("b");
    CHECK(hasher.node_hash(a, b) == qledger::node_hash(a, b));
  }

  TEST_CASE("leaf and node hashes use the RFC 9162 domain-separation prefixes") {
    // SHA-256(0x00) is the RFC 6962 hash of the empty leaf.
    CHECK(hex_of(qledger::leaf_hash("")) ==
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    for (std::size_t n : {0u, 1u, 31u, 55u, 56u, 64u, 1000u}) {
      const std::string data = pseudo_random_bytes(n, static_cast<std::uint32_t>(n));
      CHECK(qledger::leaf_hash(data) == qledger::sha256(std::string(1, '\x00') + data));
      CHECK(qledger::leaf_hash(data) != qledger::sha256(data));
    }
    const qledger::Hash left = qledger::sha256("left");
    const qledger::Hash right = qledger::sha256("right");
    CHECK(qledger::node_hash(left, right) ==
          qledger::sha256(std::string(1, '\x01') + raw(left) + raw(right)));
    CHECK(qledger::node_hash(left, right) != qledger::node_hash(right, left));
    // A node is never confused with a leaf holding the same 64 bytes.
    CHECK(qledger::node_hash(left, right) != qledger::leaf_hash(raw(left) + raw(right)));
    // High bytes survive the char conversions.
    qledger::Hash ones{};
    ones.fill(0xff);
    CHECK(qledger::node_hash(ones, ones) ==
          qledger::sha256(std::string(1, '\x01') + std::string(64, '\xff')));
  }

  TEST_CASE("hex encoding and parsing") {
    const qledger::Hash abc = qledger::sha256("abc");
    const std::string hex = qledger::to_hex(abc);
    CHECK(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(qledger::to_hex(std::string("\x00\x01\x7f\x80\xfe\xff", 6)) == "00017f80feff");
    CHECK(qledger::to_hex(std::string()) == "");
    const std::uint8_t raw_bytes[] = {0xde, 0xad, 0xbe, 0xef};
    CHECK(qledger::to_hex(raw_bytes, 4) == "deadbeef");

    qledger::Hash parsed{};
    REQUIRE(qledger::hash_from_hex(hex, parsed));
    CHECK(parsed == abc);
    std::string upper = hex;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    REQUIRE(qledger::hash_from_hex(upper, parsed));
    CHECK(parsed == abc);

    // Wrong lengths and non-hex characters.
    CHECK_FALSE(qledger::hash_from_hex("", parsed));
    CHECK_FALSE(qledger::hash_from_hex(hex.substr(0, 63), parsed));
    CHECK_FALSE(qledger::hash_from_hex(hex.substr(0, 62), parsed));
    CHECK_FALSE(qledger::hash_from_hex(hex + "0", parsed));
    CHECK_FALSE(qledger::hash_from_hex(hex + "00", parsed));
    for (const char bad : {'g', 'G', ' ', 'x', '-', '\0'}) {
      std::string text = hex;
      text[17] = bad;
      CHECK_FALSE(qledger::hash_from_hex(text, parsed));
    }
    CHECK(parsed == abc);  // a refused text leaves the output alone
    // Every byte value as the high and the low digit of the first byte and as the last digit:
    // accepted exactly when a hex digit.
    for (int b = 0; b < 256; ++b) {
      const char c = static_cast<char>(b);
      const bool digit = std::isxdigit(b) != 0;
      for (const std::size_t at : {std::size_t{0}, std::size_t{1}, std::size_t{63}}) {
        std::string text = hex;
        text[at] = c;
        CHECK(qledger::hash_from_hex(text, parsed) == digit);
      }
    }

    std::string bytes;
    CHECK(qledger::bytes_from_hex("", bytes));
    CHECK(bytes.empty());
    CHECK(qledger::bytes_from_hex("00ff10", bytes));
    CHECK(bytes == std::string("\x00\xff\x10", 3));
    CHECK_FALSE(qledger::bytes_from_hex("abc", bytes));  // odd length
    CHECK_FALSE(qledger::bytes_from_hex("zz", bytes));
    for (std::size_t n = 0; n < 70; ++n) {
      const std::string data = pseudo_random_bytes(n, static_cast<std::uint32_t>(n + 1));
      REQUIRE(qledger::bytes_from_hex(qledger::to_hex(data), bytes));
      CHECK(bytes == data);
    }
  }

  TEST_CASE("base64 matches RFC 4648 section 10 and round-trips") {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
      CAPTURE(plain);
      CHECK(qledger::base64_encode(plain) == encoded);
      std::string decoded;
      REQUIRE(qledger::base64_decode(encoded, decoded));
      CHECK(decoded == plain);
    }
    CHECK(qledger::base64_encode(std::string("\xff\xff\xfe", 3)) == "///+");
    CHECK(qledger::base64_encode(std::string("\xfb\xef", 2)) == "++8=");

    std::string all_bytes;
    for (int c = 0; c < 256; ++c) all_bytes += static_cast<char>(c);
    for (std::size_t n = 0; n <= 70; ++n) {
      for (const std::string& data :
           {pseudo_random_bytes(n, static_cast<std::uint32_t>(n)), all_bytes.substr(256 - n)}) {
        CAPTURE(n);
        const std::string encoded = qledger::base64_encode(data);
        CHECK(encoded.size() == (n + 2) / 3 * 4);
        std::string decoded;
        REQUIRE(qledger::base64_decode(encoded, decoded));
        CHECK(decoded == data);
      }
    }

    const qledger::Hash h = qledger::sha256("abc");
    const std::string encoded = qledger::base64_encode(h);
    CHECK(encoded == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    qledger::Hash back{};
    REQUIRE(qledger::hash_from_base64(encoded, back));
    CHECK(back == h);
  }

  TEST_CASE("strict base64 decoding rejects non-canonical input") {
    // Length not a multiple of four.
    for (const char* text : {"Z", "Zg", "Zg=", "Zm9", "Zm9vY", "Zm9vYg=", "Zm9vYg==="}) {
      CAPTURE(text);
      CHECK_FALSE(decodes(text));
    }
    // Characters outside the standard alphabet, including the URL-safe ones and whitespace.
    for (const char* text :
         {"Zm9-", "Zm9_", "Zm9v!A==", "Zm 9", "Zm9v\n", " Zm9", "Zm9.", "Zm9\x80"}) {
      CAPTURE(text);
      CHECK_FALSE(decodes(text));
    }
    CHECK_FALSE(decodes(std::string("Zm\0v", 4)));
    // Padding in the wrong place or followed by data.
    for (const char* text : {"====", "Z===", "=Zm9", "Z=g=", "Zm=9", "Zm=A", "Zm=a", "Zg==Zm9v",
                             "Zg==Zg==", "Zm8=Zm9v", "Zm9v===="}) {
      CAPTURE(text);
      CHECK_FALSE(decodes(text));
    }
    // Non-zero bits under the padding: only one encoding per byte string is accepted.
    for (const char* text : {"Zh==", "Zv==", "Z/==", "Zm9=", "Zm/=", "Zm+="}) {
      CAPTURE(text);
      CHECK_FALSE(decodes(text));
    }
    CHECK(decodes("Zg=="));
    CHECK(decodes("Zm8="));

    // hash_from_base64 additionally requires exactly 32 bytes.
    qledger::Hash h{};
    CHECK_FALSE(qledger::hash_from_base64("", h));
    CHECK_FALSE(qledger::hash_from_base64(qledger::base64_encode(std::string(31, 'x')), h));
    CHECK_FALSE(qledger::hash_from_base64(qledger::base64_encode(std::string(33, 'x')), h));
    CHECK_FALSE(qledger::hash_from_base64("V3JvbmdSb290", h));  // "WrongRoot"
    CHECK(qledger::hash_from_base64(qledger::base64_encode(std::string(32, 'x')), h));
    CHECK(h == qledger::Hash{'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x',
                             'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x',
                             'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'});
  }

  TEST_CASE("as_bytes views the hash's 32 bytes") {
    const qledger::Hash h = qledger::sha256("abc");
    const std::string_view view = qledger::as_bytes(h);
    CHECK(view.size() == 32);
    CHECK(std::string(view) == raw(h));
  }
}
