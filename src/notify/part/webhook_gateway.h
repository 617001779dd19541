// WebhookGateway: hands SMS and e-mail messages to the gateway's HTTP endpoint, a batch per POST
// (docs/notifications.md "The webhook"):
//   POST <webhook_url>   Content-Type: application/json
//   X-Tongban-Timestamp: <unix seconds>
//   X-Tongban-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//   Idempotency-Key: <hex SHA-256 of the message ids joined by ",">
//   {"batch": <the same key>, "sent_at": <seconds>, "messages": [<gateway.h MessageJson>, ...]}
// A 2xx answer accepts the whole batch; anything else (or no answer) is a failure retried later.
// Every message id is stable across resends: the receiver drops ids it has seen. Thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "core/clock.h"
#include "notify/gateway.h"

namespace tongban::notify {

class WebhookGateway final : public Gateway {
 public:
  WebhookGateway(std::string url, std::string secret, std::chrono::milliseconds timeout, const Clock& clock)
      : url_(std::move(url)), secret_(std::move(secret)), timeout_(timeout), clock_(clock) {}
  Status Send(std::span<const Message> messages) override;

  // The signature header's value for `timestamp` and `body` (tests and receivers).
  static std::string Signature(std::string_view secret, std::string_view timestamp, std::string_view body);

 private:
  std::string url_;
  std::string secret_;
  std::chrono::milliseconds timeout_;
  const Clock& clock_;
};

}  // namespace tongban::notify
