// The program's parts opened from the config; see app.h.
#include "cli/app.h"

#include "cli/logging.h"
#include "cli/parts.h"
#include "identity/part/identity_part.h"
#include "service/part/service_part.h"
#include "store/migration.h"

namespace tongban::cli {

std::vector<store::Migration> App::Migrations() {
  std::vector<store::Migration> migrations = api::IdempotencyStore::Migrations();
  for (const auto& p : MakeParts()) {
    for (auto& m : p->Migrations()) migrations.push_back(std::move(m));
  }
  return migrations;
}

Result<std::unique_ptr<App>> App::Open(const Config& config) {
  std::unique_ptr<App> app(new App());
  app->config_ = config;
  TB_ASSIGN_OR_RETURN(app->parts_, ConfigureParts(config));

  std::string url = config.database.url;
  if (url.starts_with("sqlite://") && !url.starts_with("sqlite:///")) {
    // Relative SQLite paths are relative to the config file, like every other path.
    url = "sqlite://" + config.Resolve(url.substr(9)).string();
  }
  store::DatabaseOptions db_options;
  db_options.pool_size = config.database.pool_size;
  TB_ASSIGN_OR_RETURN(app->db_, store::Database::Open(url, db_options));
  TB_RETURN_IF_ERROR(store::Migrate(*app->db_, Migrations()));
  app->idempotency_ = std::make_unique<api::IdempotencyStore>(*app->db_, app->clock_);

  const auto& parts = app->parts_.all();
  for (size_t i = 0; i < parts.size(); ++i) {
    part::PartContext context{.db = *app->db_,
                              .clock = app->clock_,
                              .base_dir = config.base_dir,
                              .identity = app->identity_,
                              .parts = app->parts_,
                              .index = i};
    TB_RETURN_IF_ERROR(parts[i]->Open(context));
    if (auto* identity = dynamic_cast<identity::IdentityPart*>(parts[i].get())) {
      app->identity_ = &identity->service();
    }
  }
  if (app->identity_ == nullptr) {
    return Status::FailedPrecondition("the parts list (cli/parts.cc) has no identity part");
  }
  // A power of attorney names the services its agent may apply for (`services.apply:<code>`): the
  // service catalogue's bundles and items, which identity cannot see (identity/attorney.h).
  auto* people = app->parts_.Find<identity::IdentityPart>();
  if (auto* services = app->parts_.Find<service::ServicePart>(); people && services) {
    const service::ServiceCatalogue& catalogue = services->service().catalogue();
    people->attorneys().SetServiceItemCheck(
        [&catalogue](std::string_view code) { return catalogue.FindBundle(code) != nullptr; });
  }
  return app;
}

App::~App() {
  if (started_ > 0) (void)Stop();
}

Status App::Start() {
  // Expired idempotency keys are purged at every start (they are only kept 24 h).
  TB_RETURN_IF_ERROR(idempotency_->Purge().status());
  const auto& parts = parts_.all();
  for (; started_ < parts.size(); ++started_) {
    if (Status s = parts[started_]->Start(); !s.ok()) {
      (void)Stop();
      return s;
    }
  }
  return Status::Ok();
}

Status App::Stop() {
  Status first = Status::Ok();
  const auto& parts = parts_.all();
  // Every part is stopped (a failed one does not keep the others running); the first error wins.
  for (size_t i = parts.size(); i > 0; --i) {
    Status s = parts[i - 1]->Stop();
    if (first.ok() && !s.ok()) first = s;
  }
  started_ = 0;
  return first;
}

Result<std::unique_ptr<part::Program>> OpenProgram(const std::filesystem::path& config_file) {
  TB_ASSIGN_OR_RETURN(Config config, LoadConfig(config_file));
  SetUpLogging(config.log.level);
  TB_ASSIGN_OR_RETURN(std::unique_ptr<App> app, App::Open(config));
  return std::unique_ptr<part::Program>(std::move(app));
}

}  // namespace tongban::cli
