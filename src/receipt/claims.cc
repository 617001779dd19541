// Claims exactly once, with group commit, and their reversals: ReceiptService::AddClaim, AddClaims
// and ReverseClaim (receipt_service.h says how a group is led, run, and answered). A claim is the
// conditional update of the receipt's claimed amount, its claim row and its ledger entry, in the
// group's one transaction; a business refusal answers that claim alone. SQL: receipt_repo.cc.
#include "receipt/receipt_service.h"

#include <algorithm>

#include "core/clock.h"
#include "core/money.h"
#include "crypto/hash.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "receipt/receipt_repo.h"

namespace tongban::receipt {
namespace {

std::string FenText(int64_t fen) { return Fen(fen).ToYuanString(); }

}  // namespace

Status ReceiptService::ValidateClaim(const ClaimRequest& r) {
  if (r.amount_fen < 1) return Status::InvalidField("/amount_fen", "must be a positive amount in fen");
  if (r.reference.size() > 64 || (!r.reference.empty() && !ValidText(r.reference, 64))) {
    return Status::InvalidField("/reference", "must be at most 64 bytes of text");
  }
  return Status::Ok();
}

Result<Claim> ReceiptService::AddClaim(const ReceiptCode& code, const ReceiptNumber& number,
                                       int64_t claimant_account, std::string_view claimant,
                                       int64_t amount_fen, std::string_view reference) {
  ClaimRequest request{code, number, claimant_account, std::string(claimant), amount_fen,
                       std::string(reference)};
  TB_RETURN_IF_ERROR(ValidateClaim(request));
  // Queued with the concurrent claims; the first in the queue runs a group (group commit).
  return claims_.Run(TimedClaim{&request, options_.clock->NowUnixMicros()});
}

std::vector<Result<Claim>> ReceiptService::AddClaims(std::span<const ClaimRequest> requests) {
  std::vector<std::optional<Result<Claim>>> out(requests.size());
  std::vector<TimedClaim> valid;
  std::vector<size_t> at;
  const int64_t now = options_.clock->NowUnixMicros();
  for (size_t i = 0; i < requests.size(); ++i) {
    if (Status s = ValidateClaim(requests[i]); !s.ok()) {
      out[i].emplace(s);
      continue;
    }
    valid.push_back(TimedClaim{&requests[i], now});
    at.push_back(i);
  }
  if (!valid.empty()) {
    std::vector<const TimedClaim*> group;
    group.reserve(valid.size());
    for (const TimedClaim& c : valid) group.push_back(&c);
    std::vector<Result<Claim>> results = claims_.RunTogether(group);
    for (size_t k = 0; k < at.size(); ++k) out[at[k]].emplace(std::move(results[k]));
  }
  std::vector<Result<Claim>> flat;
  flat.reserve(out.size());
  for (auto& r : out) flat.push_back(std::move(*r));
  return flat;
}

Result<Claim> ReceiptService::ClaimOne(store::Tx& tx, const TimedClaim& c) {
  Claim claim;
  claim.time_micros = c.time_micros;
  TB_RETURN_IF_ERROR(ClaimInTx(tx, *c.request, claim));
  return claim;
}

Status ReceiptService::ClaimInTx(store::Tx& tx, const ClaimRequest& r, Claim& claim) {
  const ReceiptCode& code = r.code;
  const ReceiptNumber& number = r.number;
  const int64_t amount_fen = r.amount_fen;
  claim.id = 0;
  claim.claimant_account = r.claimant_account;
  claim.claimant = r.claimant;
  claim.amount_fen = amount_fen;
  claim.reference = r.reference;
  TB_ASSIGN_OR_RETURN(auto target, ReceiptRepo::ClaimTargetOf(tx, code, number));
  if (!target) return Status::NotFound("receipt", ReceiptKey(code, number));
  const int64_t id = target->receipt_id;
  if (!target->issued) return Status::FailedPrecondition("the receipt is voided");
  if (target->destroyed) return Status::FailedPrecondition("the receipt was destroyed");
  TB_ASSIGN_OR_RETURN(int64_t n, ReceiptRepo::AddClaimedFen(tx, id, amount_fen));
  if (n == 0) {
    TB_ASSIGN_OR_RETURN(auto claims, ReceiptRepo::ClaimsOf(tx, id));
    std::string named;
    for (const Claim& c : claims) {
      if (c.reversed_micros) continue;
      named += (named.empty() ? "" : "; ") + c.claimant + " claimed " + FenText(c.amount_fen) +
               " yuan at " + FormatIso8601Utc(FromUnixMicros(c.time_micros)) + " (claim " +
               std::to_string(c.id) + ")";
    }
    return Status::Conflict("claim of " + FenText(amount_fen) + " yuan exceeds the " +
                            FenText(target->total_fen - target->claimed_fen) + " yuan left of " +
                            FenText(target->total_fen) + "; earlier claims: " + named);
  }
  const std::array<uint8_t, 32>& subject = target->payer_subject;
  std::string document = "tongban-receipt-claim/1\ncode: " + code.str() +
                         "\nnumber: " + number.ToString() + "\nclaimant: " + claim.claimant +
                         "\namount_fen: " + std::to_string(amount_fen) + "\nreference: " +
                         claim.reference + "\ntime: " +
                         FormatIso8601Utc(FromUnixMicros(claim.time_micros)) + "\n";
  TB_ASSIGN_OR_RETURN(claim.id, ReceiptRepo::InsertClaim(tx, id, claim, document));
  return ledger::EnqueueEntry(tx, MakeEntry("receipt.claim", subject,
                                            crypto::Hash(options_.hash, document),
                                            claim.time_micros))
      .status();
}

Result<Claim> ReceiptService::ReverseClaim(const ReceiptCode& code, const ReceiptNumber& number,
                                           int64_t claim_id, int64_t claimant_account) {
  Claim claim;
  const int64_t now = options_.clock->NowUnixMicros();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, ReceiptRepo::FindClaim(tx, claim_id, code, number));
    if (!found || found->claim.claimant_account != claimant_account) {
      return Status::NotFound("claim of this claimant", std::to_string(claim_id));
    }
    claim = found->claim;
    if (claim.reversed_micros) return Status::FailedPrecondition("the claim is already reversed");
    TB_ASSIGN_OR_RETURN(int64_t n, ReceiptRepo::MarkClaimReversed(tx, claim_id, now));
    if (n != 1) return Status::FailedPrecondition("the claim is already reversed");
    TB_RETURN_IF_ERROR(ReceiptRepo::SubtractClaimedFen(tx, found->receipt_id, claim.amount_fen));
    claim.reversed_micros = now;
    const std::array<uint8_t, 32>& subject = found->payer_subject;
    std::string document = "tongban-receipt-claim-reversal/1\ncode: " + code.str() +
                           "\nnumber: " + number.ToString() + "\nclaim: " +
                           std::to_string(claim_id) + "\namount_fen: " +
                           std::to_string(claim.amount_fen) + "\ntime: " +
                           FormatIso8601Utc(FromUnixMicros(now)) + "\n";
    return ledger::EnqueueEntry(tx, MakeEntry("receipt.claim-reversal", subject,
                                              crypto::Hash(options_.hash, document), now))
        .status();
  }));
  return claim;
}

}  // namespace tongban::receipt
