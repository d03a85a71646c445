// Password hashing and secret tokens for qledgerd's users (docs/daemon.md §"Accounts").
//
// Passwords are stored as "pbkdf2-sha256$<iterations>$<base64 salt>$<base64 key>" (PBKDF2-HMAC-
// SHA-256, 16-byte random salt, 32-byte key; OWASP 2023: at least 600,000 iterations). Secrets
// (session ids, API tokens) are random and stored only as their SHA-256. Comparisons of secret
// material are constant-time (CRYPTO_memcmp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace qledger {

inline constexpr std::uint32_t kDefaultPbkdf2Iterations = 600000;
inline constexpr std::uint32_t kMaxPbkdf2Iterations = 10000000;  // refuse absurd stored counts
inline constexpr std::size_t kMinPasswordLength = 10;            // bytes
inline constexpr std::size_t kMaxPasswordLength = 1024;          // bytes

// Hashes `password` with a fresh salt. Throws std::runtime_error if OpenSSL fails and
// std::invalid_argument if iterations is 0 or above kMaxPbkdf2Iterations.
std::string hash_password(std::string_view password, std::uint32_t iterations);

// True if `password` matches `encoded` (the hash_password form). Malformed `encoded` is false.
bool verify_password(std::string_view password, std::string_view encoded);

// `bytes` random bytes from the OpenSSL CSPRNG as lower-case hex. Throws std::runtime_error.
std::string random_hex(std::size_t bytes);

// Lower-case hex SHA-256 of `secret`: how session ids and tokens are stored.
std::string secret_digest(std::string_view secret);

// Constant-time equality (length is not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace qledger
