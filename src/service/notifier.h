// Notifier: the outbound notification seam of the service part. Every notice is first recorded
// in the case's own notice list (service_notice) in the transaction of the change it reports
// (RecordNotice below). A person's notice also goes, in that transaction, to the notification
// hub's outbox (notify/outbox.h, template "case.update"), which delivers it to their inbox, SMS or
// e-mail per their preferences, with retries, exactly once per notice. A department's notice (an
// escalation, a supplement) is handed to the Notifier after the commit (best effort: a lost send
// leaves the recorded notice): the department systems' push. Messages carry a masked name and the
// case number, never an ID number.
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
#include "store/database.h"

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

// Records `notice` (its id is set) inside `tx` and routes it: a person's notice (account_id != 0)
// to the notification hub's outbox for `subject`, their citizen ID number (event
// "service.notice:<id>"); a department's (account_id 0) into `department_messages`, for the
// Notifier after the commit.
Status RecordNotice(store::Tx& tx, Notice& notice, std::string_view subject,
                    std::vector<OutboundMessage>& department_messages);

}  // namespace tongban::service
