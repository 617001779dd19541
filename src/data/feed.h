// DataFeed: the change feed (数据高铁). A consumer department with an approved agreement follows a
// dataset: it receives each new record version, only the elements the agreement covers, in commit
// order, after a resumable cursor (the version's feed sequence number, data_repo.cc migration 2).
// A consumer that disconnects and resumes from its last cursor loses nothing and gets nothing
// twice.
//
// Waiting costs no thread: Wait() registers a waiter; the feed's one thread wakes when a push in
// this process commits (Notify) or when its poll of the feed head finds a commit of another
// process on the same database (every `poll_interval`), and then serves every ready waiter in ONE
// transaction: for each, the agreement is checked (approved, not expired, the waiter's), the next
// versions are read, and their delivery is traced (a data_feed_delivery row and a ledger entry) in
// that transaction — no delivery without its trace, and one commit for all subscribers (group
// commit). Waiters of one account at one cursor of one agreement (a department's replicas) share
// one read, one serialisation and one trace. The subject finds the deliveries of their versions
// in "my data" (Deliveries()).
//
// Thread-safety: thread-safe. `done` callbacks run on the feed's thread, never under its lock (a
// callback may Wait again). The database, clock and catalogue outlive the feed.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/hash.h"
#include "data/catalogue.h"
#include "data/data_service.h"
#include "store/database.h"

namespace tongban::data {

struct FeedOptions {
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;
  std::function<std::array<uint8_t, 32>(std::string_view)> subject_hash;
  // How often the feed head is read, to see commits of other processes on the same database.
  std::chrono::milliseconds poll_interval{100};
  int max_batch = 1000;  // versions in one delivery
};

struct FeedChange {
  int64_t seq = 0;  // the cursor after this change
  std::string subject_id;
  std::string key;
  int64_t version = 0;
  int64_t recorded_at = 0;  // unix seconds
  std::string source;       // the owner department's key
  boost::json::object fields;  // only the covered elements
  // The change as a DataChange JSON object (the API's wire form), serialised once for every
  // subscriber that receives it.
  std::string json;
};

struct FeedBatch {
  // Shared by the subscribers that asked for the same versions under the same agreement in one
  // round (a department's replicas at one cursor): read, filtered and serialised once.
  std::shared_ptr<const std::vector<FeedChange>> items;
  const std::vector<FeedChange>& changes() const {
    static const std::vector<FeedChange> kNone;
    return items ? *items : kNone;
  }
  int64_t next = 0;    // the cursor to resume from: the last change's seq, or the cursor asked for
  bool more = false;   // more changes are waiting past `next`
  int64_t delivery_id = 0;  // the trace of this batch (0 when empty)
  // Non-empty when the agreement no longer allows the feed (revoked, expired): no more batches.
  std::string ended;
};

// A change as the API shows it (the DataChange schema): seq, subject, key, version, recorded_at
// (ISO 8601 UTC), source, fields.
boost::json::object FeedChangeJson(const FeedChange& c);

class DataFeed {
 public:
  using Done = std::function<void(Result<FeedBatch>)>;

  DataFeed(store::Database& db, const Clock& clock, const Catalogue& catalogue, FeedOptions options);
  ~DataFeed();  // Stop()
  DataFeed(const DataFeed&) = delete;
  DataFeed& operator=(const DataFeed&) = delete;

  // Starts the feed's thread (reads the head first). Stop() answers every waiter with an empty
  // batch whose `ended` is "stopping" and joins.
  Status Start();
  void Stop();

  // The agreement `consumer` follows: kNotFound (none of the consumer's department),
  // kPermissionDenied (not approved, or expired). What a subscribe route checks before waiting.
  Result<Agreement> CheckSubscription(const Actor& consumer, int64_t agreement_id);

  // Calls `done` once: with the next batch after `after` (at most `limit` versions) once one is
  // committed, or with an empty batch at `deadline`, on Cancel, or when the feed stops. Returns
  // the waiter's id for Cancel.
  uint64_t Wait(const Actor& consumer, int64_t agreement_id, int64_t after, int limit,
                std::chrono::steady_clock::time_point deadline, Done done);
  // Answers the waiter at once with an empty batch (no-op if it was answered).
  void Cancel(uint64_t waiter);

  // A push in this process committed versions up to `head`: wake the waiters now.
  void Notify(int64_t head);

  // The deliveries that carried a version of the subject's records, newest first (at most 50),
  // as access records (purpose: the agreement; `via_feed` set).
  Result<std::vector<AccessRecord>> Deliveries(std::string_view subject_id);
  int64_t waiting() const;

 private:
  struct Waiter {
    Actor consumer;
    int64_t agreement_id = 0;
    int64_t after = 0;
    int limit = 0;
    std::chrono::steady_clock::time_point deadline;
    Done done;
    int64_t seen = 0;  // the feed head when it was last served (nothing of its dataset past it)
  };
  using Ready = std::vector<std::pair<uint64_t, Waiter>>;
  void Run();
  // Serves `ready` in one transaction and answers each; returns the waiters that found nothing
  // new in their dataset (they wait on).
  Ready Serve(Ready& ready);

  store::Database& db_;
  const Clock& clock_;
  const Catalogue& catalogue_;
  FeedOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Waiter> waiters_;
  std::set<uint64_t> cancelled_;  // cancelled while being served
  uint64_t next_waiter_ = 1;
  int64_t head_ = 0;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tongban::data
