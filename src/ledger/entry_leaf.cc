// FindEntryLeaf; see entry_leaf.h.
#include "ledger/entry_leaf.h"

#include <algorithm>

#include "ledger/log_storage.h"

namespace tongban::ledger {

Result<std::optional<uint64_t>> FindEntryLeaf(store::Tx& tx, const Entry& entry, uint64_t hint,
                                              std::optional<uint64_t> known_leaf) {
  if (known_leaf) {
    Entry at = entry;
    at.index.value = *known_leaf;
    TB_ASSIGN_OR_RETURN(std::string exact, EncodeEntry(at));
    TB_ASSIGN_OR_RETURN(auto entries, ReadEntries(tx, *known_leaf, *known_leaf + 1));
    if (entries.size() == 1 && entries[0].entry == exact) return known_leaf;
    return std::optional<uint64_t>();
  }
  // Key: the entry bytes after version and index (time, subject, document, type).
  TB_ASSIGN_OR_RETURN(std::string bytes, EncodeEntry(entry));
  const std::string_view tail = std::string_view(bytes).substr(9);
  auto state = ReadLogState(tx);
  if (!state.ok()) {
    if (state.status().code() == ErrorCode::kNotFound) return std::optional<uint64_t>();
    return state.status();
  }
  // The leaf is usually within the queue depth at the time of its hint: small chunks first.
  constexpr uint64_t kMaxChunk = 4096;
  constexpr uint64_t kMaxScan = 4'000'000;
  uint64_t chunk = 256;
  for (uint64_t begin = hint; begin < state->size && begin < hint + kMaxScan;
       begin += chunk, chunk = std::min(chunk * 2, kMaxChunk)) {
    TB_ASSIGN_OR_RETURN(auto entries, ReadEntries(tx, begin, std::min(begin + chunk, state->size)));
    for (const auto& e : entries) {
      if (e.entry.size() == bytes.size() && std::string_view(e.entry).substr(9) == tail) {
        return std::optional<uint64_t>(e.index);
      }
    }
  }
  return std::optional<uint64_t>();
}

}  // namespace tongban::ledger
