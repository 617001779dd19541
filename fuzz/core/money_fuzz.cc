// libFuzzer target: Fen::ParseYuan on arbitrary bytes. Checks that an accepted amount formats
// back to a string that parses to the same value, and that display formatting never fails.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/money.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto sign : {tongban::Fen::Sign::kNonNegative, tongban::Fen::Sign::kAllowNegative}) {
    tongban::Result<tongban::Fen> fen = tongban::Fen::ParseYuan(text, sign);
    if (!fen.ok()) continue;
    if (sign == tongban::Fen::Sign::kNonNegative && fen->is_negative()) std::abort();
    tongban::Result<tongban::Fen> back =
        tongban::Fen::ParseYuan(fen->ToYuanString(), tongban::Fen::Sign::kAllowNegative);
    if (!back.ok() || *back != *fen) std::abort();
    if (fen->ToDisplayString().empty()) std::abort();
    (void)fen->Add(*fen);
    (void)fen->Mul(-100);
  }
  return 0;
}
