// OidcLogins: the relying-party side of one real-name login through a province's OpenID provider
// (统一身份认证), authorization-code flow with PKCE (RFC 7636, S256), `state` and `nonce`.
//
//   1. Start(provider)            -> the provider's authorization URL. A fresh state, nonce and
//                                    PKCE verifier; the state's and nonce's SHA-256 and the
//                                    verifier are kept in `oidc_states` for 10 minutes. Also a
//                                    browser binding (256 random bits) for a cookie: the login
//                                    must come back to the browser that started it (RFC 9700
//                                    §4.7: no login CSRF), only its hash kept with the state.
//   2. Callback(provider, code, state, binding) -> the state row is taken (single use) and its
//                                    binding must be the cookie's; the code is
//                                    redeemed at the token endpoint with the verifier and the
//                                    client's secret; the ID token is checked (oidc_token.h); the
//                                    subject claim (citizen ID number or USCC, validated) finds
//                                    the account with that subject_id or creates one; a login
//                                    ticket (256 random bits, its hash kept for 60 s) is returned.
//   3. RedeemTicket(ticket)       -> the ticket row is taken (single use) and a normal session
//                                    starts through IdentityService::LoginWith, with the
//                                    assurance level (`acr`) on the session row.
//   4. Logout(session)            -> the provider's end-session URL with id_token_hint
//                                    (RP-initiated logout); the local session is revoked.
// The provider's endpoints come from `<issuer>/.well-known/openid-configuration`, read on first
// use (and again after a failure). HTTP goes through OidcHttp, implemented by the identity part's
// adapter (identity/part/oidc_http.h): this library never speaks HTTP itself.
// Nothing here logs a token, code, ticket or full ID number. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "identity/identity_service.h"
#include "identity/oidc_token.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::identity {

// One configured provider ([[auth.oidc_providers]]).
struct OidcProviderConfig {
  std::string name;            // [a-z0-9_-], 1-32: in the URLs /api/v1/auth/oidc/<name>/...
  std::string issuer;          // exact `iss`; discovery at <issuer>/.well-known/openid-configuration
  std::string client_id;
  std::string client_secret;       // or, better, client_secret_file (read at open)
  std::string client_secret_file;  // a file holding the secret (text), relative to the config
  std::string token_auth = "client_secret_basic";  // or "client_secret_post"
  std::string redirect_uri;    // ends with /api/v1/auth/oidc/<name>/callback
  std::vector<std::string> scopes = {"openid"};
  std::string subject_claim = "sub";  // the claim holding the citizen ID number or USCC
  std::string display_name_zh;
  std::string display_name_en;
  std::string post_logout_redirect_uri;  // optional, sent with RP-initiated logout
  // Checks the fields; errors name "<prefix>.<field>".
  Status Validate(std::string_view prefix) const;
};

struct OidcOptions {
  int64_t state_ttl_seconds = 600;
  int64_t ticket_ttl_seconds = 60;
  int64_t leeway_seconds = 60;
  int64_t max_token_age_seconds = 600;
  int64_t jwks_min_refresh_seconds = 60;
};

// The HTTP the flow needs, implemented by the adapter (api::HttpSend).
class OidcHttp {
 public:
  struct Reply {
    int status = 0;
    std::string body;
  };
  virtual ~OidcHttp() = default;
  virtual Result<Reply> Get(const std::string& url) = 0;
  // POST application/x-www-form-urlencoded with extra headers (Authorization).
  virtual Result<Reply> PostForm(const std::string& url, const std::string& form,
                                 const std::vector<std::pair<std::string, std::string>>& headers) = 0;
};

// The provider's metadata from discovery.
struct OidcEndpoints {
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::string end_session_endpoint;  // "" when the provider has no RP-initiated logout
};

// What Start yields: where to send the browser, and the value of its binding cookie.
struct OidcStart {
  std::string url;
  std::string binding;  // 43 base64url characters; set as an HttpOnly cookie by the route
};

// What a successful callback yields: a ticket the portal exchanges for tokens.
// Counts since start, for the metrics.
struct OidcCounts {
  int64_t started = 0;    // redirects to a provider
  int64_t completed = 0;  // tickets redeemed: sessions started
  int64_t refused = 0;    // callbacks refused (bad state, code, ID token, subject)
};

struct OidcTicket {
  std::string ticket;  // "tbo_<43 base64url chars>", single use
  int64_t account_id = 0;
  bool created = false;  // a new account was made for this person
};

// What a redeemed ticket yields.
struct OidcSession {
  TokenPair tokens;
  std::string acr;
  std::string provider;
};

// application/x-www-form-urlencoded / URL query encoding of one value (RFC 3986 unreserved kept).
std::string FormEncode(std::string_view s);

class OidcLogins {
 public:
  // Its tables (part "identity_oidc"): oidc_states, oidc_tickets, oidc_sessions, oidc_subjects
  // (person -> account) and sessions.acr. Applied after identity's own (migrations run in part-name order).
  static std::vector<store::Migration> Migrations();

  // `db`, `clock`, `identity` and `http` must outlive this. Provider names are unique
  // (checked by the config reader).
  OidcLogins(store::Database& db, const Clock& clock, IdentityService& identity, OidcHttp& http,
             std::vector<OidcProviderConfig> providers, OidcOptions options = {});
  ~OidcLogins();

  const std::vector<OidcProviderConfig>& providers() const { return providers_; }

  // kNotFound for an unknown provider; kUnavailable when its discovery cannot be read.
  Result<OidcStart> Start(std::string_view provider);
  // `binding`: the cookie Start's binding was set in ("" when the browser sent none).
  // kNotFound (unknown provider); kUnauthenticated with a code ("bad_state" — also for another
  // browser's state —, "code_rejected", "bad_signature", "bad_nonce", "expired", "unknown_kid",
  // "bad_subject", ...) for a refusal.
  Result<OidcTicket> Callback(std::string_view provider, std::string_view code,
                              std::string_view state, std::string_view binding);
  // kUnauthenticated "bad_ticket" for an unknown, used or expired ticket.
  Result<OidcSession> RedeemTicket(std::string_view ticket);
  // The URL to send the browser to for the provider's logout, or "" when the session did not
  // come from a provider (or it has no end-session endpoint). Revokes the session in any case.
  Result<std::string> Logout(int64_t session_id);
  // The assurance level kept on a session ("" for a password login).
  Result<std::string> SessionAcr(int64_t session_id);
  // Deletes expired states and tickets; returns how many rows went.
  Result<int64_t> Purge();
  OidcCounts counts() const {
    return {started_.load(), completed_.load(), refused_.load()};
  }

 private:
  struct Provider;
  Result<Provider*> Find(std::string_view name);
  Result<OidcEndpoints> Endpoints(Provider& p);
  Result<OidcTicket> RunCallback(std::string_view provider, std::string_view code,
                                 std::string_view state, std::string_view binding);
  Result<std::pair<int64_t, bool>> FindOrCreateAccount(const OidcProviderConfig& config,
                                                       const IdTokenClaims& claims);
  int64_t Now() const;

  store::Database& db_;
  const Clock& clock_;
  IdentityService& identity_;
  OidcHttp& http_;
  std::vector<OidcProviderConfig> providers_;
  OidcOptions options_;
  std::vector<std::unique_ptr<Provider>> state_;  // parallel to providers_
  // One find-or-create at a time on this node; across nodes the unique oidc_subjects link decides.
  std::mutex create_mu_;
  std::atomic<int64_t> started_{0}, completed_{0}, refused_{0};
};

}  // namespace tongban::identity
