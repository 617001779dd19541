// LicenseRepo: the license part's SQL over store::Database — licences, their event documents
// (whose hashes are on the ledger), presentations (nonces, one-time references), the
// verification log and the custodial holder keys. Functions take the caller's Tx so that a
// state change, its event row and its ledger entry commit together.
// Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "license/license_record.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::license {

struct Presentation {
  std::string nonce;  // the KB-JWT nonce, also the key of the row
  std::string license_id;
  std::string holder_subject;
  std::string verifier;  // who the holder meant it for (may be empty)
  std::string purpose;
  std::string token;          // the SD-JWT+KB
  std::string reference;      // "TBL1.<...>" when the QR carries a reference; else empty
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> verified_at;
};

struct VerificationRecord {
  int64_t id = 0;
  std::string license_id;
  std::string license_type;
  std::string holder_subject;
  std::string verifier_name;  // staff display name + department, or "public"
  int64_t verifier_account = 0;
  std::string purpose;
  std::string result;  // valid / revoked / suspended / expired / invalid
  std::string reason;
  int64_t time = 0;
  // The disclosed fields as verified, kept only for a valid verification by a logged-in staff
  // member: the archived copy (归档) that replaces a paper copy in the case file. Else empty.
  std::string archived_json;
};

// One row of license_event: a lifecycle or use event's document, whose hash is on the ledger.
struct LicenseEvent {
  int64_t id = 0;
  std::string license_id;
  std::string action;
  std::string document;  // the JSON text whose suite hash is the ledger entry's document hash
  int64_t time = 0;      // unix seconds
  uint64_t ledger_hint = 0;
  std::optional<uint64_t> leaf_index;  // once a verification has found the event's leaf
};

// A holder's authorisation (授权) of a staff member, department or case to use one licence.
struct Authorisation {
  int64_t id = 0;
  std::string license_id;
  std::string holder_subject;
  std::string grantee_kind;  // "staff" (login), "department" (name) or "case" (case number)
  std::string grantee;
  std::string purpose;
  int64_t valid_until = 0;  // unix seconds
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;
  int64_t uses = 0;
  // "case" grants: the name of the department handling the case (only its staff may use the
  // grant); empty for the other kinds, and for case grants made before migration v6 (unusable).
  std::string department;
};

class LicenseRepo {
 public:
  static std::vector<store::Migration> Migrations();

  static Status Insert(store::Tx& tx, const License& l);
  static Result<std::optional<License>> Get(store::Tx& tx, std::string_view id);
  static Result<std::vector<License>> ByHolder(store::Tx& tx, std::string_view holder_subject);
  // Licences whose holder has `guardian` among its guardians (license_guardian).
  static Result<std::vector<License>> ByGuardian(store::Tx& tx, std::string_view guardian);
  static Status AddGuardian(store::Tx& tx, std::string_view license_id, std::string_view guardian);
  // Conditional update: changes status only if it is still `from`. Returns rows changed.
  static Result<int64_t> UpdateStatus(store::Tx& tx, std::string_view id, LicenseStatus from,
                                      LicenseStatus to, std::string_view reason,
                                      std::string_view replaced_by, int64_t now);
  static Result<int64_t> NextSerial(store::Tx& tx, std::string_view issuer, std::string_view type);
  static Result<int64_t> NextStatusIndex(store::Tx& tx);
  // Valid licences whose expires_at <= now, at most `limit`.
  static Result<std::vector<License>> DueForExpiry(store::Tx& tx, int64_t now, int64_t limit);
  // Valid licences expiring after `from` and by `until` (the notify sweep).
  static Result<std::vector<License>> ExpiringWithin(store::Tx& tx, int64_t from, int64_t until, int64_t limit);
  // (status_index, status as of `now`: a valid licence past expires_at is expired) of every
  // licence, for the status list.
  static Result<std::vector<std::pair<int64_t, LicenseStatus>>> AllStatuses(store::Tx& tx, int64_t now);

  static Status SetCredential(store::Tx& tx, std::string_view id, std::string_view credential);
  static Result<std::string> Credential(store::Tx& tx, std::string_view id);

  // `ledger_hint`: a log size read before the event's transaction began, so the event's ledger
  // leaf index is at least this (where a verification starts looking for it); 0 when unknown.
  static Status InsertEvent(store::Tx& tx, std::string_view license_id, std::string_view action,
                            std::string_view document, int64_t time, uint64_t ledger_hint = 0);
  // The licence's newest event whose action is one of `actions`; nullopt if none.
  // Remembers where event `id`'s ledger leaf is (set once; later calls change nothing).
  static Status SetEventLeaf(store::Tx& tx, int64_t id, uint64_t leaf_index);
  static Result<std::optional<LicenseEvent>> LatestEvent(store::Tx& tx, std::string_view license_id,
                                                         const std::vector<std::string>& actions);

  static Status InsertPresentation(store::Tx& tx, const Presentation& p);
  static Result<std::optional<Presentation>> PresentationByNonce(store::Tx& tx, std::string_view nonce);
  static Result<std::optional<Presentation>> PresentationByReference(store::Tx& tx,
                                                                     std::string_view reference);
  // Deletes presentations that expired before `before` (their tokens hold personal data and are
  // of no use once expired: a late scan is refused as expired or unknown either way).
  static Result<int64_t> PurgePresentations(store::Tx& tx, int64_t before);
  // Marks a presentation used; 0 rows when it already was (a replay).
  static Result<int64_t> ConsumePresentation(store::Tx& tx, std::string_view nonce, int64_t now);

  // Returns the new record's id.
  static Result<int64_t> InsertVerification(store::Tx& tx, const VerificationRecord& v);
  static Result<std::optional<VerificationRecord>> VerificationById(store::Tx& tx, int64_t id);
  static Result<std::vector<VerificationRecord>> VerificationsOf(store::Tx& tx,
                                                                 std::string_view holder_subject,
                                                                 int64_t before_id, int64_t limit);

  static Result<int64_t> InsertAuthorisation(store::Tx& tx, const Authorisation& a);
  static Result<std::optional<Authorisation>> GetAuthorisation(store::Tx& tx, int64_t id);
  static Result<std::vector<Authorisation>> AuthorisationsOf(store::Tx& tx, std::string_view holder_subject);
  static Result<int64_t> RevokeAuthorisation(store::Tx& tx, int64_t id, int64_t now);
  static Status CountAuthorisationUse(store::Tx& tx, int64_t id);

  // The holder's custodial key (PKCS#8 PEM) for `alg`, if any.
  static Result<std::optional<std::string>> HolderKey(store::Tx& tx, std::string_view holder_subject,
                                                      std::string_view alg);
  static Status InsertHolderKey(store::Tx& tx, std::string_view holder_subject, std::string_view alg,
                                std::string_view pem, int64_t now);
};

}  // namespace tongban::license
