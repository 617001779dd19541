// Data objections' decisions; see objection.h. SQL in objection_repo.cc.
#include "data/objection.h"

#include <algorithm>

#include "data/data_repo.h"
#include "data/objection_repo.h"
#include "ledger/log_storage.h"

namespace tongban::data {
namespace {

using boost::json::object;
using boost::json::value;

constexpr size_t kMaxText = 500;

Status CheckText(std::string_view field, std::string_view text, size_t min, size_t max) {
  if (text.size() < min || text.size() > max) {
    return Status::InvalidField(std::string(field), "must be " + std::to_string(min) + "-" +
                                                        std::to_string(max) + " bytes");
  }
  if (text.find('\0') != std::string_view::npos) return Status::InvalidField(std::string(field), "must be text");
  return Status::Ok();
}

// An element value as a subject or department states it: a string, an integer, a number or null.
Status CheckValue(std::string_view field, const value& v) {
  if (v.is_null() || v.is_int64() || v.is_uint64() || v.is_double()) return Status::Ok();
  if (v.is_string() && v.as_string().size() <= kMaxText) return Status::Ok();
  return Status::InvalidField(std::string(field), "must be a string (at most 500 bytes), a number or null");
}

// The end of China date `d` (its next midnight in UTC+8), in unix seconds.

std::string HashHex(crypto::HashAlgorithm alg, std::string_view text) {
  return crypto::ToHex(crypto::Hash(alg, text));
}

}  // namespace

std::string_view ObjectionStateName(ObjectionState s) {
  switch (s) {
    case ObjectionState::kOpen: return "open";
    case ObjectionState::kEscalated: return "escalated";
    case ObjectionState::kAccepted: return "accepted";
    case ObjectionState::kRejected: return "rejected";
  }
  return "open";
}

std::optional<ObjectionFilter> ParseObjectionFilter(std::string_view text) {
  if (text == "all") return ObjectionFilter::kAll;
  if (text == "open") return ObjectionFilter::kOpen;
  if (text == "overdue") return ObjectionFilter::kOverdue;
  if (text == "escalated") return ObjectionFilter::kEscalated;
  if (text == "decided") return ObjectionFilter::kDecided;
  return std::nullopt;
}

std::vector<store::Migration> ObjectionService::Migrations() { return ObjectionRepo::Migrations(); }

ObjectionService::ObjectionService(store::Database& db, const Clock& clock, DataService& data,
                                   ObjectionServiceOptions options)
    : db_(db), clock_(clock), data_(data), options_(std::move(options)) {
  if (options_.calendar == nullptr) options_.calendar = &WorkingCalendar::Builtin();
}

// One step: its ledger entry (keyed subject hash, H(document)) and its row, in `tx`.
Status ObjectionService::Step(store::Tx& tx, Objection& o, std::string_view action, std::string_view actor,
                              int64_t account, std::string_view note, std::optional<int64_t> version,
                              object document, int64_t now_micros) {
  document["objection"] = o.id;
  document["action"] = action;
  document["time"] = now_micros;
  ObjectionStep step;
  step.action = std::string(action);
  step.at_micros = now_micros;
  step.actor = std::string(actor);
  step.note = std::string(note);
  step.version = version;
  step.document = boost::json::serialize(document);
  TB_RETURN_IF_ERROR(ledger::EnqueueEntry(tx, ledger::DocumentEntry("data.objection", options_.subject_hash(o.subject_id),
                                                                     options_.hash, step.document, now_micros))
                         .status());
  TB_RETURN_IF_ERROR(ObjectionRepo::InsertStep(tx, o.id, account, step));
  o.steps.push_back(std::move(step));
  return Status::Ok();
}

Result<Objection> ObjectionService::Raise(const ObjectionRequest& request) {
  const Dataset* dataset = catalogue().FindDataset(request.dataset);
  if (dataset == nullptr) return Status::InvalidField("/dataset", "is not a dataset of the catalogue");
  if (dataset->FindElement(request.element) == nullptr) {
    return Status::InvalidField("/element", "is not a data element of dataset " + dataset->code);
  }
  TB_RETURN_IF_ERROR(CheckText("/record_key", request.record_key, 1, 64));
  TB_RETURN_IF_ERROR(CheckText("/reason", request.reason, 1, kMaxText));
  TB_RETURN_IF_ERROR(CheckValue("/claimed_value", request.claimed));

  const int64_t now_us = clock_.NowUnixMicros();
  Objection o;
  o.subject_id = request.subject_id;
  o.dataset = dataset->code;
  o.record_key = request.record_key;
  o.element = request.element;
  o.claimed = request.claimed;
  o.reason = request.reason;
  o.owner = dataset->owner;
  o.state = ObjectionState::kOpen;
  o.raised_at = now_us / 1'000'000;
  o.due_date = calendar().AddWorkingDays(ChinaDate(clock_.Now()), options_.working_days);
  o.due_at = ChinaDayEndUnix(o.due_date);
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    o.steps.clear();  // of an attempt that was retried
    // Only the subject's own record: another's answers exactly as a missing one.
    TB_ASSIGN_OR_RETURN(auto record, DataRepo::LatestRecord(tx, request.subject_id, dataset->code, request.record_key));
    if (!record) return Status::NotFound("record", request.record_key);
    TB_ASSIGN_OR_RETURN(object fields, StoredFields(*record));
    const value* recorded = fields.if_contains(o.element);
    o.recorded = recorded ? *recorded : value();
    o.record_version = record->version;
    if (!o.claimed.is_null() && o.claimed == o.recorded) {
      return Status::InvalidField("/claimed_value", "is the value already recorded");
    }
    // One undecided objection per element of a record: the unique index answers kAlreadyExists.
    TB_ASSIGN_OR_RETURN(o.id, ObjectionRepo::Insert(tx, o));
    // Values and the reason only as hashes: the ledger is public, the subject is a person.
    return Step(tx, o, "raise", "subject", 0, o.reason, std::nullopt,
                object{{"dataset", o.dataset}, {"key", o.record_key}, {"version", o.record_version},
                       {"element", o.element}, {"owner", o.owner},
                       {"claimed_hash", HashHex(options_.hash, boost::json::serialize(o.claimed))},
                       {"reason_hash", HashHex(options_.hash, o.reason)}, {"due", o.due_date.ToString()}},
                now_us);
  });
  if (s.code() == ErrorCode::kAlreadyExists) {
    return Status::Conflict("an objection to element " + o.element +
                            " of this record is already waiting for the department's decision");
  }
  TB_RETURN_IF_ERROR(s);
  return o;  // with the step Step() added
}

Result<std::vector<Objection>> ObjectionService::Mine(std::string_view subject_id) {
  std::vector<Objection> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, ObjectionRepo::OfSubject(tx, subject_id));
    return ObjectionRepo::LoadSteps(tx, out);
  }));
  return out;
}

Result<Objection> ObjectionService::MineOne(std::string_view subject_id, int64_t id) {
  Objection o;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, ObjectionRepo::Get(tx, id));
    if (!found || found->subject_id != subject_id) return Status::NotFound("objection", std::to_string(id));
    o = std::move(*found);
    return ObjectionRepo::LoadSteps(tx, std::span(&o, 1));
  }));
  return o;
}

Result<std::vector<Objection>> ObjectionService::Queue(std::string_view department, ObjectionFilter filter) {
  std::vector<Objection> out;
  const int64_t now = clock_.NowUnixMicros() / 1'000'000;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, ObjectionRepo::Queue(tx, department, filter, now, 500));
    return ObjectionRepo::LoadSteps(tx, out);
  }));
  return out;
}

Result<Objection> ObjectionService::Get(std::string_view department, int64_t id) {
  Objection o;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, ObjectionRepo::Get(tx, id));
    if (!found || (!department.empty() && found->owner != department)) {
      return Status::NotFound("objection", std::to_string(id));
    }
    o = std::move(*found);
    return ObjectionRepo::LoadSteps(tx, std::span(&o, 1));
  }));
  return o;
}

Result<Objection> ObjectionService::Accept(const Actor& actor, int64_t id, const value& corrected,
                                           std::string_view note) {
  TB_RETURN_IF_ERROR(CheckValue("/value", corrected));
  TB_RETURN_IF_ERROR(CheckText("/note", note, 0, kMaxText));
  // 1. What to push: the latest version with the element corrected.
  Objection o;
  RecordRow latest;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, ObjectionRepo::Get(tx, id));
    if (!found || found->owner != actor.department) return Status::NotFound("objection", std::to_string(id));
    o = std::move(*found);
    if (!o.Undecided()) {
      return Status::FailedPrecondition("the objection is already " + std::string(ObjectionStateName(o.state)));
    }
    TB_ASSIGN_OR_RETURN(auto record, DataRepo::LatestRecord(tx, o.subject_id, o.dataset, o.record_key));
    if (!record) return Status::DataLoss("the disputed record is gone");
    latest = std::move(*record);
    return Status::Ok();
  }));
  TB_ASSIGN_OR_RETURN(object fields, StoredFields(latest));
  const value* now_held = fields.if_contains(o.element);
  const value held = now_held ? *now_held : value();
  int64_t corrected_version = 0;
  const int64_t now_us = clock_.NowUnixMicros();
  // Closes it, with the step the subject sees: in the corrected version's own transaction when
  // one is pushed, so a concurrent reject cannot leave a corrected record beside a "rejected".
  auto close = [&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(bool changed, ObjectionRepo::Decide(tx, id, ObjectionState::kAccepted, note,
                                                            corrected_version, actor.account_id, now_us / 1'000'000));
    if (!changed) return Status::Conflict("the objection was decided meanwhile");
    return Step(tx, o, "accept", actor.department, actor.account_id, note, corrected_version,
                object{{"by", actor.department}, {"version", corrected_version},
                       {"value_hash", HashHex(options_.hash, boost::json::serialize(corrected))},
                       {"note_hash", HashHex(options_.hash, note)}},
                now_us);
  };
  if (held == corrected) {
    if (latest.version == o.record_version) {
      return Status::InvalidField("/value", "is the value already recorded: reject the objection instead");
    }
    // A newer version already holds it (an earlier Accept pushed it and failed before closing,
    // or the department's system corrected it): close on that version, push nothing.
    corrected_version = latest.version;
  } else {
    // 2. The corrected version, through the department's own push (checks, ledger entry, feed).
    fields[o.element] = corrected;
    const std::string record = boost::json::serialize(object{
        {"subject", o.subject_id}, {"key", o.record_key}, {"version", latest.version + 1}, {"fields", fields}});
    corrected_version = latest.version + 1;
    PushResult pushed;
    Result<PushResult> done = data_.Push(actor, o.dataset, record, false,
                                         [&](store::Tx& tx, const PushResult& so_far) -> Status {
                                           pushed = so_far;
                                           if (!so_far.rejected.empty()) {
                                             return Status::FailedPrecondition("the corrected version was refused");
                                           }
                                           return close(tx);
                                         });
    if (!pushed.rejected.empty()) {
      std::vector<FieldError> errors;
      for (const RecordError& e : pushed.rejected) {
        if (e.element == "version" || e.element == "key") {
          return Status::Conflict("the record changed meanwhile: try again");
        }
        errors.push_back({e.element == o.element ? "/value" : "/value/" + e.element, e.reason});
      }
      std::string first = errors.front().field + ": " + errors.front().reason;
      return Status::InvalidArgument(std::move(first), std::move(errors));
    }
    TB_RETURN_IF_ERROR(done.status());
    return Get(actor.department, id);
  }
  // 3. A newer version already holds the value: close it alone.
  TB_RETURN_IF_ERROR(db_.Transact(close));
  return Get(actor.department, id);
}

Result<Objection> ObjectionService::Reject(const Actor& actor, int64_t id, std::string_view reason) {
  TB_RETURN_IF_ERROR(CheckText("/reason", reason, 1, kMaxText));
  const int64_t now_us = clock_.NowUnixMicros();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, ObjectionRepo::Get(tx, id));
    if (!found || found->owner != actor.department) return Status::NotFound("objection", std::to_string(id));
    if (!found->Undecided()) {
      return Status::FailedPrecondition("the objection is already " + std::string(ObjectionStateName(found->state)));
    }
    TB_ASSIGN_OR_RETURN(bool changed, ObjectionRepo::Decide(tx, id, ObjectionState::kRejected, reason, std::nullopt,
                                                            actor.account_id, now_us / 1'000'000));
    if (!changed) return Status::Conflict("the objection was decided meanwhile");
    return Step(tx, *found, "reject", actor.department, actor.account_id, reason, std::nullopt,
                object{{"by", actor.department}, {"reason_hash", HashHex(options_.hash, reason)}}, now_us);
  }));
  return Get(actor.department, id);
}

Result<int64_t> ObjectionService::EscalateOverdue(int limit) {
  int64_t escalated = 0;
  const int64_t now_us = clock_.NowUnixMicros();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    escalated = 0;
    TB_ASSIGN_OR_RETURN(auto due, ObjectionRepo::Overdue(tx, now_us / 1'000'000, limit));
    for (Objection& o : due) {
      TB_ASSIGN_OR_RETURN(bool changed, ObjectionRepo::Escalate(tx, o.id, now_us / 1'000'000));
      if (!changed) continue;
      TB_RETURN_IF_ERROR(Step(tx, o, "escalate", "system", 0, "", std::nullopt,
                              object{{"owner", o.owner}, {"due", o.due_date.ToString()}}, now_us));
      ++escalated;
    }
    return Status::Ok();
  }));
  return escalated;
}

void ObjectionService::StartSweeps(std::chrono::milliseconds interval) {
  sweep_.Start(interval, [this] {
    if (!EscalateOverdue().ok()) ++sweep_errors_;
  });
}

void ObjectionService::StopSweeps() { sweep_.Stop(); }

}  // namespace tongban::data
