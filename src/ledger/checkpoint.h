// Checkpoint: the C2SP tlog-checkpoint note text — a log's signed statement "my tree of `size`
// leaves has root `root`". Build and strictly parse the body; signing is ledger/note.h.
//
//   checkpoint = origin LF size LF root LF *(extension LF)
//   origin     = 1*line-char              ; the log's identity, e.g. "tongban.example/gm/2026"
//   size       = "0" / (%x31-39 *DIGIT)   ; decimal, no sign, no leading zero, <= 2^64 - 1
//   root       = base64(32-byte hash)     ; RFC 4648 §4, padded, canonical
//   extension  = 1*line-char              ; opaque, non-empty
//   line-char  = any UTF-8 character except LF and the other ASCII controls (< U+0020)
//
// Thread-compatible value type; pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace tongban::ledger {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // without their newlines

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The note text. kInvalidArgument if the origin or an extension line is empty or holds a control
// character or is not UTF-8.
Result<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// Strict parse of a checkpoint body (note text). kInvalidArgument with the reason otherwise.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// Opens a signed checkpoint note from the log `origin` whose key is `log_key`: the note must carry
// a valid signature by that key (other signatures, e.g. witness cosignatures, are ignored here),
// the body must parse strictly and its origin must equal `origin`.
// kInvalidArgument malformed; kUnauthenticated bad or missing log signature; kFailedPrecondition
// wrong origin.
Result<Checkpoint> OpenCheckpoint(std::string_view note, std::string_view origin,
                                  std::shared_ptr<const NoteVerifier> log_key);

// True iff `line` is non-empty, valid UTF-8 and has no ASCII control character (LF included).
bool ValidNoteLine(std::string_view line);

// True iff `text` is valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool ValidUtf8(std::string_view text);

}  // namespace tongban::ledger
