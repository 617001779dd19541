// libFuzzer target: strict and lenient USCC parsing on arbitrary bytes. Checks that strict
// acceptance implies a lenient parse without warnings, and that accepted codes re-parse.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/uscc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tongban::Result<tongban::Uscc> strict = tongban::Uscc::Parse(text);
  tongban::Result<tongban::LenientUscc> lenient = tongban::Uscc::ParseLenient(text);
  if (strict.ok()) {
    if (!lenient.ok() || !lenient->warnings.empty()) std::abort();
    if (!(lenient->uscc == *strict)) std::abort();
    if (strict->Masked().size() != 18) std::abort();
  }
  if (lenient.ok()) {
    const std::string& full = lenient->uscc.RevealFullCode();
    if (full.size() != 18) std::abort();
    if (!tongban::Uscc::ParseLenient(full).ok()) std::abort();
    if (lenient->warnings.empty() != tongban::Uscc::Parse(full).ok()) std::abort();
  }
  return 0;
}
