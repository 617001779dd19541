// OneTimeCodes: six-digit codes sent by SMS (or e-mail) for login step-up, the way past a login
// back-off, password reset and confirmations asked by other parts (an assisted power of attorney:
// purpose "attorney_confirm").
//
//  - A code is 6 digits from libsodium's CSPRNG, lives `lifetime_seconds` (5 min), is single use,
//    and a new code of the same purpose for the same person supersedes the older one.
//  - Stored hashed: HMAC-SHA256(deployment key, target || purpose || code), never in clear (a
//    dump of the table cannot be brute-forced offline without the key); compared in constant time.
//  - Sends are limited per person (`max_sends_per_target` per `send_window_seconds`) and per
//    source address (`max_sends_per_address` in the same window): kResourceExhausted (429).
//    "Source address" in every limit means AddressLimitKey: an IPv6 client counts by its /64.
//    The program reads the limits from [auth] (otp_* keys, docs/config.md).
//  - Wrong codes: only a wrong answer to a live code counts (with no live code the answer is the
//    same kUnauthenticated and nothing is counted, so knowing a phone number is not enough to
//    lock its owner out). After `free_wrong_codes` wrong answers from one source address the
//    person backs off from that address 30 s, 60 s, 120 s... (at most `max_lockout_seconds`);
//    during the back-off Redeem answers kResourceExhausted without checking anything; a code
//    answered wrongly `max_wrong_per_code` times is burnt (which, with the send limit, caps the
//    guesses against one person from all addresses together). One
//    source address may answer wrongly `max_wrong_per_address` times per `send_window_seconds`,
//    across every person (a guesser spreading over many accounts), then kResourceExhausted.
//  - No hint whether an account exists: the login-keyed calls (SendToLogin / RedeemForLogin) do
//    the same work and keep the same counters for a login with no account (a decoy row, nothing
//    delivered), and answer the same.
//  - Delivery is the caller's CodeSender, run inside the transaction that stores the code (the
//    program wires it to notify::Enqueue, template "otp.code", sensitive, channel sms). Nothing
//    here logs a code, a full address or a login.
//
// Thread-safe. `db` and `clock` must outlive the object.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/hmac.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::identity {

struct OneTimeCodeOptions {
  int64_t lifetime_seconds = 300;
  int64_t send_window_seconds = 900;
  int max_sends_per_target = 5;    // per person (login) per window
  int max_sends_per_address = 20;  // per source address per window
  int free_wrong_codes = 3;        // wrong answers before the back-off starts
  int max_wrong_per_code = 5;      // then the code is burnt
  int max_wrong_per_address = 30;  // wrong codes from one address per window, across people
  int64_t first_lockout_seconds = 30;
  int64_t max_lockout_seconds = 3600;
};

// What a CodeSender delivers: the code in clear, only here and only to the sender.
struct CodeDelivery {
  int64_t code_id = 0;      // row id, for an event id ("otp:<code_id>")
  int64_t account_id = 0;
  std::string login;        // a citizen's login is their mobile number
  std::string subject_id;   // citizen ID / USCC, the notice's recipient (may be empty)
  std::string purpose;
  std::string code;         // 6 digits
  int64_t expires_at = 0;   // unix seconds
};
// Runs inside the transaction that stores the code: an error rolls the code back.
using CodeSender = std::function<Status(store::Tx& tx, const CodeDelivery& delivery, int64_t now)>;
// Runs inside the transaction that spends a right code, for its account: an error rolls the
// spending back too (the code stays usable). May run more than once (Transact retries).
using OnRedeemed = std::function<Status(store::Tx& tx, int64_t account_id)>;

class OneTimeCodes {
 public:
  // Part "identity_otp" (after "identity": uses accounts).
  static std::vector<store::Migration> Migrations();

  // `key`: at least 32 secret bytes (the program derives it from the session key).
  OneTimeCodes(store::Database& db, const Clock& clock, std::string key, CodeSender sender,
               OneTimeCodeOptions options = {});

  // Purposes: 1-32 of [a-z_], e.g. "login", "password_reset", "step_up", "attorney_confirm".
  // Sends a fresh code to the account's phone. kNotFound for an unknown account;
  // kResourceExhausted past a send limit; kInvalidArgument for a bad purpose.
  Status Send(int64_t account_id, std::string_view purpose, std::string_view source_address);
  // OK once for the newest live code of this account and purpose; then it is used.
  // kUnauthenticated ("wrong or expired code") for a wrong, expired, used or missing code;
  // kResourceExhausted during a back-off (RetryAfterSeconds says how long).
  Status Redeem(int64_t account_id, std::string_view purpose, std::string_view code,
                std::string_view source_address);

  // The same keyed by login name, answering the same whether or not an account has it.
  Status SendToLogin(std::string_view login, std::string_view purpose,
                     std::string_view source_address);
  // The account id on success; kUnauthenticated for a login with no account, as for a wrong code.
  // `then` (optional) runs in the transaction that spends the code (see OnRedeemed).
  Result<int64_t> RedeemForLogin(std::string_view login, std::string_view purpose,
                                 std::string_view code, std::string_view source_address,
                                 const OnRedeemed& then = nullptr);
  // What RedeemForLogin would answer now, without spending a right code (a wrong one counts as
  // for RedeemForLogin): for a caller with slow work to do before it redeems.
  Result<int64_t> CheckForLogin(std::string_view login, std::string_view purpose,
                                std::string_view code, std::string_view source_address);

  // Seconds until the person of `login` may try a code again from `source_address` (0 when
  // they may now); with no address, the longest back-off of that person from any address.
  int64_t RetryAfterSeconds(std::string_view login, std::string_view source_address = {});
  // Seconds until another code may be sent to `login` from `source_address` (0 when it may now).
  int64_t SendRetryAfterSeconds(std::string_view login, std::string_view source_address);

  // Deletes rows that count for nothing any more: codes (and decoy rows) past every window and
  // lifetime, send locks and address counters past the window, back-offs over and forgotten.
  // The program runs it every few minutes. Returns how many rows went.
  Result<int64_t> Purge();

  const OneTimeCodeOptions& options() const { return options_; }

 private:
  struct Target;
  Result<Target> ResolveLogin(std::string_view login);
  Result<Target> ResolveAccount(int64_t account_id);
  Status SendTo(const Target& target, std::string_view purpose, std::string_view source_address);
  Status RedeemFor(const Target& target, std::string_view purpose, std::string_view code,
                   std::string_view source_address, bool spend = true,
                   const OnRedeemed& then = nullptr);
  std::string Key(std::string_view domain, std::string_view value) const;
  std::string AddressKey(std::string_view source_address) const;  // keyed AddressLimitKey
  std::string CodeHash(std::string_view target_key, std::string_view purpose,
                       std::string_view code) const;
  int64_t NowSeconds() const;

  store::Database& db_;
  const Clock& clock_;
  crypto::ThreadLocalHmac hmac_;
  CodeSender sender_;
  OneTimeCodeOptions options_;
};

// What the per-address limits count by: an IPv4 address as it is (an IPv4-mapped IPv6 address
// as its IPv4 address), an IPv6 address by its /64 ("2001:db8:0:1::/64": one subscriber holds
// the whole prefix), anything unparsable as given.
std::string AddressLimitKey(std::string_view address);

// True for 1-32 characters of [a-z_].
bool ValidCodePurpose(std::string_view purpose);

}  // namespace tongban::identity
