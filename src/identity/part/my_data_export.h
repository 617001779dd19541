// MyDataExportJob: "download my data" (PIPL arts. 44-45) over HTTP and its background job.
//
//   POST /api/v1/me/data-export                 a job (202), or the one already under way
//   GET  /api/v1/me/data-export/{id}            its status and progress (%)
//   GET  /api/v1/me/data-export/{id}/download   the JSON copy, once; then erased (409 after)
//
// The job reads, as the person, every route the parts registered in IdentityService::my_data()
// (identity/my_data.h), following next_cursor pages, and stores the sections as one JSON
// document; a notice "data.export.ready" goes to the person's inbox. Each step is logged with
// the export and account ids (never the content). Another person's export: 404. Any error ends
// the job as failed (the person may ask again at once); a job left running by a builder that
// stopped is queued again after 5 minutes without a step (checked at Start and every minute).
// Thread-safe once AddRoutes ran.
#pragma once

#include <memory>
#include <string>

#include "api/router.h"
#include "core/periodic.h"
#include "identity/data_export.h"
#include "identity/identity_service.h"

namespace tongban::identity {

class MyDataExportJob {
 public:
  MyDataExportJob(store::Database& db, const Clock& clock, IdentityService& identity);

  // The routes; the job reads the other parts' routes from `router` (it must outlive the job).
  void AddRoutes(api::Router& router);
  // The worker: builds queued exports every `interval_ms`, erases expired ones.
  Status Start(int64_t interval_ms = 500);
  Status Stop();
  // Builds every queued export now (tests and Stop). Returns how many were built.
  Result<int64_t> RunQueued();

  DataExports& exports() { return exports_; }

 private:
  // The document: each route read as the person, if its access rule lets them (else its part
  // has status 403); a route that throws gives its part status 500.
  Result<std::string> Build(const DataExport& job);
  Status BuildAndFinish(const DataExport& job);

  store::Database& db_;
  const Clock& clock_;
  IdentityService& identity_;
  DataExports exports_;
  const api::Router* router_ = nullptr;
  Periodic worker_;
  std::mutex run_mu_;  // one build at a time
};

}  // namespace tongban::identity
