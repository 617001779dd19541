// Dispatcher: the request pipeline between the server and the handlers — route lookup, 404/405,
// content-type and UTF-8 checks for bodies, the authorisation hook, exception containment (a
// handler bug becomes a 500 problem, never a crash), metrics and the structured access log.
//
// Thread-safe after construction: the router is immutable while serving.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "api/http_message.h"
#include "api/idempotency.h"
#include "api/metrics.h"
#include "api/rate_limiter.h"
#include "api/router.h"
#include "core/status.h"

namespace tongban::api {

// Decides whether a request may call a route. Returns OK, Unauthenticated (401) or
// PermissionDenied (403). The default authoriser admits only public routes.
// It sets request.principal for authenticated callers.
using Authoriser = std::function<Status(HttpRequest&, const Route&)>;

// Readiness probe for /readyz: OK when the dependency (database, sequencer) can serve.
using ReadinessProbe = std::function<Status()>;

class Dispatcher {
 public:
  explicit Dispatcher(std::string version);

  Router& router() { return router_; }
  Metrics& metrics() { return metrics_; }
  void set_authoriser(Authoriser a) { authoriser_ = std::move(a); }
  void AddReadinessProbe(std::string name, ReadinessProbe probe);
  // Token-bucket limits per client address (every request but /healthz, /readyz, /metrics) and
  // per API key (after authentication). A rate of 0 disables that limit. Exceeding one gives 429
  // with Retry-After.
  void SetRateLimits(RateLimit per_address, RateLimit per_api_key);
  // Enables Idempotency-Key handling for routes marked `idempotent`. Not owned.
  void set_idempotency(IdempotencyStore* store) { idempotency_ = store; }

  // Adds /healthz, /readyz, /metrics and /api/v1/openapi.json. Call after all other routes so
  // the OpenAPI document sees them (it is generated lazily, so order does not actually matter).
  void AddSystemRoutes();

  HttpResponse Handle(HttpRequest& request);
  // Whether a GET may block (a route marked `blocks`): the server's ServerOptions::may_block.
  // Decided by the literal prefix of such routes' patterns; call after the routes are added.
  bool MayBlock(const HttpRequest& request) const;
  // Access log + metrics; pass to HttpServer as its ResponseObserver.
  void Observe(const HttpRequest& request, const HttpResponse& response,
               std::chrono::microseconds elapsed);

  // OpenAPI 3.1 document generated from the route table.
  std::string OpenApiJson() const;

 private:
  std::string version_;
  Router router_;
  Metrics metrics_;
  Authoriser authoriser_;
  IdempotencyStore* idempotency_ = nullptr;
  std::unique_ptr<RateLimiter> per_address_;
  std::unique_ptr<RateLimiter> per_api_key_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::vector<std::pair<std::string, ReadinessProbe>> probes_;
  mutable std::once_flag blocking_once_;
  mutable std::vector<std::string> blocking_prefixes_;  // of GET routes marked `blocks`
};

// Masks identifier-like path segments (long alphanumeric runs with digits: ID numbers, tokens,
// keys) for log lines: "/x/110105194912310021" -> "/x/1101**********0021".
std::string MaskPathForLog(std::string_view path);

}  // namespace tongban::api
