// Ed25519 keys through OpenSSL 3, and the C2SP signed-note verifier key format.
#include "qledger/signing_key.hpp"

#include "qledger/hash.hpp"
#include "qledger/utf8.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace qledger {

namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

constexpr std::uint8_t kAlgEd25519 = 0x01;

// OpenSSL failures leave entries on the thread's error queue; drop them so they cannot be
// mistaken for the cause of a later, unrelated failure.
[[noreturn]] void throw_openssl(const char* what) {
  ERR_clear_error();
  throw std::runtime_error(std::string("OpenSSL: ") + what);
}

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string errno_text(int err) { return std::strerror(err); }

// A string whose contents are wiped when it goes out of scope (PEM text of a private key).
struct SecretString {
  std::string data;
  SecretString() = default;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString() {
    if (!data.empty()) OPENSSL_cleanse(data.data(), data.size());
  }
};

// Unicode White_Space (what Go's unicode.IsSpace reports).
bool is_unicode_space(char32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200a;
  }
}

void require_valid_name(std::string_view name) {
  if (!is_valid_key_name(name)) {
    std::string shown(name);
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    throw std::invalid_argument("invalid key name \"" + shown +
                                "\": it must be non-empty UTF-8 without spaces, '+' or control "
                                "characters");
  }
}

PkeyPtr raw_public_pkey(const PublicKey& key) {
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
  if (!pkey) throw_openssl("cannot build Ed25519 public key");
  return pkey;
}

bool is_ed25519(const EVP_PKEY* pkey) { return EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519; }

PublicKey raw_public_key(const EVP_PKEY* pkey) {
  PublicKey out{};
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(pkey, out.data(), &len) != 1 || len != out.size()) {
    throw_openssl("cannot extract Ed25519 public key");
  }
  return out;
}

BioPtr mem_bio(std::string_view data) {
  if (data.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::invalid_argument("input too large");
  }
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) throw_openssl("cannot allocate BIO");
  return bio;
}

// Passphrase callback that refuses: an encrypted key fails to load instead of prompting on the
// terminal (OpenSSL's default callback would read from /dev/tty).
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return 0; }

std::string_view trim_ascii_space(std::string_view s) {
  const auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_valid_key_name(std::string_view name) {
  if (name.empty()) return false;
  std::size_t i = 0;
  while (i < name.size()) {
    char32_t cp = 0;
    if (!decode_utf8(name, i, cp)) return false;
    if (cp < 0x20 || cp == 0x7f || cp == '+' || is_unicode_space(cp)) return false;
  }
  return true;
}

std::uint32_t note_key_id(std::string_view name, const PublicKey& key) {
  std::string data;
  data.reserve(name.size() + 2 + key.size());
  data.append(name);
  data.push_back('\n');
  data.push_back(static_cast<char>(kAlgEd25519));
  data.append(reinterpret_cast<const char*>(key.data()), key.size());
  const Hash h = sha256(data);
  return (std::uint32_t{h[0]} << 24) | (std::uint32_t{h[1]} << 16) | (std::uint32_t{h[2]} << 8) |
         std::uint32_t{h[3]};
}

// ---------------------------------------------------------------------------------------------
// VerifierKey

std::string VerifierKey::to_note_string() const {
  require_valid_name(name);
  char id[9];
  std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(key_id()));
  std::string keydata(1, static_cast<char>(kAlgEd25519));
  keydata.append(reinterpret_cast<const char*>(key.data()), key.size());
  return name + "+" + id + "+" + base64_encode(keydata);
}

std::string VerifierKey::to_pem() const {
  const PkeyPtr pkey = raw_public_pkey(key);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw_openssl("cannot allocate BIO");
  if (PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) throw_openssl("cannot write public key");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) throw_openssl("cannot write public key");
  return std::string(data, static_cast<std::size_t>(len));
}

VerifierKey VerifierKey::from_note_string(std::string_view text) {
  const std::size_t p1 = text.find('+');
  if (p1 == std::string_view::npos) {
    throw std::invalid_argument("verifier key: expected <name>+<key ID>+<key data>");
  }
  const std::string_view name = text.substr(0, p1);
  const std::string_view rest = text.substr(p1 + 1);
  const std::size_t p2 = rest.find('+');
  if (p2 == std::string_view::npos) {
    throw std::invalid_argument("verifier key: expected <name>+<key ID>+<key data>");
  }
  const std::string_view id_hex = rest.substr(0, p2);
  const std::string_view key64 = rest.substr(p2 + 1);
  if (!is_valid_key_name(name)) throw std::invalid_argument("verifier key: invalid key name");
  std::string id_bytes;
  if (id_hex.size() != 8 || !bytes_from_hex(id_hex, id_bytes)) {
    throw std::invalid_argument("verifier key: key ID must be 8 hex digits");
  }
  std::string keydata;
  if (key64.empty() || !base64_decode(key64, keydata)) {
    throw std::invalid_argument("verifier key: key data is not valid base64");
  }
  if (static_cast<std::uint8_t>(keydata[0]) != kAlgEd25519) {
    throw std::invalid_argument("verifier key: unknown signature algorithm (only Ed25519, 0x01)");
  }
  if (keydata.size() != 1 + PublicKey{}.size()) {
    throw std::invalid_argument("verifier key: Ed25519 public key must be 32 bytes");
  }
  VerifierKey vk;
  vk.name = std::string(name);
  std::copy(keydata.begin() + 1, keydata.end(), vk.key.begin());
  std::uint32_t id = 0;
  for (const char c : id_bytes) id = (id << 8) | static_cast<std::uint8_t>(c);
  if (id != vk.key_id()) {
    throw std::invalid_argument("verifier key: key ID does not match name and public key");
  }
  return vk;
}

VerifierKey VerifierKey::from_pem(std::string_view pem, std::string name) {
  if (!is_valid_key_name(name)) throw std::invalid_argument("public key: invalid key name");
  const BioPtr bio = mem_bio(pem);
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  if (!pkey) {
    ERR_clear_error();
    throw std::invalid_argument("public key: not a PEM SubjectPublicKeyInfo public key");
  }
  if (!is_ed25519(pkey.get())) {
    throw std::invalid_argument("public key: not an Ed25519 key");
  }
  return VerifierKey{std::move(name), raw_public_key(pkey.get())};
}

VerifierKey VerifierKey::parse(std::string_view text, std::string_view name_for_pem) {
  const std::string_view t = trim_ascii_space(text);
  if (t.starts_with("-----BEGIN")) return from_pem(t, std::string(name_for_pem));
  return from_note_string(t);
}

bool ed25519_verify(const PublicKey& key, std::string_view message, std::string_view signature) {
  if (signature.size() != 64) return false;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  static constexpr unsigned char kEmpty[1] = {0};
  const auto* msg =
      message.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(message.data());
  const bool ok =
      pkey && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), msg, message.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

// ---------------------------------------------------------------------------------------------
// SigningKey

struct SigningKey::Impl {
  PkeyPtr pkey;
};

SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

SigningKey SigningKey::generate(std::string name) {
  require_valid_name(name);
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!pkey) throw_openssl("Ed25519 key generation failed");
  SigningKey k;
  k.name_ = std::move(name);
  k.public_key_ = raw_public_key(pkey.get());
  k.impl_ = std::make_unique<Impl>(Impl{std::move(pkey)});
  return k;
}

SigningKey SigningKey::from_seed(std::string name, const std::array<std::uint8_t, 32>& seed) {
  require_valid_name(name);
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!pkey) throw_openssl("cannot build Ed25519 private key");
  SigningKey k;
  k.name_ = std::move(name);
  k.public_key_ = raw_public_key(pkey.get());
  k.impl_ = std::make_unique<Impl>(Impl{std::move(pkey)});
  return k;
}

void SigningKey::save(const std::string& path) const {
  if (!impl_ || !impl_->pkey) throw std::logic_error("SigningKey: no key (moved from)");

  // Serialise into secure memory first so a failure leaves no file behind.
  SecretString pem;
  {
    BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio) throw_openssl("cannot allocate BIO");
    if (PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                 nullptr) != 1) {
      throw_openssl("cannot serialise private key");
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    if (len <= 0 || data == nullptr) throw_openssl("cannot serialise private key");
    pem.data.assign(data, static_cast<std::size_t>(len));
  }

  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == EEXIST) {
      throw std::runtime_error("key file " + path + " already exists; refusing to overwrite it");
    }
    throw std::runtime_error("cannot create key file " + path + ": " + errno_text(err));
  }
  const auto fail = [&](const char* step, int err) {
    ::close(fd.release());
    ::unlink(path.c_str());
    throw std::runtime_error(std::string("cannot ") + step + " key file " + path + ": " +
                             errno_text(err));
  };
  // The umask may only clear bits, but be explicit about the final mode.
  if (::fchmod(fd.get(), 0600) != 0) fail("set mode of", errno);
  std::size_t off = 0;
  while (off < pem.data.size()) {
    const ssize_t n = ::write(fd.get(), pem.data.data() + off, pem.data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", errno);
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail("sync", errno);
  if (::close(fd.release()) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    throw std::runtime_error("cannot close key file " + path + ": " + errno_text(err));
  }
}

SigningKey SigningKey::load(const std::string& path, std::string name) {
  require_valid_name(name);
  // O_NONBLOCK: opening a FIFO planted at the path must not hang (no effect on regular files).
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    throw std::runtime_error("cannot open key file " + path + ": " + errno_text(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw std::runtime_error("cannot stat key file " + path + ": " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw std::runtime_error("key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw std::runtime_error("key file " + path + " has mode " + mode +
                             ", which allows access by group or others; refusing to use it "
                             "(chmod 600 the file)");
  }
  if (st.st_size > 64 * 1024) {
    throw std::runtime_error("key file " + path + " is too large to be an Ed25519 key");
  }

  SecretString pem;
  pem.data.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t used = 0;
  for (;;) {
    if (used == pem.data.size()) {
      throw std::runtime_error("key file " + path + " changed while being read");
    }
    const ssize_t n = ::read(fd.get(), pem.data.data() + used, pem.data.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot read key file " + path + ": " + errno_text(errno));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }

  PkeyPtr pkey;
  {
    const BioPtr bio = mem_bio(std::string_view(pem.data.data(), used));
    pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  }
  if (!pkey) {
    ERR_clear_error();
    throw std::runtime_error("key file " + path + " does not hold an unencrypted PEM private key");
  }
  if (!is_ed25519(pkey.get())) {
    throw std::runtime_error("key file " + path + " does not hold an Ed25519 key");
  }
  SigningKey k;
  k.name_ = std::move(name);
  k.public_key_ = raw_public_key(pkey.get());
  k.impl_ = std::make_unique<Impl>(Impl{std::move(pkey)});
  return k;
}

std::string SigningKey::sign(std::string_view message) const {
  if (!impl_ || !impl_->pkey) throw std::logic_error("SigningKey: no key (moved from)");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) throw_openssl("cannot allocate digest context");
  static constexpr unsigned char kEmpty[1] = {0};
  const auto* msg =
      message.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(message.data());
  std::string sig(64, '\0');
  std::size_t len = sig.size();
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg,
                     message.size()) != 1 ||
      len != 64) {
    throw_openssl("Ed25519 signing failed");
  }
  return sig;
}

}  // namespace qledger
