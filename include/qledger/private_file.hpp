// Files holding secrets or personal data (the accounts file: password hashes, session and token
// digests; the ledger: complainants' names and phone numbers) are created readable and writable
// by their owner only, whatever the umask. SQLite gives a database's -wal and -shm files the
// mode of the database file, so they follow.
#pragma once

#include <string>

namespace qledger {

// Creates `path` as an empty file with mode 0600 (set explicitly, whatever the umask) if nothing
// is there; a symbolic link to a missing file is followed and that file created. Returns false,
// changing nothing, if a file already is there. Throws std::runtime_error if it cannot be
// created.
bool create_private_file(const std::string& path);

}  // namespace qledger
