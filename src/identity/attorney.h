// Powers of attorney (授权 / 帮办代办) as data: who may act for whom, for what, from when until
// when — Estonia's and Denmark's registries as the model. Three kinds:
//   attorney          a citizen authorises another citizen (a son for his elderly mother), by
//                     themself or at a service window with staff (confirmed by a one-time code
//                     sent to the principal); at most one year.
//   guardian          a parent (or other guardian) acts for a minor child until the child's 18th
//                     birthday. The relation comes from an admin-approved guardianship record
//                     (RecordGuardianship) until the data platform's household data can say it:
//                     that is the seam — a household-data feed will call RecordGuardianship with
//                     its own evidence. The child need not have an account: recording creates
//                     one without a password.
//   enterprise_agent  an enterprise account (its legal representative, 法定代表人) authorises an
//                     employee (经办人) for named scopes; at most three years.
// Scopes are a closed set (ActScopes(): receipts.view, licenses.view, licenses.present,
// services.view, services.apply:<item>, data.view), each with a zh and an en label.
//
// Acting: the agent names the attorney on a request (header X-Act-For, docs/auth.md); the
// authoriser calls Act() on EVERY such request, which reads the attorney from the database (so a
// revocation takes effect from the next request), checks it is the caller's, in force and
// covers the route's act-scope, and records the use (attorney_uses) and the principal's
// notification (notify "attorney.used", at most once per attorney per China day) in the same
// transaction. Nothing here logs an ID number.
//
// Thread-safe. `db` and `clock` must outlive the service.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "identity/principal.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::identity {

enum class AttorneyKind : uint8_t { kAttorney = 1, kGuardian = 2, kEnterpriseAgent = 3 };
std::string_view AttorneyKindName(AttorneyKind kind);  // "attorney", "guardian", "enterprise_agent"
Result<AttorneyKind> ParseAttorneyKind(std::string_view name);

// One scope of the closed set. `name` ends in ':' for a family with an argument
// ("services.apply:" + a service item key).
struct ActScope {
  std::string_view name;
  std::string_view zh;
  std::string_view en;
};
const std::vector<ActScope>& ActScopes();
// Whether `scope` is in the set ("services.apply:<item>": item 1-64 of [a-z0-9_], and known to
// `item_known` when one is given).
bool KnownActScope(std::string_view scope,
                   const std::function<bool(std::string_view)>& item_known = nullptr);
// Whether an attorney scope satisfies a route's act-scope (router.h RouteAccess::act_scope): equal,
// or the route's ends in ':' and the attorney's starts with it.
bool ScopeCovers(std::string_view attorney_scope, std::string_view route_scope);

// Longest validity per kind, in seconds (guardian: the child's 18th birthday instead).
inline constexpr int64_t kAttorneyMaxSeconds = 366 * 86400;
inline constexpr int64_t kEnterpriseAgentMaxSeconds = 3 * 366 * 86400;

struct Attorney {
  int64_t id = 0;
  AttorneyKind kind = AttorneyKind::kAttorney;
  int64_t principal_account = 0;
  std::string principal_name;   // display name
  int64_t agent_account = 0;
  std::string agent_name;
  std::string agent_login;      // a citizen's login is their phone number: shown to the principal
  std::vector<std::string> scopes;
  int64_t valid_from = 0;       // unix seconds, inclusive
  int64_t valid_until = 0;      // unix seconds, exclusive
  int64_t created_at = 0;
  int64_t created_by = 0;       // account: the principal, window staff or an admin
  std::string created_via;      // "self", "assisted", "guardianship"
  std::optional<int64_t> revoked_at;
  std::optional<int64_t> revoked_by;

  // "in_force", "not_yet", "expired", "revoked" at `now`.
  std::string_view StateAt(int64_t now) const;
};

struct NewAttorney {
  AttorneyKind kind = AttorneyKind::kAttorney;
  int64_t principal_account = 0;
  std::string agent_login;            // the agent, by login name
  std::vector<std::string> scopes;
  std::optional<int64_t> valid_from;  // default: now
  int64_t valid_until = 0;
  int64_t created_by = 0;
  std::string created_via = "self";
};

struct AttorneyUse {
  int64_t id = 0;
  int64_t attorney_id = 0;
  int64_t principal_account = 0;
  int64_t agent_account = 0;
  std::string agent_name;
  std::string operation;  // the route's operation id, e.g. "listMyReceipts"
  std::string method;
  std::string act_scope;  // the route's act-scope
  int64_t at = 0;
};

// What Act() hands the authoriser: the principal the agent now acts as.
struct Acting {
  int64_t principal_account = 0;
  Role principal_role = Role::kCitizen;
  std::vector<std::string> scopes;
};

// A guardianship record: `guardian` is the guardian of the child with citizen ID `child_subject`.
struct Guardianship {
  int64_t id = 0;
  int64_t guardian_account = 0;
  std::string guardian_name;
  std::string child_subject;  // personal data: masked before a screen or a log
  std::string child_name;
  int64_t child_account = 0;
  std::string relation;       // "parent", "other"
  std::string evidence;       // e.g. "出生医学证明 No. ..." as read by the admin
  int64_t approved_by = 0;
  int64_t approved_at = 0;
  int64_t attorney_id = 0;    // the guardian power of attorney it created
};

struct NewGuardianship {
  std::string guardian_login;
  std::string child_subject;
  std::string child_name;
  std::string relation = "parent";
  std::string evidence;
};

class AttorneyService {
 public:
  // Part "identity_attorney" (after "identity": uses accounts).
  static std::vector<store::Migration> Migrations();

  AttorneyService(store::Database& db, const Clock& clock);

  // The service items that `services.apply:<item>` may name; set by the service part once it is
  // open (identity cannot see the catalogue). Unset: any well-formed item key.
  void SetServiceItemCheck(std::function<bool(std::string_view)> known) { item_known_ = std::move(known); }

  // Creates a power of attorney. Field-level kInvalidArgument: /agent_login unknown or the
  // principal themself, /scopes empty or unknown, /valid_from, /valid_until out of range, the
  // kinds' roles (attorney: citizen to citizen; enterprise_agent: enterprise to citizen).
  // Notifies the principal ("attorney.created").
  Result<Attorney> Create(const NewAttorney& request);
  // Given by `principal_account` (as principal) and received by it (as agent), newest first.
  Result<std::vector<Attorney>> ListGiven(int64_t principal_account, std::optional<AttorneyKind> kind = {});
  Result<std::vector<Attorney>> ListReceived(int64_t agent_account);
  // One attorney, when `viewer` is its principal or its agent; kNotFound otherwise (as missing).
  Result<Attorney> Get(int64_t id, int64_t viewer);
  // Withdraws it from now on: kNotFound unless `principal_account` gave it (and of `kind` when
  // given); kFailedPrecondition when already withdrawn.
  Result<Attorney> Revoke(int64_t id, int64_t principal_account, int64_t by_account,
                          std::optional<AttorneyKind> kind = {});

  // The check of every acting request: attorney `attorney_id` is `agent_account`'s, in force now
  // and covers `route_scope`. kPermissionDenied (403) with the reason otherwise (an attorney that
  // is not the caller's is refused like a missing one). On success records the use and notifies
  // the principal (at most once per attorney per day), in one transaction.
  // `admits` says whether the principal's role may call the route (checked before the use is
  // recorded; a refusal is kPermissionDenied).
  Result<Acting> Act(int64_t attorney_id, int64_t agent_account, std::string_view route_scope,
                     std::string_view operation, std::string_view method,
                     const std::function<bool(Role)>& admits = nullptr);
  // Uses of the attorneys `principal_account` gave, newest first (at most `limit`).
  Result<std::vector<AttorneyUse>> Uses(int64_t principal_account, int limit = 100);

  // Records an admin-approved guardianship and creates the guardian's power of attorney (every
  // scope except applying for services, which names one item per scope — not yet granted to
  // guardians; until the child's 18th birthday). The child: a minor's valid citizen ID number; an
  // account without a password is created for them if they have none.
  Result<Guardianship> RecordGuardianship(const NewGuardianship& request, int64_t admin_account);
  Result<std::vector<Guardianship>> ListGuardianships();
  // Ends a guardianship (a court's or registry's decision the admin has seen): its power of
  // attorney is withdrawn from the guardian's next request. Returns that power of attorney.
  // kNotFound for an unknown id; kFailedPrecondition when already ended.
  Result<Attorney> EndGuardianship(int64_t id, int64_t admin_account);

  int64_t NowSeconds() const;

 private:
  store::Database& db_;
  const Clock& clock_;
  std::function<bool(std::string_view)> item_known_;
};

}  // namespace tongban::identity
