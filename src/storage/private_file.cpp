#include "qledger/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace qledger {

namespace {

[[noreturn]] void fail(const std::string& path, int error) {
  throw std::runtime_error("cannot create " + path + ": " + std::strerror(error));
}

}  // namespace

bool create_private_file(const std::string& path) {
  std::string target = path;
  // A symbolic link to a file not made yet (an accounts file pointed at a data volume before the
  // first start) is followed: the file it names is created, with the same mode. A few links at
  // most, as the kernel would.
  for (int links = 0;; ++links) {
    const int fd =
        ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
      // 0600 whatever the umask (which could have taken the owner's own bits away).
      const int chmod_error = ::fchmod(fd, 0600) == 0 ? 0 : errno;
      ::close(fd);
      if (chmod_error != 0) fail(target, chmod_error);
      return true;
    }
    if (errno != EEXIST) fail(target, errno);
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0 || errno != ENOENT || links >= 8) return false;
    // Something is there, yet it names nothing: a dangling symbolic link.
    std::error_code ec;
    const std::filesystem::path link = std::filesystem::read_symlink(target, ec);
    if (ec) return false;
    target =
        (link.is_absolute() ? link : std::filesystem::path(target).parent_path() / link).string();
  }
}

}  // namespace qledger
