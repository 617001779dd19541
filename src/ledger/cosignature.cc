// C2SP tlog-cosignature v1 (Ed25519); the formats are in cosignature.h.
#include "ledger/cosignature.h"

#include <chrono>
#include <limits>

#include "core/base64.h"
#include "crypto/hash.h"

namespace tongban::ledger {
namespace {

constexpr uint64_t kMaxTimestamp = uint64_t{std::numeric_limits<int64_t>::max()};
constexpr std::string_view kSignerPrefix = "PRIVATE+KEY+";

std::string KeyIdHex(uint32_t id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, id >>= 4) out[i] = kDigits[id & 0xf];
  return out;
}

Result<uint32_t> ParseKeyIdHex(std::string_view hex) {
  if (hex.size() != 8) return Status::InvalidArgument("cosigner key ID must be 8 hex digits");
  uint32_t id = 0;
  for (char c : hex) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return Status::InvalidArgument("cosigner key ID must be 8 hex digits");
    }
    id = id << 4 | d;
  }
  return id;
}

std::string Typed(std::string_view key) {
  std::string out(1, static_cast<char>(kCosignatureTypeEd25519));
  out += key;
  return out;
}

// name "+" keyid-hex "+" base64(0x04 || key material), shared by both key strings.
std::string KeyString(std::string_view name, uint32_t id, std::string_view material) {
  std::string out(name);
  out += '+';
  out += KeyIdHex(id);
  out += '+';
  out += Base64Encode(Typed(material));
  return out;
}

struct ParsedKey {
  std::string name;
  uint32_t key_id = 0;
  std::string material;  // without the type byte
};

// Parses name "+" id "+" base64(0x04 || material of `size` bytes).
Result<ParsedKey> ParseKeyString(std::string_view text, size_t size, std::string_view what) {
  const size_t p1 = text.find('+');
  const size_t p2 = p1 == std::string_view::npos ? p1 : text.find('+', p1 + 1);
  if (p2 == std::string_view::npos) {
    return Status::InvalidArgument("malformed cosigner " + std::string(what) + " key");
  }
  ParsedKey k;
  k.name = std::string(text.substr(0, p1));
  if (!ValidNoteKeyName(k.name)) return Status::InvalidArgument("invalid cosigner key name");
  TB_ASSIGN_OR_RETURN(k.key_id, ParseKeyIdHex(text.substr(p1 + 1, p2 - p1 - 1)));
  Result<std::string> raw = Base64Decode(text.substr(p2 + 1));
  if (!raw.ok()) {
    return Status::InvalidArgument("cosigner " + std::string(what) + " key is not base64");
  }
  if (raw->empty() || static_cast<uint8_t>((*raw)[0]) != kCosignatureTypeEd25519) {
    return Status::InvalidArgument("not an Ed25519 cosignature (0x04) key");
  }
  if (raw->size() != size + 1) {
    return Status::InvalidArgument("cosigner " + std::string(what) + " key has the wrong length");
  }
  k.material = raw->substr(1);
  return k;
}

void PutUint64(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

class CosignatureVerifier final : public NoteVerifier {
 public:
  CosignatureVerifier(std::string name, crypto::PublicKey key)
      : name_(std::move(name)), key_id_(CosignatureKeyId(name_, key.raw())), key_(std::move(key)) {}
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  bool Verify(std::string_view message, std::string_view signature) const override {
    Result<uint64_t> t = CosignatureTimestamp(signature);
    if (!t.ok()) return false;
    return key_.Verify(CosignedMessage(message, *t), signature.substr(8));
  }

 private:
  std::string name_;
  uint32_t key_id_;
  crypto::PublicKey key_;
};

}  // namespace

uint32_t CosignatureKeyId(std::string_view name, std::string_view ed25519_public_key) {
  crypto::Hasher h(crypto::HashAlgorithm::kSha256);
  h.Update(name);
  h.Update(uint8_t{0x0a});
  h.Update(kCosignatureTypeEd25519);
  h.Update(ed25519_public_key);
  const crypto::Digest d = h.Final();
  return uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | uint32_t{d[3]};
}

std::string CosignedMessage(std::string_view checkpoint_text, uint64_t timestamp) {
  std::string m(kCosignatureHeader);
  m += "\ntime ";
  m += std::to_string(timestamp);
  m += '\n';
  m += checkpoint_text;
  return m;
}

Result<uint64_t> CosignatureTimestamp(std::string_view signature) {
  if (signature.size() != kCosignatureSize) {
    return Status::InvalidArgument("a cosignature is 72 bytes (timestamp and Ed25519 signature)");
  }
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = t << 8 | static_cast<uint8_t>(signature[i]);
  if (t == 0 || t > kMaxTimestamp) {
    return Status::InvalidArgument("cosignature timestamp out of range");
  }
  return t;
}

CosignatureSigner::CosignatureSigner(std::string name, crypto::PrivateKey key, const Clock& clock)
    : name_(std::move(name)),
      key_(std::move(key)),
      key_id_(CosignatureKeyId(name_, key_.public_key().raw())),
      clock_(clock) {}

Result<std::string> CosignatureSigner::Sign(std::string_view checkpoint_text) {
  const int64_t micros = clock_.NowUnixMicros();
  if (micros < 1'000'000) return Status::Internal("clock reads before the cosignature epoch");
  return SignAt(checkpoint_text, static_cast<uint64_t>(micros / 1'000'000));
}

Result<std::string> CosignatureSigner::SignAt(std::string_view checkpoint_text,
                                              uint64_t timestamp) const {
  if (timestamp == 0 || timestamp > kMaxTimestamp) {
    return Status::InvalidArgument("cosignature timestamp out of range");
  }
  TB_ASSIGN_OR_RETURN(std::string sig, key_.Sign(CosignedMessage(checkpoint_text, timestamp)));
  if (sig.size() != kEd25519SignatureSize) return Status::Internal("unexpected Ed25519 signature");
  std::string out;
  out.reserve(kCosignatureSize);
  PutUint64(timestamp, &out);
  out += sig;
  return out;
}

std::string CosignatureSigner::VerifierKeyString() const {
  return KeyString(name_, key_id_, key_.public_key().raw());
}

Result<std::unique_ptr<CosignatureSigner>> NewCosignatureSigner(std::string name,
                                                                crypto::PrivateKey key,
                                                                const Clock& clock) {
  if (!ValidNoteKeyName(name)) return Status::InvalidArgument("invalid cosigner key name");
  if (key.algorithm() != crypto::SignatureAlgorithm::kEd25519) {
    return Status::InvalidArgument("cosignature v1 keys are Ed25519");
  }
  return std::unique_ptr<CosignatureSigner>(
      new CosignatureSigner(std::move(name), std::move(key), clock));
}

Result<std::unique_ptr<CosignatureSigner>> ParseCosignatureSigner(std::string_view signer_key,
                                                                  const Clock& clock) {
  if (signer_key.substr(0, kSignerPrefix.size()) != kSignerPrefix) {
    return Status::InvalidArgument("cosigner signer key must start with PRIVATE+KEY+");
  }
  TB_ASSIGN_OR_RETURN(ParsedKey k, ParseKeyString(signer_key.substr(kSignerPrefix.size()),
                                                  kNotePrivateKeySize, "signer"));
  TB_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                      crypto::PrivateKey::FromRaw(crypto::SignatureAlgorithm::kEd25519,
                                                  k.material));
  if (CosignatureKeyId(k.name, key.public_key().raw()) != k.key_id) {
    return Status::InvalidArgument("cosigner signer key ID does not match the key");
  }
  return NewCosignatureSigner(std::move(k.name), std::move(key), clock);
}

Result<std::string> CosignatureSignerKeyString(std::string_view name,
                                               const crypto::PrivateKey& key) {
  if (!ValidNoteKeyName(name)) return Status::InvalidArgument("invalid cosigner key name");
  if (key.algorithm() != crypto::SignatureAlgorithm::kEd25519) {
    return Status::InvalidArgument("cosignature v1 keys are Ed25519");
  }
  return std::string(kSignerPrefix) +
         KeyString(name, CosignatureKeyId(name, key.public_key().raw()), key.ToRaw());
}

Result<std::shared_ptr<const NoteVerifier>> NewCosignatureVerifier(std::string name,
                                                                   crypto::PublicKey key) {
  if (!ValidNoteKeyName(name)) return Status::InvalidArgument("invalid cosigner key name");
  if (key.algorithm() != crypto::SignatureAlgorithm::kEd25519) {
    return Status::InvalidArgument("cosignature v1 keys are Ed25519");
  }
  return std::shared_ptr<const NoteVerifier>(
      std::make_shared<CosignatureVerifier>(std::move(name), std::move(key)));
}

Result<std::shared_ptr<const NoteVerifier>> ParseCosignatureVerifier(std::string_view vkey) {
  TB_ASSIGN_OR_RETURN(ParsedKey k, ParseKeyString(vkey, kEd25519PublicKeySize, "verifier"));
  if (CosignatureKeyId(k.name, k.material) != k.key_id) {
    return Status::InvalidArgument("cosigner verifier key ID does not match the key");
  }
  TB_ASSIGN_OR_RETURN(crypto::PublicKey key,
                      crypto::PublicKey::FromRaw(crypto::SignatureAlgorithm::kEd25519,
                                                 k.material));
  return NewCosignatureVerifier(std::move(k.name), std::move(key));
}

Result<std::string> CosignatureVerifierKeyString(std::string_view name,
                                                 const crypto::PublicKey& key) {
  if (!ValidNoteKeyName(name)) return Status::InvalidArgument("invalid cosigner key name");
  if (key.algorithm() != crypto::SignatureAlgorithm::kEd25519) {
    return Status::InvalidArgument("cosignature v1 keys are Ed25519");
  }
  return KeyString(name, CosignatureKeyId(name, key.raw()), key.raw());
}

Result<std::string> FormatSignatureLines(std::span<const NoteSignature> signatures) {
  if (signatures.empty()) return Status::InvalidArgument("no signature lines");
  std::string out;
  for (const NoteSignature& s : signatures) {
    if (!ValidNoteKeyName(s.name)) return Status::InvalidArgument("invalid note key name");
    if (s.signature.empty()) return Status::InvalidArgument("empty note signature");
    out += FormatSignatureLine(s);
  }
  return out;
}

Result<std::vector<NoteSignature>> ParseSignatureLines(std::string_view lines) {
  // The signature block of a note is exactly this grammar; reuse the note parser on a stand-in
  // text so both parse signature lines the same way.
  // A blank line inside `lines` would move the note's split point; refuse it outright.
  if (lines.empty() || lines.front() == '\n' || lines.find("\n\n") != std::string_view::npos) {
    return Status::InvalidArgument("malformed signature lines");
  }
  std::string note = "-\n\n";
  note += lines;
  Result<Note> parsed = ParseNote(note);
  if (!parsed.ok() || parsed->text != "-\n") {
    return Status::InvalidArgument("malformed signature lines").WithDetail(
        parsed.status().message());
  }
  return std::move(parsed->signatures);
}

Result<std::vector<NoteSignature>> VerifyCosignatureLines(std::string_view note,
                                                          std::string_view lines,
                                                          const NoteVerifierList& cosigners) {
  TB_ASSIGN_OR_RETURN(Note parsed, ParseNote(note));
  // Validate the lines on their own first, so a reply cannot smuggle in a second note text.
  TB_RETURN_IF_ERROR(ParseSignatureLines(lines).status());
  std::string combined = parsed.text;
  combined += '\n';
  combined += lines;
  TB_ASSIGN_OR_RETURN(OpenedNote opened, OpenNote(combined, cosigners));
  return std::move(opened.verified);
}

Result<std::string> AttachCosignatures(std::string_view note,
                                       std::span<const NoteSignature> cosignatures) {
  TB_ASSIGN_OR_RETURN(Note parsed, ParseNote(note));
  for (const NoteSignature& c : cosignatures) {
    bool present = false;
    for (const NoteSignature& s : parsed.signatures) present = present || s == c;
    if (!present) parsed.signatures.push_back(c);
  }
  return FormatNote(parsed);
}

}  // namespace tongban::ledger
