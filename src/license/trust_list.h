// TrustList: the licence issuers of other regions and provinces that this node recognises
// (跨省互认) — for each, its `iss`, name, region, public key (JWK), the licence types (vct) it may
// issue, and optionally its latest signed status list, so that a licence issued elsewhere
// verifies here and a revocation there is honoured once the list is refreshed. Format (JSON):
//
//   {"issuers": [{"iss": "https://sh.example/licenses", "name": "上海市大数据中心",
//                 "region_code": "310000", "jwk": {...}, "vct": ["urn:tongban:license:driving_licence"],
//                 "status_list_jwt": "<statuslist+jwt>"?}]}
//
// Immutable after loading; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "crypto/key.h"

namespace tongban::license {

struct TrustedIssuer {
  std::string iss;
  std::string name;
  std::string region_code;
  crypto::PublicKey key;
  std::vector<std::string> vct;  // empty: any type
  std::string status_list_jwt;   // may be empty (no status published: revocation not checked)
};

class TrustList {
 public:
  // kInvalidArgument naming the JSON pointer at fault.
  static Result<TrustList> Parse(std::string_view json);
  void Add(TrustedIssuer issuer) { issuers_.push_back(std::move(issuer)); }
  const TrustedIssuer* Find(std::string_view iss) const;
  const std::vector<TrustedIssuer>& issuers() const { return issuers_; }

 private:
  std::vector<TrustedIssuer> issuers_;
};

}  // namespace tongban::license
