// CheckpointPublisher: decides which checkpoint the log publishes. With no witnesses configured it
// is the latest signed checkpoint. With witnesses, it submits each new checkpoint to all of them
// (C2SP tlog-witness, via WitnessClient) and publishes the note with the cosignatures attached —
// and, when a quorum k > 0 is required, only once k witnesses have cosigned it; until then the
// previously published checkpoint stays (clients never see a checkpoint fewer than k witnesses
// vouched for).
//
// Without witnesses the thread still runs, every `interval`, so that the checkpoint is served from
// memory (one read per interval instead of one per request); LatestNote() reads storage only
// until the first round.
//
// Thread-safe. Runs its own thread after Start(); PublishOnce() is the synchronous step for tests
// and the CLI. Does not own `reader`, which must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "ledger/log_reader.h"
#include "ledger/witness_client.h"

namespace tongban::ledger {

struct PublisherStats {
  uint64_t published_size = 0;     // size of the published checkpoint
  uint64_t attempts = 0;           // witness rounds tried
  uint64_t quorum_failures = 0;    // rounds with fewer than k cosignatures
  std::string last_error;
};

class CheckpointPublisher {
 public:
  CheckpointPublisher(LogReader& reader, std::vector<std::unique_ptr<WitnessClient>> witnesses,
                      size_t quorum, std::chrono::milliseconds interval);
  ~CheckpointPublisher();

  // If the latest stored checkpoint is newer than the published one, collects cosignatures and
  // publishes it (see the class comment). kUnavailable when the quorum was not reached.
  Status PublishOnce();
  // The note to serve at /checkpoint. kUnavailable while no checkpoint has reached the quorum.
  Result<std::string> LatestNote();

  void Start();
  void Stop();
  PublisherStats stats() const;
  bool has_witnesses() const { return !witnesses_.empty(); }

 private:
  LogReader& reader_;
  std::vector<std::unique_ptr<WitnessClient>> witnesses_;
  size_t quorum_;
  std::chrono::milliseconds interval_;

  std::mutex publish_mu_;  // one round at a time
  mutable std::mutex mu_;  // guards what follows
  std::condition_variable cv_;
  std::string published_note_;
  PublisherStats stats_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tongban::ledger
