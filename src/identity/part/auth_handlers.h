// Authentication endpoints and the authorisation policy.
//
// The policy table IS the route table: each Route declares RouteAccess (public, or the roles and
// API-key scopes allowed). MakeAuthoriser() enforces it for every route in one place:
//   public route                          -> allowed, no credentials read
//   missing / malformed / forged / expired / revoked credential -> 401
//   role not listed and no listed scope   -> 403
// Ownership ("only my own receipts") is enforced by handlers reading request.principal — they
// query by the caller's own account, never by an id taken from the request.
// Thread-safe.
#pragma once

#include "api/dispatcher.h"
#include "identity/identity_service.h"

namespace tongban::api {

// Does `principal` satisfy `access`? OK or PermissionDenied.
Status Authorise(const identity::Principal& principal, const RouteAccess& access);

Authoriser MakeAuthoriser(identity::IdentityService& identity);

// POST /api/v1/auth/login, /refresh, /logout; GET /api/v1/me.
void AddAuthRoutes(Router& router, identity::IdentityService& identity);

}  // namespace tongban::api
