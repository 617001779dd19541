// The routes of reviews (好差评): a citizen rates a decided task of their case and reads their
// ratings with the department's answers (/api/v1/me/cases/{id}/ratings); a department works its
// remediation tickets (/api/v1/service/remediation: call back, verify, rectify, answer); staff,
// auditors and the operator read the figures (/api/v1/service/ratings/figures). There is no route
// that changes or deletes a rating, for anyone. Each route names who may call it; another's case
// or another department's ticket answers 404 as a missing one.
#pragma once

#include "api/router.h"
#include "data/catalogue.h"
#include "identity/identity_service.h"
#include "service/review_service.h"

namespace tongban::api {

struct ReviewRoutesOptions {
  service::ReviewService* reviews = nullptr;
  identity::IdentityService* identity = nullptr;
  const data::Catalogue* data_catalogue = nullptr;  // department names, and staff accounts' departments
};

void AddReviewRoutes(Router& router, const ReviewRoutesOptions& options);

}  // namespace tongban::api
