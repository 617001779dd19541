// Key ids and the start-up provisioning of the issuer key registry; see issuer_keys.h. The
// registry's schema and statements are in receipt_repo.cc.
#include "receipt/issuer_keys.h"

#include "crypto/hash.h"
#include "receipt/receipt_repo.h"

namespace tongban::receipt {

std::string IssuerKeyId(const crypto::PublicKey& key) {
  const crypto::Digest d = crypto::Hash(crypto::HashAlgorithm::kSha256, key.raw());
  return crypto::ToHex(std::span<const uint8_t>(d.data(), 8));
}

Status ProvisionIssuerKeys(store::Database& db, IssuerKeys& keys,
                           const std::optional<crypto::PublicKey>& legacy, const Clock& clock) {
  return db.Transact([&](store::Tx& tx) -> Status {
    const int64_t now = clock.NowUnixMicros();
    TB_ASSIGN_OR_RETURN(auto orphans, ReceiptRepo::IssuersWithUnkeyedBatches(tx));
    if (!orphans.empty()) {
      if (!legacy) {
        return Status::FailedPrecondition(
            "receipt batches were signed with the deployment's old issuer key, but its key file "
            "([receipt] issuer_key_file) is missing: restore it so they stay verifiable");
      }
      const std::string legacy_id = IssuerKeyId(*legacy);
      for (const int64_t issuer : orphans) {
        TB_ASSIGN_OR_RETURN(bool have, ReceiptRepo::IssuerHasKey(tx, issuer, legacy_id));
        if (have) continue;
        TB_RETURN_IF_ERROR(
            ReceiptRepo::InsertRetiredIssuerKey(tx, issuer, legacy_id, legacy->raw(), now));
      }
      TB_RETURN_IF_ERROR(ReceiptRepo::SetKeyOfUnkeyedBatches(tx, legacy_id));
    }
    TB_ASSIGN_OR_RETURN(auto keyless, ReceiptRepo::IssuersWithoutCurrentKey(tx));
    for (const int64_t issuer : keyless) {
      TB_RETURN_IF_ERROR(keys.EnsureKey(tx, issuer).status());
    }
    return Status::Ok();
  });
}

}  // namespace tongban::receipt
