// Destruction after retention (核销): ReceiptService::Destroy deletes the documents and payer names
// of receipts whose retention has passed, in chunks of 1,000, each chunk one transaction with its
// destruction record and its receipt.destroy ledger entry (the chunk's list hashed). Code,
// number, hashes and leaf stay, so a destroyed receipt still verifies. See receipt_service.h;
// SQL: receipt_repo.cc.
#include "receipt/receipt_service.h"

#include <algorithm>

#include "core/clock.h"
#include "crypto/hash.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "receipt/receipt_repo.h"

namespace tongban::receipt {
namespace {

// Unix micros of 00:00 China time (UTC+8) on `d`.
int64_t ChinaMidnightMicros(CivilDate d) {
  return ChinaDayStartUnix(d) * int64_t{1'000'000};
}

}  // namespace

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
