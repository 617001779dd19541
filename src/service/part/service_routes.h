// The routes of "one thing" services: the catalogue (public); a citizen's applications and cases
// (/api/v1/me/cases: start with a pre-filled form, submit, the co-applicant's confirmation, 补正
// supplements) and inbox (/api/v1/me/notices); a department's task queue, case view and decisions
// (/api/v1/service/tasks, /api/v1/service/cases/{id}); the seed figures. Each route names who may
// call it; another's case or another department's task answers 404 as a missing one.
#pragma once

#include "api/router.h"
#include "data/catalogue.h"
#include "identity/identity_service.h"
#include "license/license_service.h"
#include "service/case_service.h"
#include "service/upload_store.h"

namespace tongban::api {

struct ServiceRoutesOptions {
  service::CaseService* service = nullptr;
  identity::IdentityService* identity = nullptr;
  license::LicenseService* licenses = nullptr;  // the applicant's wallet, for licence materials
  const data::Catalogue* data_catalogue = nullptr;
  service::UploadStore* uploads = nullptr;      // uploaded materials
};

void AddServiceRoutes(Router& router, const ServiceRoutesOptions& options);

}  // namespace tongban::api
