#include "qledger/auth_password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

#include "qledger/hash.hpp"

namespace qledger {

namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return out;
}

std::string derive(std::string_view password, std::string_view salt, std::uint32_t iterations) {
  std::string key(kKeyBytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(key.size()),
                        reinterpret_cast<unsigned char*>(key.data())) != 1) {
    throw std::runtime_error("OpenSSL PKCS5_PBKDF2_HMAC failed");
  }
  return key;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

}  // namespace

std::string hash_password(std::string_view password, std::uint32_t iterations) {
  if (iterations == 0 || iterations > kMaxPbkdf2Iterations) {
    throw std::invalid_argument("PBKDF2 iteration count out of range");
  }
  if (password.size() > kMaxPasswordLength) throw std::invalid_argument("password too long");
  const std::string salt = random_bytes(kSaltBytes);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + base64_encode(salt) + "$" +
         base64_encode(derive(password, salt, iterations));
}

bool verify_password(std::string_view password, std::string_view encoded) {
  if (password.size() > kMaxPasswordLength) return false;
  const auto parts = split(encoded, '$');
  if (parts.size() != 4 || parts[0] != kScheme) return false;
  std::uint32_t iterations = 0;
  const auto [end, ec] =
      std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc() || end != parts[1].data() + parts[1].size() || iterations == 0 ||
      iterations > kMaxPbkdf2Iterations) {
    return false;
  }
  std::string salt, expected;
  if (!base64_decode(parts[2], salt) || !base64_decode(parts[3], expected) ||
      expected.size() != kKeyBytes || salt.empty()) {
    return false;
  }
  return constant_time_equal(derive(password, salt, iterations), expected);
}

std::string random_hex(std::size_t bytes) { return to_hex(random_bytes(bytes)); }

std::string secret_digest(std::string_view secret) { return to_hex(sha256(secret)); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace qledger
