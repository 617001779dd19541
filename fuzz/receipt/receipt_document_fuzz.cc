// libFuzzer target: canonical receipt documents (receipt/receipt_document.h), parsed from stored
// data and from documents clients send back; decode∘encode is the identity.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "receipt/receipt_document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto d = tongban::receipt::DecodeDocument(in);
  if (!d.ok()) return 0;
  if (tongban::receipt::EncodeDocument(d->receipt, d->payer_name_mac) != in) std::abort();
  return 0;
}
