// The receipt part's rules; see receipt_service.h. Its SQL is in receipt_repo.cc.
#include "receipt/receipt_service.h"

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <cstring>
#include <map>

#include "core/base64.h"
#include "core/citizen_id.h"
#include "core/money.h"
#include "core/uscc.h"
#include "crypto/signature.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "receipt/receipt_document.h"
#include "receipt/receipt_repo.h"

namespace tongban::receipt {
namespace {

// Unix micros of 00:00 China time (UTC+8) on `d`.
int64_t ChinaMidnightMicros(CivilDate d) {
  return (DaysFromCivil(d) * 86400 - 8 * 3600) * int64_t{1'000'000};
}

}  // namespace

std::string MaskName(std::string_view name) {
  if (name.empty()) return "";
  size_t first = 1;
  unsigned char c = static_cast<unsigned char>(name[0]);
  if (c >= 0xF0) first = 4;
  else if (c >= 0xE0) first = 3;
  else if (c >= 0xC0) first = 2;
  first = std::min(first, name.size());
  std::string out(name.substr(0, first));
  for (size_t i = first; i < name.size(); ++i) {
    // Count UTF-8 lead bytes (not continuation bytes 10xxxxxx).
    if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) out.push_back('*');
  }
  if (out.size() == first) out.push_back('*');
  return out;
}

bool ReceiptService::ValidText(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == '|') return false;
  }
  return true;
}

ledger::Entry ReceiptService::MakeEntry(std::string type, const std::array<uint8_t, 32>& subject,
                                        const std::array<uint8_t, 32>& document,
                                        int64_t time_micros) {
  ledger::Entry e;
  e.type = std::move(type);
  e.subject = subject;
  e.document = document;
  e.time_micros = time_micros;
  return e;
}

std::vector<store::Migration> ReceiptService::Migrations() { return ReceiptRepo::Migrations(); }

ReceiptService::ReceiptService(store::Database& db, ReceiptServiceOptions options)
    : db_(db), options_(std::move(options)), wallet_indexer_(db) {
  assert(options_.clock != nullptr && options_.subject_hash && options_.issuer_keys &&
         options_.finance_key);
}

Result<Issuer> ReceiptService::RegisterIssuer(int64_t account_id, std::string_view uscc,
                                              std::string_view name, std::string_view region_code) {
  TB_ASSIGN_OR_RETURN(Uscc code, Uscc::Parse(uscc, "/uscc"));
  TB_ASSIGN_OR_RETURN(RegionCode region, RegionCode::Parse(region_code, "/region_code"));
  if (!ValidText(name, 128)) return Status::InvalidField("/name", "must be 1-128 bytes of text");
  Issuer issuer{0, account_id, code.RevealFullCode(), std::string(name), region.ToString()};
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(issuer.id, ReceiptRepo::InsertIssuer(tx, account_id, issuer.uscc,
                                                             issuer.name, issuer.region_code));
    TB_RETURN_IF_ERROR(options_.issuer_keys->EnsureKey(tx, issuer.id).status());
    return Status::Ok();
  }));
  return issuer;
}

Result<NumberRange> ReceiptService::AssignRange(int64_t issuer_id, std::string_view code_text,
                                                int64_t first, int64_t last) {
  TB_ASSIGN_OR_RETURN(ReceiptCode code, ReceiptCode::Parse(code_text, "/code"));
  if (first < 1 || last > ReceiptNumber::kMax || first > last) {
    return Status::InvalidField("/first_number", "need 1 <= first <= last <= 9999999999");
  }
  NumberRange range{0, issuer_id, code.str(), first, last, first};
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(bool issuer, ReceiptRepo::IssuerExists(tx, issuer_id));
    if (!issuer) return Status::NotFound("receipt issuer", std::to_string(issuer_id));
    TB_ASSIGN_OR_RETURN(bool overlap, ReceiptRepo::RangeOverlaps(tx, range.code, first, last));
    if (overlap) return Status::Conflict("numbers overlap an assigned range of code " + range.code);
    TB_ASSIGN_OR_RETURN(range.id, ReceiptRepo::InsertRange(tx, issuer_id, range.code, first, last));
    return Status::Ok();
  }));
  return range;
}

Result<Issuer> ReceiptService::IssuerForAccount(int64_t account_id) {
  Issuer issuer;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, ReceiptRepo::IssuerByAccount(tx, account_id));
    if (!found) return Status::NotFound("receipt issuer for this account");
    issuer = std::move(*found);
    return Status::Ok();
  }));
  return issuer;
}

Result<std::vector<NumberRange>> ReceiptService::Ranges(int64_t issuer_id) {
  std::vector<NumberRange> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, ReceiptRepo::RangesOf(tx, issuer_id));
    return Status::Ok();
  }));
  return out;
}

Result<Receipt> ReceiptService::Get(const ReceiptCode& code, const ReceiptNumber& number) {
  Receipt out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto r, ReceiptRepo::FindReceipt(tx, code, number));
    if (!r) return Status::NotFound("receipt", ReceiptKey(code, number));
    TB_ASSIGN_OR_RETURN(r->claims, ReceiptRepo::ClaimsOf(tx, r->id));
    out = std::move(*r);
    return Status::Ok();
  }));
  return out;
}

Result<ReceiptService::Page> ReceiptService::ListForPayer(const std::array<uint8_t, 32>& subject,
                                                          std::optional<int64_t> cursor, int limit) {
  Page page;
  limit = std::clamp(limit, 1, 100);
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, ReceiptRepo::ReceiptsOfPayer(tx, subject,
                                                                 cursor.value_or(INT64_MAX), limit));
    page.items = std::move(found.items);
    page.next_cursor.reset();
    if (found.more) page.next_cursor = page.items.back().id;
    return Status::Ok();
  }));
  return page;
}

Result<size_t> ReceiptService::IndexWallet(size_t max_rows) {
  return wallet_indexer_.IndexOnce(max_rows);
}

void ReceiptService::StartWalletIndexer(std::chrono::milliseconds interval) {
  wallet_indexer_.Start(interval);
}

void ReceiptService::StopWalletIndexer() { wallet_indexer_.Stop(); }

ReceiptService::~ReceiptService() { StopWalletIndexer(); }

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

Result<ReceiptStats> ReceiptService::Stats(int days) {
  ReceiptStats s;
  const CivilDate today = ChinaDate(options_.clock->Now());
  const std::string since = CivilFromDays(DaysFromCivil(today) - std::max(days, 1) + 1).ToString();
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(s, ReceiptRepo::Stats(tx, since));
    return Status::Ok();
  }));
  s.paper_saved_grams = s.issued * kPaperGramsPerReceipt;
  return s;
}

Result<ReceiptService::DestroyResult> ReceiptService::Destroy(CivilDate before) {
  if (!before.IsValid()) return Status::InvalidField("before", "is not a calendar date");
  const CivilDate today = ChinaDate(options_.clock->Now());
  CivilDate limit{today.year - options_.retention_years, today.month, today.day};
  if (!limit.IsValid()) limit.day = 28;  // 29 February
  const int64_t before_micros = ChinaMidnightMicros(before);
  const int64_t cutoff = std::min(before_micros, ChinaMidnightMicros(limit));
  const std::string cutoff_day = ReceiptRepo::DayOf(cutoff);
  DestroyResult result;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(result.kept,
                        ReceiptRepo::CountUndestroyed(tx, cutoff_day, before.ToString()));
    return Status::Ok();
  }));
  while (true) {
    int64_t done = 0;
    const int64_t now = options_.clock->NowUnixMicros();
    TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
      done = 0;
      // issue_day is the China date of issue_micros and the cutoff a China midnight, so the
      // indexed day comparison selects exactly issue_micros < cutoff.
      TB_ASSIGN_OR_RETURN(auto rows, ReceiptRepo::DueForDestruction(tx, cutoff_day));
      if (rows.empty()) return Status::Ok();
      std::string list = "tongban-receipt-destruction/1\nbefore: " + before.ToString() +
                         "\ntime: " + FormatIso8601Utc(FromUnixMicros(now)) + "\n";
      for (const auto& row : rows) {
        TB_ASSIGN_OR_RETURN(auto number, ReceiptNumber::FromInt(row.number));
        list += row.code + "/" + number.ToString() + " " +
                crypto::ToHex(row.document_hash) + "\n";
        TB_ASSIGN_OR_RETURN(int64_t n, ReceiptRepo::MarkDestroyed(tx, row.receipt_id, now));
        if (n != 1) return Status::Unavailable("receipt changed concurrently; retry");
      }
      TB_RETURN_IF_ERROR(ReceiptRepo::InsertDestruction(tx, now, before.ToString(),
                                                        static_cast<int64_t>(rows.size()), list));
      TB_RETURN_IF_ERROR(ledger::EnqueueEntry(
                             tx, MakeEntry("receipt.destroy", options_.subject_hash("receipt-destruction"),
                                           crypto::Hash(options_.hash, list), now))
                             .status());
      done = static_cast<int64_t>(rows.size());
      return Status::Ok();
    }));
    if (done == 0) break;
    result.destroyed += done;
  }
  return result;
}

}  // namespace tongban::receipt
