// Issuer keys in the platform's custody, sealed at rest; see custody_issuer_keys.h. The
// registry's statements are in receipt_repo.cc.
#include "receipt/custody_issuer_keys.h"

#include <openssl/crypto.h>

#include <cassert>

#include "crypto/aead.h"
#include "receipt/receipt_repo.h"

namespace tongban::receipt {
namespace {

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
  TB_RETURN_IF_ERROR(ReceiptRepo::InsertCurrentIssuerKey(tx, issuer_id, info.key_id,
                                                         info.public_raw, sealed, now));
  // Cached before commit: if the transaction rolls back, the entry names a key id no row has
  // (random ids do not come back) and is never looked up.
  std::lock_guard lock(mu_);
  opened_.insert_or_assign({issuer_id, info.key_id}, std::move(key));
  return info;
}

Result<std::string> CustodyIssuerKeys::EnsureKey(store::Tx& tx, int64_t issuer_id) {
  TB_ASSIGN_OR_RETURN(auto current, ReceiptRepo::CurrentIssuerKeyId(tx, issuer_id));
  if (current) return std::move(*current);
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
    TB_ASSIGN_OR_RETURN(auto current, ReceiptRepo::CurrentIssuerKeyId(tx, issuer_id));
    if (!current) return Status::FailedPrecondition("the receipt issuer has no signing key");
    out.key_id = std::move(*current);
    std::lock_guard lock(mu_);
    current_.insert_or_assign(issuer_id, Current{out.key_id, now});
  }
  {
    std::lock_guard lock(mu_);
    auto it = opened_.find({issuer_id, out.key_id});
    if (it != opened_.end()) key = it->second;
  }
  if (!key) {
    TB_ASSIGN_OR_RETURN(auto stored, ReceiptRepo::IssuerKey(tx, issuer_id, out.key_id));
    if (!stored || !stored->private_sealed) {
      return Status::FailedPrecondition(
          "the receipt issuer's current key is not held by the platform");
    }
    const std::string context = SealContext(issuer_id, out.key_id);
    auto raw = crypto::AeadOpen(seal_key_, context, *stored->private_sealed);
    if (!raw.ok()) {
      return Status::DataLoss(
                 "a stored receipt issuer key does not open (changed, or the "
                 "deployment's subject secret is not the one it was sealed with)")
          .WithDetail("issuer " + std::to_string(issuer_id) + " key " + out.key_id);
    }
    auto opened = crypto::PrivateKey::FromRaw(alg_, *raw);
    Wipe(*raw);
    if (!opened.ok() || opened->public_key().raw() != stored->public_raw) {
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
    TB_ASSIGN_OR_RETURN(auto issuer, ReceiptRepo::IssuerNameOf(tx, issuer_id));
    if (!issuer) return Status::NotFound("receipt issuer", std::to_string(issuer_id));
    const int64_t now = clock_.NowUnixMicros();
    TB_RETURN_IF_ERROR(ReceiptRepo::RetireCurrentIssuerKey(tx, issuer_id, now));
    TB_ASSIGN_OR_RETURN(info, InsertNewKey(tx, issuer_id, now));
    info.uscc = std::move(issuer->uscc);
    info.name = std::move(issuer->name);
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
    TB_ASSIGN_OR_RETURN(out, ReceiptRepo::IssuerPublicKeys(tx));
    return Status::Ok();
  }));
  return out;
}

}  // namespace tongban::receipt
