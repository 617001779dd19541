// Accounts, sessions and API keys; see identity_service.h.
#include "identity/identity_service.h"

#include <spdlog/spdlog.h>
#include <strings.h>

#include "core/base64.h"
#include "crypto/constant_time.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "identity/scope_list.h"

namespace tongban::identity {
namespace {

std::string RandomToken(size_t bytes) { return Base64UrlEncode(crypto::RandomBytes(bytes)); }

std::string Sha256(std::string_view s) {
  auto d = crypto::Hash(crypto::HashAlgorithm::kSha256, s);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool ValidScope(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) || c == ':' || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::vector<store::Migration> IdentityService::Migrations() {
  store::Migration v1;
  v1.part = "identity";
  v1.version = 1;
  v1.sql = R"(
CREATE TABLE accounts (
  id {{id}},
  login TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  display_name TEXT NOT NULL,
  subject_id TEXT NOT NULL DEFAULT '',
  department TEXT NOT NULL DEFAULT '',
  region_code TEXT NOT NULL DEFAULT '',
  password_hash TEXT,
  created_at {{int64}} NOT NULL
);
CREATE TABLE sessions (
  id {{id}},
  account_id {{int64}} NOT NULL REFERENCES accounts(id),
  refresh_hash {{blob}} NOT NULL UNIQUE,
  created_at {{int64}} NOT NULL,
  expires_at {{int64}} NOT NULL,
  revoked_at {{int64}}
);
CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY,
  account_id {{int64}} NOT NULL REFERENCES accounts(id),
  secret_hash {{blob}} NOT NULL,
  scopes TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at {{int64}} NOT NULL,
  revoked_at {{int64}}
);
)";
  // v2: refresh-token reuse detection (the hash rotated away, why a session was revoked) and
  // API-key rotation (the old key's end of overlap).
  store::Migration v2;
  v2.part = "identity";
  v2.version = 2;
  v2.sql = R"(
ALTER TABLE sessions ADD COLUMN previous_refresh_hash {{blob}};
ALTER TABLE sessions ADD COLUMN revoked_reason TEXT;
CREATE INDEX sessions_previous_refresh ON sessions(previous_refresh_hash);
ALTER TABLE api_keys ADD COLUMN expires_at {{int64}};
CREATE INDEX api_keys_account ON api_keys(account_id);
)";
  return {v1, v2};
}

IdentityService::IdentityService(store::Database& db, const Clock& clock, std::string token_key,
                                 IdentityOptions options)
    : db_(db),
      clock_(clock),
      codec_(std::move(token_key)),
      options_(options),
      login_guard_(clock, options.login) {
  auto dummy = crypto::HashPassword(RandomToken(16), options_.password);
  if (dummy.ok()) dummy_password_hash_ = std::move(*dummy);
}

int64_t IdentityService::NowSeconds() const { return clock_.NowUnixMicros() / 1000000; }

Status IdentityService::LoadRevocations() {
  std::vector<int64_t> ids;
  Status s = db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id FROM sessions WHERE revoked_at IS NOT NULL "
                                            "AND expires_at > ?",
                                            {NowSeconds() - options_.access_ttl_seconds}));
    for (const auto& r : rows) ids.push_back(r.Int64(0));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::unique_lock lock(mu_);
  revoked_sessions_.insert(ids.begin(), ids.end());
  return Status::Ok();
}

Result<int64_t> IdentityService::CreateAccount(const NewAccount& a) {
  if (a.login.empty() || a.login.size() > 64) {
    return Status::InvalidField("login", "must be 1-64 characters");
  }
  if (a.display_name.empty()) return Status::InvalidField("display_name", "must not be empty");
  std::optional<std::string> hash;
  if (!a.password.empty()) {
    if (a.password.size() < 8) return Status::InvalidField("password", "at least 8 characters");
    TB_ASSIGN_OR_RETURN(hash, crypto::HashPassword(a.password, options_.password));
  }
  int64_t id = 0;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(
        id, tx.InsertReturningId(
                "INSERT INTO accounts (login, role, display_name, subject_id, department, "
                "region_code, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                {a.login, RoleName(a.role), a.display_name, a.subject_id, a.department,
                 a.region_code, hash ? store::Param(*hash) : store::Param(nullptr),
                 NowSeconds()}));
    return Status::Ok();
  });
  if (s.code() == ErrorCode::kAlreadyExists) {
    return Status::AlreadyExists("login already taken");
  }
  if (!s.ok()) return s;
  return id;
}

Result<Account> IdentityService::GetAccount(int64_t id) {
  Account a;
  Status s = db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, login, role, display_name, subject_id, "
                                              "department, region_code FROM accounts WHERE id = ?",
                                              {id}));
    if (!row) return Status::NotFound("account");
    a.id = row->Int64(0);
    a.login = std::string(row->Text(1));
    TB_ASSIGN_OR_RETURN(a.role, ParseRole(row->Text(2)));
    a.display_name = std::string(row->Text(3));
    a.subject_id = std::string(row->Text(4));
    a.department = std::string(row->Text(5));
    a.region_code = std::string(row->Text(6));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return a;
}

Result<TokenPair> IdentityService::StartSession(int64_t account_id, Role role,
                                                const std::string* password_hash) {
  TokenPair pair;
  pair.refresh_token = "tbr_" + RandomToken(32);
  std::string refresh_hash = Sha256(pair.refresh_token);
  int64_t now = NowSeconds();
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    if (password_hash != nullptr) {
      // The password checked is still the account's: a write, so it locks the row to the
      // commit — a password reset (which ends the account's sessions in its transaction) either
      // ends this session or has changed the hash first (then 0 rows, under read committed too).
      TB_ASSIGN_OR_RETURN(int64_t same, tx.Exec("UPDATE accounts SET password_hash = "
                                                "password_hash WHERE id = ? AND password_hash = ?",
                                                {account_id, *password_hash}));
      if (same != 1) return Status::Unauthenticated("wrong login or password");
    }
    TB_ASSIGN_OR_RETURN(pair.session_id,
                        tx.InsertReturningId("INSERT INTO sessions (account_id, refresh_hash, "
                                             "created_at, expires_at) VALUES (?, ?, ?, ?) "
                                             "RETURNING id",
                                             {account_id, store::Param::Blob(refresh_hash), now,
                                              now + options_.refresh_ttl_seconds}));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  pair.access_token = codec_.Encode(SessionClaims{account_id, pair.session_id, role, now,
                                                  now + options_.access_ttl_seconds});
  pair.expires_in = options_.access_ttl_seconds;
  return pair;
}

Result<TokenPair> IdentityService::Login(std::string_view login, std::string_view password) {
  // A login name is printable text: one with control bytes (a NUL would be cut short by the
  // PostgreSQL driver and get a fresh back-off counter of its own) names no account.
  for (char c : login) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::Unauthenticated("wrong login or password");
    }
  }
  // Refused during back-off before any work: the guesser gets nothing for its request.
  TB_RETURN_IF_ERROR(login_guard_.CheckAllowed(login));
  int64_t account_id = 0;
  std::string role_name;
  std::optional<std::string> hash;
  Status s = db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, role, password_hash FROM accounts "
                                              "WHERE login = ?",
                                              {login}));
    if (row) {
      account_id = row->Int64(0);
      role_name = std::string(row->Text(1));
      hash = row->OptText(2);
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    login_guard_.EndAttempt(login);
    return s;
  }
  bool ok = false;
  {
    auto slot = login_guard_.AcquirePasswordSlot();
    if (!slot.ok()) {
      login_guard_.EndAttempt(login);
      return slot.status();
    }
    // Same Argon2id work whether or not the login exists, so timing does not reveal accounts.
    const std::string& stored = hash ? *hash : dummy_password_hash_;
    ok = crypto::VerifyPassword(password, stored).ok();
  }
  if (!ok || !hash) {
    login_guard_.RecordFailure(login);
    return Status::Unauthenticated("wrong login or password");
  }
  login_guard_.RecordSuccess(login);
  TB_ASSIGN_OR_RETURN(Role role, ParseRole(role_name));
  return StartSession(account_id, role, &*hash);
}

Result<TokenPair> IdentityService::LoginWith(IdentityProvider& provider,
                                             std::string_view assertion) {
  TB_ASSIGN_OR_RETURN(std::string login, provider.VerifyAssertion(assertion));
  int64_t account_id = 0;
  std::string role_name;
  Status s = db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row,
                        tx.QueryRow("SELECT id, role FROM accounts WHERE login = ?", {login}));
    if (!row) return Status::Unauthenticated("no local account for this identity");
    account_id = row->Int64(0);
    role_name = std::string(row->Text(1));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  TB_ASSIGN_OR_RETURN(Role role, ParseRole(role_name));
  return StartSession(account_id, role);
}

Result<TokenPair> IdentityService::Refresh(std::string_view refresh_token) {
  if (!refresh_token.starts_with("tbr_")) return Status::Unauthenticated("not a refresh token");
  std::string old_hash = Sha256(refresh_token);
  TokenPair pair;
  pair.refresh_token = "tbr_" + RandomToken(32);
  std::string new_hash = Sha256(pair.refresh_token);
  int64_t now = NowSeconds();
  int64_t account_id = 0;
  std::string role_name;
  std::optional<int64_t> reused_session;  // set when a rotated-away token came back
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    reused_session.reset();
    TB_ASSIGN_OR_RETURN(auto row,
                        tx.QueryRow("SELECT s.id, s.account_id, a.role, s.expires_at, "
                                    "s.revoked_at FROM sessions s JOIN accounts a ON "
                                    "a.id = s.account_id WHERE s.refresh_hash = ?",
                                    {store::Param::Blob(old_hash)}));
    if (!row) {
      // The token this session rotated away last time: whoever holds the newest token and
      // whoever sent this one are two parties, and one of them stole it. End the session.
      TB_ASSIGN_OR_RETURN(auto reused,
                          tx.QueryRow("SELECT id, account_id FROM sessions WHERE "
                                      "previous_refresh_hash = ? AND revoked_at IS NULL",
                                      {store::Param::Blob(old_hash)}));
      if (reused) {
        TB_RETURN_IF_ERROR(tx.Exec("UPDATE sessions SET revoked_at = ?, revoked_reason = "
                                   "'refresh_token_reuse' WHERE id = ? AND revoked_at IS NULL",
                                   {now, reused->Int64(0)})
                               .status());
        reused_session = reused->Int64(0);
        account_id = reused->Int64(1);
      }
      return Status::Ok();
    }
    if (!row->IsNull(4) || row->Int64(3) <= now) {
      return Status::Unauthenticated("session expired or revoked");
    }
    pair.session_id = row->Int64(0);
    account_id = row->Int64(1);
    role_name = std::string(row->Text(2));
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE sessions SET refresh_hash = ?, "
                                           "previous_refresh_hash = ? WHERE id = ? "
                                           "AND refresh_hash = ?",
                                           {store::Param::Blob(new_hash),
                                            store::Param::Blob(old_hash), pair.session_id,
                                            store::Param::Blob(old_hash)}));
    if (n != 1) {
      // Two requests presented the same token at once and the other one rotated it: the same
      // reuse as above, seen from the other side. End the session.
      TB_RETURN_IF_ERROR(tx.Exec("UPDATE sessions SET revoked_at = ?, revoked_reason = "
                                 "'refresh_token_reuse' WHERE id = ? AND revoked_at IS NULL",
                                 {now, pair.session_id})
                             .status());
      reused_session = pair.session_id;
      pair.session_id = 0;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (reused_session) {
    {
      std::unique_lock lock(mu_);
      revoked_sessions_.insert(*reused_session);
    }
    spdlog::warn(R"({{"msg":"refresh token reused: session revoked","session_id":{},)"
                 R"("account_id":{}}})",
                 *reused_session, account_id);
    return Status::Unauthenticated("refresh token already used: the session is ended; log in again");
  }
  if (pair.session_id == 0) return Status::Unauthenticated("unknown or already used refresh token");
  TB_ASSIGN_OR_RETURN(Role role, ParseRole(role_name));
  if (on_refresh_) on_refresh_(pair.session_id);
  pair.access_token = codec_.Encode(SessionClaims{account_id, pair.session_id, role, now,
                                                  now + options_.access_ttl_seconds});
  pair.expires_in = options_.access_ttl_seconds;
  return pair;
}

Status IdentityService::Logout(int64_t session_id) {
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    return tx.Exec("UPDATE sessions SET revoked_at = ?, revoked_reason = 'logout' WHERE id = ? "
                   "AND revoked_at IS NULL",
                   {NowSeconds(), session_id})
        .status();
  });
  if (!s.ok()) return s;
  std::unique_lock lock(mu_);
  revoked_sessions_.insert(session_id);
  return Status::Ok();
}

namespace {

// A new key: "tbk_<12 hex key id>_<256-bit secret>", and the hash of its secret that is stored.
struct NewKey {
  std::string key_id, key, secret_hash;
};
NewKey MakeKey() {
  NewKey k;
  std::string id_raw = crypto::RandomBytes(6);
  k.key_id = crypto::ToHex(std::span(reinterpret_cast<const uint8_t*>(id_raw.data()), 6));
  std::string secret = RandomToken(32);
  // The key id has a fixed length, so a '_' inside the base64url secret is harmless.
  k.key = "tbk_" + k.key_id + "_" + secret;
  k.secret_hash = Sha256(secret);
  return k;
}

Status InsertKey(store::Tx& tx, const NewKey& k, int64_t account_id, std::string_view scopes,
                 std::string_view label, int64_t now) {
  return tx.Exec("INSERT INTO api_keys (key_id, account_id, secret_hash, scopes, label, "
                 "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                 {k.key_id, account_id, store::Param::Blob(k.secret_hash), scopes, label, now})
      .status();
}

}  // namespace

Result<std::string> IdentityService::CreateApiKey(int64_t account_id,
                                                  std::vector<std::string> scopes,
                                                  std::string label) {
  for (const auto& sc : scopes) {
    if (!ValidScope(sc)) return Status::InvalidField("scopes", "invalid scope: " + sc);
  }
  const std::string joined = JoinScopes(scopes);
  NewKey k = MakeKey();
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT role FROM accounts WHERE id = ?", {account_id}));
    if (!row) return Status::NotFound("account");
    return InsertKey(tx, k, account_id, joined, label, NowSeconds());
  });
  if (!s.ok()) return s;
  return k.key;
}

Status IdentityService::RevokeApiKey(std::string_view key_id) {
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT revoked_at FROM api_keys WHERE key_id = ?",
                                              {key_id}));
    if (!row) return Status::NotFound("API key", std::string(key_id));
    if (!row->IsNull(0)) return Status::Ok();  // revoked already: the same end state
    return tx.Exec("UPDATE api_keys SET revoked_at = ? WHERE key_id = ?", {NowSeconds(), key_id})
        .status();
  });
  if (!s.ok()) return s;
  {
    std::unique_lock lock(mu_);
    api_keys_.erase(std::string(key_id));
    ++api_key_epoch_;
  }
  spdlog::info(R"({{"msg":"API key revoked","key_id":"{}"}})", key_id);
  return Status::Ok();
}

Result<std::string> IdentityService::RotateApiKey(std::string_view key_id, int64_t overlap_seconds) {
  if (overlap_seconds < 0 || overlap_seconds > 7 * 86400) {
    return Status::InvalidField("/overlap_s", "must be between 0 and 604800 (7 days)");
  }
  // One transaction: the old key must still be active and not already rotated out (so a thief
  // holding a key in its overlap cannot mint a key that outlives it), the new key is inserted
  // and the old one's end is set, or nothing happens.
  NewKey k = MakeKey();
  const int64_t now = NowSeconds();
  const int64_t until = now + overlap_seconds;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT account_id, scopes, label, revoked_at, "
                                              "expires_at FROM api_keys WHERE key_id = ?",
                                              {key_id}));
    if (!row) return Status::NotFound("API key", std::string(key_id));
    if (!row->IsNull(3) || (!row->IsNull(4) && row->Int64(4) <= now)) {
      return Status::FailedPrecondition("this API key is revoked or expired");
    }
    if (!row->IsNull(4)) {
      return Status::FailedPrecondition("this API key was already rotated; rotate its successor");
    }
    TB_RETURN_IF_ERROR(InsertKey(tx, k, row->Int64(0), row->Text(1), row->Text(2), now));
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE api_keys SET expires_at = ? WHERE key_id = ? "
                                           "AND revoked_at IS NULL AND expires_at IS NULL",
                                           {until, key_id}));
    if (n != 1) return Status::FailedPrecondition("this API key changed meanwhile; try again");
    return Status::Ok();
  }));
  const std::string& fresh = k.key;
  {
    std::unique_lock lock(mu_);
    api_keys_.erase(std::string(key_id));
    ++api_key_epoch_;
  }
  spdlog::info(R"({{"msg":"API key rotated","key_id":"{}","new_key_id":"{}","overlap_s":{}}})",
               key_id, fresh.substr(4, 12), overlap_seconds);
  return fresh;
}

namespace {

constexpr std::string_view kApiKeyColumns =
    "SELECT k.key_id, k.account_id, a.login, k.scopes, k.label, k.created_at, k.expires_at, "
    "k.revoked_at FROM api_keys k JOIN accounts a ON a.id = k.account_id ";

ApiKeyInfo ApiKeyFromRow(const store::Row& r, int64_t now) {
  ApiKeyInfo k;
  k.key_id = std::string(r.Text(0));
  k.account_id = r.Int64(1);
  k.account_login = std::string(r.Text(2));
  k.scopes = SplitScopes(r.Text(3));
  k.label = std::string(r.Text(4));
  k.created_at = r.Int64(5);
  if (!r.IsNull(6)) k.expires_at = r.Int64(6);
  if (!r.IsNull(7)) k.revoked_at = r.Int64(7);
  k.active = !k.revoked_at && (!k.expires_at || *k.expires_at > now);
  return k;
}

}  // namespace

Result<std::vector<ApiKeyInfo>> IdentityService::ListApiKeys(int64_t account_id) {
  std::vector<ApiKeyInfo> out;
  int64_t now = NowSeconds();
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    std::string sql(kApiKeyColumns);
    std::vector<store::Param> params;
    if (account_id != 0) {
      sql += "WHERE k.account_id = ? ";
      params.emplace_back(account_id);
    }
    sql += "ORDER BY k.created_at DESC, k.key_id";
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
    for (const auto& r : rows) out.push_back(ApiKeyFromRow(r, now));
    return Status::Ok();
  }));
  return out;
}

Result<ApiKeyInfo> IdentityService::GetApiKey(std::string_view key_id) {
  std::optional<ApiKeyInfo> out;
  int64_t now = NowSeconds();
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row,
                        tx.QueryRow(std::string(kApiKeyColumns) + "WHERE k.key_id = ?", {key_id}));
    if (row) out = ApiKeyFromRow(*row, now);
    return Status::Ok();
  }));
  if (!out) return Status::NotFound("API key", std::string(key_id));
  return *out;
}

Result<Account> IdentityService::FindAccount(std::string_view login) {
  std::optional<int64_t> id;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id FROM accounts WHERE login = ?", {login}));
    if (row) id = row->Int64(0);
    return Status::Ok();
  }));
  if (!id) return Status::NotFound("account", std::string(login));
  return GetAccount(*id);
}

Result<Principal> IdentityService::AuthenticateApiKey(std::string_view key) {
  // One answer for every bad key (malformed, unknown id, wrong secret, revoked, expired), so
  // a caller learns nothing about which key ids exist.
  static const std::string kInvalid = "invalid API key";
  // tbk_<12 hex>_<secret>
  if (key.size() < 4 + 12 + 1 + 1 || key[4 + 12] != '_') return Status::Unauthenticated(kInvalid);
  std::string key_id(key.substr(4, 12));
  std::string_view secret = key.substr(4 + 12 + 1);
  std::string presented_hash = Sha256(secret);
  CachedKey cached;
  bool found = false;
  int64_t now_micros = clock_.NowUnixMicros();
  uint64_t epoch = 0;
  {
    std::shared_lock lock(mu_);
    epoch = api_key_epoch_;
    auto it = api_keys_.find(key_id);
    // A cached row older than api_key_cache_seconds is read again: another node may have
    // revoked or rotated the key.
    if (it != api_keys_.end() &&
        now_micros - it->second.loaded_at_micros < options_.api_key_cache_seconds * 1'000'000) {
      cached = it->second;
      found = true;
    }
  }
  if (!found) {
    Status s = db_.Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT k.secret_hash, k.account_id, a.role, "
                                                "k.scopes, k.revoked_at, k.expires_at FROM "
                                                "api_keys k JOIN accounts a ON "
                                                "a.id = k.account_id WHERE k.key_id = ?",
                                                {key_id}));
      if (!row) return Status::Unauthenticated(kInvalid);
      auto blob = row->Blob(0);
      cached.secret_hash.assign(reinterpret_cast<const char*>(blob.data()), blob.size());
      cached.account_id = row->Int64(1);
      TB_ASSIGN_OR_RETURN(cached.role, ParseRole(row->Text(2)));
      cached.scopes = SplitScopes(row->Text(3));
      cached.revoked = !row->IsNull(4);
      if (!row->IsNull(5)) cached.expires_at = row->Int64(5);
      cached.loaded_at_micros = now_micros;
      return Status::Ok();
    });
    if (!s.ok()) return s.code() == ErrorCode::kUnauthenticated ? s : Status::Unavailable("identity store unavailable");
    std::unique_lock lock(mu_);
    // A revocation or rotation that committed while this row was read bumped the epoch: the row
    // may predate it, so it is used for this request only, not cached.
    if (api_key_epoch_ == epoch) api_keys_[key_id] = cached;
  }
  if (!crypto::ConstantTimeEqual(cached.secret_hash, presented_hash)) {
    return Status::Unauthenticated(kInvalid);
  }
  if (cached.revoked || (cached.expires_at && *cached.expires_at <= now_micros / 1'000'000)) {
    return Status::Unauthenticated(kInvalid);
  }
  Principal p;
  p.account_id = cached.account_id;
  p.role = cached.role;
  p.scopes = std::move(cached.scopes);
  p.api_key_id = key_id;
  return p;
}

Result<Principal> IdentityService::Authenticate(std::string_view header) {
  if (header.empty()) return Status::Unauthenticated("missing Authorization header");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() ||
      strncasecmp(header.data(), kBearer.data(), kBearer.size()) != 0) {
    return Status::Unauthenticated("Authorization must be \"Bearer <token or API key>\"");
  }
  std::string_view credential = header.substr(kBearer.size());
  if (credential.starts_with("tbk_")) return AuthenticateApiKey(credential);
  TB_ASSIGN_OR_RETURN(SessionClaims claims, codec_.Decode(credential, NowSeconds()));
  {
    std::shared_lock lock(mu_);
    if (revoked_sessions_.contains(claims.session_id)) {
      return Status::Unauthenticated("session revoked (logged out)");
    }
  }
  Principal p;
  p.account_id = claims.account_id;
  p.role = claims.role;
  p.session_id = claims.session_id;
  p.expires_at = claims.expires_at;
  return p;
}

}  // namespace tongban::identity
