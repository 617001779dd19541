// The public data platform's decisions; see data_service.h. SQL in data_repo.cc.
#include "data/data_service.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/citizen_id.h"
#include "core/uscc.h"
#include "data/data_repo.h"
#include "ledger/entry_leaf.h"
#include "ledger/log_storage.h"

namespace tongban::data {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr int64_t kMaxAgreementSeconds = 3LL * 366 * 86400;

Status CheckText(std::string_view field, std::string_view text, size_t max) {
  if (text.empty() || text.size() > max) {
    return Status::InvalidField(std::string(field), "must be 1-" + std::to_string(max) + " bytes");
  }
  if (text.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) {
    return Status::InvalidField(std::string(field), "must be one line of text");
  }
  return Status::Ok();
}

// The requested elements, each an element of `dataset`, without repeats, in catalogue order.
Result<std::vector<std::string>> CheckElements(const Dataset& dataset, const std::vector<std::string>& in,
                                               bool allow_empty) {
  if (in.empty() && !allow_empty) return Status::InvalidField("/elements", "name at least one element");
  std::set<std::string> wanted;
  for (size_t i = 0; i < in.size(); ++i) {
    if (dataset.FindElement(in[i]) == nullptr) {
      return Status::InvalidField("/elements/" + std::to_string(i),
                                  "is not a data element of dataset " + dataset.code);
    }
    wanted.insert(in[i]);
  }
  std::vector<std::string> out;
  for (const Element& e : dataset.elements) {
    if (wanted.contains(e.code)) out.push_back(e.code);
  }
  return out;
}

Status CheckSubject(const Dataset& dataset, std::string_view subject, CivilDate today) {
  return dataset.subject == SubjectKind::kPerson ? CitizenId::Parse(subject, today, "subject").status()
                                                 : Uscc::Parse(subject, "subject").status();
}

}  // namespace

std::string_view AgreementStateName(AgreementState s) {
  switch (s) {
    case AgreementState::kRequested: return "requested";
    case AgreementState::kApproved: return "approved";
    case AgreementState::kRejected: return "rejected";
    case AgreementState::kRevoked: return "revoked";
  }
  return "requested";
}

std::string AgreementRefusal(const Agreement& a, int64_t now) {
  if (a.state != AgreementState::kApproved) return "the agreement is " + std::string(AgreementStateName(a.state));
  if (a.valid_until <= now) return "the agreement has expired";
  return {};
}

std::string_view PurposeKindName(PurposeKind k) {
  switch (k) {
    case PurposeKind::kAgreement: return "agreement";
    case PurposeKind::kGrant: return "grant";
    case PurposeKind::kCase: return "case";
  }
  return "agreement";
}

std::vector<store::Migration> DataService::Migrations() { return DataRepo::Migrations(); }

DataService::DataService(store::Database& db, const Clock& clock, const Catalogue& catalogue,
                         DataServiceOptions options)
    : db_(db),
      clock_(clock),
      catalogue_(catalogue),
      options_(std::move(options)),
      reads_(db, static_cast<size_t>(options_.read_group_max),
             [this](store::Tx& tx, const CheckedRead& r) { return ReadInTx(tx, r); }) {}

// A ledger entry for `document` about `subject_id`, enqueued in `tx`.
Result<ledger::Entry> DataService::Ledger(store::Tx& tx, std::string_view type, std::string_view subject_id,
                                          std::string_view document, int64_t now_micros) {
  ledger::Entry e = ledger::DocumentEntry(std::string(type), options_.subject_hash(subject_id), options_.hash,
                                         document, now_micros);
  TB_RETURN_IF_ERROR(ledger::EnqueueEntry(tx, e).status());
  return e;
}

Result<PushResult> DataService::Push(const Actor& pusher, std::string_view dataset_code,
                                     std::string_view body, bool ndjson,
                                     const std::function<Status(store::Tx&, const PushResult&)>& also) {
  const Dataset* dataset = FindDataset(dataset_code);
  if (dataset == nullptr) return Status::NotFound("dataset", dataset_code);
  if (dataset->owner != pusher.department) {
    return Status::PermissionDenied("only the department that owns dataset " + dataset->code +
                                    " pushes records into it");
  }
  const CivilDate today = ChinaDate(clock_.Now());
  PushResult result;
  struct Good {
    int64_t line;
    RecordInput record;
  };
  std::vector<Good> good;
  auto parse = [&](int64_t line, const value& json) {
    RecordInput in;
    std::vector<RecordError> errors = ParseRecord(*dataset, json, today, in);
    if (errors.empty()) {
      good.push_back(Good{line, std::move(in)});
      return;
    }
    for (RecordError& e : errors) {
      e.line = line;
      result.rejected.push_back(std::move(e));
    }
  };
  if (ndjson) {
    TB_ASSIGN_OR_RETURN(result.lines,
                        ForEachNdjsonLine(body, options_.max_line_bytes, options_.max_lines, parse,
                                          [&](RecordError e) { result.rejected.push_back(std::move(e)); }));
  } else {
    boost::system::error_code ec;
    value json = boost::json::parse(body, ec);
    if (ec) return Status::InvalidField("body", "not a JSON value (or not UTF-8)");
    result.lines = 1;
    parse(0, json);
  }

  const int64_t now_us = clock_.NowUnixMicros();
  std::vector<RecordError> conflicts;
  int64_t feed_head = 0;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    result.accepted = result.unchanged = 0;
    conflicts.clear();
    std::vector<ledger::Entry> entries;
    // Feed numbers, taken at the first new version: one per good line (unchanged and refused lines
    // leave gaps, which a cursor does not mind); the head row stays locked until this commits.
    int64_t feed_base = -1;
    for (size_t i = 0; i < good.size(); ++i) {
      const Good& g = good[i];
      const RecordInput& r = g.record;
      const std::string fields = CanonicalFields(*dataset, r.fields);
      TB_ASSIGN_OR_RETURN(auto stored, DataRepo::FindRecord(tx, dataset->code, r.key, r.version));
      if (stored) {
        if (stored->fields == fields && stored->subject_id == r.subject_id) {
          ++result.unchanged;
        } else {
          conflicts.push_back({g.line, "version", "version " + std::to_string(r.version) +
                                                      " of this record is stored with other fields: "
                                                      "push a new version"});
        }
        continue;
      }
      TB_ASSIGN_OR_RETURN(auto owner_subject, DataRepo::RecordSubject(tx, dataset->code, r.key));
      if (owner_subject && *owner_subject != r.subject_id) {
        conflicts.push_back({g.line, "key", "this record key belongs to another subject"});
        continue;
      }
      if (feed_base < 0) {
        TB_ASSIGN_OR_RETURN(feed_head, DataRepo::AdvanceFeedHead(tx, static_cast<int64_t>(good.size())));
        feed_base = feed_head - static_cast<int64_t>(good.size());
      }
      TB_RETURN_IF_ERROR(DataRepo::InsertRecord(
          tx, RecordRow{0, dataset->code, r.subject_id, r.key, r.version, fields, dataset->owner,
                        pusher.account_id, now_us / 1'000'000, feed_base + static_cast<int64_t>(i) + 1}));
      // The version's ledger entry commits to its dataset, key, version and fields.
      const std::string document = boost::json::serialize(
          object{{"dataset", dataset->code}, {"key", r.key}, {"version", r.version},
                 {"fields_hash", crypto::ToHex(crypto::Hash(options_.hash, fields))}});
      entries.push_back(
          ledger::DocumentEntry("data.record", options_.subject_hash(r.subject_id), options_.hash, document, now_us));
      ++result.accepted;
    }
    TB_RETURN_IF_ERROR(ledger::EnqueueEntries(tx, entries));
    if (!also) return Status::Ok();
    PushResult so_far = result;
    so_far.rejected.insert(so_far.rejected.end(), conflicts.begin(), conflicts.end());
    return also(tx, so_far);
  });
  TB_RETURN_IF_ERROR(s);
  if (result.accepted > 0 && options_.on_feed) options_.on_feed(feed_head);
  result.rejected.insert(result.rejected.end(), conflicts.begin(), conflicts.end());
  std::stable_sort(result.rejected.begin(), result.rejected.end(),
                   [](const RecordError& a, const RecordError& b) { return a.line < b.line; });
  return result;
}

Result<Agreement> DataService::RequestAgreement(const AgreementRequest& request) {
  const Dataset* dataset = FindDataset(request.dataset);
  if (dataset == nullptr) return Status::InvalidField("/dataset", "is not a dataset of the catalogue");
  if (catalogue_.DepartmentByKey(request.consumer.department) == nullptr) {
    return Status::PermissionDenied("the caller's department is not in the data catalogue");
  }
  if (dataset->owner == request.consumer.department) {
    return Status::InvalidField("/dataset", "is the caller's own department's: no agreement is needed");
  }
  Agreement a;
  TB_ASSIGN_OR_RETURN(a.elements, CheckElements(*dataset, request.elements, false));
  TB_RETURN_IF_ERROR(CheckText("/purpose", request.purpose, 200));
  TB_RETURN_IF_ERROR(CheckText("/legal_basis", request.legal_basis, 200));
  const int64_t now = clock_.NowUnixMicros() / 1'000'000;
  if (request.valid_until <= now || request.valid_until > now + kMaxAgreementSeconds) {
    return Status::InvalidField("/until", "must be in the future, at most three years ahead");
  }
  a.consumer = request.consumer.department;
  a.provider = dataset->owner;
  a.dataset = dataset->code;
  a.purpose = request.purpose;
  a.legal_basis = request.legal_basis;
  a.valid_until = request.valid_until;
  a.state = AgreementState::kRequested;
  a.created_at = now;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(a.id, DataRepo::InsertAgreement(tx, a, request.consumer.account_id));
    const std::string doc = boost::json::serialize(
        object{{"agreement", a.id}, {"action", "request"}, {"consumer", a.consumer},
               {"provider", a.provider}, {"dataset", a.dataset}, {"elements", ElementsArray(a.elements)},
               {"purpose", a.purpose}, {"legal_basis", a.legal_basis}, {"until", a.valid_until}});
    return Ledger(tx, "data.agreement", catalogue_.DepartmentByKey(a.consumer)->uscc, doc,
                  clock_.NowUnixMicros())
        .status();
  }));
  return a;
}

Result<Agreement> DataService::DecideAgreement(const Actor& provider, int64_t id, bool approve,
                                               std::string_view reason) {
  if (!approve) TB_RETURN_IF_ERROR(CheckText("/reason", reason, 200));
  Agreement a;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, DataRepo::GetAgreement(tx, id));
    if (!found || found->provider != provider.department) {
      return Status::NotFound("agreement", std::to_string(id));
    }
    a = *found;
    if (a.state != AgreementState::kRequested) {
      return Status::FailedPrecondition("the agreement is " + std::string(AgreementStateName(a.state)) +
                                        ", not waiting for a decision");
    }
    const int64_t now = clock_.NowUnixMicros() / 1'000'000;
    const AgreementState to = approve ? AgreementState::kApproved : AgreementState::kRejected;
    TB_ASSIGN_OR_RETURN(bool changed, DataRepo::SetAgreementState(tx, id, a.state, to, reason,
                                                                  provider.account_id, now));
    if (!changed) return Status::Conflict("the agreement changed meanwhile");
    a.state = to;
    a.reason = std::string(reason);
    a.decided_at = now;
    const std::string doc = boost::json::serialize(
        object{{"agreement", a.id}, {"action", approve ? "approve" : "reject"}, {"reason", a.reason}});
    return Ledger(tx, "data.agreement", catalogue_.DepartmentByKey(a.consumer)->uscc, doc,
                  clock_.NowUnixMicros())
        .status();
  }));
  return a;
}

Result<Agreement> DataService::RevokeAgreement(const Actor& actor, int64_t id, std::string_view reason) {
  TB_RETURN_IF_ERROR(CheckText("/reason", reason, 200));
  Agreement a;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, DataRepo::GetAgreement(tx, id));
    if (!found || (found->provider != actor.department && found->consumer != actor.department)) {
      return Status::NotFound("agreement", std::to_string(id));
    }
    a = *found;
    if (a.state != AgreementState::kRequested && a.state != AgreementState::kApproved) {
      return Status::FailedPrecondition("the agreement is already " +
                                        std::string(AgreementStateName(a.state)));
    }
    const int64_t now = clock_.NowUnixMicros() / 1'000'000;
    TB_ASSIGN_OR_RETURN(bool changed, DataRepo::SetAgreementState(tx, id, a.state, AgreementState::kRevoked,
                                                                  reason, actor.account_id, now));
    if (!changed) return Status::Conflict("the agreement changed meanwhile");
    a.state = AgreementState::kRevoked;
    a.reason = std::string(reason);
    a.decided_at = now;
    const std::string doc = boost::json::serialize(object{
        {"agreement", a.id}, {"action", "revoke"}, {"by", actor.department}, {"reason", a.reason}});
    return Ledger(tx, "data.agreement", catalogue_.DepartmentByKey(a.consumer)->uscc, doc,
                  clock_.NowUnixMicros())
        .status();
  }));
  return a;
}

Result<std::vector<Agreement>> DataService::Agreements(std::string_view department) {
  std::vector<Agreement> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, DataRepo::ListAgreements(tx, department));
    return Status::Ok();
  }));
  return out;
}

Result<Grant> DataService::GrantAccess(const GrantRequest& request) {
  const Dataset* dataset = FindDataset(request.dataset);
  if (dataset == nullptr) return Status::InvalidField("/dataset", "is not a dataset of the catalogue");
  if (catalogue_.DepartmentByKey(request.department) == nullptr) {
    return Status::InvalidField("/department", "is not a department of the catalogue");
  }
  if (!CheckSubject(*dataset, request.subject_id, ChinaDate(clock_.Now())).ok()) {
    return Status::InvalidField("/dataset", "is not about the caller (a person's or an enterprise's data)");
  }
  Grant g;
  TB_ASSIGN_OR_RETURN(g.elements, CheckElements(*dataset, request.elements, false));
  TB_RETURN_IF_ERROR(CheckText("/purpose", request.purpose, 200));
  if (request.days < 1 || request.days > options_.max_grant_days) {
    return Status::InvalidField("/days", "must be 1-" + std::to_string(options_.max_grant_days));
  }
  const int64_t now = clock_.NowUnixMicros() / 1'000'000;
  g.subject_id = request.subject_id;
  g.department = request.department;
  g.dataset = dataset->code;
  g.purpose = request.purpose;
  g.valid_until = now + int64_t{request.days} * 86400;
  g.created_at = now;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(g.id, DataRepo::InsertGrant(tx, g));
    const std::string doc = boost::json::serialize(
        object{{"grant", g.id}, {"action", "grant"}, {"department", g.department}, {"dataset", g.dataset},
               {"elements", ElementsArray(g.elements)}, {"purpose", g.purpose}, {"until", g.valid_until}});
    return Ledger(tx, "data.grant", g.subject_id, doc, clock_.NowUnixMicros()).status();
  }));
  return g;
}

Result<Grant> DataService::WithdrawGrant(std::string_view subject_id, int64_t id) {
  Grant g;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, DataRepo::GetGrant(tx, id));
    if (!found || found->subject_id != subject_id) return Status::NotFound("grant", std::to_string(id));
    g = *found;
    if (g.withdrawn_at) return Status::FailedPrecondition("the grant is already withdrawn");
    const int64_t now = clock_.NowUnixMicros() / 1'000'000;
    TB_ASSIGN_OR_RETURN(bool changed, DataRepo::WithdrawGrant(tx, id, now));
    if (!changed) return Status::Conflict("the grant changed meanwhile");
    g.withdrawn_at = now;
    const std::string doc = boost::json::serialize(object{{"grant", g.id}, {"action", "withdraw"}});
    return Ledger(tx, "data.grant", g.subject_id, doc, clock_.NowUnixMicros()).status();
  }));
  return g;
}

Result<std::vector<Grant>> DataService::Grants(std::string_view subject_id) {
  std::vector<Grant> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, DataRepo::ListGrants(tx, subject_id));
    return Status::Ok();
  }));
  return out;
}

Result<ReadResult> DataService::Read(const ReadRequest& request) {
  const Dataset* dataset = FindDataset(request.dataset);
  if (dataset == nullptr) return Status::NotFound("dataset", request.dataset);
  TB_RETURN_IF_ERROR(CheckSubject(*dataset, request.subject_id, ChinaDate(clock_.Now())));
  TB_ASSIGN_OR_RETURN(std::vector<std::string> wanted, CheckElements(*dataset, request.elements, true));
  if (catalogue_.DepartmentByKey(request.reader.department) == nullptr) {
    ++refused_reads_;
    return Status::PermissionDenied("the caller's department is not in the data catalogue");
  }
  // Decided, traced and committed with the reads of other callers (group commit): one fsync for
  // a group, the access record of each in the transaction that decides it.
  Result<ReadResult> r = reads_.Run(CheckedRead{&request, dataset, std::move(wanted)});
  if (!r.ok() && r.status().code() == ErrorCode::kPermissionDenied) ++refused_reads_;
  return r;
}

Result<ReadResult> DataService::ReadInTx(store::Tx& tx, const CheckedRead& read) {
  const ReadRequest& request = *read.request;
  const Dataset* dataset = read.dataset;
  const std::vector<std::string>& wanted = read.wanted;
  ReadResult result;
  const int64_t now_us = clock_.NowUnixMicros();
  const int64_t now = now_us / 1'000'000;
  // What the purpose covers, decided in the transaction that writes the access record.
  std::vector<std::string> covered;
  std::string purpose_text;
  auto refuse = [](std::string why) { return Status::PermissionDenied(std::move(why)); };
  switch (request.purpose) {
    case PurposeKind::kAgreement: {
      int64_t id = 0;
      const auto [p, ec] = std::from_chars(request.purpose_ref.data(),
                                           request.purpose_ref.data() + request.purpose_ref.size(), id);
      if (ec != std::errc() || p != request.purpose_ref.data() + request.purpose_ref.size() || id < 1) {
        return refuse("no such agreement");
      }
      TB_ASSIGN_OR_RETURN(auto a, DataRepo::GetAgreement(tx, id));
      if (!a || a->consumer != request.reader.department) return refuse("no such agreement of the caller's department");
      if (a->dataset != dataset->code) return refuse("the agreement is for another dataset");
      if (std::string why = AgreementRefusal(*a, now); !why.empty()) return refuse(std::move(why));
      covered = a->elements;
      purpose_text = a->purpose;
      break;
    }
    case PurposeKind::kGrant: {
      int64_t id = 0;
      const auto [p, ec] = std::from_chars(request.purpose_ref.data(),
                                           request.purpose_ref.data() + request.purpose_ref.size(), id);
      if (ec != std::errc() || p != request.purpose_ref.data() + request.purpose_ref.size() || id < 1) {
        return refuse("no such grant");
      }
      TB_ASSIGN_OR_RETURN(auto g, DataRepo::GetGrant(tx, id));
      if (!g || g->subject_id != request.subject_id || g->department != request.reader.department) {
        return refuse("no such grant to the caller's department about this subject");
      }
      if (g->dataset != dataset->code) return refuse("the grant is for another dataset");
      if (g->withdrawn_at) return refuse("the subject withdrew the grant");
      if (g->valid_until <= now) return refuse("the grant has expired");
      covered = g->elements;
      purpose_text = g->purpose;
      break;
    }
    case PurposeKind::kCase: {
      if (request.purpose_ref.empty() || request.purpose_ref.size() > 64) return refuse("no such case");
      if (!options_.case_open) return refuse("cases are not handled on this node");
      const std::string& dept_name = catalogue_.DepartmentByKey(request.reader.department)->name_zh;
      TB_ASSIGN_OR_RETURN(bool open, options_.case_open(tx, dept_name, request.purpose_ref,
                                                        request.subject_id, dataset->code));
      if (!open) return refuse("no open case of the caller's department needs this data");
      for (const Element& e : dataset->elements) covered.push_back(e.code);
      purpose_text = "case " + request.purpose_ref;
      break;
    }
  }
  std::vector<std::string> elements;
  if (wanted.empty()) {
    elements = covered;
  } else {
    for (const std::string& e : wanted) {
      if (std::find(covered.begin(), covered.end(), e) == covered.end()) {
        return refuse("element " + e + " is not covered by the purpose");
      }
    }
    elements = wanted;
  }
  TB_ASSIGN_OR_RETURN(auto records, DataRepo::LatestRecords(tx, request.subject_id, dataset->code));
  result.values.clear();
  for (const RecordRow& r : records) {
    TB_ASSIGN_OR_RETURN(object fields, StoredFields(r));
    for (const std::string& e : elements) {
      if (const value* v = fields.if_contains(e)) {
        result.values.push_back(ElementValue{e, *v, r.owner, r.key, r.version, r.created_at});
      }
    }
  }
  // The access record and its ledger entry: in this transaction, or no answer.
  AccessRecord a;
  a.at_micros = now_us;
  a.reader_department = request.reader.department;
  a.dataset = dataset->code;
  a.elements = elements;
  a.purpose = request.purpose;
  a.purpose_ref = request.purpose_ref;
  a.purpose_text = purpose_text;
  a.document = boost::json::serialize(
      object{{"read", "data"}, {"reader_department", a.reader_department},
             {"reader_account", request.reader.account_id}, {"dataset", a.dataset},
             {"elements", ElementsArray(a.elements)}, {"purpose", PurposeKindName(a.purpose)},
             {"purpose_ref", a.purpose_ref}, {"time", now_us}});
  TB_ASSIGN_OR_RETURN(a.hint, ledger::LogSizeHint(tx));
  TB_ASSIGN_OR_RETURN(a.entry, Ledger(tx, "data.read", request.subject_id, a.document, now_us));
  TB_ASSIGN_OR_RETURN(result.access_id,
                      DataRepo::InsertAccess(tx, request.subject_id, request.reader.account_id, a));
  return result;
}


Result<std::vector<SubjectRecord>> DataService::SubjectRecords(std::string_view subject_id) {
  std::vector<SubjectRecord> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, DataRepo::LatestRecords(tx, subject_id, ""));
    for (const RecordRow& r : rows) {
      TB_ASSIGN_OR_RETURN(object fields, StoredFields(r));
      out.push_back(SubjectRecord{r.dataset, r.owner, r.key, r.version, r.created_at, std::move(fields)});
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<AccessRecord>> DataService::AccessLog(std::string_view subject_id, int64_t before_id,
                                                         int limit) {
  std::vector<AccessRecord> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, DataRepo::ListAccess(tx, subject_id, before_id, std::clamp(limit, 1, 200)));
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<uint64_t>> DataService::AccessLeaf(const AccessRecord& record) {
  // The entry as it must read: recomputed from the stored document, so an altered record no
  // longer matches its leaf (reported, never proven).
  ledger::Entry expected = record.entry;
  expected.document = crypto::Hash(options_.hash, record.document);
  std::optional<uint64_t> leaf;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(leaf, ledger::FindEntryLeaf(tx, expected, record.hint, record.leaf));
    return Status::Ok();
  }));
  if (leaf && !record.leaf) {
    // Remember it: the next look reads one entry instead of scanning. Best effort.
    (void)db_.Transact([&](store::Tx& tx) {
      return record.via_feed ? DataRepo::SetDeliveryLeaf(tx, record.id, *leaf)
                             : DataRepo::SetAccessLeaf(tx, record.id, *leaf);
    });
  }
  return leaf;
}

Result<DataStats> DataService::Stats() {
  DataStats s;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(s, DataRepo::Counts(tx));
    return Status::Ok();
  }));
  s.refused_reads = refused_reads_.load();
  return s;
}

}  // namespace tongban::data
