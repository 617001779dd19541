// Gateway: where the notify worker hands SMS and e-mail messages over — the file sink
// (file_gateway.h, the default) or the signed HTTP webhook (notify/part/webhook_gateway.h). A batch
// is accepted whole or not at all; the worker retries a refused batch with back-off. Every message
// carries a stable id (the delivery's), the same on every resend, so a receiver drops repeats.
// Implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/status.h"

namespace tongban::notify {

struct Message {
  std::string id;          // "tbn-<delivery id>": stable across resends (idempotency)
  std::string event_id;    // the causing event
  std::string channel;     // "sms" or "email"
  std::string to;          // phone number or e-mail address
  std::string template_id;
  std::string language;    // "zh" or "en"
  std::string title;       // e-mail subject
  std::string body;
  int64_t created_at = 0;  // when the notice was enqueued (unix seconds)
};

class Gateway {
 public:
  virtual ~Gateway() = default;
  // Hands `messages` over. OK: every one accepted. An error: none counted as delivered (the
  // message is kept as last_error; no message text in it).
  virtual Status Send(std::span<const Message> messages) = 0;
};

// The documented JSON of one message (docs/notifications.md), as the file sink writes a line and
// the webhook puts it in its batch.
std::string MessageJson(const Message& m);

}  // namespace tongban::notify
