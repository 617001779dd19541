// Key and secret files of a deployment's folder, as parts create them at `tongban init` (or at
// the first start after an upgrade) and read them at open: created once with mode 0600, never
// overwritten, read with a clear error naming the file. Pure functions over the filesystem.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "crypto/key.h"

namespace tongban::part {

// Reads a hex-encoded secret file (at least `min_bytes` bytes once decoded).
Result<std::string> ReadSecretFile(const std::filesystem::path& path, size_t min_bytes);
// Writes `bytes` random bytes, hex-encoded, to `path` with mode 0600 unless it exists.
Status WriteSecretFileIfMissing(const std::filesystem::path& path, size_t bytes);
// Reads the PEM private key at `path`, generating it first (mode 0600) when the file is missing.
Result<crypto::PrivateKey> ReadOrCreateKey(const std::filesystem::path& path,
                                           crypto::SignatureAlgorithm algorithm);
// The whole file as text; kNotFound naming it when it cannot be read.
Result<std::string> ReadTextFile(const std::filesystem::path& path);

}  // namespace tongban::part
