// Key and secret files; see key_files.h.
#include "part/key_files.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "crypto/hash.h"
#include "crypto/random.h"

namespace tongban::part {
namespace fs = std::filesystem;

Result<std::string> ReadTextFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("file", path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::string> ReadSecretFile(const fs::path& path, size_t min_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("secret file", path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  auto bytes = crypto::FromHex(text, path.string());
  if (!bytes.ok()) {
    return Status::InvalidArgument(path.string() + ": not a hex-encoded secret");
  }
  if (bytes->size() < min_bytes) {
    return Status::InvalidArgument(path.string() + ": secret shorter than " +
                                   std::to_string(min_bytes) + " bytes");
  }
  return bytes;
}

Status WriteSecretFileIfMissing(const fs::path& path, size_t bytes) {
  if (fs::exists(path)) return Status::Ok();
  std::string raw = crypto::RandomBytes(bytes);
  std::string hex = crypto::ToHex(std::span(reinterpret_cast<const uint8_t*>(raw.data()), bytes));
  // Create with 0600 from the start: the secret is never world-readable, not even briefly.
  mode_t old = ::umask(077);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << hex << "\n";
  out.close();
  ::umask(old);
  if (!out) return Status::Unavailable("cannot write " + path.string());
  return Status::Ok();
}

Result<crypto::PrivateKey> ReadOrCreateKey(const fs::path& path, crypto::SignatureAlgorithm algorithm) {
  if (!fs::exists(path)) {
    TB_ASSIGN_OR_RETURN(crypto::PrivateKey fresh, crypto::PrivateKey::Generate(algorithm));
    TB_RETURN_IF_ERROR(fresh.WritePemFile(path.string()));
  }
  return crypto::PrivateKey::ReadPemFile(algorithm, path.string());
}

}  // namespace tongban::part
