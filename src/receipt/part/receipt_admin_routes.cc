// The finance department's and the operator's receipt routes: figures, issuers, keys, ranges; see
// receipt_routes.h.
#include <charconv>
#include <memory>

#include "api/json_body.h"
#include "receipt/part/receipt_routes.h"
#include "core/base64.h"

namespace tongban::api::receipt_routes {

void AddAdminRoutes(Router& router, const Context& ctx) {
  receipt::ReceiptService& svc = ctx.svc;
  identity::IdentityService& ids = ctx.ids;
  const std::shared_ptr<VerifyCache>& answers = ctx.answers;
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
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["issued", "issued_fen", "voided", "destroyed", "claims", "claimed_fen",
                     "reversals", "paper_saved_grams", "paper_grams_per_receipt", "per_issuer_day"],
        "description": "All-time figures, and receipts per issuer per day over the last ?days.",
        "properties": {
          "issued": {"type": "integer", "minimum": 0,
                     "description": "Every receipt ever issued, voided and destroyed ones included"},
          "issued_fen": {"type": "integer", "minimum": 0},
          "voided": {"type": "integer", "minimum": 0},
          "destroyed": {"type": "integer", "minimum": 0},
          "claims": {"type": "integer", "minimum": 0, "description": "Standing claims"},
          "claimed_fen": {"type": "integer", "minimum": 0},
          "reversals": {"type": "integer", "minimum": 0},
          "paper_saved_grams": {"type": "integer", "minimum": 0,
                                "description": "issued × paper_grams_per_receipt"},
          "paper_grams_per_receipt": {"type": "integer", "examples": [6]},
          "per_issuer_day": {
            "type": "array", "description": "Newest day first",
            "items": {
              "type": "object", "additionalProperties": false,
              "required": ["issuer_id", "issuer_name", "day", "count", "total_fen"],
              "properties": {
                "issuer_id": {"type": "integer"},
                "issuer_name": {"type": "string", "examples": ["杭州市示范第一医院"]},
                "day": {"type": "string", "format": "date", "description": "China time",
                        "examples": ["2026-11-18"]},
                "count": {"type": "integer", "minimum": 0},
                "total_fen": {"type": "integer", "minimum": 0}
              }
            }
          }
        }
      })json");

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
          return Problem(Status::InvalidField("/account_id", "is not a department-system account"),
                         req);
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
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["account_id"],
        "properties": {
          "account_id": {"type": "integer", "minimum": 1,
                         "description": "The department-system account (GET /api/v1/me with its API key)",
                         "examples": [12]}
        }
      })json")
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["id", "account_id", "uscc", "name", "region_code", "key_id"],
        "properties": {
          "id": {"type": "integer", "description": "The issuer id of the issuer routes",
                 "examples": [4]},
          "account_id": {"type": "integer", "examples": [12]},
          "uscc": {"type": "string", "description": "统一社会信用代码, from the account",
                   "examples": ["12330100H000001192"]},
          "name": {"type": "string", "examples": ["杭州市示范第一医院"]},
          "region_code": {"type": "string", "pattern": "^[0-9]{6}$", "examples": ["330100"]},
          "key_id": {"type": ["string", "null"], "pattern": "^[0-9a-f]{16}$",
                     "description": "Its current signing key, as GET /api/v1/receipts/keys publishes it",
                     "examples": ["57b09f0f29a81d1f"]}
        }
      })json",
               201);
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
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "maxProperties": 0,
        "description": "Nothing to choose: no body, or {}."
      })json", Route::Body::kOptional)
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["issuer_id", "uscc", "name", "key_id", "key", "current", "created"],
        "properties": {
          "issuer_id": {"type": "integer", "examples": [2]},
          "uscc": {"type": "string", "examples": ["12330100H000001192"]},
          "name": {"type": "string", "examples": ["杭州市示范第一医院"]},
          "key_id": {"type": "string", "pattern": "^[0-9a-f]{16}$", "examples": ["8437def1446e3fe6"]},
          "key": {"type": "string", "contentEncoding": "base64",
                  "description": "The new public key, raw (SM2: the 65-byte uncompressed point; Ed25519: 32 bytes)"},
          "current": {"type": "boolean", "const": true},
          "created": {"type": "string", "format": "date-time", "examples": ["2026-11-18T11:06:40Z"]}
        }
      })json",
               201);
  router.Add(
      Route{"POST", "/api/v1/receipts/issuers/{id}/ranges", "assignReceiptRange",
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
            "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["code", "first_number", "last_number"],
        "description": "1 <= first_number <= last_number <= 9999999999.",
        "properties": {
          "code": {"type": "string", "pattern": "^[0-9]{2}040[12][0-9]{2}$",
                   "description": "票据代码: province, class 04, kind 01 outpatient / 02 inpatient, year",
                   "examples": ["33040126"]},
          "first_number": {"type": "integer", "minimum": 1, "maximum": 9999999999,
                           "examples": [500001]},
          "last_number": {"type": "integer", "minimum": 1, "maximum": 9999999999,
                          "examples": [600000]}
        }
      })json")
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["id", "issuer_id", "code", "first_number", "last_number", "next_number"],
        "properties": {
          "id": {"type": "integer", "examples": [4]},
          "issuer_id": {"type": "integer", "examples": [4]},
          "code": {"type": "string", "pattern": "^[0-9]{2}040[12][0-9]{2}$",
                   "examples": ["33040126"]},
          "first_number": {"type": "integer", "examples": [500001]},
          "last_number": {"type": "integer", "examples": [600000]},
          "next_number": {"type": "integer", "description": "The next number to issue",
                          "examples": [500001]}
        }
      })json",
               201);
}

}  // namespace tongban::api::receipt_routes
