// IdentityPart: accounts, sessions and API keys as a part of the program (part/part.h). Config
// section [auth] (its name before parts had sections). Owns the IdentityService; its authoriser
// enforces every route's policy. Thread-safety: as part/part.h; service() is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "api/dispatcher.h"
#include "identity/attorney.h"
#include "identity/identity_service.h"
#include "identity/part/account_routes.h"
#include "identity/part/key_commands.h"
#include "identity/part/oidc_http.h"
#include "identity/part/oidc_routes.h"
#include "part/part.h"

namespace tongban::identity {

struct AuthConfig {
  std::string session_key_file = "keys/session.key";  // HMAC key of session tokens
  int64_t access_ttl_s = 900;        // bearer token lifetime
  int64_t refresh_ttl_s = 604800;    // refresh token (session) lifetime
  // Password guessing: failed logins of one account before back-off starts, and the longest
  // back-off (it doubles from 1 s per further failure; no lock-out).
  int64_t login_free_failures = 5;
  int64_t login_backoff_max_s = 300;
  // Password checks (Argon2id) run at most this many at once (0 = one per core), with at most
  // `password_queue` logins waiting (then 503).
  int64_t password_threads = 0;
  int64_t password_queue = 8;
  // How long a node trusts a cached API-key row (a key revoked elsewhere stops within this).
  int64_t api_key_cache_s = 5;
  // "My sessions": note each session's use on authenticated requests (in memory, flushed every
  // 30 s); off, a session's last use is its last refresh.
  bool note_session_use = true;
  // One-time codes (OneTimeCodeOptions): sends per person and per source address (an IPv6
  // client by its /64) per window, and wrong codes per source address per window.
  int64_t otp_window_s = 900;
  int64_t otp_sends_per_login = 5;
  int64_t otp_sends_per_address = 20;
  int64_t otp_wrong_per_address = 30;
};

class IdentityPart : public part::Part {
 public:
  std::string_view name() const override { return "identity"; }
  std::string_view config_section() const override { return "auth"; }
  std::string DefaultConfig(const part::InitChoices& choices) const override;
  Status Configure(part::ConfigSection& section) override;
  Status Initialise(const part::InitChoices& choices, const std::filesystem::path& base_dir) override;
  std::vector<store::Migration> Migrations() const override {
    std::vector<store::Migration> out = IdentityService::Migrations();
    for (auto& m : AccountFeatures::Migrations()) out.push_back(std::move(m));  // identity_otp, _sessions, _export
    for (auto& m : OidcLogins::Migrations()) out.push_back(std::move(m));  // part identity_oidc
    for (auto& m : AttorneyService::Migrations()) out.push_back(std::move(m));  // identity_attorney
    return out;
  }
  Status Open(const part::PartContext& context) override;
  void AddRoutes(api::Router& router) override;
  void AddMetrics(api::Metrics& metrics) override;
  Status LoadDemo(part::DemoData& demo) override;
  void AddCommands(part::Commands& commands) override;
  Status Start() override;
  Status Stop() override;

  const AuthConfig& config() const { return config_; }
  // REQUIRES: Open succeeded.
  IdentityService& service() { return *service_; }
  // Powers of attorney (identity/attorney.h). REQUIRES: Open succeeded.
  AttorneyService& attorneys() { return *attorneys_; }
  // The policy of every route (identity/part/auth_handlers.h).
  api::Authoriser Authoriser();

 private:
  AuthConfig config_;
  std::unique_ptr<IdentityService> service_;
  // One-time codes, my sessions (identity/part/account_routes.h).
  AccountFeatures account_;
  std::unique_ptr<AttorneyService> attorneys_;
  KeysOptions keys_options_;
  // The province login (OIDC): [[auth.oidc_providers]], its HTTP client and flow.
  OidcConfig oidc_config_;
  OidcHttpClient oidc_http_;
  std::unique_ptr<OidcLogins> oidc_;
};

}  // namespace tongban::identity
