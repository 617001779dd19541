// Public verification's checks of a stored receipt: ReceiptService::ResolveLeaf (finding the
// receipt.issue leaf, for the whole batch at once), VerifiedManifest / SignedManifest (the batch
// manifest once its two signatures verify, cached), CheckIntegrity (document, columns, manifest
// and leaf agree), and the signed QR text. The verdict built from them is verification.h's. See
// receipt_service.h; SQL: receipt_repo.cc.
#include "receipt/receipt_service.h"

#include <algorithm>
#include <map>

#include "core/base64.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "receipt/receipt_document.h"
#include "receipt/receipt_repo.h"

namespace tongban::receipt {

Result<uint64_t> ReceiptService::ResolveLeaf(const Receipt& r) {
  if (r.leaf_index) return *r.leaf_index;
  // The receipts of one batch were queued together, so their leaves lie together: one scan
  // resolves every unresolved receipt of the batch (the asked-for one always among them).
  // Key: the entry bytes after version and index (time, subject, document, type).
  auto tail_of = [](const std::array<uint8_t, 32>& subject, const std::array<uint8_t, 32>& document,
                    int64_t time) -> Result<std::string> {
    TB_ASSIGN_OR_RETURN(std::string e,
                        ledger::EncodeEntry(MakeEntry("receipt.issue", subject, document, time)));
    return e.substr(9);
  };
  TB_ASSIGN_OR_RETURN(std::string own_tail, tail_of(r.payer_subject, r.document_hash, r.issue_micros));
  std::map<std::string, int64_t> wanted;  // tail -> receipt id
  wanted[own_tail] = r.id;
  constexpr uint64_t kChunk = 4096;
  constexpr uint64_t kMaxScan = 4'000'000;
  std::vector<std::pair<int64_t, uint64_t>> found;  // receipt id, leaf index
  std::optional<uint64_t> own;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, ReceiptRepo::UnresolvedLeavesOf(tx, r.batch_id));
    for (const auto& row : rows) {
      if (row.malformed) continue;
      TB_ASSIGN_OR_RETURN(std::string t,
                          tail_of(row.payer_subject, row.document_hash, row.issue_micros));
      wanted.emplace(std::move(t), row.receipt_id);
    }
    TB_ASSIGN_OR_RETURN(ledger::LogState state, ledger::ReadLogState(tx));
    found.clear();
    own.reset();
    for (uint64_t begin = r.ledger_hint; begin < state.size && begin < r.ledger_hint + kMaxScan;
         begin += kChunk) {
      TB_ASSIGN_OR_RETURN(auto entries,
                          ledger::ReadEntries(tx, begin, std::min(begin + kChunk, state.size)));
      for (const auto& e : entries) {
        if (e.entry.size() != own_tail.size() + 9) continue;
        auto it = wanted.find(e.entry.substr(9));
        if (it == wanted.end()) continue;
        found.emplace_back(it->second, e.index);
        if (it->first == own_tail) own = e.index;
        wanted.erase(it);
      }
      if (wanted.empty() || (own && found.size() >= rows.size())) break;
      if (own && begin + kChunk >= r.ledger_hint + 2 * kChunk) break;  // the batch's leaves lie together
    }
    return Status::Ok();
  }));
  if (!own) return Status::Unavailable("the receipt is not on the ledger yet");
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    for (const auto& [id, index] : found) {
      TB_RETURN_IF_ERROR(ReceiptRepo::SetLeafIndex(tx, id, index));
    }
    return Status::Ok();
  }));
  return *own;
}

Result<std::shared_ptr<const std::string>> ReceiptService::VerifiedManifest(
    int64_t batch_id, const std::string& issuer_sig, const std::string& finance_sig) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = manifests_.find(batch_id);
    if (it != manifests_.end()) return it->second;
  }
  std::string manifest, stored_issuer_sig, stored_finance_sig;
  std::optional<crypto::PublicKey> issuer_key;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    // The issuer key the batch names, among the keys of the batch's own issuer (so a batch
    // naming another hospital's key finds none).
    TB_ASSIGN_OR_RETURN(auto batch, ReceiptRepo::BatchManifestOf(tx, batch_id));
    manifest = std::move(batch.manifest);
    if (batch.issuer_public_raw) {
      auto key = crypto::PublicKey::FromRaw(options_.issuer_keys->algorithm(),
                                            *batch.issuer_public_raw);
      if (key.ok()) issuer_key = *key;
    }
    return Status::Ok();
  }));
  if (!issuer_key || !issuer_key->Verify(manifest, issuer_sig) ||
      !options_.finance_key->public_key().Verify(manifest, finance_sig)) {
    return std::shared_ptr<const std::string>();
  }
  auto verified = std::make_shared<const std::string>(std::move(manifest));
  std::lock_guard<std::mutex> lock(mu_);
  if (manifests_.size() >= 4096) manifests_.clear();
  manifests_[batch_id] = verified;
  return verified;
}

Result<Integrity> ReceiptService::CheckIntegrity(const Receipt& r, std::optional<uint64_t> leaf_index) {
  Integrity out;
  out.leaf_index = leaf_index;
  auto fail = [&](std::string why) {
    out.intact = false;
    out.problem = std::move(why);
    return out;
  };
  if (leaf_index) {
    std::optional<std::string> bytes;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = leaf_entries_.find(*leaf_index);
      if (it != leaf_entries_.end()) bytes = it->second;
    }
    if (!bytes) {
      TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
        TB_ASSIGN_OR_RETURN(auto entries, ledger::ReadEntries(tx, *leaf_index, *leaf_index + 1));
        if (!entries.empty()) bytes = std::move(entries.front().entry);
        return Status::Ok();
      }));
      if (bytes) {
        std::lock_guard<std::mutex> lock(mu_);
        if (leaf_entries_.size() >= 100000) leaf_entries_.clear();
        leaf_entries_[*leaf_index] = *bytes;
      }
    }
    auto leaf = bytes ? ledger::ParseEntry(*bytes) : Result<ledger::Entry>(Status::NotFound("leaf"));
    if (!leaf.ok()) return fail("the ledger leaf of the receipt is missing or malformed");
    if (leaf->type != "receipt.issue" || leaf->subject != r.payer_subject ||
        leaf->document != r.document_hash || leaf->time_micros != r.issue_micros) {
      return fail("the stored receipt does not match its ledger leaf");
    }
  }
  TB_ASSIGN_OR_RETURN(auto manifest,
                      VerifiedManifest(r.batch_id, r.issuer_signature, r.finance_signature));
  if (!manifest) return fail("the batch signatures do not verify");
  const std::string line = ManifestLine(r.code, r.number, r.document_hash);
  if (manifest->find("\n" + line) == std::string::npos) {
    return fail("the receipt is not listed in its signed batch");
  }
  if (r.status == ReceiptStatus::kDestroyed) {
    out.intact = true;  // the document is gone; hash, batch and leaf still agree
    return out;
  }
  if (!r.document) return fail("the receipt document is missing");
  if (crypto::Hash(options_.hash, *r.document) != r.document_hash) {
    return fail("the receipt document does not match its hash");
  }
  auto decoded = DecodeDocument(*r.document);
  if (!decoded.ok()) return fail("the receipt document is malformed");
  const Receipt& d = decoded->receipt;
  if (d.code != r.code || d.number != r.number || d.check != r.check || d.kind != r.kind ||
      d.issue_micros != r.issue_micros || d.issuer_uscc != r.issuer_uscc ||
      d.issuer_name != r.issuer_name || d.issuer_region != r.issuer_region ||
      d.payer_subject != r.payer_subject || d.total_fen != r.total_fen ||
      d.insurance_fen != r.insurance_fen || d.self_fen != r.self_fen || d.channel != r.channel ||
      d.replaces != r.replaces ||
      decoded->payer_name_mac != options_.subject_hash("name:" + r.payer_name)) {
    return fail("the stored receipt does not match its signed document");
  }
  out.intact = true;
  return out;
}

Result<std::string> ReceiptService::QrText(const Receipt& r) {
  const std::string payload = QrPayload(r);
  std::string raw = r.qr_signature;
  if (raw.size() != crypto::kRawSignatureSize) {
    TB_ASSIGN_OR_RETURN(std::string sig, options_.finance_key->Sign(payload));
    if (crypto::UsesDerSignatures(options_.finance_key->algorithm())) {
      TB_ASSIGN_OR_RETURN(raw, crypto::DerSignatureToRaw(sig));
    } else {
      raw = std::move(sig);
    }
    // First writer wins: every later reader sees the same QR.
    TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
      TB_RETURN_IF_ERROR(ReceiptRepo::SetQrSignature(tx, r.id, raw));
      TB_ASSIGN_OR_RETURN(auto stored, ReceiptRepo::QrSignature(tx, r.id));
      if (stored) raw = std::move(*stored);
      return Status::Ok();
    }));
  }
  return payload + "." + Base64UrlEncode(raw);
}

bool ReceiptService::QrSignatureValid(std::string_view payload, std::string_view raw) const {
  return options_.finance_key->public_key().VerifyRaw(payload, raw);
}

}  // namespace tongban::receipt
