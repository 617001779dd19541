// HTTP endpoints of the data platform (docs/data.md):
//   GET  /api/v1/data/catalogue                                  public: departments, datasets, elements
//   POST /api/v1/data/datasets/{dataset}/records                 scope data:push: one record version
//   POST /api/v1/data/datasets/{dataset}/records/bulk            scope data:push: NDJSON, one per line
//   POST /api/v1/data/agreements                                 staff, department system: request
//   GET  /api/v1/data/agreements                                 staff, systems (own dept), auditor, admin (all)
//   POST /api/v1/data/agreements/{id}/approve | reject           the provider department
//   POST /api/v1/data/agreements/{id}/revoke                     either side
//   GET  /api/v1/data/subjects/{subject}/datasets/{dataset}?purpose=agreement:ID|grant:ID|case:NO
//                                                                staff, department system: the read
//   GET  /api/v1/me/data                                         citizen, enterprise: my records
//   GET  /api/v1/me/data-access                                  ... who read them, with ledger proofs
//   GET  /api/v1/me/data-grants, POST /api/v1/me/data-grants, POST /api/v1/me/data-grants/{id}/withdraw
//   GET  /api/v1/data/agreements/{id}/changes | feed             the consumer: change feed (long poll | SSE)
// The caller's department is its account's department as named in the catalogue. Objects of
// another department or subject answer 404, as missing ones do. Thread-safe; everything
// referenced outlives the router.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "api/router.h"
#include "data/data_service.h"
#include "data/feed.h"
#include "identity/identity_service.h"
#include "ledger/log_reader.h"
#include "ledger/sequencer.h"

namespace tongban::api {

struct DataRoutesOptions {
  data::DataService* service = nullptr;
  identity::IdentityService* identity = nullptr;
  ledger::LogReader* reader = nullptr;  // proofs of the access log
  data::DataFeed* feed = nullptr;       // the change feed
  std::chrono::seconds feed_heartbeat{15};
};

void AddDataRoutes(Router& router, const DataRoutesOptions& options);
// The subject-facing and read routes (data_subject_routes.cc); AddDataRoutes adds them.
void AddDataSubjectRoutes(Router& router, const DataRoutesOptions& options);
// The change feed's long poll and Server-Sent Events (data_feed_routes.cc); AddDataRoutes adds them.
void AddDataFeedRoutes(Router& router, const DataRoutesOptions& options);

namespace data_routes {
// The calling account's catalogue department; kPermissionDenied when it has none.
Result<data::Actor> ActorOf(identity::IdentityService& identity, const data::Catalogue& catalogue,
                            const HttpRequest& req);
Result<data::Actor> ActorOf(const DataRoutesOptions& options, const HttpRequest& req);
// As ActorOf, for a route about one object of a department: a caller whose department is outside
// the catalogue is party to none, and gets `missing` (the 404 of a missing object); any other
// error (the account could not be read) is returned as it is.
Result<data::Actor> ActorOrMissing(identity::IdentityService& identity, const data::Catalogue& catalogue,
                                   const HttpRequest& req, Status missing);
// The calling account's department for a list: nullopt (an empty list) when it is outside the
// catalogue; other errors as they are.
Result<std::optional<data::Actor>> ActorIfAny(identity::IdentityService& identity, const data::Catalogue& catalogue,
                                              const HttpRequest& req);
// The calling account's subject (citizen ID or USCC); kPermissionDenied when it is none's.
Result<std::string> SubjectOf(identity::IdentityService& identity, const HttpRequest& req);
// Element codes from a JSON array field; absent = empty.
Result<std::vector<std::string>> Elements(const boost::json::object& body, std::string_view field);
}  // namespace data_routes

}  // namespace tongban::api
