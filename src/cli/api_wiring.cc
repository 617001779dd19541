// Route wiring; see api_wiring.h.
#include "cli/api_wiring.h"

#include "api/embedded_files.h"
#include "identity/part/identity_part.h"

namespace tongban::cli {

void WireApi(App& app, api::Dispatcher& dispatcher) {
  const Config& config = app.config();
  api::AddWebRoutes(dispatcher.router());
  for (const auto& p : app.parts().all()) p->AddRoutes(dispatcher.router());
  dispatcher.AddSystemRoutes();
  dispatcher.set_authoriser(app.Get<identity::IdentityPart>().Authoriser());
  dispatcher.set_idempotency(&app.idempotency());
  auto bucket = [](int64_t rate) {
    return api::RateLimit{static_cast<double>(rate), 2.0 * static_cast<double>(rate)};
  };
  dispatcher.SetRateLimits(bucket(config.server.rate_limit_per_address),
                           bucket(config.server.rate_limit_per_api_key));
  dispatcher.AddReadinessProbe("database", [&app] {
    return app.db().Read([](store::Tx& tx) { return tx.QueryRow("SELECT 1").status(); });
  });
  for (const auto& p : app.parts().all()) {
    for (auto& [name, probe] : p->ReadinessProbes()) {
      dispatcher.AddReadinessProbe(std::move(name), std::move(probe));
    }
    p->AddMetrics(dispatcher.metrics());
  }
}

}  // namespace tongban::cli
