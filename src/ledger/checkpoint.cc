// Checkpoint body format and strict parsing; the grammar is in checkpoint.h.
#include "ledger/checkpoint.h"

#include <cstring>

#include "core/base64.h"

namespace tongban::ledger {

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const uint8_t cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

bool ValidNoteLine(std::string_view line) {
  if (line.empty()) return false;
  for (char c : line) {
    if (static_cast<uint8_t>(c) < 0x20) return false;
  }
  return ValidUtf8(line);
}

Result<std::string> FormatCheckpoint(const Checkpoint& c) {
  if (!ValidNoteLine(c.origin)) {
    return Status::InvalidField("origin", "must be a non-empty line of UTF-8 text");
  }
  std::string out = c.origin;
  out += '\n';
  out += std::to_string(c.size);
  out += '\n';
  out += Base64Encode(c.root);
  out += '\n';
  for (const std::string& ext : c.extensions) {
    if (!ValidNoteLine(ext)) {
      return Status::InvalidField("extensions", "each must be a non-empty line of UTF-8 text");
    }
    out += ext;
    out += '\n';
  }
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  auto bad = [](std::string why) { return Status::InvalidArgument("malformed checkpoint: " + why); };
  if (text.empty() || text.back() != '\n') return bad("text must end in a newline");
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() < 3) return bad("needs origin, size and root lines");
  Checkpoint c;
  if (!ValidNoteLine(lines[0])) return bad("origin must be a non-empty line of UTF-8 text");
  c.origin = std::string(lines[0]);

  const std::string_view size = lines[1];
  if (size.empty() || size.size() > 20) return bad("tree size is not a decimal number");
  if (size.size() > 1 && size[0] == '0') return bad("tree size has a leading zero");
  uint64_t n = 0;
  for (char ch : size) {
    if (ch < '0' || ch > '9') return bad("tree size is not a decimal number");
    const uint64_t d = static_cast<uint64_t>(ch - '0');
    if (n > (UINT64_MAX - d) / 10) return bad("tree size overflows 64 bits");
    n = n * 10 + d;
  }
  c.size = n;

  Result<std::string> root = Base64Decode(lines[2]);
  if (!root.ok()) return bad("root hash is not base64");
  if (root->size() != kHashSize) return bad("root hash is not 32 bytes");
  std::memcpy(c.root.data(), root->data(), kHashSize);

  for (size_t i = 3; i < lines.size(); ++i) {
    if (!ValidNoteLine(lines[i])) return bad("extension lines must be non-empty UTF-8 text");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

Result<Checkpoint> OpenCheckpoint(std::string_view note, std::string_view origin,
                                  std::shared_ptr<const NoteVerifier> log_key) {
  NoteVerifierList list({std::move(log_key)});
  TB_ASSIGN_OR_RETURN(OpenedNote opened, OpenNote(note, list));
  TB_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(opened.text));
  if (cp.origin != origin) {
    return Status::FailedPrecondition("checkpoint is from origin \"" + cp.origin +
                                      "\", not the expected log");
  }
  return cp;
}

}  // namespace tongban::ledger
