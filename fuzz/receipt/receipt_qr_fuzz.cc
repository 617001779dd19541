// libFuzzer target: receipt QR text (receipt/receipt_document.h ParseQrText), scanned from
// untrusted paper and screens and sent to the public verify route; a parsed text is exactly its
// signed payload, ".", and the base64url signature.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/base64.h"
#include "receipt/receipt_code.h"
#include "receipt/receipt_document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto q = tongban::receipt::ParseQrText(in);
  if (!q.ok()) {
    // The code, number and check parsers see the same bytes on the verify route.
    (void)tongban::receipt::ReceiptCode::Parse(in);
    (void)tongban::receipt::ReceiptNumber::Parse(in);
    (void)tongban::receipt::CheckCode::Parse(in);
    return 0;
  }
  if (q->payload + "." + tongban::Base64UrlEncode(q->signature) != in) std::abort();
  return 0;
}
