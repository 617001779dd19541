// Periodic: runs a function every `interval` on its own thread until stopped — what the parts'
// sweeps (overdue escalations, rules left undecided, late remediation) are built on.
//
//   Periodic sweep;
//   sweep.Start(std::chrono::seconds(300), [this] { if (!Escalate().ok()) ++errors_; });
//   ...
//   sweep.Stop();  // wakes the thread and joins it; the destructor does too
//
// The first run is one interval after Start. Start while running does nothing; Stop is idempotent
// and may be followed by Start again. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tongban {

class Periodic {
 public:
  Periodic() = default;
  ~Periodic() { Stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  void Start(std::chrono::milliseconds interval, std::function<void()> run) {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this, interval, run = std::move(run)] {
      std::unique_lock lock(mu_);
      while (!cv_.wait_for(lock, interval, [this] { return stop_; })) {
        lock.unlock();
        run();
        lock.lock();
      }
    });
  }

  void Stop() {
    std::thread t;
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      t = std::move(thread_);
    }
    cv_.notify_all();
    if (t.joinable()) t.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace tongban
