// LoginGuard: what stands between a password guesser and the password check (OWASP ASVS V2.2,
// API Security Top 10 API2 and API4).
//
//  - Per-account back-off. The first `free_failures` failed logins of one login name cost
//    nothing; after each further failure the next attempt must wait 1 s, 2 s, 4 s, ... (at most
//    `max_backoff_seconds`) after that failure;
//    an attempt during the wait is refused at once, without a password check (HTTP 429 with
//    Retry-After). A success clears the count; an hour without failures forgets it. There is no
//    lock-out an attacker could use to shut a person out for good: the longest wait is bounded
//    (the accounts issue adds a one-time code as the way around it). Unknown login names are
//    counted like real ones, so the back-off does not reveal which accounts exist.
//  - Bounded password checks. Argon2id is deliberately expensive (tens of milliseconds and
//    64 MiB each); at most `password_threads` checks run at once and at most `password_queue`
//    callers wait for one, so a flood of logins cannot take every core and every handler thread
//    from other requests: the caller beyond the queue gets kUnavailable (HTTP 503, Retry-After).
//
// Thread-safe. `clock` must outlive the guard. Memory is bounded: at most `max_tracked` login
// names are remembered (the oldest failures are forgotten first when the table is full).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/status.h"

namespace tongban::identity {

struct LoginGuardOptions {
  int free_failures = 5;
  int64_t max_backoff_seconds = 300;
  int password_threads = 1;  // REQUIRES: >= 1
  int password_queue = 8;
  size_t max_tracked = 100'000;
};

class LoginGuard {
 public:
  LoginGuard(const Clock& clock, LoginGuardOptions options);

  // kResourceExhausted while `login` must wait; RetryAfterSeconds() says how long. Past the free
  // failures one attempt at a time is let through (concurrent guesses would otherwise all pass
  // the check before the first failure is recorded): an allowed attempt must end with
  // RecordFailure, RecordSuccess or EndAttempt.
  Status CheckAllowed(std::string_view login);
  // Ends an attempt that checked no password (the store failed, no slot was free).
  void EndAttempt(std::string_view login);
  // Seconds until `login` may try again (0 when it may now).
  int64_t RetryAfterSeconds(std::string_view login);
  void RecordFailure(std::string_view login);
  void RecordSuccess(std::string_view login);

  // Holds one of the `password_threads` password-check slots until destroyed.
  class Slot {
   public:
    explicit Slot(LoginGuard* guard) : guard_(guard) {}
    Slot(Slot&& other) noexcept : guard_(other.guard_) { other.guard_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    LoginGuard* guard_;
  };
  // Waits for a free slot; kUnavailable when `password_queue` callers already wait.
  Result<Slot> AcquirePasswordSlot();

  // For /metrics: logins refused by the back-off, and for want of a password slot.
  int64_t backoff_refusals() const;
  int64_t busy_refusals() const;

 private:
  struct Failures {
    int count = 0;
    int64_t last_failure_micros = 0;
    int in_flight = 0;  // allowed attempts past the free failures not yet ended
  };
  // The earliest time (unix micros) `f` allows another attempt.
  int64_t AllowedFrom(const Failures& f) const;
  void ReleaseSlot();

  const Clock& clock_;
  const LoginGuardOptions options_;

  mutable std::mutex failures_mu_;
  std::unordered_map<std::string, Failures> failures_;
  int64_t backoff_refusals_ = 0;

  mutable std::mutex slots_mu_;
  std::condition_variable slot_free_;
  int running_ = 0;
  int waiting_ = 0;
  int64_t busy_refusals_ = 0;
};

}  // namespace tongban::identity
