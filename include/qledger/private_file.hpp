// Files holding secrets or personal data (the accounts file: password hashes, session and token
// digests; the ledger: complainants' names and phone numbers) are created readable and writable
// by their owner only, whatever the umask. SQLite gives a database's -wal and -shm files the
// mode of the database file, so they follow.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace qledger {

// A file create_private_file made: its directory (held open) and name there, and its identity.
class PrivateFile {
 public:
  PrivateFile(int dir_fd, std::string name, dev_t device, ino_t inode);
  ~PrivateFile();
  PrivateFile(PrivateFile&& other) noexcept;
  PrivateFile(const PrivateFile&) = delete;
  PrivateFile& operator=(const PrivateFile&) = delete;
  PrivateFile& operator=(PrivateFile&&) = delete;

  // Removes the file, and SQLite's -wal and -shm beside it, if its name in that directory still
  // names this very file (checked by device and inode, without following a symbolic link): a
  // file put in its place is not removed. (A file made after this one was deleted may reuse its
  // inode, and would be taken for it.)
  void remove() const;

 private:
  int dir_fd_;
  std::string name_;
  dev_t device_;
  ino_t inode_;
};

// Creates `path` as an empty file with mode 0600 (set explicitly, whatever the umask) if nothing
// is there, not following a symbolic link at its end. Returns nullopt, changing nothing, if
// something already is (a dangling symbolic link included). Throws std::runtime_error if it
// cannot be created.
std::optional<PrivateFile> create_private_file(const std::string& path);

}  // namespace qledger
