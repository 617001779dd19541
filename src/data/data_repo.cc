// The data part's SQL; see data_repo.h.
#include "data/data_repo.h"

#include <boost/json.hpp>

namespace tongban::data {
namespace {

AgreementState StateFrom(std::string_view s) {
  if (s == "approved") return AgreementState::kApproved;
  if (s == "rejected") return AgreementState::kRejected;
  if (s == "revoked") return AgreementState::kRevoked;
  return AgreementState::kRequested;
}

PurposeKind PurposeFrom(std::string_view s) {
  if (s == "grant") return PurposeKind::kGrant;
  if (s == "case") return PurposeKind::kCase;
  return PurposeKind::kAgreement;
}

constexpr std::string_view kRecordColumns =
    "id, dataset, subject_id, record_key, version, fields, owner, pushed_by, created_at, feed_seq";

RecordRow RecordFrom(const store::Row& r) {
  return RecordRow{r.Int64(0), std::string(r.Text(1)), std::string(r.Text(2)), std::string(r.Text(3)),
                   r.Int64(4), std::string(r.Text(5)), std::string(r.Text(6)), r.Int64(7), r.Int64(8),
                   r.OptInt64(9).value_or(0)};
}

constexpr std::string_view kAgreementColumns =
    "id, consumer, provider, dataset, elements, purpose, legal_basis, valid_until, state, reason, "
    "created_at, decided_at";

Agreement AgreementFrom(const store::Row& r) {
  Agreement a;
  a.id = r.Int64(0);
  a.consumer = r.Text(1);
  a.provider = r.Text(2);
  a.dataset = r.Text(3);
  a.elements = ParseElements(r.Text(4));
  a.purpose = r.Text(5);
  a.legal_basis = r.Text(6);
  a.valid_until = r.Int64(7);
  a.state = StateFrom(r.Text(8));
  a.reason = r.Text(9);
  a.created_at = r.Int64(10);
  a.decided_at = r.OptInt64(11);
  return a;
}

constexpr std::string_view kGrantColumns =
    "id, subject_id, department, dataset, elements, purpose, valid_until, created_at, withdrawn_at";

Grant GrantFrom(const store::Row& r) {
  Grant g;
  g.id = r.Int64(0);
  g.subject_id = r.Text(1);
  g.department = r.Text(2);
  g.dataset = r.Text(3);
  g.elements = ParseElements(r.Text(4));
  g.purpose = r.Text(5);
  g.valid_until = r.Int64(6);
  g.created_at = r.Int64(7);
  g.withdrawn_at = r.OptInt64(8);
  return g;
}

// The trace columns of an access or delivery row from column `at`: at_micros, document,
// entry_type, entry_subject, entry_document, ledger_hint, leaf.
void ReadTrace(const store::Row& r, int at, AccessRecord& a) {
  a.at_micros = r.Int64(at);
  a.document = r.Text(at + 1);
  a.entry.type = r.Text(at + 2);
  auto subject = r.Blob(at + 3);
  auto document = r.Blob(at + 4);
  if (subject.size() == a.entry.subject.size()) std::copy(subject.begin(), subject.end(), a.entry.subject.begin());
  if (document.size() == a.entry.document.size()) std::copy(document.begin(), document.end(), a.entry.document.begin());
  a.entry.time_micros = a.at_micros;
  a.hint = static_cast<uint64_t>(r.Int64(at + 5));
  if (auto leaf = r.OptInt64(at + 6)) a.leaf = static_cast<uint64_t>(*leaf);
}

std::string Sql(std::string_view a, std::string_view b, std::string_view c = {}) {
  return std::string(a) + std::string(b) + std::string(c);
}

}  // namespace

Result<boost::json::object> StoredFields(const RecordRow& row) {
  boost::system::error_code ec;
  boost::json::value fields = boost::json::parse(row.fields, ec);
  if (ec || !fields.is_object()) return Status::DataLoss("a stored record's fields are not JSON");
  return std::move(fields.as_object());
}

boost::json::array ElementsArray(const std::vector<std::string>& elements) {
  boost::json::array a;
  for (const auto& e : elements) a.emplace_back(e);
  return a;
}

std::string ElementsJson(const std::vector<std::string>& elements) {
  return boost::json::serialize(ElementsArray(elements));
}

std::vector<std::string> ParseElements(std::string_view json) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string());
  }
  return out;
}

std::vector<store::Migration> DataRepo::Migrations() {
  return {
      {.part = "data", .version = 1, .sql = R"sql(
        CREATE TABLE data_record (
          id {{id}},
          dataset TEXT NOT NULL,
          subject_id TEXT NOT NULL,
          record_key TEXT NOT NULL,
          version {{int64}} NOT NULL,
          fields TEXT NOT NULL,
          owner TEXT NOT NULL,
          pushed_by {{int64}} NOT NULL,
          created_at {{int64}} NOT NULL,
          UNIQUE (dataset, record_key, version)
        );
        CREATE INDEX data_record_subject ON data_record (subject_id, dataset, record_key, version);
        CREATE TABLE data_agreement (
          id {{id}},
          consumer TEXT NOT NULL,
          provider TEXT NOT NULL,
          dataset TEXT NOT NULL,
          elements TEXT NOT NULL,
          purpose TEXT NOT NULL,
          legal_basis TEXT NOT NULL,
          valid_until {{int64}} NOT NULL,
          state TEXT NOT NULL,
          reason TEXT NOT NULL,
          requested_by {{int64}} NOT NULL,
          decided_by {{int64}},
          created_at {{int64}} NOT NULL,
          decided_at {{int64}}
        );
        CREATE INDEX data_agreement_consumer ON data_agreement (consumer);
        CREATE INDEX data_agreement_provider ON data_agreement (provider);
        CREATE TABLE data_grant (
          id {{id}},
          subject_id TEXT NOT NULL,
          department TEXT NOT NULL,
          dataset TEXT NOT NULL,
          elements TEXT NOT NULL,
          purpose TEXT NOT NULL,
          valid_until {{int64}} NOT NULL,
          created_at {{int64}} NOT NULL,
          withdrawn_at {{int64}}
        );
        CREATE INDEX data_grant_subject ON data_grant (subject_id);
        CREATE TABLE data_access (
          id {{id}},
          subject_id TEXT NOT NULL,
          reader_account {{int64}} NOT NULL,
          reader_department TEXT NOT NULL,
          dataset TEXT NOT NULL,
          elements TEXT NOT NULL,
          purpose_kind TEXT NOT NULL,
          purpose_ref TEXT NOT NULL,
          purpose TEXT NOT NULL,
          at_micros {{int64}} NOT NULL,
          document TEXT NOT NULL,
          entry_type TEXT NOT NULL,
          entry_subject {{blob}} NOT NULL,
          entry_document {{blob}} NOT NULL,
          ledger_hint {{int64}} NOT NULL,
          leaf {{int64}}
        );
        CREATE INDEX data_access_subject ON data_access (subject_id, id);
      )sql"},
      // The change feed (数据高铁): feed_seq numbers record versions in commit order (taken from
      // the one row of data_feed_head, whose row lock is held until commit, so no version with a
      // smaller number can commit later); data_feed_delivery traces every batch delivered to an
      // agreement's consumer (the subject finds their versions by feed_seq in its range).
      {.part = "data", .version = 2, .sql = R"sql(
        ALTER TABLE data_record ADD COLUMN feed_seq {{int64}};
        UPDATE data_record SET feed_seq = id;
        CREATE UNIQUE INDEX data_record_feed ON data_record (dataset, feed_seq);
        CREATE TABLE data_feed_head (id {{int64}} PRIMARY KEY, seq {{int64}} NOT NULL);
        INSERT INTO data_feed_head (id, seq) SELECT 1, COALESCE(MAX(id), 0) FROM data_record;
        CREATE TABLE data_feed_delivery (
          id {{id}},
          agreement_id {{int64}} NOT NULL,
          consumer TEXT NOT NULL,
          consumer_account {{int64}} NOT NULL,
          dataset TEXT NOT NULL,
          elements TEXT NOT NULL,
          from_seq {{int64}} NOT NULL,
          to_seq {{int64}} NOT NULL,
          records {{int64}} NOT NULL,
          at_micros {{int64}} NOT NULL,
          document TEXT NOT NULL,
          entry_type TEXT NOT NULL,
          entry_subject {{blob}} NOT NULL,
          entry_document {{blob}} NOT NULL,
          ledger_hint {{int64}} NOT NULL,
          leaf {{int64}}
        );
        CREATE INDEX data_feed_delivery_range ON data_feed_delivery (dataset, to_seq);
      )sql"},
  };
}

Status DataRepo::InsertRecord(store::Tx& tx, const RecordRow& row) {
  return tx.Exec("INSERT INTO data_record (dataset, subject_id, record_key, version, fields, owner, "
                 "pushed_by, created_at, feed_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {row.dataset, row.subject_id, row.key, row.version, row.fields, row.owner,
                  row.pushed_by, row.created_at, row.feed_seq})
      .status();
}

Result<std::optional<RecordRow>> DataRepo::FindRecord(store::Tx& tx, std::string_view dataset,
                                                      std::string_view key, int64_t version) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(Sql("SELECT ", kRecordColumns,
                                                " FROM data_record WHERE dataset = ? AND record_key = ? "
                                                "AND version = ?"),
                                            {dataset, key, version}));
  if (!row) return std::optional<RecordRow>();
  return std::optional<RecordRow>(RecordFrom(*row));
}

Result<std::optional<std::string>> DataRepo::RecordSubject(store::Tx& tx, std::string_view dataset,
                                                           std::string_view key) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT subject_id FROM data_record WHERE dataset = ? AND "
                                            "record_key = ? LIMIT 1",
                                            {dataset, key}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(row->Text(0)));
}

Result<std::optional<RecordRow>> DataRepo::LatestRecord(store::Tx& tx, std::string_view subject_id,
                                                        std::string_view dataset, std::string_view key) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(Sql("SELECT ", kRecordColumns,
                                                " FROM data_record WHERE subject_id = ? AND dataset = ? "
                                                "AND record_key = ? ORDER BY version DESC LIMIT 1"),
                                            {subject_id, dataset, key}));
  if (!row) return std::optional<RecordRow>();
  return std::optional<RecordRow>(RecordFrom(*row));
}

Result<std::vector<RecordRow>> DataRepo::LatestRecords(store::Tx& tx, std::string_view subject_id,
                                                       std::string_view dataset) {
  // The newest version per (dataset, key): no newer row of the same record exists.
  const std::string sql = Sql("SELECT ", kRecordColumns,
                              " FROM data_record r WHERE subject_id = ? AND (? = '' OR dataset = ?) "
                              "AND NOT EXISTS (SELECT 1 FROM data_record n WHERE n.dataset = r.dataset "
                              "AND n.record_key = r.record_key AND n.version > r.version) "
                              "ORDER BY dataset, record_key");
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {subject_id, dataset, dataset}));
  std::vector<RecordRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(RecordFrom(r));
  return out;
}

Result<int64_t> DataRepo::InsertAgreement(store::Tx& tx, const Agreement& a, int64_t requested_by) {
  return tx.InsertReturningId(
      "INSERT INTO data_agreement (consumer, provider, dataset, elements, purpose, legal_basis, "
      "valid_until, state, reason, requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) "
      "RETURNING id",
      {a.consumer, a.provider, a.dataset, ElementsJson(a.elements), a.purpose, a.legal_basis,
       a.valid_until, AgreementStateName(a.state), requested_by, a.created_at});
}

Result<std::optional<Agreement>> DataRepo::GetAgreement(store::Tx& tx, int64_t id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(Sql("SELECT ", kAgreementColumns,
                                                " FROM data_agreement WHERE id = ?"),
                                            {id}));
  if (!row) return std::optional<Agreement>();
  return std::optional<Agreement>(AgreementFrom(*row));
}

Result<bool> DataRepo::SetAgreementState(store::Tx& tx, int64_t id, AgreementState from,
                                         AgreementState to, std::string_view reason, int64_t account,
                                         int64_t at) {
  TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE data_agreement SET state = ?, reason = ?, "
                                         "decided_by = ?, decided_at = ? WHERE id = ? AND state = ?",
                                         {AgreementStateName(to), reason, account, at, id,
                                          AgreementStateName(from)}));
  return n == 1;
}

Result<std::vector<Agreement>> DataRepo::ListAgreements(store::Tx& tx, std::string_view department) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(Sql("SELECT ", kAgreementColumns,
                                              " FROM data_agreement WHERE ? = '' OR consumer = ? OR "
                                              "provider = ? ORDER BY id DESC LIMIT 1000"),
                                          {department, department, department}));
  std::vector<Agreement> out;
  for (const auto& r : rows) out.push_back(AgreementFrom(r));
  return out;
}

Result<int64_t> DataRepo::InsertGrant(store::Tx& tx, const Grant& g) {
  return tx.InsertReturningId(
      "INSERT INTO data_grant (subject_id, department, dataset, elements, purpose, valid_until, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {g.subject_id, g.department, g.dataset, ElementsJson(g.elements), g.purpose, g.valid_until,
       g.created_at});
}

Result<std::optional<Grant>> DataRepo::GetGrant(store::Tx& tx, int64_t id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(Sql("SELECT ", kGrantColumns, " FROM data_grant WHERE id = ?"),
                                            {id}));
  if (!row) return std::optional<Grant>();
  return std::optional<Grant>(GrantFrom(*row));
}

Result<bool> DataRepo::WithdrawGrant(store::Tx& tx, int64_t id, int64_t at) {
  TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE data_grant SET withdrawn_at = ? WHERE id = ? AND "
                                         "withdrawn_at IS NULL",
                                         {at, id}));
  return n == 1;
}

Result<std::vector<Grant>> DataRepo::ListGrants(store::Tx& tx, std::string_view subject_id) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(Sql("SELECT ", kGrantColumns,
                                              " FROM data_grant WHERE subject_id = ? ORDER BY id DESC "
                                              "LIMIT 1000"),
                                          {subject_id}));
  std::vector<Grant> out;
  for (const auto& r : rows) out.push_back(GrantFrom(r));
  return out;
}

Result<int64_t> DataRepo::InsertAccess(store::Tx& tx, std::string_view subject_id, int64_t reader_account,
                                       const AccessRecord& a) {
  return tx.InsertReturningId(
      "INSERT INTO data_access (subject_id, reader_account, reader_department, dataset, elements, "
      "purpose_kind, purpose_ref, purpose, at_micros, document, entry_type, entry_subject, "
      "entry_document, ledger_hint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {subject_id, reader_account, a.reader_department, a.dataset, ElementsJson(a.elements),
       PurposeKindName(a.purpose), a.purpose_ref, a.purpose_text, a.at_micros, a.document,
       a.entry.type, store::Param::Blob(std::span<const uint8_t>(a.entry.subject)),
       store::Param::Blob(std::span<const uint8_t>(a.entry.document)), static_cast<int64_t>(a.hint)});
}

Result<std::vector<AccessRecord>> DataRepo::ListAccess(store::Tx& tx, std::string_view subject_id,
                                                       int64_t before_id, int limit) {
  TB_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT id, reader_department, dataset, elements, purpose_kind, purpose_ref, purpose, "
               "at_micros, document, entry_type, entry_subject, entry_document, ledger_hint, leaf "
               "FROM data_access WHERE subject_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
               {subject_id, before_id, before_id, limit}));
  std::vector<AccessRecord> out;
  for (const auto& r : rows) {
    AccessRecord a;
    a.id = r.Int64(0);
    a.reader_department = r.Text(1);
    a.dataset = r.Text(2);
    a.elements = ParseElements(r.Text(3));
    a.purpose = PurposeFrom(r.Text(4));
    a.purpose_ref = r.Text(5);
    a.purpose_text = r.Text(6);
    ReadTrace(r, 7, a);
    out.push_back(std::move(a));
  }
  return out;
}

Status DataRepo::SetAccessLeaf(store::Tx& tx, int64_t id, uint64_t leaf) {
  return tx.Exec("UPDATE data_access SET leaf = ? WHERE id = ?", {static_cast<int64_t>(leaf), id}).status();
}

Result<DataStats> DataRepo::Counts(store::Tx& tx) {
  DataStats s;
  TB_ASSIGN_OR_RETURN(auto records, tx.QueryRow("SELECT COUNT(*) FROM data_record"));
  TB_ASSIGN_OR_RETURN(auto reads, tx.QueryRow("SELECT COUNT(*) FROM data_access"));
  s.records = records ? records->Int64(0) : 0;
  s.reads = reads ? reads->Int64(0) : 0;
  return s;
}


Result<int64_t> DataRepo::AdvanceFeedHead(store::Tx& tx, int64_t n) {
  TB_RETURN_IF_ERROR(tx.Exec("UPDATE data_feed_head SET seq = seq + ? WHERE id = 1", {n}).status());
  return FeedHead(tx);
}

Result<int64_t> DataRepo::FeedHead(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT seq FROM data_feed_head WHERE id = 1", {}));
  if (!row) return Status::DataLoss("the change feed's head row is missing");
  return row->Int64(0);
}

Result<std::vector<RecordRow>> DataRepo::FeedRecords(store::Tx& tx, std::string_view dataset,
                                                     int64_t after_seq, int limit) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(Sql("SELECT ", kRecordColumns,
                                              " FROM data_record WHERE dataset = ? AND feed_seq > ? "
                                              "ORDER BY feed_seq LIMIT ?"),
                                          {dataset, after_seq, limit}));
  std::vector<RecordRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(RecordFrom(r));
  return out;
}

Result<int64_t> DataRepo::InsertDelivery(store::Tx& tx, const DeliveryRow& d) {
  const ledger::Entry& e = d.trace.entry;
  TB_ASSIGN_OR_RETURN(
      int64_t row,
      tx.InsertReturningId(
          "INSERT INTO data_feed_delivery (agreement_id, consumer, consumer_account, dataset, "
          "elements, from_seq, to_seq, records, at_micros, document, entry_type, entry_subject, "
          "entry_document, ledger_hint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          {d.agreement_id, d.consumer, d.consumer_account, d.dataset, ElementsJson(d.elements),
           d.from_seq, d.to_seq, d.records, d.trace.at_micros, d.trace.document, e.type,
           store::Param::Blob(std::span<const uint8_t>(e.subject)),
           store::Param::Blob(std::span<const uint8_t>(e.document)), static_cast<int64_t>(d.trace.hint)}));
  return row;
}

Result<std::vector<AccessRecord>> DataRepo::ListDeliveries(store::Tx& tx, std::string_view subject_id,
                                                           int limit) {
  TB_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT DISTINCT d.id, d.consumer, d.dataset, d.elements, d.agreement_id, a.purpose, "
               "d.at_micros, d.document, d.entry_type, d.entry_subject, d.entry_document, d.ledger_hint, d.leaf "
               "FROM data_record r JOIN data_feed_delivery d ON d.dataset = r.dataset "
               "AND d.to_seq >= r.feed_seq AND d.from_seq <= r.feed_seq "
               "JOIN data_agreement a ON a.id = d.agreement_id "
               "WHERE r.subject_id = ? ORDER BY d.id DESC LIMIT ?",
               {subject_id, limit}));
  std::vector<AccessRecord> out;
  for (const auto& r : rows) {
    AccessRecord a;
    a.id = r.Int64(0);
    a.reader_department = r.Text(1);
    a.dataset = r.Text(2);
    a.elements = ParseElements(r.Text(3));
    a.purpose = PurposeKind::kAgreement;
    a.purpose_ref = std::to_string(r.Int64(4));
    a.purpose_text = r.Text(5);
    ReadTrace(r, 6, a);
    a.via_feed = true;
    out.push_back(std::move(a));
  }
  return out;
}

Status DataRepo::SetDeliveryLeaf(store::Tx& tx, int64_t id, uint64_t leaf) {
  return tx.Exec("UPDATE data_feed_delivery SET leaf = ? WHERE id = ?", {static_cast<int64_t>(leaf), id}).status();
}

}  // namespace tongban::data
