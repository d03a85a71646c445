// SHA-256 and the RFC 9162 hashing rules used by the ledger.
//
// Leaf hash = SHA-256(0x00 || leaf bytes); interior node = SHA-256(0x01 || left || right);
// the empty tree's root = SHA-256(""). Pure functions, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace qledger {

using Hash = std::array<std::uint8_t, 32>;

// A reusable SHA-256 context. Fetches the OpenSSL digest once and reuses one EVP_MD_CTX, which
// is several times faster than one-shot calls for small inputs. Not thread-safe: one per thread.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Hash of the concatenation of the given parts.
  Hash digest(std::string_view data);
  Hash digest(std::string_view prefix, std::string_view data);
  Hash leaf_hash(std::string_view leaf_bytes);          // SHA-256(0x00 || leaf)
  Hash node_hash(const Hash& left, const Hash& right);  // SHA-256(0x01 || left || right)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience wrappers using a thread-local Sha256.
Hash sha256(std::string_view data);
Hash leaf_hash(std::string_view leaf_bytes);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_tree_root();  // SHA-256 of the empty string

// Lower-case hex (64 chars for a Hash) and standard base64 with padding (RFC 4648 §4).
std::string to_hex(const std::uint8_t* data, std::size_t size);
std::string to_hex(const Hash& h);
std::string to_hex(std::string_view bytes);
// Parse hex (either case). Returns false on wrong length or non-hex character.
bool hash_from_hex(std::string_view hex, Hash& out);
bool bytes_from_hex(std::string_view hex, std::string& out);

std::string base64_encode(std::string_view bytes);
std::string base64_encode(const Hash& h);
// Strict decoding: standard alphabet, padding required, no whitespace. Returns false on error.
bool base64_decode(std::string_view text, std::string& out);
bool hash_from_base64(std::string_view text, Hash& out);

std::string_view as_bytes(const Hash& h);

}  // namespace qledger
