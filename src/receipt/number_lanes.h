// NumberLanes: hands out receipt numbers (号段) per issuer ahead of the write transaction, and
// makes the transactions commit in the order the numbers were handed out.
//
// Why: issuing a batch costs ~150 k instructions per receipt of pure CPU work (document, its
// SM3 hash, keyed payer hashes, two manifest signatures) and ~50 k of row writes. Done inside the
// write transaction, every batch of the deployment queues behind that CPU work (SQLite has one
// writer), so two cores never did more than one core's work. With a lane, a batch reserves its
// numbers under a short per-issuer lock, builds and signs everything with no lock held (several
// batches at once, one per core), then waits for its turn and writes.
//
// No gaps, no reuse: the database stays the judge. A batch's write transaction moves each range
// with `UPDATE ... SET next_number = <after> WHERE id = ? AND next_number = <before>`; the lane
// only makes those conditions true in the usual case. Batches of one issuer commit in reservation
// order (a batch waits until the one before it committed or failed). When a reservation fails
// (any error after Reserve, including a lost race against another process), the lane is reset:
// every reservation after it is told to start over (WaitTurn returns false) and the next Reserve
// reloads the ranges from the database. Different issuers never wait for each other.
//
// Thread-safety: thread-safe. A Ticket belongs to one thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"

namespace tongban::receipt {

// One number range of an issuer as issuance sees it: the next number to hand out.
struct RangeCursor {
  int64_t id = 0;
  std::string code;  // 票据代码 of the range
  int64_t last = 0;  // last number of the range
  int64_t next = 0;  // next number to hand out; last + 1 when used up
};

class NumberLanes {
  struct Lane;

 public:
  // Reads an issuer's ranges from the database (ordered by id).
  using Loader = std::function<Result<std::vector<RangeCursor>>()>;
  // Takes numbers from `ranges` (advancing `next`); an error leaves the lane unchanged.
  using Assigner = std::function<Status(std::vector<RangeCursor>& ranges)>;

  // A reservation: the issuer's ranges before and after it. Finish it with Commit() after its
  // transaction committed; destroying it unfinished resets the lane (see above).
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

    const std::vector<RangeCursor>& before() const { return before_; }
    const std::vector<RangeCursor>& after() const { return after_; }
    // Blocks until every earlier reservation of the issuer committed. False when the lane was
    // reset meanwhile: the numbers may be taken; drop this ticket and reserve again.
    bool WaitTurn();
    // The transaction committed: the next reservation may write.
    void Commit();

   private:
    friend class NumberLanes;
    Ticket(Lane* lane, uint64_t epoch, uint64_t seq) : lane_(lane), epoch_(epoch), seq_(seq) {}
    Lane* lane_;
    uint64_t epoch_, seq_;
    std::vector<RangeCursor> before_, after_;
  };

  NumberLanes() = default;
  NumberLanes(const NumberLanes&) = delete;
  NumberLanes& operator=(const NumberLanes&) = delete;

  // Reserves numbers for one batch of `issuer_id`: `assign` runs under the issuer's lock on the
  // ranges as they will be once every earlier reservation committed. If it fails, the ranges are
  // reloaded once (a range assigned since, or numbers used by another process) and it runs again;
  // its second error is returned and nothing is reserved.
  Result<Ticket> Reserve(int64_t issuer_id, const Loader& load, const Assigner& assign);

  // Forgets what the lane knows of `issuer_id` (numbers were taken outside the lane, e.g. by a
  // void's replacement receipt): reservations in flight start over.
  void Reset(int64_t issuer_id);

 private:
  struct Lane {
    std::mutex mu;
    std::condition_variable turn;
    bool loaded = false;
    std::vector<RangeCursor> ranges;  // as they will be after every reservation handed out
    uint64_t epoch = 0;               // bumped by every reset
    uint64_t next_seq = 0;            // sequence number of the next reservation
    uint64_t committed = 0;           // reservations of this epoch that committed
  };
  static void ResetLocked(Lane& lane);
  Lane& LaneOf(int64_t issuer_id);

  std::mutex mu_;
  std::map<int64_t, std::unique_ptr<Lane>> lanes_;
};

}  // namespace tongban::receipt
