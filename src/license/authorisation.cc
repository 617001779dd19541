// Holder authorisation (授权) of a licence: grant, list, revoke, and a staff member's use of a
// grant; part of LicenseService (license_service.h), in a file of its own to keep each under
// ~700 lines.
#include "license/license_service.h"

#include "license/license_repo.h"

namespace tongban::license {

using boost::json::object;

Result<Authorisation> LicenseService::Authorise(const AuthoriseRequest& request) {
  int64_t now = NowSeconds();
  if (request.grantee_kind != "staff" && request.grantee_kind != "department" &&
      request.grantee_kind != "case") {
    return Status::InvalidField("/grantee_kind", "must be staff, department or case");
  }
  if (request.grantee.empty() || request.grantee.size() > 200) {
    return Status::InvalidField("/grantee", "must be 1-200 bytes");
  }
  if (request.purpose.empty() || request.purpose.size() > 200) {
    return Status::InvalidField("/purpose", "must be 1-200 bytes");
  }
  if (request.valid_until <= now || request.valid_until > now + 366 * 86400) {
    return Status::InvalidField("/until", "must be in the future, at most a year ahead");
  }
  // A case number alone binds nobody (any staff member can type it): a case grant names the
  // department that handles the case, and only its staff can use it.
  if (request.grantee_kind == "case") {
    if (request.case_department.empty() || request.case_department.size() > 200) {
      return Status::InvalidField("/department",
                                  "is required for a case authorisation: the name of the "
                                  "department that handles the case (1-200 bytes)");
    }
  } else if (!request.case_department.empty()) {
    return Status::InvalidField("/department", "is only for grantee_kind case");
  }
  Authorisation a;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, LicenseRepo::Get(tx, request.license_id));
    if (!found || found->holder_subject != request.holder_subject) {
      return Status::NotFound("licence", request.license_id);
    }
    if (found->EffectiveStatus(now) != LicenseStatus::kValid) {
      return Status::FailedPrecondition("licence is not valid");
    }
    a = Authorisation{0, found->id, found->holder_subject, request.grantee_kind, request.grantee,
                      request.purpose, request.valid_until, now, std::nullopt, 0,
                      request.case_department};
    TB_ASSIGN_OR_RETURN(a.id, LicenseRepo::InsertAuthorisation(tx, a));
    object extra{{"authorisation", a.id}, {"grantee_kind", a.grantee_kind},
                 {"grantee_hash", crypto::ToHex(crypto::Hash(options_.ledger_hash, a.grantee))},
                 {"valid_until", a.valid_until}};
    if (!a.department.empty()) {
      extra["department_hash"] = crypto::ToHex(crypto::Hash(options_.ledger_hash, a.department));
    }
    return Record(tx, *found, "authorise", std::move(extra));
  }));
  return a;
}

Result<std::vector<Authorisation>> LicenseService::Authorisations(std::string_view holder) {
  std::vector<Authorisation> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, LicenseRepo::AuthorisationsOf(tx, holder));
    return Status::Ok();
  }));
  return out;
}

Status LicenseService::RevokeAuthorisation(std::string_view holder, int64_t id) {
  return db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto a, LicenseRepo::GetAuthorisation(tx, id));
    // Another holder's authorisation answers as a missing one.
    if (!a || a->holder_subject != holder) {
      return Status::NotFound("authorisation", std::to_string(id));
    }
    TB_ASSIGN_OR_RETURN(int64_t n, LicenseRepo::RevokeAuthorisation(tx, id, NowSeconds()));
    if (n != 1) return Status::FailedPrecondition("authorisation is already revoked");
    TB_ASSIGN_OR_RETURN(auto l, LicenseRepo::Get(tx, a->license_id));
    if (!l) return Status::DataLoss("authorisation of a missing licence");
    return Record(tx, *l, "deauthorise", object{{"authorisation", id}});
  });
}

Result<License> LicenseService::UseAuthorisation(int64_t id, const AuthorisedUser& user) {
  int64_t now = NowSeconds();
  License out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto a, LicenseRepo::GetAuthorisation(tx, id));
    // A case grant is the case's only in the department that handles it: the case number is
    // the caller's own word, the department comes from its account. A grant without a department
    // (made before migration v6) matches nobody.
    bool grantee = (a && a->grantee_kind == "staff" && a->grantee == user.login) ||
                   (a && a->grantee_kind == "department" && a->grantee == user.department) ||
                   (a && a->grantee_kind == "case" && a->grantee == user.case_number &&
                    !a->department.empty() && a->department == user.department);
    // Not granted to the caller answers as a missing id, so ids cannot be counted.
    if (!grantee) return Status::NotFound("authorisation", std::to_string(id));
    if (a->revoked_at) return Status::PermissionDenied("the holder revoked this authorisation");
    if (now >= a->valid_until) return Status::PermissionDenied("this authorisation has lapsed");
    // SEAM (services part): once cases exist, a case grant is usable only while its case exists
    // and is open in the grant's department. options_.case_open is that check; absent, it is
    // not made (the department and case number above are all that bind the grant).
    if (a->grantee_kind == "case" && options_.case_open) {
      TB_ASSIGN_OR_RETURN(bool open, options_.case_open(tx, a->department, a->grantee));
      if (!open) return Status::PermissionDenied("the case is not open in your department");
    }
    TB_ASSIGN_OR_RETURN(auto l, LicenseRepo::Get(tx, a->license_id));
    if (!l) return Status::DataLoss("authorisation of a missing licence");
    LicenseStatus st = l->EffectiveStatus(now);
    if (st != LicenseStatus::kValid) {
      return Status::FailedPrecondition("licence is " + std::string(LicenseStatusName(st)));
    }
    TB_RETURN_IF_ERROR(LicenseRepo::CountAuthorisationUse(tx, id));
    std::string who = user.department.empty() ? user.display_name
                                              : user.display_name + " (" + user.department + ")";
    std::string purpose = a->purpose;
    if (!user.case_number.empty()) purpose += " [" + user.case_number + "]";
    const VerificationRecord used{0, l->id, l->type, l->holder_subject, who, user.account_id, purpose,
                                  "authorised_use", "authorisation " + std::to_string(id), now, ""};
    TB_ASSIGN_OR_RETURN(int64_t used_id, LicenseRepo::InsertVerification(tx, used));
    TB_RETURN_IF_ERROR(TellVerified(tx, used, used_id));
    TB_RETURN_IF_ERROR(Record(tx, *l, "use", object{{"authorisation", id}}));
    out = *l;
    return Status::Ok();
  }));
  return out;
}

}  // namespace tongban::license
