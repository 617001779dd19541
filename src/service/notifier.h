// Notifier: the outbound notification seam (SMS / app push). The inbox (service_notice) is the
// record and the outbox: a notice is written in the transaction of the change it reports, and
// handed to the notifier after that transaction commits (best effort: a lost send leaves the
// inbox notice). Messages carry a masked name and the case number, never an ID number.
//
// Sinks here: FileNotifier (one JSON line per message, appended to a file: what a gateway
// adapter would read) and LogNotifier (the log). A province's SMS gateway or app push adapter
// implements the same interface. Thread-safe.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "core/status.h"
#include "service/case_record.h"

namespace tongban::service {

struct OutboundMessage {
  int64_t account_id = 0;   // 0: a department's (escalations)
  std::string department;   // department key, for department messages
  std::string channel;      // "sms" / "push": what the deployment's adapter would use
  Notice notice;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void Send(const OutboundMessage& message) = 0;
};

class FileNotifier : public Notifier {
 public:
  explicit FileNotifier(std::filesystem::path path) : path_(std::move(path)) {}
  void Send(const OutboundMessage& message) override;
  int64_t failures() const { return failures_; }

 private:
  std::filesystem::path path_;
  std::mutex mu_;
  int64_t failures_ = 0;  // guarded by mu_
};

class LogNotifier : public Notifier {
 public:
  void Send(const OutboundMessage& message) override;
};

}  // namespace tongban::service
