// The receipt routes' shared pieces, for the route-group files of the receipt endpoints
// (receipt_handlers.cc wires the groups: issue, public verification, administration, reading,
// claims and voids). Internal to api: nothing outside src/api/receipt_*.cc includes it.
// Request readers with the receipt routes' conventions, the JSON shapes of a receipt, and the
// verification-answer cache the verify, key and write routes share. Thread-safe as noted.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "api/http_message.h"
#include "api/router.h"
#include "identity/identity_service.h"
#include "ledger/log_reader.h"
#include "ledger/sequencer.h"
#include "receipt/receipt.h"
#include "receipt/receipt_service.h"

namespace tongban::api::receipt_routes {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using receipt::Receipt;
using receipt::ReceiptStatus;

inline constexpr size_t kMaxBatch = 1000;

HttpResponse Problem(const Status& s, const HttpRequest& req);
HttpResponse Json(int status, const value& v, std::string_view cache = "no-store");
std::string Iso(int64_t micros);

// --- request parsing ------------------------------------------------------------------------
// The body readers of api/json_body.h with the receipt routes' conventions: an optional string
// reads as "", an optional integer as 0.
Result<std::string> Str(const object& o, std::string_view key, const std::string& prefix,
                        bool required, size_t max = 256);
// A positive decimal id or cursor from a path or query parameter; anything else is a field error.
Result<int64_t> PositiveInt(std::string_view text, std::string_view field, std::string_view reason);
Result<int64_t> Int(const object& o, std::string_view key, const std::string& prefix,
                    bool required = true);
// One receipt of an issue request, its errors named under `prefix` ("" or "/receipts/3").
Result<receipt::NewReceipt> ParseNewReceipt(const value& v, const std::string& prefix);
// The {code}/{number} of a receipt path.
Result<std::pair<receipt::ReceiptCode, receipt::ReceiptNumber>> PathKey(const PathParams& p);

// --- responses ------------------------------------------------------------------------------
std::string_view StatusName(const Receipt& r);
value VoidJson(const Receipt& r);
object ClaimJson(const receipt::Claim& c);
object SummaryJson(const Receipt& r);
object FullJson(const Receipt& r, const std::optional<std::string>& qr_text);

// --- contract: JSON Schema 2020-12 text for Route::Accepts / Answers -------------------------
// The receipt routes' named schemas (components of the OpenAPI document): ReceiptItem,
// NewReceipt, ReceiptClaim, ReceiptVoid, ReceiptSummary, Receipt and ReceiptVerification. Every
// route group that refers to them calls this; a name added twice keeps the first, so the order of
// the groups does not matter.
void AddReceiptSchemas(Router& router);
// `base`, a closed object schema, with the "properties" and "required" of `extra` added and its
// other keywords (a description) in place of the base's: an answer that is another answer plus
// fields (a receipt in full is its summary and more), still closed and self-contained.
// REQUIRES: both are JSON objects (our own constants; the parts conformance test parses the
// result).
std::string ExtendObjectSchema(std::string_view base, std::string_view extra);

// Public verification answers by receipt ("code/number"), with the check code they were computed
// for, and QR texts whose finance signature verified (an SM2 verification costs more than the
// rest of a verification). Bounded: cleared when full.
class VerifyCache {
 public:
  explicit VerifyCache(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  std::optional<std::string> Get(const std::string& key, const std::string& check) {
    if (ttl_.count() == 0) return std::nullopt;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = answers_.find(key);
    if (it == answers_.end() || it->second.check != check ||
        std::chrono::steady_clock::now() - it->second.at > ttl_) {
      return std::nullopt;
    }
    return it->second.body;
  }
  void Put(const std::string& key, const std::string& check, std::string body) {
    if (ttl_.count() == 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (answers_.size() >= 100000) answers_.clear();
    answers_[key] = Answer{std::chrono::steady_clock::now(), check, std::move(body)};
  }
  void Invalidate(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_.erase(key);
  }
  bool QrVerified(const std::string& qr) {
    std::lock_guard<std::mutex> lock(mu_);
    return verified_qr_.contains(qr);
  }
  void AddVerifiedQr(std::string qr) {
    std::lock_guard<std::mutex> lock(mu_);
    if (verified_qr_.size() >= 100000) verified_qr_.clear();
    verified_qr_.insert(std::move(qr));
  }

 private:
  struct Answer {
    std::chrono::steady_clock::time_point at;
    std::string check;
    std::string body;
  };
  const std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Answer> answers_;
  std::unordered_set<std::string> verified_qr_;  // signatures never change their verdict
};

// The published keys' answer is kept in the VerifyCache under this key (no receipt key
// "code/number" looks like it); registering an issuer or rotating a key through these routes drops
// it, changes made elsewhere show within the cache's TTL.
inline constexpr std::string_view kKeysCacheKey = "#keys";

HttpResponse KeysResponse(std::string body);
HttpResponse VerifyResponse(std::string body);

// What every route group works with; all referenced objects outlive the router.
struct Context {
  receipt::ReceiptService& svc;
  ledger::LogReader& reader;
  ledger::Sequencer& seq;
  identity::IdentityService& ids;
  std::chrono::milliseconds wait;  // for public verification, a just-issued receipt's ledger entry
  std::shared_ptr<VerifyCache> answers;
};

// The route groups, in the order AddReceiptRoutes adds them (the router tries parameter routes
// in that order).
void AddIssueRoutes(Router& router, const Context& ctx);   // POST /api/v1/receipts
void AddVerifyRoutes(Router& router, const Context& ctx);  // public verify, published keys
void AddAdminRoutes(Router& router, const Context& ctx);   // stats, issuers, keys, ranges
void AddReadRoutes(Router& router, const Context& ctx);  // a receipt, its QR and print; my receipts
void AddClaimRoutes(Router& router, const Context& ctx);  // claims, reversals, voids

}  // namespace tongban::api::receipt_routes
