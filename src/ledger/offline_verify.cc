#include "ledger/offline_verify.h"

#include "ledger/proof.h"

namespace tongban::ledger {

Result<OfflineVerified> VerifyOffline(crypto::HashAlgorithm hash, std::string_view origin,
                                      std::shared_ptr<const NoteVerifier> log_key,
                                      const OfflineProof& in) {
  if (log_key == nullptr) return Status::InvalidArgument("no trusted log key");
  TB_ASSIGN_OR_RETURN(Checkpoint cp, OpenCheckpoint(in.checkpoint_note, origin, std::move(log_key)));
  Result<Entry> entry = ParseEntry(in.entry);
  if (!entry.ok()) return Status::InvalidArgument("entry: " + entry.status().message());
  if (entry->index.value >= cp.size) {
    return Status::InvalidArgument("entry index " + std::to_string(entry->index.value) +
                                   " is not in the checkpoint's tree of size " +
                                   std::to_string(cp.size));
  }
  TreeHasher hasher(hash);
  const Hash leaf = hasher.HashLeaf(in.entry);
  TB_RETURN_IF_ERROR(VerifyInclusionBytes(
      hasher, entry->index.value, cp.size,
      std::string_view(reinterpret_cast<const char*>(leaf.data()), leaf.size()), in.proof,
      std::string_view(reinterpret_cast<const char*>(cp.root.data()), cp.root.size())));
  if (in.document) {
    if (crypto::Hash(hash, *in.document) != entry->document) {
      return Status::InvalidArgument("the document's hash is not the one the entry commits to");
    }
  }
  return OfflineVerified{std::move(*entry), std::move(cp)};
}

}  // namespace tongban::ledger
