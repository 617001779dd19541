// HttpServer: the asynchronous HTTP/1.1 server (Boost.Beast + Asio). One io_context and one
// SO_REUSEPORT acceptor per worker thread, so connections never cross threads and idle keep-alive
// connections cost a socket and a small buffer, not a thread.
//
// Limits a slow or hostile client cannot get around: header size and header timeout, body size
// and body timeout, idle keep-alive timeout, open connections in all and per client address.
// Framing is strict (RFC 9112 §6.3): a Transfer-Encoding other than exactly "chunked" is refused
// with 400 and the connection closed, as is a request that has both Transfer-Encoding and
// Content-Length, so no body can be read as a smuggled next request. When the process runs out
// of file descriptors (EMFILE/ENFILE) the acceptor backs off (10 ms doubling to 1 s) instead of
// retrying at once. Graceful stop: stop accepting, let in-flight requests finish (up to
// `drain_timeout`), close idle connections.
//
// One listening socket, shared by the io threads (each holds a dup of it): no SO_REUSEPORT, so a
// second process cannot bind the same port and silently take half the connections.
//
// Requests that may block on the database (every method but GET, HEAD and OPTIONS: writes wait
// for a commit and its fsync) are handed to a bounded pool of `handler_threads` handler threads,
// so a slow write does not hold an io thread and its other connections; the response is written
// back on the connection's own io thread. A connection reads its next request only after the
// response to the previous one is written, so responses stay in request order. GETs (cheap reads)
// run on the io thread, as before. Graceful stop waits for queued and running handler jobs too.
//
// Thread-safe: Stop() may be called from any thread (e.g. a signal handler thread).
// The handler is called concurrently from all worker and handler threads and must be thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_message.h"
#include "core/status.h"

namespace tongban::api {

struct Worker;  // one io thread's state; defined in server.cc

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port()
  int threads = 2;
  // Threads running blocking requests (every method but GET/HEAD/OPTIONS, and GETs `may_block`
  // names); 0 runs them on the io threads.
  int handler_threads = 16;
  size_t body_limit = 1 << 20;       // bytes; larger bodies get 413
  size_t header_limit = 16 << 10;    // bytes; larger header blocks get 431
  // Open connections: over `max_connections` in all, or `max_connections_per_address` from one
  // client address, a new connection is closed at once (logged once a second, counted in
  // connections_refused()). 0 = no limit.
  int64_t max_connections = 20000;
  int64_t max_connections_per_address = 1000;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds idle_timeout{75};   // keep-alive connection with no request
  std::chrono::seconds drain_timeout{10};  // graceful stop: wait this long for in-flight work
  // For GET and HEAD requests: whether this one may block (a read that writes its trace and
  // waits for the commit); such requests run on the handler pool too. Unset: none do.
  std::function<bool(const HttpRequest&)> may_block;
  // HTTPS when both are set: PEM certificate chain and private key (TLS 1.2+, OpenSSL).
  std::string tls_cert_file;
  std::string tls_key_file;
};

// Called once per request on a worker thread. `request.request_id` is already set.
using RequestHandler = std::function<HttpResponse(HttpRequest&)>;
// Called after each response is written (or produced by the server itself, e.g. 413), for
// access logs and metrics. `route` is empty when the server answered without the handler.
using ResponseObserver = std::function<void(const HttpRequest&, const HttpResponse&,
                                            std::chrono::microseconds elapsed)>;

class HttpServer {
 public:
  // Binds the listening sockets (so port() is known) but serves nothing until Run().
  static Result<std::unique_ptr<HttpServer>> Create(ServerOptions options, RequestHandler handler,
                                                   ResponseObserver observer = nullptr);
  ~HttpServer();

  uint16_t port() const;
  // Runs the worker threads; returns after Stop() once connections have drained.
  void Run();
  // Starts a graceful stop. Idempotent.
  void Stop();
  // Number of open connections (for /metrics).
  int64_t open_connections() const;
  // Connections closed at accept because a connection limit was reached (for /metrics).
  int64_t connections_refused() const;
  // Times the acceptor backed off because the process ran out of descriptors (for /metrics).
  int64_t accept_backoffs() const;

 // Implementation detail, public only so that server.cc's session class can reach it.
  struct Impl;

 private:
  HttpServer();
  void WaitForDrain(Worker& worker, std::chrono::steady_clock::time_point deadline);
  std::unique_ptr<Impl> impl_;
};

// Generates a random 16-hex-character request id.
std::string NewRequestId();

// Feeds `input` to one server connection as a client would send it (then closes the sending
// side) and returns every byte the server wrote back, through the same code path as a real
// connection (framing, limits, the handler) over an in-kernel socket pair instead of TCP. For the
// framing tests and the libFuzzer target; runs on the calling thread (handler_threads ignored).
std::string ServeBytesForTesting(const ServerOptions& options, const RequestHandler& handler,
                                 std::string_view input);

}  // namespace tongban::api
