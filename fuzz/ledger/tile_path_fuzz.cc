// libFuzzer target: tile and entry-bundle path parsing and entry-bundle parsing
// (ledger/tile.h); every accepted path re-encodes to itself.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/tile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tongban::ledger;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto t = ParseTilePath(in); t.ok() && TilePath(*t) != in) std::abort();
  if (auto t = ParseEntryBundlePath(in); t.ok() && EntryBundlePath(t->index, t->width) != in) {
    std::abort();
  }
  (void)ParseEntryBundle(in);
  return 0;
}
