// One-time codes and my sessions over HTTP; see account_routes.h.
#include "identity/part/account_routes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "crypto/hmac.h"
#include "notify/outbox.h"

namespace tongban::identity {
namespace {

using api::HttpRequest;
using api::HttpResponse;
using api::JsonBody;
using api::PathParams;
using api::ProblemResponse;
using api::Route;
using api::RouteAccess;

const std::vector<std::string> kPeople = {"citizen", "enterprise", "staff", "auditor", "admin"};

// A citizen's login is an 11-digit mainland mobile number.
bool LooksLikePhone(std::string_view login) {
  return login.size() == 11 && login[0] == '1' &&
         std::all_of(login.begin(), login.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// After a code was redeemed: the login it was redeemed for, as an identity provider's answer,
// so IdentityService::LoginWith starts the session as for any other way in.
class RedeemedCode final : public IdentityProvider {
 public:
  explicit RedeemedCode(std::string login) : login_(std::move(login)) {}
  Result<std::string> VerifyAssertion(std::string_view) override { return login_; }

 private:
  std::string login_;
};

HttpResponse TokenAnswer(const TokenPair& pair) {
  boost::json::object o{{"access_token", pair.access_token},
                        {"refresh_token", pair.refresh_token},
                        {"token_type", "Bearer"},
                        {"expires_in", pair.expires_in}};
  return api::JsonAnswer(200, o);
}

// 429 answers say when to come back.
HttpResponse LimitedOrProblem(const Status& s, const HttpRequest& req, int64_t wait) {
  if (s.code() == ErrorCode::kResourceExhausted) {
    return ProblemResponse(s, req.request_id, static_cast<int>(std::max<int64_t>(wait, 1)));
  }
  return ProblemResponse(s, req.request_id);
}

std::string UserAgent(const HttpRequest& req) {
  auto ua = req.Header("user-agent");
  return ua ? std::string(*ua) : std::string();
}

}  // namespace

Status EnqueueCode(store::Tx& tx, const CodeDelivery& d, int64_t now, int64_t minutes) {
  notify::Notice notice;
  notice.event_id = "otp.code:" + std::to_string(d.code_id);
  notice.recipient = d.subject_id.empty() ? d.login : d.subject_id;
  notice.template_id = "otp.code";
  notice.vars = {{"code", d.code}, {"minutes", std::to_string(minutes)}};
  notice.sensitive = true;
  notice.channels = {"sms"};
  if (LooksLikePhone(d.login)) notice.address = d.login;
  return notify::Enqueue(tx, notice, now);
}

std::vector<store::Migration> AccountFeatures::Migrations() {
  std::vector<store::Migration> out = OneTimeCodes::Migrations();
  for (auto& m : SessionDirectory::Migrations()) out.push_back(std::move(m));
  for (auto& m : DataExports::Migrations()) out.push_back(std::move(m));
  return out;
}

Status AccountFeatures::Open(store::Database& db, const Clock& clock, IdentityService& identity,
                             std::string_view session_key, CodeSender sender,
                             crypto::PasswordParams password) {
  identity_ = &identity;
  // A key of its own for the codes' HMAC, derived from the session key (one secret file).
  auto derived = crypto::HmacDigest(crypto::HashAlgorithm::kSha256, session_key,
                                    "tongban one-time code key v1");
  std::string key(reinterpret_cast<const char*>(derived.data()), derived.size());
  const OneTimeCodeOptions options = code_options_;
  const int64_t minutes = options.lifetime_seconds / 60;
  if (!sender) {
    sender = [minutes](store::Tx& tx, const CodeDelivery& d, int64_t now) {
      return EnqueueCode(tx, d, now, minutes);
    };
  }
  codes_ = std::make_unique<OneTimeCodes>(db, clock, std::move(key), std::move(sender), options);
  sessions_ = std::make_unique<SessionDirectory>(db, clock, identity, RegionTable::Builtin());
  reset_ = std::make_unique<PasswordReset>(clock, identity, *codes_, password);
  export_ = std::make_unique<MyDataExportJob>(db, clock, identity);
  identity.OnRefresh([sessions = sessions_.get()](int64_t id) { sessions->Refreshed(id); });
  // Identity's section of "download my data"; the other parts add theirs at their Open.
  identity.my_data().Add({.name = "identity",
                          .title_zh = "账户、登录与授权",
                          .title_en = "Account, sign-in and authorisations",
                          .routes = {"/api/v1/me", "/api/v1/me/sessions", "/api/v1/me/attorneys",
                                     "/api/v1/me/attorneys/uses", "/api/v1/me/acting-for"}});
  return Status::Ok();
}

api::Authoriser AccountFeatures::Track(api::Authoriser inner) {
  SessionDirectory* sessions = sessions_.get();
  return [inner = std::move(inner), sessions](HttpRequest& request, const Route& route) -> Status {
    TB_RETURN_IF_ERROR(inner(request, route));
    if (request.principal && request.principal->session_id != 0) {
      auto ua = request.Header("user-agent");
      sessions->Seen(request.principal->session_id, ua ? *ua : std::string_view(),
                     request.remote_address);
    }
    return Status::Ok();
  };
}

Status AccountFeatures::Start(int64_t flush_seconds) {
  TB_RETURN_IF_ERROR(export_->Start());
  SessionDirectory* sessions = sessions_.get();
  OneTimeCodes* codes = codes_.get();
  // Old code rows are purged about every 5 minutes, with the first flush.
  const int64_t purge_every = std::max<int64_t>(1, 300 / std::max<int64_t>(flush_seconds, 1));
  flusher_.Start(std::chrono::seconds(flush_seconds),
                 [sessions, codes, purge_every, tick = int64_t{0}]() mutable {
    Status s = sessions->Flush();
    if (!s.ok()) spdlog::warn(R"({{"msg":"session uses not flushed","error":"{}"}})", s.message());
    if (tick++ % purge_every == 0) {
      auto purged = codes->Purge();
      if (!purged.ok()) {
        spdlog::warn(R"({{"msg":"one-time code rows not purged","error":"{}"}})",
                     purged.status().message());
      }
    }
  });
  return Status::Ok();
}

Status AccountFeatures::Stop() {
  flusher_.Stop();
  if (export_) TB_RETURN_IF_ERROR(export_->Stop());
  return sessions_ ? sessions_->Flush() : Status::Ok();
}

void AccountFeatures::AddRoutes(api::Router& router) {
  OneTimeCodes* codes = codes_.get();
  SessionDirectory* sessions = sessions_.get();
  PasswordReset* reset = reset_.get();
  IdentityService* identity = identity_;
  const int64_t lifetime = codes_->options().lifetime_seconds;
  export_->AddRoutes(router);

  router.Add(Route{
      "POST", "/api/v1/auth/otp/request", "requestOneTimeCode",
      "Send a one-time code to the phone of a login, to log in with (purpose login: also the way "
      "past a password back-off) or to reset the password. The answer is the same whether or not "
      "the login has an account; 429 with Retry-After past 5 codes per person or 20 per address "
      "in 15 minutes.",
      RouteAccess::Public(), [codes, lifetime](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"login", "purpose"}), req);
        TB_ASSIGN_OR_PROBLEM(std::string login, body.RequiredString("login", 64), req);
        TB_ASSIGN_OR_PROBLEM(std::string purpose, body.RequiredString("purpose", 32), req);
        if (purpose != "login" && purpose != "password_reset") {
          return ProblemResponse(
              Status::InvalidField("purpose", "must be \"login\" or \"password_reset\""),
              req.request_id);
        }
        Status s = codes->SendToLogin(login, purpose, req.remote_address);
        if (!s.ok()) {
          return LimitedOrProblem(s, req, codes->SendRetryAfterSeconds(login, req.remote_address));
        }
        return api::JsonAnswer(202, boost::json::object{{"sent", true}, {"expires_in", lifetime}});
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["login", "purpose"],
        "properties": {"login": {"type": "string", "maxLength": 64, "examples": ["13800000001"]},
                       "purpose": {"enum": ["login", "password_reset"]}}
      })json")
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["sent", "expires_in"],
        "properties": {
          "sent": {"const": true, "description": "Also for a login with no account (no hint)"},
          "expires_in": {"type": "integer", "description": "Seconds the code lives"}
        }
      })json",
               202);

  router.Add(Route{
      "POST", "/api/v1/auth/otp/login", "loginWithOneTimeCode",
      "Log in with a one-time code (purpose login); the session starts stepped up. 401 for a "
      "wrong, used or expired code; 429 with Retry-After after repeated wrong codes.",
      RouteAccess::Public(), [codes, identity, sessions](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"login", "code"}), req);
        TB_ASSIGN_OR_PROBLEM(std::string login, body.RequiredString("login", 64), req);
        TB_ASSIGN_OR_PROBLEM(std::string code, body.RequiredString("code", 16), req);
        auto account = codes->RedeemForLogin(login, "login", code, req.remote_address);
        if (!account.ok()) {
          return LimitedOrProblem(account.status(), req,
                                  codes->RetryAfterSeconds(login, req.remote_address));
        }
        RedeemedCode provider(login);
        TB_ASSIGN_OR_PROBLEM(TokenPair pair, identity->LoginWith(provider, ""), req);
        // The way past a password back-off: the code proved the phone.
        identity->login_guard().RecordSuccess(login);
        TB_RETURN_IF_PROBLEM(sessions->MarkSteppedUp(pair.session_id), req);
        sessions->Seen(pair.session_id, UserAgent(req), req.remote_address);
        spdlog::info(R"({{"msg":"login with a one-time code","account_id":{},"session_id":{}}})",
                     *account, pair.session_id);
        return TokenAnswer(pair);
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["login", "code"],
        "properties": {"login": {"type": "string", "maxLength": 64, "examples": ["13800000001"]},
                       "code": {"type": "string", "maxLength": 16, "examples": ["042917"]}}
      })json")
      .Answers(R"json({"$ref": "#/components/schemas/TokenPair"})json");

  router.Add(Route{
      "POST", "/api/v1/auth/password/reset", "resetPassword",
      "Set a new password with a one-time code (purpose password_reset); every session of the "
      "account ends. 401 for a wrong, used or expired code (also for a login with no account).",
      RouteAccess::Public(), [codes, reset](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body,
                             JsonBody::Parse(req.body, {"login", "code", "new_password"}), req);
        TB_ASSIGN_OR_PROBLEM(std::string login, body.RequiredString("login", 64), req);
        TB_ASSIGN_OR_PROBLEM(std::string code, body.RequiredString("code", 16), req);
        TB_ASSIGN_OR_PROBLEM(std::string password, body.RequiredString("new_password", 256), req);
        auto account = reset->Reset(login, code, password, req.remote_address);
        if (!account.ok()) {
          return LimitedOrProblem(account.status(), req,
                                  codes->RetryAfterSeconds(login, req.remote_address));
        }
        return api::JsonAnswer(200, boost::json::object{{"reset", true}});
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["login", "code", "new_password"],
        "properties": {"login": {"type": "string", "maxLength": 64},
                       "code": {"type": "string", "maxLength": 16},
                       "new_password": {"type": "string", "minLength": 8, "maxLength": 256}}
      })json")
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["reset"],
                       "properties": {"reset": {"const": true}}})json");

  router.Add(Route{
      "POST", "/api/v1/me/step-up/request", "requestStepUpCode",
      "Send a one-time code to my phone to step up this session (429 past the send limits).",
      RouteAccess::Roles(kPeople), [codes, lifetime](const HttpRequest& req, const PathParams&) {
        if (req.principal->session_id == 0) {
          return ProblemResponse(Status::FailedPrecondition("API keys have no session"),
                                 req.request_id);
        }
        Status s = codes->Send(req.principal->account_id, "step_up", req.remote_address);
        if (s.code() == ErrorCode::kResourceExhausted) return ProblemResponse(s, req.request_id, 60);
        TB_RETURN_IF_PROBLEM(s, req);
        return api::JsonAnswer(202, boost::json::object{{"sent", true}, {"expires_in", lifetime}});
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["sent", "expires_in"],
        "properties": {"sent": {"const": true}, "expires_in": {"type": "integer"}}
      })json",
               202);

  router.Add(Route{
      "POST", "/api/v1/me/step-up", "stepUp",
      "Give the one-time code sent to my phone: this session is stepped up (a higher assurance "
      "for what asks for it).",
      RouteAccess::Roles(kPeople), [codes, sessions](const HttpRequest& req, const PathParams&) {
        if (req.principal->session_id == 0) {
          return ProblemResponse(Status::FailedPrecondition("API keys have no session"),
                                 req.request_id);
        }
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"code"}), req);
        TB_ASSIGN_OR_PROBLEM(std::string code, body.RequiredString("code", 16), req);
        Status s = codes->Redeem(req.principal->account_id, "step_up", code, req.remote_address);
        if (s.code() == ErrorCode::kUnauthenticated) {
          // A wrong code is not a bad credential: the bearer token is fine (403, not 401).
          s = Status::PermissionDenied(std::string(s.message()));
        }
        if (s.code() == ErrorCode::kResourceExhausted) return ProblemResponse(s, req.request_id, 30);
        TB_RETURN_IF_PROBLEM(s, req);
        TB_RETURN_IF_PROBLEM(sessions->MarkSteppedUp(req.principal->session_id), req);
        return api::JsonAnswer(200, boost::json::object{{"stepped_up", true}});
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["code"],
        "properties": {"code": {"type": "string", "maxLength": 16, "examples": ["042917"]}}
      })json")
      .Answers(R"json({"type": "object", "additionalProperties": false,
                       "required": ["stepped_up"], "properties": {"stepped_up": {"const": true}}})json");

  router.Add(Route{
      "GET", "/api/v1/me/sessions", "listMySessions",
      "My live sessions: device, place (a region, never the address), created, last used, the "
      "current one marked.",
      RouteAccess::Roles(kPeople), [sessions](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(
            auto list, sessions->List(req.principal->account_id, req.principal->session_id), req);
        boost::json::array items;
        for (const SessionInfo& s : list) {
          items.push_back(boost::json::object{{"id", s.id},
                                              {"device", s.device},
                                              {"region", s.region},
                                              {"created_at", api::IsoSeconds(s.created_at)},
                                              {"last_used_at", api::IsoSeconds(s.last_used_at)},
                                              {"stepped_up", s.stepped_up},
                                              {"current", s.current}});
        }
        return api::JsonAnswer(200, boost::json::object{{"sessions", std::move(items)}});
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["sessions"],
        "properties": {"sessions": {"type": "array", "items": {
          "type": "object", "additionalProperties": false,
          "required": ["id", "device", "region", "created_at", "last_used_at", "stepped_up",
                       "current"],
          "properties": {
            "id": {"type": "integer"},
            "device": {"type": "string", "examples": ["Chrome 120 · Android"]},
            "region": {"type": "string", "examples": ["浙江省杭州市"]},
            "created_at": {"type": "string", "format": "date-time"},
            "last_used_at": {"type": "string", "format": "date-time"},
            "stepped_up": {"type": "boolean"},
            "current": {"type": "boolean"}
          }}}}
      })json");

  router.Add(Route{
      "POST", "/api/v1/me/sessions/{id}/end", "endMySession",
      "End one of my sessions (its tokens stop working at once). Another person's: 404.",
      RouteAccess::Roles(kPeople), [sessions](const HttpRequest& req, const PathParams& params) {
        TB_ASSIGN_OR_PROBLEM(int64_t id,
                             api::PositiveIntParam(params.at("id"), "id", "a session id"), req);
        TB_RETURN_IF_PROBLEM(sessions->End(req.principal->account_id, id), req);
        spdlog::info(R"({{"msg":"session ended by its owner","account_id":{},"session_id":{}}})",
                     req.principal->account_id, id);
        return api::JsonAnswer(200, boost::json::object{{"ended", true}});
      }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["ended"],
                       "properties": {"ended": {"const": true}}})json");

  router.Add(Route{
      "POST", "/api/v1/me/sessions/end-others", "endMyOtherSessions",
      "End every session of mine but this one.",
      RouteAccess::Roles(kPeople), [sessions](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(
            int64_t n,
            sessions->EndOthers(req.principal->account_id, req.principal->session_id), req);
        spdlog::info(R"({{"msg":"other sessions ended by their owner","account_id":{},"ended":{}}})",
                     req.principal->account_id, n);
        return api::JsonAnswer(200, boost::json::object{{"ended", n}});
      }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["ended"],
                       "properties": {"ended": {"type": "integer", "minimum": 0}}})json");
}

}  // namespace tongban::identity
