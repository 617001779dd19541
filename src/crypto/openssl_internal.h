// Internal to src/crypto (not part of the public API): the OpenSSL error queue as log detail, and
// the one EVP digest-sign/verify path every algorithm goes through.
// Thread-safe: the error queue is per thread; EVP_PKEY objects are only read.
#pragma once

#include <openssl/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::crypto::internal {

// Drains this thread's OpenSSL error queue into one line, for Status::WithDetail().
std::string OpenSslErrors();

// One-shot EVP_DigestSign with digest `md` (nullptr for Ed25519). When `sm2_id` is set, it is set
// on the EVP_PKEY_CTX after init, before any data, which is when OpenSSL computes Z from it.
Result<std::string> EvpSign(EVP_PKEY* pkey, const char* md, std::optional<std::string_view> sm2_id,
                            std::string_view message);
bool EvpVerify(EVP_PKEY* pkey, const char* md, std::optional<std::string_view> sm2_id,
               std::string_view message, std::string_view signature);

}  // namespace tongban::crypto::internal
