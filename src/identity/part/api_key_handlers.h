// API-key management endpoints: an operator (role admin) lists, creates, rotates and revokes the
// API keys of department systems; a department system lists its own keys and rotates the key it
// calls with (the old key keeps working for an overlap window, then stops). Secrets are shown
// once, in the answer that creates them, and never stored or logged in clear.
// Thread-safe (the routes only call IdentityService).
#pragma once

#include "api/router.h"
#include "identity/identity_service.h"

namespace tongban::api {

// /api/v1/admin/api-keys…, /api/v1/me/api-keys…
void AddApiKeyRoutes(Router& router, identity::IdentityService& identity);

}  // namespace tongban::api
