// ObjectionService: data objections (数据异议). A subject (citizen or enterprise) disputes one
// element of one of their records; the objection goes to the department that owns the dataset,
// due within N working days ([data] objection_days, counted in the working-day calendar,
// calendar.h, from the China date it was raised). The department
//   accepts: it pushes a corrected version through DataService::Push (the next version, the
//            latest fields with the element corrected; the disputed version is kept), or
//   rejects: with a reason (1-500 bytes).
// An objection still open after its due day is escalated by the sweep (EscalateOverdue: at start
// and on a timer) and listed for the department's lead and the operator. The subject sees every
// step of their objections. Every step is a ledger entry "data.objection" (keyed hash of the
// subject; hash of a canonical document that holds only hashes of values and reasons, never
// plaintext), written in the step's transaction.
//
// One objection may be undecided (open or escalated) per (dataset, record key, element).
// Decisions here, SQL in objection_repo.cc. Thread-safe; the database, clock, data service and
// calendar outlive it; owns its sweep thread (StartSweeps / StopSweeps, joined by the destructor).
#pragma once

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/periodic.h"
#include "core/status.h"
#include "crypto/hash.h"
#include "data/calendar.h"
#include "data/data_service.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::data {

enum class ObjectionState { kOpen, kEscalated, kAccepted, kRejected };
std::string_view ObjectionStateName(ObjectionState s);

// One step of an objection, as its ledger entry commits to it.
struct ObjectionStep {
  int64_t id = 0;
  std::string action;      // "raise", "escalate", "accept", "reject"
  int64_t at_micros = 0;
  std::string actor;       // "subject", the department key, or "system" (the sweep)
  std::string note;        // the subject's reason, the department's reason, or ""
  std::optional<int64_t> version;  // accept: the corrected version
  std::string document;    // what the ledger entry commits to: H(document)
};

struct Objection {
  int64_t id = 0;
  std::string subject_id;
  std::string dataset;
  std::string record_key;
  int64_t record_version = 0;  // the version disputed (the latest when raised)
  std::string element;
  boost::json::value recorded;  // the element's value in that version (null: not held)
  boost::json::value claimed;   // what the subject says it should be (null: not said)
  std::string reason;
  std::string owner;            // department key
  ObjectionState state = ObjectionState::kOpen;
  int64_t raised_at = 0;        // unix seconds
  CivilDate due_date;           // China date: due by its end
  int64_t due_at = 0;           // unix seconds: the end of due_date in China time
  std::optional<int64_t> escalated_at, decided_at;
  std::string decision;         // the rejection's reason, or the acceptance's note
  std::optional<int64_t> corrected_version;
  std::vector<ObjectionStep> steps;  // oldest first (filled by Mine / MineOne / Get)

  bool Undecided() const { return state == ObjectionState::kOpen || state == ObjectionState::kEscalated; }
};

struct ObjectionRequest {
  std::string subject_id;  // the caller's own subject
  std::string dataset;
  std::string record_key;
  std::string element;
  boost::json::value claimed;  // optional: a string or number, or null
  std::string reason;          // 1-500 bytes
};

enum class ObjectionFilter { kAll, kOpen, kOverdue, kEscalated, kDecided };
// "open" (open or escalated, not decided), "overdue" (undecided and past due), "escalated",
// "decided", "all"; nullopt for anything else.
std::optional<ObjectionFilter> ParseObjectionFilter(std::string_view text);

struct ObjectionServiceOptions {
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;  // the ledger suite's hash
  std::function<std::array<uint8_t, 32>(std::string_view)> subject_hash;
  int working_days = 5;                           // [data] objection_days
  const WorkingCalendar* calendar = nullptr;      // null: WorkingCalendar::Builtin()
};

class ObjectionService {
 public:
  static std::vector<store::Migration> Migrations();

  ObjectionService(store::Database& db, const Clock& clock, DataService& data, ObjectionServiceOptions options);
  ~ObjectionService() { StopSweeps(); }
  ObjectionService(const ObjectionService&) = delete;
  ObjectionService& operator=(const ObjectionService&) = delete;

  // The subject disputes an element of one of their records (its latest version).
  // kInvalidArgument naming the field (/dataset unknown, /element not of the dataset, /reason,
  // /claimed_value not a scalar or what is already recorded); kNotFound("record", key) for a
  // record that is not the subject's (as for a missing one); kConflict when an undecided
  // objection to the same element of the record exists.
  Result<Objection> Raise(const ObjectionRequest& request);

  // The subject's objections with their steps, newest first; one of them (kNotFound for
  // another's, exactly as for a missing one).
  Result<std::vector<Objection>> Mine(std::string_view subject_id);
  Result<Objection> MineOne(std::string_view subject_id, int64_t id);

  // The owner department's queue (`department` empty: every department's, for the operator),
  // oldest due first, at most 500.
  Result<std::vector<Objection>> Queue(std::string_view department, ObjectionFilter filter);
  // One objection of `department`'s (with steps); kNotFound for another department's.
  Result<Objection> Get(std::string_view department, int64_t id);

  // The owner department accepts: version n+1 of the record with `element` = `corrected` is
  // pushed (DataService::Push as `actor`), the disputed one kept, and the objection closed with
  // a step the subject sees, in the push's own transaction (both or neither). `note` optional
  // (0-500 bytes). kNotFound (not the actor's department's), kFailedPrecondition (already
  // decided), kConflict (decided or the record changed meanwhile), kInvalidArgument("/value",
  // why) when the corrected value fails the data element's checks. When a newer version already
  // holds the value (the department corrected it itself), the objection is closed on it.
  Result<Objection> Accept(const Actor& actor, int64_t id, const boost::json::value& corrected,
                           std::string_view note);
  // The owner department rejects, with a reason (1-500 bytes).
  Result<Objection> Reject(const Actor& actor, int64_t id, std::string_view reason);

  // Escalates up to `limit` open objections whose due day has ended, each with its step and
  // ledger entry. Returns how many. Idempotent; safe next to Accept/Reject (a decided objection
  // is never escalated).
  Result<int64_t> EscalateOverdue(int limit = 1000);

  // Runs EscalateOverdue every `interval` on a background thread until StopSweeps(); does nothing
  // while it runs. Errors are counted (sweep_errors), not fatal.
  void StartSweeps(std::chrono::milliseconds interval);
  void StopSweeps();
  int64_t sweep_errors() const { return sweep_errors_.load(); }

  const WorkingCalendar& calendar() const { return *options_.calendar; }
  const Catalogue& catalogue() const { return data_.catalogue(); }
  const Clock& clock() const { return clock_; }

 private:
  // Writes a step (row + ledger entry) and appends it to o.steps.
  Status Step(store::Tx& tx, Objection& o, std::string_view action, std::string_view actor,
              int64_t account, std::string_view note, std::optional<int64_t> version,
              boost::json::object document, int64_t now_micros);

  store::Database& db_;
  const Clock& clock_;
  DataService& data_;
  ObjectionServiceOptions options_;

  Periodic sweep_;
  std::atomic<int64_t> sweep_errors_{0};
};

}  // namespace tongban::data
