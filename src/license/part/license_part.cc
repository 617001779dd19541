// LicensePart; see license_part.h.
#include "license/part/license_part.h"

#include <filesystem>

#include "identity/identity_service.h"
#include "ledger/part/ledger_part.h"
#include "license/part/license_handlers.h"
#include "part/config_section.h"
#include "part/part_set.h"
#include "part/demo_data.h"
#include "part/key_files.h"

namespace tongban::license {
namespace fs = std::filesystem;

std::string LicensePart::DefaultConfig(const part::InitChoices&) const {
  return R"([license]
issuer_key_file = "keys/license-issuer.pem"  # signs licences and the status list (created once)
trust_list_file = "license-trust.json"       # other regions' issuers, read if present
# issuer_url = "https://zj.tongban.example/api/v1/licenses"  # default: from the ledger origin
)";
}

Status LicensePart::Configure(part::ConfigSection& s) {
  TB_RETURN_IF_ERROR(s.Read("issuer_key_file", config_.issuer_key_file));
  TB_RETURN_IF_ERROR(s.Read("trust_list_file", config_.trust_list_file));
  TB_RETURN_IF_ERROR(s.Read("issuer_url", config_.issuer_url));
  if (!config_.issuer_url.empty() && !config_.issuer_url.starts_with("https://")) {
    return Status::InvalidField(s.Field("issuer_url"), "must be an https:// URL");
  }
  return Status::Ok();
}

// The licence issuer: its key (made once, kept), its `iss` (where the status list is served) and
// the trust list of other regions' issuers.
Status LicensePart::Open(const part::PartContext& context) {
  TB_ASSIGN_OR_RETURN(ledger_, context.Earlier<ledger::LedgerPart>("license", "ledger"));
  identity_ = context.identity;
  // My licences, who verified them, and my authorisations of their use in "download my data".
  if (identity_ != nullptr) {
    identity_->my_data().Add({.name = "licenses", .title_zh = "电子证照", .title_en = "Licences",
                              .routes = {"/api/v1/me/licenses", "/api/v1/me/verifications",
                                         "/api/v1/me/authorisations"}});
  }
  const crypto::SignatureAlgorithm alg =
      ledger_->suite().signature == crypto::SignatureAlgorithm::kSm2 ? crypto::SignatureAlgorithm::kSm2
                                                                     : crypto::SignatureAlgorithm::kEs256;
  LicenseServiceOptions options;
  TB_ASSIGN_OR_RETURN(options.issuer_key,
                      part::ReadOrCreateKey(context.Resolve(config_.issuer_key_file), alg));
  options.issuer_url = config_.issuer_url;
  if (options.issuer_url.empty()) {
    const std::string& origin = ledger_->config().origin;
    options.issuer_url = "https://" + origin.substr(0, origin.find('/')) + "/api/v1/licenses";
  }
  options.ledger_hash = ledger_->suite().hash;
  options.subject_hash = [ledger = ledger_](std::string_view s) { return ledger->SubjectHash(s); };
  options.notify_holders = true;  // "license.verified", "license.expiring" (docs/notifications.md)
  if (const fs::path trust_file = context.Resolve(config_.trust_list_file); fs::exists(trust_file)) {
    TB_ASSIGN_OR_RETURN(std::string text, part::ReadTextFile(trust_file));
    auto trust = TrustList::Parse(text);
    if (!trust.ok()) return Status::InvalidArgument(trust_file.string() + ": " + trust.status().message());
    options.trust_list = std::move(trust).value();
  }
  TB_ASSIGN_OR_RETURN(service_, LicenseService::Create(context.db, context.clock, std::move(options)));
  return Status::Ok();
}

void LicensePart::AddRoutes(api::Router& router) {
  api::AddLicenseRoutes(router, *service_, *identity_,
                        api::LicenseLedgerOptions{.reader = &ledger_->log_reader(),
                                                  .sequencer = &ledger_->sequencer()});
}

// The registry system that issues business licences, and the demo wallets: 张伟's resident ID
// card and driving licence, 李娜's marriage certificate, the demo enterprise's business licence
// (each issued by its department in the catalogue, with ledger entries of its own).
Status LicensePart::LoadDemo(part::DemoData& demo) {
  TB_RETURN_IF_ERROR(
      demo.AddAccount({.login = "registry-zj-demo", .role = identity::Role::kDepartmentSystem,
                       .display_name = "浙江省市场监督管理局",
                       .subject_id = part::SyntheticUscc("11", "330000", "R0000003"),
                       .department = "浙江省市场监督管理局", .region_code = "330000"},
                      {"license:issue", "data:push"})
          .status());
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* zhang_wei_account, demo.Find("13800000001"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* li_na_account, demo.Find("13800000002"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* enterprise_account, demo.Find("enterprise-hz-demo"));
  const std::string& zhang_wei = zhang_wei_account->account.subject_id;
  const std::string& li_na = li_na_account->account.subject_id;
  const std::string& enterprise = enterprise_account->account.subject_id;
  using boost::json::object;
  struct Demo {
    const char* type;
    std::string holder;
    object fields;
  };
  std::vector<Demo> demos = {
      {"resident_id_card", zhang_wei,
       object{{"name", "张伟"}, {"sex", "男"}, {"ethnicity", "汉"}, {"birth_date", "1985-03-12"},
              {"address", "浙江省杭州市西湖区文三路 90 号"}, {"id_number", zhang_wei}}},
      {"driving_licence", zhang_wei,
       object{{"name", "张伟"}, {"id_number", zhang_wei}, {"licence_class", "C1"},
              {"first_issue_date", "2008-06-20"}, {"address", "浙江省杭州市西湖区文三路 90 号"}}},
      {"marriage_certificate", li_na,
       object{{"name", "李娜"}, {"id_number", li_na}, {"spouse_name", "王强"},
              {"spouse_id_number", part::SyntheticCitizenId("330421", "19900815", "157")},
              {"registration_date", "2018-10-01"}}},
      {"business_licence", enterprise,
       object{{"name", "杭州示范科技有限公司"}, {"uscc", enterprise}, {"entity_type", "有限责任公司"},
              {"legal_representative", "张伟"}, {"registered_capital", "人民币 500 万元"},
              {"established", "2019-04-18"}, {"domicile", "浙江省杭州市西湖区文一西路 100 号"},
              {"business_scope", "软件开发；信息技术咨询服务"}}},
  };
  for (const Demo& d : demos) {
    const LicenseType* type = service_->catalogue().Type(d.type);
    if (type == nullptr) return Status::Internal("demo licence type missing from the catalogue");
    IssueRequest request{d.type, d.holder, d.fields, std::nullopt};
    TB_RETURN_IF_ERROR(service_->Issue(request, type->issuer).status());
  }
  return Status::Ok();
}

void LicensePart::AddCommands(part::Commands& commands) {
  AddLicenseCommands(commands, verify_options_);
}

// Licences past their expiry are marked expired (with ledger entries) at every start; between
// starts a verifier sees them as expired anyway (License::EffectiveStatus).
// Holders of licences expiring within 30 days are told at start and then daily (idempotent per
// licence and expiry date, so restarts and several nodes tell each holder once).
Status LicensePart::Start() {
  TB_RETURN_IF_ERROR(service_->ExpireDue(100000).status());
  TB_RETURN_IF_ERROR(service_->NotifyExpiring().status());
  expiring_sweep_.Start(std::chrono::hours(24), [service = service_.get()] { (void)service->NotifyExpiring(); });
  return service_->PurgePresentations().status();
}

Status LicensePart::Stop() {
  expiring_sweep_.Stop();
  return Status::Ok();
}

}  // namespace tongban::license
