// Powers of attorney over HTTP (identity/attorney.h): a citizen gives, lists and withdraws them
// and sees their uses; an agent lists whom they may act for; window staff create one with the
// principal present (confirmed by a one-time code sent to the principal); an enterprise manages
// its agents (经办人); an admin records guardianships. And ActFor, the authoriser's step for a
// request carrying X-Act-For (docs/auth.md "Acting for others").
// Thread-safe (as the services they call).
#pragma once

#include <string_view>

#include "api/router.h"
#include "identity/attorney.h"
#include "identity/identity_service.h"
#include "identity/one_time_code.h"

namespace tongban::api {

// The authoriser's step for `X-Act-For: <attorney id>`: the route must accept acting
// (RouteAccess::act_scope), the caller must be logged in with a session (not an API key), and the
// attorney must be theirs, in force and cover the act-scope (AttorneyService::Act, a database read
// on every request, which records the use). Returns the principal acted for, carrying the agent.
// kPermissionDenied (403) with the reason; kInvalidArgument for a malformed header.
Result<identity::Principal> ActFor(identity::AttorneyService* attorneys, identity::Principal agent,
                                   std::string_view header, const Route& route);

// `codes` may be null (no one-time codes): assisted creation then answers 503.
void AddAttorneyRoutes(Router& router, identity::AttorneyService& attorneys,
                       identity::IdentityService& identity, identity::OneTimeCodes* codes);

}  // namespace tongban::api
