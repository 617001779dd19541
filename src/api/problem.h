// RFC 9457 problem details: the one place a Status becomes an HTTP error response.
// The client sees the Status message and field errors; Status::detail() is for logs only.
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "api/http_message.h"
#include "core/status.h"

namespace tongban::api {

// Content type of every error response.
inline constexpr std::string_view kProblemJson = "application/problem+json";

// {"type":"urn:tongban:problem:<code>","title":...,"status":...,"detail":...,
//  "instance":"<request id>","errors":[{"field":...,"reason":...}]}
// Adds Retry-After for kUnavailable and kResourceExhausted.
HttpResponse ProblemResponse(const Status& status, std::string_view request_id,
                             int retry_after_seconds = 1);

// A problem with an explicit HTTP status that has no ErrorCode of its own (405, 413, 415, 431).
HttpResponse ProblemResponse(int http_status, std::string_view title, std::string_view detail,
                             std::string_view request_id);

}  // namespace tongban::api

// In a handler: `TB_ASSIGN_OR_PROBLEM(auto x, SomethingReturningResult(), req);` assigns the value,
// or returns the error as a problem response for request `req`.
#define TB_ASSIGN_OR_PROBLEM(lhs, expr, req)                                                \
  auto TB_CONCAT_(problem_r_, __LINE__) = (expr);                                           \
  if (!TB_CONCAT_(problem_r_, __LINE__).ok())                                               \
    return ::tongban::api::ProblemResponse(TB_CONCAT_(problem_r_, __LINE__).status(),       \
                                           (req).request_id);                               \
  lhs = std::move(TB_CONCAT_(problem_r_, __LINE__)).value()

// In a handler: `TB_RETURN_IF_PROBLEM(service.Revoke(id), req);` returns the error as a problem
// response for request `req` unless the Status is OK.
#define TB_RETURN_IF_PROBLEM(expr, req)                                                     \
  if (const ::tongban::Status TB_CONCAT_(problem_s_, __LINE__) = (expr);                   \
      !TB_CONCAT_(problem_s_, __LINE__).ok())                                               \
  return ::tongban::api::ProblemResponse(TB_CONCAT_(problem_s_, __LINE__), (req).request_id)
