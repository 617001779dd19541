// What the service part's routes (service_routes.cc, review_routes.cc) share: catalogue entries as
// JSON ({key|code, name_zh, name_en}) and the caller as a citizen (service::Person) or as a staff
// member of a catalogue department (service::Staff). Stateless; thread-safe as the identity
// service and catalogues passed in.
#pragma once

#include <optional>
#include <string_view>

#include <boost/json.hpp>

#include "api/router.h"
#include "core/status.h"
#include "data/catalogue.h"
#include "identity/identity_service.h"
#include "service/case_service.h"
#include "service/catalogue.h"

namespace tongban::api::service_routes {

// {key, name_zh, name_en} of a department; an unknown key is its own name.
boost::json::value DepartmentJson(const data::Catalogue& catalogue, std::string_view key);
// {code, name_zh, name_en} of an item; an unknown code is its own name.
boost::json::value ItemJson(const service::ServiceCatalogue& catalogue, std::string_view code);

// The citizen calling: an account with a citizen ID number; kPermissionDenied otherwise.
Result<service::Person> PersonOf(identity::IdentityService& identity, const HttpRequest& req);
// Acting for someone (X-Act-For): the power of attorney must name the service applied for,
// `services.apply:<bundle>` — `bundle`, or the bundle of case `case_id` of `me` (404 for a case
// that is not theirs). OK when the caller acts for themself. kPermissionDenied otherwise.
Status MayApply(const HttpRequest& req, std::string_view bundle);
Status MayApplyTo(const HttpRequest& req, service::CaseService& cases, const service::Person& me,
                  int64_t case_id);
// The staff member calling, with the catalogue department of their account. A department outside
// the catalogue is party to no case, task or ticket: the caller gets `missing` (the 404 of a
// missing object). Any other error (the account could not be read) is returned as it is.
Result<service::Staff> StaffOf(identity::IdentityService& identity, const data::Catalogue& catalogue,
                               const HttpRequest& req, Status missing);
// As StaffOf, for a list: nullopt (an empty list) when the department is outside the catalogue.
Result<std::optional<service::Staff>> StaffIfAny(identity::IdentityService& identity,
                                                 const data::Catalogue& catalogue, const HttpRequest& req);

}  // namespace tongban::api::service_routes
