// HttpPost: a small blocking HTTP/1.1 client for server-to-server calls (the log submitting its
// checkpoints to witnesses). Plain http:// URLs on any host; one request per connection; a
// total timeout. Beast lives only in http_post.cc.
// Thread-safe (each call has its own io_context and socket).
#pragma once

#include <chrono>
#include <string>

#include "core/status.h"

namespace tongban::api {

// One HTTP response as the client received it, whatever its status.
struct HttpPostReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// POSTs `body` (text/plain) to `url` ("http://host:port/path"). Any HTTP status is a reply;
// kInvalidArgument for a URL we cannot use, kUnavailable for connection errors and timeouts.
Result<HttpPostReply> HttpPost(const std::string& url, const std::string& body,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace tongban::api
