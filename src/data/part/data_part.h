// DataPart: the public data platform as a part of the program (part/part.h). Config section
// [data]: the catalogue (built in, or a file) and the limits of a push; the data routes
// (data_routes.h); gauges of records, reads and refused reads; the demo departments' records,
// agreements and one read the demo citizen can see. Needs the ledger part earlier in the list.
// Thread-safety: as part/part.h; service() is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "data/catalogue.h"
#include "data/data_service.h"
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
};

class DataPart : public part::Part {
 public:
  std::string_view name() const override { return "data"; }
  std::string DefaultConfig(const part::InitChoices& choices) const override;
  Status Configure(part::ConfigSection& section) override;
  std::vector<store::Migration> Migrations() const override { return DataService::Migrations(); }
  Status Open(const part::PartContext& context) override;
  void AddRoutes(api::Router& router) override;
  void AddMetrics(api::Metrics& metrics) override;
  Status LoadDemo(part::DemoData& demo) override;

  const DataConfig& config() const { return config_; }
  // REQUIRES: Open succeeded.
  DataService& service() { return *service_; }

 private:
  DataConfig config_;
  ledger::LedgerPart* ledger_ = nullptr;
  identity::IdentityService* identity_ = nullptr;
  std::unique_ptr<Catalogue> own_catalogue_;  // when loaded from catalogue_file
  std::unique_ptr<DataService> service_;
};

}  // namespace tongban::data
