// Blocking HTTP client over Boost.Beast; see http_post.h.
#include "api/http_post.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tongban::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpPostReply::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return "";
}

Result<HttpPostReply> HttpPost(const std::string& url, const std::string& body,
                               std::chrono::milliseconds timeout) {
  HttpCall call;
  call.method = "POST";
  call.url = url;
  call.content_type = "text/plain; charset=utf-8";
  call.body = body;
  call.timeout = timeout;
  return HttpSend(call);
}

Result<HttpPostReply> HttpSend(const HttpCall& call) {
  const std::string& url = call.url;
  const auto timeout = call.timeout;
  http::verb method = http::string_to_verb(call.method);
  if (method != http::verb::get && method != http::verb::post && method != http::verb::put &&
      method != http::verb::delete_) {
    return Status::InvalidField("method", "unsupported HTTP method " + call.method);
  }
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return Status::InvalidField("url", "only http:// URLs are supported (" + url + ")");
  }
  std::string rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = hostport.rfind(':');
  std::string host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
  std::string port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);
  if (host.empty() || port.empty()) return Status::InvalidField("url", "no host in " + url);

  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(host, port, ec);
  if (ec) return Status::Unavailable("cannot resolve " + host + ": " + ec.message());
  stream.expires_after(timeout);
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, hostport);
  req.set(http::field::user_agent, "tongban");
  for (const auto& [name, value] : call.headers) req.set(name, value);
  if (!call.content_type.empty()) req.set(http::field::content_type, call.content_type);
  req.body() = call.body;
  if (method != http::verb::get || !call.body.empty()) req.prepare_payload();
  HttpPostReply reply;
  // Run the whole exchange asynchronously under the stream's timeout.
  stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    if (e) {
      ec = e;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code e2, size_t) {
      if (e2) {
        ec = e2;
        return;
      }
      auto buffer = std::make_shared<beast::flat_buffer>();
      auto parser = std::make_shared<http::response_parser<http::string_body>>();
      parser->body_limit(call.max_reply_bytes);
      http::async_read(stream, *buffer, *parser, [&, buffer, parser](beast::error_code e3, size_t) {
        if (e3) {
          ec = e3;
          return;
        }
        auto res = parser->release();
        reply.status = static_cast<int>(res.result_int());
        reply.content_type = std::string(res[http::field::content_type]);
        for (const auto& field : res) {
          reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        reply.body = std::move(res.body());
      });
    });
  });
  ioc.run();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (ec) return Status::Unavailable(call.method + " " + url + " failed: " + ec.message());
  return reply;
}

}  // namespace tongban::api
