// Test-only NoteSigner/NoteVerifier implementations straight on OpenSSL (Ed25519 and SM2), used
// until the crypto part's signature API lands; then the ledger gets wrappers over crypto keys and
// these go. Not thread-safe; test-only.
#pragma once

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "ledger/note_signer.h"

namespace tongban::ledger::testing {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

inline std::string RawPublic(EVP_PKEY* pkey) {
  size_t len = 0;
  EVP_PKEY_get_raw_public_key(pkey, nullptr, &len);
  std::string out(len, '\0');
  EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(out.data()), &len);
  return out;
}

class Ed25519Verifier : public NoteVerifier {
 public:
  explicit Ed25519Verifier(const NoteVerifierKey& key)
      : name_(key.name),
        id_(key.key_id),
        pkey_(EVP_PKEY_new_raw_public_key(
            EVP_PKEY_ED25519, nullptr,
            reinterpret_cast<const unsigned char*>(key.public_key.data()),
            key.public_key.size())) {}
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return id_; }
  bool Verify(std::string_view msg, std::string_view sig) const override {
    if (pkey_ == nullptr || sig.size() != kEd25519SignatureSize) return false;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey_.get()) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()),
                               sig.size(), reinterpret_cast<const unsigned char*>(msg.data()),
                               msg.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  }

 private:
  std::string name_;
  uint32_t id_;
  PkeyPtr pkey_;
};

class Ed25519Signer : public NoteSigner {
 public:
  Ed25519Signer(std::string name, std::string_view seed)
      : name_(std::move(name)),
        pkey_(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char*>(seed.data()),
                                           seed.size())) {
    public_key_ = RawPublic(pkey_.get());
    id_ = NoteKeyId(name_, NoteKeyType::kEd25519, public_key_);
  }
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return id_; }
  const std::string& public_key() const { return public_key_; }
  Result<std::string> Sign(std::string_view msg) override {
    std::string sig(kEd25519SignatureSize, '\0');
    size_t len = sig.size();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, pkey_.get()) == 1 &&
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) return Status::Internal("ed25519 sign failed");
    return sig;
  }

 private:
  std::string name_;
  uint32_t id_ = 0;
  PkeyPtr pkey_;
  std::string public_key_;
};

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
              EVP_DigestVerifyInit_ex(ctx, &pctx, "SM3", nullptr, nullptr, pkey_.get(), nullptr) == 1 &&
              EVP_PKEY_CTX_set1_id(pctx, kDistId, 16) == 1 &&
              EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                               reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    return ok;
  }

 private:
  static constexpr const char* kDistId = "1234567812345678";
  std::string name_;
  uint32_t id_ = 0;
  PkeyPtr pkey_;
  std::string public_key_;
};

}  // namespace tongban::ledger::testing
