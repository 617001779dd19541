// Holder authorisation routes (授权): a citizen or enterprise lets a staff member, a department or
// a case use one of its licences for a purpose until a time, lists and revokes its grants; staff
// use a grant. See license_handlers.h for the licence routes as a whole.
#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "license/part/license_handlers.h"
#include "license/part/license_route_helpers.h"

namespace tongban::api {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using license::License;
using license::LicenseService;
using namespace license_routes;

void AddLicenseAuthorisationRoutes(Router& router, LicenseService& service,
                                   identity::IdentityService& identity) {
  const RouteAccess kHolder = RouteAccess::Roles({"citizen", "enterprise"});
  const std::string kLicense = R"json({"$ref": "#/components/schemas/License"})json";

  // --- holder authorisation (授权) -----------------------------------------------------------
  auto auth_json = [](const license::Authorisation& a) {
    return object{{"id", a.id},
                  {"license_id", a.license_id},
                  {"grantee_kind", a.grantee_kind},
                  {"grantee", a.grantee},
                  {"department", a.department.empty() ? value(nullptr) : value(a.department)},
                  {"purpose", a.purpose},
                  {"until", IsoSeconds(a.valid_until)},
                  {"created_at", IsoSeconds(a.created_at)},
                  {"revoked_at", a.revoked_at ? IsoSeconds(*a.revoked_at) : value(nullptr)},
                  {"uses", a.uses}};
  };
  auto parse_id = [](std::string_view s) {
    return PositiveIntParam(s, "id", "must be an authorisation id");
  };
  router.Add(Route{
      "POST", "/api/v1/me/licenses/{id}/authorisations", "authoriseLicenseUse",
      "Authorise a staff member (login), department (name) or case (number, with the department "
      "that handles it) to use one of the caller's licences for a purpose until a time: "
      "{grantee_kind, grantee, department (case only), purpose, until}; 404 for another's licence.",
      kHolder,
      [&service, &identity, auth_json](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body,
                             JsonBody::Parse(req.body, {"grantee_kind", "grantee", "department",
                                                        "purpose", "until"}),
                             req);
        license::AuthoriseRequest in;
        in.license_id = p.at("id");
        TB_ASSIGN_OR_PROBLEM(in.grantee_kind, body.RequiredString("grantee_kind", 20), req);
        TB_ASSIGN_OR_PROBLEM(in.grantee, body.RequiredString("grantee", 200), req);
        TB_ASSIGN_OR_PROBLEM(auto department, body.OptionalString("department", 200), req);
        in.case_department = department.value_or("");
        TB_ASSIGN_OR_PROBLEM(in.purpose, body.RequiredString("purpose", 200), req);
        TB_ASSIGN_OR_PROBLEM(in.valid_until, ParseTime(body, "until"), req);
        if (in.valid_until == 0) {
          return ProblemResponse(Status::InvalidField("/until", "is required"), req.request_id);
        }
        TB_ASSIGN_OR_PROBLEM(in.holder_subject, HolderOf(identity, req), req);
        TB_ASSIGN_OR_PROBLEM(license::Authorisation a, service.Authorise(in), req);
        return JsonAnswer(201, auth_json(a));
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["grantee_kind", "grantee", "purpose", "until"],
        "properties": {
          "grantee_kind": {"type": "string", "enum": ["staff", "department", "case"]},
          "grantee": {"type": "string", "minLength": 1, "maxLength": 200,
                      "description": "Staff login, department name or case number"},
          "department": {"type": ["string", "null"], "maxLength": 200,
                         "description": "Case grants only (required there): the department that handles the case"},
          "purpose": {"type": "string", "minLength": 1, "maxLength": 200, "examples": ["代办车辆年检"]},
          "until": {"type": "string", "format": "date-time", "maxLength": 40, "description": "In the future, at most a year ahead",
                    "examples": ["2026-12-31T00:00:00Z"]}
        }
      })json")
      .Answers(R"json({"$ref": "#/components/schemas/LicenseAuthorisation"})json", 201);
  router.Add(Route{"GET", "/api/v1/me/authorisations", "listMyAuthorisations",
                   "The caller's authorisations, newest first, with how often each was used.", kHolder,
                   [&service, &identity, auth_json](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(std::string holder, HolderOf(identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(auto list, service.Authorisations(holder), req);
                     array items;
                     for (const auto& a : list) items.push_back(auth_json(a));
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/LicenseAuthorisation"}}}
      })json");
  router.Add(Route{"POST", "/api/v1/me/authorisations/{id}/revoke", "revokeAuthorisation",
                   "Withdraw one of the caller's authorisations at once; 404 for another's.",
                   kHolder,
                   [&service, &identity, parse_id](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, parse_id(p.at("id")), req);
                     TB_ASSIGN_OR_PROBLEM(std::string holder, HolderOf(identity, req), req);
                     TB_RETURN_IF_PROBLEM(service.RevokeAuthorisation(holder, id), req);
                     return JsonAnswer(200, object{{"revoked", true}});
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["revoked"],
        "properties": {"revoked": {"const": true}}
      })json");
  router.Add(Route{
      "POST", "/api/v1/authorisations/{id}/use", "useAuthorisation",
      "Staff use a holder's authorisation granted to them ({case} for a case authorisation, which "
      "only staff of the case's department can use): returns the licence; the use is logged for "
      "the holder and ledgered. 404 when not granted to the caller, as for a missing id.",
      RouteAccess::Roles({"staff"}),
      [&service, &identity, parse_id](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(int64_t id, parse_id(p.at("id")), req);
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body.empty() ? "{}" : req.body, {"case"}), req);
        TB_ASSIGN_OR_PROBLEM(auto case_number, body.OptionalString("case", 64), req);
        TB_ASSIGN_OR_PROBLEM(identity::Account a, identity.GetAccount(req.principal->account_id), req);
        license::AuthorisedUser user{a.id, a.login, a.display_name, a.department, case_number.value_or("")};
        TB_ASSIGN_OR_PROBLEM(License l, service.UseAuthorisation(id, user), req);
        return JsonAnswer(200, LicenseJson(service.catalogue(), l, service.NowSeconds()));
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "description": "May be empty",
        "properties": {"case": {"type": ["string", "null"], "maxLength": 64,
                                "description": "The case number, for a case authorisation"}}
      })json", Route::Body::kOptional)
      .Answers(kLicense);
}

}  // namespace tongban::api
