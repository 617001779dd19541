// Authentication endpoints and the one authorisation decision; see auth_handlers.h.
#include "identity/part/auth_handlers.h"

#include <algorithm>
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/problem.h"
#include "core/mask.h"
#include "identity/part/attorney_routes.h"

namespace tongban::api {
namespace {

HttpResponse TokenResponse(const identity::TokenPair& pair) {
  boost::json::object o{{"access_token", pair.access_token},
                        {"refresh_token", pair.refresh_token},
                        {"token_type", "Bearer"},
                        {"expires_in", pair.expires_in}};
  HttpResponse r = HttpResponse::Json(200, boost::json::serialize(o));
  r.WithHeader("Cache-Control", "no-store");
  return r;
}

}  // namespace

Status Authorise(const identity::Principal& principal, const RouteAccess& access) {
  if (access.is_public) return Status::Ok();
  std::string_view role = identity::RoleName(principal.role);
  for (const std::string& allowed : access.roles) {
    if (allowed == "any" || allowed == role) return Status::Ok();
    if (allowed.starts_with("scope:") && principal.HasScope(std::string_view(allowed).substr(6))) {
      return Status::Ok();
    }
  }
  return Status::PermissionDenied("role " + std::string(role) +
                                  " may not call this endpoint");
}

Authoriser MakeAuthoriser(identity::IdentityService& identity, identity::AttorneyService* attorneys) {
  return [&identity, attorneys](HttpRequest& request, const Route& route) -> Status {
    if (route.access.is_public) return Status::Ok();
    auto header = request.Header("authorization");
    TB_ASSIGN_OR_RETURN(identity::Principal p, identity.Authenticate(header ? *header : ""));
    if (auto act_for = request.Header("x-act-for")) {
      // Acting for another: checked against the database on every request (attorney_routes.h).
      TB_ASSIGN_OR_RETURN(p, ActFor(attorneys, std::move(p), *act_for, route));
    }
    TB_RETURN_IF_ERROR(Authorise(p, route.access));
    request.principal = std::move(p);
    return Status::Ok();
  };
}

void AddAuthRoutes(Router& router, identity::IdentityService& identity) {
  router.AddSchema("TokenPair", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["access_token", "refresh_token", "token_type", "expires_in"],
    "properties": {
      "access_token": {"type": "string", "description": "Bearer token for Authorization"},
      "refresh_token": {"type": "string", "description": "For POST /api/v1/auth/refresh, once"},
      "token_type": {"const": "Bearer"},
      "expires_in": {"type": "integer", "description": "Seconds the access token lives"}
    },
    "examples": [{"access_token": "tbs1.eyJ...", "refresh_token": "tbr1.f3a9...",
                  "token_type": "Bearer", "expires_in": 900}]
  })json");
  router.Add(Route{
      "POST", "/api/v1/auth/login", "login",
      "Log in with a login name and password; returns a bearer token and a refresh token. After "
      "repeated failures an account backs off (429 with Retry-After); 503 when too many password "
      "checks are waiting.",
      RouteAccess::Public(), [&identity](const HttpRequest& req, const PathParams&) {
        auto body = JsonBody::Parse(req.body, {"login", "password"});
        if (!body.ok()) return ProblemResponse(body.status(), req.request_id);
        auto login = body->RequiredString("login", 64);
        if (!login.ok()) return ProblemResponse(login.status(), req.request_id);
        auto password = body->RequiredString("password", 256);
        if (!password.ok()) return ProblemResponse(password.status(), req.request_id);
        auto pair = identity.Login(*login, *password);
        if (pair.status().code() == ErrorCode::kResourceExhausted) {
          // Back-off of this account after failed logins: say when to come back.
          int64_t wait = identity.login_guard().RetryAfterSeconds(*login);
          return ProblemResponse(pair.status(), req.request_id,
                                 static_cast<int>(std::max<int64_t>(wait, 1)));
        }
        if (!pair.ok()) return ProblemResponse(pair.status(), req.request_id);
        return TokenResponse(*pair);
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["login", "password"],
        "properties": {"login": {"type": "string", "maxLength": 64, "examples": ["13800000001"]},
                       "password": {"type": "string", "maxLength": 256}}
      })json")
      .Answers(R"json({"$ref": "#/components/schemas/TokenPair"})json");
  router.Add(Route{"POST", "/api/v1/auth/refresh", "refreshToken",
                   "Exchange a refresh token for a new token pair (the old one stops working).",
                   RouteAccess::Public(), [&identity](const HttpRequest& req, const PathParams&) {
                     auto body = JsonBody::Parse(req.body, {"refresh_token"});
                     if (!body.ok()) return ProblemResponse(body.status(), req.request_id);
                     auto token = body->RequiredString("refresh_token", 128);
                     if (!token.ok()) return ProblemResponse(token.status(), req.request_id);
                     auto pair = identity.Refresh(*token);
                     if (!pair.ok()) return ProblemResponse(pair.status(), req.request_id);
                     return TokenResponse(*pair);
                   }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["refresh_token"],
        "properties": {"refresh_token": {"type": "string", "maxLength": 128}}
      })json")
      .Answers(R"json({"$ref": "#/components/schemas/TokenPair"})json");
  router.Add(Route{"POST", "/api/v1/auth/logout", "logout",
                   "Revoke the current session (its access and refresh tokens).",
                   RouteAccess::Roles({"citizen", "enterprise", "staff", "auditor", "admin"}),
                   [&identity](const HttpRequest& req, const PathParams&) {
                     if (req.principal->session_id == 0) {
                       return ProblemResponse(
                           Status::FailedPrecondition("API keys have no session to log out"),
                           req.request_id);
                     }
                     TB_RETURN_IF_PROBLEM(identity.Logout(req.principal->session_id), req);
                     return HttpResponse::Json(200, R"json({"logged_out":true})json");
                   }})
      .Answers(R"json({"type": "object", "required": ["logged_out"],
                   "properties": {"logged_out": {"const": true}}})json");
  router.Add(Route{"GET", "/api/v1/auth/session", "getSession",
                   "What the presented credential says (account, role, scopes, expiry); answered "
                   "from the token alone, without a database read.",
                   RouteAccess::Roles({"any"}), [](const HttpRequest& req, const PathParams&) {
                     // Hot path (every client polls it): written directly, no JSON DOM. Scopes
                     // are [a-z:_] (validated at key creation), so they need no escaping.
                     const identity::Principal& p = *req.principal;
                     std::string body = "{\"account_id\":" + std::to_string(p.account_id) +
                                        ",\"role\":\"" + std::string(identity::RoleName(p.role)) +
                                        "\",\"session_id\":" + std::to_string(p.session_id) +
                                        ",\"scopes\":[";
                     for (size_t i = 0; i < p.scopes.size(); ++i) {
                       if (i > 0) body += ',';
                       body += '"' + p.scopes[i] + '"';
                     }
                     body += ']';
                     if (p.expires_at != 0) body += ",\"expires_at\":" + std::to_string(p.expires_at);
                     body += '}';
                     HttpResponse r = HttpResponse::Json(200, std::move(body));
                     r.WithHeader("Cache-Control", "no-store");
                     return r;
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["account_id", "role", "session_id", "scopes"],
        "properties": {
          "account_id": {"type": "integer"},
          "role": {"enum": ["citizen", "enterprise", "staff", "auditor", "admin", "department_system"]},
          "session_id": {"type": "integer", "description": "0 for an API key"},
          "scopes": {"type": "array", "items": {"type": "string"}},
          "expires_at": {"type": "integer", "description": "Unix seconds (sessions only)"}
        }
      })json");
  router.Add(Route{
      "GET", "/api/v1/me", "getMe", "The calling account (subject ID masked).",
      RouteAccess::Roles({"any"}), [&identity](const HttpRequest& req, const PathParams&) {
        auto account = identity.GetAccount(req.principal->account_id);
        if (!account.ok()) return ProblemResponse(account.status(), req.request_id);
        boost::json::array scopes;
        for (const auto& s : req.principal->scopes) scopes.push_back(boost::json::string(s));
        boost::json::object o{{"id", account->id},
                              {"login", account->login},
                              {"role", identity::RoleName(account->role)},
                              {"display_name", account->display_name},
                              {"subject_id_masked", account->subject_id.empty()
                                                        ? std::string()
                                                        : MaskIdentifier(account->subject_id)},
                              {"department", account->department},
                              {"region_code", account->region_code},
                              {"scopes", std::move(scopes)}};
        return HttpResponse::Json(200, boost::json::serialize(o));
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["id", "login", "role", "display_name", "subject_id_masked", "department",
                     "region_code", "scopes"],
        "properties": {
          "id": {"type": "integer"}, "login": {"type": "string"},
          "role": {"enum": ["citizen", "enterprise", "staff", "auditor", "admin", "department_system"]},
          "display_name": {"type": "string", "examples": ["张伟"]},
          "subject_id_masked": {"type": "string", "description": "Citizen ID / USCC, masked; empty for none",
                                "examples": ["3301**********2135"]},
          "department": {"type": "string"}, "region_code": {"type": "string"},
          "scopes": {"type": "array", "items": {"type": "string"}}
        }
      })json");
}

}  // namespace tongban::api
