// Notification sinks; see notifier.h.
#include "service/notifier.h"

#include <boost/json.hpp>
#include <fstream>

#include <spdlog/spdlog.h>

#include "notify/outbox.h"
#include "service/case_repo.h"

namespace tongban::service {
namespace {

std::string Line(const OutboundMessage& m) {
  boost::json::object o{{"account_id", m.account_id},
                        {"department", m.department},
                        {"channel", m.channel},
                        {"kind", m.notice.kind},
                        {"case_number", m.notice.case_number},
                        {"text_zh", m.notice.text_zh},
                        {"text_en", m.notice.text_en},
                        {"at", m.notice.at}};
  return boost::json::serialize(o);
}

}  // namespace

Status RecordNotice(store::Tx& tx, Notice& notice, std::string_view subject,
                    std::vector<OutboundMessage>& department_messages) {
  TB_ASSIGN_OR_RETURN(notice.id, CaseRepo::InsertNotice(tx, notice));
  if (notice.account_id == 0) {
    department_messages.push_back({0, notice.department, "push", notice});
    return Status::Ok();
  }
  if (subject.empty()) return Status::Internal("a person's notice without their ID number");
  return notify::Enqueue(tx,
                         {.event_id = "service.notice:" + std::to_string(notice.id),
                          .recipient = std::string(subject),
                          .template_id = "case.update",
                          .vars = {{"case", notice.case_number}, {"zh", notice.text_zh}, {"en", notice.text_en}}},
                         notice.at);
}

void FileNotifier::Send(const OutboundMessage& message) {
  const std::string line = Line(message) + "\n";
  std::lock_guard lock(mu_);
  std::ofstream out(path_, std::ios::app | std::ios::binary);
  out << line;
  out.flush();
  if (!out) {
    ++failures_;
    spdlog::warn("notifier: cannot append to {}", path_.string());
  }
}

void LogNotifier::Send(const OutboundMessage& message) {
  spdlog::info("notice {} case {} to {}", message.notice.kind, message.notice.case_number,
               message.account_id != 0 ? "account " + std::to_string(message.account_id)
                                       : "department " + message.department);
}

}  // namespace tongban::service
