// Public verification of a receipt and the published keys; see receipt_routes.h.
#include <memory>

#include "ledger/part/proof_cache.h"
#include "receipt/part/receipt_routes.h"
#include "core/base64.h"
#include "crypto/signature.h"
#include "receipt/receipt_document.h"
#include "receipt/verification.h"

namespace tongban::api::receipt_routes {

void AddVerifyRoutes(Router& router, const Context& ctx) {
  receipt::ReceiptService& svc = ctx.svc;
  ledger::LogReader& reader = ctx.reader;
  ledger::Sequencer& seq = ctx.seq;
  const auto wait = ctx.wait;
  const std::shared_ptr<VerifyCache>& answers = ctx.answers;
  AddReceiptSchemas(router);
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
                                      {"reason",
                                       "the QR code's signature is not the finance "
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
        const std::string cache_key =
            receipt::ReceiptKey(*code, *number) + (with_manifest ? "#manifest" : "");
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
        out["receipt"] =
            object{{"code", r.code.str()},         {"number", r.number.ToString()},
                   {"issuer_name", r.issuer_name}, {"issue_time", Iso(r.issue_micros)},
                   {"total_fen", r.total_fen},     {"payer_name", receipt::MaskName(r.payer_name)}};
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
      }})
      .Answers(R"json({"$ref": "#/components/schemas/ReceiptVerification"})json");

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
        std::string body = boost::json::serialize(object{
            {"algorithm", crypto::SignatureAlgorithmName(svc.finance_public_key().algorithm())},
            {"finance", Base64Encode(svc.finance_public_key().raw())},
            {"issuers", std::move(issuers)}});
        answers->Put(cache_key, "", body);
        return KeysResponse(std::move(body));
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["algorithm", "finance", "issuers"],
        "properties": {
          "algorithm": {"enum": ["sm2", "ed25519", "es256"],
                        "description": "The signature algorithm of every key here (the deployment's suite)",
                        "examples": ["sm2"]},
          "finance": {"type": "string", "contentEncoding": "base64",
                      "description": "The finance department's public key: it signs batch manifests and QR texts"},
          "issuers": {
            "type": "array",
            "items": {
              "type": "object", "additionalProperties": false,
              "required": ["uscc", "name", "key_id", "key", "current"],
              "properties": {
                "uscc": {"type": "string", "examples": ["12330100H000001192"]},
                "name": {"type": "string", "examples": ["杭州市示范第一医院"]},
                "key_id": {"type": "string", "pattern": "^[0-9a-f]{16}$",
                           "description": "Hex of the first 8 bytes of SHA-256 of the raw key; a batch names it as issuer_key_id",
                           "examples": ["c1e2b0d8e05bf28a"]},
                "key": {"type": "string", "contentEncoding": "base64"},
                "current": {"type": "boolean",
                            "description": "false: retired, kept so the batches it signed still verify"}
              }
            }
          }
        }
      })json");
}

}  // namespace tongban::api::receipt_routes
