// DataService: the public data platform (公共数据平台) — department data keyed by citizen ID or
// USCC, read only for a named purpose, every read traced where the subject can see it.
//
//   push      a department system pushes record versions of its own datasets (one record or
//             NDJSON); each line validated, the good ones committed with a ledger entry each
//             (keyed subject hash, hash of the version; never plaintext); a version is immutable.
//   agree     a consumer department asks a provider for named elements of a dataset, for a
//             purpose and legal basis, until a date (供需对接); the provider approves or rejects;
//             either side revokes. Every step is a ledger entry.
//   grant     a citizen or enterprise lets a department read named elements of a dataset about
//             them for N days (and withdraws it).
//   read      a department reads a subject's data under an agreement, a grant, or a case (the
//             services part's hook): only the covered elements, each with its source department
//             and record version. The access record is written in the same transaction that
//             decides the read, with its ledger entry: no read without its trace. Concurrent
//             reads share that transaction and its commit (group commit). A read outside
//             every purpose is refused (kPermissionDenied) and counted.
//   my data   the subject's own records, and every read of them (who, which elements, why, when)
//             with the ledger entry that proves it.
//
// Decisions here, SQL in data_repo.cc. Thread-safe; the catalogue, database and clock outlive it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/hash.h"
#include "data/catalogue.h"
#include "data/record.h"
#include "ledger/entry.h"
#include "store/database.h"
#include "store/group_commit.h"
#include "store/migration.h"

namespace tongban::data {

struct DataServiceOptions {
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;  // the ledger suite's hash
  // Keyed hash of a subject ID (the ledger part's SubjectHash): what ledger entries hold.
  std::function<std::array<uint8_t, 32>(std::string_view)> subject_hash;
  size_t max_line_bytes = 64 << 10;  // one NDJSON record
  int64_t max_lines = 100'000;       // one push
  int max_grant_days = 366;
  // Seam for the services part: whether case `case_number` is open in `department` and may read
  // `dataset` about `subject_id`. Absent (until the services part brings cases): case reads are
  // refused.
  std::function<Result<bool>(store::Tx& tx, std::string_view department, std::string_view case_number,
                             std::string_view subject_id, std::string_view dataset)>
      case_open;
  // Reads of concurrent callers decided and traced in one transaction (store/group_commit.h).
  int read_group_max = 64;
  // Called after a push commits new versions, with the feed head (data/feed.h wakes its waiters).
  std::function<void(int64_t head)> on_feed;
};

// Who acts: an account and the catalogue department it belongs to.
struct Actor {
  int64_t account_id = 0;
  std::string department;  // catalogue department key
};

struct PushResult {
  int64_t lines = 0;      // non-blank lines read (1 for a single record)
  int64_t accepted = 0;   // new versions committed
  int64_t unchanged = 0;  // versions already stored with the same fields (a retry)
  std::vector<RecordError> rejected;  // every bad line, in line order
};

enum class AgreementState { kRequested, kApproved, kRejected, kRevoked };
std::string_view AgreementStateName(AgreementState s);

struct Agreement {
  int64_t id = 0;
  std::string consumer;  // department key
  std::string provider;  // department key (the dataset's owner)
  std::string dataset;
  std::vector<std::string> elements;
  std::string purpose;
  std::string legal_basis;
  int64_t valid_until = 0;  // unix seconds
  AgreementState state = AgreementState::kRequested;
  std::string reason;       // of a rejection or revocation
  int64_t created_at = 0;   // unix seconds
  std::optional<int64_t> decided_at;
};

// Why `a` does not allow its consumer to read or follow its dataset at `now` (unix seconds): not
// approved, or expired; empty when it does.
std::string AgreementRefusal(const Agreement& a, int64_t now);

struct AgreementRequest {
  Actor consumer;
  std::string dataset;
  std::vector<std::string> elements;
  std::string purpose;      // 1-200 bytes
  std::string legal_basis;  // 1-200 bytes: the law or regulation that allows the sharing
  int64_t valid_until = 0;  // unix seconds, in the future, at most 3 years ahead
};

struct Grant {
  int64_t id = 0;
  std::string subject_id;
  std::string department;  // key of the department allowed to read
  std::string dataset;
  std::vector<std::string> elements;
  std::string purpose;
  int64_t valid_until = 0;
  int64_t created_at = 0;
  std::optional<int64_t> withdrawn_at;
};

struct GrantRequest {
  std::string subject_id;  // the caller's own subject
  std::string department;  // key
  std::string dataset;
  std::vector<std::string> elements;
  std::string purpose;
  int days = 30;
};

enum class PurposeKind { kAgreement, kGrant, kCase };
std::string_view PurposeKindName(PurposeKind k);

struct ReadRequest {
  Actor reader;
  std::string subject_id;
  std::string dataset;
  std::vector<std::string> elements;  // empty: every element the purpose covers
  PurposeKind purpose = PurposeKind::kAgreement;
  std::string purpose_ref;            // agreement id, grant id, or case number
};

struct ElementValue {
  std::string element;
  boost::json::value value;
  std::string source;  // department key
  std::string record_key;
  int64_t record_version = 0;
  int64_t recorded_at = 0;  // unix seconds
};

struct ReadResult {
  int64_t access_id = 0;
  std::vector<ElementValue> values;  // only covered elements, catalogue order per record
};

// One read of a subject's data, as the subject sees it.
struct AccessRecord {
  int64_t id = 0;
  int64_t at_micros = 0;
  std::string reader_department;  // key
  std::string dataset;
  std::vector<std::string> elements;
  PurposeKind purpose = PurposeKind::kAgreement;
  std::string purpose_ref;
  std::string purpose_text;
  std::string document;  // what the ledger entry commits to (H(document))
  ledger::Entry entry;   // the entry as enqueued, but its index
  uint64_t hint = 0;
  std::optional<uint64_t> leaf;  // where it was found earlier
  bool via_feed = false;  // a change-feed delivery (data/feed.h), not a read
};

struct SubjectRecord {
  std::string dataset;
  std::string owner;
  std::string key;
  int64_t version = 0;
  int64_t recorded_at = 0;
  boost::json::object fields;
};

struct DataStats {
  int64_t records = 0;
  int64_t reads = 0;
  int64_t refused_reads = 0;  // since start
};

class DataService {
 public:
  static std::vector<store::Migration> Migrations();

  DataService(store::Database& db, const Clock& clock, const Catalogue& catalogue,
              DataServiceOptions options);

  const Catalogue& catalogue() const { return catalogue_; }

  // Pushes record versions into `dataset`, which must be `pusher`'s department's own
  // (kPermissionDenied otherwise; kNotFound for an unknown dataset). `body` is one record (JSON
  // object) or NDJSON. Good lines are committed together, bad ones listed; a line that repeats a
  // stored version with the same fields counts as unchanged, with other fields as rejected.
  // `also`, when given, runs in the push's transaction after its versions are written, with the
  // result so far (refused lines included); the push commits only if it succeeds (objections:
  // the corrected version and the objection's decision commit together, or neither).
  Result<PushResult> Push(const Actor& pusher, std::string_view dataset, std::string_view body,
                          bool ndjson,
                          const std::function<Status(store::Tx&, const PushResult&)>& also = {});

  Result<Agreement> RequestAgreement(const AgreementRequest& request);
  // The provider decides. kNotFound (no such agreement, or not the actor's department's),
  // kFailedPrecondition (not requested any more).
  Result<Agreement> DecideAgreement(const Actor& provider, int64_t id, bool approve, std::string_view reason);
  // Either side revokes an approved or requested agreement.
  Result<Agreement> RevokeAgreement(const Actor& actor, int64_t id, std::string_view reason);
  // Agreements where `department` is consumer or provider (every agreement when empty), newest first.
  Result<std::vector<Agreement>> Agreements(std::string_view department);

  Result<Grant> GrantAccess(const GrantRequest& request);
  Result<Grant> WithdrawGrant(std::string_view subject_id, int64_t id);
  Result<std::vector<Grant>> Grants(std::string_view subject_id);

  // The purpose-bound read. kPermissionDenied (no purpose covers it), kInvalidArgument (bad
  // subject, unknown element), kNotFound (unknown dataset).
  Result<ReadResult> Read(const ReadRequest& request);

  // The subject's own records (latest version of each), by dataset.
  Result<std::vector<SubjectRecord>> SubjectRecords(std::string_view subject_id);
  // Every read of the subject's data, newest first, at most `limit` after `before_id` (0: from
  // the newest).
  Result<std::vector<AccessRecord>> AccessLog(std::string_view subject_id, int64_t before_id, int limit);
  // The integrated leaf of an access record's ledger entry (remembered once found); nullopt if
  // not (yet) integrated, or the record no longer matches its entry.
  Result<std::optional<uint64_t>> AccessLeaf(const AccessRecord& record);

  Result<DataStats> Stats();
  int64_t refused_reads() const { return refused_reads_.load(); }
  // A read refused before it reached Read (the caller has no catalogue department): counted too.
  void CountRefusedRead() { ++refused_reads_; }
  // The services part's case check (DataServiceOptions::case_open), installed once cases exist.
  // REQUIRES: before the service is used by more than one thread.
  void SetCaseCheck(decltype(DataServiceOptions::case_open) case_open) { options_.case_open = std::move(case_open); }

 private:
  Result<ledger::Entry> Ledger(store::Tx& tx, std::string_view type, std::string_view subject_id,
                               std::string_view document, int64_t now_micros);
  const Dataset* FindDataset(std::string_view code) const { return catalogue_.FindDataset(code); }
  // A read whose shape Read checked: its dataset and the elements asked for (catalogue order).
  struct CheckedRead {
    const ReadRequest* request;
    const Dataset* dataset;
    std::vector<std::string> wanted;
  };
  // One read inside a group's transaction: a refusal is its answer and writes nothing.
  Result<ReadResult> ReadInTx(store::Tx& tx, const CheckedRead& read);

  store::Database& db_;
  const Clock& clock_;
  const Catalogue& catalogue_;
  DataServiceOptions options_;
  std::atomic<int64_t> refused_reads_{0};
  store::GroupCommit<CheckedRead, ReadResult> reads_;
};

}  // namespace tongban::data
