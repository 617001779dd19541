// A presentation verified with its ledger proof; see verification.h.
#include "license/verification.h"

#include <algorithm>
#include <utility>

#include "ledger/await_leaf.h"

namespace tongban::license {
namespace {

// The leaf of `anchor`'s event, waiting until `deadline` (ledger/await_leaf.h): nullopt when the
// queue was empty and still no leaf matches (the event or the licence was altered: tampered).
Result<std::optional<uint64_t>> AwaitAnchorLeaf(LicenseService& service, ledger::LogReader& reader,
                                                ledger::Sequencer* sequencer,
                                                const LedgerAnchor& anchor,
                                                std::chrono::steady_clock::time_point deadline) {
  auto leaf = ledger::AwaitLeaf(
      reader, sequencer, [&] { return service.AnchorLeaf(anchor); }, deadline);
  if (leaf.status().code() == ErrorCode::kUnavailable) {
    return Status::Unavailable("the licence's ledger entry is not integrated yet; retry");
  }
  return leaf;
}

}  // namespace

Result<LicenseVerification> VerifyPresentationOnLedger(LicenseService& service,
                                                       ledger::LogReader* reader,
                                                       ledger::Sequencer* sequencer,
                                                       const VerifyRequest& request,
                                                       std::chrono::milliseconds wait) {
  // A just-issued (or just-revoked) licence's entry may still be queued: wait for it BEFORE
  // Verify consumes the one-time presentation, so that a 503 costs the holder nothing.
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::optional<std::pair<int64_t, std::optional<uint64_t>>> early;  // event id, leaf
  if (reader != nullptr) {
    TB_ASSIGN_OR_RETURN(auto claimed, service.PresentedLicenseId(request));
    if (claimed) {
      auto anchor = service.Anchor(*claimed);
      if (anchor.ok() && anchor->problem.empty()) {
        TB_ASSIGN_OR_RETURN(auto leaf, AwaitAnchorLeaf(service, *reader, sequencer, *anchor, deadline));
        early.emplace(anchor->event_id, leaf);
      } else if (!anchor.ok() && anchor.status().code() != ErrorCode::kNotFound) {
        return anchor.status();
      }
    }
  }
  LicenseVerification out;
  TB_ASSIGN_OR_RETURN(out.result, service.Verify(request));
  VerifyResult& r = out.result;
  if (r.foreign) {
    out.ledger_reason = "issued by another region's issuer: its lifecycle is on that issuer's ledger";
  } else if (r.license_id.empty()) {
    out.ledger_reason = "not a licence of this platform";
  } else if (reader == nullptr) {
    out.ledger_reason = "this server keeps no ledger";
  } else if (auto anchor = r.anchor ? Result<LedgerAnchor>(*r.anchor) : service.Anchor(r.license_id);
             !anchor.ok()) {
    if (anchor.status().code() != ErrorCode::kNotFound) return anchor.status();
    out.ledger_reason = "unknown licence";
  } else if (!anchor->problem.empty()) {
    out.ledger_reason = "the stored licence does not match the ledger: " + anchor->problem;
    r.valid = false;
    r.status = "tampered";
    r.reason = anchor->problem;
  } else {
    std::optional<uint64_t> leaf;
    bool known = false;
    if (early && early->first == anchor->event_id) {
      leaf = early->second;
      known = true;
    } else {
      // The licence changed during this request (a lifecycle step raced it): look again.
      auto late = AwaitAnchorLeaf(service, *reader, sequencer, *anchor,
                                  std::max(deadline, std::chrono::steady_clock::now() +
                                                         std::chrono::milliseconds(500)));
      if (late.ok()) {
        leaf = *late;
        known = true;
      } else if (late.status().code() != ErrorCode::kUnavailable) {
        return late.status();
      } else {
        out.ledger_reason = "the licence changed during this verification; its new ledger entry "
                            "is not integrated yet";
      }
    }
    if (known && !leaf) {
      out.ledger_reason = "no ledger leaf matches the licence's latest event";
      r.valid = false;
      r.status = "tampered";
      r.reason = out.ledger_reason;
    } else if (leaf) {
      out.leaf = leaf;
      out.event_document = anchor->document;
    }
  }
  if (!r.valid) r.disclosed = boost::json::object{};
  return out;
}

}  // namespace tongban::license
