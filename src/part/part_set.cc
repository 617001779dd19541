// PartSet; see part_set.h.
#include "part/part_set.h"

namespace tongban::part {

Part* PartSet::FindByName(std::string_view name) const {
  for (const auto& p : parts_) {
    if (p->name() == name) return p.get();
  }
  return nullptr;
}

}  // namespace tongban::part
