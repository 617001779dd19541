// Power-of-attorney routes and the acting step of the authoriser; see attorney_routes.h.
#include "identity/part/attorney_routes.h"

#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "core/clock.h"
#include "core/mask.h"
#include "identity/part/auth_handlers.h"

namespace tongban::api {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using identity::Attorney;
using identity::AttorneyKind;
using identity::AttorneyService;

object ScopeJson(std::string_view scope) {
  for (const identity::ActScope& s : identity::ActScopes()) {
    if (s.name == scope) return object{{"name", scope}, {"zh", s.zh}, {"en", s.en}};
    if (s.name.ends_with(':') && scope.starts_with(s.name)) {
      std::string item(scope.substr(s.name.size()));
      return object{{"name", scope}, {"zh", std::string(s.zh) + "：" + item},
                    {"en", std::string(s.en) + ": " + item}};
    }
  }
  return object{{"name", scope}, {"zh", scope}, {"en", scope}};
}

object AttorneyJson(const Attorney& a, int64_t viewer, int64_t now) {
  array scopes;
  for (const auto& s : a.scopes) scopes.push_back(ScopeJson(s));
  return object{{"id", a.id},
                {"kind", identity::AttorneyKindName(a.kind)},
                {"as", a.agent_account == viewer ? "agent" : "principal"},
                {"principal_name", a.principal_name},
                {"agent_name", a.agent_name},
                {"agent_login_masked", MaskIdentifier(a.agent_login, 3, 4)},
                {"scopes", std::move(scopes)},
                {"valid_from", IsoSeconds(a.valid_from)},
                {"valid_until", IsoSeconds(a.valid_until)},
                {"state", a.StateAt(now)},
                {"created_at", IsoSeconds(a.created_at)},
                {"created_via", a.created_via},
                {"revoked_at", IsoSeconds(a.revoked_at)}};
}

HttpResponse AttorneyList(const std::vector<Attorney>& list, int64_t viewer, int64_t now) {
  array items;
  for (const Attorney& a : list) items.push_back(AttorneyJson(a, viewer, now));
  return JsonAnswer(200, object{{"items", std::move(items)}});
}

Result<int64_t> AttorneyId(std::string_view text) {
  return PositiveIntParam(text, "id", "must be the id of a power of attorney");
}

// Reads {agent_login, scopes[], valid_from?, valid_until} (dates "YYYY-MM-DD", China days: from
// the start of valid_from to the end of valid_until), every wrong field named.
Status ReadNewAttorney(const JsonBody& body, identity::NewAttorney& out) {
  std::vector<FieldError> errors;
  auto login = body.RequiredString("agent_login", 64);
  if (login.ok()) {
    out.agent_login = *login;
  } else {
    errors.push_back({"/agent_login", "is required: the agent's login (their phone number)"});
  }
  const boost::json::value* scopes = body.object().if_contains("scopes");
  if (scopes == nullptr || !scopes->is_array()) {
    errors.push_back({"/scopes", "is required: a list of scope names"});
  } else {
    const auto& list = scopes->as_array();
    for (size_t i = 0; i < list.size() && i < 33; ++i) {
      if (!list[i].is_string() || list[i].as_string().size() > 80) {
        errors.push_back({"/scopes/" + std::to_string(i), "must be a scope name"});
      } else {
        out.scopes.emplace_back(list[i].as_string());
      }
    }
  }
  for (std::string_view field : {"valid_from", "valid_until"}) {
    auto text = body.OptionalString(field, 10);
    std::optional<CivilDate> date;
    if (text.ok() && *text) date = ParseCivilDate(**text);
    if (!text.ok() || (*text && !date)) {
      errors.push_back({"/" + std::string(field), "must be a date, YYYY-MM-DD"});
    } else if (field == "valid_from" && date) {
      out.valid_from = ChinaDayStartUnix(*date);
    } else if (field == "valid_until") {
      if (date) {
        out.valid_until = ChinaDayEndUnix(*date);
      } else {
        errors.push_back({"/valid_until", "is required: the last day, YYYY-MM-DD"});
      }
    }
  }
  if (errors.empty()) return Status::Ok();
  Status invalid = Status::InvalidArgument("the power of attorney is not valid");
  return Status::InvalidArgument(invalid.message(), std::move(errors));
}

// POST body {agent_login, scopes, valid_from, valid_until}: the caller gives `kind` themself (a
// citizen's power of attorney, an enterprise's agent); 201 with it, field-level 400 otherwise.
HttpResponse CreateOwn(AttorneyService& attorneys, const HttpRequest& req, AttorneyKind kind) {
  TB_ASSIGN_OR_PROBLEM(JsonBody body,
                       JsonBody::Parse(req.body, {"agent_login", "scopes", "valid_from", "valid_until"}), req);
  identity::NewAttorney in;
  TB_RETURN_IF_PROBLEM(ReadNewAttorney(body, in), req);
  in.kind = kind;
  in.principal_account = req.principal->account_id;
  in.created_by = req.principal->account_id;
  in.created_via = "self";
  TB_ASSIGN_OR_PROBLEM(Attorney a, attorneys.Create(in), req);
  return JsonAnswer(201, AttorneyJson(a, req.principal->account_id, attorneys.NowSeconds()));
}

constexpr const char* kNewAttorneySchema = R"json({
  "type": "object", "additionalProperties": false, "required": ["agent_login", "scopes", "valid_until"],
  "properties": {
    "agent_login": {"type": "string", "minLength": 1, "maxLength": 64, "examples": ["13800000011"],
                    "description": "The agent's login (a citizen's phone number)"},
    "scopes": {"type": "array", "minItems": 1, "maxItems": 32,
               "items": {"type": "string", "maxLength": 80},
               "examples": [["receipts.view", "services.apply:senior_card"]],
               "description": "receipts.view, licenses.view, licenses.present, services.view, services.apply:<item>, data.view"},
    "valid_from": {"type": ["string", "null"], "format": "date", "description": "First day (China date); default today"},
    "valid_until": {"type": "string", "format": "date", "description": "Last day (China date); at most a year (enterprise agents: 3 years)"}
  }
})json";

constexpr const char* kAttorneyRef = R"json({"$ref": "#/components/schemas/Attorney"})json";
constexpr const char* kAttorneyListSchema = R"json({
  "type": "object", "additionalProperties": false, "required": ["items"],
  "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Attorney"}}}
})json";

}  // namespace

Result<identity::Principal> ActFor(identity::AttorneyService* attorneys, identity::Principal agent,
                                   std::string_view header, const Route& route) {
  if (route.access.act_scope.empty()) {
    return Status::PermissionDenied("this endpoint cannot be used on behalf of someone (X-Act-For)");
  }
  if (attorneys == nullptr) return Status::PermissionDenied("acting for others is not available");
  if (agent.session_id == 0 || agent.acting()) {
    return Status::PermissionDenied("only a person logged in acts for someone, not an API key");
  }
  TB_ASSIGN_OR_RETURN(int64_t id,
                      PositiveIntParam(header, "X-Act-For", "must be the id of a power of attorney you hold"));
  auto admits = [&route](identity::Role role) {
    identity::Principal p;
    p.role = role;
    return Authorise(p, route.access).ok();
  };
  TB_ASSIGN_OR_RETURN(identity::Acting acting, attorneys->Act(id, agent.account_id, route.access.act_scope,
                                                              route.operation_id, route.method, admits));
  identity::Principal p;
  p.account_id = acting.principal_account;
  p.role = acting.principal_role;
  p.session_id = agent.session_id;
  p.expires_at = agent.expires_at;
  p.agent_account_id = agent.account_id;
  p.attorney_id = id;
  p.act_scopes = std::move(acting.scopes);
  return p;
}

void AddAttorneyRoutes(Router& router, AttorneyService& attorneys, identity::IdentityService& identity,
                       identity::OneTimeCodes* codes) {
  router.AddSchema("Attorney", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["id", "kind", "as", "principal_name", "agent_name", "agent_login_masked", "scopes",
                 "valid_from", "valid_until", "state", "created_at", "created_via", "revoked_at"],
    "properties": {
      "id": {"type": "integer"},
      "kind": {"enum": ["attorney", "guardian", "enterprise_agent"]},
      "as": {"enum": ["principal", "agent"], "description": "The caller's side of it"},
      "principal_name": {"type": "string", "examples": ["王秀英"]},
      "agent_name": {"type": "string", "examples": ["刘建国"]},
      "agent_login_masked": {"type": "string", "examples": ["138****0011"]},
      "scopes": {"type": "array", "items": {
        "type": "object", "additionalProperties": false, "required": ["name", "zh", "en"],
        "properties": {"name": {"type": "string"}, "zh": {"type": "string"}, "en": {"type": "string"}}}},
      "valid_from": {"type": "string", "format": "date-time"},
      "valid_until": {"type": "string", "format": "date-time", "description": "Exclusive"},
      "state": {"enum": ["in_force", "not_yet", "expired", "revoked"]},
      "created_at": {"type": "string", "format": "date-time"},
      "created_via": {"enum": ["self", "assisted", "guardianship"]},
      "revoked_at": {"type": ["string", "null"], "format": "date-time"}
    }
  })json");
  const RouteAccess kCitizen = RouteAccess::Roles({"citizen"});

  // --- the principal ------------------------------------------------------------------------
  router.Add(Route{
      "POST", "/api/v1/me/attorneys", "createAttorney",
      "Give a power of attorney to another citizen (by login) for named scopes, from a day until a "
      "day (at most a year); the principal is told. Field-level 400 for each wrong field.",
      kCitizen,
      [&attorneys](const HttpRequest& req, const PathParams&) {
        return CreateOwn(attorneys, req, AttorneyKind::kAttorney);
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(kNewAttorneySchema)
      .Answers(kAttorneyRef, 201);
  router.Add(Route{"GET", "/api/v1/me/attorneys", "listMyAttorneys",
                   "Powers of attorney the caller gave (given) and holds (received), newest first.",
                   kCitizen,
                   [&attorneys](const HttpRequest& req, const PathParams&) {
                     const int64_t me = req.principal->account_id;
                     TB_ASSIGN_OR_PROBLEM(auto given, attorneys.ListGiven(me), req);
                     TB_ASSIGN_OR_PROBLEM(auto received, attorneys.ListReceived(me), req);
                     const int64_t now = attorneys.NowSeconds();
                     array g, r;
                     for (const Attorney& a : given) g.push_back(AttorneyJson(a, me, now));
                     for (const Attorney& a : received) r.push_back(AttorneyJson(a, me, now));
                     return JsonAnswer(200, object{{"given", std::move(g)}, {"received", std::move(r)}});
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["given", "received"],
        "properties": {
          "given": {"type": "array", "items": {"$ref": "#/components/schemas/Attorney"}},
          "received": {"type": "array", "items": {"$ref": "#/components/schemas/Attorney"}}
        }
      })json");
  router.Add(Route{
      "GET", "/api/v1/me/attorneys/uses", "listMyAttorneyUses",
      "What agents did for the caller (\"刘建国 saw your receipts on …\"), newest first, at most 200.",
      RouteAccess::Roles({"citizen", "enterprise"}),
      [&attorneys](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(auto uses, attorneys.Uses(req.principal->account_id, 200), req);
        array items;
        for (const auto& u : uses) {
          object scope = ScopeJson(u.act_scope);
          items.push_back(object{{"id", u.id},
                                 {"attorney_id", u.attorney_id},
                                 {"agent_name", u.agent_name},
                                 {"operation", u.operation},
                                 {"method", u.method},
                                 {"act_scope", u.act_scope},
                                 {"zh", scope["zh"]},
                                 {"en", scope["en"]},
                                 {"at", IsoSeconds(u.at)}});
        }
        return JsonAnswer(200, object{{"items", std::move(items)}});
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "maxItems": 200, "items": {
          "type": "object", "additionalProperties": false,
          "required": ["id", "attorney_id", "agent_name", "operation", "method", "act_scope", "zh", "en", "at"],
          "properties": {
            "id": {"type": "integer"}, "attorney_id": {"type": "integer"},
            "agent_name": {"type": "string", "examples": ["刘建国"]},
            "operation": {"type": "string", "examples": ["listMyReceipts"]},
            "method": {"type": "string"}, "act_scope": {"type": "string"},
            "zh": {"type": "string", "examples": ["查看我的电子票据"]}, "en": {"type": "string"},
            "at": {"type": "string", "format": "date-time"}
          }}}}
      })json");
  router.Add(Route{"GET", "/api/v1/me/attorneys/{id}", "getMyAttorney",
                   "One power of attorney the caller gave or holds; 404 for anyone else's.",
                   RouteAccess::Roles({"citizen", "enterprise"}),
                   [&attorneys](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, AttorneyId(p.at("id")), req);
                     TB_ASSIGN_OR_PROBLEM(Attorney a, attorneys.Get(id, req.principal->account_id), req);
                     return JsonAnswer(200, AttorneyJson(a, req.principal->account_id, attorneys.NowSeconds()));
                   }})
      .Answers(kAttorneyRef);
  router.Add(Route{"POST", "/api/v1/me/attorneys/{id}/revoke", "revokeMyAttorney",
                   "Withdraw a power of attorney the caller gave: the agent's next request is refused. "
                   "404 for anyone else's.",
                   kCitizen,
                   [&attorneys](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, AttorneyId(p.at("id")), req);
                     const int64_t me = req.principal->account_id;
                     TB_ASSIGN_OR_PROBLEM(Attorney a, attorneys.Revoke(id, me, me, AttorneyKind::kAttorney), req);
                     return JsonAnswer(200, AttorneyJson(a, me, attorneys.NowSeconds()));
                   }})
      .Answers(kAttorneyRef);

  // --- the agent -----------------------------------------------------------------------------
  router.Add(Route{"GET", "/api/v1/me/acting-for", "listWhomICanActFor",
                   "Whom the caller may act for now (powers of attorney in force, guardianships, "
                   "enterprises): send X-Act-For: <id> to act.",
                   kCitizen,
                   [&attorneys](const HttpRequest& req, const PathParams&) {
                     const int64_t me = req.principal->account_id;
                     TB_ASSIGN_OR_PROBLEM(auto received, attorneys.ListReceived(me), req);
                     const int64_t now = attorneys.NowSeconds();
                     std::vector<Attorney> in_force;
                     for (Attorney& a : received) {
                       if (a.StateAt(now) == "in_force") in_force.push_back(std::move(a));
                     }
                     return AttorneyList(in_force, me, now);
                   }})
      .Answers(kAttorneyListSchema);

  // --- window staff: assisted, with the principal's one-time code -----------------------------
  router.Add(Route{
      "POST", "/api/v1/staff/attorneys/codes", "sendAttorneyConfirmCode",
      "Window staff: send the principal (by login) a one-time code that confirms an assisted power "
      "of attorney. Answers the same whether or not the login exists.",
      RouteAccess::Roles({"staff"}),
      [codes](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"principal_login"}), req);
        TB_ASSIGN_OR_PROBLEM(std::string login, body.RequiredString("principal_login", 64), req);
        if (codes == nullptr) {
          return ProblemResponse(Status::Unavailable("one-time codes are not configured"), req.request_id);
        }
        Status s = codes->SendToLogin(login, "attorney_confirm", req.remote_address);
        if (s.code() == ErrorCode::kResourceExhausted) {
          return ProblemResponse(
              s, req.request_id,
              static_cast<int>(std::max<int64_t>(1, codes->SendRetryAfterSeconds(login, req.remote_address))));
        }
        TB_RETURN_IF_PROBLEM(s, req);
        return JsonAnswer(202, object{{"sent", true}});
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["principal_login"],
        "properties": {"principal_login": {"type": "string", "minLength": 1, "maxLength": 64}}
      })json")
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["sent"],
                       "properties": {"sent": {"const": true}}})json",
               202);
  router.Add(Route{
      "POST", "/api/v1/staff/attorneys", "createAssistedAttorney",
      "Window staff: create a power of attorney for a citizen present at the window, confirmed by "
      "the one-time code sent to the citizen (401 for a wrong or expired code).",
      RouteAccess::Roles({"staff"}),
      [&attorneys, codes](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body,
                             JsonBody::Parse(req.body, {"principal_login", "code", "agent_login", "scopes",
                                                        "valid_from", "valid_until"}),
                             req);
        identity::NewAttorney in;
        TB_RETURN_IF_PROBLEM(ReadNewAttorney(body, in), req);
        TB_ASSIGN_OR_PROBLEM(std::string login, body.RequiredString("principal_login", 64), req);
        TB_ASSIGN_OR_PROBLEM(std::string code, body.RequiredString("code", 16), req);
        if (codes == nullptr) {
          return ProblemResponse(Status::Unavailable("one-time codes are not configured"), req.request_id);
        }
        auto principal = codes->RedeemForLogin(login, "attorney_confirm", code, req.remote_address);
        if (principal.status().code() == ErrorCode::kResourceExhausted) {
          return ProblemResponse(principal.status(), req.request_id,
                                 static_cast<int>(std::max<int64_t>(1, codes->RetryAfterSeconds(login))));
        }
        if (!principal.ok()) return ProblemResponse(principal.status(), req.request_id);
        in.kind = AttorneyKind::kAttorney;
        in.principal_account = *principal;
        in.created_by = req.principal->account_id;
        in.created_via = "assisted";
        TB_ASSIGN_OR_PROBLEM(Attorney a, attorneys.Create(in), req);
        return JsonAnswer(201, AttorneyJson(a, req.principal->account_id, attorneys.NowSeconds()));
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["principal_login", "code", "agent_login", "scopes", "valid_until"],
        "properties": {
          "principal_login": {"type": "string", "minLength": 1, "maxLength": 64},
          "code": {"type": "string", "pattern": "^[0-9]{6}$", "description": "The code the citizen received"},
          "agent_login": {"type": "string", "minLength": 1, "maxLength": 64},
          "scopes": {"type": "array", "minItems": 1, "maxItems": 32, "items": {"type": "string", "maxLength": 80}},
          "valid_from": {"type": ["string", "null"], "format": "date"},
          "valid_until": {"type": "string", "format": "date"}
        }
      })json")
      .Answers(kAttorneyRef, 201);

  // --- an enterprise's agents (经办人) ----------------------------------------------------------
  const RouteAccess kEnterprise = RouteAccess::Roles({"enterprise"});
  router.Add(Route{"GET", "/api/v1/me/enterprise/agents", "listEnterpriseAgents",
                   "The enterprise's agents (经办人), newest first, withdrawn ones included.", kEnterprise,
                   [&attorneys](const HttpRequest& req, const PathParams&) {
                     const int64_t me = req.principal->account_id;
                     TB_ASSIGN_OR_PROBLEM(auto list, attorneys.ListGiven(me, AttorneyKind::kEnterpriseAgent), req);
                     return AttorneyList(list, me, attorneys.NowSeconds());
                   }})
      .Answers(kAttorneyListSchema);
  router.Add(Route{
      "POST", "/api/v1/me/enterprise/agents", "createEnterpriseAgent",
      "The enterprise's legal representative authorises an employee (by login) for named scopes, "
      "at most three years.",
      kEnterprise,
      [&attorneys](const HttpRequest& req, const PathParams&) {
        return CreateOwn(attorneys, req, AttorneyKind::kEnterpriseAgent);
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(kNewAttorneySchema)
      .Answers(kAttorneyRef, 201);
  router.Add(Route{"POST", "/api/v1/me/enterprise/agents/{id}/revoke", "revokeEnterpriseAgent",
                   "Withdraw an agent's authorisation at once; 404 for another enterprise's.", kEnterprise,
                   [&attorneys](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, AttorneyId(p.at("id")), req);
                     const int64_t me = req.principal->account_id;
                     TB_ASSIGN_OR_PROBLEM(Attorney a,
                                          attorneys.Revoke(id, me, me, AttorneyKind::kEnterpriseAgent), req);
                     return JsonAnswer(200, AttorneyJson(a, me, attorneys.NowSeconds()));
                   }})
      .Answers(kAttorneyRef);

  // --- admin: guardianship records ------------------------------------------------------------
  router.AddSchema("Guardianship", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["id", "guardian_name", "child_id_masked", "child_name", "relation", "evidence",
                 "approved_at", "attorney_id"],
    "properties": {
      "id": {"type": "integer"}, "guardian_name": {"type": "string", "examples": ["李娜"]},
      "child_id_masked": {"type": "string", "examples": ["3304**********0011"]},
      "child_name": {"type": "string", "examples": ["陈小雨"]},
      "relation": {"enum": ["parent", "other"]}, "evidence": {"type": "string"},
      "approved_at": {"type": "string", "format": "date-time"}, "attorney_id": {"type": "integer"}
    }
  })json");
  auto guardianship_json = [](const identity::Guardianship& g) {
    return object{{"id", g.id},
                  {"guardian_name", g.guardian_name},
                  {"child_id_masked", MaskIdentifier(g.child_subject)},
                  {"child_name", g.child_name},
                  {"relation", g.relation},
                  {"evidence", g.evidence},
                  {"approved_at", IsoSeconds(g.approved_at)},
                  {"attorney_id", g.attorney_id}};
  };
  router.Add(Route{
      "POST", "/api/v1/admin/guardianships", "recordGuardianship",
      "Record an approved guardianship (guardian by login, the minor child by citizen ID number, "
      "with the evidence seen): the guardian may act for the child until the 18th birthday.",
      RouteAccess::Roles({"admin"}),
      [&attorneys, guardianship_json](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body,
                             JsonBody::Parse(req.body, {"guardian_login", "child_id", "child_name", "relation",
                                                        "evidence"}),
                             req);
        identity::NewGuardianship in;
        TB_ASSIGN_OR_PROBLEM(in.guardian_login, body.RequiredString("guardian_login", 64), req);
        TB_ASSIGN_OR_PROBLEM(in.child_subject, body.RequiredString("child_id", 18), req);
        TB_ASSIGN_OR_PROBLEM(in.child_name, body.RequiredString("child_name", 100), req);
        TB_ASSIGN_OR_PROBLEM(auto relation, body.OptionalString("relation", 10), req);
        in.relation = relation.value_or("parent");
        TB_ASSIGN_OR_PROBLEM(in.evidence, body.RequiredString("evidence", 200), req);
        TB_ASSIGN_OR_PROBLEM(identity::Guardianship g,
                             attorneys.RecordGuardianship(in, req.principal->account_id), req);
        return JsonAnswer(201, guardianship_json(g));
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["guardian_login", "child_id", "child_name", "evidence"],
        "properties": {
          "guardian_login": {"type": "string", "minLength": 1, "maxLength": 64},
          "child_id": {"type": "string", "minLength": 18, "maxLength": 18},
          "child_name": {"type": "string", "minLength": 1, "maxLength": 100},
          "relation": {"type": ["string", "null"], "enum": ["parent", "other", null]},
          "evidence": {"type": "string", "minLength": 1, "maxLength": 200, "examples": ["出生医学证明 O330123456"]}
        }
      })json")
      .Answers(R"json({"$ref": "#/components/schemas/Guardianship"})json", 201);
  router.Add(Route{"GET", "/api/v1/admin/guardianships", "listGuardianships",
                   "Recorded guardianships, newest first (child ID numbers masked).",
                   RouteAccess::Roles({"admin"}),
                   [&attorneys, guardianship_json](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(auto list, attorneys.ListGuardianships(), req);
                     array items;
                     for (const auto& g : list) items.push_back(guardianship_json(g));
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Guardianship"}}}
      })json");
  router.Add(Route{"POST", "/api/v1/admin/guardianships/{id}/end", "endGuardianship",
                   "End a guardianship (a decision the admin has seen): the guardian's power of attorney "
                   "is withdrawn from their next request. Answers that power of attorney.",
                   RouteAccess::Roles({"admin"}),
                   [&attorneys](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a guardianship id"),
                                          req);
                     TB_ASSIGN_OR_PROBLEM(Attorney a, attorneys.EndGuardianship(id, req.principal->account_id), req);
                     return JsonAnswer(200, AttorneyJson(a, a.principal_account, attorneys.NowSeconds()));
                   }})
      .Answers(kAttorneyRef);
  (void)identity;
}

}  // namespace tongban::api
