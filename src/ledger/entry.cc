// Entry canonical encoding: see the grammar in entry.h. One value has exactly one encoding.
#include "ledger/entry.h"

#include <cstring>
#include <limits>

namespace tongban::ledger {
namespace {

void PutU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

bool TypeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

}  // namespace

bool ValidEntryType(std::string_view type) {
  if (type.empty() || type.size() > Entry::kMaxTypeSize) return false;
  if (type[0] < 'a' || type[0] > 'z') return false;
  for (char c : type) {
    if (!TypeChar(c)) return false;
  }
  return true;
}

Result<std::string> EncodeEntry(const Entry& entry) {
  if (!ValidEntryType(entry.type)) {
    return Status::InvalidField("type", "must be 1..64 of [a-z0-9._-], starting with a-z");
  }
  if (entry.time_micros < 0) return Status::InvalidField("time", "must not be before 1970");
  std::string out;
  out.reserve(Entry::kFixedSize + entry.type.size());
  out.push_back(static_cast<char>(Entry::kVersion));
  PutU64(&out, entry.index.value);
  PutU64(&out, static_cast<uint64_t>(entry.time_micros));
  out.append(reinterpret_cast<const char*>(entry.subject.data()), entry.subject.size());
  out.append(reinterpret_cast<const char*>(entry.document.data()), entry.document.size());
  out.push_back(static_cast<char>(entry.type.size()));
  out.append(entry.type);
  return out;
}

Result<Entry> ParseEntry(std::span<const uint8_t> bytes) {
  if (bytes.size() < Entry::kFixedSize + 1) {
    return Status::InvalidArgument("ledger entry is truncated");
  }
  const uint8_t* p = bytes.data();
  if (p[0] != Entry::kVersion) {
    return Status::InvalidArgument("unknown ledger entry version " + std::to_string(p[0]));
  }
  Entry e;
  e.index.value = GetU64(p + 1);
  const uint64_t time = GetU64(p + 9);
  if (time > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::InvalidArgument("ledger entry time is out of range");
  }
  e.time_micros = static_cast<int64_t>(time);
  std::memcpy(e.subject.data(), p + 17, 32);
  std::memcpy(e.document.data(), p + 49, 32);
  const size_t type_len = p[81];
  if (bytes.size() != Entry::kFixedSize + type_len) {
    return Status::InvalidArgument("ledger entry length does not match its type length");
  }
  e.type.assign(reinterpret_cast<const char*>(p + Entry::kFixedSize), type_len);
  if (!ValidEntryType(e.type)) {
    return Status::InvalidArgument("ledger entry type is not valid");
  }
  return e;
}

Result<Hash> EntryLeafHash(TreeHasher& hasher, const Entry& entry) {
  TB_ASSIGN_OR_RETURN(std::string bytes, EncodeEntry(entry));
  return hasher.HashLeaf(bytes);
}

Entry DocumentEntry(std::string type, const std::array<uint8_t, 32>& subject, crypto::HashAlgorithm hash,
                    std::string_view document, int64_t time_micros) {
  Entry e;
  e.type = std::move(type);
  e.subject = subject;
  e.document = crypto::Hash(hash, document);
  e.time_micros = time_micros;
  return e;
}

}  // namespace tongban::ledger
