// The receipt routes' shared pieces; see receipt_routes.h.
#include "receipt/part/receipt_routes.h"

#include <cassert>
#include <charconv>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "core/clock.h"
#include "receipt/verification.h"

namespace tongban::api::receipt_routes {

HttpResponse Problem(const Status& s, const HttpRequest& req) {
  return ProblemResponse(s, req.request_id);
}

HttpResponse Json(int status, const value& v, std::string_view cache) {
  return JsonAnswer(status, v, cache);
}

std::string Iso(int64_t micros) { return FormatIso8601Utc(FromUnixMicros(micros)); }

// --- request parsing ------------------------------------------------------------------------

// The body readers of api/json_body.h with the receipt routes' conventions: an optional string
// reads as "", an optional integer as 0.
Result<std::string> Str(const object& o, std::string_view key, const std::string& prefix,
                        bool required, size_t max) {
  TB_ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalStringField(o, key, prefix, max));
  if (v) return std::move(*v);
  if (required) return Status::InvalidField(prefix + "/" + std::string(key), "is required");
  return std::string();
}

Result<int64_t> PositiveInt(std::string_view text, std::string_view field,
                            std::string_view reason) {
  return PositiveIntParam(text, field, reason);
}

Result<int64_t> Int(const object& o, std::string_view key, const std::string& prefix,
                    bool required) {
  if (!required && !o.contains(key)) return int64_t{0};
  return RequiredIntField(o, key, prefix);
}

Result<receipt::NewReceipt> ParseNewReceipt(const value& v, const std::string& prefix) {
  if (!v.is_object())
    return Status::InvalidField(prefix.empty() ? "/" : prefix, "must be an object");
  const object& o = v.as_object();
  TB_RETURN_IF_ERROR(
      RejectUnknownFields(o,
                          {"code", "number", "kind", "payer_id_number", "payer_name", "items",
                           "total_fen", "insurance_fen", "self_fen", "channel"},
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
  return object{{"code", r.code.str()},         {"number", r.number.ToString()},
                {"check_code", r.check.str()},  {"kind", receipt::ReceiptKindName(r.kind)},
                {"issuer_name", r.issuer_name}, {"issue_time", Iso(r.issue_micros)},
                {"total_fen", r.total_fen},     {"self_fen", r.self_fen},
                {"claimed_fen", r.claimed_fen}, {"status", StatusName(r)}};
}

object FullJson(const Receipt& r, const std::optional<std::string>& qr_text) {
  object o = SummaryJson(r);
  o["issuer"] =
      object{{"name", r.issuer_name}, {"uscc", r.issuer_uscc}, {"region_code", r.issuer_region}};
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

// --- contract -------------------------------------------------------------------------------
namespace {

// One line of a receipt, as submitted and as answered (the rules are checked at issue).
constexpr std::string_view kItemSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["category", "name", "quantity", "unit_fen", "amount_fen"],
  "description": "One line of a receipt; amount_fen = quantity × unit_fen.",
  "properties": {
    "category": {"type": "string", "minLength": 1, "maxLength": 32,
                 "pattern": "^[^|\\u0000-\\u001f\\u007f]+$",
                 "description": "项目类别: 1-32 bytes (UTF-8), no '|' or control characters",
                 "examples": ["西药费"]},
    "name": {"type": "string", "minLength": 1, "maxLength": 128,
             "pattern": "^[^|\\u0000-\\u001f\\u007f]+$",
             "description": "项目名称: 1-128 bytes (UTF-8), no '|' or control characters",
             "examples": ["阿莫西林胶囊 0.25g×24粒"]},
    "quantity": {"type": "integer", "minimum": 1, "description": "Whole units", "examples": [2]},
    "unit_fen": {"type": "integer", "minimum": 1, "description": "Unit price in fen (1/100 yuan)",
                 "examples": [1850]},
    "amount_fen": {"type": "integer", "minimum": 1, "description": "quantity × unit_fen, in fen",
                   "examples": [3700]}
  }
})json";

// What an issuing system submits (receipt::NewReceipt); also a void's replacement.
constexpr std::string_view kNewReceiptSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["payer_id_number", "payer_name", "items", "total_fen", "channel"],
  "description": "A receipt to issue. Amounts are integer fen: total_fen is the sum of the items' amount_fen and equals insurance_fen + self_fen.",
  "properties": {
    "code": {"type": ["string", "null"], "pattern": "^[0-9]{2}040[12][0-9]{2}$",
             "description": "票据代码 of one of the issuer's number ranges; default: the first range with numbers left for the kind",
             "examples": ["33040126"]},
    "number": {"type": ["string", "null"], "pattern": "^[0-9]{10}$",
               "description": "票据号码: if given, the range's next number (numbers leave no gaps); default: that number",
               "examples": ["0000000001"]},
    "kind": {"enum": ["outpatient", "inpatient", null],
             "description": "门诊 or 住院; default: the code's kind, else outpatient"},
    "payer_id_number": {"type": "string", "maxLength": 32,
                        "description": "The payer's citizen ID number (GB 11643); never stored, only its keyed hash, by which the payer's wallet finds the receipt",
                        "examples": ["330106198503122138"]},
    "payer_name": {"type": "string", "minLength": 1, "maxLength": 64,
                   "description": "1-64 bytes (UTF-8); shown masked (张*) in public verification",
                   "examples": ["张伟"]},
    "items": {"type": "array", "minItems": 1, "maxItems": 200,
              "items": {"$ref": "#/components/schemas/ReceiptItem"}},
    "total_fen": {"type": "integer", "minimum": 1, "examples": [7200]},
    "insurance_fen": {"type": "integer", "minimum": 0, "default": 0,
                      "description": "医保统筹支付, in fen", "examples": [4320]},
    "self_fen": {"type": "integer", "minimum": 0,
                 "description": "个人支付, in fen; default: total_fen - insurance_fen",
                 "examples": [2880]},
    "channel": {"enum": ["cash", "bank_card", "wechat", "alipay", "medical_insurance", "other"],
                "description": "支付渠道", "examples": ["medical_insurance"]}
  }
})json";

// A claim against a receipt (ClaimJson).
constexpr std::string_view kClaimSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["id", "claimant", "amount_fen", "time", "reference", "reversed"],
  "description": "A reimbursement claim of an amount of a receipt.",
  "properties": {
    "id": {"type": "integer", "minimum": 1, "examples": [1]},
    "claimant": {"type": "string", "description": "The claiming organisation's name",
                 "examples": ["杭州市医疗保障局"]},
    "amount_fen": {"type": "integer", "minimum": 1, "examples": [4320]},
    "time": {"type": "string", "format": "date-time", "examples": ["2026-11-18T11:06:40Z"]},
    "reference": {"type": "string", "maxLength": 64,
                  "description": "The claimant's own reference (case number); empty when none was given",
                  "examples": ["YB-2026-0001"]},
    "reversed": {"type": ["string", "null"], "format": "date-time",
                 "description": "When the claim was reversed; null while it stands"}
  }
})json";

// A void (红冲): VoidJson when the receipt was voided.
constexpr std::string_view kVoidSchema = R"json({
  "type": "object", "additionalProperties": false, "required": ["reason", "time", "replacement"],
  "description": "The receipt's void (红冲).",
  "properties": {
    "reason": {"type": "string", "examples": ["部分退药"]},
    "time": {"type": "string", "format": "date-time", "examples": ["2026-11-18T11:06:40Z"]},
    "replacement": {"type": ["string", "null"], "pattern": "^[0-9]{8}/[0-9]{10}$",
                    "description": "code/number of the receipt issued in its place, if any",
                    "examples": ["33040126/0000000002"]}
  }
})json";

// SummaryJson: a receipt in a list.
constexpr std::string_view kSummarySchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["code", "number", "check_code", "kind", "issuer_name", "issue_time", "total_fen",
               "self_fen", "claimed_fen", "status"],
  "description": "A receipt in brief. Amounts are integer fen (1/100 yuan).",
  "properties": {
    "code": {"type": "string", "pattern": "^[0-9]{2}040[12][0-9]{2}$",
             "description": "票据代码: province (2 digits), class 04 (medical charges), kind 01 outpatient / 02 inpatient, year (2 digits)",
             "examples": ["33040126"]},
    "number": {"type": "string", "pattern": "^[0-9]{10}$", "description": "票据号码",
               "examples": ["0000000001"]},
    "check_code": {"type": "string", "pattern": "^[0-9A-HJ-NP-Z]{6}$",
                   "description": "校验码, printed on the receipt: with code and number it opens public verification",
                   "examples": ["WVKPFZ"]},
    "kind": {"enum": ["outpatient", "inpatient"]},
    "issuer_name": {"type": "string", "examples": ["杭州市示范第一医院"]},
    "issue_time": {"type": "string", "format": "date-time", "examples": ["2026-11-18T11:06:40Z"]},
    "total_fen": {"type": "integer", "examples": [7200]},
    "self_fen": {"type": "integer", "description": "个人支付", "examples": [2880]},
    "claimed_fen": {"type": "integer", "description": "The sum of the standing (unreversed) claims",
                    "examples": [0]},
    "status": {"enum": ["authentic", "partially_reimbursed", "reimbursed", "voided", "destroyed"],
               "description": "The receipt's standing: voided (红冲) and destroyed (核销, the document deleted after retention) first, then by the claimed amount"}
  }
})json";

// FullJson adds these to the summary.
constexpr std::string_view kFullExtra = R"json({
  "description": "A receipt in full. Amounts are integer fen (1/100 yuan).",
  "required": ["issuer", "payer_name", "items", "insurance_fen", "channel", "claims", "voided",
               "replaces", "document_hash", "qr_text"],
  "properties": {
    "issuer": {
      "type": "object", "additionalProperties": false, "required": ["name", "uscc", "region_code"],
      "properties": {
        "name": {"type": "string", "examples": ["杭州市示范第一医院"]},
        "uscc": {"type": "string", "pattern": "^[0-9A-Z]{18}$",
                 "description": "统一社会信用代码", "examples": ["12330100H000001192"]},
        "region_code": {"type": "string", "pattern": "^[0-9]{6}$", "examples": ["330100"]}
      }
    },
    "payer_name": {"type": "string", "description": "Empty once the document was destroyed",
                   "examples": ["张伟"]},
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/ReceiptItem"},
              "description": "Empty once the document was destroyed"},
    "insurance_fen": {"type": "integer", "description": "医保统筹支付", "examples": [4320]},
    "channel": {"enum": ["cash", "bank_card", "wechat", "alipay", "medical_insurance", "other"],
                "description": "支付渠道"},
    "claims": {"type": "array", "items": {"$ref": "#/components/schemas/ReceiptClaim"},
               "description": "Every claim, reversed ones too, oldest first"},
    "voided": {"anyOf": [{"$ref": "#/components/schemas/ReceiptVoid"}, {"type": "null"}]},
    "replaces": {"type": ["string", "null"], "pattern": "^[0-9]{8}/[0-9]{10}$",
                 "description": "code/number of the voided receipt this one replaces"},
    "document_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                      "description": "Hash of the canonical document (hex), the one on the ledger"},
    "qr_text": {"type": ["string", "null"],
                "description": "The QR code's text (TBR1, signed by the finance department); null in the answers of issuing and voiding, and once the document was destroyed",
                "examples": ["TBR1:..."]}
  }
})json";

// Public verification (GET /api/v1/receipts/verify).
constexpr std::string_view kVerificationSchema = R"json({
  "description": "A public verification: unknown (not a receipt of this platform, or a wrong check code, which must not confirm that the number exists), or the receipt's standing with what an offline verifier needs.",
  "oneOf": [
    {
      "type": "object", "additionalProperties": false, "required": ["status"],
      "properties": {
        "status": {"const": "unknown"},
        "reason": {"type": "string",
                   "description": "Why, when a scanned QR text's signature is not the finance department's"}
      }
    },
    {
      "type": "object", "additionalProperties": false,
      "required": ["status", "receipt", "claims", "voided", "ledger", "document", "batch"],
      "properties": {
        "status": {"enum": ["authentic", "partially_reimbursed", "reimbursed", "voided",
                            "destroyed", "tampered"],
                   "examples": ["authentic"]},
        "problem": {"type": "string", "description": "tampered only: what does not match",
                    "examples": ["the stored receipt does not match its signed document"]},
        "receipt": {
          "type": "object", "additionalProperties": false,
          "required": ["code", "number", "issuer_name", "issue_time", "total_fen", "payer_name"],
          "properties": {
            "code": {"type": "string", "pattern": "^[0-9]{2}040[12][0-9]{2}$",
                     "examples": ["33040126"]},
            "number": {"type": "string", "pattern": "^[0-9]{10}$", "examples": ["0000000001"]},
            "issuer_name": {"type": "string", "examples": ["杭州市示范第一医院"]},
            "issue_time": {"type": "string", "format": "date-time",
                           "examples": ["2026-11-18T11:06:40Z"]},
            "total_fen": {"type": "integer", "examples": [7200]},
            "payer_name": {"type": "string",
                           "description": "Masked (the surname and *); empty once the document was destroyed",
                           "examples": ["张*"]}
          }
        },
        "claims": {
          "type": "array", "description": "The standing (unreversed) claims, oldest first",
          "items": {
            "type": "object", "additionalProperties": false,
            "required": ["claimant", "amount_fen", "time"],
            "properties": {
              "claimant": {"type": "string", "examples": ["杭州市医疗保障局"]},
              "amount_fen": {"type": "integer", "examples": [4320]},
              "time": {"type": "string", "format": "date-time"}
            }
          }
        },
        "voided": {"anyOf": [{"$ref": "#/components/schemas/ReceiptVoid"}, {"type": "null"}]},
        "ledger": {
          "description": "The inclusion proof of the receipt's ledger entry (receipt.issue) with the entry and the signed checkpoint of tree_size: a complete offline proof; null while the entry is not yet in a checkpoint",
          "anyOf": [
            {
              "type": "object", "additionalProperties": false,
              "required": ["index", "tree_size", "leaf_hash", "hashes"],
              "properties": {
                "index": {"type": "integer", "minimum": 0},
                "tree_size": {"type": "integer", "minimum": 1},
                "leaf_hash": {"type": "string", "contentEncoding": "base64"},
                "hashes": {"type": "array", "items": {"type": "string", "contentEncoding": "base64"}},
                "entry": {"type": "string", "contentEncoding": "base64"},
                "checkpoint": {"type": "string", "description": "The signed checkpoint (C2SP signed note)"}
              }
            },
            {"type": "null"}
          ]
        },
        "document": {"type": ["string", "null"],
                     "description": "The canonical document (docs/receipt.md); null once destroyed"},
        "batch": {
          "type": "object", "additionalProperties": false,
          "required": ["issuer_signature", "finance_signature", "issuer_key_id"],
          "description": "The signatures over the receipt's batch manifest, for offline verifiers",
          "properties": {
            "issuer_signature": {"type": "string", "contentEncoding": "base64"},
            "finance_signature": {"type": "string", "contentEncoding": "base64"},
            "issuer_key_id": {"type": "string",
                              "description": "The issuer key that signed the batch (GET /api/v1/receipts/keys)",
                              "examples": ["c1e2b0d8e05bf28a"]},
            "manifest": {"type": ["string", "null"],
                         "description": "With ?manifest=1: the batch manifest the signatures cover; null when they do not verify"}
          }
        }
      }
    }
  ]
})json";

}  // namespace

void AddReceiptSchemas(Router& router) {
  router.AddSchema("ReceiptItem", std::string(kItemSchema));
  router.AddSchema("NewReceipt", std::string(kNewReceiptSchema));
  router.AddSchema("ReceiptClaim", std::string(kClaimSchema));
  router.AddSchema("ReceiptVoid", std::string(kVoidSchema));
  router.AddSchema("ReceiptSummary", std::string(kSummarySchema));
  router.AddSchema("Receipt", ExtendObjectSchema(kSummarySchema, kFullExtra));
  router.AddSchema("ReceiptVerification", std::string(kVerificationSchema));
}

std::string ExtendObjectSchema(std::string_view base, std::string_view extra) {
  boost::system::error_code ec;
  value b = boost::json::parse(base, ec);
  assert(!ec && b.is_object());
  value e = boost::json::parse(extra, ec);
  assert(!ec && e.is_object());
  if (!b.is_object() || !e.is_object()) return std::string();
  object& out = b.as_object();
  for (const auto& [key, v] : e.as_object()) {
    if (key == "properties" && v.is_object()) {
      value& existing = out["properties"];
      if (!existing.is_object()) existing.emplace_object();
      object& props = existing.as_object();
      for (const auto& [name, p] : v.as_object()) props[name] = p;
    } else if (key == "required" && v.is_array()) {
      value& existing = out["required"];
      if (!existing.is_array()) existing.emplace_array();
      array& required = existing.as_array();
      for (const auto& name : v.as_array()) required.push_back(name);
    } else {
      out[key] = v;
    }
  }
  return boost::json::serialize(out);
}

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

}  // namespace tongban::api::receipt_routes
