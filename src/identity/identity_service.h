// IdentityService: accounts, local login with Argon2id passwords, session and refresh tokens,
// logout that revokes, and API keys for department systems — and Authenticate(), which turns an
// Authorization header into a Principal on every request without a database read for session
// tokens (HMAC check + in-memory revocation set) and with a cached lookup for API keys.
//
// An external identity provider (a province's OIDC) plugs in through IdentityProvider below: it
// maps a verified external login to an account here; docs/auth.md describes the flow.
//
// Secrets: passwords are stored as Argon2id strings; refresh tokens and API-key secrets (256-bit
// random) are stored as SHA-256 hashes, never in clear; nothing here logs a token or key.
// Thread-safe. `db` and `clock` must outlive the service.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/password.h"
#include "identity/login_guard.h"
#include "identity/my_data.h"
#include "identity/principal.h"
#include "identity/session_token.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::identity {

struct NewAccount {
  std::string login;         // unique: a phone number, staff number or system name
  Role role = Role::kCitizen;
  std::string display_name;  // e.g. 张伟
  std::string subject_id;    // citizen ID number or USCC (validated by the caller); may be empty
  std::string department;    // staff and systems, e.g. "杭州市医疗保障局"
  std::string region_code;   // GB/T 2260, e.g. "330100"
  std::string password;      // empty for accounts that only use API keys or an external IdP
};

struct Account {
  int64_t id = 0;
  std::string login;
  Role role = Role::kCitizen;
  std::string display_name;
  std::string subject_id;  // personal data: masked before it reaches a log or a screen
  std::string department;
  std::string region_code;
};

// An API key as listed to its owner or an operator: never the secret.
struct ApiKeyInfo {
  std::string key_id;  // public part of the key ("tbk_<key_id>_<secret>")
  int64_t account_id = 0;
  std::string account_login;
  std::vector<std::string> scopes;
  std::string label;
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;  // set when the key was rotated (end of the overlap)
  std::optional<int64_t> revoked_at;
  // Valid now: neither revoked nor past its expiry.
  bool active = false;
};

struct TokenPair {
  std::string access_token;   // tb1.… bearer token
  std::string refresh_token;  // opaque, single use (rotated)
  int64_t expires_in = 0;     // seconds until access_token expires
  int64_t session_id = 0;
};

struct IdentityOptions {
  int64_t access_ttl_seconds = 15 * 60;
  int64_t refresh_ttl_seconds = 7 * 24 * 3600;
  // Argon2id cost (crypto/password.h); tests use PasswordParams::ForTestsOnly().
  crypto::PasswordParams password = crypto::PasswordParams::Interactive();
  // Per-account back-off and bounded password checks (login_guard.h).
  LoginGuardOptions login;
  // How long a cached API-key row is trusted before it is read again, so a key revoked on
  // another node stops working here within this time (on the revoking node: at once).
  int64_t api_key_cache_seconds = 5;
};

// Maps an identity asserted by an external provider (after it verified the user) to a local
// account. Implementations: OIDC (a province's 统一身份认证), documented in docs/auth.md.
class IdentityProvider {
 public:
  virtual ~IdentityProvider() = default;
  // Verifies the provider's assertion (e.g. an OIDC ID token) and returns the local login name.
  virtual Result<std::string> VerifyAssertion(std::string_view assertion) = 0;
};

class IdentityService {
 public:
  static std::vector<store::Migration> Migrations();

  // `token_key`: at least 32 random bytes, the deployment's session-token key.
  IdentityService(store::Database& db, const Clock& clock, std::string token_key,
                  IdentityOptions options = {});

  // Loads the revoked sessions still within their lifetime (call once at start).
  Status LoadRevocations();

  // Creates an account. kAlreadyExists if the login is taken; kInvalidArgument for bad fields.
  Result<int64_t> CreateAccount(const NewAccount& account);
  Result<Account> GetAccount(int64_t id);

  // Local login. kUnauthenticated ("wrong login or password") for an unknown login or a wrong
  // password alike, after the same amount of work. kResourceExhausted while the login name is
  // backing off after failures (HTTP 429; login_guard().RetryAfterSeconds(login) says how
  // long); kUnavailable when too many password checks are waiting (HTTP 503).
  Result<TokenPair> Login(std::string_view login, std::string_view password);
  // Login through an external identity provider's assertion.
  Result<TokenPair> LoginWith(IdentityProvider& provider, std::string_view assertion);
  // Exchanges a refresh token for a new pair; the old refresh token stops working. Presenting the
  // refresh token that was just rotated away revokes the whole session, its newest tokens too
  // (RFC 9700 §4.14: one of the two holders is a thief), and records why (sessions.revoked_reason).
  Result<TokenPair> Refresh(std::string_view refresh_token);
  // Revokes the session: its access and refresh tokens stop working at once.
  Status Logout(int64_t session_id);

  // Creates an API key for a department-system account. Returns the key ("tbk_<id>_<secret>"),
  // shown once; only a hash of the secret is stored.
  Result<std::string> CreateApiKey(int64_t account_id, std::vector<std::string> scopes,
                                   std::string label);
  // A new key with the same account, scopes and label; the old one keeps working for
  // `overlap_seconds` (0 - 7 days) so the system can switch over, then stops. Returns the new
  // key, shown once. kNotFound for an unknown key id; kFailedPrecondition if it is no longer active.
  Result<std::string> RotateApiKey(std::string_view key_id, int64_t overlap_seconds);
  // Stops a key at once on this node, within api_key_cache_seconds on others.
  // kNotFound for an unknown key id.
  Status RevokeApiKey(std::string_view key_id);
  // The keys of one account (`account_id`), or of every account (0), newest first.
  Result<std::vector<ApiKeyInfo>> ListApiKeys(int64_t account_id);
  Result<ApiKeyInfo> GetApiKey(std::string_view key_id);
  // The account with login name `login`; kNotFound if none.
  Result<Account> FindAccount(std::string_view login);

  LoginGuard& login_guard() { return login_guard_; }
  // The sections of "download my data" the parts register at Open (identity/my_data.h).
  MyDataSections& my_data() { return my_data_; }
  // Called with the session id after each successful Refresh (the sessions list's "last used",
  // identity/session_directory.h). Set once at start, before any request.
  void OnRefresh(std::function<void(int64_t session_id)> hook) { on_refresh_ = std::move(hook); }

  // The Authorization header value ("Bearer tb1.…", "Bearer tbk_…") to a Principal.
  // kUnauthenticated for a missing, malformed, forged, expired or revoked credential.
  Result<Principal> Authenticate(std::string_view authorization_header);

 private:
  struct CachedKey {
    std::string secret_hash;  // SHA-256 of the secret
    int64_t account_id = 0;
    Role role = Role::kDepartmentSystem;
    std::vector<std::string> scopes;
    bool revoked = false;
    std::optional<int64_t> expires_at;  // unix seconds
    int64_t loaded_at_micros = 0;       // when read from the database (clock time)
  };
  // `password_hash`: for a password login, the hash the password was checked against; the
  // session is refused (kUnauthenticated) when the account's hash changed meanwhile.
  Result<TokenPair> StartSession(int64_t account_id, Role role,
                                 const std::string* password_hash = nullptr);
  Result<Principal> AuthenticateApiKey(std::string_view key);
  int64_t NowSeconds() const;

  store::Database& db_;
  const Clock& clock_;
  SessionTokenCodec codec_;
  IdentityOptions options_;
  std::string dummy_password_hash_;  // for equal work on unknown logins
  LoginGuard login_guard_;
  MyDataSections my_data_;
  std::function<void(int64_t)> on_refresh_;

  std::shared_mutex mu_;
  std::unordered_set<int64_t> revoked_sessions_;
  std::unordered_map<std::string, CachedKey> api_keys_;  // key id -> cached row
  uint64_t api_key_epoch_ = 0;  // bumped by every revocation and rotation (under mu_)
};

}  // namespace tongban::identity
