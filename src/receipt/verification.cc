// Public verification of a receipt; see verification.h.
#include "receipt/verification.h"

#include "ledger/await_leaf.h"

namespace tongban::receipt {

std::string_view VerdictName(ReceiptVerdict verdict) {
  switch (verdict) {
    case ReceiptVerdict::kUnknown:
      return "unknown";
    case ReceiptVerdict::kTampered:
      return "tampered";
    case ReceiptVerdict::kDestroyed:
      return "destroyed";
    case ReceiptVerdict::kVoided:
      return "voided";
    case ReceiptVerdict::kReimbursed:
      return "reimbursed";
    case ReceiptVerdict::kPartiallyReimbursed:
      return "partially_reimbursed";
    case ReceiptVerdict::kAuthentic:
      return "authentic";
  }
  return "unknown";
}

ReceiptVerdict StandingOf(const Receipt& r) {
  if (r.status == ReceiptStatus::kVoided) return ReceiptVerdict::kVoided;
  if (r.status == ReceiptStatus::kDestroyed) return ReceiptVerdict::kDestroyed;
  if (r.claimed_fen >= r.total_fen) return ReceiptVerdict::kReimbursed;
  if (r.claimed_fen > 0) return ReceiptVerdict::kPartiallyReimbursed;
  return ReceiptVerdict::kAuthentic;
}

Result<ReceiptVerification> VerifyReceipt(ReceiptService& service, ledger::LogReader& reader,
                                          ledger::Sequencer* sequencer, const ReceiptCode& code,
                                          const ReceiptNumber& number, const CheckCode& check,
                                          std::chrono::steady_clock::time_point deadline) {
  ReceiptVerification out;
  auto found = service.Get(code, number);
  if (!found.ok() && found.status().code() != ErrorCode::kNotFound) return found.status();
  if (!found.ok() || found->check != check) return out;  // kUnknown
  const Receipt& r = *found;
  // The receipt's leaf: found by scanning from its hint; a just-issued receipt may still be
  // queued, so wait for the sequencer a little (ledger/await_leaf.h owns the rule that makes a
  // miss with an empty queue final).
  auto leaf = ledger::AwaitLeaf(
      reader, sequencer,
      [&]() -> Result<std::optional<uint64_t>> {
        auto resolved = service.ResolveLeaf(r);
        if (resolved.ok()) return std::optional<uint64_t>(*resolved);
        if (resolved.status().code() == ErrorCode::kUnavailable) {
          return std::optional<uint64_t>();
        }
        return resolved.status();
      },
      deadline);
  if (leaf.status().code() == ErrorCode::kUnavailable) {
    return Status::Unavailable("the receipt is not on the ledger yet; retry");
  }
  if (!leaf.ok()) return leaf.status();
  out.leaf = *leaf;
  if (!out.leaf) {
    out.verdict = ReceiptVerdict::kTampered;
    out.problem = "no ledger leaf matches the stored receipt";
  } else {
    TB_ASSIGN_OR_RETURN(Integrity integrity, service.CheckIntegrity(r, out.leaf));
    if (integrity.intact) {
      out.verdict = StandingOf(r);
    } else {
      out.verdict = ReceiptVerdict::kTampered;
      out.problem = integrity.problem;
    }
  }
  out.receipt = std::move(found).value();
  return out;
}

}  // namespace tongban::receipt
