// LicenseService: the life of an e-licence — issue, suspend, resume, revoke, renew, expire (each
// a ledger entry committed with the state change), the holder's wallet, presentations as SD-JWT
// VC with key binding (custodial holder keys), verification by scan with replay detection and a
// verification log the holder can read, the signed status list, and trust in other regions'
// issuers. See docs/license.md for the life of a licence and the wire formats.
//
// Who may do what is decided by the caller (api/license_handlers.cc) and passed in: the issuing
// department for lifecycle steps, the holder's subject ID for the wallet and presentations.
// This service re-checks the one rule it owns: a department only acts on its own licence types.
//
// Thread-safe. Does not own `db`, `clock` or the catalogue; they must outlive it.
#pragma once

#include <array>
#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "license/catalogue.h"
#include "license/license_record.h"
#include "license/ledger_anchor.h"
#include "license/license_repo.h"
#include "license/sd_jwt.h"
#include "license/trust_list.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::license {

struct LicenseServiceOptions {
  // `iss` of the licences this node issues, e.g. "https://zj.tongban.example/licenses".
  std::string issuer_url;
  // Signs credentials and the status list: ES256 under `intl`, SM2 under `gm`.
  std::optional<crypto::PrivateKey> issuer_key;
  // The ledger's suite hash (documents) and keyed subject hash (app.SubjectHash).
  crypto::HashAlgorithm ledger_hash = crypto::HashAlgorithm::kSm3;
  std::function<std::array<uint8_t, 32>(std::string_view)> subject_hash;
  const Catalogue* catalogue = nullptr;  // nullptr: Catalogue::Builtin()
  TrustList trust_list;
  // A presentation can be verified once within this time (its nonce and KB-JWT iat).
  int64_t presentation_ttl_seconds = 600;
  // Tokens longer than this go in the QR as a one-time "TBL1." reference instead (a phone
  // camera reads a QR of up to ~version 15, L/M level, reliably: see docs/license.md).
  size_t max_qr_token_bytes = 700;
  // Seam for the services part (cases): whether case `case_number` exists and is open in
  // `department`. Called inside the use's transaction, after the grant's case number and
  // department have matched the caller; false refuses the use (kPermissionDenied). Absent (the
  // default, until the services part brings cases): not checked — a case grant is then bound
  // only to its case number and the department that handles it.
  std::function<Result<bool>(store::Tx& tx, std::string_view department,
                             std::string_view case_number)>
      case_open;
  // Tell holders (notify "license.verified" with who and why, in the verification's transaction;
  // "license.expiring" from NotifyExpiring). The database then needs notify::Migrations(). The
  // licence part sets it.
  bool notify_holders = false;
};

struct IssueRequest {
  std::string type;            // catalogue code
  std::string holder_subject;  // citizen ID number (person) or USCC (enterprise)
  boost::json::object fields;  // field name -> value (string, or integer for integer fields)
  std::optional<int64_t> expires_at;  // unix seconds; default from the type's validity
  // Guardians (监护人) of a person holder — a newborn's parents: citizen ID numbers, not the
  // holder's. The licence shows in their wallets too (Wallet). Presenting it stays the holder's.
  std::vector<std::string> guardians;
};

struct PresentRequest {
  std::string holder_subject;
  std::string license_id;
  std::vector<std::string> disclose;
  std::string verifier;  // optional: who it is meant for (KB-JWT aud)
  std::string purpose;   // optional
};

struct PresentResult {
  std::string token;      // SD-JWT VC + KB-JWT
  std::string qr_text;    // the token, or the reference when the token is too large
  std::string reference;  // "TBL1.<22 base64url>" or empty
  int64_t expires_at = 0;
};

struct VerifyRequest {
  std::string token;      // either this ...
  std::string reference;  // ... or this
  std::string purpose;
  std::string verifier_name = "public";  // staff: "王芳 (杭州市西湖区行政服务中心)"
  int64_t verifier_account = 0;
};

struct VerifyResult {
  bool valid = false;
  std::string status = "invalid";  // valid / revoked / suspended / expired / invalid / tampered
  std::string reason;
  std::string license_id, type, type_name_zh, type_name_en, issuer_name;
  int64_t expires_at = 0;
  boost::json::object disclosed;
  bool foreign = false;  // issued by a trusted issuer of another region
  int64_t verification_id = 0;  // the holder's log row (0 when not logged)
  // The licence's ledger anchor as read in the verification's own transaction (set when the
  // licence is one of this platform's and was checked against it), so callers need not read it
  // again.
  std::optional<LedgerAnchor> anchor;
};

struct AuthoriseRequest {
  std::string holder_subject;
  std::string license_id;
  std::string grantee_kind;  // staff / department / case
  std::string grantee;       // staff login / department name / case number
  std::string purpose;
  int64_t valid_until = 0;   // unix seconds, in the future, at most a year ahead
  // Case grants only (required there, refused for the other kinds): the name of the department
  // that handles the case. Only that department's staff can use the grant.
  std::string case_department;
};

// Who is using an authorisation (a staff account).
struct AuthorisedUser {
  int64_t account_id = 0;
  std::string login;
  std::string display_name;
  std::string department;   // the account's department name
  std::string case_number;  // for case authorisations: the case being handled (caller-supplied)
};

class LicenseService {
 public:
  static std::vector<store::Migration> Migrations() { return LicenseRepo::Migrations(); }

  // kInvalidArgument if the options lack an issuer key, URL or subject hash.
  static Result<std::unique_ptr<LicenseService>> Create(store::Database& db, const Clock& clock,
                                                        LicenseServiceOptions options);

  const Catalogue& catalogue() const { return *catalogue_; }
  const LicenseServiceOptions& options() const { return options_; }
  // Unix seconds by the injected clock.
  int64_t NowSeconds() const;

  // Objects that are not the caller's (another holder's licence or authorisation, another
  // department's licence, another staff member's archive) answer exactly as a missing one:
  // Status::NotFound(kind, id), the same message, so ids cannot be counted (issue 15). Only a
  // licence TYPE the department does not issue stays kPermissionDenied: a type is not an object.

  // Issues a licence of `request.type` by department `department_key`.
  // kPermissionDenied if the department does not issue that type; kInvalidArgument with the
  // field at fault (/type, /holder, /fields/<name>) for bad input.
  Result<License> Issue(const IssueRequest& request, std::string_view department_key);
  // As Issue, inside the caller's transaction (the services part: a task's approval and its
  // output licence commit together, or neither).
  Result<License> IssueIn(store::Tx& tx, const IssueRequest& request, std::string_view department_key);
  // The services part's case check (LicenseServiceOptions::case_open), installed once cases
  // exist. REQUIRES: before the service is used by more than one thread.
  void SetCaseCheck(decltype(LicenseServiceOptions::case_open) case_open) { options_.case_open = std::move(case_open); }

  enum class Action { kSuspend, kResume, kRevoke };
  // kNotFound (no such licence, or another department's); kFailedPrecondition if the
  // licence is not in a state that allows it (resume needs suspended; revoke needs valid or
  // suspended).
  Result<License> ChangeStatus(std::string_view id, Action action, std::string_view reason,
                               std::string_view department_key);
  // A new version (same serial, version + 1) valid until `expires_at` (default: validity from
  // now); the old one becomes superseded. Returns the new licence. kNotFound as ChangeStatus.
  Result<License> Renew(std::string_view id, std::optional<int64_t> expires_at,
                        std::string_view department_key);
  // Marks valid licences past expires_at expired (ledger entry each). Returns how many.
  Result<int64_t> ExpireDue(int64_t limit = 1000);
  // Tells each holder whose valid licence expires within `days` (notify "license.expiring"), once
  // per licence and expiry date (the event id names both): safe to run daily and on every node.
  // Returns the notices written (repeats count). Nothing when notify_holders is off.
  Result<int64_t> NotifyExpiring(int64_t days = 30, int64_t limit = 10000);

  // Deletes presentations expired more than a day ago (tokens hold personal data). Returns how
  // many. Run at every start, beside ExpireDue.
  Result<int64_t> PurgePresentations();

  Result<License> Get(std::string_view id);
  // The licences held by `holder_subject`, then those of which they are a guardian.
  Result<std::vector<License>> Wallet(std::string_view holder_subject);

  // kNotFound (no such licence, or not the holder's), kFailedPrecondition (not valid now),
  // kInvalidArgument (/disclose/<i> not a field of the type).
  Result<PresentResult> Present(const PresentRequest& request);

  // kInvalidArgument only when the token / reference is not even parseable; every other outcome
  // is a VerifyResult (logged, and on the ledger when the licence is known).
  Result<VerifyResult> Verify(const VerifyRequest& request);

  // The licence a presentation claims to be (its unverified license_id, or the licence of a
  // one-time reference), so a caller can wait for its ledger entry before Verify consumes the
  // presentation; nullopt if none can be read. Never trust it beyond that.
  Result<std::optional<std::string>> PresentedLicenseId(const VerifyRequest& request);
  // The ledger anchor of licence `id` as stored now (see ledger_anchor.h). kNotFound.
  Result<LedgerAnchor> Anchor(std::string_view id);
  // The integrated leaf of `anchor`'s entry; nullopt if none (yet).
  Result<std::optional<uint64_t>> AnchorLeaf(const LedgerAnchor& anchor);

  // Holder authorisation (授权). kNotFound (no such licence, or not the holder's),
  // kInvalidArgument naming the field (/department: required for a case grant, refused for the
  // other kinds), kFailedPrecondition (licence not valid).
  Result<Authorisation> Authorise(const AuthoriseRequest& request);
  Result<std::vector<Authorisation>> Authorisations(std::string_view holder_subject);
  // kNotFound (no such authorisation, or another holder's), kFailedPrecondition (already revoked).
  Status RevokeAuthorisation(std::string_view holder_subject, int64_t id);
  // A staff member uses an authorisation: checked against grantee, expiry and revocation, the
  // licence must be valid; the use is counted, logged in the holder's verification log
  // (result "authorised_use") and ledgered (`license.use`). Returns the licence.
  // The grantee: the staff login; the department name; for a case grant, the case number the
  // user names AND the user's department, which must be the grant's (and, with
  // options().case_open, the case must be open there).
  // kNotFound when there is no such authorisation or the user is not its grantee (the same
  // answer); kPermissionDenied for the grantee when it was revoked, has lapsed, or its case is
  // not open.
  Result<License> UseAuthorisation(int64_t id, const AuthorisedUser& user);

  // The archived copy of a valid verification, for the staff member who made it.
  // kNotFound, also for anyone else.
  Result<VerificationRecord> ArchivedVerification(int64_t id, int64_t staff_account);

  Result<std::vector<VerificationRecord>> Verifications(std::string_view holder_subject,
                                                        int64_t before_id, int64_t limit);

  // The signed status list JWT (typ statuslist+jwt) of every licence this node issued.
  Result<std::string> StatusListJwt();
  std::string StatusListUri() const { return options_.issuer_url + "/status"; }
  // "urn:tongban:license:<code>"
  static std::string Vct(std::string_view type_code);
  // The issuer's public key as a JWK with its kid, for /licenses/issuer.
  boost::json::object IssuerJwk() const;

 private:
  // notify "license.verified" for the verification row `id` of `v` (when notify_holders).
  Status TellVerified(store::Tx& tx, const VerificationRecord& v, int64_t id);
  LicenseService(store::Database& db, const Clock& clock, LicenseServiceOptions options);
  Result<std::string> ValidateFields(const LicenseType& type, const IssueRequest& request) const;
  // The type of an issue request, if `department_key` issues it and the holder is well-formed.
  Result<const LicenseType*> CheckIssue(const IssueRequest& request, std::string_view department_key);
  // `ledger_hint`: LedgerHint() read before the transaction began (lifecycle events only).
  Status Record(store::Tx& tx, const License& l, std::string_view action, boost::json::object extra,
                uint64_t ledger_hint = 0);
  // The log's size now, in its own read snapshot (0 if unknown): a lower bound for the leaf
  // index of any entry queued afterwards.
  uint64_t LedgerHint();
  Result<crypto::PrivateKey> HolderKey(store::Tx& tx, std::string_view holder_subject);
  Result<std::string> Credential(store::Tx& tx, const License& l, const crypto::PublicKey& holder);
  Result<VerifyResult> VerifyForeign(const TrustedIssuer& issuer, const SdJwtVerified& v,
                                     VerifyResult result, const VerifyRequest& request);

  store::Database& db_;
  const Clock& clock_;
  LicenseServiceOptions options_;
  const Catalogue* catalogue_;
  std::string kid_;
};

}  // namespace tongban::license
