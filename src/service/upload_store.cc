// UploadStore; see upload_store.h.
#include "service/upload_store.h"

#include <fcntl.h>
#include <magic.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <fstream>
#include <sstream>

namespace tongban::service {
namespace {

constexpr std::array<std::string_view, 3> kAccepted = {"image/jpeg", "image/png", "application/pdf"};

bool IsHex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<UploadStore>> UploadStore::Open(std::filesystem::path dir, crypto::HashAlgorithm hash,
                                                       int64_t max_bytes) {
  magic_t cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
  if (cookie == nullptr) return Status::Internal("libmagic: cannot open");
  if (magic_load(cookie, nullptr) != 0) {
    std::string why = magic_error(cookie) ? magic_error(cookie) : "no database";
    magic_close(cookie);
    return Status::InvalidArgument("libmagic: cannot load its database: " + why);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    magic_close(cookie);
    return Status::InvalidArgument("uploads: cannot create " + dir.string() + ": " + ec.message());
  }
  return std::unique_ptr<UploadStore>(new UploadStore(std::move(dir), hash, max_bytes, cookie));
}

UploadStore::~UploadStore() { magic_close(static_cast<magic_t>(magic_)); }

std::filesystem::path UploadStore::PathOf(std::string_view hex) const {
  return dir_ / std::string(hex.substr(0, 2)) / std::string(hex);
}

std::string UploadStore::TypeOf(std::string_view bytes) {
  std::lock_guard lock(mu_);
  const char* type = magic_buffer(static_cast<magic_t>(magic_), bytes.data(), bytes.size());
  return type ? type : "application/octet-stream";
}

Result<StoredUpload> UploadStore::Put(std::string_view bytes) {
  if (bytes.empty()) return Status::InvalidField("/body", "is empty: send the file's bytes");
  if (static_cast<int64_t>(bytes.size()) > max_bytes_) {
    return Status::OutOfRange("the file is larger than " + std::to_string(max_bytes_) + " bytes");
  }
  const std::string mime = TypeOf(bytes);
  if (std::find(kAccepted.begin(), kAccepted.end(), mime) == kAccepted.end()) {
    return Status::Unprocessable("the file is " + mime + "; upload a JPEG, PNG or PDF",
                                 {{"/body", "is " + mime + ", not a JPEG, PNG or PDF"}});
  }
  StoredUpload out;
  out.hash = crypto::ToHex(crypto::Hash(hash_, bytes));
  out.mime = mime;
  out.size = static_cast<int64_t>(bytes.size());
  const std::filesystem::path path = PathOf(out.hash);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return out;  // stored once
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return Status::Unavailable("uploads: cannot create " + path.parent_path().string());
  static std::atomic<uint64_t> counter{0};
  const std::filesystem::path tmp = path.string() + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(++counter);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("uploads: cannot write " + tmp.string());
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::Unavailable("uploads: write failed");
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::Unavailable("uploads: cannot store the file");
  }
  return out;
}

Result<std::string> UploadStore::Get(std::string_view hash) const {
  if (!IsHex(hash)) return Status::NotFound("upload", hash);
  std::ifstream in(PathOf(hash), std::ios::binary);
  if (!in) return Status::NotFound("upload", hash);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace tongban::service
