#include "qledger/hash.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include <stdexcept>

namespace qledger {

struct Sha256::Impl {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->md == nullptr || impl_->ctx == nullptr) {
    EVP_MD_free(impl_->md);
    EVP_MD_CTX_free(impl_->ctx);
    throw std::runtime_error("OpenSSL: SHA-256 unavailable");
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(impl_->ctx);
  EVP_MD_free(impl_->md);
}

Hash Sha256::digest(std::string_view prefix, std::string_view data) {
  Hash out{};
  unsigned int len = 0;
  if (EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr) != 1 ||
      (!prefix.empty() && EVP_DigestUpdate(impl_->ctx, prefix.data(), prefix.size()) != 1) ||
      (!data.empty() && EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) != 1) ||
      EVP_DigestFinal_ex(impl_->ctx, out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  }
  return out;
}

Hash Sha256::digest(std::string_view data) { return digest({}, data); }

Hash Sha256::leaf_hash(std::string_view leaf_bytes) {
  static constexpr char kLeafPrefix[1] = {0x00};
  return digest(std::string_view(kLeafPrefix, 1), leaf_bytes);
}

Hash Sha256::node_hash(const Hash& left, const Hash& right) {
  char buf[65];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return digest(std::string_view(buf, sizeof buf));
}

namespace {
Sha256& thread_hasher() {
  thread_local Sha256 hasher;
  return hasher;
}
}  // namespace

Hash sha256(std::string_view data) { return thread_hasher().digest(data); }
Hash leaf_hash(std::string_view leaf_bytes) { return thread_hasher().leaf_hash(leaf_bytes); }
Hash node_hash(const Hash& left, const Hash& right) {
  return thread_hasher().node_hash(left, right);
}
Hash empty_tree_root() { return sha256({}); }

std::string_view as_bytes(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0f];
  }
  return out;
}

std::string to_hex(const Hash& h) { return to_hex(h.data(), h.size()); }

std::string to_hex(std::string_view bytes) {
  return to_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

namespace {
// Each byte's value as a hex digit, or -1.
constexpr std::array<std::int8_t, 256> kHexValues = [] {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<std::int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[c] = static_cast<std::int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) table[c] = static_cast<std::int8_t>(c - 'A' + 10);
  return table;
}();

int hex_value(char c) { return kHexValues[static_cast<unsigned char>(c)]; }

// Decodes hex (an even number of digits, either case) into hex.size() / 2 bytes at `out`; false
// at the first non-digit (`out` may then be partly written).
bool decode_hex(std::string_view hex, std::uint8_t* out) {
  for (std::size_t i = 0; i < hex.size() / 2; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return true;
}
}  // namespace

bool bytes_from_hex(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0) return false;
  std::string result(hex.size() / 2, '\0');
  if (!decode_hex(hex, reinterpret_cast<std::uint8_t*>(result.data()))) return false;
  out = std::move(result);
  return true;
}

bool hash_from_hex(std::string_view hex, Hash& out) {
  // Without a temporary string: the verifier reads one per event.
  Hash result{};
  if (hex.size() != 2 * result.size() || !decode_hex(hex, result.data())) return false;
  out = result;
  return true;
}

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const unsigned v = p[i] << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const unsigned v = (p[i] << 16) | (p[i + 1] << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string base64_encode(const Hash& h) { return base64_encode(as_bytes(h)); }

bool base64_decode(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  std::string result;
  result.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + static_cast<std::size_t>(j)];
      if (c == '=') {
        if (i + 4 != text.size() || j < 2) return false;
        v[j] = 0;
        ++pad;
      } else {
        if (pad > 0) return false;  // data after padding
        v[j] = b64_value(c);
        if (v[j] < 0) return false;
      }
    }
    const unsigned n = (static_cast<unsigned>(v[0]) << 18) | (static_cast<unsigned>(v[1]) << 12) |
                       (static_cast<unsigned>(v[2]) << 6) | static_cast<unsigned>(v[3]);
    result += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) result += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) result += static_cast<char>(n & 0xff);
    // Canonical form: the bits dropped by padding must be zero.
    if ((pad == 1 && (n & 0xff) != 0) || (pad == 2 && (n & 0xffff) != 0)) return false;
  }
  out = std::move(result);
  return true;
}

bool hash_from_base64(std::string_view text, Hash& out) {
  std::string bytes;
  if (!base64_decode(text, bytes) || bytes.size() != out.size()) return false;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return true;
}

}  // namespace qledger
