// Reading and writing the small files the CLI handles (payloads, checkpoints, proofs, keys).
#pragma once

#include <cstddef>
#include <string>

namespace qledger::cli {

// Reads a whole file ("-" = standard input), refusing more than `max_bytes`.
// Throws std::runtime_error naming the file on failure.
std::string read_input(const std::string& path, std::size_t max_bytes = 4 << 20);

// Writes `text` to `path` atomically (temp file + fsync + rename).
void write_file_atomic(const std::string& path, const std::string& text);

// A --trusted-key argument: a note-form verifier key, or the path of a file holding one.
// Surrounding whitespace is ignored.
std::string key_argument_text(const std::string& argument);

}  // namespace qledger::cli
