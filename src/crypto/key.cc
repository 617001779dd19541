// Keys on OpenSSL 3 EVP_PKEY. Invariants: a PrivateKey / PublicKey always holds a key of its
// algorithm (for kSm2 an OpenSSL "SM2" key, for kEs256 an "EC" key on P-256), and the EVP_PKEY is
// never modified after construction, which is what makes concurrent Sign / Verify safe.
#include "crypto/key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "crypto/openssl_internal.h"
#include "crypto/sm2.h"

namespace tongban::crypto {

void EvpPkeyFree::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

namespace internal {

std::string OpenSslErrors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Result<std::string> EvpSign(EVP_PKEY* pkey, const char* md, std::optional<std::string_view> sm2_id,
                            std::string_view message) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  std::string sig;
  size_t len = 0;
  bool ok = ctx != nullptr &&
            EVP_DigestSignInit_ex(ctx, &pctx, md, nullptr, nullptr, pkey, nullptr) == 1 &&
            (!sm2_id || EVP_PKEY_CTX_set1_id(pctx, sm2_id->data(), sm2_id->size()) == 1) &&
            EVP_DigestSign(ctx, nullptr, &len, nullptr, 0) == 1;
  if (ok) {
    sig.resize(len);
    ok =
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return Status::Internal("signing failed").WithDetail(OpenSslErrors());
  return sig;
}

bool EvpVerify(EVP_PKEY* pkey, const char* md, std::optional<std::string_view> sm2_id,
               std::string_view message, std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  const bool ok =
      ctx != nullptr &&
      EVP_DigestVerifyInit_ex(ctx, &pctx, md, nullptr, nullptr, pkey, nullptr) == 1 &&
      (!sm2_id || EVP_PKEY_CTX_set1_id(pctx, sm2_id->data(), sm2_id->size()) == 1) &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) ERR_clear_error();  // a bad signature is an answer, not an error to keep around
  return ok;
}

}  // namespace internal

namespace {

using internal::OpenSslErrors;

constexpr size_t kMaxPemSize = 64 * 1024;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::shared_ptr<EVP_PKEY> Share(EvpPkeyPtr p) { return std::shared_ptr<EVP_PKEY>(std::move(p)); }

const char* DigestFor(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEd25519:
      return nullptr;  // pure EdDSA hashes internally
    case SignatureAlgorithm::kSm2:
      return "SM3";
    case SignatureAlgorithm::kEs256:
      return "SHA256";
  }
  return nullptr;
}

std::string_view DisplayName(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEd25519:
      return "Ed25519";
    case SignatureAlgorithm::kSm2:
      return "SM2";
    case SignatureAlgorithm::kEs256:
      return "ECDSA P-256";
  }
  return "?";
}

std::string GroupName(EVP_PKEY* k) {
  char name[80] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) !=
      1) {
    ERR_clear_error();
    return "unknown curve";
  }
  return std::string(name, len);
}

// What a key is, for error messages: "Ed25519", "SM2", "EC (prime256v1)", "RSA".
std::string Describe(EVP_PKEY* k) {
  if (EVP_PKEY_is_a(k, "ED25519")) return "Ed25519";
  if (EVP_PKEY_is_a(k, "SM2")) return "SM2";
  if (EVP_PKEY_is_a(k, "EC")) return "EC (" + GroupName(k) + ")";
  const char* t = EVP_PKEY_get0_type_name(k);
  return t != nullptr ? t : "unknown";
}

// OK iff `k` is a key of `alg`. The kSm2 check is EVP_PKEY_is_a(k, "SM2"): an "EC" key on the
// SM2 curve signs ECDSA-with-SM3, which no SM2 verifier accepts.
Status CheckType(SignatureAlgorithm alg, EVP_PKEY* k, std::string_view what) {
  bool ok = false;
  switch (alg) {
    case SignatureAlgorithm::kEd25519:
      ok = EVP_PKEY_is_a(k, "ED25519");
      break;
    case SignatureAlgorithm::kSm2:
      ok = EVP_PKEY_is_a(k, "SM2");
      if (!ok && EVP_PKEY_is_a(k, "EC") && GroupName(k) == "SM2") {
        return Status::InvalidArgument(std::string(what) +
                                       ": a plain EC key on the SM2 curve is not an SM2 key "
                                       "(it would sign ECDSA-with-SM3); use an SM2 key");
      }
      break;
    case SignatureAlgorithm::kEs256:
      ok = EVP_PKEY_is_a(k, "EC") && GroupName(k) == "prime256v1";
      break;
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument(std::string(what) + ": expected an " +
                                 std::string(DisplayName(alg)) + " key, got " + Describe(k));
}

// Reads the one PEM block of `pem`, requires its label to be `label`, returns its DER.
Result<std::string> PemBlock(std::string_view pem, std::string_view label, std::string_view what) {
  const std::string w(what);
  if (pem.size() > kMaxPemSize) return Status::InvalidArgument(w + ": PEM text is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (bio == nullptr || PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    return Status::InvalidArgument(w + ": not a PEM block").WithDetail(OpenSslErrors());
  }
  const std::string got_label(name);
  const bool has_header = header != nullptr && header[0] != '\0';
  std::string der(reinterpret_cast<const char*>(data), static_cast<size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_clear_free(data, static_cast<size_t>(len));
  if (got_label != label) {
    std::string hint;
    if (got_label == "ENCRYPTED PRIVATE KEY") hint = " (encrypted keys are not supported)";
    if (got_label == "EC PRIVATE KEY") hint = " (convert with: openssl pkcs8 -topk8 -nocrypt)";
    return Status::InvalidArgument(w + ": expected a PEM \"" + std::string(label) +
                                   "\" block, found \"" + got_label + "\"" + hint);
  }
  if (has_header) {
    return Status::InvalidArgument(w + ": PEM headers (encrypted PEM) are not supported");
  }
  char rest[256];
  for (int n; (n = BIO_read(bio.get(), rest, sizeof(rest))) > 0;) {
    for (int i = 0; i < n; ++i) {
      if (!std::strchr(" \t\r\n", rest[i])) {
        return Status::InvalidArgument(w + ": unexpected text after the PEM block");
      }
    }
  }
  ERR_clear_error();
  return der;
}

std::string PemOf(int (*write)(BIO*, EVP_PKEY*), EVP_PKEY* k) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || write(bio.get(), k) != 1) std::abort();  // out of memory
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

int WritePkcs8(BIO* b, EVP_PKEY* k) {
  return PEM_write_bio_PKCS8PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
}
int WriteSpki(BIO* b, EVP_PKEY* k) { return PEM_write_bio_PUBKEY(b, k); }

int CurveNid(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kSm2 ? NID_sm2 : NID_X9_62_prime256v1;
}
const char* CurveName(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kSm2 ? "SM2" : "prime256v1";
}
const char* KeyTypeName(SignatureAlgorithm alg) {
  return alg == SignatureAlgorithm::kSm2 ? "SM2" : "EC";
}

// Builds an SM2 / P-256 key from an uncompressed point and, optionally, the private scalar.
Result<EvpPkeyPtr> EcFromData(SignatureAlgorithm alg, std::string_view point, const BIGNUM* priv) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY* pkey = nullptr;
  bool ok =
      bld != nullptr &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, CurveName(alg), 0) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) &&
      (priv == nullptr || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, KeyTypeName(alg), nullptr)) != nullptr &&
      EVP_PKEY_fromdata_init(ctx) == 1 &&
      EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  EvpPkeyPtr out(pkey);
  if (ok) {
    // On-curve check (the curves have cofactor 1, so that is also the subgroup check).
    EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    ok = check != nullptr && EVP_PKEY_public_check_quick(check) == 1;
    EVP_PKEY_CTX_free(check);
  }
  if (!ok) {
    return Status::InvalidArgument("public key: not a point on the " +
                                   std::string(DisplayName(alg)) + " curve")
        .WithDetail(OpenSslErrors());
  }
  return out;
}

// The uncompressed point 0x04 || X || Y of an EC / SM2 key, whatever its stored point format.
std::string EcPoint(EVP_PKEY* k) {
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  std::string out(kEcPublicKeySize, '\0');
  out[0] = 0x04;
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  const bool ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
                  EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
                  BN_bn2binpad(x, p + 1, 32) == 32 && BN_bn2binpad(y, p + 33, 32) == 32;
  BN_free(x);
  BN_free(y);
  if (!ok) std::abort();  // a checked EC key always has its point
  return out;
}

std::string RawPublic(SignatureAlgorithm alg, EVP_PKEY* k) {
  if (alg != SignatureAlgorithm::kEd25519) return EcPoint(k);
  std::string out(kEd25519PublicKeySize, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(k, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != out.size()) {
    std::abort();  // a checked Ed25519 key always has its 32 bytes
  }
  return out;
}

// The public half of a private key as its own EVP_PKEY (no private material).
Result<EvpPkeyPtr> PublicHalf(SignatureAlgorithm alg, const std::string& raw) {
  if (alg != SignatureAlgorithm::kEd25519) return EcFromData(alg, raw, nullptr);
  EvpPkeyPtr k(EVP_PKEY_new_raw_public_key_ex(
      nullptr, "ED25519", nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
  if (k == nullptr) return Status::Internal("public key").WithDetail(OpenSslErrors());
  return k;
}

// Reads at most kMaxPemSize + 1 bytes, so a wrong path (a log, /dev/zero) cannot exhaust memory;
// the PEM parser then refuses anything that long.
Result<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(what, path);
  std::string out(kMaxPemSize + 1, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  if (in.bad()) return Status::NotFound(what, path);
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

}  // namespace

// ---- PublicKey ----

Result<PublicKey> PublicKey::FromEvp(SignatureAlgorithm alg, EvpPkeyPtr pkey) {
  if (pkey == nullptr) return Status::InvalidArgument("public key: missing");
  TB_RETURN_IF_ERROR(CheckType(alg, pkey.get(), "public key"));
  // Rebuilt from its raw form, so every PublicKey is one we built from the point alone.
  return FromRaw(alg, RawPublic(alg, pkey.get()));
}

Result<PublicKey> PublicKey::FromPem(SignatureAlgorithm alg, std::string_view pem) {
  TB_ASSIGN_OR_RETURN(std::string der, PemBlock(pem, "PUBLIC KEY", "public key"));
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr k(d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(der.size()), nullptr, nullptr));
  if (k == nullptr || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return Status::InvalidArgument("public key: not a valid SubjectPublicKeyInfo")
        .WithDetail(OpenSslErrors());
  }
  return FromEvp(alg, std::move(k));
}

Result<PublicKey> PublicKey::FromRaw(SignatureAlgorithm alg, std::string_view raw) {
  if (raw.size() != RawPublicKeySize(alg)) {
    return Status::InvalidArgument("public key: a raw " + std::string(DisplayName(alg)) +
                                   " public key has " + std::to_string(RawPublicKeySize(alg)) +
                                   " bytes");
  }
  if (alg == SignatureAlgorithm::kEd25519) {
    EvpPkeyPtr k(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr,
                                                reinterpret_cast<const unsigned char*>(raw.data()),
                                                raw.size()));
    if (k == nullptr) {
      return Status::InvalidArgument("public key: not an Ed25519 key").WithDetail(OpenSslErrors());
    }
    return PublicKey(alg, Share(std::move(k)), std::string(raw));
  }
  if (raw[0] != 0x04) {
    return Status::InvalidArgument("public key: must be an uncompressed point (0x04 || X || Y)");
  }
  TB_ASSIGN_OR_RETURN(EvpPkeyPtr k, EcFromData(alg, raw, nullptr));
  return PublicKey(alg, Share(std::move(k)), std::string(raw));
}

Result<PublicKey> PublicKey::ReadPemFile(SignatureAlgorithm alg, const std::string& path) {
  TB_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, "public key file"));
  return FromPem(alg, pem);
}

std::string PublicKey::ToPem() const { return PemOf(WriteSpki, pkey_.get()); }

bool PublicKey::VerifyRaw(std::string_view message, std::string_view raw_signature) const {
  if (!UsesDerSignatures(alg_)) return Verify(message, raw_signature);
  auto der = RawSignatureToDer(raw_signature);
  return der.ok() && Verify(message, *der);
}

bool PublicKey::Verify(std::string_view message, std::string_view signature) const {
  switch (alg_) {
    case SignatureAlgorithm::kEd25519:
      if (signature.size() != kRawSignatureSize) return false;
      return internal::EvpVerify(pkey_.get(), nullptr, std::nullopt, message, signature);
    case SignatureAlgorithm::kSm2:
      return Sm2Verify(*this, message, signature, kSm2DefaultId);
    case SignatureAlgorithm::kEs256:
      // Our own strict-DER check first, so what verifies does not depend on OpenSSL's parser.
      if (!DerSignatureToRaw(signature).ok()) return false;
      return internal::EvpVerify(pkey_.get(), "SHA256", std::nullopt, message, signature);
  }
  return false;
}

// ---- PrivateKey ----

Result<PrivateKey> PrivateKey::FromEvp(SignatureAlgorithm alg, EvpPkeyPtr pkey) {
  if (pkey == nullptr) return Status::InvalidArgument("private key: missing");
  TB_RETURN_IF_ERROR(CheckType(alg, pkey.get(), "private key"));
  // Only the private half is taken: the key is rebuilt from the seed or scalar, and its public
  // key derived again. A key file may carry a public key that does not match its private key
  // (OpenSSL does not check), which would make every signature fail to verify.
  std::string raw(kPrivateKeySize, '\0');
  auto* p = reinterpret_cast<unsigned char*>(raw.data());
  bool ok;
  if (alg == SignatureAlgorithm::kEd25519) {
    size_t len = raw.size();
    ok = EVP_PKEY_get_raw_private_key(pkey.get(), p, &len) == 1 && len == raw.size();
  } else {
    BIGNUM* d = nullptr;
    ok = EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
         BN_bn2binpad(d, p, static_cast<int>(raw.size())) == static_cast<int>(raw.size());
    BN_clear_free(d);
  }
  ERR_clear_error();
  if (!ok) return Status::InvalidArgument("private key: the key has no usable private part");
  Result<PrivateKey> key = FromRaw(alg, raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return key;
}

Result<PrivateKey> PrivateKey::Wrap(SignatureAlgorithm alg, EvpPkeyPtr pkey) {
  std::string raw = RawPublic(alg, pkey.get());
  TB_ASSIGN_OR_RETURN(EvpPkeyPtr pub_evp, PublicHalf(alg, raw));
  PublicKey pub(alg, Share(std::move(pub_evp)), std::move(raw));
  return PrivateKey(alg, Share(std::move(pkey)), std::move(pub));
}

Result<PrivateKey> PrivateKey::Generate(SignatureAlgorithm alg) {
  EVP_PKEY* k = nullptr;
  switch (alg) {
    case SignatureAlgorithm::kEd25519:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case SignatureAlgorithm::kSm2:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2");
      break;
    case SignatureAlgorithm::kEs256:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
  }
  if (k == nullptr) return Status::Internal("key generation failed").WithDetail(OpenSslErrors());
  return Wrap(alg, EvpPkeyPtr(k));
}

Result<PrivateKey> PrivateKey::FromPem(SignatureAlgorithm alg, std::string_view pem) {
  TB_ASSIGN_OR_RETURN(std::string der, PemBlock(pem, "PRIVATE KEY", "private key"));
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  const bool whole = p == reinterpret_cast<const unsigned char*>(der.data()) + der.size();
  EvpPkeyPtr k(p8 != nullptr && whole ? EVP_PKCS82PKEY_ex(p8, nullptr, nullptr) : nullptr);
  PKCS8_PRIV_KEY_INFO_free(p8);
  OPENSSL_cleanse(der.data(), der.size());
  if (k == nullptr) {
    return Status::InvalidArgument("private key: not a valid PKCS#8 private key")
        .WithDetail(OpenSslErrors());
  }
  return FromEvp(alg, std::move(k));
}

Result<PrivateKey> PrivateKey::FromRaw(SignatureAlgorithm alg, std::string_view raw) {
  if (raw.size() != kPrivateKeySize) {
    return Status::InvalidArgument("private key: a raw " + std::string(DisplayName(alg)) +
                                   " private key has 32 bytes");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  if (alg == SignatureAlgorithm::kEd25519) {
    EvpPkeyPtr k(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, bytes, raw.size()));
    if (k == nullptr) return Status::Internal("private key").WithDetail(OpenSslErrors());
    return Wrap(alg, std::move(k));
  }
  // d must be in [1, n-1]; SM2 also excludes n-1, since signing inverts 1 + d (GB/T 32918.1 6.1).
  BnPtr d(BN_secure_new());
  EC_GROUP* group = EC_GROUP_new_by_curve_name(CurveNid(alg));
  EC_POINT* q = group ? EC_POINT_new(group) : nullptr;
  BN_CTX* bn_ctx = BN_CTX_secure_new();
  BnPtr limit(BN_new());
  std::string point(kEcPublicKeySize, '\0');
  Status status;
  if (d == nullptr || group == nullptr || q == nullptr || bn_ctx == nullptr || limit == nullptr ||
      BN_bin2bn(bytes, static_cast<int>(raw.size()), d.get()) == nullptr ||
      BN_copy(limit.get(), EC_GROUP_get0_order(group)) == nullptr ||
      (alg == SignatureAlgorithm::kSm2 && !BN_sub_word(limit.get(), 1))) {
    status = Status::Internal("private key").WithDetail(OpenSslErrors());
  } else if (BN_is_zero(d.get()) || BN_cmp(d.get(), limit.get()) >= 0) {
    status = Status::InvalidArgument("private key: scalar out of range for the " +
                                     std::string(DisplayName(alg)) + " curve");
  } else {
    BN_set_flags(d.get(), BN_FLG_CONSTTIME);
    if (EC_POINT_mul(group, q, d.get(), nullptr, nullptr, bn_ctx) != 1 ||
        EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED,
                           reinterpret_cast<unsigned char*>(point.data()), point.size(),
                           bn_ctx) != point.size()) {
      status = Status::Internal("private key").WithDetail(OpenSslErrors());
    }
  }
  BN_CTX_free(bn_ctx);
  EC_POINT_free(q);
  EC_GROUP_free(group);
  TB_RETURN_IF_ERROR(status);
  TB_ASSIGN_OR_RETURN(EvpPkeyPtr k, EcFromData(alg, point, d.get()));
  return Wrap(alg, std::move(k));
}

Result<PrivateKey> PrivateKey::ReadPemFile(SignatureAlgorithm alg, const std::string& path) {
  TB_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, "private key file"));
  Result<PrivateKey> key = FromPem(alg, pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  return key;
}

std::string PrivateKey::ToPem() const { return PemOf(WritePkcs8, pkey_.get()); }

std::string PrivateKey::ToRaw() const {
  std::string out(kPrivateKeySize, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (alg_ == SignatureAlgorithm::kEd25519) {
    size_t len = out.size();
    if (EVP_PKEY_get_raw_private_key(pkey_.get(), p, &len) != 1 || len != out.size()) {
      std::abort();  // checked at construction
    }
    return out;
  }
  BIGNUM* d = nullptr;
  if (EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1 ||
      BN_bn2binpad(d, p, 32) != 32) {
    std::abort();  // checked at construction
  }
  BN_clear_free(d);
  return out;
}

Status PrivateKey::WritePemFile(const std::string& path) const {
  // Written to a temporary file (mkstemp creates it with mode 0600) in the same directory,
  // fsynced, then renamed over `path`: a crash leaves the old key or the new one, never half.
  std::string pem = ToPem();
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Status::Unavailable("cannot write key file " + path);
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t done = 0;
  while (ok && done < pem.size()) {
    const ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  OPENSSL_cleanse(pem.data(), pem.size());
  ok = ok && ::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    ::unlink(tmp.c_str());
    return Status::Unavailable("cannot write key file " + path);
  }
  return Status::Ok();
}

Result<std::string> PrivateKey::Sign(std::string_view message) const {
  if (alg_ == SignatureAlgorithm::kSm2) return Sm2Sign(*this, message, kSm2DefaultId);
  return internal::EvpSign(pkey_.get(), DigestFor(alg_), std::nullopt, message);
}

}  // namespace tongban::crypto
