// The small pieces every route file writes its answers with: a JSON answer (not cached unless
// told), a time in seconds as ISO 8601 UTC or null, and a positive integer from a path or query
// parameter. One owner each, so the answers' formats cannot drift between parts. Pure functions.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_message.h"
#include "core/status.h"

namespace tongban::api {

// `v` serialised, with Cache-Control `cache_control`.
HttpResponse JsonAnswer(int status, const boost::json::value& v,
                        std::string_view cache_control = "no-store");
// The same for JSON already serialised (pieces put together without parsing them again).
HttpResponse JsonTextAnswer(int status, std::string json, std::string_view cache_control = "no-store");

// "2026-12-07T04:33:00Z" for unix seconds; null when absent or 0 (never set).
boost::json::value IsoSeconds(std::optional<int64_t> unix_seconds);

// A decimal integer >= 1 from a path or query parameter; anything else (sign, spaces, overflow,
// zero) is kInvalidArgument naming `field` with `reason`.
Result<int64_t> PositiveIntParam(std::string_view text, std::string_view field,
                                 std::string_view reason);

}  // namespace tongban::api
