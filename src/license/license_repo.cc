// SQL of the license part; see license_repo.h. Written once for SQLite and PostgreSQL.
#include "license/license_repo.h"

#include <algorithm>

namespace tongban::license {
namespace {

constexpr std::string_view kColumns =
    "id, type, issuer, holder_subject, fields_json, status, status_reason, issued_at, expires_at, "
    "version, serial, status_index, replaced_by";

Result<License> FromRow(const store::Row& r) {
  License l;
  l.id = std::string(r.Text(0));
  l.type = std::string(r.Text(1));
  l.issuer = std::string(r.Text(2));
  l.holder_subject = std::string(r.Text(3));
  l.fields_json = std::string(r.Text(4));
  auto status = ParseLicenseStatus(r.Text(5));
  if (!status.ok()) return Status::DataLoss("licence row has an unknown status");
  l.status = *status;
  l.status_reason = std::string(r.Text(6));
  l.issued_at = r.Int64(7);
  l.expires_at = r.Int64(8);
  l.version = static_cast<int>(r.Int64(9));
  l.serial = r.Int64(10);
  l.status_index = r.Int64(11);
  l.replaced_by = std::string(r.Text(12));
  return l;
}

Presentation PresentationFromRow(const store::Row& r) {
  Presentation p;
  p.nonce = std::string(r.Text(0));
  p.license_id = std::string(r.Text(1));
  p.holder_subject = std::string(r.Text(2));
  p.verifier = std::string(r.Text(3));
  p.purpose = std::string(r.Text(4));
  p.token = std::string(r.Text(5));
  p.reference = r.OptText(6).value_or("");
  p.created_at = r.Int64(7);
  p.expires_at = r.Int64(8);
  p.verified_at = r.OptInt64(9);
  return p;
}

constexpr std::string_view kPresentationColumns =
    "nonce, license_id, holder_subject, verifier, purpose, token, reference, created_at, "
    "expires_at, verified_at";


// The licences `sql_tail` ("WHERE ... ORDER BY ...") selects, in order.
Result<std::vector<License>> Licenses(store::Tx& tx, std::string_view sql_tail, store::Params params) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kColumns) + " FROM license " +
                                              std::string(sql_tail), std::move(params)));
  std::vector<License> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    TB_ASSIGN_OR_RETURN(License l, FromRow(r));
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace

std::string_view LicenseStatusName(LicenseStatus s) {
  switch (s) {
    case LicenseStatus::kValid: return "valid";
    case LicenseStatus::kSuspended: return "suspended";
    case LicenseStatus::kRevoked: return "revoked";
    case LicenseStatus::kExpired: return "expired";
    case LicenseStatus::kSuperseded: return "superseded";
  }
  return "invalid";
}

Result<LicenseStatus> ParseLicenseStatus(std::string_view name) {
  for (LicenseStatus s : {LicenseStatus::kValid, LicenseStatus::kSuspended, LicenseStatus::kRevoked,
                          LicenseStatus::kExpired, LicenseStatus::kSuperseded}) {
    if (LicenseStatusName(s) == name) return s;
  }
  return Status::InvalidField("status", "unknown licence status");
}

std::vector<store::Migration> LicenseRepo::Migrations() {
  store::Migration v1;
  v1.part = "license";
  v1.version = 1;
  v1.sql = R"(
CREATE TABLE license (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  issuer TEXT NOT NULL,
  holder_subject TEXT NOT NULL,
  fields_json TEXT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL DEFAULT '',
  issued_at {{int64}} NOT NULL,
  expires_at {{int64}} NOT NULL,
  version {{int64}} NOT NULL,
  serial {{int64}} NOT NULL,
  status_index {{int64}} NOT NULL UNIQUE,
  replaced_by TEXT NOT NULL DEFAULT '',
  credential TEXT NOT NULL DEFAULT '',
  updated_at {{int64}} NOT NULL
);
CREATE INDEX license_holder ON license (holder_subject);
CREATE INDEX license_issuer_type ON license (issuer, type, serial);
CREATE INDEX license_expiry ON license (status, expires_at);
CREATE TABLE license_event (
  id {{id}},
  license_id TEXT NOT NULL,
  action TEXT NOT NULL,
  document TEXT NOT NULL,
  time {{int64}} NOT NULL
);
CREATE INDEX license_event_license ON license_event (license_id);
CREATE TABLE license_presentation (
  nonce TEXT PRIMARY KEY,
  license_id TEXT NOT NULL,
  holder_subject TEXT NOT NULL,
  verifier TEXT NOT NULL,
  purpose TEXT NOT NULL,
  token TEXT NOT NULL,
  reference TEXT UNIQUE,
  created_at {{int64}} NOT NULL,
  expires_at {{int64}} NOT NULL,
  verified_at {{int64}}
);
CREATE TABLE license_verification (
  id {{id}},
  license_id TEXT NOT NULL,
  license_type TEXT NOT NULL,
  holder_subject TEXT NOT NULL,
  verifier_name TEXT NOT NULL,
  verifier_account {{int64}} NOT NULL,
  purpose TEXT NOT NULL,
  result TEXT NOT NULL,
  reason TEXT NOT NULL,
  time {{int64}} NOT NULL
);
CREATE INDEX license_verification_holder ON license_verification (holder_subject, id);
CREATE TABLE license_holder_key (
  holder_subject TEXT NOT NULL,
  alg TEXT NOT NULL,
  private_pem TEXT NOT NULL,
  created_at {{int64}} NOT NULL,
  PRIMARY KEY (holder_subject, alg)
);
)";
  store::Migration v2;
  v2.part = "license";
  v2.version = 2;
  v2.sql = R"(
CREATE TABLE license_authorisation (
  id {{id}},
  license_id TEXT NOT NULL,
  holder_subject TEXT NOT NULL,
  grantee_kind TEXT NOT NULL,
  grantee TEXT NOT NULL,
  purpose TEXT NOT NULL,
  valid_until {{int64}} NOT NULL,
  created_at {{int64}} NOT NULL,
  revoked_at {{int64}},
  uses {{int64}} NOT NULL DEFAULT 0
);
CREATE INDEX license_authorisation_holder ON license_authorisation (holder_subject, id);
)";
  store::Migration v3;
  v3.part = "license";
  v3.version = 3;
  v3.sql = "ALTER TABLE license_verification ADD COLUMN archived_json TEXT NOT NULL DEFAULT ''";
  // v4: where a verification starts looking for an event's ledger leaf (docs/license.md).
  store::Migration v4;
  v4.part = "license";
  v4.version = 4;
  v4.sql = "ALTER TABLE license_event ADD COLUMN ledger_hint {{int64}} NOT NULL DEFAULT 0";
  // v5: the leaf, once found, so later verifications read one entry instead of scanning.
  store::Migration v5;
  v5.part = "license";
  v5.version = 5;
  v5.sql = "ALTER TABLE license_event ADD COLUMN leaf_index {{int64}}";
  // v6: a case grant names the department that handles the case (issue 15). Case grants made
  // before it keep '' and can no longer be used: the holder grants again, naming the department.
  store::Migration v6;
  v6.part = "license";
  v6.version = 6;
  v6.sql = "ALTER TABLE license_authorisation ADD COLUMN department TEXT NOT NULL DEFAULT ''";
  // v7: guardians (监护人) of a licence's holder — a newborn's parents, who see it in their wallets.
  store::Migration v7;
  v7.part = "license";
  v7.version = 7;
  v7.sql = R"sql(
    CREATE TABLE license_guardian (
      license_id TEXT NOT NULL REFERENCES license (id),
      guardian_subject TEXT NOT NULL,
      PRIMARY KEY (license_id, guardian_subject)
    );
    CREATE INDEX license_guardian_subject ON license_guardian (guardian_subject);
  )sql";
  // Serials and status-list indices from counter rows instead of MAX()+1: two concurrent issues on
  // PostgreSQL both read the same MAX and the second failed on the unique id (23505, not a
  // serialization failure the transaction would retry). An increment of one row is a write-write
  // conflict both databases resolve (SQLite's single writer; PostgreSQL's 40001, retried).
  store::Migration v8;
  v8.part = "license";
  v8.version = 8;
  v8.sql = R"sql(
    CREATE TABLE license_counter (
      name TEXT PRIMARY KEY,
      last_taken {{int64}} NOT NULL
    );
    INSERT INTO license_counter (name, last_taken)
      SELECT 'serial:' || issuer || ':' || type, MAX(serial) FROM license GROUP BY issuer, type;
    INSERT INTO license_counter (name, last_taken)
      SELECT 'status_index', COALESCE(MAX(status_index), -1) FROM license;
  )sql";
  return {v1, v2, v3, v4, v5, v6, v7, v8};
}

namespace {

// Takes the next value of counter `name` (starting at `first`) in the caller's transaction.
Result<int64_t> TakeNext(store::Tx& tx, const std::string& name, int64_t first) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("INSERT INTO license_counter (name, last_taken) VALUES (?, ?) "
                                            "ON CONFLICT (name) DO UPDATE SET last_taken = license_counter.last_taken + 1 "
                                            "RETURNING last_taken",
                                            {name, first}));
  if (!row) return Status::Internal("license counter " + name + " returned nothing");
  return row->Int64(0);
}

}  // namespace

Status LicenseRepo::Insert(store::Tx& tx, const License& l) {
  return tx.Exec("INSERT INTO license (" + std::string(kColumns) +
                     ", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {l.id, l.type, l.issuer, l.holder_subject, l.fields_json,
                  LicenseStatusName(l.status), l.status_reason, l.issued_at, l.expires_at,
                  int64_t{l.version}, l.serial, l.status_index, l.replaced_by, l.issued_at})
      .status();
}

Result<std::optional<License>> LicenseRepo::Get(store::Tx& tx, std::string_view id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT " + std::string(kColumns) +
                                                " FROM license WHERE id = ?",
                                            {id}));
  if (!row) return std::optional<License>();
  TB_ASSIGN_OR_RETURN(License l, FromRow(*row));
  return std::optional<License>(std::move(l));
}

Status LicenseRepo::AddGuardian(store::Tx& tx, std::string_view license_id, std::string_view guardian) {
  return tx.Exec("INSERT INTO license_guardian (license_id, guardian_subject) VALUES (?, ?)", {license_id, guardian})
      .status();
}

Result<std::vector<License>> LicenseRepo::ByGuardian(store::Tx& tx, std::string_view guardian) {
  return Licenses(tx,
                  "WHERE id IN (SELECT license_id FROM license_guardian WHERE guardian_subject = ?) "
                  "ORDER BY issued_at DESC, id",
                  {guardian});
}

Result<std::vector<License>> LicenseRepo::ByHolder(store::Tx& tx, std::string_view holder) {
  return Licenses(tx, "WHERE holder_subject = ? ORDER BY issued_at DESC, id", {holder});
}

Result<int64_t> LicenseRepo::UpdateStatus(store::Tx& tx, std::string_view id, LicenseStatus from,
                                          LicenseStatus to, std::string_view reason,
                                          std::string_view replaced_by, int64_t now) {
  return tx.Exec(
      "UPDATE license SET status = ?, status_reason = ?, replaced_by = ?, updated_at = ? "
      "WHERE id = ? AND status = ?",
      {LicenseStatusName(to), reason, replaced_by, now, id, LicenseStatusName(from)});
}

Result<int64_t> LicenseRepo::NextSerial(store::Tx& tx, std::string_view issuer, std::string_view type) {
  return TakeNext(tx, "serial:" + std::string(issuer) + ":" + std::string(type), 1);
}

Result<int64_t> LicenseRepo::NextStatusIndex(store::Tx& tx) { return TakeNext(tx, "status_index", 0); }

Result<std::vector<License>> LicenseRepo::DueForExpiry(store::Tx& tx, int64_t now, int64_t limit) {
  return Licenses(tx, "WHERE status = 'valid' AND expires_at > 0 AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                  {now, limit});
}

Result<std::vector<License>> LicenseRepo::ExpiringWithin(store::Tx& tx, int64_t from, int64_t until,
                                                         int64_t limit) {
  return Licenses(tx, "WHERE status = 'valid' AND expires_at > ? AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                  {from, until, limit});
}

Result<std::vector<std::pair<int64_t, LicenseStatus>>> LicenseRepo::AllStatuses(store::Tx& tx, int64_t now) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT status_index, status, expires_at FROM license "
                                          "ORDER BY status_index"));
  std::vector<std::pair<int64_t, LicenseStatus>> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    auto s = ParseLicenseStatus(r.Text(1));
    if (!s.ok()) return Status::DataLoss("licence row has an unknown status");
    License l;
    l.status = *s;
    l.expires_at = r.Int64(2);
    out.emplace_back(r.Int64(0), l.EffectiveStatus(now));
  }
  return out;
}

Status LicenseRepo::SetCredential(store::Tx& tx, std::string_view id, std::string_view credential) {
  return tx.Exec("UPDATE license SET credential = ? WHERE id = ?", {credential, id}).status();
}

Result<std::string> LicenseRepo::Credential(store::Tx& tx, std::string_view id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT credential FROM license WHERE id = ?", {id}));
  if (!row) return Status::NotFound("licence", id);
  return std::string(row->Text(0));
}

Status LicenseRepo::InsertEvent(store::Tx& tx, std::string_view license_id, std::string_view action,
                                std::string_view document, int64_t time, uint64_t ledger_hint) {
  return tx.Exec("INSERT INTO license_event (license_id, action, document, time, ledger_hint) "
                 "VALUES (?, ?, ?, ?, ?)",
                 {license_id, action, document, time, static_cast<int64_t>(ledger_hint)})
      .status();
}

Status LicenseRepo::SetEventLeaf(store::Tx& tx, int64_t id, uint64_t leaf_index) {
  return tx.Exec("UPDATE license_event SET leaf_index = ? WHERE id = ? AND leaf_index IS NULL",
                 {static_cast<int64_t>(leaf_index), id})
      .status();
}

Result<std::optional<LicenseEvent>> LicenseRepo::LatestEvent(store::Tx& tx, std::string_view license_id,
                                                             const std::vector<std::string>& actions) {
  if (actions.empty()) return std::optional<LicenseEvent>();
  std::string sql = "SELECT id, license_id, action, document, time, ledger_hint, leaf_index FROM license_event "
                    "WHERE license_id = ? AND action IN (";
  std::vector<store::Param> params{license_id};
  for (size_t i = 0; i < actions.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.emplace_back(actions[i]);
  }
  sql += ") ORDER BY id DESC LIMIT 1";
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(sql, params));
  if (!row) return std::optional<LicenseEvent>();
  LicenseEvent e;
  e.id = row->Int64(0);
  e.license_id = std::string(row->Text(1));
  e.action = std::string(row->Text(2));
  e.document = std::string(row->Text(3));
  e.time = row->Int64(4);
  e.ledger_hint = static_cast<uint64_t>(std::max<int64_t>(0, row->Int64(5)));
  if (auto leaf = row->OptInt64(6); leaf && *leaf >= 0) e.leaf_index = static_cast<uint64_t>(*leaf);
  return std::optional<LicenseEvent>(std::move(e));
}

Status LicenseRepo::InsertPresentation(store::Tx& tx, const Presentation& p) {
  store::Param reference = p.reference.empty() ? store::Param(nullptr) : store::Param(p.reference);
  return tx.Exec("INSERT INTO license_presentation (" + std::string(kPresentationColumns) +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                 {p.nonce, p.license_id, p.holder_subject, p.verifier, p.purpose, p.token, reference,
                  p.created_at, p.expires_at})
      .status();
}

Result<std::optional<Presentation>> LicenseRepo::PresentationByNonce(store::Tx& tx,
                                                                     std::string_view nonce) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT " + std::string(kPresentationColumns) +
                                                " FROM license_presentation WHERE nonce = ?",
                                            {nonce}));
  if (!row) return std::optional<Presentation>();
  return std::optional<Presentation>(PresentationFromRow(*row));
}

Result<std::optional<Presentation>> LicenseRepo::PresentationByReference(store::Tx& tx,
                                                                         std::string_view reference) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT " + std::string(kPresentationColumns) +
                                                " FROM license_presentation WHERE reference = ?",
                                            {reference}));
  if (!row) return std::optional<Presentation>();
  return std::optional<Presentation>(PresentationFromRow(*row));
}

Result<int64_t> LicenseRepo::PurgePresentations(store::Tx& tx, int64_t before) {
  return tx.Exec("DELETE FROM license_presentation WHERE expires_at < ?", {before});
}

Result<int64_t> LicenseRepo::ConsumePresentation(store::Tx& tx, std::string_view nonce, int64_t now) {
  return tx.Exec(
      "UPDATE license_presentation SET verified_at = ? WHERE nonce = ? AND verified_at IS NULL",
      {now, nonce});
}

namespace {
constexpr std::string_view kVerificationColumns =
    "id, license_id, license_type, holder_subject, verifier_name, verifier_account, purpose, "
    "result, reason, time, archived_json";
VerificationRecord VerificationFromRow(const store::Row& r) {
  VerificationRecord v;
  v.id = r.Int64(0);
  v.license_id = std::string(r.Text(1));
  v.license_type = std::string(r.Text(2));
  v.holder_subject = std::string(r.Text(3));
  v.verifier_name = std::string(r.Text(4));
  v.verifier_account = r.Int64(5);
  v.purpose = std::string(r.Text(6));
  v.result = std::string(r.Text(7));
  v.reason = std::string(r.Text(8));
  v.time = r.Int64(9);
  v.archived_json = std::string(r.Text(10));
  return v;
}
}  // namespace

Result<int64_t> LicenseRepo::InsertVerification(store::Tx& tx, const VerificationRecord& v) {
  return tx.InsertReturningId(
      "INSERT INTO license_verification (license_id, license_type, holder_subject, "
      "verifier_name, verifier_account, purpose, result, reason, time, archived_json) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {v.license_id, v.license_type, v.holder_subject, v.verifier_name, v.verifier_account,
       v.purpose, v.result, v.reason, v.time, v.archived_json});
}

Result<std::optional<VerificationRecord>> LicenseRepo::VerificationById(store::Tx& tx, int64_t id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT " + std::string(kVerificationColumns) +
                                                " FROM license_verification WHERE id = ?",
                                            {id}));
  if (!row) return std::optional<VerificationRecord>();
  return std::optional<VerificationRecord>(VerificationFromRow(*row));
}

Result<std::vector<VerificationRecord>> LicenseRepo::VerificationsOf(store::Tx& tx,
                                                                     std::string_view holder,
                                                                     int64_t before_id,
                                                                     int64_t limit) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kVerificationColumns) +
                                              " FROM license_verification WHERE holder_subject = ? "
                                              "AND id < ? ORDER BY id DESC LIMIT ?",
                                          {holder, before_id, limit}));
  std::vector<VerificationRecord> out;
  for (const auto& r : rows) out.push_back(VerificationFromRow(r));
  return out;
}

namespace {
constexpr std::string_view kAuthColumns =
    "id, license_id, holder_subject, grantee_kind, grantee, purpose, valid_until, created_at, "
    "revoked_at, uses, department";
Authorisation AuthFromRow(const store::Row& r) {
  Authorisation a;
  a.id = r.Int64(0);
  a.license_id = std::string(r.Text(1));
  a.holder_subject = std::string(r.Text(2));
  a.grantee_kind = std::string(r.Text(3));
  a.grantee = std::string(r.Text(4));
  a.purpose = std::string(r.Text(5));
  a.valid_until = r.Int64(6);
  a.created_at = r.Int64(7);
  a.revoked_at = r.OptInt64(8);
  a.uses = r.Int64(9);
  a.department = std::string(r.Text(10));
  return a;
}
}  // namespace

Result<int64_t> LicenseRepo::InsertAuthorisation(store::Tx& tx, const Authorisation& a) {
  return tx.InsertReturningId(
      "INSERT INTO license_authorisation (license_id, holder_subject, grantee_kind, grantee, "
      "purpose, valid_until, created_at, department) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {a.license_id, a.holder_subject, a.grantee_kind, a.grantee, a.purpose, a.valid_until,
       a.created_at, a.department});
}

Result<std::optional<Authorisation>> LicenseRepo::GetAuthorisation(store::Tx& tx, int64_t id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT " + std::string(kAuthColumns) +
                                                " FROM license_authorisation WHERE id = ?",
                                            {id}));
  if (!row) return std::optional<Authorisation>();
  return std::optional<Authorisation>(AuthFromRow(*row));
}

Result<std::vector<Authorisation>> LicenseRepo::AuthorisationsOf(store::Tx& tx, std::string_view holder) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kAuthColumns) +
                                              " FROM license_authorisation WHERE holder_subject = ? "
                                              "ORDER BY id DESC",
                                          {holder}));
  std::vector<Authorisation> out;
  for (const auto& r : rows) out.push_back(AuthFromRow(r));
  return out;
}

Result<int64_t> LicenseRepo::RevokeAuthorisation(store::Tx& tx, int64_t id, int64_t now) {
  return tx.Exec("UPDATE license_authorisation SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                 {now, id});
}

Status LicenseRepo::CountAuthorisationUse(store::Tx& tx, int64_t id) {
  return tx.Exec("UPDATE license_authorisation SET uses = uses + 1 WHERE id = ?", {id}).status();
}

Result<std::optional<std::string>> LicenseRepo::HolderKey(store::Tx& tx, std::string_view holder,
                                                          std::string_view alg) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT private_pem FROM license_holder_key "
                                            "WHERE holder_subject = ? AND alg = ?",
                                            {holder, alg}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(row->Text(0)));
}

Status LicenseRepo::InsertHolderKey(store::Tx& tx, std::string_view holder, std::string_view alg,
                                    std::string_view pem, int64_t now) {
  return tx.Exec("INSERT INTO license_holder_key (holder_subject, alg, private_pem, created_at) "
                 "VALUES (?, ?, ?, ?)",
                 {holder, alg, pem, now})
      .status();
}

}  // namespace tongban::license
