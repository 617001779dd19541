// HttpRequest and HttpResponse: the HTTP messages handlers see, free of Boost.Beast so that handler
// translation units compile fast and stay testable without sockets. The server (server.cc) is the
// only place that converts between these and Beast's types.
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "identity/principal.h"

namespace tongban::api {

// Header names are stored lower-cased.
using HeaderMap = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;        // "GET", "POST", ...
  std::string target;        // raw request target, e.g. "/api/v1/x?cursor=abc"
  std::string path;          // decoded path without the query, e.g. "/api/v1/x"
  std::map<std::string, std::string> query;  // decoded query parameters (last one wins)
  HeaderMap headers;
  std::string body;
  std::string remote_address;  // peer IP, for rate limiting and logs
  std::string request_id;      // assigned by the server (or a sane client X-Request-Id)
  // Set by the dispatcher once routed: the route's pattern (for metrics and logs), pointing into
  // the immutable route table. Empty when no route matched.
  std::string_view route_pattern;
  // Set by the authoriser for routes that need a login: who is calling.
  std::optional<identity::Principal> principal;

  // Case-insensitive header lookup; nullopt when absent.
  std::optional<std::string_view> Header(std::string_view name) const;
  // Query parameter or nullopt.
  std::optional<std::string_view> Query(std::string_view name) const;
};

// A response that is not ready when the handler returns, for long polls and Server-Sent Events.
// Implementations are called on the connection's io thread and may answer from any thread.
//
//   Deferred: Start(reply) once; call reply(response) exactly once, later (the response may not
//     itself be deferred or streamed). Cancel(): the server stops; reply soon.
//   Streamed: the server writes the head (no Content-Length; the body ends when the connection
//     closes), then calls Next(deliver) again after each delivered chunk is written; deliver(bytes)
//     exactly once per call, or deliver(nullopt) to end the body. Cancel(): the client went away or
//     the server stops; a pending Next delivers nullopt soon and no more are made.
class LaterResponse {
 public:
  using Reply = std::function<void(struct HttpResponse)>;
  using Deliver = std::function<void(std::optional<std::string> bytes)>;
  virtual ~LaterResponse() = default;
  virtual void Start(Reply reply) { (void)reply; }
  virtual void Next(Deliver deliver) { deliver(std::nullopt); }
  virtual void Cancel() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HeaderMap headers;  // extra headers (Retry-After, Cache-Control, ...)
  // Set for a deferred answer (the body comes from Start's reply; status and headers here are
  // unused) or, with `streamed`, for a body written over time (status, type and headers here).
  std::shared_ptr<LaterResponse> later;
  bool streamed = false;

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body,
                           std::string content_type = "text/plain; charset=utf-8");
  HttpResponse& WithHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Percent-decodes a path or query component. Returns nullopt on malformed escapes, an encoded NUL
// or invalid UTF-8 in the result.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// Splits a request target into a decoded path and query parameters. Returns false on a malformed
// target (not starting with '/', bad escapes, invalid UTF-8, NUL bytes, ".." segments).
bool ParseTarget(std::string_view target, std::string& path,
                 std::map<std::string, std::string>& query);

// True if `s` is valid UTF-8 (no overlongs, no surrogates, max U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace tongban::api
