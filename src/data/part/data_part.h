// DataPart: the public data platform as a part of the program (part/part.h). Config section
// [data]: the catalogue (built in, or a file), the limits of a push, the change feed's timing;
// the data routes
// (data_routes.h); gauges of records, reads and refused reads; the demo departments' records,
// agreements and one read the demo citizen can see, and a synthetic county of demo_people people
// (data/synthetic.h); `tongban data generate` (data_commands.h). Needs the ledger part earlier in
// the list.
// Thread-safety: as part/part.h; service() is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "data/catalogue.h"
#include "data/data_service.h"
#include "data/feed.h"
#include "data/calendar.h"
#include "data/objection.h"
#include "data/part/data_commands.h"
#include "part/part.h"

namespace tongban::ledger {
class LedgerPart;
}

namespace tongban::data {

struct DataConfig {
  std::string catalogue_file;        // empty: the built-in catalogue (data/public-data/catalogue.json)
  int64_t max_push_lines = 100'000;  // lines of one NDJSON push
  int64_t max_line_bytes = 65'536;   // bytes of one NDJSON line
  int64_t max_grant_days = 366;      // longest grant a subject may give
  int64_t demo_people = 10'000;      // `tongban demo`: people of the synthetic county (0: none)
  int64_t feed_poll_ms = 100;        // how often the feed looks for other processes' commits
  int64_t feed_heartbeat_s = 15;     // SSE comment line when nothing happens
  std::string calendar_file;         // empty: the built-in working-day calendar (data/public-data/calendar.json)
  int64_t objection_days = 5;        // working days a department has to decide an objection
};

class DataPart : public part::Part {
 public:
  std::string_view name() const override { return "data"; }
  std::string DefaultConfig(const part::InitChoices& choices) const override;
  Status Configure(part::ConfigSection& section) override;
  std::vector<store::Migration> Migrations() const override {
    auto m = DataService::Migrations();
    for (auto& x : ObjectionService::Migrations()) m.push_back(std::move(x));  // part "data_objection"
    return m;
  }
  Status Open(const part::PartContext& context) override;
  void AddRoutes(api::Router& router) override;
  void AddMetrics(api::Metrics& metrics) override;
  Status LoadDemo(part::DemoData& demo) override;
  void AddCommands(part::Commands& commands) override;
  Status Start() override;
  Status Stop() override;

  const DataConfig& config() const { return config_; }
  // REQUIRES: Open succeeded.
  DataService& service() { return *service_; }
  identity::IdentityService& identity() { return *identity_; }
  // The working-day calendar (built in, or [data] calendar_file). REQUIRES: Open succeeded.
  const WorkingCalendar& calendar() const { return objections_->calendar(); }

 private:
  DataConfig config_;
  ledger::LedgerPart* ledger_ = nullptr;
  identity::IdentityService* identity_ = nullptr;
  DataGenerateOptions generate_options_;
  Status OpenObjections(const part::PartContext& context);

  std::unique_ptr<Catalogue> own_catalogue_;  // when loaded from catalogue_file
  std::unique_ptr<DataService> service_;
  std::unique_ptr<DataFeed> feed_;
  std::unique_ptr<WorkingCalendar> own_calendar_;  // when loaded from calendar_file
  std::unique_ptr<ObjectionService> objections_;
};

}  // namespace tongban::data
