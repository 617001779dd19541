// FileGateway: the default gateway — appends one JSON line per message (gateway.h MessageJson) to
// a file in the deployment's folder, flushed before Send returns. For development, demos and a
// deployment whose SMS provider collects the file. Thread-safe.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>

#include "notify/gateway.h"

namespace tongban::notify {

class FileGateway final : public Gateway {
 public:
  // Opens (creates) `path` for appending; kUnavailable naming it when it cannot.
  static Result<std::unique_ptr<FileGateway>> Open(const std::filesystem::path& path);
  ~FileGateway() override;
  Status Send(std::span<const Message> messages) override;

 private:
  FileGateway(std::FILE* f, std::filesystem::path path) : file_(f), path_(std::move(path)) {}
  std::mutex mu_;
  std::FILE* file_;
  std::filesystem::path path_;
};

}  // namespace tongban::notify
