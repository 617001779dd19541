// The service part's shared route helpers; see service_route_helpers.h.
#include "service/part/service_route_helpers.h"

#include <string>

namespace tongban::api::service_routes {

using boost::json::object;
using boost::json::value;

value DepartmentJson(const data::Catalogue& catalogue, std::string_view key) {
  const data::Department* d = catalogue.DepartmentByKey(key);
  return object{{"key", key},
                {"name_zh", d ? d->name_zh : std::string(key)},
                {"name_en", d ? d->name_en : std::string(key)}};
}

value ItemJson(const service::ServiceCatalogue& catalogue, std::string_view code) {
  const service::Item* it = catalogue.FindItem(code);
  return object{{"code", code},
                {"name_zh", it ? it->name_zh : std::string(code)},
                {"name_en", it ? it->name_en : std::string(code)}};
}

Result<service::Person> PersonOf(identity::IdentityService& identity, const HttpRequest& req) {
  TB_ASSIGN_OR_RETURN(identity::Account a, identity.GetAccount(req.principal->account_id));
  if (a.subject_id.empty()) return Status::PermissionDenied("this account has no citizen ID number");
  service::Person p{a.id, a.subject_id, a.display_name};
  p.agent_account_id = req.principal->agent_account_id;
  p.attorney_id = req.principal->attorney_id;
  return p;
}

Status MayApply(const HttpRequest& req, std::string_view bundle) {
  if (req.principal->MayAct("services.apply:" + std::string(bundle))) return Status::Ok();
  return Status::PermissionDenied("the power of attorney does not cover applying for " + std::string(bundle));
}

Status MayApplyTo(const HttpRequest& req, service::CaseService& cases, const service::Person& me,
                  int64_t case_id) {
  if (!req.principal->acting()) return Status::Ok();
  TB_ASSIGN_OR_RETURN(service::Case c, cases.Mine(me.subject_id, case_id));
  return MayApply(req, c.bundle);
}

Result<service::Staff> StaffOf(identity::IdentityService& identity, const data::Catalogue& catalogue,
                               const HttpRequest& req, Status missing) {
  TB_ASSIGN_OR_RETURN(auto staff, StaffIfAny(identity, catalogue, req));
  if (!staff) return missing;
  return *std::move(staff);
}

Result<std::optional<service::Staff>> StaffIfAny(identity::IdentityService& identity,
                                                 const data::Catalogue& catalogue, const HttpRequest& req) {
  TB_ASSIGN_OR_RETURN(identity::Account a, identity.GetAccount(req.principal->account_id));
  const data::Department* d = catalogue.DepartmentByName(a.department);
  if (d == nullptr) return std::optional<service::Staff>();
  return std::optional<service::Staff>(service::Staff{a.id, d->key, a.display_name});
}

}  // namespace tongban::api::service_routes
