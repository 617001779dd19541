// ReceiptService's construction, the helpers the other files share, issuers and number ranges,
// reads (a receipt, a payer's wallet page), operator figures, and the wallet indexer's controls.
// The other member functions are in issuance.cc, claims.cc, integrity.cc and retention.cc
// (receipt_service.h says why); every statement is in receipt_repo.cc.
#include "receipt/receipt_service.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

#include "core/clock.h"
#include "core/region.h"
#include "core/uscc.h"
#include "ledger/entry.h"
#include "receipt/receipt_repo.h"

namespace tongban::receipt {

std::vector<store::Migration> ReceiptService::Migrations() { return ReceiptRepo::Migrations(); }

ReceiptService::ReceiptService(store::Database& db, ReceiptServiceOptions options)
    : db_(db),
      options_(std::move(options)),
      wallet_indexer_(db),
      claims_(db, static_cast<size_t>(std::max(1, options_.claim_group_max)),
              [this](store::Tx& tx, const TimedClaim& c) { return ClaimOne(tx, c); }) {
  assert(options_.clock != nullptr && options_.subject_hash && options_.issuer_keys &&
         options_.finance_key);
}

ReceiptService::~ReceiptService() { StopWalletIndexer(); }

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
    TB_ASSIGN_OR_RETURN(
        auto found, ReceiptRepo::ReceiptsOfPayer(tx, subject, cursor.value_or(INT64_MAX), limit));
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

}  // namespace tongban::receipt
