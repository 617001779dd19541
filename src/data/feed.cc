// The change feed; see feed.h. SQL in data_repo.cc.
#include "data/feed.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "data/data_repo.h"
#include "ledger/log_storage.h"

namespace tongban::data {
namespace {

using boost::json::object;
using boost::json::value;

FeedBatch Empty(int64_t after, std::string ended = {}) {
  FeedBatch b;
  b.next = after;
  b.ended = std::move(ended);
  return b;
}

}  // namespace

boost::json::object FeedChangeJson(const FeedChange& c) {
  return object{{"seq", c.seq},
                {"subject", c.subject_id},
                {"key", c.key},
                {"version", c.version},
                {"recorded_at", FormatIso8601Utc(FromUnixMicros(c.recorded_at * 1'000'000))},
                {"source", c.source},
                {"fields", c.fields}};
}

DataFeed::DataFeed(store::Database& db, const Clock& clock, const Catalogue& catalogue, FeedOptions options)
    : db_(db), clock_(clock), catalogue_(catalogue), options_(std::move(options)) {}

DataFeed::~DataFeed() { Stop(); }

Status DataFeed::Start() {
  int64_t head = 0;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(head, DataRepo::FeedHead(tx));
    return Status::Ok();
  }));
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return Status::Ok();
  head_ = std::max(head_, head);
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void DataFeed::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Result<Agreement> DataFeed::CheckSubscription(const Actor& consumer, int64_t agreement_id) {
  std::optional<Agreement> a;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(a, DataRepo::GetAgreement(tx, agreement_id));
    return Status::Ok();
  }));
  if (!a || a->consumer != consumer.department) return Status::NotFound("agreement", std::to_string(agreement_id));
  std::string why = AgreementRefusal(*a, clock_.NowUnixMicros() / 1'000'000);
  if (!why.empty()) return Status::PermissionDenied(why + ": no feed");
  return *a;
}

uint64_t DataFeed::Wait(const Actor& consumer, int64_t agreement_id, int64_t after, int limit,
                        std::chrono::steady_clock::time_point deadline, Done done) {
  uint64_t id = 0;
  bool stopped = false;
  {
    std::lock_guard lock(mu_);
    stopped = stopping_ || !thread_.joinable();
    if (!stopped) {
      id = next_waiter_++;
      after = std::max<int64_t>(after, 0);
      waiters_.emplace(id, Waiter{consumer, agreement_id, after, std::clamp(limit, 1, options_.max_batch),
                                  deadline, std::move(done), after});
      // Woken in any case: the feed's thread recomputes the deadline it sleeps until.
      woken_ = true;
    }
  }
  if (stopped) {
    done(Empty(after, "stopping"));
    return 0;
  }
  cv_.notify_all();  // a new deadline, or changes already waiting
  return id;
}

void DataFeed::Cancel(uint64_t waiter) {
  Done done;
  int64_t after = 0;
  {
    std::lock_guard lock(mu_);
    auto it = waiters_.find(waiter);
    if (it == waiters_.end()) {
      if (waiter != 0 && waiter < next_waiter_) cancelled_.insert(waiter);  // being served now
      return;
    }
    done = std::move(it->second.done);
    after = it->second.after;
    waiters_.erase(it);
  }
  done(Empty(after, "cancelled"));
}

void DataFeed::Notify(int64_t head) {
  {
    std::lock_guard lock(mu_);
    if (head <= head_) return;
    head_ = head;
    woken_ = true;
  }
  cv_.notify_all();
}

int64_t DataFeed::waiting() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(waiters_.size());
}

void DataFeed::Run() {
  auto next_poll = std::chrono::steady_clock::now() + options_.poll_interval;
  std::unique_lock lock(mu_);
  while (true) {
    auto until = next_poll;
    for (const auto& [id, w] : waiters_) until = std::min(until, w.deadline);
    cv_.wait_until(lock, until, [&] { return stopping_ || woken_; });
    if (stopping_) break;
    woken_ = false;
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_poll) {
      // Commits of other processes on this database: read the head (outside the lock).
      lock.unlock();
      int64_t head = -1;
      Status s = db_.Read([&](store::Tx& tx) -> Status {
        TB_ASSIGN_OR_RETURN(head, DataRepo::FeedHead(tx));
        return Status::Ok();
      });
      if (!s.ok()) spdlog::warn(R"({{"msg":"data feed: reading the head failed","error":"{}"}})", s.ToString());
      lock.lock();
      head_ = std::max(head_, head);
      next_poll = std::chrono::steady_clock::now() + options_.poll_interval;
    }
    Ready ready;
    std::vector<Waiter> expired;
    const int64_t head = head_;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.seen < head) {
        ready.emplace_back(it->first, std::move(it->second));
        it = waiters_.erase(it);
      } else if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
    if (ready.empty() && expired.empty()) continue;
    lock.unlock();
    for (Waiter& w : expired) w.done(Empty(w.after));
    Ready again;
    if (!ready.empty()) again = Serve(ready);
    lock.lock();
    std::vector<Waiter> gone;
    for (auto& [id, w] : again) {
      if (cancelled_.erase(id) > 0) {
        gone.push_back(std::move(w));
      } else {
        w.seen = head;
        waiters_.emplace(id, std::move(w));
      }
    }
    cancelled_.clear();
    if (!gone.empty()) {
      lock.unlock();
      for (Waiter& w : gone) w.done(Empty(w.after, "cancelled"));
      lock.lock();
    }
  }
  // Stopping: answer everyone still waiting.
  std::map<uint64_t, Waiter> left;
  left.swap(waiters_);
  lock.unlock();
  for (auto& [id, w] : left) w.done(Empty(w.after, "stopping"));
}

DataFeed::Ready DataFeed::Serve(Ready& ready) {
  std::vector<FeedBatch> batches(ready.size());
  const int64_t now_us = clock_.NowUnixMicros();
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    std::unordered_map<int64_t, std::optional<Agreement>> agreements;
    // Subscribers of one dataset at one cursor read the same versions: parse each once.
    std::unordered_map<int64_t, object> parsed;
    std::vector<ledger::Entry> entries;
    TB_ASSIGN_OR_RETURN(const uint64_t hint, ledger::LogSizeHint(tx));
    // Waiters asking the same thing in this round share the first one's batch and trace.
    std::map<std::tuple<int64_t, int64_t, int64_t, int>, size_t> asked;
    for (size_t i = 0; i < ready.size(); ++i) {
      const Waiter& w = ready[i].second;
      FeedBatch& b = batches[i];
      auto [same, first] = asked.try_emplace({w.agreement_id, w.consumer.account_id, w.after, w.limit}, i);
      if (!first) {
        b = batches[same->second];
        continue;
      }
      b = Empty(w.after);
      auto found = agreements.find(w.agreement_id);
      if (found == agreements.end()) {
        TB_ASSIGN_OR_RETURN(auto a, DataRepo::GetAgreement(tx, w.agreement_id));
        found = agreements.emplace(w.agreement_id, std::move(a)).first;
      }
      const std::optional<Agreement>& a = found->second;
      if (!a || a->consumer != w.consumer.department) {
        b.ended = "no such agreement of the caller's department";
        continue;
      }
      b.ended = AgreementRefusal(*a, now_us / 1'000'000);
      if (!b.ended.empty()) continue;
      TB_ASSIGN_OR_RETURN(auto rows, DataRepo::FeedRecords(tx, a->dataset, w.after, w.limit + 1));
      b.more = rows.size() > static_cast<size_t>(w.limit);
      if (b.more) rows.pop_back();
      if (rows.empty()) continue;
      auto changes = std::make_shared<std::vector<FeedChange>>();
      changes->reserve(rows.size());
      for (RecordRow& r : rows) {
        auto at = parsed.find(r.feed_seq);
        if (at == parsed.end()) {
          TB_ASSIGN_OR_RETURN(object fields, StoredFields(r));
          at = parsed.emplace(r.feed_seq, std::move(fields)).first;
        }
        const object& fields = at->second;
        FeedChange c{r.feed_seq, std::move(r.subject_id), std::move(r.key), r.version, r.created_at,
                     std::move(r.owner), {}};
        for (const std::string& e : a->elements) {
          if (const value* v = fields.if_contains(e)) c.fields.emplace(e, *v);
        }
        c.json = boost::json::serialize(FeedChangeJson(c));
        changes->push_back(std::move(c));
      }
      b.items = changes;
      b.next = changes->back().seq;
      // The trace: which versions went to whom under which agreement, before they leave.
      DeliveryRow d;
      d.agreement_id = a->id;
      d.consumer = a->consumer;
      d.consumer_account = w.consumer.account_id;
      d.dataset = a->dataset;
      d.elements = a->elements;
      d.from_seq = changes->front().seq;
      d.to_seq = b.next;
      d.records = static_cast<int64_t>(changes->size());
      d.trace.at_micros = now_us;
      d.trace.hint = hint;
      d.trace.document = boost::json::serialize(
          object{{"feed", "data"}, {"agreement", a->id}, {"consumer", a->consumer},
                 {"consumer_account", w.consumer.account_id}, {"dataset", a->dataset},
                 {"elements", ElementsArray(a->elements)}, {"from_seq", d.from_seq},
                 {"to_seq", d.to_seq}, {"records", d.records}, {"time", now_us}});
      const Department* consumer = catalogue_.DepartmentByKey(a->consumer);
      d.trace.entry = ledger::DocumentEntry("data.feed",
                                            options_.subject_hash(consumer != nullptr ? consumer->uscc : a->consumer),
                                            options_.hash, d.trace.document, now_us);
      entries.push_back(d.trace.entry);
      TB_ASSIGN_OR_RETURN(b.delivery_id, DataRepo::InsertDelivery(tx, d));
    }
    return ledger::EnqueueEntries(tx, entries);
  });
  Ready again;
  for (size_t i = 0; i < ready.size(); ++i) {
    Waiter& w = ready[i].second;
    if (!s.ok()) {
      w.done(s);
    } else if (batches[i].changes().empty() && batches[i].ended.empty()) {
      again.push_back(std::move(ready[i]));  // nothing new in its dataset: wait on
    } else {
      w.done(std::move(batches[i]));
    }
  }
  return again;
}

Result<std::vector<AccessRecord>> DataFeed::Deliveries(std::string_view subject_id) {
  std::vector<AccessRecord> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, DataRepo::ListDeliveries(tx, subject_id, 50));
    return Status::Ok();
  }));
  return out;
}

}  // namespace tongban::data
