// Fuzz target: GB/T 36904 licence identifiers (path parameters of the licence routes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "license/license_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto id = tongban::license::LicenseId::Parse(text);
  if (id.ok() && id->text() != text) __builtin_trap();  // a parsed identifier is its own text
  return 0;
}
