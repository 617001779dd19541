// File modes and the single-server lock of the data folder; see data_folder.h.
#include "cli/data_folder.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tongban::cli {
namespace fs = std::filesystem;

void RestrictNewFiles() { ::umask(077); }

std::vector<fs::path> OpenToOthers(const fs::path& dir) {
  std::vector<fs::path> out;
  auto check = [&](const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0 && (st.st_mode & 077) != 0 && !S_ISLNK(st.st_mode)) {
      out.push_back(p);
    }
  };
  check(dir);
  std::error_code ec;
  for (const fs::path& folder : {dir, dir / "keys"}) {
    if (folder != dir) check(folder);
    for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec)) check(it->path());
    }
    ec.clear();
  }
  return out;
}

void WarnIfOpenToOthers(const fs::path& dir) {
  std::vector<fs::path> open = OpenToOthers(dir);
  if (open.empty()) return;
  std::string list;
  for (const auto& p : open) {
    if (!list.empty()) list += ", ";
    list += p.string();
  }
  spdlog::warn(R"({{"msg":"data folder is readable by other users: it holds ID numbers, )"
               R"(password hashes and keys","paths":"{}","fix":"chmod -R go-rwx {}"}})",
               list, dir.string());
}

Result<DataFolderLock> DataFolderLock::Acquire(const fs::path& dir) {
  fs::path file = dir / "tongban.lock";
  // O_NOFOLLOW: a symlink planted in a folder others can write to must not make the server
  // truncate a file it points to.
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Status::Unavailable("cannot open " + file.string() + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::FailedPrecondition(file.string() + " is not a regular file");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("?");
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    ::close(fd);
    return Status::FailedPrecondition("another tongban (pid " + pid + ") is already serving " +
                                      dir.string() + "; stop it first (" + file.string() +
                                      " is locked)");
  }
  // Best effort: without the pid the lock still holds; a second server's error then says "?".
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)::pwrite(fd, pid.data(), pid.size(), 0);
  return DataFolderLock(fd);
}

DataFolderLock::~DataFolderLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace tongban::cli
