// HTTP endpoints of data objections (数据异议, docs/data.md "Objections"):
//   POST /api/v1/me/data/objections              citizen, enterprise: raise one on an element of my record
//   GET  /api/v1/me/data/objections              ... my objections, each with its steps
//   GET  /api/v1/me/data/objections/{id}         ... one of them (404 for another's)
//   GET  /api/v1/data/objections?state=...       staff, department system: my department's queue;
//                                                auditor, admin: every department's
//   POST /api/v1/data/objections/{id}/accept     the owner department's staff or system (scope
//                                                data:push): {value, note?} -> version n+1
//   POST /api/v1/data/objections/{id}/reject     the same: {reason}
// Objects of another subject or department answer 404, as missing ones do. Thread-safe;
// everything referenced outlives the router.
#pragma once

#include "api/router.h"
#include "data/objection.h"
#include "identity/identity_service.h"

namespace tongban::api {

struct DataObjectionRoutesOptions {
  data::ObjectionService* objections = nullptr;
  data::DataService* service = nullptr;  // the catalogue and the caller's department (data_routes.h)
  identity::IdentityService* identity = nullptr;
};

void AddDataObjectionRoutes(Router& router, const DataObjectionRoutesOptions& options);

}  // namespace tongban::api
