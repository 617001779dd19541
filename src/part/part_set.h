// PartSet: the parts of the program in list order, owned, and found by class; PartContext: what a
// part's Open is given (the program's database and clock, and the parts opened before it). Start-up code looks
// an earlier part up by its class (`set.Find<ledger::LedgerPart>()`); the part's adapter header
// says what it offers. Built once at start-up; Find is thread-safe afterwards.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <filesystem>
#include <vector>

#include "core/status.h"
#include "core/clock.h"
#include "part/part.h"
#include "store/database.h"

namespace tongban::part {

class PartSet {
 public:
  PartSet() = default;
  explicit PartSet(std::vector<std::unique_ptr<Part>> parts) : parts_(std::move(parts)) {}

  // The part of class P among the first `limit` parts (all by default); nullptr when none is.
  template <typename P>
  P* Find(size_t limit = SIZE_MAX) const {
    for (size_t i = 0; i < parts_.size() && i < limit; ++i) {
      if (auto* p = dynamic_cast<P*>(parts_[i].get())) return p;
    }
    return nullptr;
  }
  // Like Find, for a part the caller cannot work without: kFailedPrecondition naming `who` and
  // `what` when it is missing (or not before `limit`).
  template <typename P>
  Result<P*> Require(std::string_view who, std::string_view what, size_t limit = SIZE_MAX) const {
    if (P* p = Find<P>(limit)) return p;
    return Status::FailedPrecondition(std::string(who) + " needs the " + std::string(what) +
                                      " part earlier in the parts list (cli/parts.cc)");
  }
  Part* FindByName(std::string_view name) const;

  // The parts in list order.
  std::span<const std::unique_ptr<Part>> all() const { return parts_; }
  size_t size() const { return parts_.size(); }

 private:
  std::vector<std::unique_ptr<Part>> parts_;
};

// What Open is given. References stay valid while the program runs.
struct PartContext {
  store::Database& db;
  const Clock& clock;
  std::filesystem::path base_dir;  // the config file's folder: relative paths resolve against it
  // The accounts and sessions every route is authorised against (nullptr while identity itself
  // is being opened).
  identity::IdentityService* identity = nullptr;
  const PartSet& parts;  // the program's parts; those before `index` are open
  size_t index = 0;      // this part's place in the list

  // An earlier part of class P (already open), or kFailedPrecondition naming who needs it.
  template <typename P>
  Result<P*> Earlier(std::string_view who, std::string_view what) const {
    return parts.Require<P>(who, what, index);
  }

  std::filesystem::path Resolve(const std::string& path) const {
    std::filesystem::path p(path);
    return p.is_absolute() ? p : base_dir / p;
  }
};

}  // namespace tongban::part
