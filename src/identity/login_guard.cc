// Per-account login back-off and bounded password checks; see login_guard.h.
#include "identity/login_guard.h"

#include <algorithm>
#include <vector>

namespace tongban::identity {
namespace {

constexpr int64_t kMicros = 1'000'000;
// Failures older than this are forgotten: the count starts again.
constexpr int64_t kForgetAfterMicros = 3600 * kMicros;

}  // namespace

LoginGuard::LoginGuard(const Clock& clock, LoginGuardOptions options)
    : clock_(clock), options_(options) {}

int64_t LoginGuard::AllowedFrom(const Failures& f) const {
  if (f.count <= options_.free_failures) return 0;
  int excess = f.count - options_.free_failures - 1;  // 0 -> 1 s, 1 -> 2 s, ...
  int64_t wait = excess >= 30 ? options_.max_backoff_seconds
                              : std::min<int64_t>(int64_t{1} << excess, options_.max_backoff_seconds);
  return f.last_failure_micros + wait * kMicros;
}

Status LoginGuard::CheckAllowed(std::string_view login) {
  int64_t now = clock_.NowUnixMicros();
  std::lock_guard lock(failures_mu_);
  auto it = failures_.find(std::string(login));
  if (it == failures_.end()) return Status::Ok();
  if (now - it->second.last_failure_micros >= kForgetAfterMicros) {
    failures_.erase(it);
    return Status::Ok();
  }
  int64_t from = AllowedFrom(it->second);
  if (now >= from) {
    if (it->second.count < options_.free_failures) return Status::Ok();
    if (it->second.in_flight == 0) {
      ++it->second.in_flight;
      return Status::Ok();
    }
    ++backoff_refusals_;
    return Status::ResourceExhausted(
        "another login of this account is being checked: wait for its answer");
  }
  ++backoff_refusals_;
  return Status::ResourceExhausted("too many failed logins for this account: wait " +
                                   std::to_string((from - now + kMicros - 1) / kMicros) +
                                   " s before trying again");
}

int64_t LoginGuard::RetryAfterSeconds(std::string_view login) {
  int64_t now = clock_.NowUnixMicros();
  std::lock_guard lock(failures_mu_);
  auto it = failures_.find(std::string(login));
  if (it == failures_.end()) return 0;
  int64_t from = AllowedFrom(it->second);
  return from <= now ? 0 : (from - now + kMicros - 1) / kMicros;
}

void LoginGuard::RecordFailure(std::string_view login) {
  int64_t now = clock_.NowUnixMicros();
  std::lock_guard lock(failures_mu_);
  if (failures_.size() >= options_.max_tracked && !failures_.contains(std::string(login))) {
    // Full: forget what has aged out; if that is not enough, the oldest half.
    std::erase_if(failures_, [&](const auto& kv) {
      return now - kv.second.last_failure_micros >= kForgetAfterMicros;
    });
    if (failures_.size() >= options_.max_tracked) {
      std::vector<int64_t> times;
      times.reserve(failures_.size());
      for (const auto& kv : failures_) times.push_back(kv.second.last_failure_micros);
      auto mid = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
      std::nth_element(times.begin(), mid, times.end());
      int64_t cut = *mid;
      std::erase_if(failures_, [&](const auto& kv) { return kv.second.last_failure_micros <= cut; });
    }
  }
  Failures& f = failures_[std::string(login)];
  if (f.count > 0 && now - f.last_failure_micros >= kForgetAfterMicros) f.count = 0;
  ++f.count;
  f.last_failure_micros = now;
  if (f.in_flight > 0) --f.in_flight;
}

void LoginGuard::EndAttempt(std::string_view login) {
  std::lock_guard lock(failures_mu_);
  auto it = failures_.find(std::string(login));
  if (it != failures_.end() && it->second.in_flight > 0) --it->second.in_flight;
}

void LoginGuard::RecordSuccess(std::string_view login) {
  std::lock_guard lock(failures_mu_);
  failures_.erase(std::string(login));
}

Result<LoginGuard::Slot> LoginGuard::AcquirePasswordSlot() {
  std::unique_lock lock(slots_mu_);
  if (running_ < options_.password_threads && waiting_ == 0) {
    ++running_;
    return Slot(this);
  }
  if (waiting_ >= options_.password_queue) {
    ++busy_refusals_;
    return Status::Unavailable("too many logins in progress; try again in a moment");
  }
  ++waiting_;
  slot_free_.wait(lock, [this] { return running_ < options_.password_threads; });
  --waiting_;
  ++running_;
  return Slot(this);
}

void LoginGuard::ReleaseSlot() {
  {
    std::lock_guard lock(slots_mu_);
    --running_;
  }
  slot_free_.notify_one();
}

LoginGuard::Slot::~Slot() {
  if (guard_ != nullptr) guard_->ReleaseSlot();
}

int64_t LoginGuard::backoff_refusals() const {
  std::lock_guard lock(failures_mu_);
  return backoff_refusals_;
}

int64_t LoginGuard::busy_refusals() const {
  std::lock_guard lock(slots_mu_);
  return busy_refusals_;
}

}  // namespace tongban::identity
