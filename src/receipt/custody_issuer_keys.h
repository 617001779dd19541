// CustodyIssuerKeys: IssuerKeys held by the platform for the hospitals (custody). Each issuer's
// private keys are generated here and stored in receipt_issuer_key.private_sealed, sealed with
// crypto/aead.h (XChaCha20-Poly1305) under a key derived from the deployment's secrets
// (cli::App: HMAC of the subject secret with a fixed label), the associated data naming the
// issuer and key id, so a sealed key moved to another row does not open. Private keys are
// opened on first use and kept in memory (never logged, never returned by any method).
//
// Which key is current is read from the registry in the signing transaction and remembered for
// kCurrentKeyTtl (one query per batch cost a PostgreSQL round trip, ~25% of a single-receipt
// issue): a rotation made here takes effect at once, one made by another process within
// kCurrentKeyTtl. A batch signed in that window names the retired key, which stays published,
// so it verifies.
//
// Thread-safety: thread-safe (the key cache has a mutex). Does not own `db` or `clock`.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "receipt/issuer_keys.h"

namespace tongban::receipt {

class CustodyIssuerKeys final : public IssuerKeys {
 public:
  static constexpr int64_t kCurrentKeyTtlMicros = 1'000'000;

  // REQUIRES: seal_key.size() == crypto::kAeadKeyBytes.
  CustodyIssuerKeys(store::Database& db, crypto::SignatureAlgorithm alg, std::string seal_key,
                    const Clock& clock);

  crypto::SignatureAlgorithm algorithm() const override { return alg_; }
  Result<std::string> EnsureKey(store::Tx& tx, int64_t issuer_id) override;
  Result<IssuerSignature> Sign(store::Tx& tx, int64_t issuer_id, std::string_view bytes) override;
  Result<IssuerKeyInfo> Rotate(int64_t issuer_id) override;
  Result<std::vector<IssuerKeyInfo>> PublicKeys() override;

  // The associated data a key is sealed with (tests).
  static std::string SealContext(int64_t issuer_id, std::string_view key_id);

 private:
  // A fresh key for the issuer, sealed and inserted as current (the caller retired the old one).
  Result<IssuerKeyInfo> InsertNewKey(store::Tx& tx, int64_t issuer_id, int64_t now);

  store::Database& db_;
  const crypto::SignatureAlgorithm alg_;
  const std::string seal_key_;
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::pair<int64_t, std::string>, crypto::PrivateKey> opened_;  // (issuer, key id)
  struct Current {
    std::string key_id;
    int64_t read_micros = 0;
  };
  std::map<int64_t, Current> current_;  // issuer -> its current key id, as last read
};

}  // namespace tongban::receipt
