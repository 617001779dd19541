// libFuzzer target: strict base64 and base64url decoding on arbitrary bytes. Strictness means
// one encoding per value, so a successful decode must re-encode to exactly the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tongban::Result<std::string> std_decoded = tongban::Base64Decode(text);
  if (std_decoded.ok() && tongban::Base64Encode(*std_decoded) != text) std::abort();
  tongban::Result<std::string> url_decoded = tongban::Base64UrlDecode(text);
  if (url_decoded.ok() && tongban::Base64UrlEncode(*url_decoded) != text) std::abort();
  // Encoding arbitrary bytes always decodes back.
  tongban::Result<std::string> round = tongban::Base64Decode(tongban::Base64Encode(text));
  if (!round.ok() || *round != text) std::abort();
  return 0;
}
