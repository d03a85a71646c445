#include "qledger/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace qledger {

PrivateFile::PrivateFile(int dir_fd, std::string name, dev_t device, ino_t inode)
    : dir_fd_(dir_fd), name_(std::move(name)), device_(device), inode_(inode) {}

PrivateFile::~PrivateFile() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

PrivateFile::PrivateFile(PrivateFile&& other) noexcept
    : dir_fd_(std::exchange(other.dir_fd_, -1)),
      name_(std::move(other.name_)),
      device_(other.device_),
      inode_(other.inode_) {}

void PrivateFile::remove() const {
  if (dir_fd_ < 0) return;
  struct stat st {};
  if (::fstatat(dir_fd_, name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (st.st_dev != device_ || st.st_ino != inode_) return;  // not ours any more
  ::unlinkat(dir_fd_, name_.c_str(), 0);
  for (const char* suffix : {"-wal", "-shm"}) ::unlinkat(dir_fd_, (name_ + suffix).c_str(), 0);
}

std::optional<PrivateFile> create_private_file(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string name = p.filename().string();
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  const auto fail = [&](int error) -> std::runtime_error {
    return std::runtime_error("cannot create " + path + ": " + std::strerror(error));
  };
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) throw fail(errno);
  const int fd =
      ::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int error = errno;
    ::close(dir_fd);
    if (error == EEXIST) return std::nullopt;
    throw fail(error);
  }
  struct stat st {};
  // 0600 whatever the umask (which could have taken the owner's own bits away).
  const int error = ::fchmod(fd, 0600) != 0 || ::fstat(fd, &st) != 0 ? errno : 0;
  ::close(fd);
  if (error != 0) {
    ::unlinkat(dir_fd, name.c_str(), 0);
    ::close(dir_fd);
    throw fail(error);
  }
  return PrivateFile(dir_fd, name, st.st_dev, st.st_ino);
}

}  // namespace qledger
