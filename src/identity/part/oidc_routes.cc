// The province-login (OIDC) routes and config; see oidc_routes.h.
#include "identity/part/oidc_routes.h"

#include <boost/json.hpp>
#include <fstream>
#include <iterator>

#include "api/json_body.h"
#include "api/problem.h"

namespace tongban::identity {
namespace {

using api::HttpRequest;
using api::HttpResponse;
using api::PathParams;
using api::Route;
using api::RouteAccess;

bool WantsProblem(const HttpRequest& req) {
  auto accept = req.Header("accept");
  return accept && accept->find("application/problem+json") != std::string_view::npos;
}

HttpResponse Redirect(const std::string& location) {
  HttpResponse r = HttpResponse::Text(302, "");
  r.WithHeader("Location", location);
  r.WithHeader("Cache-Control", "no-store");
  r.WithHeader("Referrer-Policy", "no-referrer");
  return r;
}

// A failure of a browser step: back to the portal with a short code (never the detail, which
// the problem answer carries for clients that ask for it).
HttpResponse Failure(const HttpRequest& req, const Status& status, const OidcConfig& config) {
  if (WantsProblem(req)) return api::ProblemResponse(status, req.request_id);
  std::string code = status.code() == ErrorCode::kNotFound      ? std::string("unknown_provider")
                     : status.code() == ErrorCode::kUnavailable ? std::string("provider_unavailable")
                                                                : OidcErrorCode(status);
  return Redirect(config.portal_path + "#oidc_error=" + code);
}

// The browser binding of a login (OidcLogins::Start): an HttpOnly cookie sent back only to this
// provider's callback; SameSite=Lax, since the provider's redirect is a top-level GET from
// another site. Secure when the redirect URI is https.
constexpr std::string_view kBindingCookie = "tb_oidc";

std::string BindingCookie(const OidcProviderConfig& p, std::string_view value, int max_age) {
  std::string c = std::string(kBindingCookie) + "=" + std::string(value) +
                  "; Path=/api/v1/auth/oidc/" + p.name + "/callback; Max-Age=" +
                  std::to_string(max_age) + "; HttpOnly; SameSite=Lax";
  if (p.redirect_uri.starts_with("https://")) c += "; Secure";
  return c;
}

// The binding cookie's value in the request, "" when absent.
std::string BindingOf(const HttpRequest& req) {
  auto header = req.Header("cookie");
  if (!header) return "";
  std::string_view h = *header;
  while (!h.empty()) {
    size_t semi = h.find(';');
    std::string_view part = h.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with(kBindingCookie) && part.size() > kBindingCookie.size() &&
        part[kBindingCookie.size()] == '=') {
      return std::string(part.substr(kBindingCookie.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    h.remove_prefix(semi + 1);
  }
  return "";
}

const OidcProviderConfig* ProviderNamed(OidcLogins& logins, std::string_view name) {
  for (const OidcProviderConfig& p : logins.providers()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// The provider's own error answer (RFC 6749 §4.1.2.1), kept to [a-z_] for the portal.
std::string ProviderError(std::string_view e) {
  std::string out;
  for (char c : e.substr(0, 40)) {
    if ((c >= 'a' && c <= 'z') || c == '_') out += c;
  }
  return out.empty() ? "provider_error" : out;
}

}  // namespace

Status ReadOidcConfig(part::ConfigSection& s, OidcConfig& out) {
  out.providers.clear();
  TB_RETURN_IF_ERROR(s.Read("oidc_portal_path", out.portal_path));
  if (!out.portal_path.starts_with("/") || out.portal_path.starts_with("//")) {
    return Status::InvalidField(s.Field("oidc_portal_path"), "must be a path on this site (/...)");
  }
  TB_ASSIGN_OR_RETURN(std::vector<part::ConfigSection> tables, s.ReadTables("oidc_providers"));
  for (part::ConfigSection& t : tables) {
    OidcProviderConfig p;
    TB_RETURN_IF_ERROR(t.Read("name", p.name));
    TB_RETURN_IF_ERROR(t.Read("issuer", p.issuer));
    TB_RETURN_IF_ERROR(t.Read("client_id", p.client_id));
    TB_RETURN_IF_ERROR(t.Read("client_secret", p.client_secret));
    TB_RETURN_IF_ERROR(t.Read("client_secret_file", p.client_secret_file));
    TB_RETURN_IF_ERROR(t.ReadOneOf("token_auth", p.token_auth,
                                   {"client_secret_basic", "client_secret_post"}));
    TB_RETURN_IF_ERROR(t.Read("redirect_uri", p.redirect_uri));
    TB_RETURN_IF_ERROR(t.Read("scopes", p.scopes));
    TB_RETURN_IF_ERROR(t.Read("subject_claim", p.subject_claim));
    TB_RETURN_IF_ERROR(t.Read("display_name_zh", p.display_name_zh));
    TB_RETURN_IF_ERROR(t.Read("display_name_en", p.display_name_en));
    TB_RETURN_IF_ERROR(t.Read("post_logout_redirect_uri", p.post_logout_redirect_uri));
    TB_RETURN_IF_ERROR(t.Finish());
    TB_RETURN_IF_ERROR(p.Validate(t.name()));
    for (const OidcProviderConfig& other : out.providers) {
      if (other.name == p.name) {
        return Status::InvalidField(t.Field("name"), "another provider has this name");
      }
    }
    out.providers.push_back(std::move(p));
  }
  return Status::Ok();
}

Status ResolveOidcSecrets(OidcConfig& config,
                          const std::function<std::filesystem::path(const std::string&)>& resolve) {
  for (size_t i = 0; i < config.providers.size(); ++i) {
    OidcProviderConfig& p = config.providers[i];
    if (p.client_secret_file.empty()) continue;
    std::ifstream in(resolve(p.client_secret_file));
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) {
      secret.pop_back();
    }
    if (!in && !in.eof()) secret.clear();
    if (secret.empty()) {
      return Status::InvalidField(
          "auth.oidc_providers[" + std::to_string(i) + "].client_secret_file",
          "cannot be read or is empty");
    }
    p.client_secret = std::move(secret);
  }
  return Status::Ok();
}

void AddOidcMetrics(api::Metrics& metrics, OidcLogins& logins) {
  OidcLogins* l = &logins;
  metrics.AddGauge("tongban_oidc_logins_started_total",
                   "Province logins (OIDC) sent to a provider.",
                   [l] { return double(l->counts().started); });
  metrics.AddGauge("tongban_oidc_logins_completed_total",
                   "Province logins (OIDC) completed: sessions started.",
                   [l] { return double(l->counts().completed); });
  metrics.AddGauge("tongban_oidc_logins_refused_total",
                   "Province-login callbacks refused (state, code, ID token or subject).",
                   [l] { return double(l->counts().refused); });
}

std::string OidcDefaultConfig() {
  return R"(oidc_portal_path = "/portal"  # where a province login returns the browser
# The province's OpenID provider (统一身份认证); several [[auth.oidc_providers]] allowed, none by
# default (the login page then shows no province button). docs/auth.md explains each field.
# [[auth.oidc_providers]]
# name = "zjzw"
# issuer = "http://127.0.0.1:9000"
# client_id = "tongban"
# client_secret_file = "keys/oidc-zjzw.secret"   # or client_secret = "..." (one of them)
# token_auth = "client_secret_basic"   # or client_secret_post
# redirect_uri = "http://127.0.0.1:8080/api/v1/auth/oidc/zjzw/callback"
# scopes = ["openid", "profile"]
# subject_claim = "citizen_id"        # the claim holding the citizen ID number or USCC
# display_name_zh = "浙江政务服务网统一身份认证"
# display_name_en = "Zhejiang government services ID"
# post_logout_redirect_uri = "http://127.0.0.1:8080/portal"
)";
}

void AddOidcRoutes(api::Router& router, OidcLogins& logins, const OidcConfig& config) {
  router.Add(Route{
      "GET", "/api/v1/auth/providers", "listIdentityProviders",
      "The province identity providers (统一身份认证) this deployment accepts, for the login page.",
      RouteAccess::Public(), [&logins](const HttpRequest&, const PathParams&) {
        boost::json::array list;
        for (const OidcProviderConfig& p : logins.providers()) {
          list.push_back(boost::json::object{
              {"name", p.name},
              {"display_name_zh", p.display_name_zh},
              {"display_name_en", p.display_name_en},
              {"start_url", "/api/v1/auth/oidc/" + p.name + "/start"}});
        }
        return HttpResponse::Json(
            200, boost::json::serialize(boost::json::object{{"providers", std::move(list)}}));
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["providers"],
        "properties": {"providers": {"type": "array", "items": {
          "type": "object", "additionalProperties": false,
          "required": ["name", "display_name_zh", "display_name_en", "start_url"],
          "properties": {
            "name": {"type": "string", "examples": ["zjzw"]},
            "display_name_zh": {"type": "string", "examples": ["浙江政务服务网统一身份认证"]},
            "display_name_en": {"type": "string"},
            "start_url": {"type": "string", "examples": ["/api/v1/auth/oidc/zjzw/start"]}}}}}
      })json");

  Route start{"GET", "/api/v1/auth/oidc/{provider}/start", "startProviderLogin",
              "Start a login at the province identity provider: 302 to its authorization "
              "endpoint (authorization code with PKCE S256, state and nonce kept here).",
              RouteAccess::Public(),
              [&logins, &config](const HttpRequest& req, const PathParams& params) {
                auto start = logins.Start(params.at("provider"));
                if (!start.ok()) return Failure(req, start.status(), config);
                HttpResponse r = Redirect(start->url);
                r.WithHeader("Set-Cookie", BindingCookie(*ProviderNamed(logins, params.at("provider")),
                                                         start->binding, 600));
                return r;
              }};
  start.response_type = "text/plain";
  router.Add(std::move(start)).Blocks().Answers("", 302);

  Route callback{
      "GET", "/api/v1/auth/oidc/{provider}/callback", "finishProviderLogin",
      "Where the provider returns the browser (?code&state): the code is redeemed and the ID "
      "token checked; 302 to the portal with a single-use login ticket in the fragment "
      "(#oidc_ticket=...) or an error code (#oidc_error=...). With Accept: "
      "application/problem+json a refusal is answered as a problem.",
      RouteAccess::Public(), [&logins, &config](const HttpRequest& req, const PathParams& params) {
        if (auto error = req.Query("error")) {
          Status s = Status::Unauthenticated(ProviderError(*error) +
                                             ": the identity provider did not log you in");
          return Failure(req, s, config);
        }
        // RFC 9207: a provider that names itself in the answer must be the one we sent the
        // browser to (a mix-up attack sends another provider's code here).
        if (auto iss = req.Query("iss")) {
          for (const OidcProviderConfig& p : logins.providers()) {
            if (p.name == params.at("provider") && p.issuer != *iss) {
              return Failure(req, Status::Unauthenticated(
                                      "bad_issuer: the answer comes from another identity provider"),
                             config);
            }
          }
        }
        auto ticket = logins.Callback(params.at("provider"), req.Query("code").value_or(""),
                                      req.Query("state").value_or(""), BindingOf(req));
        HttpResponse r = !ticket.ok() ? Failure(req, ticket.status(), config)
                                      : Redirect(config.portal_path + "#oidc_ticket=" +
                                                 ticket->ticket);
        if (const OidcProviderConfig* p = ProviderNamed(logins, params.at("provider"))) {
          r.WithHeader("Set-Cookie", BindingCookie(*p, "", 0));  // used once
        }
        return r;
      }};
  callback.response_type = "text/plain";
  router.Add(std::move(callback)).Blocks().Answers("", 302);

  router.Add(Route{
      "POST", "/api/v1/auth/oidc/ticket", "redeemLoginTicket",
      "Exchange the single-use login ticket of a province login (valid 60 s) for a token pair, "
      "as /api/v1/auth/login answers, with the provider's assurance level (acr).",
      RouteAccess::Public(), [&logins](const HttpRequest& req, const PathParams&) {
        auto body = api::JsonBody::Parse(req.body, {"ticket"});
        if (!body.ok()) return api::ProblemResponse(body.status(), req.request_id);
        auto ticket = body->RequiredString("ticket", 64);
        if (!ticket.ok()) return api::ProblemResponse(ticket.status(), req.request_id);
        auto session = logins.RedeemTicket(*ticket);
        if (!session.ok()) return api::ProblemResponse(session.status(), req.request_id);
        boost::json::object o{{"access_token", session->tokens.access_token},
                              {"refresh_token", session->tokens.refresh_token},
                              {"token_type", "Bearer"},
                              {"expires_in", session->tokens.expires_in},
                              {"acr", session->acr},
                              {"provider", session->provider}};
        HttpResponse r = HttpResponse::Json(200, boost::json::serialize(o));
        r.WithHeader("Cache-Control", "no-store");
        return r;
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["ticket"],
        "properties": {"ticket": {"type": "string", "maxLength": 64, "examples": ["tbo_3q2..."]}}
      })json")
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["access_token", "refresh_token", "token_type", "expires_in", "acr", "provider"],
        "properties": {
          "access_token": {"type": "string"}, "refresh_token": {"type": "string"},
          "token_type": {"const": "Bearer"}, "expires_in": {"type": "integer"},
          "acr": {"type": "string", "description": "The provider's assurance level; empty when it sent none"},
          "provider": {"type": "string", "examples": ["zjzw"]}}
      })json");

  router.Add(Route{
      "POST", "/api/v1/auth/oidc/logout", "logoutWithProvider",
      "Revoke the current session and get the provider's end-session URL (RP-initiated logout; "
      "empty when the session did not come from a province login).",
      RouteAccess::Roles({"citizen", "enterprise", "staff", "auditor", "admin"}),
      [&logins](const HttpRequest& req, const PathParams&) {
        if (req.principal->session_id == 0) {
          return api::ProblemResponse(
              Status::FailedPrecondition("API keys have no session to log out"), req.request_id);
        }
        auto url = logins.Logout(req.principal->session_id);
        if (!url.ok()) return api::ProblemResponse(url.status(), req.request_id);
        HttpResponse r = HttpResponse::Json(
            200, boost::json::serialize(
                     boost::json::object{{"logged_out", true}, {"end_session_url", *url}}));
        r.WithHeader("Cache-Control", "no-store");
        return r;
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["logged_out", "end_session_url"],
        "properties": {"logged_out": {"const": true},
                       "end_session_url": {"type": "string", "description": "Send the browser here; empty for none"}}
      })json");
}

}  // namespace tongban::identity
