// libFuzzer target: ledger entry parsing (ledger/entry.h); every accepted entry re-encodes to
// exactly the input bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  tongban::Result<tongban::ledger::Entry> e = tongban::ledger::ParseEntry(in);
  if (!e.ok()) return 0;
  tongban::Result<std::string> again = tongban::ledger::EncodeEntry(*e);
  if (!again.ok() || *again != in) std::abort();
  return 0;
}
