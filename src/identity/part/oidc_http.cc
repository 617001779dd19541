// OidcHttpClient over api::HttpSend; see oidc_http.h.
#include "identity/part/oidc_http.h"

#include "api/http_post.h"

namespace tongban::identity {
namespace {

// A provider's documents are small; a token answer far smaller still.
constexpr size_t kMaxReply = 1 << 20;

Result<OidcHttp::Reply> Send(api::HttpCall call) {
  call.timeout = std::chrono::seconds(10);
  call.max_reply_bytes = kMaxReply;
  call.headers.emplace_back("Accept", "application/json");
  TB_ASSIGN_OR_RETURN(api::HttpPostReply r, api::HttpSend(call));
  return OidcHttp::Reply{r.status, std::move(r.body)};
}

}  // namespace

Result<OidcHttp::Reply> OidcHttpClient::Get(const std::string& url) {
  return Send(api::HttpCall{.method = "GET", .url = url});
}

Result<OidcHttp::Reply> OidcHttpClient::PostForm(
    const std::string& url, const std::string& form,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  return Send(api::HttpCall{.method = "POST", .url = url,
                            .content_type = "application/x-www-form-urlencoded",
                            .body = form, .headers = headers});
}

}  // namespace tongban::identity
