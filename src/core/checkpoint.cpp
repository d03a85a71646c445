// C2SP signed notes (c2sp.org/signed-note) carrying C2SP checkpoints (c2sp.org/tlog-checkpoint).
#include "qledger/checkpoint.hpp"

#include "qledger/utf8.hpp"

#include <stdexcept>
#include <string>

namespace qledger {

namespace {

constexpr std::string_view kSigPrefix = "\xe2\x80\x94 ";  // em dash (U+2014), space
constexpr std::size_t kMaxSignatures = 16;

[[noreturn]] void malformed(const std::string& reason) { throw std::invalid_argument(reason); }

// Checks that `text` is well-formed UTF-8 (no overlong forms, surrogates or code points beyond
// U+10FFFF) with no ASCII control character other than newline. Returns an empty string if so,
// else the reason.
std::string check_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t at = i;
    char32_t cp = 0;
    if (!decode_utf8(text, i, cp)) return "is not valid UTF-8 at offset " + std::to_string(at);
    if (cp < 0x20 && cp != '\n') {
      return "contains a control character (byte " + std::to_string(cp) + ") at offset " +
             std::to_string(at);
    }
  }
  return {};
}

// A single body line (origin or extension) that Checkpoint::body() can emit.
void check_line(std::string_view line, const char* what) {
  if (line.empty()) malformed(std::string(what) + " is empty");
  if (line.find('\n') != std::string_view::npos) {
    malformed(std::string(what) + " contains a newline");
  }
  if (const std::string why = check_text(line); !why.empty()) {
    malformed(std::string(what) + " " + why);
  }
}

// Tree size: ASCII decimal, no sign, no leading zeros except "0" itself, fits in uint64.
std::uint64_t parse_tree_size(std::string_view s) {
  if (s.empty()) malformed("checkpoint tree size line is empty");
  for (const char c : s) {
    if (c < '0' || c > '9') malformed("checkpoint tree size is not a decimal number");
  }
  if (s.size() > 1 && s[0] == '0') malformed("checkpoint tree size has a leading zero");
  std::uint64_t v = 0;
  for (const char c : s) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) malformed("checkpoint tree size does not fit in 64 bits");
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

std::string Checkpoint::body() const {
  check_line(origin, "checkpoint origin");
  for (const std::string& ext : extensions) check_line(ext, "checkpoint extension line");
  std::string out;
  out.reserve(origin.size() + 70);
  out += origin;
  out += '\n';
  out += std::to_string(tree_size);
  out += '\n';
  out += base64_encode(root_hash);
  out += '\n';
  for (const std::string& ext : extensions) {
    out += ext;
    out += '\n';
  }
  return out;
}

std::string sign_checkpoint(const Checkpoint& checkpoint, const SigningKey& key) {
  if (!is_valid_key_name(key.name())) {
    malformed("signing key name is not a valid note key name");
  }
  const std::string body = checkpoint.body();
  const std::string sig = key.sign(body);
  const std::uint32_t id = key.verifier().key_id();
  std::string blob;
  blob.reserve(4 + sig.size());
  blob += static_cast<char>((id >> 24) & 0xff);
  blob += static_cast<char>((id >> 16) & 0xff);
  blob += static_cast<char>((id >> 8) & 0xff);
  blob += static_cast<char>(id & 0xff);
  blob += sig;

  std::string note = body;
  note += '\n';
  note += kSigPrefix;
  note += key.name();
  note += ' ';
  note += base64_encode(blob);
  note += '\n';
  return note;
}

SignedNote parse_signed_note(std::string_view text) {
  if (const std::string why = check_text(text); !why.empty()) malformed("note " + why);

  // The text is separated from the signatures by the last blank line; the text keeps its final
  // newline, the blank line belongs to neither.
  const std::size_t split = text.rfind("\n\n");
  if (split == std::string_view::npos) {
    malformed("note has no blank line between text and signatures");
  }
  SignedNote note;
  note.body = std::string(text.substr(0, split + 1));
  std::string_view sigs = text.substr(split + 2);
  if (sigs.empty()) malformed("note has no signature lines");
  if (sigs.back() != '\n') malformed("note's last signature line does not end with a newline");

  while (!sigs.empty()) {
    const std::size_t nl = sigs.find('\n');  // always found: sigs ends with '\n'
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);

    if (note.signatures.size() == kMaxSignatures) {
      malformed("note has more than " + std::to_string(kMaxSignatures) + " signatures");
    }
    if (!line.starts_with(kSigPrefix)) {
      malformed("signature line does not start with an em dash (U+2014) and a space");
    }
    line.remove_prefix(kSigPrefix.size());
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) malformed("signature line has no signature");
    const std::string_view name = line.substr(0, space);
    const std::string_view b64 = line.substr(space + 1);
    if (!is_valid_key_name(name)) malformed("signature line has an invalid key name");
    std::string raw;
    if (b64.empty() || !base64_decode(b64, raw)) {
      malformed("signature line's signature is not valid base64");
    }
    if (raw.size() < 5) malformed("signature line's signature is too short");

    NoteSignature sig;
    sig.key_name = std::string(name);
    for (std::size_t k = 0; k < 4; ++k) {
      sig.key_id = (sig.key_id << 8) | static_cast<std::uint8_t>(raw[k]);
    }
    sig.signature = raw.substr(4);
    note.signatures.push_back(std::move(sig));
  }
  return note;
}

Checkpoint parse_checkpoint_body(std::string_view body) {
  if (body.empty() || body.back() != '\n') malformed("checkpoint body must end with a newline");
  if (const std::string why = check_text(body); !why.empty()) malformed("checkpoint body " + why);

  std::vector<std::string_view> lines;
  for (std::string_view rest = body; !rest.empty();) {
    const std::size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) {
    malformed("checkpoint body needs at least 3 lines (origin, tree size, root hash)");
  }

  Checkpoint cp;
  if (lines[0].empty()) malformed("checkpoint origin line is empty");
  cp.origin = std::string(lines[0]);
  cp.tree_size = parse_tree_size(lines[1]);
  if (!hash_from_base64(lines[2], cp.root_hash)) {
    malformed("checkpoint root hash is not the base64 encoding of 32 bytes");
  }
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) malformed("checkpoint extension line is empty");
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

OpenedCheckpoint open_checkpoint(std::string_view note_text, const VerifierKey& trusted,
                                 std::string_view expected_origin) {
  OpenedCheckpoint result;
  SignedNote note;
  try {
    note = parse_signed_note(note_text);
  } catch (const std::invalid_argument& e) {
    result.reason = std::string("malformed note: ") + e.what();
    return result;
  }

  // Only a signature whose key name AND key ID both match the trusted key counts; others (other
  // logs, witnesses, rotated keys) are ignored, per c2sp.org/signed-note. Every matching
  // signature must verify.
  const std::uint32_t trusted_id = trusted.key_id();
  bool found = false;
  for (const NoteSignature& sig : note.signatures) {
    if (sig.key_name != trusted.name || sig.key_id != trusted_id) continue;
    found = true;
    if (!ed25519_verify(trusted.key, note.body, sig.signature)) {
      result.reason = "invalid signature by trusted key " + trusted.name;
      return result;
    }
  }
  if (!found) {
    result.reason = "no signature by trusted key " + trusted.name;
    return result;
  }

  try {
    result.checkpoint = parse_checkpoint_body(note.body);
  } catch (const std::invalid_argument& e) {
    result.reason = std::string("malformed checkpoint: ") + e.what();
    return result;
  }
  if (!expected_origin.empty() && result.checkpoint.origin != expected_origin) {
    result.reason = "origin mismatch: expected \"" + std::string(expected_origin) + "\", got \"" +
                    result.checkpoint.origin + "\"";
    result.checkpoint = Checkpoint{};
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace qledger
