// Ed25519 signing keys for checkpoints, through OpenSSL 3.
//
// The private key lives in its own PEM file (PKCS#8), created with mode 0600 and never copied into
// the database. The verifier key is what supervisors keep: name + public key, serialised as a
// C2SP signed-note verifier key "<name>+<8 hex key ID>+<base64(0x01 || 32-byte public key)>".
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace qledger {

using PublicKey = std::array<std::uint8_t, 32>;

// A valid signed-note key name: non-empty, well-formed UTF-8, no Unicode spaces, no '+' (U+002B),
// no control characters.
bool is_valid_key_name(std::string_view name);

// Key ID per c2sp.org/signed-note for Ed25519: first 4 bytes of
// SHA-256(name || 0x0A || 0x01 || public key), as a big-endian uint32.
std::uint32_t note_key_id(std::string_view name, const PublicKey& key);

// A verifier key: the name a signature line carries, and the Ed25519 public key.
struct VerifierKey {
  std::string name;
  PublicKey key{};

  std::uint32_t key_id() const { return note_key_id(name, key); }
  std::string to_note_string() const;  // name+hexid+base64(0x01||key)
  std::string to_pem() const;          // SubjectPublicKeyInfo PEM, for `openssl pkeyutl`
  // Parses the note string form exactly (no surrounding whitespace); checks the name, the
  // algorithm byte (0x01, Ed25519), the key length and that the ID matches.
  // Throws std::invalid_argument with a reason on failure.
  static VerifierKey from_note_string(std::string_view text);
  // Parses a PEM Ed25519 public key, giving it `name` (which must be a valid key name).
  // Throws std::invalid_argument.
  static VerifierKey from_pem(std::string_view pem, std::string name);
  // Accepts either form (PEM detected by "-----BEGIN"); PEM needs the name given. Leading and
  // trailing ASCII whitespace (e.g. a file's final newline) is ignored.
  static VerifierKey parse(std::string_view text, std::string_view name_for_pem);
};

// Ed25519 verification of a raw message. False on any failure (bad length, bad signature).
bool ed25519_verify(const PublicKey& key, std::string_view message, std::string_view signature);

class SigningKey {
 public:
  ~SigningKey();
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;

  // All factories throw std::invalid_argument if `name` is not a valid key name (it could never
  // appear on a signature line).
  static SigningKey generate(std::string name);
  // Deterministic key from a 32-byte RFC 8032 private key (seed). For tests and known vectors.
  static SigningKey from_seed(std::string name, const std::array<std::uint8_t, 32>& seed);
  // Writes the private key as unencrypted PKCS#8 PEM to `path`, created exclusively with mode
  // 0600 and fsynced. Throws std::runtime_error if the file exists or cannot be written (a
  // partially written file is removed).
  void save(const std::string& path) const;
  // Loads an unencrypted PKCS#8 PEM Ed25519 key. Refuses (std::runtime_error) a file accessible
  // by group or others, a non-regular file, an encrypted key and a non-Ed25519 key. The name is
  // not stored in PEM, so the caller supplies it.
  static SigningKey load(const std::string& path, std::string name);

  const std::string& name() const { return name_; }
  const PublicKey& public_key() const { return public_key_; }
  VerifierKey verifier() const { return VerifierKey{name_, public_key_}; }
  // 64-byte Ed25519 signature over `message`.
  std::string sign(std::string_view message) const;

 private:
  SigningKey() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string name_;
  PublicKey public_key_{};
};

}  // namespace qledger
