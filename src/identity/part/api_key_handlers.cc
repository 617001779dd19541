// API-key management endpoints; see api_key_handlers.h.
#include "identity/part/api_key_handlers.h"

#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "core/clock.h"

namespace tongban::api {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

object KeyJson(const identity::ApiKeyInfo& k) {
  array scopes;
  for (const auto& s : k.scopes) scopes.emplace_back(s);
  return object{{"key_id", k.key_id},
                {"account", k.account_login},
                {"scopes", std::move(scopes)},
                {"label", k.label},
                {"created_at", IsoSeconds(k.created_at)},
                {"expires_at", IsoSeconds(k.expires_at)},
                {"revoked_at", IsoSeconds(k.revoked_at)},
                {"active", k.active}};
}

// The keys of one account (0: every account), as a list answer.
HttpResponse KeyList(identity::IdentityService& identity, int64_t account_id,
                     const HttpRequest& req) {
  auto keys = identity.ListApiKeys(account_id);
  if (!keys.ok()) return ProblemResponse(keys.status(), req.request_id);
  array items;
  for (const auto& k : *keys) items.push_back(KeyJson(k));
  return JsonAnswer(200, object{{"items", std::move(items)}});
}

// A key id as it appears in a path: 12 lower-case hex characters.
Result<std::string> KeyId(std::string_view s) {
  if (s.size() != 12 || s.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return Status::NotFound("API key", s.substr(0, 12));
  }
  return std::string(s);
}

// The new key's answer: the secret, once.
HttpResponse CreatedKey(identity::IdentityService& identity, const std::string& key,
                        const HttpRequest& req) {
  auto info = identity.GetApiKey(std::string_view(key).substr(4, 12));
  if (!info.ok()) return ProblemResponse(info.status(), req.request_id);
  object o = KeyJson(*info);
  o["api_key"] = key;
  o["note"] = "the key is shown only now: store it in the system's secret store";
  return JsonAnswer(201, o);
}

Result<int64_t> OverlapSeconds(const JsonBody& body) {
  if (!body.object().contains("overlap_s")) return int64_t{86400};
  return body.RequiredInt("overlap_s");
}

}  // namespace

void AddApiKeyRoutes(Router& router, identity::IdentityService& identity) {
  const RouteAccess kAdmin = RouteAccess::Roles({"admin"});
  const RouteAccess kSystem = RouteAccess::Roles({"department_system"});
  router.AddSchema("ApiKey", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["key_id", "account", "scopes", "label", "created_at", "expires_at", "revoked_at", "active"],
    "properties": {
      "key_id": {"type": "string", "pattern": "^[0-9a-f]{12}$"},
      "account": {"type": "string", "description": "The department system's login"},
      "scopes": {"type": "array", "items": {"type": "string"}, "examples": [["receipt:issue"]]},
      "label": {"type": "string"},
      "created_at": {"type": ["string", "null"], "format": "date-time"},
      "expires_at": {"type": ["string", "null"], "format": "date-time"},
      "revoked_at": {"type": ["string", "null"], "format": "date-time"},
      "active": {"type": "boolean"},
      "api_key": {"type": "string", "description": "The new key (tbk_...), in this answer only"},
      "note": {"type": "string"}
    }
  })json");
  router.AddSchema("ApiKeyList", R"json({
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ApiKey"}}}
  })json");
  const std::string kKeyList = R"json({"$ref": "#/components/schemas/ApiKeyList"})json";
  const std::string kCreatedKey = R"json({"allOf": [{"$ref": "#/components/schemas/ApiKey"},
                                                 {"required": ["api_key"]}]})json";
  const std::string kOverlap = R"json({
    "type": "object", "additionalProperties": false,
    "properties": {"overlap_s": {"type": "integer", "minimum": 0, "maximum": 604800, "default": 86400}}
  })json";

  router.Add(Route{
      "GET", "/api/v1/admin/api-keys", "listApiKeys",
      "Every department system's API keys (?account=LOGIN for one), newest first; never secrets.",
      kAdmin, [&identity](const HttpRequest& req, const PathParams&) {
        int64_t account_id = 0;
        if (auto login = req.Query("account"); login && !login->empty()) {
          TB_ASSIGN_OR_PROBLEM(identity::Account a, identity.FindAccount(*login), req);
          account_id = a.id;
        }
        return KeyList(identity, account_id, req);
      }})
      .Answers(kKeyList);
  router.Add(Route{
      "POST", "/api/v1/admin/api-keys", "createApiKey",
      "Create an API key for a department system: {account, scopes[], label}. The key is in the "
      "answer, once.",
      kAdmin,
      [&identity](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body,
                             JsonBody::Parse(req.body, {"account", "scopes", "label"}), req);
        TB_ASSIGN_OR_PROBLEM(std::string login, body.RequiredString("account", 64), req);
        TB_ASSIGN_OR_PROBLEM(std::string label, body.RequiredString("label", 200), req);
        const value* list = body.object().if_contains("scopes");
        if (list == nullptr || !list->is_array() || list->as_array().empty() ||
            list->as_array().size() > 20) {
          return ProblemResponse(Status::InvalidField("/scopes", "must be an array of 1-20 scopes"),
                                 req.request_id);
        }
        std::vector<std::string> scopes;
        for (size_t i = 0; i < list->as_array().size(); ++i) {
          const value& v = list->as_array()[i];
          if (!v.is_string()) {
            return ProblemResponse(
                Status::InvalidField("/scopes/" + std::to_string(i), "must be a string"),
                req.request_id);
          }
          scopes.emplace_back(v.as_string());
        }
        TB_ASSIGN_OR_PROBLEM(identity::Account account, identity.FindAccount(login), req);
        if (account.role != identity::Role::kDepartmentSystem) {
          return ProblemResponse(
              Status::InvalidField("/account", "is not a department system account"),
              req.request_id);
        }
        TB_ASSIGN_OR_PROBLEM(std::string key, identity.CreateApiKey(account.id, scopes, label),
                             req);
        return CreatedKey(identity, key, req);
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["account", "scopes", "label"],
        "properties": {
          "account": {"type": "string", "maxLength": 64, "examples": ["hospital-hz-demo"]},
          "scopes": {"type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "string"},
                     "examples": [["receipt:issue"]]},
          "label": {"type": "string", "maxLength": 200}
        }
      })json")
      .Answers(kCreatedKey, 201);
  router.Add(Route{
      "POST", "/api/v1/admin/api-keys/{key_id}/rotate", "rotateApiKey",
      "Replace a key: a new key with the same scopes; the old one keeps working for "
      "{overlap_s} seconds (default 86400, at most 7 days), then stops.",
      kAdmin, [&identity](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(std::string key_id, KeyId(p.at("key_id")), req);
        TB_ASSIGN_OR_PROBLEM(
            JsonBody body, JsonBody::Parse(req.body.empty() ? "{}" : req.body, {"overlap_s"}), req);
        TB_ASSIGN_OR_PROBLEM(int64_t overlap, OverlapSeconds(body), req);
        TB_ASSIGN_OR_PROBLEM(std::string key, identity.RotateApiKey(key_id, overlap), req);
        return CreatedKey(identity, key, req);
      }})
      .Accepts(kOverlap, Route::Body::kOptional)
      .Answers(kCreatedKey, 201);
  router.Add(Route{
      "POST", "/api/v1/admin/api-keys/{key_id}/revoke", "revokeApiKey",
      "Revoke a key: refused at once on this node, within auth.api_key_cache_s on the others.",
      kAdmin, [&identity](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(std::string key_id, KeyId(p.at("key_id")), req);
        TB_RETURN_IF_PROBLEM(identity.RevokeApiKey(key_id), req);
        TB_ASSIGN_OR_PROBLEM(identity::ApiKeyInfo info, identity.GetApiKey(key_id), req);
        return JsonAnswer(200, KeyJson(info));
      }})
      .Answers(R"json({"$ref": "#/components/schemas/ApiKey"})json");
  router.Add(Route{"GET", "/api/v1/me/api-keys", "listMyApiKeys",
                   "The calling department system's own API keys; never secrets.", kSystem,
                   [&identity](const HttpRequest& req, const PathParams&) {
                     return KeyList(identity, req.principal->account_id, req);
                   }})
      .Answers(kKeyList);
  router.Add(Route{
      "POST", "/api/v1/me/api-keys/rotate", "rotateMyApiKey",
      "Rotate the key this request is made with: the answer holds the new key (once); the "
      "calling key keeps working for {overlap_s} seconds (default 86400), then stops.",
      kSystem, [&identity](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(
            JsonBody body, JsonBody::Parse(req.body.empty() ? "{}" : req.body, {"overlap_s"}), req);
        TB_ASSIGN_OR_PROBLEM(int64_t overlap, OverlapSeconds(body), req);
        if (req.principal->api_key_id.empty()) {
          return ProblemResponse(Status::FailedPrecondition("only an API key can rotate itself"),
                                 req.request_id);
        }
        TB_ASSIGN_OR_PROBLEM(std::string key,
                             identity.RotateApiKey(req.principal->api_key_id, overlap), req);
        return CreatedKey(identity, key, req);
      }})
      .Accepts(kOverlap, Route::Body::kOptional)
      .Answers(kCreatedKey, 201);
}

}  // namespace tongban::api
