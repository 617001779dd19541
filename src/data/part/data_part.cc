// DataPart; see data_part.h.
#include "data/part/data_part.h"

#include "api/metrics.h"
#include "identity/identity_service.h"
#include "ledger/part/ledger_part.h"
#include "data/part/data_routes.h"
#include "part/config_section.h"
#include "part/demo_data.h"
#include "part/key_files.h"
#include "part/part_set.h"

namespace tongban::data {

std::string DataPart::DefaultConfig(const part::InitChoices&) const {
  return R"([data]
# catalogue_file = "public-data-catalogue.json"  # default: the built-in catalogue (docs/data.md)
max_push_lines = 100000      # lines of one NDJSON push (also within server.body_limit_bytes)
max_line_bytes = 65536       # bytes of one NDJSON line
max_grant_days = 366         # longest grant a citizen may give a department
)";
}

Status DataPart::Configure(part::ConfigSection& s) {
  TB_RETURN_IF_ERROR(s.Read("catalogue_file", config_.catalogue_file));
  TB_RETURN_IF_ERROR(s.Read("max_push_lines", config_.max_push_lines, 1, 1'000'000));
  TB_RETURN_IF_ERROR(s.Read("max_line_bytes", config_.max_line_bytes, 1024, 1 << 20));
  return s.Read("max_grant_days", config_.max_grant_days, 1, 3660);
}

Status DataPart::Open(const part::PartContext& context) {
  TB_ASSIGN_OR_RETURN(ledger_, context.Earlier<ledger::LedgerPart>("data", "ledger"));
  identity_ = context.identity;
  const Catalogue* catalogue = &Catalogue::Builtin();
  if (!config_.catalogue_file.empty()) {
    const auto path = context.Resolve(config_.catalogue_file);
    TB_ASSIGN_OR_RETURN(std::string text, part::ReadTextFile(path));
    auto parsed = Catalogue::Parse(text);
    if (!parsed.ok()) {
      return Status::InvalidArgument(path.string() + ": " + parsed.status().ToString());
    }
    own_catalogue_ = std::make_unique<Catalogue>(std::move(parsed).value());
    catalogue = own_catalogue_.get();
  }
  DataServiceOptions options;
  options.hash = ledger_->suite().hash;
  options.subject_hash = [ledger = ledger_](std::string_view id) { return ledger->SubjectHash(id); };
  options.max_line_bytes = static_cast<size_t>(config_.max_line_bytes);
  options.max_lines = config_.max_push_lines;
  options.max_grant_days = static_cast<int>(config_.max_grant_days);
  service_ = std::make_unique<DataService>(context.db, context.clock, *catalogue, std::move(options));
  return Status::Ok();
}

void DataPart::AddRoutes(api::Router& router) {
  api::AddDataRoutes(router, api::DataRoutesOptions{.service = service_.get(),
                                                    .identity = identity_,
                                                    .reader = &ledger_->log_reader()});
}

void DataPart::AddMetrics(api::Metrics& metrics) {
  DataService* service = service_.get();
  metrics.AddGauge("tongban_data_reads_refused_total",
                   "Reads of personal data refused because no purpose covered them (403), since start.",
                   [service] { return static_cast<double>(service->refused_reads()); });
  auto figures = std::make_shared<api::CachedReading<DataStats>>(
      std::chrono::seconds(5), [service]() -> std::optional<DataStats> {
        auto s = service->Stats();
        if (!s.ok()) return std::nullopt;
        return *s;
      });
  metrics.AddGauge("tongban_data_records", "Record versions on the data platform.", [figures] {
    auto s = figures->Get();
    return s ? static_cast<double>(s->records) : -1.0;
  });
  metrics.AddGauge("tongban_data_reads", "Purpose-bound reads recorded in the access log.", [figures] {
    auto s = figures->Get();
    return s ? static_cast<double>(s->reads) : -1.0;
  });
}

// The demo departments' systems and records (synthetic): household registration of the two demo
// citizens, 李娜's marriage, 张伟's medical insurance, the demo enterprise's registration; the
// Xihu service center's agreements (two approved, one waiting for the registry), and one read of
// 张伟's household record by the window staff, which he sees in "my data".
Status DataPart::LoadDemo(part::DemoData& demo) {
  using identity::NewAccount;
  using identity::Role;
  TB_ASSIGN_OR_RETURN(int64_t police_system,
                      demo.AddAccount({.login = "police-hz-demo", .role = Role::kDepartmentSystem,
                                       .display_name = "杭州市公安局人口信息系统",
                                       .subject_id = part::SyntheticUscc("11", "330100", "G0000001"),
                                       .department = "杭州市公安局", .region_code = "330100"},
                                      {"data:push"}));
  TB_ASSIGN_OR_RETURN(int64_t civil_system,
                      demo.AddAccount({.login = "civil-hz-demo", .role = Role::kDepartmentSystem,
                                       .display_name = "杭州市民政局婚姻登记系统",
                                       .subject_id = part::SyntheticUscc("11", "330100", "M0000002"),
                                       .department = "杭州市民政局", .region_code = "330100"},
                                      {"data:push"}));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* zhang_wei, demo.Find("13800000001"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* li_na, demo.Find("13800000002"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* enterprise, demo.Find("enterprise-hz-demo"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* staff, demo.Find("staff-xihu-001"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* registry, demo.Find("registry-zj-demo"));
  TB_ASSIGN_OR_RETURN(const part::DemoData::Account* insurer, demo.Find("insurer-hz-demo"));
  const std::string& zw = zhang_wei->account.subject_id;
  const std::string& ln = li_na->account.subject_id;
  const std::string wang_qiang = part::SyntheticCitizenId("330421", "19900815", "157");

  auto push = [&](const Actor& who, std::string_view dataset, boost::json::object record) -> Status {
    TB_ASSIGN_OR_RETURN(PushResult r, service_->Push(who, dataset, boost::json::serialize(record), false));
    if (!r.rejected.empty()) {
      return Status::Internal("demo record refused: " + r.rejected.front().element + " " + r.rejected.front().reason);
    }
    return Status::Ok();
  };
  using boost::json::object;
  const Actor police{police_system, "hz-police"};
  TB_RETURN_IF_ERROR(push(police, "household_registration",
                          object{{"subject", zw}, {"key", "HJ-330106-0000213"}, {"version", 1},
                                 {"fields", object{{"name", "张伟"}, {"sex", "男"}, {"ethnicity", "汉"},
                                                   {"birth_date", "1985-03-12"},
                                                   {"household_address", "浙江省杭州市西湖区文三路 90 号"},
                                                   {"household_head_id", zw}, {"relation_to_head", "户主"}}}}));
  TB_RETURN_IF_ERROR(push(police, "household_registration",
                          object{{"subject", ln}, {"key", "HJ-330421-0000128"}, {"version", 1},
                                 {"fields", object{{"name", "李娜"}, {"sex", "女"}, {"ethnicity", "汉"},
                                                   {"birth_date", "1992-07-04"},
                                                   {"household_address", "浙江省嘉兴市嘉善县罗星街道 12 号"},
                                                   {"household_head_id", ln}, {"relation_to_head", "户主"}}}}));
  TB_RETURN_IF_ERROR(push({civil_system, "hz-civil-affairs"}, "marriage_registration",
                          object{{"subject", ln}, {"key", "J330106-2018-004512"}, {"version", 1},
                                 {"fields", object{{"marital_status", "已婚"}, {"spouse_name", "王强"},
                                                   {"spouse_id", wang_qiang}, {"registration_date", "2018-10-01"},
                                                   {"certificate_number", "J330106-2018-004512"},
                                                   {"registry_office", "杭州市西湖区民政局婚姻登记处"}}}}));
  TB_RETURN_IF_ERROR(push({insurer->id, "hz-medical-security"}, "medical_insurance",
                          object{{"subject", zw}, {"key", "YB-330100-00482913"}, {"version", 1},
                                 {"fields", object{{"scheme", "职工基本医疗保险"}, {"status", "参保缴费"},
                                                   {"insured_region", "330106"}, {"start_date", "2008-07-01"}}}}));
  TB_RETURN_IF_ERROR(push({registry->id, "zj-market-regulation"}, "enterprise_registration",
                          object{{"subject", enterprise->account.subject_id}, {"key", "QY-330106-2019-0418"},
                                 {"version", 1},
                                 {"fields", object{{"name", "杭州示范科技有限公司"}, {"entity_type", "有限责任公司"},
                                                   {"legal_representative", "张伟"},
                                                   {"legal_representative_id", zw},
                                                   {"registered_capital_fen", 500000000},
                                                   {"established", "2019-04-18"},
                                                   {"domicile", "浙江省杭州市西湖区文一西路 100 号"},
                                                   {"status", "存续"}}}}));

  const Actor center{staff->id, "xihu-service-center"};
  const int64_t until = demo.clock().NowUnixMicros() / 1'000'000 + 2LL * 365 * 86400;
  const std::string basis = "《浙江省公共数据条例》第二十八条";
  TB_ASSIGN_OR_RETURN(Agreement household,
                      service_->RequestAgreement({center, "household_registration",
                                                  {"name", "sex", "birth_date", "household_address",
                                                   "relation_to_head"},
                                                  "一证通办：窗口核验户籍信息", basis, until}));
  TB_RETURN_IF_ERROR(service_->DecideAgreement(police, household.id, true, "").status());
  TB_ASSIGN_OR_RETURN(Agreement marriage,
                      service_->RequestAgreement({center, "marriage_registration",
                                                  {"marital_status", "spouse_name", "registration_date"},
                                                  "婚育户一件事：核验婚姻状况", basis, until}));
  TB_RETURN_IF_ERROR(service_->DecideAgreement({civil_system, "hz-civil-affairs"}, marriage.id, true, "").status());
  TB_RETURN_IF_ERROR(service_
                         ->RequestAgreement({center, "enterprise_registration", {"name", "legal_representative", "status"},
                                             "企业开办一件事：核验企业登记", basis, until})
                         .status());
  // The window staff looks 张伟 up under the household agreement: he sees it in 我的数据.
  return service_
      ->Read({center, zw, "household_registration", {"name", "household_address"}, PurposeKind::kAgreement,
              std::to_string(household.id)})
      .status();
}

}  // namespace tongban::data
