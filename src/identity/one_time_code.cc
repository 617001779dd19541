// One-time codes: issue, deliver, redeem, rate limits and back-off; see one_time_code.h.
#include "identity/one_time_code.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <span>

#include "crypto/constant_time.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace tongban::identity {
namespace {

constexpr std::string_view kWrongCode = "wrong or expired code";
constexpr int64_t kForgetFailuresAfterSeconds = 3600;

// A uniform number in [0, 1'000'000) from the CSPRNG (rejection sampling: no modulo bias).
std::string RandomSixDigits() {
  constexpr uint32_t kRange = 1'000'000;
  constexpr uint32_t kLimit = UINT32_MAX - (UINT32_MAX % kRange);
  for (;;) {
    std::string raw = crypto::RandomBytes(4);
    uint32_t v = 0;
    for (char c : raw) v = (v << 8) | static_cast<uint8_t>(c);
    if (v >= kLimit) continue;
    std::string out = std::to_string(v % kRange);
    return std::string(6 - out.size(), '0') + out;
  }
}

bool SixDigits(std::string_view code) {
  return code.size() == 6 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string AddressLimitKey(std::string_view address) {
  std::string text(address.substr(0, address.find('%')));  // no zone index
  if (!text.empty() && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  std::array<unsigned char, 16> v6{};
  if (text.find(':') == std::string::npos || inet_pton(AF_INET6, text.c_str(), v6.data()) != 1) {
    return std::string(address);  // IPv4 (one address per person behind it) or unparsable
  }
  // An IPv4-mapped address (::ffff:a.b.c.d) is that IPv4 address.
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(std::begin(kMapped), std::end(kMapped), v6.begin())) {
    return std::to_string(v6[12]) + "." + std::to_string(v6[13]) + "." + std::to_string(v6[14]) +
           "." + std::to_string(v6[15]);
  }
  // A subscriber gets a whole /64 (often more): its other 2^64 addresses are the same client.
  char out[48];
  std::snprintf(out, sizeof out, "%x:%x:%x:%x::/64", (v6[0] << 8) | v6[1], (v6[2] << 8) | v6[3],
                (v6[4] << 8) | v6[5], (v6[6] << 8) | v6[7]);
  return out;
}

bool ValidCodePurpose(std::string_view purpose) {
  if (purpose.empty() || purpose.size() > 32) return false;
  return std::all_of(purpose.begin(), purpose.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

// Whom a code is for: the keyed hash of the login (the limits' key, the same for a login with
// no account) and, when the account exists, its id and contact.
struct OneTimeCodes::Target {
  std::string key;
  int64_t account_id = 0;  // 0: no such account (a decoy row, nothing delivered)
  std::string login;
  std::string subject_id;
};

std::vector<store::Migration> OneTimeCodes::Migrations() {
  store::Migration v1;
  v1.part = "identity_otp";
  v1.version = 1;
  // otp_failures: the wrong-code back-off per (login, source address) — a stranger's wrong
  // answers from elsewhere must not lock the person out. otp_address_failures: wrong codes per
  // address, across people. otp_send_locks: one row per login key and per address key, locked
  // (updated) before a send counts the codes sent, so two sends at once cannot both pass a limit
  // that has room for one. otp_decoy_sends: what a send to a login with no account writes instead
  // of a real one's notice (a row of the outbox's shape, with its unique key): equal work and time.
  v1.sql = R"(
CREATE TABLE otp_codes (
  id {{id}},
  target_key {{blob}} NOT NULL,
  account_id {{int64}} REFERENCES accounts(id),
  purpose TEXT NOT NULL,
  code_hash {{blob}} NOT NULL,
  source_key {{blob}} NOT NULL,
  created_at {{int64}} NOT NULL,
  expires_at {{int64}} NOT NULL,
  used_at {{int64}},
  wrong_count {{int64}} NOT NULL DEFAULT 0
);
CREATE INDEX otp_codes_target ON otp_codes(target_key, created_at);
CREATE INDEX otp_codes_source ON otp_codes(source_key, created_at);
CREATE TABLE otp_failures (
  target_key {{blob}} NOT NULL,
  source_key {{blob}} NOT NULL,
  failures {{int64}} NOT NULL,
  locked_until {{int64}} NOT NULL,
  last_failure_at {{int64}} NOT NULL,
  PRIMARY KEY (target_key, source_key)
);
CREATE TABLE otp_address_failures (
  source_key {{blob}} PRIMARY KEY,
  failures {{int64}} NOT NULL,
  window_start {{int64}} NOT NULL
);
CREATE TABLE otp_send_locks (
  lock_key {{blob}} PRIMARY KEY,
  touched_at {{int64}} NOT NULL
);
CREATE TABLE otp_decoy_sends (
  id {{id}},
  event_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  template_id TEXT NOT NULL,
  vars TEXT NOT NULL,
  sensitive {{int64}} NOT NULL,
  channels TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at {{int64}} NOT NULL,
  UNIQUE (event_id, recipient)
);
CREATE INDEX otp_decoy_sends_created ON otp_decoy_sends(created_at);
)";
  return {v1};
}

OneTimeCodes::OneTimeCodes(store::Database& db, const Clock& clock, std::string key,
                           CodeSender sender, OneTimeCodeOptions options)
    : db_(db),
      clock_(clock),
      hmac_(crypto::HashAlgorithm::kSha256, std::move(key)),
      sender_(std::move(sender)),
      options_(options) {}

int64_t OneTimeCodes::NowSeconds() const { return clock_.NowUnixMicros() / 1'000'000; }

std::string OneTimeCodes::Key(std::string_view domain, std::string_view value) const {
  std::string message(domain);
  message.push_back('\0');
  message.append(value);
  auto d = hmac_.Mac(message);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string OneTimeCodes::AddressKey(std::string_view source_address) const {
  return Key("address", AddressLimitKey(source_address));
}

std::string OneTimeCodes::CodeHash(std::string_view target_key, std::string_view purpose,
                                   std::string_view code) const {
  std::string message(target_key);
  message.push_back('\0');
  message.append(purpose);
  message.push_back('\0');
  message.append(code);
  return Key("code", message);
}

Result<OneTimeCodes::Target> OneTimeCodes::ResolveLogin(std::string_view login) {
  Target t;
  t.key = Key("login", login);
  t.login = std::string(login);
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, subject_id FROM accounts WHERE login = ?",
                                              {login}));
    if (row) {
      t.account_id = row->Int64(0);
      t.subject_id = std::string(row->Text(1));
    }
    return Status::Ok();
  }));
  return t;
}

Result<OneTimeCodes::Target> OneTimeCodes::ResolveAccount(int64_t account_id) {
  Target t;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, login, subject_id FROM accounts "
                                              "WHERE id = ?",
                                              {account_id}));
    if (!row) return Status::NotFound("account");
    t.account_id = row->Int64(0);
    t.login = std::string(row->Text(1));
    t.subject_id = std::string(row->Text(2));
    return Status::Ok();
  }));
  t.key = Key("login", t.login);
  return t;
}

Status OneTimeCodes::SendTo(const Target& target, std::string_view purpose,
                            std::string_view source_address) {
  if (!ValidCodePurpose(purpose)) return Status::InvalidField("purpose", "1-32 of [a-z_]");
  const int64_t now = NowSeconds();
  const int64_t since = now - options_.send_window_seconds;
  const std::string source_key = AddressKey(source_address);
  const std::string code = RandomSixDigits();
  const std::string code_hash = CodeHash(target.key, purpose, code);
  bool limited = false;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    limited = false;
    // Lock the person's and the address's counter rows (always in this order) so concurrent
    // sends count one after another, under read committed too.
    // (Made when missing, and made again when Purge took it between the two statements.)
    for (const std::string* lock : {&target.key, &source_key}) {
      for (int attempt = 0;; ++attempt) {
        TB_ASSIGN_OR_RETURN(int64_t locked,
                            tx.Exec("UPDATE otp_send_locks SET touched_at = ? WHERE lock_key = ?",
                                    {now, store::Param::Blob(*lock)}));
        if (locked == 1) break;
        if (attempt == 2) return Status::Unavailable("send lock row vanished; try again");
        TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO otp_send_locks (lock_key, touched_at) VALUES "
                                   "(?, ?) ON CONFLICT DO NOTHING",
                                   {store::Param::Blob(*lock), now})
                               .status());
      }
    }
    TB_ASSIGN_OR_RETURN(auto per_target,
                        tx.QueryRow("SELECT COUNT(*) FROM otp_codes WHERE target_key = ? AND "
                                    "created_at > ?",
                                    {store::Param::Blob(target.key), since}));
    TB_ASSIGN_OR_RETURN(auto per_address,
                        tx.QueryRow("SELECT COUNT(*) FROM otp_codes WHERE source_key = ? AND "
                                    "created_at > ?",
                                    {store::Param::Blob(source_key), since}));
    if (per_target->Int64(0) >= options_.max_sends_per_target ||
        per_address->Int64(0) >= options_.max_sends_per_address) {
      limited = true;
      return Status::Ok();
    }
    // Rows past every window and lifetime are of no more use.
    const int64_t keep_from =
        now - std::max(options_.send_window_seconds, options_.lifetime_seconds) - 60;
    TB_RETURN_IF_ERROR(tx.Exec("DELETE FROM otp_codes WHERE target_key = ? AND created_at < ?",
                               {store::Param::Blob(target.key), keep_from})
                           .status());
    // A new code supersedes the older live one of the same purpose.
    TB_RETURN_IF_ERROR(tx.Exec("UPDATE otp_codes SET used_at = ? WHERE target_key = ? AND "
                               "purpose = ? AND used_at IS NULL",
                               {now, store::Param::Blob(target.key), purpose})
                           .status());
    TB_ASSIGN_OR_RETURN(
        int64_t id,
        tx.InsertReturningId(
            "INSERT INTO otp_codes (target_key, account_id, purpose, code_hash, source_key, "
            "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {store::Param::Blob(target.key),
             target.account_id != 0 ? store::Param(target.account_id) : store::Param(nullptr),
             purpose, store::Param::Blob(code_hash), store::Param::Blob(source_key), now,
             now + options_.lifetime_seconds}));
    if (target.account_id == 0) {
      // A decoy: nothing to deliver, but a row as the notice of a real account would write
      // (the same size, the same unique-key check), so the answer takes the same time. No
      // login in clear: the recipient is the keyed hash's hex. Purge() removes them.
      const std::string recipient = crypto::ToHex(
          std::span(reinterpret_cast<const uint8_t*>(target.key.data()), target.key.size()));
      return tx.Exec("INSERT INTO otp_decoy_sends (event_id, recipient, template_id, vars, "
                     "sensitive, channels, address, created_at) VALUES (?, ?, ?, ?, 1, ?, '', ?)",
                     {"otp.code:" + std::to_string(id), recipient, "otp.code",
                      R"({"code":")" + code + R"(","minutes":")" +
                          std::to_string(options_.lifetime_seconds / 60) + R"("})",
                      R"(["sms"])", now})
          .status();
    }
    if (!sender_) return Status::Ok();
    return sender_(tx, CodeDelivery{.code_id = id,
                                    .account_id = target.account_id,
                                    .login = target.login,
                                    .subject_id = target.subject_id,
                                    .purpose = std::string(purpose),
                                    .code = code,
                                    .expires_at = now + options_.lifetime_seconds},
                   now);
  }));
  if (limited) return Status::ResourceExhausted("too many codes requested; try again later");
  return Status::Ok();
}

Status OneTimeCodes::RedeemFor(const Target& target, std::string_view purpose,
                               std::string_view code, std::string_view source_address,
                               bool spend, const OnRedeemed& then) {
  if (!ValidCodePurpose(purpose)) return Status::InvalidField("purpose", "1-32 of [a-z_]");
  if (!SixDigits(code)) return Status::InvalidField("code", "must be 6 digits");
  const int64_t now = NowSeconds();
  const std::string presented = CodeHash(target.key, purpose, code);
  const std::string source_key = AddressKey(source_address);
  enum class Outcome { kOk, kWrong, kLocked } outcome = Outcome::kWrong;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    outcome = Outcome::kWrong;
    TB_ASSIGN_OR_RETURN(auto failures,
                        tx.QueryRow("SELECT failures, locked_until, last_failure_at FROM "
                                    "otp_failures WHERE target_key = ? AND source_key = ?",
                                    {store::Param::Blob(target.key),
                                     store::Param::Blob(source_key)}));
    if (failures && failures->Int64(1) > now) {
      outcome = Outcome::kLocked;  // refused without looking at the code
      return Status::Ok();
    }
    TB_ASSIGN_OR_RETURN(auto from_address,
                        tx.QueryRow("SELECT failures, window_start FROM otp_address_failures "
                                    "WHERE source_key = ?",
                                    {store::Param::Blob(source_key)}));
    const bool address_window =
        from_address && from_address->Int64(1) > now - options_.send_window_seconds;
    if (address_window && from_address->Int64(0) >= options_.max_wrong_per_address) {
      outcome = Outcome::kLocked;
      return Status::Ok();
    }
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, code_hash, wrong_count FROM otp_codes "
                                              "WHERE target_key = ? AND purpose = ? AND used_at "
                                              "IS NULL AND expires_at > ? ORDER BY id DESC "
                                              "LIMIT 1",
                                              {store::Param::Blob(target.key), purpose, now}));
    // No live code: the same refusal as a wrong code, and nothing counted — a wrong answer can
    // only cost the person something when there is a code to guess (else anyone knowing a phone
    // number could keep its owner backed off for good).
    if (!row) return Status::Ok();
    auto stored = row->Blob(1);
    std::string_view stored_view(reinterpret_cast<const char*>(stored.data()), stored.size());
    if (crypto::ConstantTimeEqual(stored_view, presented)) {
      if (!spend) {
        outcome = Outcome::kOk;
        return Status::Ok();
      }
      TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE otp_codes SET used_at = ? WHERE id = ? "
                                             "AND used_at IS NULL",
                                             {now, row->Int64(0)}));
      if (n != 1) return Status::Ok();  // redeemed meanwhile by another request: refused
      outcome = Outcome::kOk;
      TB_RETURN_IF_ERROR(tx.Exec("DELETE FROM otp_failures WHERE target_key = ? AND "
                                 "source_key = ?",
                                 {store::Param::Blob(target.key), store::Param::Blob(source_key)})
                             .status());
      if (then && target.account_id != 0) return then(tx, target.account_id);
      return Status::Ok();
    }
    // Wrong. Counted relative to the row as it is now (never an absolute value read earlier) and
    // only while the code is still live: a code redeemed or burnt meanwhile stays used. A code
    // answered wrongly too often is burnt: guessing it further is pointless.
    TB_ASSIGN_OR_RETURN(
        int64_t burnt_or_counted,
        tx.Exec("UPDATE otp_codes SET wrong_count = wrong_count + 1, used_at = CASE WHEN "
                "wrong_count + 1 >= ? THEN ? ELSE NULL END WHERE id = ? AND used_at IS NULL",
                {int64_t{options_.max_wrong_per_code}, now, row->Int64(0)}));
    if (burnt_or_counted != 1) return Status::Ok();  // no longer live: nothing counted
    // Count it for the address and for the person from this address, and back them off past
    // the free ones. Each counter row is made if missing (a concurrent first failure is not an
    // error) and then updated relative to itself, which also locks it to the commit.
    TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO otp_address_failures (source_key, failures, "
                               "window_start) VALUES (?, 0, ?) ON CONFLICT DO NOTHING",
                               {store::Param::Blob(source_key), now})
                           .status());
    const int64_t window_from = now - options_.send_window_seconds;
    TB_RETURN_IF_ERROR(tx.Exec("UPDATE otp_address_failures SET failures = CASE WHEN "
                               "window_start > ? THEN failures + 1 ELSE 1 END, window_start = "
                               "CASE WHEN window_start > ? THEN window_start ELSE ? END WHERE "
                               "source_key = ?",
                               {window_from, window_from, now, store::Param::Blob(source_key)})
                           .status());
    TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO otp_failures (target_key, source_key, failures, "
                               "locked_until, last_failure_at) VALUES (?, ?, 0, 0, ?) "
                               "ON CONFLICT DO NOTHING",
                               {store::Param::Blob(target.key), store::Param::Blob(source_key),
                                now})
                           .status());
    const int64_t forget_before = now - kForgetFailuresAfterSeconds;
    TB_RETURN_IF_ERROR(tx.Exec("UPDATE otp_failures SET failures = CASE WHEN last_failure_at > ? "
                               "THEN failures + 1 ELSE 1 END, last_failure_at = ? WHERE "
                               "target_key = ? AND source_key = ?",
                               {forget_before, now, store::Param::Blob(target.key),
                                store::Param::Blob(source_key)})
                           .status());
    // The row is ours to the commit now: its count is exact.
    TB_ASSIGN_OR_RETURN(auto counted, tx.QueryRow("SELECT failures FROM otp_failures WHERE "
                                                  "target_key = ? AND source_key = ?",
                                                  {store::Param::Blob(target.key),
                                                   store::Param::Blob(source_key)}));
    const int64_t count = counted ? counted->Int64(0) : 1;
    if (count <= options_.free_wrong_codes) return Status::Ok();
    const int64_t doublings = std::min<int64_t>(count - options_.free_wrong_codes - 1, 20);
    const int64_t locked_until =
        now + std::min(options_.first_lockout_seconds << doublings, options_.max_lockout_seconds);
    return tx.Exec("UPDATE otp_failures SET locked_until = ? WHERE target_key = ? AND "
                   "source_key = ?",
                   {locked_until, store::Param::Blob(target.key), store::Param::Blob(source_key)})
        .status();
  }));
  switch (outcome) {
    case Outcome::kOk:
      return Status::Ok();
    case Outcome::kLocked:
      return Status::ResourceExhausted("too many wrong codes; try again later");
    case Outcome::kWrong:
      break;
  }
  return Status::Unauthenticated(std::string(kWrongCode));
}

Status OneTimeCodes::Send(int64_t account_id, std::string_view purpose,
                          std::string_view source_address) {
  TB_ASSIGN_OR_RETURN(Target target, ResolveAccount(account_id));
  return SendTo(target, purpose, source_address);
}

Status OneTimeCodes::Redeem(int64_t account_id, std::string_view purpose, std::string_view code,
                            std::string_view source_address) {
  TB_ASSIGN_OR_RETURN(Target target, ResolveAccount(account_id));
  return RedeemFor(target, purpose, code, source_address);
}

Status OneTimeCodes::SendToLogin(std::string_view login, std::string_view purpose,
                                 std::string_view source_address) {
  if (login.empty() || login.size() > 64) return Status::InvalidField("login", "1-64 characters");
  TB_ASSIGN_OR_RETURN(Target target, ResolveLogin(login));
  return SendTo(target, purpose, source_address);
}

Result<int64_t> OneTimeCodes::RedeemForLogin(std::string_view login, std::string_view purpose,
                                             std::string_view code,
                                             std::string_view source_address,
                                             const OnRedeemed& then) {
  if (login.empty() || login.size() > 64) return Status::InvalidField("login", "1-64 characters");
  TB_ASSIGN_OR_RETURN(Target target, ResolveLogin(login));
  TB_RETURN_IF_ERROR(RedeemFor(target, purpose, code, source_address, true, then));
  if (target.account_id == 0) return Status::Unauthenticated(std::string(kWrongCode));
  return target.account_id;
}

Result<int64_t> OneTimeCodes::CheckForLogin(std::string_view login, std::string_view purpose,
                                            std::string_view code,
                                            std::string_view source_address) {
  if (login.empty() || login.size() > 64) return Status::InvalidField("login", "1-64 characters");
  TB_ASSIGN_OR_RETURN(Target target, ResolveLogin(login));
  TB_RETURN_IF_ERROR(RedeemFor(target, purpose, code, source_address, false));
  if (target.account_id == 0) return Status::Unauthenticated(std::string(kWrongCode));
  return target.account_id;
}

Result<int64_t> OneTimeCodes::Purge() {
  const int64_t now = NowSeconds();
  // Past every window, lifetime and back-off, a row counts for nothing any more.
  const int64_t codes_before =
      now - std::max(options_.send_window_seconds, options_.lifetime_seconds) - 60;
  const int64_t window_before = now - options_.send_window_seconds;
  int64_t n = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    n = 0;
    const std::pair<std::string_view, int64_t> deletes[] = {
        {"DELETE FROM otp_codes WHERE created_at < ?", codes_before},
        {"DELETE FROM otp_decoy_sends WHERE created_at < ?", codes_before},
        {"DELETE FROM otp_send_locks WHERE touched_at < ?", window_before},
        {"DELETE FROM otp_address_failures WHERE window_start < ?", window_before},
    };
    for (const auto& [sql, before] : deletes) {
      TB_ASSIGN_OR_RETURN(int64_t k, tx.Exec(std::string(sql), {before}));
      n += k;
    }
    TB_ASSIGN_OR_RETURN(int64_t k, tx.Exec("DELETE FROM otp_failures WHERE last_failure_at < ? "
                                           "AND locked_until < ?",
                                           {now - kForgetFailuresAfterSeconds, now}));
    n += k;
    return Status::Ok();
  }));
  return n;
}

int64_t OneTimeCodes::RetryAfterSeconds(std::string_view login, std::string_view source_address) {
  const std::string key = Key("login", login);
  const int64_t now = NowSeconds();
  int64_t wait = 0;
  Status s = db_.Read([&](store::Tx& tx) -> Status {
    if (source_address.empty()) {
      // No address named: the longest back-off of this person from any address.
      TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT MAX(locked_until) FROM otp_failures "
                                                "WHERE target_key = ?",
                                                {store::Param::Blob(key)}));
      if (row && !row->IsNull(0)) wait = std::max<int64_t>(0, row->Int64(0) - now);
      return Status::Ok();
    }
    const std::string source_key = AddressKey(source_address);
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT locked_until FROM otp_failures WHERE "
                                              "target_key = ? AND source_key = ?",
                                              {store::Param::Blob(key),
                                               store::Param::Blob(source_key)}));
    if (row) wait = std::max<int64_t>(0, row->Int64(0) - now);
    TB_ASSIGN_OR_RETURN(auto from_address,
                        tx.QueryRow("SELECT failures, window_start FROM otp_address_failures "
                                    "WHERE source_key = ?",
                                    {store::Param::Blob(source_key)}));
    if (from_address && from_address->Int64(0) >= options_.max_wrong_per_address) {
      wait = std::max(wait, from_address->Int64(1) + options_.send_window_seconds - now);
    }
    return Status::Ok();
  });
  return s.ok() ? wait : 1;
}

int64_t OneTimeCodes::SendRetryAfterSeconds(std::string_view login,
                                            std::string_view source_address) {
  const int64_t now = NowSeconds();
  const int64_t since = now - options_.send_window_seconds;
  int64_t wait = 0;
  // The oldest send that still counts against a full limit leaves the window at created_at +
  // window: the wait of each limit that is full, the longer of the two.
  auto wait_for = [&](store::Tx& tx, std::string_view column, const std::string& key,
                      int limit) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT created_at FROM otp_codes WHERE " +
                                                std::string(column) +
                                                " = ? AND created_at > ? ORDER BY created_at DESC",
                                            {store::Param::Blob(key), since}));
    if (static_cast<int>(rows.size()) >= limit && limit > 0) {
      int64_t leaves = rows[limit - 1].Int64(0) + options_.send_window_seconds;
      wait = std::max(wait, leaves - now);
    }
    return Status::Ok();
  };
  Status s = db_.Read([&](store::Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(wait_for(tx, "target_key", Key("login", login),
                                options_.max_sends_per_target));
    return wait_for(tx, "source_key", AddressKey(source_address),
                    options_.max_sends_per_address);
  });
  return s.ok() ? std::max<int64_t>(wait, 1) : 1;
}

}  // namespace tongban::identity
