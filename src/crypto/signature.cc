// Algorithm names and the DER <-> raw conversion of ECDSA-style (r, s) signatures.
// The DER form is short: each INTEGER is at most 33 bytes, the SEQUENCE at most 70, so every
// length fits the one-byte short form and a longer form is never minimal and is refused.
#include "crypto/signature.h"

#include <cstdint>

namespace tongban::crypto {
namespace {

constexpr size_t kHalf = kRawSignatureSize / 2;

// Reads one DER INTEGER from der[*pos]; appends its 32-byte big-endian magnitude to *out.
bool ReadInteger(std::string_view der, size_t* pos, std::string* out) {
  if (*pos + 2 > der.size() || static_cast<uint8_t>(der[*pos]) != 0x02) return false;
  const size_t len = static_cast<uint8_t>(der[*pos + 1]);
  *pos += 2;
  if (len == 0 || len >= 0x80 || *pos + len > der.size()) return false;
  std::string_view v = der.substr(*pos, len);
  *pos += len;
  const uint8_t b0 = static_cast<uint8_t>(v[0]);
  if (b0 & 0x80) return false;                                                   // negative
  if (len > 1 && b0 == 0 && !(static_cast<uint8_t>(v[1]) & 0x80)) return false;  // not minimal
  if (b0 == 0) v.remove_prefix(1);
  if (v.empty() || v.size() > kHalf) return false;  // zero, or too large
  out->append(kHalf - v.size(), '\0');
  out->append(v);
  return true;
}

void WriteInteger(std::string_view magnitude, std::string* out) {
  size_t i = 0;
  while (i < magnitude.size() && magnitude[i] == '\0') ++i;
  magnitude.remove_prefix(i);
  const bool pad = static_cast<uint8_t>(magnitude[0]) & 0x80;
  out->push_back(0x02);
  out->push_back(static_cast<char>(magnitude.size() + (pad ? 1 : 0)));
  if (pad) out->push_back('\0');
  out->append(magnitude);
}

bool AllZero(std::string_view s) { return s.find_first_not_of('\0') == std::string_view::npos; }

}  // namespace

std::string_view SignatureAlgorithmName(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEd25519:
      return "ed25519";
    case SignatureAlgorithm::kSm2:
      return "sm2";
    case SignatureAlgorithm::kEs256:
      return "es256";
  }
  return "unknown";
}

Result<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view name) {
  if (name == "ed25519") return SignatureAlgorithm::kEd25519;
  if (name == "sm2") return SignatureAlgorithm::kSm2;
  if (name == "es256") return SignatureAlgorithm::kEs256;
  return Status::InvalidField("signature",
                              "unknown signature algorithm (expected ed25519, sm2 or es256)");
}

size_t RawPublicKeySize(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kEd25519 ? kEd25519PublicKeySize : kEcPublicKeySize;
}

bool UsesDerSignatures(SignatureAlgorithm alg) { return alg != SignatureAlgorithm::kEd25519; }

Result<std::string> DerSignatureToRaw(std::string_view der) {
  auto bad = [] { return Status::InvalidArgument("signature is not a valid DER (r, s) pair"); };
  if (der.size() < 2 || static_cast<uint8_t>(der[0]) != 0x30) return bad();
  const size_t len = static_cast<uint8_t>(der[1]);
  if (len >= 0x80 || len != der.size() - 2) return bad();
  std::string raw;
  raw.reserve(kRawSignatureSize);
  size_t pos = 2;
  if (!ReadInteger(der, &pos, &raw) || !ReadInteger(der, &pos, &raw) || pos != der.size()) {
    return bad();
  }
  return raw;
}

Result<std::string> RawSignatureToDer(std::string_view raw) {
  if (raw.size() != kRawSignatureSize) {
    return Status::InvalidArgument("raw signature must be 64 bytes (r || s)");
  }
  const std::string_view r = raw.substr(0, kHalf), s = raw.substr(kHalf);
  if (AllZero(r) || AllZero(s)) return Status::InvalidArgument("raw signature has r or s zero");
  std::string body;
  WriteInteger(r, &body);
  WriteInteger(s, &body);
  std::string der;
  der.push_back(0x30);
  der.push_back(static_cast<char>(body.size()));
  der += body;
  return der;
}

}  // namespace tongban::crypto
