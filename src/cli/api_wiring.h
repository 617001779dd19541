// WireApi: every HTTP route of the running program (the web pages, each part's routes in list
// order, the system routes), its authoriser, idempotency store, rate limits,
// readiness probes and metrics gauges, wired from an App. `serve` and `demo` call it; so does the
// policy test (tests/cli/route_policy_test.cc), which walks the whole route table this builds, so
// a route added here is covered by the 401/403 checks without anyone remembering to add it.
// Not thread-safe (start-up only). `app` must outlive `dispatcher`.
#pragma once

#include "api/dispatcher.h"
#include "cli/app.h"

namespace tongban::cli {

void WireApi(App& app, api::Dispatcher& dispatcher);

}  // namespace tongban::cli
