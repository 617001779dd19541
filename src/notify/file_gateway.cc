// FileGateway and MessageJson; see file_gateway.h and gateway.h.
#include "notify/file_gateway.h"

#include <boost/json.hpp>

namespace tongban::notify {

std::string MessageJson(const Message& m) {
  boost::json::object o;
  o["id"] = m.id;
  o["event_id"] = m.event_id;
  o["channel"] = m.channel;
  o["to"] = m.to;
  o["template"] = m.template_id;
  o["language"] = m.language;
  o["title"] = m.title;
  o["body"] = m.body;
  o["created_at"] = m.created_at;
  return boost::json::serialize(o);
}

Result<std::unique_ptr<FileGateway>> FileGateway::Open(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "ae");
  if (f == nullptr) return Status::Unavailable("cannot open the notification file " + path.string());
  return std::unique_ptr<FileGateway>(new FileGateway(f, path));
}

FileGateway::~FileGateway() { std::fclose(file_); }

Status FileGateway::Send(std::span<const Message> messages) {
  std::string text;
  for (const Message& m : messages) {
    text += MessageJson(m);
    text += '\n';
  }
  std::lock_guard lock(mu_);
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || std::fflush(file_) != 0) {
    return Status::Unavailable("cannot write the notification file " + path_.string());
  }
  return Status::Ok();
}

}  // namespace tongban::notify
