// Password reset with a one-time code; see password_reset.h.
#include "identity/password_reset.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace tongban::identity {

PasswordReset::PasswordReset(const Clock& clock, IdentityService& identity, OneTimeCodes& codes,
                             crypto::PasswordParams params)
    : clock_(clock), identity_(identity), codes_(codes), params_(params) {}

Result<int64_t> PasswordReset::Reset(std::string_view login, std::string_view code,
                                     std::string_view new_password,
                                     std::string_view source_address) {
  // The password is checked before the code is looked at, so a too-short one costs no code.
  if (new_password.size() < 8 || new_password.size() > 256) {
    return Status::InvalidField("new_password", "8-256 characters");
  }
  // The code is checked (not spent) before the slow hash, so a wrong code costs no Argon2id.
  TB_RETURN_IF_ERROR(codes_.CheckForLogin(login, "password_reset", code, source_address).status());
  TB_ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(new_password, params_));
  // One transaction spends the code, sets the password and ends every session: a failure costs
  // no code, and a login with the old password racing the reset either commits first (its
  // session is ended here) or finds the password changed (IdentityService::StartSession checks
  // the hash it verified, locking the account row).
  const int64_t now = clock_.NowUnixMicros() / 1'000'000;
  std::vector<int64_t> ended;
  TB_ASSIGN_OR_RETURN(
      int64_t account_id,
      codes_.RedeemForLogin(
          login, "password_reset", code, source_address, [&](store::Tx& tx, int64_t id) -> Status {
            ended.clear();
            TB_RETURN_IF_ERROR(
                tx.Exec("UPDATE accounts SET password_hash = ? WHERE id = ?", {hash, id}).status());
            TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id FROM sessions WHERE account_id = ? "
                                                    "AND revoked_at IS NULL",
                                                    {id}));
            for (const auto& r : rows) ended.push_back(r.Int64(0));
            return tx
                .Exec(
                    "UPDATE sessions SET revoked_at = ?, revoked_reason = "
                    "'password_reset' WHERE account_id = ? AND revoked_at IS NULL",
                    {now, id})
                .status();
          }));
  // Committed; now this node's revocation list (access tokens are checked by HMAC and it).
  for (int64_t id : ended) TB_RETURN_IF_ERROR(identity_.Logout(id));
  identity_.login_guard().RecordSuccess(login);
  spdlog::info(R"({{"msg":"password reset with a one-time code","account_id":{},)"
               R"("sessions_ended":{}}})",
               account_id, ended.size());
  return account_id;
}

}  // namespace tongban::identity
