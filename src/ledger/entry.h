// Entry: what one ledger leaf commits to — a record type, a keyed hash of the subject (never the
// plaintext ID), the hash of the document, a time and the leaf index — and its canonical bytes.
//
// Canonical encoding, version 1 (all integers big-endian, no padding, nothing optional):
//
//   entry      = version index time subject document type-len type
//   version    = %x01                      ; 1 byte
//   index      = 8OCTET                    ; uint64, the leaf index in the log
//   time       = 8OCTET                    ; uint64 microseconds since 1970-01-01T00:00:00Z,
//                                          ;   at most 2^63 - 1
//   subject    = 32OCTET                   ; HMAC(deployment secret, subject ID), by the caller
//   document   = 32OCTET                   ; the log's suite hash of the document bytes
//   type-len   = OCTET                     ; 1..64
//   type       = type-len type-char        ; first char a-z; type-char = a-z / 0-9 / "." / "_" / "-"
//
// so an entry is 82 + type-len bytes (83..146). Leaf hash = H(0x00 || canonical bytes).
// ParseEntry accepts exactly this and nothing else: it is untrusted input in `tongban verify`.
//
// Thread-compatible value type.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/hash.h"
#include "ledger/merkle.h"

namespace tongban::ledger {

// A leaf's position in the log.
struct LeafIndex {
  uint64_t value = 0;
  friend auto operator<=>(const LeafIndex&, const LeafIndex&) = default;
};

struct Entry {
  static constexpr uint8_t kVersion = 1;
  static constexpr size_t kFixedSize = 1 + 8 + 8 + 32 + 32 + 1;  // 82
  static constexpr size_t kMaxTypeSize = 64;
  static constexpr size_t kMaxSize = kFixedSize + kMaxTypeSize;

  std::string type;                    // e.g. "receipt.issue", see ValidEntryType
  std::array<uint8_t, 32> subject{};   // keyed hash of the subject ID
  Hash document{};                     // hash of the document
  int64_t time_micros = 0;             // unix microseconds, UTC, >= 0
  LeafIndex index;

  friend bool operator==(const Entry&, const Entry&) = default;
};

// The entry of an event whose record is the text `document`: the entry commits to H(document)
// under the suite's `hash`, for the keyed subject hash `subject`, at `time_micros` — how every part
// puts a step on the ledger while keeping the document (never personal data in it) beside it.
Entry DocumentEntry(std::string type, const std::array<uint8_t, 32>& subject, crypto::HashAlgorithm hash,
                    std::string_view document, int64_t time_micros);

// True iff `type` is 1..64 bytes of [a-z0-9._-] starting with a-z.
bool ValidEntryType(std::string_view type);

// Canonical bytes. kInvalidArgument if the type is not valid or the time is negative.
Result<std::string> EncodeEntry(const Entry& entry);

// Strict inverse of EncodeEntry: wrong version, length, type or time is kInvalidArgument.
Result<Entry> ParseEntry(std::span<const uint8_t> bytes);
inline Result<Entry> ParseEntry(std::string_view bytes) {
  return ParseEntry(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// H(0x00 || EncodeEntry(entry)).
Result<Hash> EntryLeafHash(TreeHasher& hasher, const Entry& entry);

}  // namespace tongban::ledger
