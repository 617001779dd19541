// Helpers shared by the licence route files (license_handlers.cc,
// license_authorisation_routes.cc): the caller's holder subject, a licence as JSON, an optional
// ISO time field. Internal to license/part. Thread-safe (pure functions).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/http_message.h"
#include "api/json_body.h"
#include "identity/identity_service.h"
#include "license/license_service.h"

namespace tongban::api::license_routes {

// An optional ISO 8601 UTC time field as unix seconds; 0 when absent.
Result<int64_t> ParseTime(const JsonBody& body, std::string_view field);
// The caller's subject (citizen ID number or USCC): the holder of a wallet.
Result<std::string> HolderOf(identity::IdentityService& identity, const HttpRequest& req);
// A licence as the routes answer it (schema "License").
boost::json::object LicenseJson(const license::Catalogue& c, const license::License& l, int64_t now);

}  // namespace tongban::api::license_routes
