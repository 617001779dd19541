// PrivateKey and PublicKey: signing keys of one SignatureAlgorithm (crypto/signature.h), held as
// OpenSSL 3 EVP_PKEY objects.
//
// Forms a key can be loaded from and saved to:
//   PEM   private keys as unencrypted PKCS#8 ("-----BEGIN PRIVATE KEY-----"), public keys as
//         SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"); exactly one block, nothing else
//         but whitespace around it. Encrypted or traditional ("EC PRIVATE KEY") PEM is refused.
//   raw   private: the 32-byte Ed25519 seed or the 32-byte big-endian SM2 / P-256 scalar;
//         public: the 32-byte Ed25519 key or the 65-byte uncompressed point 0x04 || X || Y.
//
// Every loader is told which algorithm it expects and refuses any other key with
// kInvalidArgument. For kSm2 the key must be an OpenSSL "SM2" key: a plain "EC" key on the SM2
// curve would sign ECDSA-with-SM3, not SM2, so it is refused too. Whatever the source, a key is
// rebuilt from its raw form (a private key from its seed or scalar alone, its public key derived
// again), so a key file whose stored public key does not match its private key cannot slip in.
//
// Signatures: Sign() returns the algorithm's wire form (signature.h: raw for Ed25519, DER for SM2
// and ES256). SM2 uses the distinguishing ID "1234567812345678" (see crypto/sm2.h for others).
//
// Keys are immutable after construction. Copies share the underlying EVP_PKEY (reference
// counted); Sign and Verify are const and safe to call from several threads at once.
// Error statuses carry a message safe for clients; OpenSSL's error text is only in detail().
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/signature.h"

namespace tongban::crypto {

// Owning handle of an EVP_PKEY; for code that has to talk to OpenSSL directly.
struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

class PublicKey {
 public:
  static Result<PublicKey> FromPem(SignatureAlgorithm alg, std::string_view pem);
  static Result<PublicKey> FromRaw(SignatureAlgorithm alg, std::string_view raw);
  // Reads a PEM file. kNotFound if it cannot be read, else as FromPem.
  static Result<PublicKey> ReadPemFile(SignatureAlgorithm alg, const std::string& path);
  // Takes a key of `alg` from OpenSSL; it is rebuilt from its raw form (FromRaw).
  static Result<PublicKey> FromEvp(SignatureAlgorithm alg, EvpPkeyPtr pkey);

  SignatureAlgorithm algorithm() const { return alg_; }

  // SubjectPublicKeyInfo PEM.
  std::string ToPem() const;
  // 32 bytes (Ed25519) or 65 bytes 0x04 || X || Y (SM2, P-256); cached at construction.
  const std::string& raw() const { return raw_; }
  std::string ToRaw() const { return raw_; }

  // True iff `signature`, in the algorithm's wire form, is a valid signature of `message`.
  // Never fails otherwise: a malformed signature (for SM2 and ES256 anything but strict DER) is
  // simply not valid.
  bool Verify(std::string_view message, std::string_view signature) const;
  // The same for a signature in raw form: r || s (64 bytes) for SM2 and ES256, as JWS, QR texts
  // and signed notes carry them; Ed25519 signatures are raw already.
  bool VerifyRaw(std::string_view message, std::string_view raw_signature) const;

  // Same algorithm and same key.
  bool operator==(const PublicKey& other) const { return alg_ == other.alg_ && raw_ == other.raw_; }

  // Borrowed; valid as long as this key or a copy of it lives. Never modify it: it is shared.
  EVP_PKEY* evp() const { return pkey_.get(); }

 private:
  PublicKey(SignatureAlgorithm alg, std::shared_ptr<EVP_PKEY> pkey, std::string raw)
      : alg_(alg), pkey_(std::move(pkey)), raw_(std::move(raw)) {}
  friend class PrivateKey;

  SignatureAlgorithm alg_;
  std::shared_ptr<EVP_PKEY> pkey_;  // immutable once built
  std::string raw_;
};

class PrivateKey {
 public:
  // A fresh key from the OpenSSL default random generator.
  static Result<PrivateKey> Generate(SignatureAlgorithm alg);
  static Result<PrivateKey> FromPem(SignatureAlgorithm alg, std::string_view pem);
  static Result<PrivateKey> FromRaw(SignatureAlgorithm alg, std::string_view raw);
  // Reads a PEM file. kNotFound if it cannot be read, else as FromPem.
  static Result<PrivateKey> ReadPemFile(SignatureAlgorithm alg, const std::string& path);
  // Takes a private key of `alg` from OpenSSL. Only its seed or scalar is used: the key is
  // rebuilt from it and its public key derived again, so a stored public key that does not
  // match the private key (OpenSSL does not check) cannot slip through.
  static Result<PrivateKey> FromEvp(SignatureAlgorithm alg, EvpPkeyPtr pkey);

  SignatureAlgorithm algorithm() const { return alg_; }
  const PublicKey& public_key() const { return public_; }

  // PKCS#8 PEM, unencrypted.
  std::string ToPem() const;
  // The 32-byte seed (Ed25519) or big-endian scalar (SM2, P-256).
  std::string ToRaw() const;
  // Writes ToPem() to `path` with mode 0600, atomically replacing an existing file (temporary
  // file, fsync, rename). kUnavailable if the file cannot be written.
  Status WritePemFile(const std::string& path) const;

  // The signature of `message` in the algorithm's wire form. kInternal only if OpenSSL fails.
  Result<std::string> Sign(std::string_view message) const;

  // Borrowed; valid as long as this key or a copy of it lives. Never modify it: it is shared.
  EVP_PKEY* evp() const { return pkey_.get(); }

 private:
  PrivateKey(SignatureAlgorithm alg, std::shared_ptr<EVP_PKEY> pkey, PublicKey pub)
      : alg_(alg), pkey_(std::move(pkey)), public_(std::move(pub)) {}
  // REQUIRES: `pkey` is a private key of `alg` built by us (FromRaw, Generate).
  static Result<PrivateKey> Wrap(SignatureAlgorithm alg, EvpPkeyPtr pkey);

  SignatureAlgorithm alg_;
  std::shared_ptr<EVP_PKEY> pkey_;  // immutable once built
  PublicKey public_;
};

}  // namespace tongban::crypto
