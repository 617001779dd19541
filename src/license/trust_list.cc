// Trusted issuers of other regions; see trust_list.h.
#include "license/trust_list.h"

#include <boost/json.hpp>

#include "license/jws.h"

namespace tongban::license {

Result<TrustList> TrustList::Parse(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("issuers") ||
      !doc.as_object().at("issuers").is_array()) {
    return Status::InvalidArgument("trust list must be {\"issuers\": [...]}");
  }
  TrustList list;
  const auto& arr = doc.as_object().at("issuers").as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string where = "/issuers/" + std::to_string(i);
    if (!arr[i].is_object()) return Status::InvalidField(where, "must be an object");
    const auto& o = arr[i].as_object();
    auto str = [&](std::string_view k) -> std::string {
      const auto* v = o.if_contains(k);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    const auto* jwk = o.if_contains("jwk");
    if (str("iss").empty() || !jwk) return Status::InvalidField(where, "needs iss and jwk");
    auto key = PublicKeyFromJwk(*jwk);
    if (!key.ok()) return Status::InvalidField(where + "/jwk", key.status().message());
    TrustedIssuer t{str("iss"), str("name"), str("region_code"), *key, {}, str("status_list_jwt")};
    if (const auto* vct = o.if_contains("vct"); vct && vct->is_array()) {
      for (const auto& v : vct->as_array()) {
        if (v.is_string()) t.vct.emplace_back(v.as_string());
      }
    }
    list.Add(std::move(t));
  }
  return list;
}

const TrustedIssuer* TrustList::Find(std::string_view iss) const {
  for (const auto& t : issuers_) {
    if (t.iss == iss) return &t;
  }
  return nullptr;
}

}  // namespace tongban::license
