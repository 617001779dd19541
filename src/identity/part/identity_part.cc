// IdentityPart; see identity_part.h.
#include "identity/part/identity_part.h"

#include <thread>

#include "identity/part/account_routes.h"
#include "identity/part/api_key_handlers.h"
#include "identity/part/attorney_demo.h"
#include "identity/part/attorney_routes.h"
#include "identity/part/auth_handlers.h"
#include "part/config_section.h"
#include "part/part_set.h"
#include "part/demo_data.h"
#include "part/key_files.h"

namespace tongban::identity {

std::string IdentityPart::DefaultConfig(const part::InitChoices&) const {
  return R"([auth]
session_key_file = "keys/session.key"  # HMAC key of session tokens (32 random bytes, hex)
access_ttl_s = 900           # bearer token lifetime (60 s - 1 day)
refresh_ttl_s = 604800       # refresh token / session lifetime (5 min - 90 days)
login_free_failures = 5      # failed logins of one account that cost nothing; then back-off (429)
login_backoff_max_s = 300    # back-off doubles from 1 s per further failure up to this
password_threads = 0         # password checks at once (0 = one per core)
password_queue = 8           # logins waiting for a password check; more get 503
api_key_cache_s = 5          # a key revoked on another node stops working here within this
note_session_use = true      # "my sessions": last use noted per request (false: at refresh only)
otp_window_s = 900           # one-time codes: the window of the limits below
otp_sends_per_login = 5      # codes sent to one person per window
otp_sends_per_address = 20   # codes asked from one address (IPv6: its /64) per window
otp_wrong_per_address = 30   # wrong codes from one address (IPv6: its /64) per window
)" + OidcDefaultConfig();
}

Status IdentityPart::Configure(part::ConfigSection& s) {
  TB_RETURN_IF_ERROR(s.Read("session_key_file", config_.session_key_file));
  TB_RETURN_IF_ERROR(s.Read("access_ttl_s", config_.access_ttl_s, 60, 86400));
  TB_RETURN_IF_ERROR(s.Read("refresh_ttl_s", config_.refresh_ttl_s, 300, 90 * 86400));
  TB_RETURN_IF_ERROR(s.Read("login_free_failures", config_.login_free_failures, 1, 100));
  TB_RETURN_IF_ERROR(s.Read("login_backoff_max_s", config_.login_backoff_max_s, 1, 86400));
  TB_RETURN_IF_ERROR(s.Read("password_threads", config_.password_threads, 0, 256));
  TB_RETURN_IF_ERROR(s.Read("password_queue", config_.password_queue, 0, 100000));
  TB_RETURN_IF_ERROR(ReadOidcConfig(s, oidc_config_));
  TB_RETURN_IF_ERROR(s.Read("note_session_use", config_.note_session_use));
  TB_RETURN_IF_ERROR(s.Read("otp_window_s", config_.otp_window_s, 60, 86400));
  TB_RETURN_IF_ERROR(s.Read("otp_sends_per_login", config_.otp_sends_per_login, 1, 100));
  TB_RETURN_IF_ERROR(s.Read("otp_sends_per_address", config_.otp_sends_per_address, 1, 100000));
  TB_RETURN_IF_ERROR(s.Read("otp_wrong_per_address", config_.otp_wrong_per_address, 1, 100000));
  return s.Read("api_key_cache_s", config_.api_key_cache_s, 0, 3600);
}

Status IdentityPart::Initialise(const part::InitChoices&, const std::filesystem::path& base_dir) {
  std::filesystem::path path(config_.session_key_file);
  return part::WriteSecretFileIfMissing(path.is_absolute() ? path : base_dir / path, 32);
}

Status IdentityPart::Open(const part::PartContext& context) {
  TB_ASSIGN_OR_RETURN(std::string session_key,
                      part::ReadSecretFile(context.Resolve(config_.session_key_file), 32));
  IdentityOptions options;
  options.access_ttl_seconds = config_.access_ttl_s;
  options.refresh_ttl_seconds = config_.refresh_ttl_s;
  options.login.free_failures = static_cast<int>(config_.login_free_failures);
  options.login.max_backoff_seconds = config_.login_backoff_max_s;
  options.login.password_threads =
      config_.password_threads > 0
          ? static_cast<int>(config_.password_threads)
          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  options.login.password_queue = static_cast<int>(config_.password_queue);
  options.api_key_cache_seconds = config_.api_key_cache_s;
  service_ = std::make_unique<IdentityService>(context.db, context.clock, session_key, options);
  OneTimeCodeOptions code_options;
  code_options.send_window_seconds = config_.otp_window_s;
  code_options.max_sends_per_target = static_cast<int>(config_.otp_sends_per_login);
  code_options.max_sends_per_address = static_cast<int>(config_.otp_sends_per_address);
  code_options.max_wrong_per_address = static_cast<int>(config_.otp_wrong_per_address);
  account_.set_code_options(code_options);
  TB_RETURN_IF_ERROR(account_.Open(context.db, context.clock, *service_, session_key));
  attorneys_ = std::make_unique<AttorneyService>(context.db, context.clock);
  TB_RETURN_IF_ERROR(ResolveOidcSecrets(
      oidc_config_, [&](const std::string& path) { return context.Resolve(path); }));
  oidc_ = std::make_unique<OidcLogins>(context.db, context.clock, *service_, oidc_http_,
                                       oidc_config_.providers);
  TB_RETURN_IF_ERROR(oidc_->Purge().status());
  return service_->LoadRevocations();
}

void IdentityPart::AddRoutes(api::Router& router) {
  api::AddAuthRoutes(router, *service_);
  api::AddApiKeyRoutes(router, *service_);
  account_.AddRoutes(router);
  api::AddAttorneyRoutes(router, *attorneys_, *service_, &account_.codes());
  AddOidcRoutes(router, *oidc_, oidc_config_);
}

api::Authoriser IdentityPart::Authoriser() {
  api::Authoriser authoriser = api::MakeAuthoriser(*service_, attorneys_.get());
  return config_.note_session_use ? account_.Track(std::move(authoriser)) : authoriser;
}

Status IdentityPart::Start() { return account_.Start(); }
Status IdentityPart::Stop() { return account_.Stop(); }

void IdentityPart::AddMetrics(api::Metrics& metrics) {
  AddOidcMetrics(metrics, *oidc_);
  IdentityService* service = service_.get();
  metrics.AddGauge("tongban_login_backoff_refusals_total",
                   "Logins refused because the account is backing off after failures (429).",
                   [service] { return double(service->login_guard().backoff_refusals()); });
  metrics.AddGauge("tongban_login_busy_refusals_total",
                   "Logins refused because too many password checks were waiting (503).",
                   [service] { return double(service->login_guard().busy_refusals()); });
}

// The people of the demo (synthetic): two citizens, an enterprise, window staff, an auditor and
// the operator. Department systems are added by the parts they serve (a hospital by receipt).
Status IdentityPart::LoadDemo(part::DemoData& demo) {
  using part::SyntheticCitizenId;
  using part::SyntheticUscc;
  const std::vector<NewAccount> people = {
      {.login = "13800000001", .role = Role::kCitizen, .display_name = "张伟",
       .subject_id = SyntheticCitizenId("330106", "19850312", "213"), .region_code = "330106"},
      {.login = "13800000002", .role = Role::kCitizen, .display_name = "李娜",
       .subject_id = SyntheticCitizenId("330421", "19920704", "128"), .region_code = "330421"},
      {.login = "enterprise-hz-demo", .role = Role::kEnterprise,
       .display_name = "杭州示范科技有限公司",
       .subject_id = SyntheticUscc("91", "330106", "MA2DEM01"), .region_code = "330106"},
      {.login = "staff-xihu-001", .role = Role::kStaff, .display_name = "王芳",
       .department = "杭州市西湖区行政服务中心", .region_code = "330106"},
      {.login = "auditor-001", .role = Role::kAuditor, .display_name = "赵敏",
       .department = "浙江省审计厅", .region_code = "330000"},
      {.login = "admin", .role = Role::kAdmin, .display_name = "运维管理员",
       .department = "浙江省大数据发展管理局", .region_code = "330000"},
  };
  for (const NewAccount& person : people) TB_RETURN_IF_ERROR(demo.AddAccount(person).status());
  return LoadAttorneyDemo(demo, *attorneys_);
}

void IdentityPart::AddCommands(part::Commands& commands) {
  AddKeyCommands(commands, keys_options_);
}

}  // namespace tongban::identity
