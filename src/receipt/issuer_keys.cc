// The issuer key registry's schema, key ids and the start-up provisioning; see issuer_keys.h.
#include "receipt/issuer_keys.h"

#include "crypto/hash.h"

namespace tongban::receipt {
namespace {

using store::Param;

// One row per key; at most one current key per issuer (the partial unique index). A key held
// elsewhere (HSM, the hospital, the old deployment key) has no private_sealed.
constexpr std::string_view kSchemaV2 = R"(
CREATE TABLE receipt_issuer_key (
  id {{id}},
  issuer_id {{int64}} NOT NULL REFERENCES receipt_issuer (id),
  key_id {{text}} NOT NULL,
  public_key {{blob}} NOT NULL,
  private_sealed {{blob}},
  is_current {{int64}} NOT NULL CHECK (is_current IN (0, 1)),
  created_micros {{int64}} NOT NULL,
  retired_micros {{int64}},
  UNIQUE (issuer_id, key_id)
);
CREATE UNIQUE INDEX receipt_issuer_key_current ON receipt_issuer_key (issuer_id) WHERE is_current = 1;
ALTER TABLE receipt_batch ADD COLUMN issuer_key_id {{text}};
)";

}  // namespace

std::string IssuerKeyId(const crypto::PublicKey& key) {
  const crypto::Digest d = crypto::Hash(crypto::HashAlgorithm::kSha256, key.raw());
  return crypto::ToHex(std::span<const uint8_t>(d.data(), 8));
}

store::Migration IssuerKeysMigration() {
  return {.part = "receipt", .version = 2, .sql = std::string(kSchemaV2)};
}

Status ProvisionIssuerKeys(store::Database& db, IssuerKeys& keys,
                           const std::optional<crypto::PublicKey>& legacy, const Clock& clock) {
  return db.Transact([&](store::Tx& tx) -> Status {
    const int64_t now = clock.NowUnixMicros();
    TB_ASSIGN_OR_RETURN(auto orphans, tx.Query("SELECT DISTINCT issuer_id FROM receipt_batch "
                                               "WHERE issuer_key_id IS NULL ORDER BY issuer_id"));
    if (!orphans.empty()) {
      if (!legacy) {
        return Status::FailedPrecondition(
            "receipt batches were signed with the deployment's old issuer key, but its key file "
            "([receipt] issuer_key_file) is missing: restore it so they stay verifiable");
      }
      const std::string legacy_id = IssuerKeyId(*legacy);
      for (const auto& row : orphans) {
        const int64_t issuer = row.Int64(0);
        TB_ASSIGN_OR_RETURN(auto have, tx.QueryRow("SELECT 1 FROM receipt_issuer_key WHERE "
                                                   "issuer_id = ? AND key_id = ?",
                                                   {issuer, legacy_id}));
        if (have) continue;
        TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO receipt_issuer_key (issuer_id, key_id, public_key, "
                                   "private_sealed, is_current, created_micros, retired_micros) "
                                   "VALUES (?, ?, ?, NULL, 0, ?, ?)",
                                   {issuer, legacy_id, Param::Blob(legacy->raw()), now, now})
                               .status());
      }
      TB_RETURN_IF_ERROR(
          tx.Exec("UPDATE receipt_batch SET issuer_key_id = ? WHERE issuer_key_id IS NULL",
                  {legacy_id})
              .status());
    }
    TB_ASSIGN_OR_RETURN(
        auto keyless,
        tx.Query("SELECT i.id FROM receipt_issuer i WHERE NOT EXISTS (SELECT 1 FROM "
                 "receipt_issuer_key k WHERE k.issuer_id = i.id AND k.is_current = 1) "
                 "ORDER BY i.id"));
    for (const auto& row : keyless) {
      TB_RETURN_IF_ERROR(keys.EnsureKey(tx, row.Int64(0)).status());
    }
    return Status::Ok();
  });
}

}  // namespace tongban::receipt
