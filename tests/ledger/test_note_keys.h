// An independent SM2 note signer/verifier written straight on OpenSSL (not through crypto/key.h),
// so the tests can check that ledger/note_keys.h's SM2 notes (0xFF "tongban-sm2-sm3", r || s over
// the text, ID "1234567812345678") agree with a second implementation. Not thread-safe; test-only.
#pragma once

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>

#include "ledger/note_signer.h"

namespace tongban::ledger::testing {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;


inline bool Sm2VerifyPkey(EVP_PKEY* pkey, std::string_view msg, std::string_view sig) {
  if (sig.size() != kSm2SignatureSize) return false;
  ECDSA_SIG* s = ECDSA_SIG_new();
  ECDSA_SIG_set0(s, BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(s, &der);
  ECDSA_SIG_free(s);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = der_len > 0 &&
            EVP_DigestVerifyInit_ex(ctx, &pctx, "SM3", nullptr, nullptr, pkey, nullptr) == 1 &&
            EVP_PKEY_CTX_set1_id(pctx, "1234567812345678", 16) == 1 &&
            EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                             reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

// Verifies an r || s SM2 signature under a raw 65-byte public key, all in plain OpenSSL.
inline bool Sm2VerifyRaw(std::string_view pub, std::string_view msg, std::string_view sig) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr);
  EVP_PKEY* pkey = nullptr;
  const bool built = EVP_PKEY_fromdata_init(ctx) == 1 &&
                     EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  const bool ok = built && Sm2VerifyPkey(pkey, msg, sig);
  EVP_PKEY_free(pkey);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return ok;
}

// SM2 with SM3 and distinguishing ID "1234567812345678"; signatures as 64-byte r || s.
class Sm2Key : public NoteSigner, public NoteVerifier {
 public:
  explicit Sm2Key(std::string name) : name_(std::move(name)), pkey_(EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2")) {
    unsigned char buf[kSm2PublicKeySize];
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(pkey_.get(), OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof buf, &len);
    public_key_.assign(reinterpret_cast<char*>(buf), len);
    id_ = NoteKeyId(name_, NoteKeyType::kSm2, public_key_);
  }
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return id_; }
  const std::string& public_key() const { return public_key_; }

  Result<std::string> Sign(std::string_view msg) override {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    unsigned char der[128];
    size_t len = sizeof der;
    bool ok = EVP_DigestSignInit_ex(ctx, &pctx, "SM3", nullptr, nullptr, pkey_.get(), nullptr) == 1 &&
              EVP_PKEY_CTX_set1_id(pctx, kDistId, 16) == 1 &&
              EVP_DigestSign(ctx, der, &len, reinterpret_cast<const unsigned char*>(msg.data()),
                             msg.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) return Status::Internal("sm2 sign failed");
    const unsigned char* p = der;
    ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    if (s == nullptr) return Status::Internal("sm2 signature is not DER");
    std::string out(kSm2SignatureSize, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(s), reinterpret_cast<unsigned char*>(out.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
    ECDSA_SIG_free(s);
    return out;
  }

  bool Verify(std::string_view msg, std::string_view sig) const override {
    return Sm2VerifyPkey(pkey_.get(), msg, sig);
  }

 private:
  static constexpr const char* kDistId = "1234567812345678";
  std::string name_;
  uint32_t id_ = 0;
  PkeyPtr pkey_;
  std::string public_key_;
};

}  // namespace tongban::ledger::testing
