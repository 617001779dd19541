// Jws: compact JSON Web Signatures (RFC 7515) and JSON Web Keys (RFC 7517) as the SD-JWT layer
// needs them — sign and verify `<header>.<payload>.<signature>` with ES256 (P-256, signature as
// raw 64-byte R||S, RFC 7518 §3.4) or, for the 国密 suite, SM2 with SM3 under the algorithm name
// "SM2" (signature also raw 64-byte r||s, user ID "1234567812345678"; not IANA-registered, see
// docs/license.md). Keys as JWKs: {"kty":"EC","crv":"P-256"|"SM2","x":b64url,"y":b64url}.
// Ed25519 is not offered: the EU wallet profile guarantees only ES256.
//
// Parsing never re-serialises: the signing input is the text exactly as received.
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/key.h"

namespace tongban::license {

// "ES256" / "SM2"; kInvalidArgument for Ed25519.
Result<std::string> JwsAlgName(crypto::SignatureAlgorithm alg);
// kInvalidArgument for anything but "ES256" and "SM2" (notably "none" and HMAC algorithms).
Result<crypto::SignatureAlgorithm> ParseJwsAlg(std::string_view name);

// The public JWK of an ES256 or SM2 key. kInvalidArgument for Ed25519.
Result<boost::json::object> PublicKeyToJwk(const crypto::PublicKey& key);
// An EC public key from its JWK (P-256 or SM2; members other than kty, crv, x, y are ignored,
// a "d" member is refused: a private key has no place where a public one is expected).
Result<crypto::PublicKey> PublicKeyFromJwk(const boost::json::value& jwk);

// As PublicKeyFromJwk, through a process-wide cache of recently seen keys (holder keys in cnf):
// building an OpenSSL key from its coordinates costs about as much as a signature verification.
// The cache holds at most 16,384 keys and is cleared when full. Thread-safe.
Result<crypto::PublicKey> PublicKeyFromJwkCached(const boost::json::value& jwk);

// RFC 7638 JWK thumbprint of an EC key: base64url(SHA-256 of {"crv","kty","x","y"}).
Result<std::string> JwkThumbprint(const crypto::PublicKey& key);

// A parsed compact JWS. `signing_input` is `<header>.<payload>` exactly as received.
struct Jws {
  boost::json::object header;
  boost::json::object payload;
  std::string signing_input;
  std::string signature;  // raw bytes (R||S for ES256 and SM2)
  crypto::SignatureAlgorithm alg = crypto::SignatureAlgorithm::kEs256;
};

// Splits and decodes a compact JWS whose header and payload are JSON objects and whose `alg` is
// ES256 or SM2. kInvalidArgument (naming `field`) when it is not one.
Result<Jws> ParseJws(std::string_view compact, std::string_view field = "token");

// True iff the signature verifies under `key` and the key is of the header's algorithm.
bool VerifyJws(const Jws& jws, const crypto::PublicKey& key);

// Signs `header` (its "alg" is set from the key) and `payload`; returns the compact form.
Result<std::string> SignJws(boost::json::object header, const boost::json::object& payload,
                            const crypto::PrivateKey& key);

// base64url(JSON) of a value, compact serialisation.
std::string B64Json(const boost::json::value& v);

}  // namespace tongban::license
