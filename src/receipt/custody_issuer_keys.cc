// Issuer keys in the platform's custody, sealed at rest; see custody_issuer_keys.h.
#include "receipt/custody_issuer_keys.h"

#include <openssl/crypto.h>

#include <cassert>

#include "crypto/aead.h"

namespace tongban::receipt {
namespace {

using store::Param;

std::string_view AsChars(std::span<const uint8_t> b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// Overwrites a copy of a private key before it is freed.
void Wipe(std::string& s) {
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

CustodyIssuerKeys::CustodyIssuerKeys(store::Database& db, crypto::SignatureAlgorithm alg,
                                     std::string seal_key, const Clock& clock)
    : db_(db), alg_(alg), seal_key_(std::move(seal_key)), clock_(clock) {
  assert(seal_key_.size() == crypto::kAeadKeyBytes);
}

std::string CustodyIssuerKeys::SealContext(int64_t issuer_id, std::string_view key_id) {
  return "tongban/receipt-issuer-key/v1\n" + std::to_string(issuer_id) + "\n" + std::string(key_id);
}

Result<IssuerKeyInfo> CustodyIssuerKeys::InsertNewKey(store::Tx& tx, int64_t issuer_id,
                                                      int64_t now) {
  TB_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(alg_));
  IssuerKeyInfo info;
  info.issuer_id = issuer_id;
  info.key_id = IssuerKeyId(key.public_key());
  info.public_raw = key.public_key().raw();
  info.current = true;
  info.created_micros = now;
  std::string raw = key.ToRaw();
  const std::string sealed = crypto::AeadSeal(seal_key_, SealContext(issuer_id, info.key_id), raw);
  Wipe(raw);
  TB_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO receipt_issuer_key (issuer_id, key_id, public_key, "
              "private_sealed, is_current, created_micros) VALUES (?, ?, ?, ?, 1, ?)",
              {issuer_id, info.key_id, Param::Blob(info.public_raw), Param::Blob(sealed), now})
          .status());
  // Cached before commit: if the transaction rolls back, the entry names a key id no row has
  // (random ids do not come back) and is never looked up.
  std::lock_guard lock(mu_);
  opened_.insert_or_assign({issuer_id, info.key_id}, std::move(key));
  return info;
}

Result<std::string> CustodyIssuerKeys::EnsureKey(store::Tx& tx, int64_t issuer_id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT key_id FROM receipt_issuer_key WHERE "
                                            "issuer_id = ? AND is_current = 1",
                                            {issuer_id}));
  if (row) return std::string(row->Text(0));
  TB_ASSIGN_OR_RETURN(IssuerKeyInfo info, InsertNewKey(tx, issuer_id, clock_.NowUnixMicros()));
  return info.key_id;
}

Result<IssuerSignature> CustodyIssuerKeys::Sign(store::Tx& tx, int64_t issuer_id,
                                                std::string_view bytes) {
  IssuerSignature out;
  std::optional<crypto::PrivateKey> key;
  const int64_t now = clock_.NowUnixMicros();
  {
    std::lock_guard lock(mu_);
    auto cur = current_.find(issuer_id);
    if (cur != current_.end() && now - cur->second.read_micros < kCurrentKeyTtlMicros &&
        now >= cur->second.read_micros) {
      out.key_id = cur->second.key_id;
    }
  }
  if (out.key_id.empty()) {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT key_id FROM receipt_issuer_key WHERE "
                                              "issuer_id = ? AND is_current = 1",
                                              {issuer_id}));
    if (!row) return Status::FailedPrecondition("the receipt issuer has no signing key");
    out.key_id = std::string(row->Text(0));
    std::lock_guard lock(mu_);
    current_.insert_or_assign(issuer_id, Current{out.key_id, now});
  }
  {
    std::lock_guard lock(mu_);
    auto it = opened_.find({issuer_id, out.key_id});
    if (it != opened_.end()) key = it->second;
  }
  if (!key) {
    TB_ASSIGN_OR_RETURN(auto stored,
                        tx.QueryRow("SELECT public_key, private_sealed FROM "
                                    "receipt_issuer_key WHERE issuer_id = ? AND key_id = ?",
                                    {issuer_id, out.key_id}));
    if (!stored || stored->IsNull(1)) {
      return Status::FailedPrecondition(
          "the receipt issuer's current key is not held by the platform");
    }
    const std::string context = SealContext(issuer_id, out.key_id);
    auto raw = crypto::AeadOpen(seal_key_, context, AsChars(stored->Blob(1)));
    if (!raw.ok()) {
      return Status::DataLoss(
                 "a stored receipt issuer key does not open (changed, or the "
                 "deployment's subject secret is not the one it was sealed with)")
          .WithDetail("issuer " + std::to_string(issuer_id) + " key " + out.key_id);
    }
    auto opened = crypto::PrivateKey::FromRaw(alg_, *raw);
    Wipe(*raw);
    if (!opened.ok() || opened->public_key().raw() != AsChars(stored->Blob(0))) {
      return Status::DataLoss("a stored receipt issuer key does not match its public key")
          .WithDetail("issuer " + std::to_string(issuer_id) + " key " + out.key_id);
    }
    key = *opened;
    std::lock_guard lock(mu_);
    opened_.insert_or_assign({issuer_id, out.key_id}, *opened);
  }
  TB_ASSIGN_OR_RETURN(out.signature, key->Sign(bytes));
  return out;
}

Result<IssuerKeyInfo> CustodyIssuerKeys::Rotate(int64_t issuer_id) {
  IssuerKeyInfo info;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(
        auto issuer,
        tx.QueryRow("SELECT uscc, name FROM receipt_issuer WHERE id = ?", {issuer_id}));
    if (!issuer) return Status::NotFound("receipt issuer", std::to_string(issuer_id));
    const int64_t now = clock_.NowUnixMicros();
    TB_RETURN_IF_ERROR(tx.Exec("UPDATE receipt_issuer_key SET is_current = 0, retired_micros = ? "
                               "WHERE issuer_id = ? AND is_current = 1",
                               {now, issuer_id})
                           .status());
    TB_ASSIGN_OR_RETURN(info, InsertNewKey(tx, issuer_id, now));
    info.uscc = std::string(issuer->Text(0));
    info.name = std::string(issuer->Text(1));
    return Status::Ok();
  }));
  // Committed: this process signs with the new key from now on.
  std::lock_guard lock(mu_);
  current_.insert_or_assign(issuer_id, Current{info.key_id, clock_.NowUnixMicros()});
  return info;
}

Result<std::vector<IssuerKeyInfo>> CustodyIssuerKeys::PublicKeys() {
  std::vector<IssuerKeyInfo> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT k.issuer_id, i.uscc, i.name, k.key_id, k.public_key, "
                                 "k.is_current, k.created_micros, k.retired_micros FROM "
                                 "receipt_issuer_key k JOIN receipt_issuer i ON i.id = k.issuer_id "
                                 "ORDER BY k.issuer_id, k.created_micros, k.id"));
    out.clear();
    for (const auto& r : rows) {
      out.push_back(IssuerKeyInfo{.issuer_id = r.Int64(0),
                                  .uscc = std::string(r.Text(1)),
                                  .name = std::string(r.Text(2)),
                                  .key_id = std::string(r.Text(3)),
                                  .public_raw = std::string(AsChars(r.Blob(4))),
                                  .current = r.Int64(5) == 1,
                                  .created_micros = r.Int64(6),
                                  .retired_micros = r.OptInt64(7)});
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace tongban::receipt
