// WebhookGateway; see webhook_gateway.h.
#include "notify/part/webhook_gateway.h"

#include "api/http_post.h"
#include "crypto/hash.h"
#include "crypto/hmac.h"

namespace tongban::notify {

std::string WebhookGateway::Signature(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  return "v1=" + crypto::ToHex(crypto::HmacDigest(crypto::HashAlgorithm::kSha256, secret, message));
}

Status WebhookGateway::Send(std::span<const Message> messages) {
  std::string ids;
  for (const Message& m : messages) {
    if (!ids.empty()) ids += ',';
    ids += m.id;
  }
  const std::string key = crypto::ToHex(crypto::Hash(crypto::HashAlgorithm::kSha256, ids));
  const std::string timestamp = std::to_string(clock_.NowUnixMicros() / 1'000'000);
  std::string body = "{\"batch\":\"" + key + "\",\"sent_at\":" + timestamp + ",\"messages\":[";
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) body += ',';
    body += MessageJson(messages[i]);
  }
  body += "]}";
  api::HttpCall call;
  call.method = "POST";
  call.url = url_;
  call.content_type = "application/json";
  call.headers = {{"X-Tongban-Timestamp", timestamp},
                  {"X-Tongban-Signature", Signature(secret_, timestamp, body)},
                  {"Idempotency-Key", key}};
  call.body = std::move(body);
  call.timeout = timeout_;
  call.max_reply_bytes = 64 << 10;
  auto reply = api::HttpSend(call);
  if (!reply.ok()) return Status::Unavailable("webhook: " + reply.status().message());
  if (reply->status < 200 || reply->status > 299) {
    return Status::Unavailable("webhook answered HTTP " + std::to_string(reply->status));
  }
  return Status::Ok();
}

}  // namespace tongban::notify
