// SM2 distinguishing IDs and Z. The curve constants are those of GB/T 32918.5 (the curve
// OpenSSL calls "SM2"); a test checks them against OpenSSL's group.
#include "crypto/sm2.h"

#include <cassert>

#include "crypto/openssl_internal.h"

namespace tongban::crypto {
namespace {

// a || b || xG || yG, each 32 bytes big-endian (GB/T 32918.5 recommended curve).
constexpr std::string_view kCurveHex =
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"   // a
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"   // b
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"   // xG
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0";  // yG

const std::string& CurveBytes() {
  static const std::string bytes = *FromHex(kCurveHex);
  return bytes;
}

constexpr size_t kMaxIdSize = 0xffff / 8;  // ENTL is the ID length in bits, 16 bits

}  // namespace

Result<Digest> Sm2Z(const PublicKey& key, std::string_view id) {
  assert(key.algorithm() == SignatureAlgorithm::kSm2);
  if (id.size() > kMaxIdSize) return Status::InvalidArgument("SM2 ID is too long");
  const size_t entl = id.size() * 8;
  Hasher h(HashAlgorithm::kSm3);
  h.Update(static_cast<uint8_t>(entl >> 8));
  h.Update(static_cast<uint8_t>(entl & 0xff));
  h.Update(id);
  h.Update(CurveBytes());
  h.Update(std::string_view(key.raw()).substr(1));  // xA || yA without the 0x04 prefix
  return h.Final();
}

Result<std::string> Sm2Sign(const PrivateKey& key, std::string_view message, std::string_view id) {
  assert(key.algorithm() == SignatureAlgorithm::kSm2);
  if (id.size() > kMaxIdSize) return Status::InvalidArgument("SM2 ID is too long");
  return internal::EvpSign(key.evp(), "SM3", id, message);
}

bool Sm2Verify(const PublicKey& key, std::string_view message, std::string_view der_signature,
               std::string_view id) {
  assert(key.algorithm() == SignatureAlgorithm::kSm2);
  if (id.size() > kMaxIdSize) return false;
  // Our own strict-DER check first, so what verifies does not depend on OpenSSL's parser.
  if (!DerSignatureToRaw(der_signature).ok()) return false;
  return internal::EvpVerify(key.evp(), "SM3", id, message, der_signature);
}

}  // namespace tongban::crypto
