// ObjectionRepo: the SQL of data objections (objection.h), over the caller's transaction, as
// data_repo.h. Values (recorded, claimed) are stored as JSON text. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/objection.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::data {

class ObjectionRepo {
 public:
  static std::vector<store::Migration> Migrations();

  // kAlreadyExists when an undecided objection to the same element of the record exists.
  static Result<int64_t> Insert(store::Tx& tx, const Objection& o);
  static Result<std::optional<Objection>> Get(store::Tx& tx, int64_t id);
  static Result<std::vector<Objection>> OfSubject(store::Tx& tx, std::string_view subject_id);
  // Undecided objections to (dataset, key, element): 0 or 1.
  // `department` empty: every department's. `now` (unix seconds) decides "overdue".
  static Result<std::vector<Objection>> Queue(store::Tx& tx, std::string_view department,
                                              ObjectionFilter filter, int64_t now, int limit);
  // Open objections whose due_at <= now, oldest due first.
  static Result<std::vector<Objection>> Overdue(store::Tx& tx, int64_t now, int limit);

  // Sets the decision (only from open or escalated); false when already decided.
  static Result<bool> Decide(store::Tx& tx, int64_t id, ObjectionState to, std::string_view decision,
                             std::optional<int64_t> corrected_version, int64_t account, int64_t at);
  // open -> escalated; false when not open any more.
  static Result<bool> Escalate(store::Tx& tx, int64_t id, int64_t at);

  static Status InsertStep(store::Tx& tx, int64_t objection_id, int64_t account, const ObjectionStep& s);
  // Fills the steps of each of `objections` (one query for all of them).
  static Status LoadSteps(store::Tx& tx, std::span<Objection> objections);
};

}  // namespace tongban::data
