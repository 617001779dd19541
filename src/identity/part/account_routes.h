// AccountFeatures: what the identity part adds for accounts as people use them (issue 20, items 2
// and 5) — one-time codes (login with a code, password reset, step-up), "my sessions and devices"
// and the noting of each session's use on authenticated requests. Owned by IdentityPart.
//
// Routes (docs/auth.md):
//   POST /api/v1/auth/otp/request {login, purpose}   public; the same answer whether or not the
//                                                     login has an account
//   POST /api/v1/auth/otp/login {login, code}        public; a token pair, the session stepped up
//   POST /api/v1/auth/password/reset {login, code, new_password}   public; every session ended
//   POST /api/v1/me/step-up/request                  a code to my phone (purpose "step_up")
//   POST /api/v1/me/step-up {code}                   this session stepped up
//   GET  /api/v1/me/sessions                         my live sessions, the current one marked
//   POST /api/v1/me/sessions/{id}/end                another person's session: 404
//   POST /api/v1/me/sessions/end-others
//   POST /api/v1/me/data-export, GET .../{id}, GET .../{id}/download   (my_data_export.h)
// Codes are delivered through the notification hub (notify::Enqueue, template "otp.code",
// sensitive, sms to the account's phone). Thread-safe once opened.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/dispatcher.h"
#include "api/router.h"
#include "core/periodic.h"
#include "identity/identity_service.h"
#include "identity/one_time_code.h"
#include "identity/part/my_data_export.h"
#include "identity/password_reset.h"
#include "identity/session_directory.h"

namespace tongban::identity {

class AccountFeatures {
 public:
  // The schema of codes ("identity_otp"), sessions' devices ("identity_sessions") and data
  // exports ("identity_export").
  static std::vector<store::Migration> Migrations();

  // `session_key`: the deployment's session-token key; the codes' HMAC key is derived from it.
  // `sender` (tests): delivers codes instead of the notification hub (EnqueueCode).
  Status Open(store::Database& db, const Clock& clock, IdentityService& identity,
              std::string_view session_key, CodeSender sender = nullptr,
              crypto::PasswordParams password = crypto::PasswordParams::Interactive());
  // The codes' limits ([auth] otp_*); before Open.
  void set_code_options(const OneTimeCodeOptions& options) { code_options_ = options; }
  void AddRoutes(api::Router& router);
  // `inner`, then the use of the caller's session noted (in memory: SessionDirectory::Seen).
  api::Authoriser Track(api::Authoriser inner);
  // The workers: noted session uses written every `flush_seconds` (Stop flushes once more), and
  // the data-export job.
  Status Start(int64_t flush_seconds = 30);
  Status Stop();

  // REQUIRES: Open succeeded.
  OneTimeCodes& codes() { return *codes_; }
  SessionDirectory& sessions() { return *sessions_; }
  MyDataExportJob& data_export() { return *export_; }

 private:
  IdentityService* identity_ = nullptr;
  OneTimeCodeOptions code_options_;
  std::unique_ptr<OneTimeCodes> codes_;
  std::unique_ptr<SessionDirectory> sessions_;
  std::unique_ptr<PasswordReset> reset_;
  std::unique_ptr<MyDataExportJob> export_;
  Periodic flusher_;
};

// The notice of a one-time code for the notification hub: template "otp.code", sensitive, sms
// to the account's phone (a citizen's login is the mobile number).
Status EnqueueCode(store::Tx& tx, const CodeDelivery& delivery, int64_t now, int64_t minutes);

}  // namespace tongban::identity
