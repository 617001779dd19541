// Note key strings and key IDs; see the grammar in note_signer.h.
#include "ledger/note_signer.h"

#include "core/base64.h"
#include "crypto/hash.h"
#include "ledger/checkpoint.h"

namespace tongban::ledger {
namespace {

// Decodes one UTF-8 code point at s[i] (s is known valid UTF-8); advances i.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  const uint8_t c = static_cast<uint8_t>(s[*i]);
  size_t n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : 3;
  uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1f) : n == 2 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k <= n; ++k) cp = cp << 6 | (static_cast<uint8_t>(s[*i + k]) & 0x3f);
  *i += n + 1;
  return cp;
}

// Unicode White_Space (what Go's unicode.IsSpace reports).
bool IsUnicodeSpace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
         cp == 0x205f || cp == 0x3000;
}

Result<uint32_t> ParseKeyIdHex(std::string_view hex) {
  if (hex.size() != 8) return Status::InvalidArgument("note key ID must be 8 hex digits");
  uint32_t id = 0;
  for (char c : hex) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return Status::InvalidArgument("note key ID must be 8 hex digits");
    }
    id = id << 4 | static_cast<uint32_t>(d);
  }
  return id;
}

std::string KeyIdHex(uint32_t id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, id >>= 4) out[i] = kDigits[id & 0xf];
  return out;
}

// Splits type bytes from the key material; kInvalidArgument for an unknown type.
Result<std::pair<NoteKeyType, std::string>> SplitTyped(std::string_view raw) {
  if (!raw.empty() && static_cast<uint8_t>(raw[0]) == kNoteTypeEd25519) {
    return std::make_pair(NoteKeyType::kEd25519, std::string(raw.substr(1)));
  }
  const std::string sm2 = NoteKeyTypeBytes(NoteKeyType::kSm2);
  if (raw.substr(0, sm2.size()) == sm2) {
    return std::make_pair(NoteKeyType::kSm2, std::string(raw.substr(sm2.size())));
  }
  return Status::InvalidArgument("unknown note key algorithm");
}

}  // namespace

std::string NoteKeyTypeBytes(NoteKeyType type) {
  if (type == NoteKeyType::kEd25519) return std::string(1, static_cast<char>(kNoteTypeEd25519));
  std::string out(1, static_cast<char>(kNoteTypeOther));
  out += kSm2NoteIdentifier;
  return out;
}

bool ValidNoteKeyName(std::string_view name) {
  if (name.empty() || !ValidUtf8(name)) return false;
  for (size_t i = 0; i < name.size();) {
    const uint32_t cp = NextCodePoint(name, &i);
    if (cp == '+' || IsUnicodeSpace(cp) || cp < 0x20) return false;
  }
  return true;
}

uint32_t NoteKeyId(std::string_view name, NoteKeyType type, std::string_view public_key) {
  crypto::Hasher h(crypto::HashAlgorithm::kSha256);
  h.Update(name);
  h.Update(uint8_t{0x0a});
  h.Update(NoteKeyTypeBytes(type));
  h.Update(public_key);
  const crypto::Digest d = h.Final();
  return uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | uint32_t{d[3]};
}

Result<NoteVerifierKey> ParseNoteVerifierKey(std::string_view text) {
  const size_t p1 = text.find('+');
  const size_t p2 = p1 == std::string_view::npos ? p1 : text.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return Status::InvalidArgument("malformed note verifier key");
  NoteVerifierKey k;
  k.name = std::string(text.substr(0, p1));
  if (!ValidNoteKeyName(k.name)) return Status::InvalidArgument("invalid note key name");
  TB_ASSIGN_OR_RETURN(k.key_id, ParseKeyIdHex(text.substr(p1 + 1, p2 - p1 - 1)));
  Result<std::string> raw = Base64Decode(text.substr(p2 + 1));
  if (!raw.ok()) return Status::InvalidArgument("note verifier key is not base64");
  TB_ASSIGN_OR_RETURN(auto typed, SplitTyped(*raw));
  k.type = typed.first;
  k.public_key = std::move(typed.second);
  const size_t want =
      k.type == NoteKeyType::kEd25519 ? kEd25519PublicKeySize : kSm2PublicKeySize;
  if (k.public_key.size() != want) {
    return Status::InvalidArgument("note verifier key has the wrong length");
  }
  if (k.type == NoteKeyType::kSm2 && k.public_key[0] != 0x04) {
    return Status::InvalidArgument("SM2 note verifier key must be an uncompressed point");
  }
  if (NoteKeyId(k.name, k.type, k.public_key) != k.key_id) {
    return Status::InvalidArgument("note verifier key ID does not match the key");
  }
  return k;
}

std::string FormatNoteVerifierKey(std::string_view name, NoteKeyType type,
                                  std::string_view public_key) {
  std::string out(name);
  out += '+';
  out += KeyIdHex(NoteKeyId(name, type, public_key));
  out += '+';
  out += Base64Encode(NoteKeyTypeBytes(type) + std::string(public_key));
  return out;
}

Result<NoteSignerKey> ParseNoteSignerKey(std::string_view text) {
  static constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return Status::InvalidArgument("note signer key must start with PRIVATE+KEY+");
  }
  text.remove_prefix(kPrefix.size());
  const size_t p1 = text.find('+');
  const size_t p2 = p1 == std::string_view::npos ? p1 : text.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return Status::InvalidArgument("malformed note signer key");
  NoteSignerKey k;
  k.name = std::string(text.substr(0, p1));
  if (!ValidNoteKeyName(k.name)) return Status::InvalidArgument("invalid note key name");
  TB_ASSIGN_OR_RETURN(k.key_id, ParseKeyIdHex(text.substr(p1 + 1, p2 - p1 - 1)));
  Result<std::string> raw = Base64Decode(text.substr(p2 + 1));
  if (!raw.ok()) return Status::InvalidArgument("note signer key is not base64");
  TB_ASSIGN_OR_RETURN(auto typed, SplitTyped(*raw));
  k.type = typed.first;
  k.private_key = std::move(typed.second);
  if (k.private_key.size() != kNotePrivateKeySize) {
    return Status::InvalidArgument("note signer key has the wrong length");
  }
  return k;
}

std::string FormatNoteSignerKey(std::string_view name, uint32_t key_id, NoteKeyType type,
                                std::string_view private_key) {
  std::string out = "PRIVATE+KEY+";
  out += name;
  out += '+';
  out += KeyIdHex(key_id);
  out += '+';
  out += Base64Encode(NoteKeyTypeBytes(type) + std::string(private_key));
  return out;
}

}  // namespace tongban::ledger
