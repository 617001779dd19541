// Password reset with a one-time code; see password_reset.h.
#include "identity/password_reset.h"

#include <spdlog/spdlog.h>

namespace tongban::identity {

PasswordReset::PasswordReset(store::Database& db, IdentityService& identity,
                             OneTimeCodes& codes, SessionDirectory& sessions,
                             crypto::PasswordParams params)
    : db_(db),
      identity_(identity),
      codes_(codes),
      sessions_(sessions),
      params_(params) {}

Result<int64_t> PasswordReset::Reset(std::string_view login, std::string_view code,
                                     std::string_view new_password,
                                     std::string_view source_address) {
  // The password is checked before the code is spent, so a too-short one costs no code.
  if (new_password.size() < 8 || new_password.size() > 256) {
    return Status::InvalidField("new_password", "8-256 characters");
  }
  TB_ASSIGN_OR_RETURN(int64_t account_id,
                      codes_.RedeemForLogin(login, "password_reset", code, source_address));
  TB_ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(new_password, params_));
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    return tx.Exec("UPDATE accounts SET password_hash = ? WHERE id = ?", {hash, account_id})
        .status();
  }));
  TB_ASSIGN_OR_RETURN(int64_t ended, sessions_.EndOthers(account_id, 0));
  identity_.login_guard().RecordSuccess(login);
  spdlog::info(R"({{"msg":"password reset with a one-time code","account_id":{},)"
               R"("sessions_ended":{}}})",
               account_id, ended);
  return account_id;
}

}  // namespace tongban::identity
