// IssuerKeys: the signing keys of receipt issuers (hospitals) — one current key per issuer, older
// ones kept published as retired so the batches they signed still verify. The seam between the
// receipt service and whoever holds the private keys: today the platform (CustodyIssuerKeys,
// sealed in the database); later an HSM or the hospital's own system may implement this
// interface instead (see docs/receipt.md, "Keys and custody").
//
// The public record every implementation keeps is the table receipt_issuer_key (one row per key:
// issuer, key id, raw public key, current or retired, times; the receipt part's schema version 2,
// its statements in receipt_repo.h).
// Verification reads the public key of a batch from it (receipt_batch.issuer_key_id); the
// `private_sealed` column is the custody implementation's and NULL for keys held elsewhere (and
// for the old deployment key, see AdoptLegacyIssuerKey).
//
//   key_id = lower-case hex of the first 8 bytes of SHA-256(raw public key)      (16 characters)
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/key.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::receipt {

// The key id of a public key: hex of the first 8 bytes of SHA-256 of its raw form.
std::string IssuerKeyId(const crypto::PublicKey& key);

// One published issuer key.
struct IssuerKeyInfo {
  int64_t issuer_id = 0;
  std::string uscc;
  std::string name;
  std::string key_id;
  std::string public_raw;  // the raw public key (crypto/key.h)
  bool current = false;
  int64_t created_micros = 0;
  std::optional<int64_t> retired_micros;
};

// A signature by an issuer's key, in the algorithm's wire form, and the id of the key.
struct IssuerSignature {
  std::string key_id;
  std::string signature;
};

class IssuerKeys {
 public:
  virtual ~IssuerKeys() = default;

  // The suite's signature algorithm (SM2 under gm, Ed25519 under intl).
  virtual crypto::SignatureAlgorithm algorithm() const = 0;

  // Gives `issuer_id` its first key, in the caller's transaction, unless it has a current key;
  // returns the current key id either way.
  virtual Result<std::string> EnsureKey(store::Tx& tx, int64_t issuer_id) = 0;

  // Signs `bytes` with the issuer's current key, in the caller's transaction (which may read the
  // key registry). kFailedPrecondition when the issuer has no key; kDataLoss when a stored key
  // does not open or does not match its public key.
  virtual Result<IssuerSignature> Sign(store::Tx& tx, int64_t issuer_id,
                                       std::string_view bytes) = 0;

  // Makes a new key current for the issuer; the previous one stays published, retired.
  // kNotFound for an unknown issuer.
  virtual Result<IssuerKeyInfo> Rotate(int64_t issuer_id) = 0;

  // Every published key (current and retired) of every issuer, by issuer id then age.
  virtual Result<std::vector<IssuerKeyInfo>> PublicKeys() = 0;
};

// Start-up step for deployments that signed batches with the one deployment-wide issuer key
// (before per-issuer keys): publishes `legacy` as a retired key of every issuer with batches that
// name no key, and marks those batches as signed by it. Then gives every issuer without a current
// key its first one (keys.EnsureKey). Idempotent; one transaction.
// kFailedPrecondition when such batches exist and `legacy` is nullopt (the old key file is gone:
// they could no longer be verified).
Status ProvisionIssuerKeys(store::Database& db, IssuerKeys& keys,
                           const std::optional<crypto::PublicKey>& legacy, const Clock& clock);

}  // namespace tongban::receipt
