// Signed note parsing, formatting and verification; the grammar is in note.h.
#include "ledger/note.h"

#include "core/base64.h"
#include "ledger/checkpoint.h"

namespace tongban::ledger {
namespace {

constexpr std::string_view kSigPrefix = "\xe2\x80\x94 ";  // U+2014 EM DASH, space

Status Malformed(std::string why) { return Status::InvalidArgument("malformed note: " + why); }

bool NoControls(std::string_view s) {
  for (char c : s) {
    if (static_cast<uint8_t>(c) < 0x20 && c != '\n') return false;
  }
  return true;
}

std::string KeyLabel(std::string_view name, uint32_t id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(8, '0');
  for (int i = 7; i >= 0; --i, id >>= 4) hex[i] = kDigits[id & 0xf];
  return std::string(name) + "+" + hex;
}

}  // namespace

std::string FormatSignatureLine(const NoteSignature& s) {
  std::string raw(4, '\0');
  raw[0] = static_cast<char>(s.key_id >> 24);
  raw[1] = static_cast<char>(s.key_id >> 16);
  raw[2] = static_cast<char>(s.key_id >> 8);
  raw[3] = static_cast<char>(s.key_id);
  raw += s.signature;
  std::string line(kSigPrefix);
  line += s.name;
  line += ' ';
  line += Base64Encode(raw);
  line += '\n';
  return line;
}


Status ValidateNoteText(std::string_view text) {
  if (text.empty() || text.back() != '\n') return Malformed("text must end in a newline");
  if (!ValidUtf8(text)) return Malformed("text is not UTF-8");
  if (!NoControls(text)) return Malformed("text has a control character");
  return Status::Ok();
}

Result<Note> ParseNote(std::string_view message) {
  if (!ValidUtf8(message)) return Malformed("not UTF-8");
  if (!NoControls(message)) return Malformed("control character");
  const size_t split = message.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before signatures");
  Note note;
  note.text = std::string(message.substr(0, split + 1));
  std::string_view sigs = message.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return Malformed("signatures must end in a newline");
  while (!sigs.empty()) {
    if (note.signatures.size() == kMaxNoteSignatures) return Malformed("too many signatures");
    const size_t nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) return Malformed("bad signature line");
    line.remove_prefix(kSigPrefix.size());
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return Malformed("bad signature line");
    NoteSignature s;
    s.name = std::string(line.substr(0, sp));
    if (!ValidNoteKeyName(s.name)) return Malformed("bad key name");
    Result<std::string> raw = Base64Decode(line.substr(sp + 1));
    if (!raw.ok() || raw->size() < 5) return Malformed("bad signature encoding");
    const auto* b = reinterpret_cast<const uint8_t*>(raw->data());
    s.key_id = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    s.signature = raw->substr(4);
    note.signatures.push_back(std::move(s));
  }
  return note;
}

Result<std::string> FormatNote(const Note& note) {
  TB_RETURN_IF_ERROR(ValidateNoteText(note.text));
  if (note.signatures.empty()) return Status::InvalidArgument("a note needs a signature");
  if (note.signatures.size() > kMaxNoteSignatures) {
    return Status::InvalidArgument("a note has at most 100 signatures");
  }
  std::string out = note.text;
  out += '\n';
  for (const NoteSignature& s : note.signatures) {
    if (!ValidNoteKeyName(s.name)) return Status::InvalidArgument("invalid note key name");
    if (s.signature.empty()) return Status::InvalidArgument("empty note signature");
    out += FormatSignatureLine(s);
  }
  return out;
}

Result<std::string> SignNote(std::string_view text, std::span<NoteSigner* const> signers) {
  TB_RETURN_IF_ERROR(ValidateNoteText(text));
  Note note;
  note.text = std::string(text);
  for (NoteSigner* signer : signers) {
    TB_ASSIGN_OR_RETURN(std::string sig, signer->Sign(text));
    note.signatures.push_back({signer->name(), signer->key_id(), std::move(sig)});
  }
  return FormatNote(note);
}

Result<std::string> AddNoteSignatures(std::string_view message,
                                      std::span<const NoteSignature> extra) {
  TB_ASSIGN_OR_RETURN(Note note, ParseNote(message));
  note.signatures.insert(note.signatures.end(), extra.begin(), extra.end());
  return FormatNote(note);
}

NoteVerifierList::Lookup NoteVerifierList::Find(std::string_view name, uint32_t key_id,
                                                const NoteVerifier** out) const {
  const NoteVerifier* found = nullptr;
  for (const auto& v : verifiers_) {
    if (v->key_id() == key_id && v->name() == name) {
      if (found != nullptr) return Lookup::kAmbiguous;
      found = v.get();
    }
  }
  *out = found;
  return found == nullptr ? Lookup::kUnknown : Lookup::kFound;
}

Result<OpenedNote> OpenNote(std::string_view message, const NoteVerifierList& known) {
  TB_ASSIGN_OR_RETURN(Note note, ParseNote(message));
  OpenedNote opened;
  opened.text = std::move(note.text);
  for (NoteSignature& s : note.signatures) {
    const NoteVerifier* v = nullptr;
    switch (known.Find(s.name, s.key_id, &v)) {
      case NoteVerifierList::Lookup::kUnknown:
        opened.unverified.push_back(std::move(s));
        continue;
      case NoteVerifierList::Lookup::kAmbiguous:
        return Status::FailedPrecondition("ambiguous key " + KeyLabel(s.name, s.key_id));
      case NoteVerifierList::Lookup::kFound:
        break;
    }
    if (!v->Verify(opened.text, s.signature)) {
      return Status::Unauthenticated("invalid signature for key " + KeyLabel(s.name, s.key_id));
    }
    bool seen = false;
    for (const NoteSignature& prev : opened.verified) {
      seen = seen || (prev.name == s.name && prev.key_id == s.key_id);
    }
    if (!seen) opened.verified.push_back(std::move(s));
  }
  if (opened.verified.empty()) return Status::Unauthenticated("note has no verifiable signature");
  return opened;
}

}  // namespace tongban::ledger
