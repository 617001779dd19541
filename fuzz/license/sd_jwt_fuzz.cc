// Fuzz target: SD-JWT verification of untrusted text (what POST /api/v1/licenses/verify parses),
// with the RFC 9901 example issuer key so that well-formed inputs reach the disclosure processing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "license/jws.h"
#include "license/sd_jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tongban::license;
  static const tongban::crypto::PublicKey* key = [] {
    auto k = PublicKeyFromJwk(boost::json::parse(
        R"({"kty":"EC","crv":"P-256","x":"b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ","y":"Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"})"));
    return new tongban::crypto::PublicKey(*k);
  }();
  SdJwtVerifyOptions o;
  o.issuer_key = [](const boost::json::object&, const boost::json::object&)
      -> tongban::Result<tongban::crypto::PublicKey> { return *key; };
  o.vc_profile = true;
  (void)VerifySdJwt(std::string_view(reinterpret_cast<const char*>(data), size), o);
  return 0;
}
