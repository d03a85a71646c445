// Checkpoints: C2SP tlog-checkpoint bodies wrapped in a C2SP signed note.
//
//   <origin>\n<tree size, decimal>\n<root hash, base64>\n      (body; extension lines optional)
//   \n
//   — <key name> <base64(4-byte key ID || 64-byte Ed25519 signature)>\n   (one or more)
//
// The signature covers the body bytes including the body's final newline.
#pragma once

#include "qledger/hash.hpp"
#include "qledger/signing_key.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qledger {

struct Checkpoint {
  std::string origin;
  std::uint64_t tree_size = 0;
  Hash root_hash{};
  std::vector<std::string> extensions;  // extra body lines, without newlines

  // The exact signed text. Throws std::invalid_argument if the origin or an extension line is
  // empty, contains a newline or control character, or is not valid UTF-8.
  std::string body() const;
};

struct NoteSignature {
  std::string key_name;
  std::uint32_t key_id = 0;
  std::string signature;  // raw signature bytes (64 for Ed25519)
};

struct SignedNote {
  std::string body;  // includes its final newline
  std::vector<NoteSignature> signatures;
};

// Signs `checkpoint` and returns the complete note text (body, blank line, one signature line).
// Throws std::invalid_argument if the checkpoint cannot be represented (see body()).
std::string sign_checkpoint(const Checkpoint& checkpoint, const SigningKey& key);

// Splits note text into body and signature lines; the body ends at the last blank line. Does not
// verify anything. Throws std::invalid_argument on malformed text (no blank line, bad signature
// line, more than 16 signatures, non-UTF-8, control characters other than newline …).
SignedNote parse_signed_note(std::string_view text);

// Parses a checkpoint body. Throws std::invalid_argument on malformed text.
Checkpoint parse_checkpoint_body(std::string_view body);

// Result of opening a note: its checkpoint if a signature by `trusted` verifies over the body.
struct OpenedCheckpoint {
  bool ok = false;
  std::string reason;  // why not ok
  Checkpoint checkpoint;
};

// Parses `note_text`, finds the signatures whose name and key ID match `trusted` (signatures by
// other keys are ignored, per the spec), verifies them (all must verify), and parses the body. If
// `expected_origin` is non-empty the origin must match it. Never throws for bad input; reasons
// start with "malformed note: ", "no signature by trusted key <name>", "invalid signature by
// trusted key <name>", "malformed checkpoint: " or "origin mismatch: ".
OpenedCheckpoint open_checkpoint(std::string_view note_text, const VerifierKey& trusted,
                                 std::string_view expected_origin = {});

}  // namespace qledger
