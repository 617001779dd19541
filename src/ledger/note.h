// Signed notes per C2SP signed-note: text signed by one or more keys, the wrapper of every
// checkpoint and cosignature. Byte-compatible with Go's golang.org/x/mod/sumdb/note.
//
//   note      = text LF 1*sig-line            ; split at the LAST blank line ("\n\n")
//   text      = 1*(*line-char LF)             ; ends in LF; may contain empty lines
//   sig-line  = U+2014 SP key-name SP base64(key-id || signature) LF
//   key-id    = 4OCTET                        ; big-endian uint32
//   signature = 1*OCTET
//   key-name  = 1*(UTF-8 char other than Unicode space and "+")
//
// The whole note is valid UTF-8 with no ASCII control character other than LF. At most 100
// signature lines (kMaxNoteSignatures) are accepted.
//
// Thread-safety: pure functions; NoteVerifierList is immutable after construction and safe to
// share. The list shares ownership of its verifiers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/note_signer.h"

namespace tongban::ledger {

inline constexpr size_t kMaxNoteSignatures = 100;

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // without the key ID
  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

struct Note {
  std::string text;  // ends in LF
  std::vector<NoteSignature> signatures;
};

// Structural parse, no verification. kInvalidArgument ("malformed note: ...") otherwise.
Result<Note> ParseNote(std::string_view message);

// The note's bytes. kInvalidArgument if the text is not a valid note text, a name is invalid, a
// signature is empty, or there are no or more than kMaxNoteSignatures signatures.
Result<std::string> FormatNote(const Note& note);

// One signature line, "— <name> <base64(4-byte key ID || signature)>\n". REQUIRES: a valid key
// name and a non-empty signature (callers check; FormatNote and FormatSignatureLines do).
std::string FormatSignatureLine(const NoteSignature& s);

// Checks `text` is a valid note text: non-empty, ends in LF, UTF-8, no control chars but LF.
Status ValidateNoteText(std::string_view text);

// Signs `text` with each signer, in order, and formats the note.
Result<std::string> SignNote(std::string_view text, std::span<NoteSigner* const> signers);

// Adds signatures to an existing note (e.g. a witness cosignature onto a checkpoint).
Result<std::string> AddNoteSignatures(std::string_view message,
                                      std::span<const NoteSignature> extra);

// The keys a reader trusts, looked up by (name, key ID).
class NoteVerifierList {
 public:
  NoteVerifierList() = default;
  explicit NoteVerifierList(std::vector<std::shared_ptr<const NoteVerifier>> verifiers)
      : verifiers_(std::move(verifiers)) {}

  enum class Lookup { kUnknown, kFound, kAmbiguous };
  // kAmbiguous if more than one configured verifier has this name and ID.
  Lookup Find(std::string_view name, uint32_t key_id, const NoteVerifier** out) const;

 private:
  std::vector<std::shared_ptr<const NoteVerifier>> verifiers_;
};

struct OpenedNote {
  std::string text;
  std::vector<NoteSignature> verified;    // by known keys, each key once, in note order
  std::vector<NoteSignature> unverified;  // by unknown keys, ignored
};

// Parses and verifies a note (C2SP signed-note "Signatures"):
//   kInvalidArgument   malformed note
//   kUnauthenticated   a signature by a known key fails to verify (the whole note is rejected),
//                      or no signature is by a known key
//   kFailedPrecondition  the verifier list has two keys with the signing key's name and ID
Result<OpenedNote> OpenNote(std::string_view message, const NoteVerifierList& known);

}  // namespace tongban::ledger
