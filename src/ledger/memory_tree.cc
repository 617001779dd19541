// MemoryTree: Frontier::Append reports every completed node; we keep them all, by level.
#include "ledger/memory_tree.h"

namespace tongban::ledger {

void MemoryTree::AppendLeafHash(const Hash& leaf_hash) {
  frontier_.Append(hasher_, leaf_hash, [this](const NodeId& id, const Hash& h) {
    if (levels_.size() <= id.level) levels_.resize(id.level + 1);
    assert(levels_[id.level].size() == id.index);
    levels_[id.level].push_back(h);
  });
}

Hash MemoryTree::RootAt(uint64_t size) {
  assert(size <= this->size());
  Result<Hash> r = TreeRoot(size, *this, hasher_);
  assert(r.ok());
  return *r;
}

Status MemoryTree::GetNodes(std::span<const NodeId> ids, std::span<Hash> out) {
  assert(ids.size() == out.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const NodeId& id = ids[i];
    if (id.level >= levels_.size() || id.index >= levels_[id.level].size()) {
      return Status::NotFound("tree node", std::to_string(id.level) + "/" +
                                               std::to_string(id.index));
    }
    out[i] = levels_[id.level][id.index];
  }
  return Status::Ok();
}

}  // namespace tongban::ledger
