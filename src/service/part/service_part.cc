// ServicePart; see service_part.h.
#include "service/part/service_part.h"

#include "api/metrics.h"
#include "data/part/data_part.h"
#include "identity/identity_service.h"
#include "ledger/part/ledger_part.h"
#include "license/part/license_part.h"
#include "part/config_section.h"
#include "part/demo_data.h"
#include "part/key_files.h"
#include "part/part_set.h"
#include "service/part/review_routes.h"
#include "service/part/service_routes.h"

namespace tongban::service {

std::string ServicePart::DefaultConfig(const part::InitChoices&) const {
  return R"([service]
# catalogue_files = ["services.toml"]  # default: the built-in catalogue (docs/service.md)
notifier = "file"                     # departments' notices: file (one JSON line each in notifier_file) or log
notifier_file = "department-notices.jsonl"  # relative to this file's folder
escalation_sweep_s = 300              # how often overdue tasks are escalated (s)
upload_dir = "uploads"                # uploaded materials, stored once by hash
max_upload_bytes = 1048576            # one uploaded file (JPEG, PNG or PDF); within server.body_limit_bytes
review_callback_days = 1              # 好差评: a bad rating is called back within these working days
review_answer_days = 5                # ... and answered within these (escalated to the lead when late)
rules = true                          # 秒批: items with rules are decided at once (docs/rules.md)
# rule_files = ["rules/enrolment_eligibility_check.toml"]  # default: the built-in rules
appeal_days = 30                      # days to appeal an automatic rejection (申诉)
appeal_answer_days = 5                # working days staff have to answer an appeal
)";
}

std::vector<store::Migration> ServicePart::Migrations() const {
  std::vector<store::Migration> m = CaseService::Migrations();
  for (auto& x : ReviewService::Migrations()) m.push_back(std::move(x));
  return m;
}

Status ServicePart::Configure(part::ConfigSection& s) {
  TB_RETURN_IF_ERROR(s.Read("catalogue_files", config_.catalogue_files));
  TB_RETURN_IF_ERROR(s.ReadOneOf("notifier", config_.notifier, {"file", "log"}));
  TB_RETURN_IF_ERROR(s.Read("notifier_file", config_.notifier_file));
  TB_RETURN_IF_ERROR(s.Read("upload_dir", config_.upload_dir));
  TB_RETURN_IF_ERROR(s.Read("max_upload_bytes", config_.max_upload_bytes, 1024, int64_t{64} << 20));
  TB_RETURN_IF_ERROR(s.Read("review_callback_days", config_.review_callback_days, 1, 30));
  TB_RETURN_IF_ERROR(s.Read("review_answer_days", config_.review_answer_days, config_.review_callback_days, 60));
  TB_RETURN_IF_ERROR(s.Read("rules", config_.rules));
  TB_RETURN_IF_ERROR(s.Read("rule_files", config_.rule_files));
  TB_RETURN_IF_ERROR(s.Read("appeal_days", config_.appeal_days, 1, 365));
  TB_RETURN_IF_ERROR(s.Read("appeal_answer_days", config_.appeal_answer_days, 1, 60));
  return s.Read("escalation_sweep_s", config_.escalation_sweep_s, 1, 86400);
}

Status ServicePart::Open(const part::PartContext& context) {
  TB_ASSIGN_OR_RETURN(ledger::LedgerPart * ledger, context.Earlier<ledger::LedgerPart>("service", "ledger"));
  TB_ASSIGN_OR_RETURN(license::LicensePart * license_part, context.Earlier<license::LicensePart>("service", "license"));
  TB_ASSIGN_OR_RETURN(data::DataPart * data_part, context.Earlier<data::DataPart>("service", "data"));
  // My cases and their notices in "download my data" (identity/my_data.h).
  if (context.identity != nullptr) {
    context.identity->my_data().Add({.name = "cases", .title_zh = "办件", .title_en = "Cases",
                                     .routes = {"/api/v1/me/cases", "/api/v1/me/notices"}});
  }
  identity_ = context.identity;
  licenses_ = &license_part->service();
  data_ = &data_part->service();
  const ServiceCatalogue* catalogue = &ServiceCatalogue::Builtin();
  if (!config_.catalogue_files.empty()) {
    std::vector<CatalogueFile> files;
    for (const std::string& f : config_.catalogue_files) {
      const auto path = context.Resolve(f);
      TB_ASSIGN_OR_RETURN(std::string text, part::ReadTextFile(path));
      files.push_back({path.string(), std::move(text)});
    }
    TB_ASSIGN_OR_RETURN(ServiceCatalogue parsed,
                        ServiceCatalogue::Parse(files, data_->catalogue(), licenses_->catalogue()));
    own_catalogue_ = std::make_unique<ServiceCatalogue>(std::move(parsed));
    catalogue = own_catalogue_.get();
  }
  if (config_.notifier == "file") {
    notifier_ = std::make_unique<FileNotifier>(context.Resolve(config_.notifier_file));
  } else {
    notifier_ = std::make_unique<LogNotifier>();
  }
  TB_ASSIGN_OR_RETURN(uploads_, UploadStore::Open(context.Resolve(config_.upload_dir), ledger->suite().hash,
                                                  config_.max_upload_bytes));
  if (config_.rules) {
    std::vector<RuleFile> files = RuleBook::BuiltinFiles();
    if (!config_.rule_files.empty()) {
      files.clear();
      for (const std::string& f : config_.rule_files) {
        const auto path = context.Resolve(f);
        TB_ASSIGN_OR_RETURN(std::string text, part::ReadTextFile(path));
        files.push_back({path.string(), std::move(text)});
      }
    }
    TB_ASSIGN_OR_RETURN(RuleBook book, RuleBook::Parse(files, *catalogue, data_->catalogue(), licenses_->catalogue(),
                                                       ledger->suite().hash));
    rules_ = std::make_unique<RuleBook>(std::move(book));
  }
  CaseServiceOptions options;
  options.rules = rules_.get();
  options.appeal_days = static_cast<int>(config_.appeal_days);
  options.appeal_answer_days = static_cast<int>(config_.appeal_answer_days);
  options.hash = ledger->suite().hash;
  options.subject_hash = [ledger](std::string_view id) { return ledger->SubjectHash(id); };
  options.calendar = &data_part->calendar();
  options.notifier = notifier_.get();
  service_ = std::make_unique<CaseService>(context.db, context.clock, *catalogue, *data_, *licenses_,
                                           std::move(options));
  ReviewServiceOptions review;
  review.hash = ledger->suite().hash;
  review.subject_hash = [ledger](std::string_view id) { return ledger->SubjectHash(id); };
  review.calendar = &data_part->calendar();
  review.notifier = notifier_.get();
  review.callback_days = static_cast<int>(config_.review_callback_days);
  review.answer_days = static_cast<int>(config_.review_answer_days);
  reviews_ = std::make_unique<ReviewService>(context.db, context.clock, *catalogue, std::move(review));
  // Reads under a case and grants to a case now answer against the cases.
  CaseService* cases = service_.get();
  data_->SetCaseCheck([cases](store::Tx& tx, std::string_view department, std::string_view case_number,
                              std::string_view subject, std::string_view dataset) {
    return cases->CaseMayRead(tx, department, case_number, subject, dataset);
  });
  licenses_->SetCaseCheck([cases](store::Tx& tx, std::string_view department, std::string_view case_number) {
    return cases->CaseOpenFor(tx, department, case_number);
  });
  return Status::Ok();
}

void ServicePart::AddCommands(part::Commands& commands) { AddRulesCommands(commands, rules_command_); }

Status ServicePart::Start() {
  TB_RETURN_IF_ERROR(service_->RecordRuleVersions());
  TB_RETURN_IF_ERROR(service_->ReviewAwaitingRules(100000).status());
  TB_RETURN_IF_ERROR(service_->EscalateOverdue(100000).status());
  service_->StartSweeps(std::chrono::seconds(config_.escalation_sweep_s));
  TB_RETURN_IF_ERROR(reviews_->EscalateLate(100000).status());
  reviews_->StartSweeps(std::chrono::seconds(config_.escalation_sweep_s));
  return Status::Ok();
}

Status ServicePart::Stop() {
  reviews_->StopSweeps();
  service_->StopSweeps();
  return Status::Ok();
}

void ServicePart::AddRoutes(api::Router& router) {
  api::AddServiceRoutes(router, {.service = service_.get(), .identity = identity_, .licenses = licenses_,
                                 .data_catalogue = &data_->catalogue(), .uploads = uploads_.get()});
  api::AddReviewRoutes(router, {.reviews = reviews_.get(), .identity = identity_, .data_catalogue = &data_->catalogue()});
}

void ServicePart::AddMetrics(api::Metrics& metrics) {
  CaseService* service = service_.get();
  auto figures = std::make_shared<api::CachedReading<Figures>>(std::chrono::seconds(5),
                                                               [service]() -> std::optional<Figures> {
                                                                 auto f = service->GetFigures();
                                                                 if (!f.ok()) return std::nullopt;
                                                                 return *f;
                                                               });
  auto sum = [figures](auto pick) {
    return [figures, pick] {
      auto f = figures->Get();
      if (!f) return -1.0;
      double total = 0;
      for (const ServiceFigures& b : f->bundles) total += static_cast<double>(pick(b));
      return total;
    };
  };
  metrics.AddGauge("tongban_service_cases_submitted", "Cases submitted (every bundle).",
                   sum([](const ServiceFigures& b) { return b.cases; }));
  metrics.AddGauge("tongban_service_cases_completed", "Cases completed (every task approved).",
                   sum([](const ServiceFigures& b) { return b.completed; }));
  metrics.AddGauge("tongban_service_fields_prefilled", "Form fields pre-filled from department data (免填).",
                   sum([](const ServiceFigures& b) { return b.fields_prefilled; }));
  metrics.AddGauge("tongban_service_materials_from_wallet", "Materials attached from the wallet instead of paper (免交).",
                   sum([](const ServiceFigures& b) { return b.materials_from_wallet; }));
  metrics.AddGauge("tongban_service_trips_saved", "Visits the old processes needed, for the submitted cases (none made online).",
                   sum([](const ServiceFigures& b) { return b.cases * b.old_visits; }));
  metrics.AddGauge("tongban_service_tasks_overdue", "Open tasks past their time limit.", [figures] {
    auto f = figures->Get();
    if (!f) return -1.0;
    double total = 0;
    for (const DepartmentFigures& d : f->departments) total += static_cast<double>(d.overdue);
    return total;
  });
  metrics.AddGauge("tongban_service_escalation_sweep_errors_total", "Escalation sweeps that failed, since start.",
                   [service] { return static_cast<double>(service->sweep_errors()); });
  // 好差评: the rating figures over every rating (one query).
  ReviewService* reviews = reviews_.get();
  auto ratings = std::make_shared<api::CachedReading<RatingGroup>>(std::chrono::seconds(5),
                                                                   [reviews]() -> std::optional<RatingGroup> {
                                                                     auto g = reviews->Overall();
                                                                     if (!g.ok()) return std::nullopt;
                                                                     return std::move(g).value();
                                                                   });
  auto rating = [ratings](auto pick) {
    return [ratings, pick] {
      auto g = ratings->Get();
      return g ? static_cast<double>(pick(*g)) : -1.0;
    };
  };
  metrics.AddGauge("tongban_service_ratings_total", "Ratings of services (好差评), every level and round.",
                   rating([](const RatingGroup& g) { return g.total; }));
  metrics.AddGauge("tongban_service_ratings_bad_total", "Ratings at levels 1-2 (不满意, 非常不满意).",
                   rating([](const RatingGroup& g) { return g.bad(); }));
  metrics.AddGauge("tongban_service_ratings_satisfied_share", "Share of ratings at levels 3-5 (0 without ratings).",
                   rating([](const RatingGroup& g) { return g.share_satisfied(); }));
  metrics.AddGauge("tongban_service_remediation_open", "Remediation tickets (差评整改) not answered yet.",
                   rating([](const RatingGroup& g) { return g.tickets_open; }));
  metrics.AddGauge("tongban_service_remediation_overdue", "Remediation tickets past their call-back or answer deadline.",
                   rating([](const RatingGroup& g) { return g.tickets_open_overdue; }));
  metrics.AddGauge("tongban_service_remediation_sweep_errors_total", "Remediation escalation sweeps that failed, since start.",
                   [reviews] { return static_cast<double>(reviews->sweep_errors()); });
}

// Window staff for each department that handles a demo bundle's items, so every step of 婚育户 can
// be approved from the console: staff-<department key>, password tongban-demo.
Status ServicePart::LoadDemo(part::DemoData& demo) {
  std::set<std::string> departments;
  for (const Bundle& b : service_->catalogue().bundles()) {
    if (b.single) continue;
    for (const Step& s : b.steps) departments.insert(service_->catalogue().FindItem(s.item)->department);
  }
  int n = 0;
  for (const std::string& key : departments) {
    const data::Department* d = data_->catalogue().DepartmentByKey(key);
    if (d == nullptr || demo.Find("staff-" + key).ok()) continue;
    static const char* kNames[] = {"陈静", "刘洋", "赵敏", "孙磊", "周婷", "吴昊", "郑爽", "冯涛", "何琳", "许峰"};
    TB_RETURN_IF_ERROR(demo.AddAccount({.login = "staff-" + key,
                                        .role = identity::Role::kStaff,
                                        .display_name = std::string(kNames[n++ % 10]) + "（" + d->name_zh + "）",
                                        .department = d->name_zh,
                                        .region_code = d->region})
                           .status());
  }
  return Status::Ok();
}

}  // namespace tongban::service
