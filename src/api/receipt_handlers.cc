// Receipt endpoints; see receipt_handlers.h.
#include "api/receipt_handlers.h"

#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "api/ledger_handlers.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "api/proof_cache.h"
#include "api/receipt_page.h"
#include "core/base64.h"
#include "core/clock.h"
#include "crypto/signature.h"
#include "qr/qr_svg.h"
#include "receipt/receipt_document.h"
#include "receipt/verification.h"

namespace tongban::api {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using receipt::Receipt;
using receipt::ReceiptStatus;

constexpr size_t kMaxBatch = 1000;

HttpResponse Problem(const Status& s, const HttpRequest& req) {
  return ProblemResponse(s, req.request_id);
}

HttpResponse Json(int status, const value& v, std::string_view cache = "no-store") {
  HttpResponse r = HttpResponse::Json(status, boost::json::serialize(v));
  r.WithHeader("Cache-Control", std::string(cache));
  return r;
}

std::string Iso(int64_t micros) { return FormatIso8601Utc(FromUnixMicros(micros)); }

// --- request parsing ------------------------------------------------------------------------

// The body readers of api/json_body.h with the receipt routes' conventions: an optional string
// reads as "", an optional integer as 0.
Result<std::string> Str(const object& o, std::string_view key, const std::string& prefix,
                        bool required, size_t max = 256) {
  TB_ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalStringField(o, key, prefix, max));
  if (v) return std::move(*v);
  if (required) return Status::InvalidField(prefix + "/" + std::string(key), "is required");
  return std::string();
}

// A positive decimal id or cursor from a path or query parameter; anything else is a field error.
Result<int64_t> PositiveInt(std::string_view text, std::string_view field, std::string_view reason) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 1) {
    return Status::InvalidField(std::string(field), std::string(reason));
  }
  return v;
}

Result<int64_t> Int(const object& o, std::string_view key, const std::string& prefix,
                    bool required = true) {
  if (!required && !o.contains(key)) return int64_t{0};
  return RequiredIntField(o, key, prefix);
}

Result<receipt::NewReceipt> ParseNewReceipt(const value& v, const std::string& prefix) {
  if (!v.is_object()) return Status::InvalidField(prefix.empty() ? "/" : prefix, "must be an object");
  const object& o = v.as_object();
  TB_RETURN_IF_ERROR(RejectUnknownFields(o,
                                   {"code", "number", "kind", "payer_id_number", "payer_name",
                                    "items", "total_fen", "insurance_fen", "self_fen", "channel"},
                                   prefix));
  receipt::NewReceipt r;
  TB_ASSIGN_OR_RETURN(std::string code, Str(o, "code", prefix, false, 16));
  if (!code.empty()) r.code = code;
  TB_ASSIGN_OR_RETURN(std::string number, Str(o, "number", prefix, false, 16));
  if (!number.empty()) {
    TB_ASSIGN_OR_RETURN(auto n, receipt::ReceiptNumber::Parse(number, prefix + "/number"));
    r.number = n.value();
  }
  TB_ASSIGN_OR_RETURN(std::string kind, Str(o, "kind", prefix, false, 16));
  if (!kind.empty()) {
    TB_ASSIGN_OR_RETURN(r.kind, receipt::ParseReceiptKind(kind, prefix + "/kind"));
  } else if (r.code) {
    auto c = receipt::ReceiptCode::Parse(*r.code, prefix + "/code");
    if (c.ok()) r.kind = c->kind();
  }
  TB_ASSIGN_OR_RETURN(r.payer_id_number, Str(o, "payer_id_number", prefix, true, 32));
  TB_ASSIGN_OR_RETURN(r.payer_name, Str(o, "payer_name", prefix, true, 64));
  auto items = o.find("items");
  if (items == o.end() || !items->value().is_array()) {
    return Status::InvalidField(prefix + "/items", "must be an array of items");
  }
  const array& list = items->value().as_array();
  if (list.empty() || list.size() > 200) {
    return Status::InvalidField(prefix + "/items", "must have 1-200 items");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string p = prefix + "/items/" + std::to_string(i);
    if (!list[i].is_object()) return Status::InvalidField(p, "must be an object");
    const object& io = list[i].as_object();
    TB_RETURN_IF_ERROR(
        RejectUnknownFields(io, {"category", "name", "quantity", "unit_fen", "amount_fen"}, p));
    receipt::ReceiptItem item;
    TB_ASSIGN_OR_RETURN(item.category, Str(io, "category", p, true, 32));
    TB_ASSIGN_OR_RETURN(item.name, Str(io, "name", p, true, 128));
    TB_ASSIGN_OR_RETURN(item.quantity, Int(io, "quantity", p));
    TB_ASSIGN_OR_RETURN(item.unit_fen, Int(io, "unit_fen", p));
    TB_ASSIGN_OR_RETURN(item.amount_fen, Int(io, "amount_fen", p));
    r.items.push_back(std::move(item));
  }
  TB_ASSIGN_OR_RETURN(r.total_fen, Int(o, "total_fen", prefix));
  TB_ASSIGN_OR_RETURN(r.insurance_fen, Int(o, "insurance_fen", prefix, false));
  auto self = o.find("self_fen");
  if (self == o.end()) {
    r.self_fen = r.total_fen - r.insurance_fen;  // default: the payer paid the rest
  } else {
    TB_ASSIGN_OR_RETURN(r.self_fen, Int(o, "self_fen", prefix));
  }
  TB_ASSIGN_OR_RETURN(r.channel, Str(o, "channel", prefix, true, 32));
  return r;
}

Result<std::pair<receipt::ReceiptCode, receipt::ReceiptNumber>> PathKey(const PathParams& p) {
  TB_ASSIGN_OR_RETURN(auto code, receipt::ReceiptCode::Parse(p.at("code"), "code"));
  TB_ASSIGN_OR_RETURN(auto number, receipt::ReceiptNumber::Parse(p.at("number"), "number"));
  return std::make_pair(code, number);
}

// --- responses ------------------------------------------------------------------------------

// The receipt part decides the standing (receipt/verification.h); this only names it.
std::string_view StatusName(const Receipt& r) {
  return receipt::VerdictName(receipt::StandingOf(r));
}

value VoidJson(const Receipt& r) {
  if (!r.void_reason) return nullptr;
  return object{{"reason", *r.void_reason},
                {"time", Iso(r.void_micros.value_or(0))},
                {"replacement", r.replacement ? value(*r.replacement) : value(nullptr)}};
}

object ClaimJson(const receipt::Claim& c) {
  return object{{"id", c.id},
                {"claimant", c.claimant},
                {"amount_fen", c.amount_fen},
                {"time", Iso(c.time_micros)},
                {"reference", c.reference},
                {"reversed", c.reversed_micros ? value(Iso(*c.reversed_micros)) : value(nullptr)}};
}

object SummaryJson(const Receipt& r) {
  return object{{"code", r.code.str()},
                {"number", r.number.ToString()},
                {"check_code", r.check.str()},
                {"kind", receipt::ReceiptKindName(r.kind)},
                {"issuer_name", r.issuer_name},
                {"issue_time", Iso(r.issue_micros)},
                {"total_fen", r.total_fen},
                {"self_fen", r.self_fen},
                {"claimed_fen", r.claimed_fen},
                {"status", StatusName(r)}};
}

object FullJson(const Receipt& r, const std::optional<std::string>& qr_text) {
  object o = SummaryJson(r);
  o["issuer"] = object{{"name", r.issuer_name}, {"uscc", r.issuer_uscc}, {"region_code", r.issuer_region}};
  o["payer_name"] = r.payer_name;
  array items;
  for (const auto& i : r.items) {
    items.push_back(object{{"category", i.category},
                           {"name", i.name},
                           {"quantity", i.quantity},
                           {"unit_fen", i.unit_fen},
                           {"amount_fen", i.amount_fen}});
  }
  o["items"] = std::move(items);
  o["insurance_fen"] = r.insurance_fen;
  o["channel"] = r.channel;
  array claims;
  for (const auto& c : r.claims) claims.push_back(ClaimJson(c));
  o["claims"] = std::move(claims);
  o["voided"] = VoidJson(r);
  o["replaces"] = r.replaces ? value(*r.replaces) : value(nullptr);
  o["document_hash"] = crypto::ToHex(r.document_hash);
  o["qr_text"] = qr_text ? value(*qr_text) : value(nullptr);
  return o;
}

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
constexpr std::string_view kKeysCacheKey = "#keys";

HttpResponse KeysResponse(std::string body) {
  HttpResponse resp = HttpResponse::Json(200, std::move(body));
  resp.WithHeader("Cache-Control", "no-store");
  resp.WithHeader("Access-Control-Allow-Origin", "*");
  return resp;
}

HttpResponse VerifyResponse(std::string body) {
  HttpResponse resp = HttpResponse::Json(200, std::move(body));
  resp.WithHeader("Cache-Control", "no-store");
  resp.WithHeader("Access-Control-Allow-Origin", "*");
  return resp;
}

}  // namespace

void AddReceiptRoutes(Router& router, ReceiptRoutesOptions opt) {
  receipt::ReceiptService& svc = *opt.service;
  ledger::LogReader& reader = *opt.reader;
  ledger::Sequencer& seq = *opt.sequencer;
  identity::IdentityService& ids = *opt.identity;
  const auto wait = opt.ledger_wait;
  auto answers = std::make_shared<VerifyCache>(opt.verify_cache_ttl);

  // Loads a receipt the caller may read: the payer (citizen), its issuer, staff and auditors.
  // Anyone else's receipt answers exactly as a missing one (404, the same message), so receipt
  // numbers cannot be probed (issue 15).
  auto load_readable = [&svc, &ids](const HttpRequest& req,
                                    const PathParams& p) -> Result<Receipt> {
    TB_ASSIGN_OR_RETURN(auto key, PathKey(p));
    TB_ASSIGN_OR_RETURN(Receipt r, svc.Get(key.first, key.second));
    const identity::Principal& who = *req.principal;
    bool readable = true;
    if (who.role == identity::Role::kCitizen) {
      TB_ASSIGN_OR_RETURN(identity::Account account, ids.GetAccount(who.account_id));
      readable = !account.subject_id.empty() &&
                 svc.options().subject_hash(account.subject_id) == r.payer_subject;
    } else if (who.role == identity::Role::kDepartmentSystem) {
      readable = r.issuer_account == who.account_id;
    }
    if (!readable) return Status::NotFound("receipt", receipt::ReceiptKey(key.first, key.second));
    return r;
  };

  router.Add(Route{
      "POST", "/api/v1/receipts", "issueReceipts",
      "Issue one receipt, or a batch {\"receipts\":[...]} of up to 1,000 (all or none); each "
      "becomes a ledger entry.",
      RouteAccess::Roles({"scope:receipt:issue"}),
      [&svc, &seq](const HttpRequest& req, const PathParams&) {
        boost::system::error_code ec;
        boost::json::parse_options po;
        po.max_depth = 16;
        // The DOM of a batch (~7,000 objects and strings) lives for this request only: a
        // monotonic arena makes building it cheap and freeing it one step (it cost as much as
        // parsing with the default allocator).
        boost::json::monotonic_resource arena;
        value body = boost::json::parse(req.body, ec, &arena, po);
        if (ec) {
          return Problem(Status::InvalidArgument("request body is not valid JSON: " + ec.message()), req);
        }
        if (!body.is_object()) {
          return Problem(Status::InvalidArgument("request body must be a JSON object"), req);
        }
        std::vector<receipt::NewReceipt> in;
        const object& o = body.as_object();
        const bool batch = o.contains("receipts");
        if (batch) {
          if (Status s = RejectUnknownFields(o, {"receipts"}, ""); !s.ok()) return Problem(s, req);
          const value& list = o.at("receipts");
          if (!list.is_array() || list.as_array().empty() || list.as_array().size() > kMaxBatch) {
            return Problem(Status::InvalidField("/receipts", "must be an array of 1-1000 receipts"), req);
          }
          for (size_t i = 0; i < list.as_array().size(); ++i) {
            auto r = ParseNewReceipt(list.as_array()[i], "/receipts/" + std::to_string(i));
            if (!r.ok()) return Problem(r.status(), req);
            in.push_back(std::move(r).value());
          }
        } else {
          auto r = ParseNewReceipt(body, "");
          if (!r.ok()) return Problem(r.status(), req);
          in.push_back(std::move(r).value());
        }
        auto issued = svc.Issue(req.principal->account_id, in, batch, seq.size());
        if (!issued.ok()) return Problem(issued.status(), req);
        if (!batch) return Json(201, FullJson(issued->front(), std::nullopt));
        array out;
        for (const Receipt& r : *issued) {
          out.push_back(object{{"code", r.code.str()},
                               {"number", r.number.ToString()},
                               {"check_code", r.check.str()},
                               {"total_fen", r.total_fen}});
        }
        return Json(201, object{{"count", issued->size()}, {"receipts", std::move(out)}});
      },
      "application/json", "application/json", /*idempotent=*/true});

  router.Add(Route{
      "GET", "/api/v1/receipts/verify", "verifyReceipt",
      "Public verification by ?code=&number=&check= or ?qr=<scanned TBR1 text>: status, claims, "
      "void, the ledger inclusion proof and the canonical document.",
      RouteAccess::Public(),
      [&svc, &reader, &seq, wait, answers, proofs = std::make_shared<InclusionProofCache>()](
          const HttpRequest& req, const PathParams&) {
        std::optional<receipt::ReceiptCode> code;
        std::optional<receipt::ReceiptNumber> number;
        std::optional<receipt::CheckCode> check;
        object out;
        if (auto qr = req.Query("qr")) {
          auto q = receipt::ParseQrText(*qr);
          if (!q.ok()) return Problem(q.status(), req);
          const std::string qr_text(*qr);
          if (!answers->QrVerified(qr_text)) {
            if (!svc.QrSignatureValid(q->payload, q->signature)) {
              return Json(200, object{{"status", "unknown"},
                                      {"reason", "the QR code's signature is not the finance "
                                                 "department's: not a receipt of this platform"}});
            }
            answers->AddVerifiedQr(qr_text);
          }
          code = q->code;
          number = q->number;
          check = q->check;
        } else {
          std::vector<FieldError> errors;
          auto c = receipt::ReceiptCode::Parse(req.Query("code").value_or(""), "code");
          auto n = receipt::ReceiptNumber::Parse(req.Query("number").value_or(""), "number");
          auto k = receipt::CheckCode::Parse(req.Query("check").value_or(""), "check");
          for (const Status& s : {c.status(), n.status(), k.status()}) {
            errors.insert(errors.end(), s.fields().begin(), s.fields().end());
          }
          if (!errors.empty()) {
            std::string msg = errors.front().field + ": " + errors.front().reason;
            return Problem(Status::InvalidArgument(std::move(msg), std::move(errors)), req);
          }
          code = *c;
          number = *n;
          check = *k;
        }
        // ?manifest=1 adds the batch manifest (up to ~85 KB) for offline verifiers.
        const std::string_view manifest_param = req.Query("manifest").value_or("0");
        if (manifest_param != "0" && manifest_param != "1") {
          return Problem(Status::InvalidField("manifest", "must be 0 or 1"), req);
        }
        const bool with_manifest = manifest_param == "1";
        const std::string cache_key = receipt::ReceiptKey(*code, *number) + (with_manifest ? "#manifest" : "");
        if (auto cached = answers->Get(cache_key, check->str())) return VerifyResponse(*cached);
        auto verification = receipt::VerifyReceipt(svc, reader, &seq, *code, *number, *check,
                                                   std::chrono::steady_clock::now() + wait);
        if (!verification.ok()) return Problem(verification.status(), req);
        if (verification->verdict == receipt::ReceiptVerdict::kUnknown) {
          // A wrong check code reads as unknown: it must not confirm that the number exists.
          return Json(200, object{{"status", "unknown"}});
        }
        const Receipt& r = *verification->receipt;
        const std::optional<uint64_t> leaf = verification->leaf;
        std::string status(receipt::VerdictName(verification->verdict));
        if (verification->verdict == receipt::ReceiptVerdict::kTampered) {
          out["problem"] = verification->problem;
        }
        out["status"] = status;
        out["receipt"] = object{{"code", r.code.str()},
                                {"number", r.number.ToString()},
                                {"issuer_name", r.issuer_name},
                                {"issue_time", Iso(r.issue_micros)},
                                {"total_fen", r.total_fen},
                                {"payer_name", receipt::MaskName(r.payer_name)}};
        array claims;
        for (const auto& c : r.claims) {
          if (c.reversed_micros) continue;
          claims.push_back(object{{"claimant", c.claimant},
                                  {"amount_fen", c.amount_fen},
                                  {"time", Iso(c.time_micros)}});
        }
        out["claims"] = std::move(claims);
        out["voided"] = VoidJson(r);
        out["ledger"] = nullptr;
        if (leaf) {
          if (auto proof = proofs->GetOrLoad(reader, *leaf); proof.ok()) {
            out["ledger"] = std::move(*proof);
          }
        }
        out["document"] = r.document ? value(*r.document) : value(nullptr);
        // What an offline verifier needs to check the two signatures (docs/receipt.md).
        object batch{{"issuer_signature", Base64Encode(r.issuer_signature)},
                     {"finance_signature", Base64Encode(r.finance_signature)},
                     {"issuer_key_id", r.issuer_key_id}};
        if (with_manifest) {
          auto manifest = svc.SignedManifest(r);
          if (!manifest.ok()) return Problem(manifest.status(), req);
          batch["manifest"] = *manifest ? value(**manifest) : value(nullptr);
        }
        out["batch"] = std::move(batch);
        std::string body = boost::json::serialize(out);
        answers->Put(cache_key, check->str(), body);
        return VerifyResponse(std::move(body));
      }});

  router.Add(Route{
      "GET", "/api/v1/receipts/keys", "receiptKeys",
      "The finance department's public key and every issuer's keys, current and retired "
      "(base64 of the raw key: SM2 the 65-byte uncompressed point, Ed25519 32 bytes), for "
      "checking batch manifests and QR texts offline.",
      RouteAccess::Public(), [&svc, answers](const HttpRequest& req, const PathParams&) {
        const std::string cache_key(kKeysCacheKey);
        if (auto cached = answers->Get(cache_key, "")) return KeysResponse(std::move(*cached));
        auto keys = svc.IssuerPublicKeys();
        if (!keys.ok()) return Problem(keys.status(), req);
        array issuers;
        for (const auto& k : *keys) {
          issuers.push_back(object{{"uscc", k.uscc},
                                   {"name", k.name},
                                   {"key_id", k.key_id},
                                   {"key", Base64Encode(k.public_raw)},
                                   {"current", k.current}});
        }
        std::string body = boost::json::serialize(
            object{{"algorithm", crypto::SignatureAlgorithmName(svc.finance_public_key().algorithm())},
                   {"finance", Base64Encode(svc.finance_public_key().raw())},
                   {"issuers", std::move(issuers)}});
        answers->Put(cache_key, "", body);
        return KeysResponse(std::move(body));
      }});

  router.Add(Route{
      "GET", "/api/v1/receipts/stats", "receiptStats",
      "Figures for the operator: receipts per issuer per day (?days=1-366, default 31), claims, "
      "voids, destructions and paper saved.",
      RouteAccess::Roles({"auditor", "admin", "scope:receipt:supervise"}),
      [&svc](const HttpRequest& req, const PathParams&) {
        int64_t days = 31;
        if (auto d = req.Query("days")) {
          auto [p, ec] = std::from_chars(d->data(), d->data() + d->size(), days);
          if (ec != std::errc() || p != d->data() + d->size() || days < 1 || days > 366) {
            return Problem(Status::InvalidField("days", "must be 1-366"), req);
          }
        }
        auto s = svc.Stats(static_cast<int>(days));
        if (!s.ok()) return Problem(s.status(), req);
        array per_day;
        for (const auto& d : s->per_issuer_day) {
          per_day.push_back(object{{"issuer_id", d.issuer_id},
                                   {"issuer_name", d.issuer_name},
                                   {"day", d.day},
                                   {"count", d.count},
                                   {"total_fen", d.total_fen}});
        }
        return Json(200, object{{"issued", s->issued},
                                {"issued_fen", s->issued_fen},
                                {"voided", s->voided},
                                {"destroyed", s->destroyed},
                                {"claims", s->claims},
                                {"claimed_fen", s->claimed_fen},
                                {"reversals", s->reversals},
                                {"paper_saved_grams", s->paper_saved_grams},
                                {"paper_grams_per_receipt", receipt::kPaperGramsPerReceipt},
                                {"per_issuer_day", std::move(per_day)}});
      }});

  // The supervising finance department's side (its system's API key with scope
  // receipt:supervise, or the platform admin): register a hospital system as an issuer, from its
  // own account (USCC, name, region), assign it number ranges, rotate its signing key.
  router.Add(Route{
      "POST", "/api/v1/receipts/issuers", "registerReceiptIssuer",
      "Register a department-system account (its id from GET /api/v1/me with its API key) as a "
      "receipt issuer, from the account's USCC, name and region.",
      RouteAccess::Roles({"admin", "scope:receipt:supervise"}),
      [&svc, &ids, answers](const HttpRequest& req, const PathParams&) {
        auto body = JsonBody::Parse(req.body, {"account_id"});
        if (!body.ok()) return Problem(body.status(), req);
        const object& o = body->object();
        auto id = Int(o, "account_id", "");
        if (!id.ok()) return Problem(id.status(), req);
        auto account = ids.GetAccount(*id);
        if (!account.ok()) {
          return Problem(account.status().code() == ErrorCode::kNotFound
                             ? Status::InvalidField("/account_id", "no such account")
                             : account.status(),
                         req);
        }
        if (account->role != identity::Role::kDepartmentSystem) {
          return Problem(Status::InvalidField("/account_id", "is not a department-system account"), req);
        }
        auto issuer = svc.RegisterIssuer(account->id, account->subject_id, account->display_name,
                                         account->region_code);
        if (!issuer.ok()) return Problem(issuer.status(), req);
        answers->Invalidate(std::string(kKeysCacheKey));  // the new issuer's key is published
        // Its signing key, made in the same transaction: the id under which GET
        // /api/v1/receipts/keys publishes it.
        value key_id = nullptr;
        if (auto keys = svc.IssuerPublicKeys(); keys.ok()) {
          for (const auto& k : *keys) {
            if (k.issuer_id == issuer->id && k.current) key_id = value(k.key_id);
          }
        }
        return Json(201, object{{"id", issuer->id},
                                {"account_id", issuer->account_id},
                                {"uscc", issuer->uscc},
                                {"name", issuer->name},
                                {"region_code", issuer->region_code},
                                {"key_id", std::move(key_id)}});
      },
      "application/json", "application/json", /*idempotent=*/true});
  router.Add(Route{
      "POST", "/api/v1/receipts/issuers/{id}/keys/rotate", "rotateReceiptIssuerKey",
      "Give an issuer a new current signing key; its previous keys stay published (retired) in "
      "GET /api/v1/receipts/keys, so the batches they signed still verify.",
      RouteAccess::Roles({"admin", "scope:receipt:supervise"}),
      [&svc, answers](const HttpRequest& req, const PathParams& p) {
        auto issuer = PositiveInt(p.at("id"), "id", "must be an issuer id");
        if (!issuer.ok()) return Problem(issuer.status(), req);
        // No body, or an empty JSON object: nothing to choose.
        if (!req.body.empty()) {
          auto body = JsonBody::Parse(req.body, {});
          if (!body.ok()) return Problem(body.status(), req);
        }
        auto key = svc.RotateIssuerKey(*issuer);
        if (!key.ok()) return Problem(key.status(), req);
        answers->Invalidate(std::string(kKeysCacheKey));
        return Json(201, object{{"issuer_id", key->issuer_id},
                                {"uscc", key->uscc},
                                {"name", key->name},
                                {"key_id", key->key_id},
                                {"key", Base64Encode(key->public_raw)},
                                {"current", key->current},
                                {"created", Iso(key->created_micros)}});
      },
      "application/json", "application/json", /*idempotent=*/true});
  router.Add(Route{
      "POST", "/api/v1/receipts/issuers/{id}/ranges", "assignReceiptRange",
      "Assign an issuer the numbers first_number..last_number of a receipt code (never "
      "overlapping any assigned range of that code).",
      RouteAccess::Roles({"admin", "scope:receipt:supervise"}),
      [&svc](const HttpRequest& req, const PathParams& p) {
        auto issuer = PositiveInt(p.at("id"), "id", "must be an issuer id");
        if (!issuer.ok()) return Problem(issuer.status(), req);
        auto body = JsonBody::Parse(req.body, {"code", "first_number", "last_number"});
        if (!body.ok()) return Problem(body.status(), req);
        const object& o = body->object();
        auto code = Str(o, "code", "", true, 16);
        if (!code.ok()) return Problem(code.status(), req);
        auto first = Int(o, "first_number", "");
        if (!first.ok()) return Problem(first.status(), req);
        auto last = Int(o, "last_number", "");
        if (!last.ok()) return Problem(last.status(), req);
        auto range = svc.AssignRange(*issuer, *code, *first, *last);
        if (!range.ok()) return Problem(range.status(), req);
        return Json(201, object{{"id", range->id},
                                {"issuer_id", range->issuer_id},
                                {"code", range->code},
                                {"first_number", range->first},
                                {"last_number", range->last},
                                {"next_number", range->next}});
      },
      "application/json", "application/json", /*idempotent=*/true});

  const RouteAccess readers =
      RouteAccess::Roles({"citizen", "staff", "auditor", "scope:receipt:issue"});
  router.Add(Route{"GET", "/api/v1/receipts/{code}/{number}", "getReceipt",
                   "A receipt in full: items, totals in fen, status, claims, check code, QR text. For its "
                   "payer, its issuing system, staff and auditors; 404 for anyone else, as for a "
                   "missing receipt.",
                   readers, [&svc, load_readable](const HttpRequest& req, const PathParams& p) {
                     auto r = load_readable(req, p);
                     if (!r.ok()) return Problem(r.status(), req);
                     std::optional<std::string> qr;
                     if (r->status != ReceiptStatus::kDestroyed) {
                       auto q = svc.QrText(*r);
                       if (!q.ok()) return Problem(q.status(), req);
                       qr = *q;
                     }
                     return Json(200, FullJson(*r, qr));
                   }});
  router.Add(Route{"GET", "/api/v1/receipts/{code}/{number}/qr.svg", "getReceiptQr",
                   "The receipt's QR code (TBR1 text, signed by the finance department) as SVG; readers "
                   "and 404 as for the receipt.",
                   readers,
                   [&svc, load_readable](const HttpRequest& req, const PathParams& p) {
                     auto r = load_readable(req, p);
                     if (!r.ok()) return Problem(r.status(), req);
                     if (r->status == ReceiptStatus::kDestroyed) {
                       return Problem(Status::FailedPrecondition("the receipt was destroyed"), req);
                     }
                     auto q = svc.QrText(*r);
                     if (!q.ok()) return Problem(q.status(), req);
                     auto qr = qr::RenderQrSvg(*q);
                     if (!qr.ok()) return Problem(qr.status(), req);
                     HttpResponse resp = HttpResponse::Text(200, std::move(qr->svg), "image/svg+xml");
                     resp.WithHeader("Cache-Control", "private, max-age=3600");
                     return resp;
                   },
                   "image/svg+xml"});

  router.Add(Route{"GET", "/api/v1/receipts/{code}/{number}/print", "printReceipt",
                   "The receipt as a printable page (HTML, Chinese), with its QR code; readers and 404 "
                   "as for the receipt.",
                   readers,
                   [&svc, load_readable](const HttpRequest& req, const PathParams& p) {
                     auto r = load_readable(req, p);
                     if (!r.ok()) return Problem(r.status(), req);
                     std::string svg;
                     if (r->status != ReceiptStatus::kDestroyed) {
                       auto q = svc.QrText(*r);
                       if (!q.ok()) return Problem(q.status(), req);
                       auto s = qr::RenderQrSvg(*q);
                       if (!s.ok()) return Problem(s.status(), req);
                       svg = std::move(s->svg);
                     }
                     HttpResponse resp = HttpResponse::Text(200, RenderReceiptPage(*r, svg),
                                                            "text/html; charset=utf-8");
                     resp.WithHeader("Cache-Control", "private, no-store");
                     return resp;
                   },
                   "text/html"});

  router.Add(Route{
      "GET", "/api/v1/me/receipts", "listMyReceipts",
      "The caller's receipts (as payer), newest first; ?cursor= from next_cursor.",
      RouteAccess::Roles({"citizen"}), [&svc, &ids](const HttpRequest& req, const PathParams&) {
        std::optional<int64_t> cursor;
        if (auto c = req.Query("cursor")) {
          auto v = PositiveInt(*c, "cursor", "is not a cursor from next_cursor");
          if (!v.ok()) return Problem(v.status(), req);
          cursor = *v;
        }
        auto account = ids.GetAccount(req.principal->account_id);
        if (!account.ok()) return Problem(account.status(), req);
        if (account->subject_id.empty()) return Json(200, object{{"items", array()}, {"next_cursor", nullptr}});
        auto page = svc.ListForPayer(svc.options().subject_hash(account->subject_id), cursor, 20);
        if (!page.ok()) return Problem(page.status(), req);
        array items;
        for (const Receipt& r : page->items) items.push_back(SummaryJson(r));
        return Json(200, object{{"items", std::move(items)},
                                {"next_cursor", page->next_cursor
                                                    ? value(std::to_string(*page->next_cursor))
                                                    : value(nullptr)}});
      }});

  router.Add(Route{
      "POST", "/api/v1/receipts/{code}/{number}/claims", "claimReceipt",
      "Claim (reimburse) an amount of a receipt, exactly once: claims of several payers add up to "
      "the total at most; beyond it 409 naming the earlier claims.",
      RouteAccess::Roles({"scope:receipt:reimburse"}),
      [&svc, &ids, answers](const HttpRequest& req, const PathParams& p) {
        auto key = PathKey(p);
        if (!key.ok()) return Problem(key.status(), req);
        auto body = JsonBody::Parse(req.body, {"amount_fen", "reference"});
        if (!body.ok()) return Problem(body.status(), req);
        const object& o = body->object();
        auto amount = Int(o, "amount_fen", "");
        if (!amount.ok()) return Problem(amount.status(), req);
        auto reference = Str(o, "reference", "", false, 64);
        if (!reference.ok()) return Problem(reference.status(), req);
        auto account = ids.GetAccount(req.principal->account_id);
        if (!account.ok()) return Problem(account.status(), req);
        auto claim = svc.AddClaim(key->first, key->second, account->id, account->display_name,
                                  *amount, *reference);
        answers->Invalidate(receipt::ReceiptKey(key->first, key->second));
        if (!claim.ok()) return Problem(claim.status(), req);
        object out = ClaimJson(*claim);
        out["receipt"] = object{{"code", key->first.str()}, {"number", key->second.ToString()}};
        return Json(201, out);
      },
      "application/json", "application/json", /*idempotent=*/true});

  router.Add(Route{
      "POST", "/api/v1/receipts/{code}/{number}/claims/{id}/reversal", "reverseReceiptClaim",
      "Reverse the caller's own claim (recorded on the ledger); the amount can be claimed again. "
      "404 for another claimant's claim, as for a missing one.",
      RouteAccess::Roles({"scope:receipt:reimburse"}),
      [&svc, answers](const HttpRequest& req, const PathParams& p) {
        auto key = PathKey(p);
        if (!key.ok()) return Problem(key.status(), req);
        auto id = PositiveInt(p.at("id"), "id", "must be a claim id");
        if (!id.ok()) return Problem(id.status(), req);
        auto claim = svc.ReverseClaim(key->first, key->second, *id, req.principal->account_id);
        answers->Invalidate(receipt::ReceiptKey(key->first, key->second));
        if (!claim.ok()) return Problem(claim.status(), req);
        return Json(200, ClaimJson(*claim));
      },
      "application/json", "application/json", /*idempotent=*/true});

  router.Add(Route{
      "POST", "/api/v1/receipts/{code}/{number}/void", "voidReceipt",
      "Void (红冲) the issuer's receipt with a reason, optionally issuing a linked replacement; "
      "refused while a claim stands. 404 for another issuer's receipt, as for a missing one.",
      RouteAccess::Roles({"scope:receipt:issue"}),
      [&svc, &seq, answers](const HttpRequest& req, const PathParams& p) {
        auto key = PathKey(p);
        if (!key.ok()) return Problem(key.status(), req);
        auto body = JsonBody::Parse(req.body, {"reason", "replacement"});
        if (!body.ok()) return Problem(body.status(), req);
        const object& o = body->object();
        auto reason = Str(o, "reason", "", true, 200);
        if (!reason.ok()) return Problem(reason.status(), req);
        std::optional<receipt::NewReceipt> replacement;
        if (auto it = o.find("replacement"); it != o.end() && !it->value().is_null()) {
          auto r = ParseNewReceipt(it->value(), "/replacement");
          if (!r.ok()) return Problem(r.status(), req);
          replacement = std::move(r).value();
        }
        auto v = svc.Void(key->first, key->second, req.principal->account_id, *reason, replacement,
                          seq.size());
        answers->Invalidate(receipt::ReceiptKey(key->first, key->second));
        if (!v.ok()) return Problem(v.status(), req);
        return Json(200, object{{"voided", FullJson(v->voided, std::nullopt)},
                                {"replacement", v->replacement
                                                    ? value(FullJson(*v->replacement, std::nullopt))
                                                    : value(nullptr)}});
      },
      "application/json", "application/json", /*idempotent=*/true});
}

}  // namespace tongban::api
