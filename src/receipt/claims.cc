// Claims exactly once, with group commit, and their reversals: ReceiptService::AddClaim, AddClaims
// and ReverseClaim (receipt_service.h says how a group is led, run, and answered). A claim is the
// conditional update of the receipt's claimed amount, its claim row and its ledger entry, in the
// group's one transaction; a business refusal answers that claim alone. SQL: receipt_repo.cc.
#include "receipt/receipt_service.h"

#include <algorithm>
#include <condition_variable>

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

struct ReceiptService::ClaimWaiter {
  const ClaimRequest* request = nullptr;
  int64_t time_micros = 0;
  std::optional<Result<Claim>> result;  // set by the leader that ran it
  bool done = false;                    // guarded by claim_mu_
  std::condition_variable cv;
};

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
  ClaimWaiter self;
  self.request = &request;
  self.time_micros = options_.clock->NowUnixMicros();
  std::unique_lock lock(claim_mu_);
  claim_queue_.push_back(&self);
  while (!self.done && claim_queue_.front() != &self) self.cv.wait(lock);
  if (self.done) return std::move(*self.result);
  // The leader: the claims queued up to now (itself first), at most claim_group_max of them.
  const size_t n = std::min(claim_queue_.size(),
                            static_cast<size_t>(std::max(1, options_.claim_group_max)));
  std::vector<ClaimWaiter*> group(claim_queue_.begin(), claim_queue_.begin() + n);
  lock.unlock();
  std::vector<const ClaimRequest*> requests;
  std::vector<int64_t> times;
  requests.reserve(n);
  times.reserve(n);
  for (ClaimWaiter* w : group) {
    requests.push_back(w->request);
    times.push_back(w->time_micros);
  }
  std::vector<Result<Claim>> results = RunClaimGroup(requests, times);
  for (size_t i = 1; i < n; ++i) group[i]->result.emplace(std::move(results[i]));
  lock.lock();
  claim_queue_.erase(claim_queue_.begin(), claim_queue_.begin() + static_cast<ptrdiff_t>(n));
  // Notified under the lock: a waiter cannot see `done` and go away before this loop is over.
  for (size_t i = 1; i < n; ++i) {
    group[i]->done = true;
    group[i]->cv.notify_one();
  }
  if (!claim_queue_.empty()) claim_queue_.front()->cv.notify_one();  // the next leader
  return std::move(results[0]);
}

std::vector<Result<Claim>> ReceiptService::AddClaims(std::span<const ClaimRequest> requests) {
  std::vector<std::optional<Result<Claim>>> out(requests.size());
  std::vector<const ClaimRequest*> valid;
  std::vector<int64_t> times;
  std::vector<size_t> at;
  const int64_t now = options_.clock->NowUnixMicros();
  for (size_t i = 0; i < requests.size(); ++i) {
    if (Status s = ValidateClaim(requests[i]); !s.ok()) {
      out[i].emplace(s);
      continue;
    }
    valid.push_back(&requests[i]);
    times.push_back(now);
    at.push_back(i);
  }
  if (!valid.empty()) {
    std::vector<Result<Claim>> results = RunClaimGroup(valid, times);
    for (size_t k = 0; k < at.size(); ++k) out[at[k]].emplace(std::move(results[k]));
  }
  std::vector<Result<Claim>> flat;
  flat.reserve(out.size());
  for (auto& r : out) flat.push_back(std::move(*r));
  return flat;
}

std::vector<Result<Claim>> ReceiptService::RunClaimGroup(
    std::span<const ClaimRequest* const> requests, std::span<const int64_t> times) {
  const size_t n = requests.size();
  std::vector<std::optional<Result<Claim>>> out(n);
  bool all_ran = false;       // the function reached its end: a failure after it was at COMMIT
  bool retryable = false;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    all_ran = false;
    retryable = false;  // of this attempt
    for (size_t i = 0; i < n; ++i) {
      Claim claim;
      claim.time_micros = times[i];
      Status one = ClaimInTx(tx, *requests[i], claim);
      if (tx.failed()) {
        retryable = tx.retryable();
        return one.ok() ? Status::Internal("claim transaction failed") : one;
      }
      if (one.ok()) {
        out[i].emplace(std::move(claim));
      } else {
        out[i].emplace(std::move(one));
      }
    }
    all_ran = true;
    return Status::Ok();
  });
  std::vector<Result<Claim>> results;
  results.reserve(n);
  if (s.ok()) {
    for (auto& r : out) results.push_back(std::move(*r));
    return results;
  }
  if (all_ran || n == 1 || retryable) {
    // COMMIT failed (nothing acknowledged; with a lost acknowledgement the outcome is unknown,
    // so the claims must not be run again), or retries ran out: every claim gets the error.
    for (size_t i = 0; i < n; ++i) results.emplace_back(s);
    return results;
  }
  // A statement failed the group (not retryable): run each claim alone, so one claim's error
  // does not fail the others.
  for (size_t i = 0; i < n; ++i) {
    auto one = RunClaimGroup(std::span(&requests[i], 1), std::span(&times[i], 1));
    results.push_back(std::move(one.front()));
  }
  return results;
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
