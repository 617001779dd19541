// Builds application/problem+json bodies with Boost.JSON.
#include "api/problem.h"

#include <boost/json.hpp>

namespace tongban::api {
namespace {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

}  // namespace

HttpResponse ProblemResponse(const Status& status, std::string_view request_id,
                             int retry_after_seconds) {
  int http = HttpStatusFor(status.code());
  boost::json::object o;
  o["type"] = std::string("urn:tongban:problem:") + std::string(ErrorCodeName(status.code()));
  o["title"] = ReasonPhrase(http);
  o["status"] = http;
  // Internal errors never echo their message: it may hold internals. Logs carry detail().
  o["detail"] = (status.code() == ErrorCode::kInternal || status.code() == ErrorCode::kDataLoss)
                    ? std::string("internal error; quote the request id to the operator")
                    : status.message();
  if (!request_id.empty()) o["instance"] = std::string("urn:tongban:request:") + std::string(request_id);
  if (!status.fields().empty()) {
    boost::json::array errors;
    for (const FieldError& f : status.fields()) {
      errors.push_back(boost::json::object{{"field", f.field}, {"reason", f.reason}});
    }
    o["errors"] = std::move(errors);
  }
  HttpResponse r = HttpResponse::Json(http, boost::json::serialize(o));
  r.content_type = std::string(kProblemJson);
  if (status.code() == ErrorCode::kUnavailable || status.code() == ErrorCode::kResourceExhausted) {
    r.WithHeader("Retry-After", std::to_string(retry_after_seconds));
  }
  return r;
}

HttpResponse ProblemResponse(int http_status, std::string_view title, std::string_view detail,
                             std::string_view request_id) {
  boost::json::object o;
  o["type"] = "about:blank";
  o["title"] = title.empty() ? ReasonPhrase(http_status) : title;
  o["status"] = http_status;
  if (!detail.empty()) o["detail"] = detail;
  if (!request_id.empty()) o["instance"] = std::string("urn:tongban:request:") + std::string(request_id);
  HttpResponse r = HttpResponse::Json(http_status, boost::json::serialize(o));
  r.content_type = std::string(kProblemJson);
  return r;
}

}  // namespace tongban::api
