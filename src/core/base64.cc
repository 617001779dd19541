// Strict base64 / base64url codec (see base64.h for what "strict" rejects).
#include "core/base64.h"

#include <array>

namespace tongban {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode(std::span<const uint8_t> in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8 | in[i + 2];
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
    out.push_back(alphabet[v >> 6 & 63]);
    out.push_back(alphabet[v & 63]);
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{in[i]} << 16;
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8;
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
    out.push_back(alphabet[v >> 6 & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

std::array<int8_t, 256> MakeTable(const char* alphabet) {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}

Result<std::string> Decode(std::string_view in, const std::array<int8_t, 256>& table, bool padded,
                           std::string_view name) {
  size_t len = in.size();
  if (padded) {
    if (len % 4 != 0) return Status::InvalidArgument(std::string(name) + ": length not a multiple of 4");
    if (len >= 1 && in[len - 1] == '=') --len;
    if (len >= 1 && in[len - 1] == '=') --len;
  } else if (len % 4 == 1) {
    return Status::InvalidArgument(std::string(name) + ": impossible length");
  }
  // Four characters make three bytes; session tokens are decoded on every request, so the full
  // groups are done without per-character branching on the bit count.
  std::string out(len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1), '\0');
  auto bad = [&](size_t i) {
    return Status::InvalidArgument(std::string(name) + ": invalid character at position " +
                                   std::to_string(i));
  };
  size_t i = 0, o = 0;
  for (; i + 4 <= len; i += 4, o += 3) {
    int8_t a = table[static_cast<uint8_t>(in[i])], b = table[static_cast<uint8_t>(in[i + 1])];
    int8_t c = table[static_cast<uint8_t>(in[i + 2])], d = table[static_cast<uint8_t>(in[i + 3])];
    if ((a | b | c | d) < 0) {
      for (size_t k = i;; ++k) {
        if (table[static_cast<uint8_t>(in[k])] < 0) return bad(k);
      }
    }
    uint32_t v = uint32_t(a) << 18 | uint32_t(b) << 12 | uint32_t(c) << 6 | uint32_t(d);
    out[o] = static_cast<char>(v >> 16);
    out[o + 1] = static_cast<char>(v >> 8 & 0xff);
    out[o + 2] = static_cast<char>(v & 0xff);
  }
  // The last 2 or 3 characters carry 1 or 2 bytes; their unused low bits must be zero.
  uint32_t acc = 0;
  int bits = 0;
  for (; i < len; ++i) {
    int8_t v = table[static_cast<uint8_t>(in[i])];
    if (v < 0) return bad(i);
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<char>(acc >> bits & 0xff);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Status::InvalidArgument(std::string(name) + ": non-canonical trailing bits");
  }
  return out;
}

}  // namespace

std::string Base64Encode(std::span<const uint8_t> bytes) { return Encode(bytes, kStd, true); }
std::string Base64UrlEncode(std::span<const uint8_t> bytes) { return Encode(bytes, kUrl, false); }

Result<std::string> Base64Decode(std::string_view text) {
  static const auto table = MakeTable(kStd);
  return Decode(text, table, true, "base64");
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  static const auto table = MakeTable(kUrl);
  return Decode(text, table, false, "base64url");
}

}  // namespace tongban
