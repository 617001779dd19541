// Publishing cosigned checkpoints; see publisher.h.
#include "ledger/publisher.h"

namespace tongban::ledger {

CheckpointPublisher::CheckpointPublisher(LogReader& reader,
                                         std::vector<std::unique_ptr<WitnessClient>> witnesses,
                                         size_t quorum, std::chrono::milliseconds interval)
    : reader_(reader), witnesses_(std::move(witnesses)), quorum_(quorum), interval_(interval) {}

CheckpointPublisher::~CheckpointPublisher() { Stop(); }

Status CheckpointPublisher::PublishOnce() {
  std::lock_guard round(publish_mu_);
  TB_ASSIGN_OR_RETURN(StoredCheckpoint latest, reader_.LatestCheckpoint());
  {
    std::lock_guard lock(mu_);
    if (!published_note_.empty() && latest.size <= stats_.published_size) return Status::Ok();
  }
  if (witnesses_.empty()) {
    std::lock_guard lock(mu_);
    published_note_ = latest.note;
    stats_.published_size = latest.size;
    return Status::Ok();
  }
  std::vector<WitnessClient*> clients;
  for (auto& w : witnesses_) clients.push_back(w.get());
  auto proofs = [this](uint64_t m, uint64_t n) { return reader_.ConsistencyProof(m, n); };
  auto cosigned = CollectCosignatures(latest.note, clients, quorum_, proofs);
  std::lock_guard lock(mu_);
  ++stats_.attempts;
  if (!cosigned.ok()) {
    ++stats_.quorum_failures;
    stats_.last_error = cosigned.status().ToString();
    return cosigned.status();
  }
  published_note_ = std::move(cosigned->note);
  stats_.published_size = latest.size;
  return Status::Ok();
}

Result<std::string> CheckpointPublisher::LatestNote() {
  {
    std::lock_guard lock(mu_);
    if (!published_note_.empty()) return published_note_;
  }
  if (witnesses_.empty()) {
    TB_ASSIGN_OR_RETURN(StoredCheckpoint latest, reader_.LatestCheckpoint());
    return latest.note;
  }
  return Status::Unavailable("no checkpoint has been cosigned by the required witnesses yet");
}

void CheckpointPublisher::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      (void)PublishOnce();  // failures are in stats(); the next round retries
      lock.lock();
      cv_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void CheckpointPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

PublisherStats CheckpointPublisher::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace tongban::ledger
