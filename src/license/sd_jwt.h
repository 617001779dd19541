// SD-JWT (RFC 9901) and the SD-JWT VC profile (draft-ietf-oauth-sd-jwt-vc): issue, present and
// verify selectively disclosable JWTs. Pure: no storage, no clock (times are passed in), no
// network (the issuer key is found by a caller-supplied resolver).
//
//   issuance     = issuer-jwt "~" *(disclosure "~")
//   presentation = issuer-jwt "~" *(disclosure "~") [kb-jwt]
//   disclosure   = base64url(JSON array [salt, name, value])  ; object property
//                / base64url(JSON array [salt, value])        ; array element
//   digest       = base64url(H(ASCII(disclosure)))  ; H from "_sd_alg": "sha-256" (default) or
//                                                   ; "sm3" (国密 licences, see docs/license.md)
//   sd_hash      = base64url(H(issuer-jwt "~" d1 "~" ... dn "~"))  ; in the KB-JWT payload
//
// Rules kept exactly as the RFC wants them (the interop traps): a digest is computed over the
// disclosure string as sent, never re-serialised; sd_hash covers everything before the KB-JWT
// including the last "~"; ES256 signatures are raw R||S; base64url is unpadded. A digest that
// appears twice, a disclosure no digest refers to, a disclosure named "_sd" or "...", or one that
// would overwrite a claim are all rejected. Under the VC profile iss, exp, nbf, cnf, vct and
// status may never be disclosures.
//
// Thread-safe (pure functions).
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/hash.h"
#include "crypto/key.h"

namespace tongban::license {

// "dc+sd-jwt", the SD-JWT VC media type used as `typ`.
inline constexpr std::string_view kSdJwtVcTyp = "dc+sd-jwt";

// The parts of a serialised SD-JWT, as text exactly as received.
struct SdJwtParts {
  std::string issuer_jwt;
  std::vector<std::string> disclosures;
  std::string kb_jwt;  // empty when there is none (the text ends in "~")
  // issuer_jwt "~" d1 "~" ... dn "~": what sd_hash covers.
  std::string without_kb;
};

// Splits an SD-JWT / SD-JWT+KB. kInvalidArgument (field `token`) for anything else.
Result<SdJwtParts> SplitSdJwt(std::string_view text);

// `_sd_alg` names.
Result<crypto::HashAlgorithm> ParseSdAlg(std::string_view name);
std::string_view SdAlgName(crypto::HashAlgorithm alg);  // "sha-256" / "sm3"

// base64url(H(disclosure)).
std::string DisclosureDigest(crypto::HashAlgorithm alg, std::string_view disclosure);

// What to issue. `claims` are always visible (iss, iat, exp, vct, cnf, status, ...);
// `disclosable` become top-level selectively disclosable claims, in this order.
struct SdJwtIssue {
  boost::json::object header;  // e.g. {"typ":"dc+sd-jwt","kid":...}; "alg" is set from the key
  boost::json::object claims;
  std::vector<std::pair<std::string, boost::json::value>> disclosable;
  crypto::HashAlgorithm sd_alg = crypto::HashAlgorithm::kSha256;
  int decoys = 0;  // extra random digests so the number of claims is not revealed
};

// Returns `issuer-jwt~d1~...~dn~`. `salt` returns a fresh salt per call (>= 128 bits of
// randomness, base64url). kInvalidArgument if a disclosable name clashes with a visible claim.
Result<std::string> IssueSdJwt(const SdJwtIssue& issue, const crypto::PrivateKey& issuer_key,
                               const std::function<std::string()>& salt);

// A holder's presentation: keep only the disclosures whose claim name is in `disclose`; when
// `holder_key` is given, append a KB-JWT {iat, aud, nonce, sd_hash} signed with it.
struct KeyBindingInput {
  const crypto::PrivateKey* holder_key = nullptr;
  std::string nonce;
  std::string aud;
  int64_t iat = 0;
};
Result<std::string> PresentSdJwt(std::string_view issuance, const std::vector<std::string>& disclose,
                                 const KeyBindingInput& kb);

struct SdJwtVerifyOptions {
  // Finds the issuer's key from the issuer JWT's header and (unverified) payload; its error is
  // returned as is (e.g. kPermissionDenied "issuer not trusted").
  std::function<Result<crypto::PublicKey>(const boost::json::object& header,
                                          const boost::json::object& payload)>
      issuer_key;
  std::string expected_typ;  // empty: not checked
  bool vc_profile = false;   // the SD-JWT VC rules on never-disclosable claims
  bool require_key_binding = false;
  std::optional<std::string> expected_nonce;
  std::optional<std::string> expected_aud;
  // Unix seconds. exp/nbf and the KB-JWT iat are checked against it when set.
  std::optional<int64_t> now;
  int64_t max_kb_age_seconds = 300;  // KB-JWT iat must be within [now - age, now + skew]
  int64_t clock_skew_seconds = 60;
};

struct SdJwtVerified {
  boost::json::object header;
  boost::json::object payload;  // processed: disclosures substituted, _sd and _sd_alg removed
  std::optional<boost::json::object> kb_payload;
  std::vector<std::string> disclosed;  // names of the disclosed top-level claims, in order
};

// Errors: kInvalidArgument when the text is not an SD-JWT at all (not parseable); kUnauthenticated
// for a bad issuer or KB signature, a digest mismatch or any other rule broken (message says
// which); kFailedPrecondition "expired" / "not yet valid" for exp/nbf; the resolver's error.
Result<SdJwtVerified> VerifySdJwt(std::string_view text, const SdJwtVerifyOptions& options);

}  // namespace tongban::license
