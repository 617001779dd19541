// Boost.Beast server: the only translation unit that includes Beast (compile time matters on
// small build machines). See server.h for the threading and limits model.
#include "api/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <list>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/problem.h"

namespace tongban::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// Errors of accept() that mean "out of descriptors or memory now": retrying at once only spins.
bool ResourceExhausted(const boost::system::error_code& ec) {
  return ec == boost::asio::error::no_descriptors ||  // EMFILE
         ec.value() == ENFILE || ec == boost::asio::error::no_buffer_space ||
         ec == boost::asio::error::no_memory;
}

// At most one warning a second per kind, however fast the events come.
class RateLimitedWarning {
 public:
  bool ShouldLog() {
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    int64_t last = last_.load(std::memory_order_relaxed);
    return now != last && last_.compare_exchange_strong(last, now);
  }

 private:
  std::atomic<int64_t> last_{-1};
};

}  // namespace

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[v & 0xf];
    v >>= 4;
  }
  return out;
}

// What a worker needs of a session, whatever its stream (plain TCP or TLS).
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void OnStop() = 0;
};

// One worker: an io_context, its acceptor, and the sessions living on it.
struct Worker {
  asio::io_context ioc{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::list<std::weak_ptr<SessionBase>> sessions;  // touched only on this worker's thread
  // Back-off after EMFILE/ENFILE: 0 while accepting normally, else the current delay.
  std::chrono::milliseconds accept_backoff{0};
  std::unique_ptr<asio::steady_timer> backoff_timer;
};

struct HttpServer::Impl {
  ServerOptions options;
  RequestHandler handler;
  ResponseObserver observer;
  std::atomic<bool> stopping{false};
  // Connection accounting. Declared before `workers`, so it is destroyed after them: a session
  // still queued in a worker's io_context when the server is destroyed releases its count here.
  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> refused{0};
  std::atomic<int64_t> backoffs{0};
  RateLimitedWarning refused_warning, backoff_warning;
  std::mutex per_address_mu;
  std::unordered_map<std::string, int64_t> per_address;  // open connections by client address
  std::vector<std::unique_ptr<Worker>> workers;
  uint16_t port = 0;
  std::unique_ptr<asio::ssl::context> tls;  // set when serving HTTPS
  // Runs blocking requests (server.h); null when handler_threads is 0. Declared after `workers`
  // so that it is destroyed (joined) first.
  std::unique_ptr<asio::thread_pool> pool;

  void Accept(Worker& w);
  void BackOff(Worker& w, const beast::error_code& ec);
  void StopWorker(Worker& w);
  // Counts a new connection from `address` in, or refuses it (false) when a limit is reached.
  bool Admit(const std::string& address);
  void Release(const std::string& address);
};

bool HttpServer::Impl::Admit(const std::string& address) {
  auto refuse = [&](const char* which, int64_t limit) {
    refused.fetch_add(1, std::memory_order_relaxed);
    if (refused_warning.ShouldLog()) {
      spdlog::warn(R"({{"msg":"connection refused: limit reached","limit":"{}","value":{},)"
                   R"("address":"{}","refused_total":{}}})",
                   which, limit, address, refused.load());
    }
    return false;
  };
  if (options.max_connections > 0 &&
      connections.load(std::memory_order_relaxed) >= options.max_connections) {
    return refuse("server.max_connections", options.max_connections);
  }
  if (options.max_connections_per_address > 0 && !address.empty()) {
    std::lock_guard lock(per_address_mu);
    int64_t& open = per_address[address];
    if (open >= options.max_connections_per_address) {
      if (open == 0) per_address.erase(address);
      return refuse("server.max_connections_per_address", options.max_connections_per_address);
    }
    ++open;
  }
  connections.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void HttpServer::Impl::Release(const std::string& address) {
  connections.fetch_sub(1, std::memory_order_relaxed);
  if (options.max_connections_per_address > 0 && !address.empty()) {
    std::lock_guard lock(per_address_mu);
    auto it = per_address.find(address);
    if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
  }
}

// One connection: reads requests, calls the handler, writes responses, until the client or a
// timeout ends it. `Stream` is beast::tcp_stream, or beast::ssl_stream of one for HTTPS.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

  // REQUIRES: server.Admit(remote) returned true; the session releases it.
  Session(Stream stream, HttpServer::Impl& server, Worker& worker, std::string remote)
      : stream_(std::move(stream)),
        server_(server),
        worker_(worker),
        buffer_(server.options.header_limit + kHeaderSlack),
        remote_(std::move(remote)) {}
  ~Session() override { server_.Release(remote_); }

  void Start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      ReadHeader();
    } else {
      // The TLS handshake counts against the header timeout.
      Tcp().expires_after(server_.options.header_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->ReadHeader();
                              });
    }
  }

  // Called on stop: idle connections close now, busy ones after their response.
  void OnStop() override {
    // A long poll answers soon; a stream ends (its pending Next delivers nullopt).
    if (later_) later_->Cancel();
    if (idle_) {
      beast::error_code ec;
      Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
      Tcp().close();
    }
  }

 private:
  void ReadHeader() {
    idle_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options.header_limit));
    parser_->body_limit(server_.options.body_limit);
    // The first request on a connection and later keep-alive requests share the idle timeout;
    // a client that starts a header must finish it within header_timeout.
    Tcp().expires_after(first_request_ ? server_.options.header_timeout
                                         : server_.options.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    idle_ = false;
    first_request_ = false;
    started_ = std::chrono::steady_clock::now();
    if (ec) return OnReadError(ec);
    if (server_.stopping.load()) keep_alive_ = false;
    auto& req = parser_->get();
    // RFC 9112 §6.3: a request whose Transfer-Encoding is anything but "chunked" (alone, once)
    // has a body of unknown length, and one with both Transfer-Encoding and Content-Length may be
    // framed differently by a proxy in front: either could smuggle a second request. Refuse and
    // close.
    if (auto te = req.count(http::field::transfer_encoding); te > 0) {
      // HTTP/1.0 has no chunked framing (RFC 9112 §6.1): treat it as faulty.
      if (req.version() < 11) {
        keep_alive_ = false;
        return WriteServerProblem(400, "Transfer-Encoding is not allowed in HTTP/1.0");
      }
      std::string_view value = req[http::field::transfer_encoding];
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      if (te > 1 || !beast::iequals(value, "chunked") ||
          req.count(http::field::content_length) > 0) {
        keep_alive_ = false;
        return WriteServerProblem(400, "Transfer-Encoding must be exactly \"chunked\" and "
                                       "without Content-Length (RFC 9112 section 6.3)");
      }
      // Only a chunked body can carry trailer fields: count the header's fields for OnBody.
      header_fields_ = static_cast<size_t>(std::distance(req.begin(), req.end()));
    }
    // Early refusal of a declared oversized body: no need to read it.
    if (auto len = parser_->content_length(); len && *len > server_.options.body_limit) {
      keep_alive_ = false;
      return WriteServerProblem(413, "body exceeds the limit of " +
                                         std::to_string(server_.options.body_limit) + " bytes");
    }
    if (req[http::field::expect] == "100-continue") {
      // Reply 100 Continue is optional; Beast clients and curl proceed after a short wait.
    }
    // A request without a body (most GETs) is complete with its header: handle it now instead
    // of starting a read that would only complete at once (one async round trip and one timer
    // update less per request).
    if (parser_->is_done()) return OnBody({});
    Tcp().expires_after(server_.options.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnBody(ec);
                     });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::bad_descriptor) {
      return Close();
    }
    keep_alive_ = false;
    if (ec == http::error::header_limit) {
      return WriteServerProblem(431, "request header block exceeds " +
                                         std::to_string(server_.options.header_limit) + " bytes");
    }
    if (ec == http::error::body_limit) {
      return WriteServerProblem(413, "body exceeds the limit of " +
                                         std::to_string(server_.options.body_limit) + " bytes");
    }
    return WriteServerProblem(400, "malformed HTTP request: " + ec.message());
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& breq = parser_->get();
    // Chunked trailer fields join the header after the body was read; a proxy in front never
    // saw them (an Authorization or Content-Type added there). Refuse the request.
    if (parser_->chunked() &&
        static_cast<size_t>(std::distance(breq.begin(), breq.end())) != header_fields_) {
      keep_alive_ = false;
      return WriteServerProblem(400, "trailer fields are not accepted");
    }
    request_ = HttpRequest{};
    request_.method = std::string(breq.method_string());
    request_.target = std::string(breq.target());
    request_.remote_address = remote_;
    request_.headers.reserve(8);
    for (const auto& field : breq) {
      std::string name(field.name_string());
      for (char& c : name) c = AsciiLower(c);
      request_.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    http11_ = breq.version() >= 11;
    request_.body = std::move(breq.body());
    auto rid = request_.Header("x-request-id");
    request_.request_id = rid && SaneRequestId(*rid) ? std::string(*rid) : NewRequestId();
    if (!breq.keep_alive()) keep_alive_ = false;
    head_ = breq.method() == http::verb::head;

    HttpResponse response;
    if (!ParseTarget(request_.target, request_.path, request_.query)) {
      response = ProblemResponse(400, "Bad Request",
                                 "malformed request target (bad escape, invalid UTF-8 or "
                                 "path traversal)",
                                 request_.request_id);
    } else if (server_.pool && (MayBlock(breq.method()) ||
                                (server_.options.may_block && server_.options.may_block(request_)))) {
      // The session does nothing else until the response is written (no read is pending), so
      // the handler thread may use request_; the job's reference keeps the session (and so a
      // graceful stop) waiting for it.
      asio::post(*server_.pool, [self = shared_from_this()] {
        HttpResponse r = self->server_.handler(self->request_);
        asio::post(self->worker_.ioc, [self, r = std::move(r)]() mutable {
          self->Write(std::move(r));
        });
      });
      return;
    } else {
      response = server_.handler(request_);
    }
    Write(std::move(response));
  }

  static bool MayBlock(http::verb method) {
    return method != http::verb::get && method != http::verb::head &&
           method != http::verb::options;
  }

  void WriteServerProblem(int status, std::string detail) {
    request_ = HttpRequest{};
    request_.remote_address = remote_;
    request_.request_id = NewRequestId();
    if (parser_) {
      const auto& breq = parser_->get();
      request_.method = std::string(breq.method_string());
      request_.target = std::string(breq.target());
      auto q = request_.target.find('?');
      request_.path = request_.target.substr(0, q);
    }
    Write(ProblemResponse(status, "", detail, request_.request_id));
  }

  // Serialises the response head ourselves into one reused buffer and writes head and body with
  // one gather write: Beast's generic serializer walks a buffer sequence of every field, which
  // cost about a third of the instructions of a small request (bench/http, docs/benchmarks.md).
  // Header values come from our handlers; CR and LF are replaced so that none can split a header.
  void Write(HttpResponse response) {
    if (head_ && response.streamed) {
      // HEAD of a stream: its head only, and no stream is started (nothing is delivered).
      response.later.reset();
      response.streamed = false;
    }
    if (response.later && !response.streamed) return WaitForLater(std::move(response.later));
    if (server_.stopping.load()) keep_alive_ = false;
    streaming_ = response.streamed && response.later;
    if (streaming_) {
      later_ = std::move(response.later);
      keep_alive_ = false;  // the body ends when the connection closes
    }
    head_buf_.clear();
    head_buf_ += "HTTP/1.1 ";
    head_buf_ += std::to_string(response.status);
    head_buf_ += ' ';
    auto reason = http::obsolete_reason(static_cast<http::status>(response.status));
    head_buf_.append(reason.data(), reason.size());
    head_buf_ += "\r\nServer: tongban\r\n";
    AppendField("Content-Type", response.content_type);
    AppendField("X-Request-Id", request_.request_id);
    head_buf_ += "X-Content-Type-Options: nosniff\r\n";
    for (const auto& [k, v] : response.headers) AppendField(k, v);
    if (!keep_alive_) {
      head_buf_ += "Connection: close\r\n";
    } else if (!http11_) {
      head_buf_ += "Connection: keep-alive\r\n";
    }
    if (streaming_) {
      head_buf_ += "Cache-Control: no-store\r\n\r\n";
    } else {
      head_buf_ += "Content-Length: ";
      head_buf_ += std::to_string(response.body.size());
      head_buf_ += "\r\n\r\n";
    }
    body_buf_.clear();
    if (!head_) body_buf_.swap(response.body);
    if (server_.observer) {
      auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - started_);
      server_.observer(request_, response, elapsed);
    }
    Tcp().expires_after(server_.options.body_timeout);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head_buf_), asio::buffer(body_buf_)};
    asio::async_write(stream_, buffers,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (self->streaming_) return self->OnStreamWrite(ec);
                        self->OnWrite(ec);
                      });
  }

  // A deferred answer (long poll): no timeout while it waits; its reply is written as usual.
  void WaitForLater(std::shared_ptr<LaterResponse> later) {
    later_ = std::move(later);
    Tcp().expires_never();
    later_->Start([self = shared_from_this()](HttpResponse r) {
      asio::post(self->worker_.ioc, [self, r = std::move(r)]() mutable {
        if (!self->later_) return;  // answered already
        self->later_.reset();
        r.later.reset();
        r.streamed = false;
        self->Write(std::move(r));
      });
    });
  }

  // A streamed body (Server-Sent Events): after each write, ask for the next bytes; no timeout
  // while the stream waits for them (the stream sends its own heartbeats), body_timeout per write.
  void OnStreamWrite(beast::error_code ec) {
    if (ec || server_.stopping.load()) return EndStream();
    Tcp().expires_never();
    later_->Next([self = shared_from_this()](std::optional<std::string> bytes) {
      asio::post(self->worker_.ioc, [self, bytes = std::move(bytes)]() mutable {
        if (!bytes || !self->later_) return self->EndStream();
        self->body_buf_ = std::move(*bytes);
        self->Tcp().expires_after(self->server_.options.body_timeout);
        asio::async_write(self->stream_, asio::buffer(self->body_buf_),
                          [self](beast::error_code ec, size_t) { self->OnStreamWrite(ec); });
      });
    });
  }
  void EndStream() {
    if (later_) {
      later_->Cancel();
      later_.reset();
    }
    Close();
  }
  void AppendField(std::string_view name, std::string_view value) {
    head_buf_.append(name);
    head_buf_ += ": ";
    size_t at = head_buf_.size();
    head_buf_.append(value);
    for (size_t i = at; i < head_buf_.size(); ++i) {
      if (head_buf_[i] == '\r' || head_buf_[i] == '\n') head_buf_[i] = ' ';
    }
    head_buf_ += "\r\n";
  }
  void OnWrite(beast::error_code ec) {
    if (ec || !keep_alive_) return Close();
    head_ = false;
    ReadHeader();
  }

  void Close() {
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    Tcp().close();
  }

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // The read buffer holds a whole header block, so it is sized from the header limit plus room
  // for the parser to see that the limit was passed (431) before the buffer is full.
  static constexpr size_t kHeaderSlack = 1024;

  Stream stream_;
  HttpServer::Impl& server_;
  Worker& worker_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string head_buf_;  // the serialised status line and fields of the response being written
  std::string body_buf_;  // its body
  HttpRequest request_;
  std::string remote_;
  std::chrono::steady_clock::time_point started_;
  size_t header_fields_ = 0;  // a chunked request's header fields, before any trailer
  bool keep_alive_ = true;
  bool idle_ = true;
  bool head_ = false;
  bool http11_ = true;
  bool first_request_ = true;
  bool streaming_ = false;                // the response being written is a stream (later_)
  std::shared_ptr<LaterResponse> later_;  // a deferred answer or a stream in progress
};

void HttpServer::Impl::Accept(Worker& w) {
  w.acceptor->async_accept(w.ioc, [this, &w](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !w.acceptor->is_open()) return;
      if (ResourceExhausted(ec)) return BackOff(w, ec);
      // Transient errors of one connection (ECONNABORTED): keep accepting.
      return Accept(w);
    }
    w.accept_backoff = std::chrono::milliseconds(0);
    std::string remote;
    if (auto ep = socket.remote_endpoint(ec); !ec) remote = ep.address().to_string();
    if (!Admit(remote)) {
      // Best effort, never blocking: tell a plain-HTTP client why before closing.
      if (!tls) {
        static constexpr std::string_view kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nServer: tongban\r\nRetry-After: 1\r\n"
            "Connection: close\r\nContent-Length: 0\r\n\r\n";
        (void)::send(socket.native_handle(), kBusy.data(), kBusy.size(),
                     MSG_DONTWAIT | MSG_NOSIGNAL);
      }
      socket.close(ec);
      return Accept(w);
    }
    socket.set_option(tcp::no_delay(true), ec);
    // Prune dead entries occasionally so the list does not grow without bound.
    if (w.sessions.size() > 1024) {
      w.sessions.remove_if([](const std::weak_ptr<SessionBase>& s) { return s.expired(); });
    }
    if (tls) {
      auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls), *this,
          w, std::move(remote));
      w.sessions.push_back(session);
      session->Start();
    } else {
      auto session = std::make_shared<Session<beast::tcp_stream>>(
          beast::tcp_stream(std::move(socket)), *this, w, std::move(remote));
      w.sessions.push_back(session);
      session->Start();
    }
    Accept(w);
  });
}

// Out of descriptors: the pending connection stays in the listen queue; accepting again at once
// would fail again and spin (both cores at 100%, /healthz starved). Wait 10 ms, doubling to 1 s,
// while connections close and free descriptors.
void HttpServer::Impl::BackOff(Worker& w, const beast::error_code& ec) {
  backoffs.fetch_add(1, std::memory_order_relaxed);
  w.accept_backoff = std::clamp(w.accept_backoff * 2, std::chrono::milliseconds(10),
                                std::chrono::milliseconds(1000));
  if (backoff_warning.ShouldLog()) {
    spdlog::warn(R"({{"msg":"accept failed, backing off","error":"{}","delay_ms":{},)"
                 R"("open_connections":{},"backoffs_total":{}}})",
                 ec.message(), w.accept_backoff.count(), connections.load(), backoffs.load());
  }
  if (!w.backoff_timer) w.backoff_timer = std::make_unique<asio::steady_timer>(w.ioc);
  w.backoff_timer->expires_after(w.accept_backoff);
  w.backoff_timer->async_wait([this, &w](beast::error_code wait_ec) {
    if (wait_ec || !w.acceptor->is_open()) return;
    Accept(w);
  });
}

void HttpServer::Impl::StopWorker(Worker& w) {
  beast::error_code ec;
  if (w.acceptor) w.acceptor->close(ec);
  if (w.backoff_timer) w.backoff_timer->cancel();
  for (auto& weak : w.sessions) {
    if (auto s = weak.lock()) s->OnStop();
  }
}

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Create(ServerOptions options,
                                                       RequestHandler handler,
                                                       ResponseObserver observer) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  Impl& impl = *server->impl_;
  impl.options = options;
  impl.handler = std::move(handler);
  impl.observer = std::move(observer);
  if (options.threads < 1 || options.threads > 256) {
    return Status::InvalidField("server.threads", "must be between 1 and 256");
  }
  if (options.handler_threads < 0 || options.handler_threads > 1024) {
    return Status::InvalidField("server.handler_threads", "must be between 0 and 1024");
  }
  if (options.handler_threads > 0) {
    impl.pool = std::make_unique<asio::thread_pool>(static_cast<size_t>(options.handler_threads));
  }
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return Status::InvalidField("server.tls_cert_file", "TLS needs both a certificate and a key");
    }
    impl.tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    beast::error_code tls_ec;
    impl.tls->use_certificate_chain_file(options.tls_cert_file, tls_ec);
    if (tls_ec) {
      return Status::InvalidField("server.tls_cert_file",
                                  "cannot load the certificate chain: " + tls_ec.message());
    }
    impl.tls->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, tls_ec);
    if (tls_ec) {
      return Status::InvalidField("server.tls_key_file",
                                  "cannot load the private key: " + tls_ec.message());
    }
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(options.host, ec);
  if (ec) return Status::InvalidField("server.listen", "not an IP address: " + options.host);
  if (options.max_connections < 0 || options.max_connections_per_address < 0) {
    return Status::InvalidField("server.max_connections", "must be 0 (no limit) or positive");
  }
  if (options.header_limit < 1024 || options.header_limit > (1 << 20)) {
    return Status::InvalidField("server.header_limit", "must be between 1 KiB and 1 MiB");
  }
  // One listening socket without SO_REUSEPORT (a second process binding the same port fails
  // with "address in use" instead of silently taking half the connections); every io thread
  // accepts from its own dup of it, each thread draining the queue when woken.
  tcp::endpoint ep(address, options.port);
  for (int i = 0; i < options.threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->acceptor = std::make_unique<tcp::acceptor>(w->ioc);
    if (i == 0) {
      w->acceptor->open(ep.protocol(), ec);
      if (!ec) w->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) w->acceptor->bind(ep, ec);
      if (!ec) w->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    } else {
      int fd = ::dup(impl.workers[0]->acceptor->native_handle());
      if (fd < 0) {
        ec = beast::error_code(errno, boost::system::system_category());
      } else {
        w->acceptor->assign(ep.protocol(), fd, ec);
        if (ec) ::close(fd);
      }
    }
    if (ec) {
      return Status::Unavailable("cannot listen on " + options.host + ":" +
                                 std::to_string(options.port) + ": " + ec.message());
    }
    impl.workers.push_back(std::move(w));
  }
  impl.port = impl.workers[0]->acceptor->local_endpoint().port();
  return server;
}

uint16_t HttpServer::port() const { return impl_->port; }
int64_t HttpServer::open_connections() const { return impl_->connections.load(); }
int64_t HttpServer::connections_refused() const { return impl_->refused.load(); }
int64_t HttpServer::accept_backoffs() const { return impl_->backoffs.load(); }

void HttpServer::Run() {
  std::vector<std::thread> threads;
  for (auto& w : impl_->workers) {
    impl_->Accept(*w);
  }
  for (size_t i = 1; i < impl_->workers.size(); ++i) {
    threads.emplace_back([w = impl_->workers[i].get()] { w->ioc.run(); });
  }
  impl_->workers[0]->ioc.run();
  for (auto& t : threads) t.join();
  // Handler jobs still running past the drain deadline finish here (their responses are dropped).
  if (impl_->pool) impl_->pool->join();
}

void HttpServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  auto deadline = std::chrono::steady_clock::now() + impl_->options.drain_timeout;
  for (auto& w : impl_->workers) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [this, worker, deadline] {
      impl_->StopWorker(*worker);
      WaitForDrain(*worker, deadline);
    });
  }
}

// Polls (every 10 ms, on the worker's own thread) until the worker's sessions are gone or the
// drain deadline passes; then stops its io_context so Run() can return.
void HttpServer::WaitForDrain(Worker& worker, std::chrono::steady_clock::time_point deadline) {
  worker.sessions.remove_if([](const std::weak_ptr<SessionBase>& s) { return s.expired(); });
  if (worker.sessions.empty() || std::chrono::steady_clock::now() >= deadline) {
    worker.ioc.stop();
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(worker.ioc, std::chrono::milliseconds(10));
  timer->async_wait([this, &worker, deadline, timer](beast::error_code) {
    WaitForDrain(worker, deadline);
  });
}

std::string ServeBytesForTesting(const ServerOptions& options, const RequestHandler& handler,
                                 std::string_view input) {
  HttpServer::Impl impl;
  impl.options = options;
  impl.handler = handler;
  Worker worker;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return {};
  beast::error_code ec;
  tcp::socket server_side(worker.ioc);
  server_side.assign(tcp::v4(), fds[0], ec);
  asio::local::stream_protocol::socket client(worker.ioc);
  client.assign(asio::local::stream_protocol(), fds[1], ec);
  impl.Admit("");
  auto session = std::make_shared<Session<beast::tcp_stream>>(
      beast::tcp_stream(std::move(server_side)), impl, worker, std::string());
  session->Start();
  session.reset();  // the pending operations keep it alive until the connection ends

  std::string output;
  std::array<char, 4096> chunk;
  std::function<void()> read_more = [&] {
    client.async_read_some(asio::buffer(chunk), [&](beast::error_code rec, size_t n) {
      output.append(chunk.data(), n);
      if (!rec) read_more();
    });
  };
  asio::async_write(client, asio::buffer(input.data(), input.size()),
                    [&](beast::error_code wec, size_t) {
                      if (!wec) client.shutdown(asio::socket_base::shutdown_send, wec);
                    });
  read_more();
  worker.ioc.run();
  return output;
}

}  // namespace tongban::api
