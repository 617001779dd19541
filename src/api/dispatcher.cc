// The request pipeline; see dispatcher.h.
#include "api/dispatcher.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <exception>

#include "api/problem.h"
#include "core/mask.h"

namespace tongban::api {
namespace {

bool IsJsonContentType(std::string_view ct) {
  auto semi = ct.find(';');
  std::string_view base = ct.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  std::string lower(base);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json" || (lower.size() > 5 && lower.ends_with("+json"));
}

// Appends `s` as a JSON string literal (quotes included). Runs of characters that need no escape
// are appended in one go (this is on every request's access-log line).
void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (u == '"' || u == '\\') {
      out.push_back('\\');
      out.push_back(s[i]);
    } else {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

}  // namespace

std::string MaskPathForLog(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  size_t i = 0;
  while (i < path.size()) {
    size_t j = i;
    bool has_digit = false;
    while (j < path.size() && (std::isalnum(static_cast<unsigned char>(path[j])) ||
                               path[j] == '-' || path[j] == '_' || path[j] == '.' ||
                               path[j] == '~' || path[j] == '=')) {
      if (std::isdigit(static_cast<unsigned char>(path[j]))) has_digit = true;
      ++j;
    }
    size_t len = j - i;
    if (len >= 15 && has_digit) {
      out.append(MaskIdentifier(path.substr(i, len)));
    } else {
      out.append(path.substr(i, len));
    }
    if (j < path.size()) out.push_back(path[j]);
    i = j + 1;
  }
  return out;
}

Dispatcher::Dispatcher(std::string version)
    : version_(std::move(version)),
      authoriser_([](HttpRequest&, const Route& route) {
        return route.access.is_public ? Status::Ok()
                                      : Status::Unauthenticated("this endpoint needs a login");
      }) {}

void Dispatcher::AddReadinessProbe(std::string name, ReadinessProbe probe) {
  probes_.emplace_back(std::move(name), std::move(probe));
}

void Dispatcher::SetRateLimits(RateLimit per_address, RateLimit per_api_key) {
  per_address_ = per_address.rate_per_second > 0 ? std::make_unique<RateLimiter>(per_address)
                                                 : nullptr;
  per_api_key_ = per_api_key.rate_per_second > 0 ? std::make_unique<RateLimiter>(per_api_key)
                                                 : nullptr;
}

bool Dispatcher::MayBlock(const HttpRequest& request) const {
  // Acting for someone: the authoriser reads the power of attorney and records its use (a write
  // that waits for its commit), so such a GET runs on the pool too (docs/auth.md).
  if (request.Header("x-act-for")) return true;
  // The literal part of each blocking pattern (up to its first parameter): a cheap test, and a
  // request it matches by mistake (a 404 under that prefix) merely runs on the pool.
  std::call_once(blocking_once_, [this] {
    for (const Route& r : router_.routes()) {
      if (r.blocks) blocking_prefixes_.push_back(r.pattern.substr(0, r.pattern.find('{')));
    }
  });
  for (const std::string& prefix : blocking_prefixes_) {
    if (prefix.ends_with('/') ? request.path.starts_with(prefix) : request.path == prefix) return true;
  }
  return false;
}

HttpResponse Dispatcher::Handle(HttpRequest& request) {
  auto now = [this] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  };
  auto limited = [&request](int64_t wait) {
    HttpResponse r = ProblemResponse(Status::ResourceExhausted("too many requests; retry later"),
                                     request.request_id, static_cast<int>(wait));
    return r;
  };
  if (per_address_ && request.path != "/healthz" && request.path != "/readyz" &&
      request.path != "/metrics") {
    if (int64_t wait = per_address_->Take(request.remote_address, now()); wait > 0) {
      return limited(wait);
    }
  }
  auto match = router_.Find(request.method, request.path);
  if (match.kind == Router::MatchKind::kNotFound) {
    return ProblemResponse(Status::NotFound("resource", ""), request.request_id);
  }
  if (match.kind == Router::MatchKind::kMethodNotAllowed) {
    HttpResponse r = ProblemResponse(405, "", "allowed: " + match.allow, request.request_id);
    r.WithHeader("Allow", match.allow);
    return r;
  }
  const Route& route = *match.route;
  request.route_pattern = route.pattern;
  if (Status s = authoriser_(request, route); !s.ok()) {
    HttpResponse r = ProblemResponse(s, request.request_id);
    if (s.code() == ErrorCode::kUnauthenticated) {
      r.WithHeader("WWW-Authenticate", "Bearer realm=\"tongban\"");
    }
    return r;
  }
  if (per_api_key_ && request.principal && !request.principal->api_key_id.empty()) {
    if (int64_t wait = per_api_key_->Take(request.principal->api_key_id, now()); wait > 0) {
      return limited(wait);
    }
  }
  if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    auto ct = request.Header("content-type");
    if (route.request_type == "application/json" && !request.body.empty() &&
        (!ct || !IsJsonContentType(*ct))) {
      return ProblemResponse(415, "", "request bodies must be application/json",
                             request.request_id);
    }
    // Bodies are text (JSON, NDJSON, C2SP notes) except a route's declared binary upload.
    if (route.request_type != "application/octet-stream" && !IsValidUtf8(request.body)) {
      return ProblemResponse(Status::InvalidArgument("request body is not valid UTF-8"),
                             request.request_id);
    }
  }
  // Idempotency-Key: replay a stored response instead of running a creating POST twice. Keys are
  // per caller (account, or client address for anonymous calls).
  std::optional<std::string> idem_key;
  std::string idem_caller;
  if (route.idempotent && idempotency_ != nullptr) {
    if (auto key = request.Header("idempotency-key")) {
      idem_key = std::string(*key);
      idem_caller = request.principal ? "account:" + std::to_string(request.principal->account_id)
                                      : "address:" + request.remote_address;
      // An agent has keys of its own: a replay must never hand it the principal's (or another
      // agent's) stored answer without its own power of attorney being checked by the handler.
      if (request.principal && request.principal->acting()) {
        idem_caller += "/agent:" + std::to_string(request.principal->agent_account_id) +
                       "/attorney:" + std::to_string(request.principal->attorney_id);
      }
      auto decision = idempotency_->Begin(idem_caller, *idem_key, request);
      if (!decision.ok()) return ProblemResponse(decision.status(), request.request_id);
      if (decision->kind == IdempotencyStore::Decision::Kind::kReplay) {
        return std::move(decision->replay);
      }
    }
  }
  HttpResponse response;
  try {
    response = route.handler(request, match.params);
  } catch (const std::exception& e) {
    spdlog::error("{{\"rid\":{},\"event\":\"handler_exception\",\"route\":{},\"what\":{}}}",
                  JsonEscape(request.request_id), JsonEscape(route.pattern), JsonEscape(e.what()));
    response = ProblemResponse(Status::Internal("handler failed"), request.request_id);
  }
  if (idem_key) {
    if (Status s = idempotency_->Finish(idem_caller, *idem_key, response); !s.ok()) {
      spdlog::error("{{\"rid\":{},\"event\":\"idempotency_store_failed\",\"error\":{}}}",
                    JsonEscape(request.request_id), JsonEscape(s.ToString()));
    }
  }
  return response;
}

void Dispatcher::Observe(const HttpRequest& request, const HttpResponse& response,
                         std::chrono::microseconds elapsed) {
  std::string_view route = request.route_pattern.empty() ? std::string_view("unmatched")
                                                         : request.route_pattern;
  metrics_.ObserveRequest(route, request.method.empty() ? std::string_view("-") : request.method,
                          response.status, static_cast<double>(elapsed.count()) / 1e6);
  if (!spdlog::should_log(spdlog::level::info)) return;
  // Query strings are never logged (they may carry identifiers); paths are masked.
  std::string line;
  line.reserve(256);
  line += "{\"rid\":";
  AppendJsonString(line, request.request_id);
  line += ",\"method\":";
  AppendJsonString(line, request.method);
  line += ",\"path\":";
  AppendJsonString(line, MaskPathForLog(request.path));
  line += ",\"route\":";
  AppendJsonString(line, route);
  line += ",\"status\":" + std::to_string(response.status);
  line += ",\"us\":" + std::to_string(elapsed.count());
  line += ",\"remote\":";
  AppendJsonString(line, request.remote_address);
  if (request.principal && request.principal->acting()) {
    // On behalf of someone: both account ids and the power of attorney (ids only).
    line += ",\"account\":" + std::to_string(request.principal->account_id) +
            ",\"agent\":" + std::to_string(request.principal->agent_account_id) +
            ",\"attorney\":" + std::to_string(request.principal->attorney_id);
  }
  line += "}";
  spdlog::info("{}", line);
}

void Dispatcher::AddSystemRoutes() {
  router_.Add(Route{"GET", "/healthz", "getHealth", "Liveness: the process is up.",
                    RouteAccess::Public(),
                    [](const HttpRequest&, const PathParams&) {
                      return HttpResponse::Json(200, R"({"status":"ok"})");
                    }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["status"],
        "properties": {"status": {"const": "ok"}}
      })json");
  const std::string kReadiness = R"json({
        "type": "object", "additionalProperties": false, "required": ["status", "checks"],
        "properties": {
          "status": {"type": "string", "enum": ["ready", "not_ready"]},
          "checks": {"type": "object", "description": "Each probe's answer: ok, or why it cannot serve",
                     "additionalProperties": {"type": "string"},
                     "examples": [{"database": "ok", "sequencer": "ok"}]}
        }
      })json";
  router_.Add(Route{"GET", "/readyz", "getReadiness",
                    "Readiness: the database and the ledger sequencer can serve.",
                    RouteAccess::Public(), [this](const HttpRequest&, const PathParams&) {
                      boost::json::object checks;
                      bool ready = true;
                      for (const auto& [name, probe] : probes_) {
                        Status s = probe();
                        checks[name] = s.ok() ? "ok" : s.message();
                        ready = ready && s.ok();
                      }
                      boost::json::object body{{"status", ready ? "ready" : "not_ready"},
                                               {"checks", checks}};
                      HttpResponse r = HttpResponse::Json(ready ? 200 : 503,
                                                          boost::json::serialize(body));
                      if (!ready) r.WithHeader("Retry-After", "1");
                      return r;
                    }})
      // The same body answers 503 (status "not_ready", with Retry-After) when a probe fails.
      .Answers(kReadiness)
      .AlsoAnswers(503, kReadiness);
  router_.Add(Route{"GET", "/metrics", "getMetrics", "Prometheus metrics.", RouteAccess::Public(),
                    [this](const HttpRequest&, const PathParams&) {
                      return HttpResponse::Text(200, metrics_.Render(),
                                                "text/plain; version=0.0.4; charset=utf-8");
                    },
                    "text/plain"});
  router_.Add(Route{"GET", "/api/v1/openapi.json", "getOpenApi",
                    "This API's OpenAPI 3.1 document, generated from the route table.",
                    RouteAccess::Public(), [this](const HttpRequest&, const PathParams&) {
                      return HttpResponse::Json(200, OpenApiJson());
                    }})
      .Answers(R"json({
        "type": "object", "required": ["openapi", "info", "paths", "components"],
        "description": "An OpenAPI 3.1 document (https://spec.openapis.org/oas/3.1/schema/2022-10-07)",
        "properties": {
          "openapi": {"const": "3.1.0"},
          "info": {"type": "object", "required": ["title", "version"],
                   "properties": {"title": {"type": "string"}, "version": {"type": "string"}}},
          "paths": {"type": "object"},
          "components": {"type": "object"}
        }
      })json");
}

namespace {

// "{path...}" (the rest of the path, router.h) is written "{path}" in OpenAPI, whose templates
// name one parameter per braces.
std::string OpenApiPath(const std::string& pattern) {
  std::string out = pattern;
  for (size_t at; (at = out.find("...}")) != std::string::npos;) out.erase(at, 3);
  return out;
}

boost::json::object ProblemResponseRef(std::string_view code) {
  return boost::json::object{{"$ref", "#/components/responses/Problem" + std::string(code)}};
}

// The RFC 9457 problem every error answers with (api/problem.h), and one named response per
// status the routes answer with.
boost::json::object ProblemComponents(boost::json::object& schemas) {
  schemas["Problem"] = boost::json::object{
      {"type", "object"},
      {"description", "RFC 9457 problem details; `errors` names each field at fault."},
      {"required", boost::json::array{"type", "title", "status"}},
      {"properties",
       boost::json::object{
           {"type", boost::json::object{{"type", "string"}, {"examples", boost::json::array{"urn:tongban:problem:invalid_argument"}}}},
           {"title", boost::json::object{{"type", "string"}}},
           {"status", boost::json::object{{"type", "integer"}}},
           {"detail", boost::json::object{{"type", "string"}}},
           {"instance", boost::json::object{{"type", "string"}}},
           {"errors",
            boost::json::object{
                {"type", "array"},
                {"items", boost::json::object{
                              {"type", "object"},
                              {"required", boost::json::array{"field", "reason"}},
                              {"properties", boost::json::object{
                                                 {"field", boost::json::object{{"type", "string"}}},
                                                 {"reason", boost::json::object{{"type", "string"}}}}}}}}}}}};
  static constexpr std::pair<std::string_view, std::string_view> kStatuses[] = {
      {"400", "Malformed request: a field, parameter or body that cannot be read (field-level reasons)"},
      {"401", "Missing, malformed, forged, expired or revoked credential"},
      {"403", "The caller's role or scope may not call this operation"},
      {"404", "No such object, or not the caller's (the same answer either way)"},
      {"409", "The object is not in a state that allows this (already claimed, duplicate, ...)"},
      {"429", "Rate limit or login back-off: retry after Retry-After seconds"},
      {"503", "Not available now (ledger not yet integrated, too busy): retry after Retry-After"},
      {"Other", "Any other error (413 body too large, 415 media type, 422 unprocessable, 500): a problem"}};
  boost::json::object responses;
  for (const auto& [code, description] : kStatuses) {
    responses["Problem" + std::string(code)] = boost::json::object{
        {"description", description},
        {"content", boost::json::object{
                        {"application/problem+json",
                         boost::json::object{{"schema", boost::json::object{
                                                            {"$ref", "#/components/schemas/Problem"}}}}}}}};
  }
  return responses;
}

// A route's schema text as JSON; one that does not parse (a programming error the parts
// conformance test catches) becomes a schema saying so, never a broken document.
boost::json::value SchemaValue(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return boost::json::object{{"description", "unparsable schema"}};
  return v;
}

bool IsJson(const std::string& content_type) {
  return content_type == "application/json" || content_type.ends_with("+json");
}

}  // namespace

std::string Dispatcher::OpenApiJson() const {
  boost::json::object paths;
  for (const Route& r : router_.routes()) {
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    boost::json::object op{{"operationId", r.operation_id}, {"summary", r.summary}};
    boost::json::array params;
    for (size_t p = r.pattern.find('{'); p != std::string::npos; p = r.pattern.find('{', p + 1)) {
      size_t e = r.pattern.find('}', p);
      std::string name = r.pattern.substr(p + 1, e - p - 1);
      if (name.ends_with("...")) name.resize(name.size() - 3);
      params.push_back(boost::json::object{{"name", name},
                                           {"in", "path"},
                                           {"required", true},
                                           {"schema", boost::json::object{{"type", "string"}}}});
    }
    if (!r.access.act_scope.empty()) {
      // Acting for someone (docs/auth.md): the power of attorney named, and what it must cover.
      params.push_back(boost::json::object{
          {"name", "X-Act-For"},
          {"in", "header"},
          {"required", false},
          {"description", "Act for the principal of this power of attorney (its id); it must cover " +
                              r.access.act_scope},
          {"schema", boost::json::object{{"type", "string"}, {"pattern", "^[1-9][0-9]*$"}}}});
      op["x-tongban-act-scope"] = r.access.act_scope;
    }
    const bool has_params = !params.empty();
    if (has_params) op["parameters"] = std::move(params);
    const bool has_body = r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
    if (has_body) {
      boost::json::value schema = !r.request_schema.empty()
                                      ? SchemaValue(r.request_schema)
                                      : (IsJson(r.request_type) ? boost::json::object{{"type", "object"}}
                                                                : boost::json::object{{"type", "string"}});
      op["requestBody"] = boost::json::object{
          {"required", r.request_schema.empty() ? !IsJson(r.request_type) : r.request_body_required},
          {"content", boost::json::object{{r.request_type, boost::json::object{{"schema", std::move(schema)}}}}}};
    }
    if (r.access.is_public) {
      op["security"] = boost::json::array{};
    } else {
      boost::json::array roles;
      for (const auto& role : r.access.roles) roles.push_back(boost::json::string(role));
      op["security"] = boost::json::array{boost::json::object{{"bearer", boost::json::array{}}}};
      op["x-tongban-roles"] = std::move(roles);
    }
    boost::json::value answer_schema =
        !r.response_schema.empty() ? SchemaValue(r.response_schema)
        : IsJson(r.response_type)  ? boost::json::value(boost::json::object{{"type", "object"}})
                                   : boost::json::value(boost::json::object{{"type", "string"}});
    boost::json::object responses{
        {std::to_string(r.success_status),
         boost::json::object{{"description", r.success_status == 201 ? "Created" : "OK"},
                             {"content", boost::json::object{{r.response_type,
                                                              boost::json::object{{"schema", std::move(answer_schema)}}}}}}},
        {"400", ProblemResponseRef("400")}};
    if (!r.access.is_public) {
      responses["401"] = ProblemResponseRef("401");
      responses["403"] = ProblemResponseRef("403");
    }
    if (has_params) responses["404"] = ProblemResponseRef("404");
    if (has_body) responses["409"] = ProblemResponseRef("409");
    responses["429"] = ProblemResponseRef("429");
    responses["503"] = ProblemResponseRef("503");
    for (const auto& [status, schema] : r.other_answers) {
      responses[std::to_string(status)] = boost::json::object{
          {"description", "Answered with this body, not a problem"},
          {"content", boost::json::object{{r.response_type,
                                           boost::json::object{{"schema", SchemaValue(schema)}}}}}};
    }
    // Any other error status (413, 415, 422, 500, ...) is a problem too.
    responses["default"] = ProblemResponseRef("Other");
    op["responses"] = std::move(responses);
    boost::json::value& entry = paths[OpenApiPath(r.pattern)];
    if (!entry.is_object()) entry = boost::json::object{};
    entry.as_object()[method] = std::move(op);
  }
  boost::json::object schemas;
  for (const auto& [name, text] : router_.schemas()) schemas[name] = SchemaValue(text);
  boost::json::object problem_responses = ProblemComponents(schemas);
  boost::json::object doc{
      {"openapi", "3.1.0"},
      {"info", boost::json::object{{"title", "Tongban API"},
                                   {"version", version_},
                                   {"description",
                                    "Generated from the route table: each operation's access "
                                    "(x-tongban-roles) is the policy the server enforces."}}},
      {"servers", boost::json::array{boost::json::object{
                      {"url", "/"}, {"description", "the server that serves this document"}}}},
      {"components",
       boost::json::object{{"securitySchemes",
                            boost::json::object{{"bearer", boost::json::object{
                                                               {"type", "http"},
                                                               {"scheme", "bearer"}}}}},
                           {"schemas", std::move(schemas)},
                           {"responses", std::move(problem_responses)}}},
      {"paths", std::move(paths)}};
  return boost::json::serialize(doc);
}

}  // namespace tongban::api
