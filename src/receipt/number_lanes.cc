// Per-issuer number reservation and commit order; see number_lanes.h.
#include "receipt/number_lanes.h"

#include <algorithm>

namespace tongban::receipt {

NumberLanes::Ticket::Ticket(Ticket&& other) noexcept
    : lane_(other.lane_),
      epoch_(other.epoch_),
      seq_(other.seq_),
      before_(std::move(other.before_)),
      after_(std::move(other.after_)) {
  other.lane_ = nullptr;
}

NumberLanes::Ticket::~Ticket() {
  if (lane_ == nullptr) return;
  std::lock_guard<std::mutex> lock(lane_->mu);
  // Unfinished: its numbers may never be written, so every later reservation is void.
  if (lane_->epoch == epoch_) ResetLocked(*lane_);
}

bool NumberLanes::Ticket::WaitTurn() {
  std::unique_lock<std::mutex> lock(lane_->mu);
  lane_->turn.wait(lock, [&] { return lane_->epoch != epoch_ || lane_->committed == seq_; });
  return lane_->epoch == epoch_;
}

void NumberLanes::Ticket::Commit() {
  std::lock_guard<std::mutex> lock(lane_->mu);
  if (lane_->epoch == epoch_ && lane_->committed == seq_) {
    lane_->committed++;
    lane_->turn.notify_all();
  }
  lane_ = nullptr;
}

void NumberLanes::ResetLocked(Lane& lane) {
  lane.epoch++;
  lane.loaded = false;
  lane.ranges.clear();
  lane.next_seq = 0;
  lane.committed = 0;
  lane.turn.notify_all();
}

NumberLanes::Lane& NumberLanes::LaneOf(int64_t issuer_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<Lane>& lane = lanes_[issuer_id];
  if (!lane) lane = std::make_unique<Lane>();
  return *lane;
}

Result<NumberLanes::Ticket> NumberLanes::Reserve(int64_t issuer_id, const Loader& load,
                                                 const Assigner& assign) {
  Lane& lane = LaneOf(issuer_id);
  std::lock_guard<std::mutex> lock(lane.mu);
  bool fresh = false;
  if (!lane.loaded) {
    TB_ASSIGN_OR_RETURN(lane.ranges, load());
    lane.loaded = true;
    fresh = true;
  }
  std::vector<RangeCursor> after = lane.ranges;
  Status s = assign(after);
  if (!s.ok() && !fresh) {
    // Perhaps a range was assigned since the lane loaded, or another process took numbers:
    // merge what the database says (a number handed out here but not yet written stays taken).
    TB_ASSIGN_OR_RETURN(std::vector<RangeCursor> stored, load());
    for (const RangeCursor& r : stored) {
      auto known = std::find_if(lane.ranges.begin(), lane.ranges.end(),
                                [&](const RangeCursor& k) { return k.id == r.id; });
      if (known == lane.ranges.end()) {
        lane.ranges.push_back(r);
      } else {
        known->next = std::max(known->next, r.next);
      }
    }
    std::sort(lane.ranges.begin(), lane.ranges.end(),
              [](const RangeCursor& a, const RangeCursor& b) { return a.id < b.id; });
    after = lane.ranges;
    s = assign(after);
  }
  if (!s.ok()) return s;
  Ticket ticket(&lane, lane.epoch, lane.next_seq++);
  ticket.before_ = std::move(lane.ranges);
  lane.ranges = after;
  ticket.after_ = std::move(after);
  return ticket;
}

void NumberLanes::Reset(int64_t issuer_id) {
  Lane& lane = LaneOf(issuer_id);
  std::lock_guard<std::mutex> lock(lane.mu);
  ResetLocked(lane);
}

}  // namespace tongban::receipt
