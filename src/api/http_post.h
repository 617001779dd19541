// HttpPost / HttpSend: a small blocking HTTP/1.1 client for server-to-server calls (the log
// submitting its checkpoints to witnesses, an OIDC relying party fetching a provider's discovery
// document and JWKS and redeeming a code, the notification hub's webhook sender). Plain http://
// URLs on any host (TLS terminates in front, as in docs/deployment.md); one request per
// connection; a total timeout; the reply body is capped. Beast lives only in http_post.cc.
// Thread-safe (each call has its own io_context and socket).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tongban::api {

// One HTTP response as the client received it, whatever its status.
struct HttpPostReply {
  int status = 0;
  std::string content_type;
  std::string body;
  // Every response header as received (name as sent by the server).
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
};

// One outgoing request.
struct HttpCall {
  std::string method = "GET";  // GET, POST, PUT, DELETE
  std::string url;             // "http://host:port/path?query"
  std::string content_type;    // set when non-empty (a body needs one)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::chrono::milliseconds timeout = std::chrono::seconds(5);
  size_t max_reply_bytes = 8 << 20;  // a larger reply is an error, not an allocation
};

// Sends `call`. Any HTTP status is a reply; kInvalidArgument for a URL or method we cannot use,
// kUnavailable for connection errors, timeouts and oversize replies.
Result<HttpPostReply> HttpSend(const HttpCall& call);

// POSTs `body` (text/plain) to `url` ("http://host:port/path").
Result<HttpPostReply> HttpPost(const std::string& url, const std::string& body,
                               std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace tongban::api
