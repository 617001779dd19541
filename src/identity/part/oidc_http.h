// OidcHttpClient: the HTTP of the OIDC flow (discovery, JWKS, token endpoint) over api::HttpSend,
// for identity::OidcLogins (the identity library itself never speaks HTTP). Thread-safe.
#pragma once

#include "identity/oidc_login.h"

namespace tongban::identity {

class OidcHttpClient : public OidcHttp {
 public:
  Result<Reply> Get(const std::string& url) override;
  Result<Reply> PostForm(const std::string& url, const std::string& form,
                         const std::vector<std::pair<std::string, std::string>>& headers) override;
};

}  // namespace tongban::identity
