// Cosignatures per C2SP tlog-cosignature v1 (Ed25519): a witness's timestamped statement that a
// checkpoint is the largest consistent tree it has seen for that log. A cosignature is an
// ordinary signed-note signature (ledger/note.h) on the checkpoint, so notes carry it beside the
// log's own signature:
//
//   signed message = "cosignature/v1" LF "time " timestamp LF checkpoint-text
//   timestamp      = POSIX seconds, ASCII decimal, no leading zero, 1 .. 2^63 - 1
//   note signature = key-id (4 bytes) || timestamp (8 bytes, big-endian) || Ed25519 sig (64)
//   key ID         = SHA-256(name || 0x0A || 0x04 || 32-byte Ed25519 public key)[:4]
//   verifier key   = name "+" keyid-hex "+" base64(0x04 || public key)
//   signer key     = "PRIVATE+KEY+" name "+" keyid-hex "+" base64(0x04 || 32-byte seed)
//
// The 0x04 type byte makes a cosigner key ID differ from the same key's plain Ed25519 (0x01)
// note key ID, so a log verifier never mistakes a cosignature for a log signature and vice versa.
// checkpoint-text is the whole note text (origin, size, root and any extension lines).
//
// Thread-safety: the signer and verifier are immutable; Sign and Verify may be called from several
// threads at once. The signer reads time from the Clock it was given, which must outlive it.
// The free functions are pure.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/key.h"
#include "ledger/note.h"
#include "ledger/note_signer.h"

namespace tongban::ledger {

inline constexpr uint8_t kCosignatureTypeEd25519 = 0x04;
inline constexpr std::string_view kCosignatureHeader = "cosignature/v1";
// timestamp (8) + Ed25519 signature (64); the note adds the 4-byte key ID in front.
inline constexpr size_t kCosignatureSize = 8 + kEd25519SignatureSize;

// SHA-256(name || 0x0A || 0x04 || public key)[:4], big-endian.
uint32_t CosignatureKeyId(std::string_view name, std::string_view ed25519_public_key);

// The bytes an Ed25519 v1 cosignature signs: header line, time line, then the checkpoint text.
std::string CosignedMessage(std::string_view checkpoint_text, uint64_t timestamp);

// The timestamp inside a cosignature note signature (without its key ID).
// kInvalidArgument if the signature is not kCosignatureSize bytes or the time is 0 or >= 2^63.
Result<uint64_t> CosignatureTimestamp(std::string_view signature);

// A witness's cosigning key. Sign(text) cosigns `text` at the clock's current second.
class CosignatureSigner final : public NoteSigner {
 public:
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  // The note signature (timestamp || Ed25519 signature) of `checkpoint_text` at Now().
  // kInternal if the clock reads before 1970-01-01T00:00:01Z or the crypto provider fails.
  Result<std::string> Sign(std::string_view checkpoint_text) override;
  // The same at an explicit timestamp (tests, replays). kInvalidArgument for 0 or >= 2^63.
  Result<std::string> SignAt(std::string_view checkpoint_text, uint64_t timestamp) const;

  const crypto::PublicKey& public_key() const { return key_.public_key(); }
  // name "+" keyid-hex "+" base64(0x04 || public key): what logs configure to trust this witness.
  std::string VerifierKeyString() const;

 private:
  friend Result<std::unique_ptr<CosignatureSigner>> NewCosignatureSigner(std::string,
                                                                         crypto::PrivateKey,
                                                                         const Clock&);
  CosignatureSigner(std::string name, crypto::PrivateKey key, const Clock& clock);

  std::string name_;
  crypto::PrivateKey key_;
  uint32_t key_id_;
  const Clock& clock_;
};

// kInvalidArgument unless `key` is Ed25519 and `name` a valid note key name.
// `clock` must outlive the signer.
Result<std::unique_ptr<CosignatureSigner>> NewCosignatureSigner(std::string name,
                                                                crypto::PrivateKey key,
                                                                const Clock& clock);
// From "PRIVATE+KEY+<name>+<id>+<base64(0x04 || seed)>"; the ID must match the derived key.
Result<std::unique_ptr<CosignatureSigner>> ParseCosignatureSigner(std::string_view signer_key,
                                                                  const Clock& clock);
// The signer key string of an Ed25519 key under `name`. kInvalidArgument as NewCosignatureSigner.
Result<std::string> CosignatureSignerKeyString(std::string_view name,
                                               const crypto::PrivateKey& key);

// A verifier of one witness's v1 cosignatures (accepts any timestamp in 1 .. 2^63 - 1).
Result<std::shared_ptr<const NoteVerifier>> NewCosignatureVerifier(std::string name,
                                                                   crypto::PublicKey key);
// From "<name>+<id>+<base64(0x04 || public key)>". kInvalidArgument for another type byte, a
// wrong length, a bad name or an ID that does not match the key.
Result<std::shared_ptr<const NoteVerifier>> ParseCosignatureVerifier(std::string_view vkey);
// The verifier key string of an Ed25519 key under `name`. kInvalidArgument as above.
Result<std::string> CosignatureVerifierKeyString(std::string_view name,
                                                 const crypto::PublicKey& key);

// Signature lines as a witness returns them from add-checkpoint: each
// "— <name> <base64(key ID || signature)>" LF. kInvalidArgument for an empty list, a bad name or
// an empty signature.
Result<std::string> FormatSignatureLines(std::span<const NoteSignature> signatures);
// Parses one or more signature lines (at most kMaxNoteSignatures). kInvalidArgument otherwise.
Result<std::vector<NoteSignature>> ParseSignatureLines(std::string_view lines);

// Checks the signature `lines` (a witness's add-checkpoint reply) against the checkpoint `note`'s
// text with the trusted cosigner keys `cosigners`, and returns those made by them (each key once).
// Lines by other keys are ignored.
//   kInvalidArgument   the note or the lines are malformed
//   kUnauthenticated   a line by a trusted key fails to verify, or no line is by a trusted key
Result<std::vector<NoteSignature>> VerifyCosignatureLines(std::string_view note,
                                                          std::string_view lines,
                                                          const NoteVerifierList& cosigners);

// Adds `cosignatures` to the checkpoint `note`, skipping any signature the note already carries
// (same name, key ID and bytes). Errors as AddNoteSignatures (more than 100 signatures, ...).
Result<std::string> AttachCosignatures(std::string_view note,
                                       std::span<const NoteSignature> cosignatures);

}  // namespace tongban::ledger
