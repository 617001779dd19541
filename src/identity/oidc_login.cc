// The OIDC authorization-code flow with PKCE; see oidc_login.h.
#include "identity/oidc_login.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/base64.h"
#include "core/citizen_id.h"
#include "core/mask.h"
#include "core/uscc.h"
#include "crypto/constant_time.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace tongban::identity {
namespace {

std::string RandomToken() { return Base64UrlEncode(crypto::RandomBytes(32)); }

std::string Sha256(std::string_view s) {
  auto d = crypto::Hash(crypto::HashAlgorithm::kSha256, s);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

Status Refused(std::string_view code, std::string_view text) {
  return Status::Unauthenticated(std::string(code) + ": " + std::string(text));
}

bool IsHttpUrl(std::string_view u) { return u.starts_with("http://") || u.starts_with("https://"); }

std::string StringOf(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The login names of accounts made at a first provider login: random, so the name reveals nothing
// about the person (their ID number is kept in subject_id only).
std::string NewLogin() {
  std::string r = crypto::RandomBytes(8);
  return "idp-" + crypto::ToHex(std::span<const uint8_t>(
                      reinterpret_cast<const uint8_t*>(r.data()), r.size()));
}

// IdentityService::LoginWith's seam, used with a login ticket: the ticket row is taken (single
// use) and names the account; what it carried (acr, provider, ID token) is kept for the session.
class TicketAssertion : public IdentityProvider {
 public:
  TicketAssertion(store::Database& db, int64_t now) : db_(db), now_(now) {}
  Result<std::string> VerifyAssertion(std::string_view ticket) override {
    if (!ticket.starts_with("tbo_") || ticket.size() > 64) {
      return Refused("bad_ticket", "not a login ticket");
    }
    std::string login;
    bool expired = false;
    Status s = db_.Transact([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto row,
                          tx.QueryRow("SELECT t.provider, t.acr, t.id_token, t.expires_at, a.login "
                                      "FROM oidc_tickets t JOIN accounts a ON a.id = t.account_id "
                                      "WHERE t.ticket_hash = ?",
                                      {store::Param::Blob(Sha256(ticket))}));
      if (!row) return Status::Ok();
      provider = std::string(row->Text(0));
      acr = std::string(row->Text(1));
      id_token = std::string(row->Text(2));
      expired = row->Int64(3) < now_;
      login = std::string(row->Text(4));
      TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("DELETE FROM oidc_tickets WHERE ticket_hash = ?",
                                             {store::Param::Blob(Sha256(ticket))}));
      if (n != 1) login.clear();  // taken by a concurrent redemption
      return Status::Ok();
    });
    if (!s.ok()) return s;
    if (login.empty() || expired) {
      return Refused("bad_ticket", "the login ticket is unknown, used or expired");
    }
    return login;
  }
  std::string provider, acr, id_token;

 private:
  store::Database& db_;
  int64_t now_;
};

}  // namespace

std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Status OidcProviderConfig::Validate(std::string_view prefix) const {
  auto field = [&](std::string_view f) { return std::string(prefix) + "." + std::string(f); };
  if (name.empty() || name.size() > 32) return Status::InvalidField(field("name"), "1-32 characters");
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return Status::InvalidField(field("name"), "only a-z, 0-9, - and _");
    }
  }
  if (!IsHttpUrl(issuer)) return Status::InvalidField(field("issuer"), "must be an http(s):// URL");
  if (client_id.empty()) return Status::InvalidField(field("client_id"), "is required");
  if (client_secret.empty() == client_secret_file.empty()) {
    return Status::InvalidField(field("client_secret"),
                                "give client_secret or client_secret_file (one of them)");
  }
  if (token_auth != "client_secret_basic" && token_auth != "client_secret_post") {
    return Status::InvalidField(field("token_auth"),
                                "must be client_secret_basic or client_secret_post");
  }
  if (!IsHttpUrl(redirect_uri) ||
      !redirect_uri.ends_with("/api/v1/auth/oidc/" + name + "/callback")) {
    return Status::InvalidField(field("redirect_uri"),
                                "must be an http(s):// URL ending /api/v1/auth/oidc/" + name +
                                    "/callback");
  }
  bool openid = false;
  for (const std::string& s : scopes) openid = openid || s == "openid";
  if (!openid) return Status::InvalidField(field("scopes"), "must include \"openid\"");
  if (subject_claim.empty()) return Status::InvalidField(field("subject_claim"), "is required");
  if (display_name_zh.empty()) return Status::InvalidField(field("display_name_zh"), "is required");
  if (display_name_en.empty()) return Status::InvalidField(field("display_name_en"), "is required");
  if (!post_logout_redirect_uri.empty() && !IsHttpUrl(post_logout_redirect_uri)) {
    return Status::InvalidField(field("post_logout_redirect_uri"), "must be an http(s):// URL");
  }
  return Status::Ok();
}

std::vector<store::Migration> OidcLogins::Migrations() {
  // oidc_states.binding_hash: the hash of the browser binding (the cookie set at start).
  // oidc_subjects: the link of a person (ID number or USCC, and role) to their account, unique, so
  // that two nodes making an account for one person's first login agree on one.
  return {{.part = "identity_oidc", .version = 1, .sql = R"(
ALTER TABLE sessions ADD COLUMN acr TEXT;
CREATE TABLE oidc_states (
  state_hash {{blob}} PRIMARY KEY,
  provider TEXT NOT NULL,
  nonce_hash {{blob}} NOT NULL,
  code_verifier TEXT NOT NULL,
  expires_at {{int64}} NOT NULL,
  binding_hash {{blob}}
);
CREATE INDEX oidc_states_expiry ON oidc_states(expires_at);
CREATE TABLE oidc_tickets (
  ticket_hash {{blob}} PRIMARY KEY,
  account_id {{int64}} NOT NULL REFERENCES accounts(id),
  provider TEXT NOT NULL,
  acr TEXT NOT NULL,
  id_token TEXT NOT NULL,
  expires_at {{int64}} NOT NULL
);
CREATE INDEX oidc_tickets_expiry ON oidc_tickets(expires_at);
CREATE TABLE oidc_sessions (
  session_id {{int64}} PRIMARY KEY REFERENCES sessions(id),
  provider TEXT NOT NULL,
  id_token TEXT NOT NULL
);
CREATE TABLE oidc_subjects (
  subject_id TEXT NOT NULL,
  role TEXT NOT NULL,
  account_id {{int64}} NOT NULL REFERENCES accounts(id),
  created_at {{int64}} NOT NULL,
  PRIMARY KEY (subject_id, role)
);
)"}};
}

struct OidcLogins::Provider {
  const OidcProviderConfig* config = nullptr;
  std::mutex mu;
  std::optional<OidcEndpoints> endpoints;
  std::unique_ptr<JwksCache> jwks;
  std::unique_ptr<IdTokenVerifier> verifier;
};

OidcLogins::OidcLogins(store::Database& db, const Clock& clock, IdentityService& identity,
                       OidcHttp& http, std::vector<OidcProviderConfig> providers,
                       OidcOptions options)
    : db_(db),
      clock_(clock),
      identity_(identity),
      http_(http),
      providers_(std::move(providers)),
      options_(options) {
  for (const OidcProviderConfig& c : providers_) {
    auto p = std::make_unique<Provider>();
    p->config = &c;
    state_.push_back(std::move(p));
  }
}

OidcLogins::~OidcLogins() = default;

int64_t OidcLogins::Now() const { return clock_.NowUnixMicros() / 1000000; }

Result<OidcLogins::Provider*> OidcLogins::Find(std::string_view name) {
  for (auto& p : state_) {
    if (p->config->name == name) return p.get();
  }
  return Status::NotFound("identity provider", name);
}

Result<OidcEndpoints> OidcLogins::Endpoints(Provider& p) {
  std::lock_guard lock(p.mu);
  if (p.endpoints) return *p.endpoints;
  const OidcProviderConfig& c = *p.config;
  std::string issuer = c.issuer;
  while (issuer.ends_with('/')) issuer.pop_back();
  auto reply = http_.Get(issuer + "/.well-known/openid-configuration");
  if (!reply.ok() || reply->status != 200) {
    return Status::Unavailable("the identity provider cannot be reached")
        .WithDetail(reply.ok() ? "discovery status " + std::to_string(reply->status)
                               : reply.status().ToString());
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(reply->body, ec);
  if (ec || !v.is_object()) return Status::Unavailable("the identity provider's discovery is not JSON");
  const boost::json::object& o = v.as_object();
  OidcEndpoints e{StringOf(o, "authorization_endpoint"), StringOf(o, "token_endpoint"),
                  StringOf(o, "jwks_uri"), StringOf(o, "end_session_endpoint")};
  // OpenID Connect Discovery §4.3: the document's issuer must be the one we asked.
  if (StringOf(o, "issuer") != c.issuer || !IsHttpUrl(e.authorization_endpoint) ||
      !IsHttpUrl(e.token_endpoint) || !IsHttpUrl(e.jwks_uri)) {
    return Status::Unavailable("the identity provider's discovery document is not usable");
  }
  if (!e.end_session_endpoint.empty() && !IsHttpUrl(e.end_session_endpoint)) {
    e.end_session_endpoint.clear();
  }
  OidcHttp* http = &http_;
  std::string jwks_uri = e.jwks_uri;
  p.jwks = std::make_unique<JwksCache>(
      [http, jwks_uri]() -> Result<std::string> {
        TB_ASSIGN_OR_RETURN(OidcHttp::Reply r, http->Get(jwks_uri));
        if (r.status != 200) return Status::Unavailable("JWKS status " + std::to_string(r.status));
        return std::move(r.body);
      },
      clock_, options_.jwks_min_refresh_seconds);
  p.verifier = std::make_unique<IdTokenVerifier>(
      IdTokenRules{.issuer = c.issuer, .client_id = c.client_id,
                   .leeway_seconds = options_.leeway_seconds,
                   .max_age_seconds = options_.max_token_age_seconds},
      *p.jwks, clock_);
  p.endpoints = e;
  return e;
}

Result<OidcStart> OidcLogins::Start(std::string_view provider) {
  TB_ASSIGN_OR_RETURN(Provider * p, Find(provider));
  TB_ASSIGN_OR_RETURN(OidcEndpoints e, Endpoints(*p));
  const OidcProviderConfig& c = *p->config;
  std::string state = RandomToken();
  std::string nonce = RandomToken();
  std::string verifier = RandomToken();  // 43 characters of [A-Za-z0-9_-] (RFC 7636 §4.1)
  std::string binding = RandomToken();
  std::string challenge = Base64UrlEncode(Sha256(verifier));
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    return tx.Exec("INSERT INTO oidc_states (state_hash, provider, nonce_hash, code_verifier, "
                   "expires_at, binding_hash) VALUES (?, ?, ?, ?, ?, ?)",
                   {store::Param::Blob(Sha256(state)), c.name, store::Param::Blob(Sha256(nonce)),
                    verifier, Now() + options_.state_ttl_seconds,
                    store::Param::Blob(Sha256(binding))})
        .status();
  }));
  std::string scope;
  for (const std::string& s : c.scopes) scope += (scope.empty() ? "" : " ") + s;
  std::string url = e.authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + FormEncode(c.client_id) +
         "&redirect_uri=" + FormEncode(c.redirect_uri) + "&scope=" + FormEncode(scope) +
         "&state=" + state + "&nonce=" + nonce + "&code_challenge=" + challenge +
         "&code_challenge_method=S256";
  started_.fetch_add(1, std::memory_order_relaxed);
  return OidcStart{std::move(url), std::move(binding)};
}

Result<std::pair<int64_t, bool>> OidcLogins::FindOrCreateAccount(const OidcProviderConfig& c,
                                                                const IdTokenClaims& claims) {
  std::string raw = c.subject_claim == "sub" ? claims.sub : claims.StringClaim(c.subject_claim);
  std::string subject;
  Role role = Role::kCitizen;
  std::string region;
  if (auto id = CitizenId::Parse(raw, clock_, c.subject_claim); id.ok()) {
    subject = id->RevealFullNumber();
    region = subject.substr(0, 6);
  } else if (auto uscc = Uscc::Parse(raw, c.subject_claim); uscc.ok()) {
    subject = raw;
    role = Role::kEnterprise;
    region = subject.substr(2, 6);
  } else {
    return Refused("bad_subject", "the provider's " + c.subject_claim +
                                      " claim is not a valid citizen ID number or USCC");
  }
  std::lock_guard lock(create_mu_);  // one find-or-create at a time on this node
  // The person's link (oidc_subjects), else an account with their number (张伟's demo account is
  // his province login too), else a new account.
  std::optional<int64_t> linked, existing;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto link, tx.QueryRow("SELECT account_id FROM oidc_subjects WHERE "
                                               "subject_id = ? AND role = ?",
                                               {subject, RoleName(role)}));
    if (link) {
      linked = link->Int64(0);
      return Status::Ok();
    }
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id FROM accounts WHERE subject_id = ? AND "
                                              "role = ? ORDER BY id LIMIT 1",
                                              {subject, RoleName(role)}));
    if (row) existing = row->Int64(0);
    return Status::Ok();
  }));
  if (linked) return std::pair<int64_t, bool>{*linked, false};
  int64_t candidate = 0;
  bool created = !existing.has_value();
  if (existing) {
    candidate = *existing;
  } else {
    std::string name = claims.StringClaim("name");
    if (name.empty() || name.size() > 128) {
      name = role == Role::kCitizen ? "统一身份认证用户" : "统一身份认证企业";
    }
    TB_ASSIGN_OR_RETURN(candidate, identity_.CreateAccount(NewAccount{
                                       .login = NewLogin(), .role = role, .display_name = name,
                                       .subject_id = subject, .region_code = region}));
  }
  // The link is unique per (number, role): when another node linked this person first (both
  // made an account for the same first login), its account wins and ours is removed.
  int64_t winner = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO oidc_subjects (subject_id, role, account_id, "
                               "created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                               {subject, RoleName(role), candidate, Now()})
                           .status());
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT account_id FROM oidc_subjects WHERE "
                                              "subject_id = ? AND role = ?",
                                              {subject, RoleName(role)}));
    if (!row) return Status::Internal("the province-login link vanished");
    winner = row->Int64(0);
    return Status::Ok();
  }));
  if (winner != candidate && created) {
    // Best effort: an account nobody can log in to harms nothing if this fails.
    (void)db_.Transact([&](store::Tx& tx) -> Status {
      return tx.Exec("DELETE FROM accounts WHERE id = ?", {candidate}).status();
    });
    created = false;
  }
  if (created) {
    spdlog::info("oidc: provider {} created account {} ({}) for {}", c.name, winner,
                 RoleName(role), MaskIdentifier(subject));
  }
  return std::pair<int64_t, bool>{winner, created};
}

Result<OidcTicket> OidcLogins::Callback(std::string_view provider, std::string_view code,
                                        std::string_view state, std::string_view binding) {
  auto ticket = RunCallback(provider, code, state, binding);
  if (!ticket.ok() && ticket.status().code() == ErrorCode::kUnauthenticated) {
    refused_.fetch_add(1, std::memory_order_relaxed);
  }
  return ticket;
}

Result<OidcTicket> OidcLogins::RunCallback(std::string_view provider, std::string_view code,
                                           std::string_view state, std::string_view binding) {
  TB_ASSIGN_OR_RETURN(Provider * p, Find(provider));
  const OidcProviderConfig& c = *p->config;
  if (state.empty() || state.size() > 256) return Refused("bad_state", "no or malformed state");
  if (code.empty() || code.size() > 2048) return Refused("no_code", "the provider sent no code");
  // The state row, taken once: a replayed callback finds nothing.
  std::string nonce_hash, verifier, row_provider, binding_hash;
  int64_t expires_at = 0;
  int64_t taken = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT provider, nonce_hash, code_verifier, "
                                              "expires_at, binding_hash FROM oidc_states "
                                              "WHERE state_hash = ?",
                                              {store::Param::Blob(Sha256(state))}));
    if (!row) return Status::Ok();
    row_provider = std::string(row->Text(0));
    auto nh = row->Blob(1);
    nonce_hash.assign(reinterpret_cast<const char*>(nh.data()), nh.size());
    verifier = std::string(row->Text(2));
    expires_at = row->Int64(3);
    if (!row->IsNull(4)) {
      auto bh = row->Blob(4);
      binding_hash.assign(reinterpret_cast<const char*>(bh.data()), bh.size());
    }
    TB_ASSIGN_OR_RETURN(taken, tx.Exec("DELETE FROM oidc_states WHERE state_hash = ?",
                                       {store::Param::Blob(Sha256(state))}));
    return Status::Ok();
  }));
  if (taken != 1 || row_provider != c.name || expires_at < Now()) {
    return Refused("bad_state", "this login was not started here, was already used or timed out");
  }
  // The browser that started the login must be the one that comes back (its cookie), else an
  // attacker's code and state in a link would log the victim in as the attacker.
  if (binding_hash.empty() || !crypto::ConstantTimeEqual(Sha256(binding), binding_hash)) {
    return Refused("bad_state", "this login was started in another browser");
  }
  TB_ASSIGN_OR_RETURN(OidcEndpoints e, Endpoints(*p));
  // Redeem the code (RFC 6749 §4.1.3 with the PKCE verifier).
  std::string form = "grant_type=authorization_code&code=" + FormEncode(code) +
                     "&redirect_uri=" + FormEncode(c.redirect_uri) +
                     "&code_verifier=" + FormEncode(verifier);
  std::vector<std::pair<std::string, std::string>> headers;
  if (c.token_auth == "client_secret_post") {
    form += "&client_id=" + FormEncode(c.client_id) +
            "&client_secret=" + FormEncode(c.client_secret);
  } else {
    headers.emplace_back("Authorization",
                         "Basic " + Base64Encode(FormEncode(c.client_id) + ":" +
                                                 FormEncode(c.client_secret)));
  }
  auto reply = http_.PostForm(e.token_endpoint, form, headers);
  if (!reply.ok()) {
    return Status::Unavailable("the identity provider's token endpoint cannot be reached")
        .WithDetail(reply.status().ToString());
  }
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(reply->body, ec);
  if (reply->status != 200) {
    std::string error = !ec && body.is_object() ? StringOf(body.as_object(), "error") : "";
    spdlog::warn("oidc: provider {} refused a code: status {} {}", c.name, reply->status, error);
    return Refused("code_rejected", "the provider refused the authorization code" +
                                        (error.empty() ? std::string() : " (" + error + ")"));
  }
  std::string id_token = !ec && body.is_object() ? StringOf(body.as_object(), "id_token") : "";
  if (id_token.empty()) return Refused("no_id_token", "the provider's answer holds no ID token");
  auto claims = p->verifier->Verify(id_token, nonce_hash);
  if (!claims.ok()) {
    spdlog::warn("oidc: provider {}: ID token refused: {}", c.name, OidcErrorCode(claims.status()));
    return claims.status();
  }
  TB_ASSIGN_OR_RETURN(auto account, FindOrCreateAccount(c, *claims));
  OidcTicket t{.ticket = "tbo_" + RandomToken(), .account_id = account.first,
               .created = account.second};
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    return tx.Exec("INSERT INTO oidc_tickets (ticket_hash, account_id, provider, acr, id_token, "
                   "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                   {store::Param::Blob(Sha256(t.ticket)), t.account_id, c.name, claims->acr,
                    id_token, Now() + options_.ticket_ttl_seconds})
        .status();
  }));
  return t;
}

Result<OidcSession> OidcLogins::RedeemTicket(std::string_view ticket) {
  TicketAssertion assertion(db_, Now());
  TB_ASSIGN_OR_RETURN(TokenPair tokens, identity_.LoginWith(assertion, ticket));
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(
        tx.Exec("UPDATE sessions SET acr = ? WHERE id = ?", {assertion.acr, tokens.session_id})
            .status());
    return tx.Exec("INSERT INTO oidc_sessions (session_id, provider, id_token) VALUES (?, ?, ?)",
                   {tokens.session_id, assertion.provider, assertion.id_token})
        .status();
  }));
  spdlog::info("oidc: provider {} login started session {}", assertion.provider,
               tokens.session_id);
  completed_.fetch_add(1, std::memory_order_relaxed);
  return OidcSession{std::move(tokens), assertion.acr, assertion.provider};
}

Result<std::string> OidcLogins::Logout(int64_t session_id) {
  std::string provider, id_token;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT provider, id_token FROM oidc_sessions "
                                              "WHERE session_id = ?",
                                              {session_id}));
    if (!row) return Status::Ok();
    provider = std::string(row->Text(0));
    id_token = std::string(row->Text(1));
    return tx.Exec("DELETE FROM oidc_sessions WHERE session_id = ?", {session_id}).status();
  }));
  TB_RETURN_IF_ERROR(identity_.Logout(session_id));
  if (provider.empty()) return std::string();
  auto p = Find(provider);
  if (!p.ok()) return std::string();  // the provider was removed from the config since
  auto e = Endpoints(**p);
  if (!e.ok() || e->end_session_endpoint.empty()) return std::string();
  const OidcProviderConfig& c = *(*p)->config;
  std::string url = e->end_session_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "id_token_hint=" + FormEncode(id_token) + "&client_id=" + FormEncode(c.client_id);
  if (!c.post_logout_redirect_uri.empty()) {
    url += "&post_logout_redirect_uri=" + FormEncode(c.post_logout_redirect_uri);
  }
  return url;
}

Result<std::string> OidcLogins::SessionAcr(int64_t session_id) {
  std::string acr;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT acr FROM sessions WHERE id = ?", {session_id}));
    if (!row) return Status::NotFound("session");
    acr = row->OptText(0).value_or("");
    return Status::Ok();
  }));
  return acr;
}

Result<int64_t> OidcLogins::Purge() {
  int64_t n = 0;
  int64_t now = Now();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(int64_t a, tx.Exec("DELETE FROM oidc_states WHERE expires_at < ?", {now}));
    TB_ASSIGN_OR_RETURN(int64_t b, tx.Exec("DELETE FROM oidc_tickets WHERE expires_at < ?", {now}));
    n = a + b;
    return Status::Ok();
  }));
  return n;
}

}  // namespace tongban::identity
