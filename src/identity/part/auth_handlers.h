// Authentication endpoints and the authorisation policy.
//
// The policy table IS the route table: each Route declares RouteAccess (public, or the roles and
// API-key scopes allowed). MakeAuthoriser() enforces it for every route in one place:
//   public route                          -> allowed, no credentials read
//   missing / malformed / forged / expired / revoked credential -> 401
//   role not listed and no listed scope   -> 403
//   X-Act-For: <attorney id> (acting for another, identity/attorney.h): the attorney must be the
//   caller's, in force and cover the route's act_scope, else 403; then the principal is the
//   person acted for, with the caller as agent (attorney_routes.h ActFor)
// Ownership ("only my own receipts") is enforced by handlers reading request.principal — they
// query by the caller's own account, never by an id taken from the request.
// Thread-safe.
#pragma once

#include "api/dispatcher.h"
#include "identity/attorney.h"
#include "identity/identity_service.h"

namespace tongban::api {

// Does `principal` satisfy `access`? OK or PermissionDenied.
Status Authorise(const identity::Principal& principal, const RouteAccess& access);

// `attorneys` may be null: then every X-Act-For request is refused (403).
Authoriser MakeAuthoriser(identity::IdentityService& identity,
                          identity::AttorneyService* attorneys = nullptr);

// POST /api/v1/auth/login, /refresh, /logout; GET /api/v1/me.
void AddAuthRoutes(Router& router, identity::IdentityService& identity);

}  // namespace tongban::api
