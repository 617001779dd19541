// Claims (reimbursement exactly once), their reversal, and voids (红冲); see receipt_routes.h.
#include <memory>

#include "api/json_body.h"
#include "receipt/part/receipt_routes.h"
#include "receipt/receipt_document.h"

namespace tongban::api::receipt_routes {

void AddClaimRoutes(Router& router, const Context& ctx) {
  receipt::ReceiptService& svc = ctx.svc;
  ledger::Sequencer& seq = ctx.seq;
  identity::IdentityService& ids = ctx.ids;
  const std::shared_ptr<VerifyCache>& answers = ctx.answers;
  AddReceiptSchemas(router);
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
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["amount_fen"],
        "properties": {
          "amount_fen": {"type": "integer", "minimum": 1,
                         "description": "The amount reimbursed, in fen", "examples": [4320]},
          "reference": {"type": ["string", "null"], "maxLength": 64,
                        "description": "The claimant's own reference (case number), at most 64 bytes",
                        "examples": ["YB-2026-0001"]}
        }
      })json")
      .Answers(ExtendObjectSchema(router.schemas().at("ReceiptClaim"), R"json({
        "description": "The claim, and the receipt it is of.",
        "required": ["receipt"],
        "properties": {
          "receipt": {
            "type": "object", "additionalProperties": false, "required": ["code", "number"],
            "properties": {
              "code": {"type": "string", "pattern": "^[0-9]{2}040[12][0-9]{2}$",
                       "examples": ["33040126"]},
              "number": {"type": "string", "pattern": "^[0-9]{10}$", "examples": ["0000000001"]}
            }
          }
        }
      })json"),
               201);

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
      "application/json", "application/json", /*idempotent=*/true})
      .Answers(R"json({"$ref": "#/components/schemas/ReceiptClaim"})json");

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
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["reason"],
        "properties": {
          "reason": {"type": "string", "maxLength": 200, "description": "红冲原因, at most 200 bytes",
                     "examples": ["部分退药"]},
          "replacement": {
            "description": "A receipt issued in the voided one's place, linked to it",
            "anyOf": [{"$ref": "#/components/schemas/NewReceipt"}, {"type": "null"}]
          }
        }
      })json")
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["voided", "replacement"],
        "properties": {
          "voided": {"$ref": "#/components/schemas/Receipt"},
          "replacement": {"anyOf": [{"$ref": "#/components/schemas/Receipt"}, {"type": "null"}]}
        }
      })json");
}

}  // namespace tongban::api::receipt_routes
