// DataPart; see data_part.h.
#include "data/part/data_part.h"

#include "api/metrics.h"
#include "identity/identity_service.h"
#include "ledger/part/ledger_part.h"
#include "data/part/data_objection_routes.h"
#include "data/part/data_routes.h"
#include "data/part/synthetic_load.h"
#include "part/config_section.h"
#include "part/demo_data.h"
#include "part/key_files.h"
#include "part/part_set.h"

namespace tongban::data {
namespace {

// The synthetic county of [data] demo_people (data/synthetic.h), each dataset pushed by its owner
// department's system: the demo's own where it has one (police-hz-demo, civil-hz-demo, the
// insurer, the registry), else a new one per department (health-hz-demo, hrss-hz-demo, …) with a
// data:push key that is not printed, to keep the demo's account list short (`tongban keys
// rotate` or `keys create` gives a usable one). Then agreements among the demo departments.
Status LoadDemoCounty(DataService& service, part::DemoData& demo, int64_t people, int64_t staff_id) {
  const Catalogue& catalogue = service.catalogue();
  std::map<std::string, int64_t> systems;
  for (const part::DemoData::Account& a : demo.accounts()) {
    const Department* d = catalogue.DepartmentByName(a.account.department);
    if (d != nullptr && a.account.role == identity::Role::kDepartmentSystem) systems.emplace(d->key, a.id);
  }
  for (const Department& d : catalogue.departments()) {
    if (systems.contains(d.key)) continue;
    TB_ASSIGN_OR_RETURN(int64_t id, demo.identity().CreateAccount(
                                        {.login = DepartmentSystemLogin(d.key, "demo"),
                                         .role = identity::Role::kDepartmentSystem,
                                         .display_name = d.name_zh + "数据共享系统",
                                         .subject_id = d.uscc,
                                         .department = d.name_zh,
                                         .region_code = d.region}));
    TB_RETURN_IF_ERROR(demo.identity()
                           .CreateApiKey(id, {"data:push"}, "demo (not printed: tongban keys rotate gives one)")
                           .status());
    systems.emplace(d.key, id);
  }
  if (people > 0) {
    SyntheticLoadOptions load;
    load.county.people = people;
    load.county.today = ChinaDate(demo.clock().Now());
    TB_RETURN_IF_ERROR(LoadSyntheticCounty(service, systems, load).status());
  }

  // Agreements (供需对接) among the demo departments: the Xihu service center's window reads birth
  // certificates, social insurance and property titles; the housing fund checks property before a
  // withdrawal; the education bureau's request for household records waits for the police.
  const int64_t until = demo.clock().NowUnixMicros() / 1'000'000 + 2LL * 365 * 86400;
  const std::string basis = "《浙江省公共数据条例》第二十八条";
  struct Demo {
    Actor consumer;
    std::string dataset;
    std::vector<std::string> elements;
    std::string purpose;
    bool approve;
  };
  const Actor center{staff_id, "xihu-service-center"};
  const std::vector<Demo> agreements = {
      {center, "birth_certificate", {"child_name", "sex", "birth_date", "mother_name", "father_name"},
       "出生一件事：核验出生医学证明", true},
      {center, "social_insurance", {"insurance_type", "status", "employer_uscc", "start_date"},
       "就业一件事：核验社保参保状态", true},
      {center, "real_estate_registration", {"certificate_number", "property_address", "ownership", "mortgaged"},
       "二手房交易一件事：核验不动产权属", true},
      {{systems.at("hz-housing-fund"), "hz-housing-fund"}, "real_estate_registration",
       {"property_address", "registration_date", "ownership"}, "住房公积金提取：核验购房", true},
      {{systems.at("hz-education"), "hz-education"}, "household_registration",
       {"name", "birth_date", "household_address"}, "义务教育入学：核验户籍", false},
  };
  for (const Demo& d : agreements) {
    TB_ASSIGN_OR_RETURN(Agreement a, service.RequestAgreement({d.consumer, d.dataset, d.elements, d.purpose,
                                                               basis, until}));
    if (d.approve) {
      const std::string& owner = catalogue.FindDataset(d.dataset)->owner;
      TB_RETURN_IF_ERROR(service.DecideAgreement({systems.at(owner), owner}, a.id, true, "").status());
    }
  }
  return Status::Ok();
}

}  // namespace

std::string DataPart::DefaultConfig(const part::InitChoices&) const {
  return R"([data]
# catalogue_file = "public-data-catalogue.json"  # default: the built-in catalogue (docs/data.md)
max_push_lines = 100000      # lines of one NDJSON push (also within server.body_limit_bytes)
max_line_bytes = 65536       # bytes of one NDJSON line
max_grant_days = 366         # longest grant a citizen may give a department
demo_people = 10000          # tongban demo: people of the synthetic county it loads (0: none)
feed_poll_ms = 100           # change feed: how often to look for other nodes' commits (ms)
feed_heartbeat_s = 15        # change feed: SSE heartbeat when nothing happens (s)
# calendar_file = "working-calendar.json"  # default: the built-in calendar (docs/data.md), update yearly
objection_days = 5           # working days a department has to decide a data objection
)";
}

Status DataPart::Configure(part::ConfigSection& s) {
  TB_RETURN_IF_ERROR(s.Read("catalogue_file", config_.catalogue_file));
  TB_RETURN_IF_ERROR(s.Read("max_push_lines", config_.max_push_lines, 1, 1'000'000));
  TB_RETURN_IF_ERROR(s.Read("max_line_bytes", config_.max_line_bytes, 1024, 1 << 20));
  TB_RETURN_IF_ERROR(s.Read("feed_poll_ms", config_.feed_poll_ms, 5, 10'000));
  TB_RETURN_IF_ERROR(s.Read("feed_heartbeat_s", config_.feed_heartbeat_s, 1, 300));
  TB_RETURN_IF_ERROR(s.Read("demo_people", config_.demo_people, 0, 10'000'000));
  TB_RETURN_IF_ERROR(s.Read("calendar_file", config_.calendar_file));
  TB_RETURN_IF_ERROR(s.Read("objection_days", config_.objection_days, 1, 60));
  return s.Read("max_grant_days", config_.max_grant_days, 1, 3660);
}

Status DataPart::Open(const part::PartContext& context) {
  TB_ASSIGN_OR_RETURN(ledger_, context.Earlier<ledger::LedgerPart>("data", "ledger"));
  identity_ = context.identity;
  // My records on the data platform, who read them, my grants and objections in "download my data".
  if (identity_ != nullptr) {
    identity_->my_data().Add({.name = "data", .title_zh = "公共数据", .title_en = "Public data",
                              .routes = {"/api/v1/me/data", "/api/v1/me/data-access",
                                         "/api/v1/me/data-grants", "/api/v1/me/data/objections"}});
  }
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
  FeedOptions feed;
  feed.hash = options.hash;
  feed.subject_hash = options.subject_hash;
  feed.poll_interval = std::chrono::milliseconds(config_.feed_poll_ms);
  feed_ = std::make_unique<DataFeed>(context.db, context.clock, *catalogue, std::move(feed));
  options.on_feed = [feed = feed_.get()](int64_t head) { feed->Notify(head); };
  service_ = std::make_unique<DataService>(context.db, context.clock, *catalogue, std::move(options));
  return OpenObjections(context);
}

// Objections (数据异议): the working-day calendar (built in, or [data] calendar_file) and the service.
Status DataPart::OpenObjections(const part::PartContext& context) {
  const WorkingCalendar* calendar = &WorkingCalendar::Builtin();
  if (!config_.calendar_file.empty()) {
    const auto path = context.Resolve(config_.calendar_file);
    TB_ASSIGN_OR_RETURN(std::string text, part::ReadTextFile(path));
    TB_ASSIGN_OR_RETURN(WorkingCalendar parsed, WorkingCalendar::Parse(text, path.string()));
    own_calendar_ = std::make_unique<WorkingCalendar>(std::move(parsed));
    calendar = own_calendar_.get();
  }
  ObjectionServiceOptions o;
  o.hash = ledger_->suite().hash;
  o.subject_hash = [ledger = ledger_](std::string_view id) { return ledger->SubjectHash(id); };
  o.working_days = static_cast<int>(config_.objection_days);
  o.calendar = calendar;
  objections_ = std::make_unique<ObjectionService>(context.db, context.clock, *service_, std::move(o));
  return Status::Ok();
}

// Overdue objections are escalated at start and then every few minutes (a due day ends at
// midnight, China time; minutes late is on time for a working-day deadline).
Status DataPart::Start() {
  TB_RETURN_IF_ERROR(objections_->EscalateOverdue(100000).status());
  objections_->StartSweeps(std::chrono::minutes(5));
  return feed_->Start();
}

Status DataPart::Stop() {
  feed_->Stop();
  objections_->StopSweeps();
  return Status::Ok();
}

void DataPart::AddRoutes(api::Router& router) {
  api::AddDataRoutes(router, api::DataRoutesOptions{.service = service_.get(),
                                                    .identity = identity_,
                                                    .reader = &ledger_->log_reader(),
                                                    .feed = feed_.get(),
                                                    .feed_heartbeat = std::chrono::seconds(config_.feed_heartbeat_s)});
  api::AddDataObjectionRoutes(router, {.objections = objections_.get(), .service = service_.get(), .identity = identity_});
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
  TB_RETURN_IF_ERROR(service_
                         ->Read({center, zw, "household_registration", {"name", "household_address"},
                                 PurposeKind::kAgreement, std::to_string(household.id)})
                         .status());
  return LoadDemoCounty(*service_, demo, config_.demo_people, staff->id);
}

void DataPart::AddCommands(part::Commands& commands) { AddDataCommands(commands, generate_options_); }

}  // namespace tongban::data
