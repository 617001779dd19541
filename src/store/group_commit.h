// GroupCommit: many callers' small write transactions share one transaction and one commit (one
// fsync), as a database's own group commit does for its log. A caller queues its request; the
// first in the queue leads: it takes the queued requests (up to `max_group`), runs each with
// `run_one` inside one transaction, commits, and hands each follower its answer. Under load the
// groups grow by themselves; alone, a request runs at once in a group of one.
//
// `run_one` decides one request inside the group's transaction. A refusal of that request alone
// (a business answer: not found, forbidden, conflict) is returned as its Result and must not have
// written anything; a failed statement fails the transaction (tx.failed()), and then every request
// of the group is run again alone, so one request's error never fails the others. If the COMMIT
// itself fails, every request of the group gets the error (nothing was acknowledged).
//
//   GroupCommit<ReadRequest, ReadResult> reads(db, 64, [&](store::Tx& tx, const ReadRequest& r) {...});
//   Result<ReadResult> r = reads.Run(request);   // blocks until its group committed
//
// Thread-safe. `run_one` is called on the leader's thread. Used by receipt claims
// (receipt/claims.cc) and the data platform's purpose-bound reads (data/data_service.cc).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "core/status.h"
#include "store/database.h"

namespace tongban::store {

template <class Request, class Answer>
class GroupCommit {
 public:
  using RunOne = std::function<Result<Answer>(Tx& tx, const Request& request)>;

  GroupCommit(Database& db, size_t max_group, RunOne run_one)
      : db_(db), max_group_(std::max<size_t>(1, max_group)), run_one_(std::move(run_one)) {}

  Result<Answer> Run(const Request& request) {
    Waiter self;
    self.request = &request;
    std::unique_lock lock(mu_);
    queue_.push_back(&self);
    while (!self.done && queue_.front() != &self) self.cv.wait(lock);
    if (self.done) return std::move(*self.answer);
    // The leader: the requests queued up to now (itself first).
    const size_t n = std::min(queue_.size(), max_group_);
    std::vector<Waiter*> group(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    lock.unlock();
    std::vector<const Request*> requests;
    requests.reserve(n);
    for (Waiter* w : group) requests.push_back(w->request);
    std::vector<Result<Answer>> answers = RunTogether(requests);
    for (size_t i = 1; i < n; ++i) group[i]->answer.emplace(std::move(answers[i]));
    lock.lock();
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    // Notified under the lock: a follower cannot see `done` and go away before this loop ends.
    for (size_t i = 1; i < n; ++i) {
      group[i]->done = true;
      group[i]->cv.notify_one();
    }
    if (!queue_.empty()) queue_.front()->cv.notify_one();  // the next leader
    return std::move(answers[0]);
  }

  // Runs `requests` as one group now (a caller that holds a batch already, e.g. a bulk API), with
  // the same rules as a queued group; one answer per request, in order.
  std::vector<Result<Answer>> RunTogether(std::span<const Request* const> requests) {
    const size_t n = requests.size();
    std::vector<std::optional<Result<Answer>>> out(n);
    bool all_ran = false;  // the function reached its end: a failure after it was at COMMIT
    bool retryable = false;
    Status s = db_.Transact([&](Tx& tx) -> Status {
      all_ran = false;
      retryable = false;
      for (size_t i = 0; i < n; ++i) {
        Result<Answer> one = run_one_(tx, *requests[i]);
        if (tx.failed()) {
          retryable = tx.retryable();
          return one.ok() ? Status::Internal("group transaction failed") : one.status();
        }
        out[i].emplace(std::move(one));
      }
      all_ran = true;
      return Status::Ok();
    });
    std::vector<Result<Answer>> answers;
    answers.reserve(n);
    if (s.ok()) {
      for (auto& a : out) answers.push_back(std::move(*a));
      return answers;
    }
    if (all_ran || n == 1 || retryable) {
      // COMMIT failed (nothing acknowledged; with a lost acknowledgement the outcome is unknown,
      // so the requests must not run again), or retries ran out: every request gets the error.
      for (size_t i = 0; i < n; ++i) answers.emplace_back(s);
      return answers;
    }
    // A statement failed the group (not retryable): run each alone, so one request's error does
    // not fail the others.
    for (size_t i = 0; i < n; ++i) answers.push_back(std::move(RunTogether(requests.subspan(i, 1)).front()));
    return answers;
  }

 private:
  struct Waiter {
    const Request* request = nullptr;
    std::optional<Result<Answer>> answer;  // set by the leader that ran it
    bool done = false;                     // guarded by mu_
    std::condition_variable cv;
  };

  Database& db_;
  const size_t max_group_;
  RunOne run_one_;
  std::mutex mu_;
  std::deque<Waiter*> queue_;
};

}  // namespace tongban::store
