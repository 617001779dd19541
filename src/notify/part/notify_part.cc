// NotifyPart; see notify_part.h.
#include "notify/part/notify_part.h"

#include <csignal>

#include "notify/file_gateway.h"
#include "notify/part/notify_routes.h"
#include "notify/part/webhook_gateway.h"
#include "part/config_section.h"
#include "part/key_files.h"
#include "part/part_set.h"

namespace tongban::notify {

NotifyPart::NotifyPart() = default;
NotifyPart::~NotifyPart() = default;

std::string NotifyPart::DefaultConfig(const part::InitChoices&) const {
  return R"([notify]
gateway = "file"                 # "file": one JSON line per SMS / e-mail in `file`; "webhook": signed POSTs
file = "notifications.jsonl"     # the file sink, relative to this folder
# webhook_url = "http://127.0.0.1:9090/notify"  # the SMS / e-mail gateway (gateway = "webhook")
secret_file = "notify-webhook.secret"  # HMAC-SHA256 key of the X-Tongban-Signature header (hex)
max_attempts = 8                 # attempts before a delivery is marked failed
backoff_s = 5                    # first retry after this many seconds, doubling each time
max_backoff_s = 3600             # the longest wait between two attempts
batch = 500                      # messages claimed at once and sent in one webhook POST
poll_ms = 500                    # how often to look for notices enqueued by other nodes
lease_s = 60                     # a claimed delivery not marked within this is sent again
timeout_ms = 5000                # one webhook POST
)";
}

Status NotifyPart::Configure(part::ConfigSection& s) {
  TB_RETURN_IF_ERROR(s.ReadOneOf("gateway", config_.gateway, {"file", "webhook"}));
  TB_RETURN_IF_ERROR(s.Read("file", config_.file));
  TB_RETURN_IF_ERROR(s.Read("webhook_url", config_.webhook_url));
  TB_RETURN_IF_ERROR(s.Read("secret_file", config_.secret_file));
  TB_RETURN_IF_ERROR(s.Read("max_attempts", config_.max_attempts, 1, 100));
  TB_RETURN_IF_ERROR(s.Read("backoff_s", config_.backoff_s, 1, 86400));
  TB_RETURN_IF_ERROR(s.Read("max_backoff_s", config_.max_backoff_s, 1, 7 * 86400));
  TB_RETURN_IF_ERROR(s.Read("batch", config_.batch, 1, 10000));
  TB_RETURN_IF_ERROR(s.Read("poll_ms", config_.poll_ms, 10, 60000));
  TB_RETURN_IF_ERROR(s.Read("lease_s", config_.lease_s, 1, 86400));
  TB_RETURN_IF_ERROR(s.Read("timeout_ms", config_.timeout_ms, 100, 120000));
  TB_RETURN_IF_ERROR(s.Read("crash_after_send_for_tests", config_.crash_after_send_for_tests));
  if (config_.gateway == "webhook" && config_.webhook_url.rfind("http://", 0) != 0) {
    return Status::InvalidField("notify.webhook_url",
                                "gateway = \"webhook\" needs webhook_url = \"http://host:port/path\"");
  }
  if (config_.lease_s * 1000 <= config_.timeout_ms) {
    // Otherwise a slow POST still in flight is claimed and sent again by the next pass.
    return Status::InvalidField("notify.lease_s", "must be longer than timeout_ms (" +
                                                      std::to_string(config_.timeout_ms) + " ms)");
  }
  if (config_.gateway == "file" && config_.file.empty()) {
    return Status::InvalidField("notify.file", "gateway = \"file\" needs a file name");
  }
  return Status::Ok();
}

Status NotifyPart::Initialise(const part::InitChoices&, const std::filesystem::path& base_dir) {
  std::filesystem::path p(config_.secret_file);
  return part::WriteSecretFileIfMissing(p.is_absolute() ? p : base_dir / p, 32);
}

Status NotifyPart::Open(const part::PartContext& context) {
  if (config_.gateway == "webhook") {
    auto secret = part::ReadSecretFile(context.Resolve(config_.secret_file), 16);
    if (!secret.ok()) {
      return Status::InvalidArgument("notify.secret_file: " + secret.status().message() +
                                     " (the webhook's HMAC key, hex; `tongban init` writes one)");
    }
    gateway_ = std::make_unique<WebhookGateway>(config_.webhook_url, *secret,
                                                std::chrono::milliseconds(config_.timeout_ms), context.clock);
  } else {
    auto file = FileGateway::Open(context.Resolve(config_.file));
    if (!file.ok()) return Status::InvalidArgument("notify.file: " + file.status().message());
    gateway_ = std::move(file).value();
  }
  identity_ = context.identity;
  if (identity_ == nullptr) return Status::FailedPrecondition("notify needs the identity part before it (cli/parts.cc)");
  // My inbox and channel preferences in "download my data" (identity/my_data.h).
  identity_->my_data().Add({.name = "notifications", .title_zh = "消息与通知设置",
                            .title_en = "Messages and notification settings",
                            .routes = {"/api/v1/me/inbox", "/api/v1/me/notification-preferences"}});
  NotifyOptions o;
  o.max_attempts = config_.max_attempts;
  o.backoff_s = config_.backoff_s;
  o.max_backoff_s = config_.max_backoff_s;
  o.batch = config_.batch;
  o.lease_s = config_.lease_s;
  o.poll = std::chrono::milliseconds(config_.poll_ms);
  if (config_.crash_after_send_for_tests) {
    // The crash test (tests/notify): die as kill -9 would, between the send and its mark.
    o.after_send = [] { std::raise(SIGKILL); };
  }
  service_ = std::make_unique<NotifyService>(context.db, context.clock, std::move(o));
  return Status::Ok();
}

void NotifyPart::AddRoutes(api::Router& router) { AddNotifyRoutes(router, *service_, *identity_); }

void NotifyPart::AddMetrics(api::Metrics& metrics) {
  NotifyService* s = service_.get();
  metrics.AddGauge("tongban_notify_delivered_total", "SMS / e-mail messages the gateway accepted, since start.",
                   [s] { return static_cast<double>(s->delivered_total()); });
  metrics.AddGauge("tongban_notify_failed_total", "Deliveries given up after max_attempts, since start.",
                   [s] { return static_cast<double>(s->failed_total()); });
}

Status NotifyPart::Start() {
  service_->Start(*gateway_);
  return Status::Ok();
}

Status NotifyPart::Stop() {
  if (service_) service_->Stop();
  return Status::Ok();
}

}  // namespace tongban::notify
