// libFuzzer target: raw bytes through the server's whole read path — header parse, framing
// (Content-Length, chunked, the Transfer-Encoding rules), limits (small here, so they are
// reached), the request target, routing, the authorisation policy and a handler that parses a
// JSON body — via api::ServeBytesForTesting, the same session code a TCP connection runs.
// Invariants: the server never crashes, and everything it writes back is a sequence of whole
// HTTP/1.1 responses, one per request that reached the dispatcher at most.
// Seed corpus: fuzz/api/corpus/server_read (the framing cases of tests/security).
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/dispatcher.h"
#include "api/json_body.h"
#include "api/server.h"

namespace {

using namespace tongban::api;

Dispatcher& TheDispatcher(int& handled) {
  static Dispatcher* dispatcher = [&handled] {
    auto* d = new Dispatcher("fuzz");
    d->router().Add(Route{"POST", "/api/v1/auth/login", "login", "JSON body.", RouteAccess::Public(),
                          [&handled](const HttpRequest& req, const PathParams&) {
                            ++handled;
                            auto body = JsonBody::Parse(req.body, {"login", "password"});
                            if (!body.ok()) return HttpResponse::Json(400, "{}");
                            return HttpResponse::Json(200, "{}");
                          }});
    d->router().Add(Route{"GET", "/api/v1/items/{id}", "item", "Needs a token.",
                          RouteAccess::Roles({"staff"}),
                          [&handled](const HttpRequest&, const PathParams& p) {
                            ++handled;
                            return HttpResponse::Json(200, "{\"id\":\"" + std::to_string(p.at("id").size()) + "\"}");
                          }});
    d->set_authoriser([](HttpRequest& req, const Route&) -> tongban::Status {
      auto h = req.Header("authorization");
      if (!h || *h != "Bearer good") return tongban::Status::Unauthenticated("bad token");
      return tongban::Status::Ok();
    });
    d->AddSystemRoutes();
    d->SetRateLimits({0, 0}, {0, 0});
    return d;
  }();
  return *dispatcher;
}

// Counts the responses in `out`; traps if it is not a sequence of whole responses.
int CountResponses(const std::string& out) {
  int n = 0;
  size_t at = 0;
  while (at < out.size()) {
    if (out.compare(at, 9, "HTTP/1.1 ") != 0) __builtin_trap();
    size_t end = out.find("\r\n\r\n", at);
    if (end == std::string::npos) __builtin_trap();
    size_t cl = out.find("Content-Length: ", at);
    if (cl == std::string::npos || cl > end) __builtin_trap();
    size_t length = std::stoul(out.substr(cl + 16, out.find("\r\n", cl) - cl - 16));
    at = end + 4;
    // The answer to HEAD has a Content-Length and no body: the next response (or the end)
    // follows at once.
    bool head = length > 0 && (at == out.size() || out.compare(at, 9, "HTTP/1.1 ") == 0) &&
                (at + length > out.size() || out.compare(at + length, 9, "HTTP/1.1 ") != 0);
    if (!head) at += length;
    if (at > out.size()) __builtin_trap();
    ++n;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int handled = 0;
  Dispatcher& dispatcher = TheDispatcher(handled);
  ServerOptions options;
  options.header_limit = 2048;
  options.body_limit = 4096;
  int before = handled;
  std::string out = ServeBytesForTesting(
      options, [&dispatcher](HttpRequest& r) { return dispatcher.Handle(r); },
      std::string_view(reinterpret_cast<const char*>(data), size));
  int responses = CountResponses(out);
  if (handled - before > responses) __builtin_trap();  // a handler ran without answering
  return 0;
}
