// The routes of the province login (统一身份认证, OIDC) and their [auth] configuration:
//   GET  /api/v1/auth/providers                     public list for the login page
//   GET  /api/v1/auth/oidc/{provider}/start         302 to the provider (state, nonce, PKCE),
//                                                   and the browser-binding cookie tb_oidc
//   GET  /api/v1/auth/oidc/{provider}/callback      302 to the portal with a login ticket in the
//                                                   fragment (#oidc_ticket=...), or an error code
//                                                   (#oidc_error=bad_nonce); a client sending
//                                                   Accept: application/problem+json gets the
//                                                   problem itself
//   POST /api/v1/auth/oidc/ticket {ticket}          the token pair, as /auth/login answers
//   POST /api/v1/auth/oidc/logout                   revokes the session; the provider's
//                                                   end-session URL (RP-initiated logout)
// Thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "api/metrics.h"
#include "api/router.h"
#include "identity/oidc_login.h"
#include "part/config_section.h"

namespace tongban::identity {

struct OidcConfig {
  std::vector<OidcProviderConfig> providers;  // [[auth.oidc_providers]]
  std::string portal_path = "/portal";   // where the callback sends the browser back
};

// Reads `oidc_portal_path` and every [[auth.oidc_providers]] table of `section`; a bad or
// duplicate provider is an error naming the field ("auth.oidc_providers[0].issuer: ...").
Status ReadOidcConfig(part::ConfigSection& section, OidcConfig& out);

// Reads each provider's client_secret_file (a path resolved by `resolve`, relative to the
// config's folder) into client_secret; an unreadable or empty file names the field. At open.
Status ResolveOidcSecrets(OidcConfig& config,
                          const std::function<std::filesystem::path(const std::string&)>& resolve);

// The province-login gauges: logins started, completed, refused.
void AddOidcMetrics(api::Metrics& metrics, OidcLogins& logins);

// The commented lines `tongban init` writes for it (no provider configured).
std::string OidcDefaultConfig();

void AddOidcRoutes(api::Router& router, OidcLogins& logins, const OidcConfig& config);

}  // namespace tongban::identity
