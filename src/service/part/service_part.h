// ServicePart: "one thing" services (一件事) as a part of the program (part/part.h). Config section
// [service]: the catalogue (built in, or files), the notification sink, the escalation sweep. It
// installs the case checks into the data part (reads under a case) and the licence part (grants to
// a case); adds the routes (service_routes.h, and the reviews' review_routes.h), the seed and
// rating figures as gauges, and the demo staff of the departments that handle the demo bundles;
// runs the task escalation and remediation escalation sweeps. Needs the licence and data parts
// earlier in the list. Thread-safety: as part/part.h; service() and reviews() are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "part/part.h"
#include "service/case_service.h"
#include "service/catalogue.h"
#include "service/notifier.h"
#include "service/part/service_commands.h"
#include "service/review_service.h"
#include "service/rule_book.h"

namespace tongban::service {

struct ServiceConfig {
  std::vector<std::string> catalogue_files;  // empty: the built-in catalogue (data/services/catalogue.toml)
  std::string notifier = "file";             // file (notifications.jsonl in the data folder) or log
  std::string notifier_file = "department-notices.jsonl";
  int64_t escalation_sweep_s = 300;          // how often overdue tasks are looked for
  std::string upload_dir = "uploads";        // uploaded materials, by hash (relative to the config's folder)
  int64_t max_upload_bytes = 1 << 20;        // one uploaded file (also within server.body_limit_bytes)
  int64_t review_callback_days = 1;          // 好差评: working days to call back after a bad rating
  int64_t review_answer_days = 5;            // ... and to answer it
  std::vector<std::string> rule_files;       // 秒批 rule files; empty: the built-in ones (data/services/rules)
  bool rules = true;                         // false: no item is decided at once
  int64_t appeal_days = 30;                  // calendar days to appeal an automatic rejection
  int64_t appeal_answer_days = 5;            // working days staff have to answer an appeal
};

class ServicePart : public part::Part {
 public:
  std::string_view name() const override { return "service"; }
  std::string DefaultConfig(const part::InitChoices& choices) const override;
  Status Configure(part::ConfigSection& section) override;
  std::vector<store::Migration> Migrations() const override;
  Status Open(const part::PartContext& context) override;
  void AddRoutes(api::Router& router) override;
  void AddMetrics(api::Metrics& metrics) override;
  Status LoadDemo(part::DemoData& demo) override;
  void AddCommands(part::Commands& commands) override;
  Status Start() override;
  Status Stop() override;

  // REQUIRES: Open succeeded.
  CaseService& service() { return *service_; }
  ReviewService& reviews() { return *reviews_; }

 private:
  ServiceConfig config_;
  identity::IdentityService* identity_ = nullptr;
  license::LicenseService* licenses_ = nullptr;
  data::DataService* data_ = nullptr;
  std::unique_ptr<ServiceCatalogue> own_catalogue_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<UploadStore> uploads_;
  std::unique_ptr<CaseService> service_;
  std::unique_ptr<ReviewService> reviews_;
  std::unique_ptr<RuleBook> rules_;
  RulesCommandOptions rules_command_;
};

}  // namespace tongban::service
