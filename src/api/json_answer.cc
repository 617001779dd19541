// Shared answer helpers; see json_answer.h.
#include "api/json_answer.h"

#include <charconv>
#include <string>

#include "core/clock.h"

namespace tongban::api {

HttpResponse JsonAnswer(int status, const boost::json::value& v, std::string_view cache_control) {
  return JsonTextAnswer(status, boost::json::serialize(v), cache_control);
}

HttpResponse JsonTextAnswer(int status, std::string json, std::string_view cache_control) {
  HttpResponse r = HttpResponse::Json(status, std::move(json));
  r.WithHeader("Cache-Control", std::string(cache_control));
  return r;
}

boost::json::value IsoSeconds(std::optional<int64_t> unix_seconds) {
  if (!unix_seconds || *unix_seconds == 0) return nullptr;
  return boost::json::value(FormatIso8601Utc(FromUnixMicros(*unix_seconds * 1'000'000)));
}

Result<int64_t> PositiveIntParam(std::string_view text, std::string_view field,
                                 std::string_view reason) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 1) {
    return Status::InvalidField(std::string(field), std::string(reason));
  }
  return v;
}

}  // namespace tongban::api
