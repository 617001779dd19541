// Router: maps (method, path) to a handler, with `{name}` path parameters (one segment) and a
// trailing `{name...}` (the rest of the path), and keeps the route
// table that the OpenAPI document and the authorisation policy are generated from, so neither
// can drift from what is served.
// Matching: a route without parameters that equals the path exactly wins (found through a hash
// map, so the common case costs no scan); otherwise routes with parameters are tried in the order
// they were added. So `/api/v1/receipts/verify` is not shadowed by `/api/v1/receipts/{code}`.
// Build the table at start-up, then treat it as immutable: Find() is thread-safe when no
// Add() runs concurrently.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/http_message.h"

namespace tongban::api {

using PathParams = std::map<std::string, std::string, std::less<>>;
using Handler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

// Who may call a route. Public routes need no credentials; others name the roles or scopes
// that are allowed (enforced by the authorisation layer from this same table).
struct RouteAccess {
  bool is_public = false;
  std::vector<std::string> roles;  // e.g. "citizen", "staff", "admin", "scope:receipt:issue"
  // Acting for another (X-Act-For, docs/auth.md): the attorney scope that lets an agent call this
  // route for its principal, e.g. "receipts.view"; a scope ending in ':' ("services.apply:")
  // accepts any attorney scope with that prefix (the handler checks the exact one). Empty: a
  // request acting for someone is refused (403).
  std::string act_scope;
  static RouteAccess Public() { return RouteAccess{true, {}}; }
  static RouteAccess Roles(std::vector<std::string> roles) {
    return RouteAccess{false, std::move(roles)};
  }
};

struct Route {
  std::string method;
  std::string pattern;       // "/api/v1/ledger/entries/{index}"
  std::string operation_id;  // "getLedgerEntry"
  std::string summary;       // one line for the API page
  RouteAccess access;
  Handler handler;
  std::string response_type = "application/json";  // main success content type, for OpenAPI
  // Request bodies must be JSON unless a route says otherwise (C2SP protocols speak text).
  std::string request_type = "application/json";
  // A POST that creates something: it honours Idempotency-Key (see api/idempotency.h).
  bool idempotent = false;
  // A GET that writes and waits for a commit (a purpose-bound read records its access): the
  // server runs it on the handler pool, as every other method, not on an io thread.
  bool blocks = false;
  // The contract, as JSON Schema 2020-12 text (what OpenAPI 3.1 takes): the JSON request body
  // and the JSON answer of `success_status`; empty = no JSON body / a non-JSON answer. A schema
  // may "$ref" "#/components/schemas/<Name>" registered with Router::AddSchema. Errors are
  // RFC 9457 problems (the document names them). The served document is generated from these,
  // and the HTTP tests validate every JSON answer against them (tests/api/answers_test.sh).
  std::string request_schema;
  bool request_body_required = true;  // false: the body may be left out (an empty body is `{}`)
  std::string response_schema;
  int success_status = 200;
  // Answers of another status that are not problems (e.g. /readyz's 503 body): (status, schema).
  std::vector<std::pair<int, std::string>> other_answers;

  // router.Add(Route{...}).Accepts(R"json({...})json").Answers(R"json({...})json", 201);
  enum class Body { kRequired, kOptional };
  Route& Accepts(std::string schema, Body body = Body::kRequired) {
    request_schema = std::move(schema);
    request_body_required = body == Body::kRequired;
    return *this;
  }
  Route& AlsoAnswers(int status, std::string schema) {
    other_answers.emplace_back(status, std::move(schema));
    return *this;
  }
  // See RouteAccess::act_scope.
  Route& ActsFor(std::string scope) {
    access.act_scope = std::move(scope);
    return *this;
  }
  // See `blocks`.
  Route& Blocks() {
    blocks = true;
    return *this;
  }
  Route& Answers(std::string schema, int status = 200) {
    response_schema = std::move(schema);
    success_status = status;
    return *this;
  }
};

class Router {
 public:
  // Adds a route; returns it (valid until the next Add) to attach its schemas.
  Route& Add(Route route);
  // A named schema (JSON Schema text) that routes' schemas "$ref" as
  // "#/components/schemas/<name>". Adding a name twice keeps the first.
  void AddSchema(std::string name, std::string json_schema);
  const std::map<std::string, std::string>& schemas() const { return schemas_; }

  enum class MatchKind { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    MatchKind kind = MatchKind::kNotFound;
    const Route* route = nullptr;
    PathParams params;
    std::string allow;  // for 405: comma-separated allowed methods
  };
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  static bool MatchPattern(std::string_view pattern, std::string_view path, PathParams& params);
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Route> routes_;
  std::map<std::string, std::string> schemas_;
  // Indices into routes_: exact patterns by pattern text, and the patterns with parameters (with
  // their literal prefix, a cheap first test), each in the order added.
  std::unordered_map<std::string, std::vector<size_t>, StringHash, std::equal_to<>> exact_;
  std::vector<std::pair<std::string, size_t>> with_params_;
};

}  // namespace tongban::api
