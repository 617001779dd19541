// NoteSigner / NoteVerifier over crypto keys. Ed25519 signatures go into notes as they are; SM2
// signatures are DER from crypto and become the fixed 64-byte r || s in notes (and back to DER to
// verify), so a note signature has exactly one encoding.
#include "ledger/note_keys.h"

#include "crypto/signature.h"

namespace tongban::ledger {
namespace {

Result<NoteKeyType> TypeFor(crypto::SignatureAlgorithm alg) {
  switch (alg) {
    case crypto::SignatureAlgorithm::kEd25519:
      return NoteKeyType::kEd25519;
    case crypto::SignatureAlgorithm::kSm2:
      return NoteKeyType::kSm2;
    default:
      return Status::InvalidArgument("signed notes use Ed25519 or SM2 keys");
  }
}

crypto::SignatureAlgorithm AlgFor(NoteKeyType type) {
  return type == NoteKeyType::kEd25519 ? crypto::SignatureAlgorithm::kEd25519
                                       : crypto::SignatureAlgorithm::kSm2;
}

class CryptoNoteVerifier : public NoteVerifier {
 public:
  CryptoNoteVerifier(std::string name, NoteKeyType type, crypto::PublicKey key)
      : name_(std::move(name)),
        type_(type),
        id_(NoteKeyId(name_, type, key.raw())),
        key_(std::move(key)) {}
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return id_; }
  bool Verify(std::string_view message, std::string_view signature) const override {
    if (type_ == NoteKeyType::kEd25519) {
      return signature.size() == kEd25519SignatureSize && key_.Verify(message, signature);
    }
    return signature.size() == kSm2SignatureSize && key_.VerifyRaw(message, signature);
  }

 private:
  std::string name_;
  NoteKeyType type_;
  uint32_t id_;
  crypto::PublicKey key_;
};

class CryptoNoteSigner : public NoteSigner {
 public:
  CryptoNoteSigner(std::string name, NoteKeyType type, crypto::PrivateKey key)
      : name_(std::move(name)),
        type_(type),
        id_(NoteKeyId(name_, type, key.public_key().raw())),
        key_(std::move(key)) {}
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return id_; }
  Result<std::string> Sign(std::string_view message) override {
    TB_ASSIGN_OR_RETURN(std::string sig, key_.Sign(message));
    if (type_ == NoteKeyType::kEd25519) return sig;
    return crypto::DerSignatureToRaw(sig);
  }

 private:
  std::string name_;
  NoteKeyType type_;
  uint32_t id_;
  crypto::PrivateKey key_;
};

}  // namespace

Result<std::unique_ptr<NoteSigner>> NewNoteSigner(std::string name, crypto::PrivateKey key) {
  if (!ValidNoteKeyName(name)) return Status::InvalidArgument("invalid note key name");
  TB_ASSIGN_OR_RETURN(NoteKeyType type, TypeFor(key.algorithm()));
  return std::unique_ptr<NoteSigner>(
      std::make_unique<CryptoNoteSigner>(std::move(name), type, std::move(key)));
}

Result<std::shared_ptr<const NoteVerifier>> NewNoteVerifier(std::string name,
                                                            crypto::PublicKey key) {
  if (!ValidNoteKeyName(name)) return Status::InvalidArgument("invalid note key name");
  TB_ASSIGN_OR_RETURN(NoteKeyType type, TypeFor(key.algorithm()));
  return std::shared_ptr<const NoteVerifier>(
      std::make_shared<CryptoNoteVerifier>(std::move(name), type, std::move(key)));
}

Result<std::unique_ptr<NoteSigner>> ParseNoteSigner(std::string_view signer_key) {
  TB_ASSIGN_OR_RETURN(NoteSignerKey k, ParseNoteSignerKey(signer_key));
  TB_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                      crypto::PrivateKey::FromRaw(AlgFor(k.type), k.private_key));
  if (NoteKeyId(k.name, k.type, key.public_key().raw()) != k.key_id) {
    return Status::InvalidArgument("note signer key ID does not match the key");
  }
  return NewNoteSigner(std::move(k.name), std::move(key));
}

Result<std::shared_ptr<const NoteVerifier>> ParseNoteVerifier(std::string_view verifier_key) {
  TB_ASSIGN_OR_RETURN(NoteVerifierKey k, ParseNoteVerifierKey(verifier_key));
  TB_ASSIGN_OR_RETURN(crypto::PublicKey key,
                      crypto::PublicKey::FromRaw(AlgFor(k.type), k.public_key));
  return NewNoteVerifier(std::move(k.name), std::move(key));
}

Result<std::string> NoteVerifierKeyString(std::string_view name, const crypto::PublicKey& key) {
  if (!ValidNoteKeyName(name)) return Status::InvalidArgument("invalid note key name");
  TB_ASSIGN_OR_RETURN(NoteKeyType type, TypeFor(key.algorithm()));
  return FormatNoteVerifierKey(name, type, key.raw());
}

Result<std::string> NoteSignerKeyString(std::string_view name, const crypto::PrivateKey& key) {
  if (!ValidNoteKeyName(name)) return Status::InvalidArgument("invalid note key name");
  TB_ASSIGN_OR_RETURN(NoteKeyType type, TypeFor(key.algorithm()));
  return FormatNoteSignerKey(name, NoteKeyId(name, type, key.public_key().raw()), type,
                             key.ToRaw());
}

}  // namespace tongban::ledger
