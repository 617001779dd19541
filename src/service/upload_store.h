// UploadStore: uploaded materials (a photo, a scanned document), content-addressed by the ledger
// suite's hash and stored once: <dir>/<first two hex digits>/<hex>. The type is decided by the
// content (libmagic), never by the name or the Content-Type the client sent; only JPEG, PNG and
// PDF are kept. A file is written to a temporary name, flushed and renamed into place, so a crash
// leaves either the whole file or none. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/hash.h"

namespace tongban::service {

struct StoredUpload {
  std::string hash;  // hex of the suite hash of the content
  std::string mime;  // "image/jpeg", "image/png", "application/pdf"
  int64_t size = 0;
};

class UploadStore {
 public:
  // kInvalidArgument if libmagic cannot load its database.
  static Result<std::unique_ptr<UploadStore>> Open(std::filesystem::path dir, crypto::HashAlgorithm hash,
                                                   int64_t max_bytes);
  ~UploadStore();
  UploadStore(const UploadStore&) = delete;
  UploadStore& operator=(const UploadStore&) = delete;

  // kInvalidArgument ("/body": empty), kOutOfRange (larger than max_bytes: HTTP 413 by the route),
  // kUnprocessable ("/body": a type that is not accepted, naming what it is).
  Result<StoredUpload> Put(std::string_view bytes);
  // The stored content of `hash`; kNotFound.
  Result<std::string> Get(std::string_view hash) const;
  // What the content is, by its bytes ("image/png", "text/plain", ...).
  std::string TypeOf(std::string_view bytes);
  int64_t max_bytes() const { return max_bytes_; }

 private:
  UploadStore(std::filesystem::path dir, crypto::HashAlgorithm hash, int64_t max_bytes, void* magic)
      : dir_(std::move(dir)), hash_(hash), max_bytes_(max_bytes), magic_(magic) {}
  std::filesystem::path PathOf(std::string_view hex) const;

  std::filesystem::path dir_;
  crypto::HashAlgorithm hash_;
  int64_t max_bytes_;
  std::mutex mu_;  // libmagic's cookie is not thread-safe
  void* magic_;    // magic_t
};

}  // namespace tongban::service
