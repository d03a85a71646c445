// Tests for Ed25519 keys (src/core/signing_key.cpp) and C2SP signed-note checkpoints
// (src/core/checkpoint.cpp). Expectations come from outside this code base: Go's
// golang.org/x/mod/sumdb/note test vectors, RFC 8032 §7.1, and the stock `openssl` tool.
#include "qledger/checkpoint.hpp"
#include "qledger/hash.hpp"
#include "qledger/signing_key.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace qledger;
namespace fs = std::filesystem;

// --- Vectors from golang.org/x/mod/sumdb/note (note_test.go / note.go) -----------------------
const std::string kPeterVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const std::string kPeterSkey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const std::string kEnochVkey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const std::string kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const std::string kPeterSig =
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const std::string kEnochSig =
    "\xe2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

const std::string kDash = "\xe2\x80\x94 ";

template <std::size_t N>
std::array<std::uint8_t, N> hex_array(std::string_view hex) {
  std::string bytes;
  REQUIRE(bytes_from_hex(hex, bytes));
  REQUIRE(bytes.size() == N);
  std::array<std::uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::string hex_bytes(std::string_view hex) {
  std::string bytes;
  REQUIRE(bytes_from_hex(hex, bytes));
  return bytes;
}

// Go's signer key "PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>" → seed. The base64 part may
// itself contain '+', so split at the first four.
std::array<std::uint8_t, 32> seed_from_go_skey(const std::string& skey) {
  REQUIRE(skey.starts_with("PRIVATE+KEY+"));
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = skey.find('+', pos);
    REQUIRE(pos != std::string::npos);
    ++pos;
  }
  std::string raw;
  REQUIRE(base64_decode(skey.substr(pos), raw));
  REQUIRE(raw.size() == 33);
  REQUIRE(raw[0] == '\x01');
  std::array<std::uint8_t, 32> seed{};
  std::copy(raw.begin() + 1, raw.end(), seed.begin());
  return seed;
}

std::string be32(std::uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
  return s;
}

std::string sig_line(const std::string& name, std::uint32_t id, const std::string& sig) {
  return kDash + name + " " + base64_encode(be32(id) + sig) + "\n";
}

// A fresh directory removed (recursively) when the test ends.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "qledger-ckpt-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void write_file(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(f.good());
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Runs a shell command with stdout+stderr captured; returns the exit code (-1 if it died).
int run(const std::string& cmd, std::string* output = nullptr, const TempDir* dir = nullptr) {
  std::string full = cmd;
  std::string out_path;
  if (dir != nullptr) {
    out_path = *dir / "cmd-output.txt";
    full += " >" + quote(out_path) + " 2>&1";
  } else {
    full += " >/dev/null 2>&1";
  }
  const int rc = std::system(full.c_str());
  if (output != nullptr && dir != nullptr) *output = read_file(out_path);
  return (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
}

void require_openssl() {
  REQUIRE_MESSAGE(run("openssl version") == 0, "the openssl command-line tool is needed");
}

mode_t file_mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

Checkpoint sample_checkpoint() {
  Checkpoint cp;
  cp.origin = "example.com/qledger/test";
  cp.tree_size = 20852163;
  cp.root_hash = sha256("root");
  return cp;
}

// Replaces the first occurrence of `from` (which must exist) with `to`.
std::string replace_once(std::string s, std::string_view from, std::string_view to) {
  const std::size_t pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

// Builds note text from a raw body and signature lines (no validation).
std::string make_note(const std::string& body, const std::vector<std::string>& lines) {
  std::string note = body + "\n";
  for (const auto& l : lines) note += l;
  return note;
}

}  // namespace

TEST_SUITE("checkpoint") {
  // ----------------------------------------------------------------------------------------
  // Go sumdb/note vectors

  TEST_CASE("Go verifier keys parse, have the expected key IDs and round-trip") {
    const VerifierKey peter = VerifierKey::from_note_string(kPeterVkey);
    CHECK(peter.name == "PeterNeumann");
    CHECK(peter.key_id() == 0xc74f20a3u);
    CHECK(note_key_id(peter.name, peter.key) == 0xc74f20a3u);
    CHECK(peter.to_note_string() == kPeterVkey);

    const VerifierKey enoch = VerifierKey::from_note_string(kEnochVkey);
    CHECK(enoch.name == "EnochRoot");
    CHECK(enoch.key_id() == 0xaf0cfe78u);
    CHECK(enoch.to_note_string() == kEnochVkey);

    // parse() accepts the note form with surrounding whitespace, as read from a file.
    CHECK(VerifierKey::parse("  " + kPeterVkey + "\n", "").key == peter.key);
    CHECK_THROWS_AS(VerifierKey::from_note_string(kPeterVkey + "\n"), std::invalid_argument);
  }

  TEST_CASE("mangled Go verifier keys are rejected (Go's TestNewVerifier manglings)") {
    std::string b = kPeterVkey;
    int accepted = 0;
    for (std::size_t i = 0; i <= b.size(); ++i) {
      for (std::size_t j = i + 1; j <= b.size(); ++j) {
        if (i == 0 && j == b.size()) continue;
        try {
          (void)VerifierKey::from_note_string(std::string_view(b).substr(i, j - i));
          ++accepted;
        } catch (const std::invalid_argument&) {
        }
      }
    }
    for (std::size_t i = 0; i < b.size(); ++i) {
      ++b[i];
      try {
        (void)VerifierKey::from_note_string(b);
        ++accepted;
      } catch (const std::invalid_argument&) {
      }
      --b[i];
    }
    CHECK(accepted == 0);
    // Wrong key length with adjusted key ID (our strict base64 already refuses its non-zero
    // padding bits, which Go's decoder tolerates); unknown algorithm with adjusted key ID.
    CHECK_THROWS_AS(VerifierKey::from_note_string("PeterNeumann+cc469956+"
                                                  "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
                                                  "LDE4izWy10TWBADKEY=="),
                    std::invalid_argument);
    {
      // Wrong key length with a correct key ID and canonical base64.
      const VerifierKey peter = VerifierKey::from_note_string(kPeterVkey);
      const std::string keydata = std::string(1, '\x01') +
                                  std::string(reinterpret_cast<const char*>(peter.key.data()), 32) +
                                  "X";
      const Hash h = sha256("PeterNeumann\n" + keydata);
      const std::string id = to_hex(h.data(), 4);
      CHECK_THROWS_WITH_AS(
          VerifierKey::from_note_string("PeterNeumann+" + id + "+" + base64_encode(keydata)),
          doctest::Contains("32 bytes"), std::invalid_argument);
    }
    CHECK_THROWS_WITH_AS(VerifierKey::from_note_string(
                             "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
                         doctest::Contains("algorithm"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(VerifierKey::from_note_string(
                             "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
                         doctest::Contains("does not match"), std::invalid_argument);
  }

  TEST_CASE("a key from Go's private key seed signs byte-for-byte like Go") {
    const SigningKey key = SigningKey::from_seed("PeterNeumann", seed_from_go_skey(kPeterSkey));
    CHECK(key.verifier().to_note_string() == kPeterVkey);
    const std::string sig = key.sign(kGoText);
    REQUIRE(sig.size() == 64);
    // Go's TestSign expected output.
    CHECK(make_note(kGoText, {sig_line("PeterNeumann", key.verifier().key_id(), sig)}) ==
          kGoText + "\n" + kPeterSig);
  }

  TEST_CASE("a Go-signed note parses and its signatures verify") {
    const VerifierKey peter = VerifierKey::from_note_string(kPeterVkey);
    const VerifierKey enoch = VerifierKey::from_note_string(kEnochVkey);
    const SignedNote note = parse_signed_note(kGoText + "\n" + kPeterSig + kEnochSig);
    CHECK(note.body == kGoText);
    REQUIRE(note.signatures.size() == 2);
    CHECK(note.signatures[0].key_name == "PeterNeumann");
    CHECK(note.signatures[0].key_id == 0xc74f20a3u);
    CHECK(note.signatures[1].key_name == "EnochRoot");
    CHECK(note.signatures[1].key_id == 0xaf0cfe78u);
    CHECK(ed25519_verify(peter.key, note.body, note.signatures[0].signature));
    CHECK(ed25519_verify(enoch.key, note.body, note.signatures[1].signature));
    CHECK_FALSE(ed25519_verify(enoch.key, note.body, note.signatures[0].signature));
    CHECK_FALSE(ed25519_verify(peter.key, note.body + "x", note.signatures[0].signature));

    // open_checkpoint gets past the signature (it verifies) and stops at the body, which is not
    // a checkpoint.
    const OpenedCheckpoint opened = open_checkpoint(kGoText + "\n" + kPeterSig + kEnochSig, peter);
    CHECK_FALSE(opened.ok);
    CHECK(opened.reason.starts_with("malformed checkpoint:"));

    // Go's "invalid signature" case: bytes inserted into the base64.
    const std::string bad_sig = kPeterSig.substr(0, 60) + "ABCD" + kPeterSig.substr(60);
    const SignedNote bad = parse_signed_note(kGoText + "\n" + bad_sig);
    REQUIRE(bad.signatures.size() == 1);
    CHECK_FALSE(ed25519_verify(peter.key, bad.body, bad.signatures[0].signature));
    CHECK(open_checkpoint(kGoText + "\n" + bad_sig, peter).reason ==
          "invalid signature by trusted key PeterNeumann");
  }

  TEST_CASE("Go's malformed notes are rejected") {
    const std::vector<std::string> bad = {
        kGoText,
        kGoText + "\n",
        kGoText + "\n" + kPeterSig.substr(0, kPeterSig.size() - 1),
        "\x01" + kGoText + "\n" + kPeterSig,
        "\xff" + kGoText + "\n" + kPeterSig,
        kGoText + "\n" + kDash +
            "Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZ"
            "b6KE6RyyBwJnAM=",
        kGoText + "\n" + kPeterSig + "Unexpected line.\n",
    };
    for (const auto& msg : bad) {
      CAPTURE(msg);
      CHECK_THROWS_AS(parse_signed_note(msg), std::invalid_argument);
      const OpenedCheckpoint o = open_checkpoint(msg, VerifierKey::from_note_string(kPeterVkey));
      CHECK_FALSE(o.ok);
      CHECK(o.reason.starts_with("malformed note:"));
    }
    std::string many = kGoText + "\n";
    for (int i = 0; i < 101; ++i) many += kPeterSig;
    CHECK_THROWS_AS(parse_signed_note(many), std::invalid_argument);
  }

  // ----------------------------------------------------------------------------------------
  // RFC 8032 §7.1

  TEST_CASE("RFC 8032 Ed25519 test vectors 1 and 2") {
    struct Vector {
      const char* secret;
      const char* pub;
      const char* message;
      const char* signature;
    };
    const Vector vectors[] = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
         "1cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
         "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    };
    for (const Vector& v : vectors) {
      CAPTURE(v.secret);
      const SigningKey key = SigningKey::from_seed("rfc8032", hex_array<32>(v.secret));
      const PublicKey pub = hex_array<32>(v.pub);
      CHECK(key.public_key() == pub);
      const std::string message = hex_bytes(v.message);
      const std::string expected = hex_bytes(v.signature);
      CHECK(to_hex(key.sign(message)) == v.signature);
      CHECK(ed25519_verify(pub, message, expected));
      std::string flipped = expected;
      flipped[10] = static_cast<char>(flipped[10] ^ 0x01);
      CHECK_FALSE(ed25519_verify(pub, message, flipped));
      CHECK_FALSE(ed25519_verify(pub, message + "x", expected));
      CHECK_FALSE(ed25519_verify(pub, message, expected.substr(0, 63)));
      CHECK_FALSE(ed25519_verify(pub, message, expected + "x"));
      CHECK_FALSE(ed25519_verify(pub, message, ""));
    }
  }

  // ----------------------------------------------------------------------------------------
  // Interoperability with the openssl command-line tool

  TEST_CASE("openssl verifies a checkpoint signed with a saved key") {
    require_openssl();
    TempDir dir;
    const SigningKey key = SigningKey::generate("example.com/qledger/test");
    key.save(dir / "key.pem");
    const SigningKey loaded = SigningKey::load(dir / "key.pem", key.name());
    CHECK(loaded.public_key() == key.public_key());

    const std::string note = sign_checkpoint(sample_checkpoint(), loaded);
    const SignedNote parsed = parse_signed_note(note);
    REQUIRE(parsed.signatures.size() == 1);
    CHECK(parsed.signatures[0].key_id == key.verifier().key_id());
    write_file(dir / "msg", parsed.body);
    write_file(dir / "sig.bin", parsed.signatures[0].signature);
    write_file(dir / "pub.pem", key.verifier().to_pem());

    const std::string verify = "openssl pkeyutl -verify -rawin -pubin -inkey " +
                               quote(dir / "pub.pem") + " -sigfile " + quote(dir / "sig.bin") +
                               " -in " + quote(dir / "msg");
    std::string out;
    CHECK(run(verify, &out, &dir) == 0);
    CHECK(out.find("Signature Verified Successfully") != std::string::npos);

    std::string tampered = parsed.body;
    tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 0x01);
    write_file(dir / "msg", tampered);
    CHECK(run(verify, &out, &dir) != 0);
    CHECK(out.find("Signature Verified Successfully") == std::string::npos);

    // openssl's view of the private key file: same public key as ours.
    CHECK(run("openssl pkey -in " + quote(dir / "key.pem") + " -pubout", &out, &dir) == 0);
    CHECK(out == key.verifier().to_pem());
  }

  TEST_CASE("a key generated by openssl loads, signs, and openssl verifies") {
    require_openssl();
    TempDir dir;
    const std::string k = dir / "k.pem";
    REQUIRE(run("openssl genpkey -algorithm ed25519 -out " + quote(k)) == 0);
    REQUIRE(::chmod(k.c_str(), 0600) == 0);
    const SigningKey key = SigningKey::load(k, "openssl.example/log");

    std::string out;
    REQUIRE(run("openssl pkey -in " + quote(k) + " -pubout", &out, &dir) == 0);
    CHECK(out == key.verifier().to_pem());
    CHECK(VerifierKey::from_pem(out, "openssl.example/log").key == key.public_key());
    CHECK(VerifierKey::parse(out, "openssl.example/log").key == key.public_key());

    const std::string message = "qledger interop message\n";
    write_file(dir / "msg", message);
    write_file(dir / "sig.bin", key.sign(message));
    write_file(dir / "pub.pem", out);
    CHECK(run("openssl pkeyutl -verify -rawin -pubin -inkey " + quote(dir / "pub.pem") +
                  " -sigfile " + quote(dir / "sig.bin") + " -in " + quote(dir / "msg"),
              &out, &dir) == 0);
    CHECK(out.find("Signature Verified Successfully") != std::string::npos);

    // And the other direction: openssl signs, we verify.
    REQUIRE(run("openssl pkeyutl -sign -rawin -inkey " + quote(k) + " -in " + quote(dir / "msg") +
                " -out " + quote(dir / "osig.bin")) == 0);
    const std::string osig = read_file(dir / "osig.bin");
    CHECK(osig == key.sign(message));  // Ed25519 is deterministic
    CHECK(ed25519_verify(key.public_key(), message, osig));
  }

  TEST_CASE("load refuses non-Ed25519, encrypted and malformed key files") {
    require_openssl();
    TempDir dir;
    const std::string ec = dir / "ec.pem";
    REQUIRE(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                quote(ec)) == 0);
    REQUIRE(::chmod(ec.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(SigningKey::load(ec, "n"), doctest::Contains("Ed25519"),
                         std::runtime_error);

    // Encrypted: must fail without prompting for a passphrase.
    const std::string enc = dir / "enc.pem";
    REQUIRE(run("openssl genpkey -algorithm ed25519 -aes-256-cbc -pass pass:secret -out " +
                quote(enc)) == 0);
    REQUIRE(::chmod(enc.c_str(), 0600) == 0);
    CHECK_THROWS_AS(SigningKey::load(enc, "n"), std::runtime_error);

    const std::string junk = dir / "junk.pem";
    write_file(junk, "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");
    REQUIRE(::chmod(junk.c_str(), 0600) == 0);
    CHECK_THROWS_AS(SigningKey::load(junk, "n"), std::runtime_error);

    // A public key is not a private key.
    const std::string pub = dir / "pub.pem";
    write_file(pub, SigningKey::generate("n").verifier().to_pem());
    REQUIRE(::chmod(pub.c_str(), 0600) == 0);
    CHECK_THROWS_AS(SigningKey::load(pub, "n"), std::runtime_error);

    CHECK_THROWS_AS(SigningKey::load(dir / "missing.pem", "n"), std::runtime_error);
    REQUIRE(::mkdir((dir / "subdir").c_str(), 0700) == 0);
    CHECK_THROWS_AS(SigningKey::load(dir / "subdir", "n"), std::runtime_error);

    // An EC public key is not an Ed25519 verifier key.
    std::string ec_pub;
    REQUIRE(run("openssl pkey -in " + quote(ec) + " -pubout", &ec_pub, &dir) == 0);
    CHECK_THROWS_AS(VerifierKey::from_pem(ec_pub, "n"), std::invalid_argument);
    CHECK_THROWS_AS(VerifierKey::from_pem("-----BEGIN PUBLIC KEY-----\n", "n"),
                    std::invalid_argument);
  }

  // ----------------------------------------------------------------------------------------
  // Key files

  TEST_CASE("save creates a 0600 file, refuses to overwrite; load refuses loose modes") {
    TempDir dir;
    const std::string path = dir / "key.pem";
    const SigningKey key = SigningKey::generate("example.com/log");

    const mode_t old_umask = ::umask(0);  // the mode must not depend on the umask
    key.save(path);
    ::umask(old_umask);
    CHECK(file_mode(path) == 0600);
    const std::string pem = read_file(path);
    CHECK(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));  // PKCS#8, unencrypted

    CHECK_THROWS_WITH_AS(key.save(path), doctest::Contains("already exists"), std::runtime_error);
    CHECK(read_file(path) == pem);
    const SigningKey other = SigningKey::generate("example.com/log");
    CHECK_THROWS_AS(other.save(path), std::runtime_error);
    CHECK(read_file(path) == pem);

    const SigningKey loaded = SigningKey::load(path, "example.com/log");
    CHECK(loaded.public_key() == key.public_key());
    CHECK(loaded.sign("abc") == key.sign("abc"));

    for (const mode_t mode : {0644, 0640, 0604, 0660, 0601}) {
      CAPTURE(mode);
      REQUIRE(::chmod(path.c_str(), mode) == 0);
      try {
        (void)SigningKey::load(path, "example.com/log");
        FAIL("load accepted a key file with mode ", mode);
      } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        CHECK(what.find("group or others") != std::string::npos);
        CHECK(what.find("PRIVATE") == std::string::npos);  // no key material in messages
        CHECK(what.find(pem.substr(28, 20)) == std::string::npos);
      }
    }
    REQUIRE(::chmod(path.c_str(), 0400) == 0);
    CHECK(SigningKey::load(path, "example.com/log").public_key() == key.public_key());

    CHECK_THROWS_AS(key.save((dir / "no-such-dir") + "/key.pem"), std::runtime_error);
  }

  TEST_CASE("key names are validated") {
    CHECK(is_valid_key_name("example.com/log"));
    CHECK(is_valid_key_name("\xc3\xa9t\xc3\xa9"));  // "été"
    CHECK_FALSE(is_valid_key_name(""));
    CHECK_FALSE(is_valid_key_name("a b"));
    CHECK_FALSE(is_valid_key_name("a+b"));
    CHECK_FALSE(is_valid_key_name("a\tb"));
    CHECK_FALSE(is_valid_key_name("a\nb"));
    CHECK_FALSE(
        is_valid_key_name("a\xc2\xa0"
                          "b"));  // U+00A0 no-break space
    CHECK_FALSE(
        is_valid_key_name("a\xe3\x80\x80"
                          "b"));  // U+3000 ideographic space
    CHECK_FALSE(is_valid_key_name("a\xff"));
    CHECK_FALSE(is_valid_key_name("\xc0\xaf"));  // overlong '/'
    CHECK_THROWS_AS(SigningKey::generate("bad name"), std::invalid_argument);
    CHECK_THROWS_AS(SigningKey::generate(""), std::invalid_argument);
    CHECK_THROWS_AS(VerifierKey::from_pem(SigningKey::generate("x").verifier().to_pem(), "a+b"),
                    std::invalid_argument);
  }

  TEST_CASE("verifier keys round-trip through both forms") {
    const SigningKey key = SigningKey::generate("example.com/log");
    const VerifierKey vk = key.verifier();
    const std::string note_form = vk.to_note_string();
    CHECK(note_form.starts_with("example.com/log+"));
    const VerifierKey a = VerifierKey::from_note_string(note_form);
    CHECK(a.name == vk.name);
    CHECK(a.key == vk.key);
    const VerifierKey b = VerifierKey::parse(vk.to_pem(), "example.com/log");
    CHECK(b.name == vk.name);
    CHECK(b.key == vk.key);
    CHECK(VerifierKey::parse(note_form + "\n", "ignored").name == "example.com/log");
  }

  // ----------------------------------------------------------------------------------------
  // Notes and checkpoints

  TEST_CASE("sign and open round trip") {
    const SigningKey key = SigningKey::generate("example.com/qledger/test");
    Checkpoint cp = sample_checkpoint();
    CHECK(cp.body() == "example.com/qledger/test\n20852163\n" + base64_encode(cp.root_hash) + "\n");

    const std::string note = sign_checkpoint(cp, key);
    CHECK(note.starts_with(cp.body() + "\n" + kDash + "example.com/qledger/test "));
    CHECK(note.ends_with("\n"));
    OpenedCheckpoint o = open_checkpoint(note, key.verifier(), "example.com/qledger/test");
    REQUIRE_MESSAGE(o.ok, o.reason);
    CHECK(o.checkpoint.origin == cp.origin);
    CHECK(o.checkpoint.tree_size == cp.tree_size);
    CHECK(o.checkpoint.root_hash == cp.root_hash);
    CHECK(o.checkpoint.extensions.empty());
    CHECK(open_checkpoint(note, key.verifier()).ok);  // no origin check

    // Extension lines, an empty tree, and the largest size.
    cp.extensions = {"ext one", "\xe2\x98\x83 two"};
    cp.tree_size = 0;
    cp.root_hash = empty_tree_root();
    o = open_checkpoint(sign_checkpoint(cp, key), key.verifier());
    REQUIRE_MESSAGE(o.ok, o.reason);
    CHECK(o.checkpoint.tree_size == 0);
    CHECK(o.checkpoint.root_hash == empty_tree_root());
    CHECK(o.checkpoint.extensions == cp.extensions);
    cp.tree_size = UINT64_MAX;
    o = open_checkpoint(sign_checkpoint(cp, key), key.verifier());
    REQUIRE_MESSAGE(o.ok, o.reason);
    CHECK(o.checkpoint.tree_size == UINT64_MAX);
  }

  TEST_CASE("tampered notes are rejected") {
    const SigningKey key = SigningKey::generate("example.com/log");
    const std::string note = sign_checkpoint(sample_checkpoint(), key);

    SUBCASE("tampered body") {
      const OpenedCheckpoint o =
          open_checkpoint(replace_once(note, "20852163", "20852164"), key.verifier());
      CHECK_FALSE(o.ok);
      CHECK(o.reason == "invalid signature by trusted key example.com/log");
    }
    SUBCASE("tampered signature bytes (key ID intact)") {
      SignedNote parsed = parse_signed_note(note);
      std::string sig = parsed.signatures[0].signature;
      sig[20] = static_cast<char>(sig[20] ^ 0x40);
      const std::string bad =
          make_note(parsed.body, {sig_line(key.name(), parsed.signatures[0].key_id, sig)});
      const OpenedCheckpoint o = open_checkpoint(bad, key.verifier());
      CHECK_FALSE(o.ok);
      CHECK(o.reason == "invalid signature by trusted key example.com/log");
    }
    SUBCASE("truncated signature") {
      SignedNote parsed = parse_signed_note(note);
      const std::string bad =
          make_note(parsed.body, {sig_line(key.name(), parsed.signatures[0].key_id,
                                           parsed.signatures[0].signature.substr(0, 63))});
      CHECK(open_checkpoint(bad, key.verifier()).reason ==
            "invalid signature by trusted key example.com/log");
    }
    SUBCASE("signed by a different key with the same name") {
      const SigningKey impostor = SigningKey::generate("example.com/log");
      REQUIRE(impostor.verifier().key_id() != key.verifier().key_id());
      const OpenedCheckpoint o =
          open_checkpoint(sign_checkpoint(sample_checkpoint(), impostor), key.verifier());
      CHECK_FALSE(o.ok);
      CHECK(o.reason == "no signature by trusted key example.com/log");
    }
    SUBCASE("same key under another name") {
      const SigningKey renamed =
          SigningKey::from_seed("example.com/other", hex_array<32>(std::string(64, '7')));
      const VerifierKey trusted{"example.com/log", renamed.public_key()};
      CHECK(open_checkpoint(sign_checkpoint(sample_checkpoint(), renamed), trusted).reason ==
            "no signature by trusted key example.com/log");
    }
  }

  TEST_CASE("signatures by other keys are ignored") {
    const SigningKey key = SigningKey::generate("example.com/log");
    const SigningKey witness = SigningKey::generate("witness.example/w1");
    const SigningKey same_name = SigningKey::generate("example.com/log");
    const std::string body = sample_checkpoint().body();
    const std::string good = sig_line(key.name(), key.verifier().key_id(), key.sign(body));
    const std::string wit =
        sig_line(witness.name(), witness.verifier().key_id(), witness.sign(body));
    const std::string other =
        sig_line(same_name.name(), same_name.verifier().key_id(), same_name.sign("x"));
    // Same ID as the trusted key but another name: not the trusted key, so ignored.
    const std::string id_clash =
        sig_line("example.com/elsewhere", key.verifier().key_id(), std::string(64, 'z'));

    const std::string note = make_note(body, {wit, other, id_clash, good});
    OpenedCheckpoint o = open_checkpoint(note, key.verifier(), "example.com/qledger/test");
    REQUIRE_MESSAGE(o.ok, o.reason);
    CHECK(o.checkpoint.tree_size == 20852163);
    // The same note opens for the witness too.
    CHECK(open_checkpoint(note, witness.verifier()).ok);
    // But the trusted key's other signature (over "x") does not verify for same_name.
    CHECK(open_checkpoint(note, same_name.verifier()).reason ==
          "invalid signature by trusted key example.com/log");

    // A second signature by the trusted key that fails spoils the note.
    const std::string bad_dup =
        sig_line(key.name(), key.verifier().key_id(), std::string(64, '\0'));
    CHECK_FALSE(open_checkpoint(make_note(body, {good, bad_dup}), key.verifier()).ok);
  }

  TEST_CASE("at most 16 signatures") {
    const SigningKey key = SigningKey::generate("example.com/log");
    const std::string body = sample_checkpoint().body();
    std::vector<std::string> lines = {
        sig_line(key.name(), key.verifier().key_id(), key.sign(body))};
    for (int i = 1; i < 16; ++i) {
      const SigningKey w = SigningKey::generate("w" + std::to_string(i) + ".example");
      lines.push_back(sig_line(w.name(), w.verifier().key_id(), w.sign(body)));
    }
    CHECK(parse_signed_note(make_note(body, lines)).signatures.size() == 16);
    CHECK(open_checkpoint(make_note(body, lines), key.verifier()).ok);
    lines.push_back(lines.back());
    CHECK_THROWS_WITH_AS(parse_signed_note(make_note(body, lines)),
                         doctest::Contains("more than 16"), std::invalid_argument);
    const OpenedCheckpoint o = open_checkpoint(make_note(body, lines), key.verifier());
    CHECK_FALSE(o.ok);
    CHECK(o.reason.starts_with("malformed note:"));
  }

  TEST_CASE("malformed notes") {
    const SigningKey key = SigningKey::generate("example.com/log");
    const std::string note = sign_checkpoint(sample_checkpoint(), key);
    const std::string body = sample_checkpoint().body();
    const std::string line = note.substr(body.size() + 1);

    const auto rejected = [&](const std::string& text) {
      CAPTURE(text);
      CHECK_THROWS_AS(parse_signed_note(text), std::invalid_argument);
      const OpenedCheckpoint o = open_checkpoint(text, key.verifier());
      CHECK_FALSE(o.ok);
      CHECK(o.reason.starts_with("malformed note:"));
    };
    rejected(body + line);                                           // missing blank line
    rejected(body + "\n");                                           // no signatures
    rejected(note.substr(0, note.size() - 1));                       // no final newline
    rejected(replace_once(note, "\xe2\x80\x94 ", "- "));             // ASCII hyphen
    rejected(replace_once(note, "\xe2\x80\x94 ", "\xe2\x80\x93 "));  // en dash
    rejected(replace_once(note, "\xe2\x80\x94 ", "\xe2\x80\x94"));   // no space after dash
    rejected(body + "\n" + kDash + "example.com/log\n");             // no signature
    rejected(body + "\n" + kDash + "example.com/log \n");            // empty signature
    rejected(body + "\n" + kDash + "example.com/log !!!!\n");        // bad base64
    rejected(body + "\n" + kDash + "example.com/log AAAA\n");        // too short (3 bytes)
    rejected(body + "\n" + kDash + "example.com/log AAAAAA\n");      // missing padding
    rejected(body + "\n" + kDash + " AAAAAAAA\n");                   // empty name
    rejected(body + "\n" + kDash + "a+b AAAAAAAA\n");                // '+' in name
    rejected(note + "\n");                                           // trailing blank line
    rejected(note + "not a signature\n");                            // trailing junk
    rejected(replace_once(note, "\n\n", "\r\n\n"));                  // CR in body
    rejected(replace_once(note, "example.com", "exa\tmple.com"));    // tab in body
    rejected(replace_once(note, "example.com", "exa\xc3mple.com"));  // bad UTF-8
    rejected(replace_once(note, "example.com", "\xed\xa0\x80"));     // UTF-16 surrogate
    rejected(replace_once(note, "example.com", "\xc1\x81"));         // overlong 'A'
    rejected("");
  }

  TEST_CASE("note signature parsing details") {
    // 5 decoded bytes (key ID + 1) is the minimum Go accepts; AAAAAAA= decodes to 5 bytes.
    const SignedNote n = parse_signed_note("text\n\n" + kDash + "k AAAAAAA=\n");
    REQUIRE(n.signatures.size() == 1);
    CHECK(n.signatures[0].key_id == 0);
    CHECK(n.signatures[0].signature == std::string(1, '\0'));

    // The body may contain blank lines; the last one separates the signatures.
    const SignedNote m = parse_signed_note("a\n\nb\n\n" + kDash + "k AAAAAAA=\n");
    CHECK(m.body == "a\n\nb\n");

    // Non-ASCII key names are fine.
    const SignedNote u = parse_signed_note("t\n\n" + kDash + "\xc3\xa9t\xc3\xa9 AAAAAAA=\n");
    CHECK(u.signatures[0].key_name == "\xc3\xa9t\xc3\xa9");
    CHECK_THROWS_AS(parse_signed_note("t\n\n" + kDash + "a\xc2\xa0" + "b AAAAAAA=\n"),
                    std::invalid_argument);
  }

  TEST_CASE("checkpoint body parsing") {
    const std::string root = base64_encode(sha256("root"));
    const auto bad = [](const std::string& body, const char* why) {
      CAPTURE(body);
      CHECK_THROWS_WITH_AS(parse_checkpoint_body(body), doctest::Contains(why),
                           std::invalid_argument);
    };
    const Checkpoint cp = parse_checkpoint_body("o\n7\n" + root + "\nx\n");
    CHECK(cp.origin == "o");
    CHECK(cp.tree_size == 7);
    CHECK(cp.extensions == std::vector<std::string>{"x"});
    CHECK(parse_checkpoint_body("o\n18446744073709551615\n" + root + "\n").tree_size == UINT64_MAX);

    bad("o\n01\n" + root + "\n", "leading zero");
    bad("o\n00\n" + root + "\n", "leading zero");
    bad("o\n18446744073709551616\n" + root + "\n", "64 bits");
    bad("o\n99999999999999999999999\n" + root + "\n", "64 bits");
    bad("o\n-1\n" + root + "\n", "decimal");
    bad("o\n+1\n" + root + "\n", "decimal");
    bad("o\n 1\n" + root + "\n", "decimal");
    bad("o\n1x\n" + root + "\n", "decimal");
    bad("o\n\n" + root + "\n", "size");
    bad("o\n1\n" + base64_encode(std::string(31, 'a')) + "\n", "32 bytes");
    bad("o\n1\n" + base64_encode(std::string(33, 'a')) + "\n", "32 bytes");
    bad("o\n1\n" + root.substr(0, root.size() - 1) + "\n", "32 bytes");
    bad("o\n1\n" + hex_bytes("00") + "\n", "control");
    bad("o\n1\n" + to_hex(sha256("root")) + "\n", "32 bytes");
    bad("\n1\n" + root + "\n", "origin");
    bad("o\n1\n" + root, "newline");
    bad("o\n1\n", "3 lines");
    bad("o\n1\n" + root + "\n\n", "extension");
    bad("o\n1\n" + root + "\nx\n\ny\n", "extension");
    bad("o\r\n1\n" + root + "\n", "control");
    bad("", "newline");

    // Opening: a validly signed note whose body is not a checkpoint.
    const SigningKey key = SigningKey::generate("example.com/log");
    const std::string body = "o\n01\n" + root + "\n";
    const std::string note =
        make_note(body, {sig_line(key.name(), key.verifier().key_id(), key.sign(body))});
    const OpenedCheckpoint o = open_checkpoint(note, key.verifier());
    CHECK_FALSE(o.ok);
    CHECK(o.reason.starts_with("malformed checkpoint:"));
    CHECK(o.reason.find("leading zero") != std::string::npos);
  }

  TEST_CASE("origin mismatch") {
    const SigningKey key = SigningKey::generate("example.com/log");
    const std::string note = sign_checkpoint(sample_checkpoint(), key);
    const OpenedCheckpoint o = open_checkpoint(note, key.verifier(), "example.com/other");
    CHECK_FALSE(o.ok);
    CHECK(o.reason.starts_with("origin mismatch"));
    CHECK(o.reason.find("example.com/other") != std::string::npos);
    CHECK(open_checkpoint(note, key.verifier(), "example.com/qledger/test").ok);
  }

  TEST_CASE("checkpoints that cannot be represented are not signed") {
    const SigningKey key = SigningKey::generate("example.com/log");
    Checkpoint cp = sample_checkpoint();
    cp.origin = "";
    CHECK_THROWS_AS(sign_checkpoint(cp, key), std::invalid_argument);
    cp.origin = "a\nb";
    CHECK_THROWS_AS(cp.body(), std::invalid_argument);
    cp.origin = "a\rb";
    CHECK_THROWS_AS(cp.body(), std::invalid_argument);
    cp.origin = "a\xff";
    CHECK_THROWS_AS(cp.body(), std::invalid_argument);
    cp = sample_checkpoint();
    cp.extensions = {""};
    CHECK_THROWS_AS(sign_checkpoint(cp, key), std::invalid_argument);
    cp.extensions = {"x\ny"};
    CHECK_THROWS_AS(sign_checkpoint(cp, key), std::invalid_argument);
  }

  TEST_CASE("a moved-from signing key refuses to sign") {
    SigningKey a = SigningKey::generate("example.com/log");
    SigningKey b = std::move(a);
    CHECK(b.sign("x").size() == 64);
    CHECK_THROWS_AS((void)a.sign("x"), std::logic_error);  // NOLINT(bugprone-use-after-move)
    a = std::move(b);
    CHECK(a.sign("x").size() == 64);
  }
}
