// Loading a synthetic county (data/synthetic.h) into the data platform, as the departments would:
// each dataset's NDJSON lines pushed through DataService::Push by a department-system account of
// its owner, in rounds of a few thousand people (the generator streams, so the memory a load
// needs does not grow with the population). Used by `tongban demo` ([data] demo_people) and
// `tongban data generate`. A load with the same options again changes nothing (every record
// comes back unchanged). Not thread-safe (one load at a time per generator).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "data/catalogue.h"
#include "data/data_service.h"
#include "data/synthetic.h"
#include "identity/identity_service.h"

namespace tongban::data {

struct SyntheticLoadOptions {
  SyntheticOptions county;
  int64_t batch_people = 5'000;   // people generated and pushed per round
  int64_t push_lines = 20'000;    // lines of one push at most (within [data] max_push_lines)
  // After each round: people and enterprises loaded so far.
  std::function<void(int64_t people, int64_t enterprises)> progress;
};

struct SyntheticLoadResult {
  int64_t people = 0;
  int64_t enterprises = 0;
  int64_t accepted = 0;   // record versions stored
  int64_t unchanged = 0;  // lines already stored (a load run again)
};

// Pushes the county; `pushers` maps each dataset owner's department key to the account that
// pushes for it. kInternal naming the dataset, line and reason if a department refuses a line
// (the generator's lines are valid records, so that is a bug); kFailedPrecondition if a dataset's
// owner has no pusher.
Result<SyntheticLoadResult> LoadSyntheticCounty(DataService& service,
                                                const std::map<std::string, int64_t>& pushers,
                                                const SyntheticLoadOptions& options);

// "hz-health" -> "health-hz-<suffix>" (the demo's login style: police-hz-demo).
std::string DepartmentSystemLogin(std::string_view department_key, std::string_view suffix);

// One department-system account per catalogue department, found by its login
// (DepartmentSystemLogin(key, suffix)) or created (no password, no API key: `tongban keys create`
// gives one). Department key -> account id.
Result<std::map<std::string, int64_t>> DepartmentSystems(identity::IdentityService& identity,
                                                         const Catalogue& catalogue,
                                                         std::string_view suffix);

}  // namespace tongban::data
