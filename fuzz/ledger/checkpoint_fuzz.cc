// libFuzzer target: checkpoint body parsing (ledger/checkpoint.h); parse∘format is the identity.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  tongban::Result<tongban::ledger::Checkpoint> cp = tongban::ledger::ParseCheckpoint(in);
  if (!cp.ok()) return 0;
  tongban::Result<std::string> again = tongban::ledger::FormatCheckpoint(*cp);
  if (!again.ok() || *again != in) std::abort();
  return 0;
}
