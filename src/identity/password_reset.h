// PasswordReset: a forgotten password replaced with a one-time code sent to the account's phone
// (purpose "password_reset"). The new password is stored as Argon2id (crypto/password.h) and every
// session of the account is ended, so whoever held one (perhaps the reason for the reset) is out.
// Thread-safe. Everything passed in must outlive the object.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/password.h"
#include "identity/identity_service.h"
#include "identity/one_time_code.h"

namespace tongban::identity {

class PasswordReset {
 public:
  PasswordReset(const Clock& clock, IdentityService& identity, OneTimeCodes& codes,
                crypto::PasswordParams params = crypto::PasswordParams::Interactive());

  // Redeems the code of `login`, sets the new password (8-256 bytes, else a field problem on
  // "new_password") and ends every session of the account, all in one transaction (a failure
  // costs no code; a login racing the reset keeps no session), then clears its login back-off.
  // The account id; the errors of OneTimeCodes::RedeemForLogin (the same for a login with no
  // account as for a wrong code).
  Result<int64_t> Reset(std::string_view login, std::string_view code,
                        std::string_view new_password, std::string_view source_address);

 private:
  const Clock& clock_;
  IdentityService& identity_;
  OneTimeCodes& codes_;
  crypto::PasswordParams params_;
};

}  // namespace tongban::identity
