// The deployment's data folder (the folder of tongban.toml: config, keys, SQLite database and
// its -wal/-shm files, demo credentials) holds full ID numbers, password hashes, licence fields
// and secrets, so only the account that runs Tongban may read it:
//  - `tongban` sets umask 077 at start, so every file it creates is 0600 and every folder 0700;
//    `init` also makes the folder itself 0700.
//  - `serve` and `demo` warn at start, naming each path, when an existing deployment's folder or
//    files are open to other users (a deployment made before this rule), with the chmod to fix it.
//  - `serve` and `demo` hold an exclusive lock on `tongban.lock` in the folder while they run, so
//    a second server of the same folder stops at once with an error naming the first one's pid
//    (it would otherwise split connections and keep a separate logout list).
// Thread-compatible.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace tongban::cli {

// Files are created 0600, folders 0700 from now on, in this process. Call first thing in main.
void RestrictNewFiles();

// Paths in `dir` (the folder itself, its files, and the files of its `keys` folder) that give
// any permission to the group or others.
std::vector<std::filesystem::path> OpenToOthers(const std::filesystem::path& dir);

// Logs one warning naming the paths of OpenToOthers(dir), if any, with the command to fix them.
void WarnIfOpenToOthers(const std::filesystem::path& dir);

// An exclusive lock on `dir`/tongban.lock, held until destroyed (or the process ends).
class DataFolderLock {
 public:
  // kFailedPrecondition naming the holder's pid when another process holds the lock.
  static Result<DataFolderLock> Acquire(const std::filesystem::path& dir);
  DataFolderLock(DataFolderLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DataFolderLock& operator=(DataFolderLock&&) = delete;
  ~DataFolderLock();

 private:
  explicit DataFolderLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace tongban::cli
