// The receipt routes' shared pieces; see receipt_routes.h.
#include "receipt/part/receipt_routes.h"

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
