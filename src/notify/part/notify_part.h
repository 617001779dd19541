// NotifyPart: the notification hub as a part of the program (part/part.h). Config section
// [notify]: the gateway (file sink or signed webhook), retry limits, the worker's batch; its
// schema (notify/outbox.h); the delivery worker started in Start and stopped in Stop; the inbox,
// preference and admin routes. Other parts only call notify::Enqueue inside their transactions;
// none needs to find this object. docs/notifications.md.
// Thread-safety: as part/part.h.
#pragma once

#include <memory>
#include <string>

#include "notify/gateway.h"
#include "notify/notify_service.h"
#include "notify/outbox.h"
#include "part/part.h"

namespace tongban::notify {

struct NotifyConfig {
  std::string gateway = "file";                       // "file" or "webhook"
  std::string file = "notifications.jsonl";           // file sink, relative to the config's folder
  std::string webhook_url;                            // http://host:port/path
  std::string secret_file = "notify-webhook.secret";  // HMAC key of the webhook signature
  int64_t max_attempts = 8;                           // attempts before a delivery is failed
  int64_t backoff_s = 5;                              // first retry after this, doubling
  int64_t max_backoff_s = 3600;                       // longest wait between attempts
  int64_t batch = 500;                                // messages per claim and per POST
  int64_t poll_ms = 500;                              // how often to look for other nodes' notices
  int64_t lease_s = 60;                               // a claimed delivery is resent after this
  int64_t timeout_ms = 5000;                          // one webhook POST
  bool crash_after_send_for_tests = false;            // abort right after a send (tests only)
};

class NotifyPart : public part::Part {
 public:
  NotifyPart();
  ~NotifyPart() override;
  std::string_view name() const override { return "notify"; }
  std::string DefaultConfig(const part::InitChoices& choices) const override;
  Status Configure(part::ConfigSection& section) override;
  Status Initialise(const part::InitChoices& choices, const std::filesystem::path& base_dir) override;
  std::vector<store::Migration> Migrations() const override { return notify::Migrations(); }
  Status Open(const part::PartContext& context) override;
  void AddRoutes(api::Router& router) override;
  void AddMetrics(api::Metrics& metrics) override;
  Status Start() override;
  Status Stop() override;

  const NotifyConfig& config() const { return config_; }
  // REQUIRES: Open succeeded.
  NotifyService& service() { return *service_; }

 private:
  NotifyConfig config_;
  identity::IdentityService* identity_ = nullptr;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<NotifyService> service_;
};

}  // namespace tongban::notify
