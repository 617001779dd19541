// InclusionProofCache: inclusion-proof JSON objects (InclusionProofJson) by leaf index, kept for a
// few seconds. A proof for a given tree size never changes and stays valid against that size's
// signed checkpoint, and reading one from the tiles costs more than the rest of a verification
// (about 2,000/s on SQLite under SM3), so a leaf verified again within the TTL reuses it.
// Bounded: cleared when full. Used by receipt and licence verification.
// Thread-safe.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "ledger/part/ledger_handlers.h"
#include "core/status.h"
#include "ledger/log_reader.h"

namespace tongban::api {

class InclusionProofCache {
 public:
  explicit InclusionProofCache(std::chrono::steady_clock::duration ttl = std::chrono::seconds(10),
                               size_t capacity = 10000)
      : ttl_(ttl), capacity_(capacity) {}

  std::optional<boost::json::object> Get(uint64_t index) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(index);
    if (it == map_.end() || std::chrono::steady_clock::now() - it->second.first > ttl_) return std::nullopt;
    return it->second.second;
  }

  // The proof of leaf `index` from the cache, or read from `reader` (InclusionProofJson) and kept.
  Result<boost::json::object> GetOrLoad(ledger::LogReader& reader, uint64_t index) {
    if (auto cached = Get(index)) return std::move(*cached);
    auto proof = reader.InclusionProof(index);
    if (!proof.ok()) return proof.status();
    boost::json::object json = InclusionProofJson(reader, *proof);
    Put(index, json);
    return json;
  }

  void Put(uint64_t index, boost::json::object proof) {
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= capacity_) map_.clear();
    map_[index] = {std::chrono::steady_clock::now(), std::move(proof)};
  }

 private:
  const std::chrono::steady_clock::duration ttl_;
  const size_t capacity_;
  std::mutex mu_;
  std::map<uint64_t, std::pair<std::chrono::steady_clock::time_point, boost::json::object>> map_;
};

}  // namespace tongban::api
