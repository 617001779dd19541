// NoteSigner and NoteVerifier: the abstract keys a C2SP signed note (ledger/note.h) is signed and
// verified with, plus the text forms of note keys, byte-compatible with Go's
// golang.org/x/mod/sumdb/note for Ed25519:
//
//   verifier key = name "+" keyid-hex "+" base64(type || public-key)
//   signer key   = "PRIVATE+KEY+" name "+" keyid-hex "+" base64(type || private-key)
//   key ID       = big-endian uint32 of SHA-256(name || 0x0A || type || public-key)[:4]
//   keyid-hex    = 8 hex digits
//
//   type (Ed25519) = 0x01;                              public-key = 32 bytes (RFC 8032)
//                                                       private-key = 32-byte seed
//   type (SM2)     = 0xFF "tongban-sm2-sm3" (16 bytes); public-key = 65-byte uncompressed SEC1
//                                                       point 0x04 || X || Y on the SM2 curve
//                                                       private-key = 32-byte scalar
//
// The SM2 type uses the signed-note spec's 0xFF "no assigned identifier" byte followed by a
// longer identifier, as the spec recommends. An SM2 note signature is the 64-byte r || s (each
// big-endian, zero-padded to 32 bytes) of SM2 with SM3 (GB/T 32918.2) over the note text, with
// the default distinguishing ID "1234567812345678" (GB/T 35276). See docs/ledger.md.
//
// Concrete signers and verifiers wrap the crypto part's keys; this header defines only the seam.
// Implementations must be thread-safe for concurrent Verify (const); Sign may not be.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::ledger {

enum class NoteKeyType { kEd25519, kSm2 };

inline constexpr uint8_t kNoteTypeEd25519 = 0x01;
inline constexpr uint8_t kNoteTypeOther = 0xff;
inline constexpr std::string_view kSm2NoteIdentifier = "tongban-sm2-sm3";
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;
inline constexpr size_t kSm2PublicKeySize = 65;
inline constexpr size_t kSm2SignatureSize = 64;
inline constexpr size_t kNotePrivateKeySize = 32;  // Ed25519 seed or SM2 scalar

// The signature-type bytes that prefix a key of this type in key strings and the key ID hash.
std::string NoteKeyTypeBytes(NoteKeyType type);

// Key names are non-empty UTF-8 with no Unicode space and no '+'.
bool ValidNoteKeyName(std::string_view name);

// SHA-256(name || 0x0A || type bytes || public key)[:4], big-endian.
uint32_t NoteKeyId(std::string_view name, NoteKeyType type, std::string_view public_key);

struct NoteVerifierKey {
  std::string name;
  uint32_t key_id = 0;
  NoteKeyType type = NoteKeyType::kEd25519;
  std::string public_key;  // raw bytes, see the header comment for each type
};

// Parses a verifier key string; checks the name, the type, the key length and that the key ID
// matches the key. kInvalidArgument otherwise.
Result<NoteVerifierKey> ParseNoteVerifierKey(std::string_view text);
// REQUIRES: valid name and key of the right length.
std::string FormatNoteVerifierKey(std::string_view name, NoteKeyType type,
                                  std::string_view public_key);

struct NoteSignerKey {
  std::string name;
  uint32_t key_id = 0;  // as written; the implementation checks it against the derived key
  NoteKeyType type = NoteKeyType::kEd25519;
  std::string private_key;  // 32 bytes
};

// Parses a signer key string. kInvalidArgument if malformed. The key ID can only be checked once
// the public key is derived, by whoever builds the NoteSigner.
Result<NoteSignerKey> ParseNoteSignerKey(std::string_view text);
std::string FormatNoteSignerKey(std::string_view name, uint32_t key_id, NoteKeyType type,
                                std::string_view private_key);

class NoteVerifier {
 public:
  virtual ~NoteVerifier() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  // True iff `signature` (without the 4-byte key ID) is this key's signature of `message`.
  virtual bool Verify(std::string_view message, std::string_view signature) const = 0;
};

class NoteSigner {
 public:
  virtual ~NoteSigner() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  // The signature of `message` (without the key ID). Errors come from the crypto provider.
  virtual Result<std::string> Sign(std::string_view message) = 0;
};

}  // namespace tongban::ledger
