// Demo accounts and keys; see demo_data.h.
#include "cli/demo_data.h"

#include <sys/stat.h>

#include <cassert>
#include <fstream>
#include <map>
#include <sstream>

#include "cli/progress.h"
#include "crypto/hash.h"
#include "core/citizen_id.h"
#include "core/uscc.h"
#include "ledger/log_storage.h"
#include "receipt/receipt_service.h"

namespace tongban::cli {
namespace fs = std::filesystem;

std::string SyntheticCitizenId(std::string_view region6, std::string_view birth8,
                               std::string_view seq3) {
  std::string first17 = std::string(region6) + std::string(birth8) + std::string(seq3);
  return first17 + CitizenId::ComputeCheckChar(first17);
}

std::string SyntheticUscc(std::string_view prefix2, std::string_view region6,
                          std::string_view org_body8) {
  std::string first17 = std::string(prefix2) + std::string(region6) + std::string(org_body8) +
                        Uscc::ComputeOrgCodeCheckChar(org_body8);
  return first17 + Uscc::ComputeCheckChar(first17);
}

std::string FormatCredentials(const std::vector<DemoCredential>& credentials) {
  std::ostringstream out;
  out << "Demo accounts (log in at POST /api/v1/auth/login; API keys go in "
         "\"Authorization: Bearer <key>\"):\n";
  for (const auto& c : credentials) {
    if (c.role == "receipt") {
      out << "Sample receipt (" << c.who << "): code/number " << c.login << ", check code "
          << c.secret << "\n  verify: GET /api/v1/receipts/verify?code=" << c.login.substr(0, 8)
          << "&number=" << c.login.substr(9) << "&check=" << c.secret << "\n";
      continue;
    }
    out << "  " << c.role << "\t" << c.who << "\tlogin: " << c.login << "\t"
        << (c.login == "-" ? "API key: " : "password: ") << c.secret << "\n";
  }
  return out.str();
}

namespace {

// Registers a demo hospital as an issuer with numbers first..last of this year's outpatient and
// inpatient codes of Zhejiang (33).
Status RegisterDemoIssuer(App& app, int64_t hospital, const std::string& uscc,
                          const std::string& name, std::string_view region, int64_t first,
                          int64_t last) {
  auto& svc = app.receipts();
  TB_ASSIGN_OR_RETURN(receipt::Issuer issuer, svc.RegisterIssuer(hospital, uscc, name, region));
  const int year = ChinaDate(app.clock().Now()).year;
  for (auto kind : {receipt::ReceiptKind::kOutpatient, receipt::ReceiptKind::kInpatient}) {
    TB_ASSIGN_OR_RETURN(auto code, receipt::ReceiptCode::Make(33, kind, year));
    TB_RETURN_IF_ERROR(svc.AssignRange(issuer.id, code.str(), first, last).status());
  }
  return Status::Ok();
}

// The demo hospital's receipts (synthetic): three for 张伟 — one reimbursed by the demo insurer,
// one voided (partial drug refund) and replaced — and two for 李娜. Returns the line to print for
// the sample receipt (its code/number and check code, to try the public verify page with).
Result<DemoCredential> LoadDemoReceipts(App& app, int64_t hospital, const std::string& hospital_uscc,
                                        const std::string& hospital_name, int64_t insurer,
                                        const std::string& zhang_wei_id,
                                        const std::string& li_na_id) {
  auto& svc = app.receipts();
  TB_RETURN_IF_ERROR(RegisterDemoIssuer(app, hospital, hospital_uscc, hospital_name, "330100", 1,
                                        4'999'999));
  auto make = [](const std::string& id, const std::string& name, receipt::ReceiptKind kind,
                 std::vector<receipt::ReceiptItem> items, int64_t insurance_share_percent) {
    receipt::NewReceipt r;
    r.kind = kind;
    r.payer_id_number = id;
    r.payer_name = name;
    r.items = std::move(items);
    for (const auto& i : r.items) r.total_fen += i.amount_fen;
    r.insurance_fen = r.total_fen * insurance_share_percent / 100;
    r.self_fen = r.total_fen - r.insurance_fen;
    r.channel = "medical_insurance";
    return r;
  };
  using K = receipt::ReceiptKind;
  std::vector<receipt::NewReceipt> batch = {
      make(zhang_wei_id, "张伟", K::kOutpatient,
           {{"西药费", "阿莫西林胶囊 0.25g×24粒", 2, 1850, 3700},
            {"检查费", "血常规", 1, 2500, 2500},
            {"诊疗费", "普通门诊诊查费", 1, 1000, 1000}},
           60),
      make(zhang_wei_id, "张伟", K::kOutpatient,
           {{"中成药费", "连花清瘟胶囊 0.35g×36粒", 1, 2980, 2980},
            {"诊疗费", "专家门诊诊查费", 1, 3000, 3000}},
           50),
      make(li_na_id, "李娜", K::kOutpatient,
           {{"检查费", "胸部CT平扫", 1, 26000, 26000}, {"诊疗费", "普通门诊诊查费", 1, 1000, 1000}},
           70),
  };
  TB_ASSIGN_OR_RETURN(auto issued, svc.Issue(hospital, batch, true, app.sequencer().size()));
  std::vector<receipt::NewReceipt> inpatient = {
      make(zhang_wei_id, "张伟", K::kInpatient,
           {{"床位费", "普通病房床位费", 3, 4000, 12000},
            {"护理费", "二级护理", 3, 2500, 7500},
            {"手术费", "腹腔镜阑尾切除术", 1, 180000, 180000},
            {"西药费", "头孢呋辛钠注射液 1.5g", 6, 3650, 21900}},
           75),
      make(li_na_id, "李娜", K::kInpatient,
           {{"床位费", "普通病房床位费", 2, 4000, 8000}, {"检验费", "肝功能全套", 1, 9800, 9800}},
           70)};
  TB_ASSIGN_OR_RETURN(auto issued_in, svc.Issue(hospital, inpatient, true, app.sequencer().size()));
  // 张伟's inpatient receipt: basic insurance reimburses its share, then the supplementary
  // scheme (补充医疗保险, run by the same bureau here) the rest: fully reimbursed.
  const receipt::Receipt& stay = issued_in.front();
  TB_RETURN_IF_ERROR(svc.AddClaim(stay.code, stay.number, insurer, "杭州市医疗保障局",
                                  stay.insurance_fen, "YB-DEMO-0001")
                         .status());
  TB_RETURN_IF_ERROR(svc.AddClaim(stay.code, stay.number, insurer, "杭州市医疗保障局",
                                  stay.self_fen, "BC-DEMO-0001")
                         .status());
  // 张伟's second outpatient receipt: the expert fee is refunded, so the receipt is voided and
  // replaced by one for the medicine alone.
  const receipt::Receipt& refunded = issued[1];
  receipt::NewReceipt replacement = make(zhang_wei_id, "张伟", K::kOutpatient,
                                         {{"中成药费", "连花清瘟胶囊 0.35g×36粒", 1, 2980, 2980}}, 50);
  TB_RETURN_IF_ERROR(svc.Void(refunded.code, refunded.number, hospital, "退专家门诊诊查费（未就诊）",
                              replacement, app.sequencer().size())
                         .status());
  const receipt::Receipt& sample = issued.front();
  return DemoCredential{"receipt", "张伟 门诊 sample receipt",
                        sample.code.str() + "/" + sample.number.ToString(), sample.check.str()};
}

// The second demo hospital (its own issuer key, like every issuer): the upper half of this year's
// codes, and one outpatient receipt for 李娜, so the published keys show two hospitals' batches.
Status LoadSecondDemoHospital(App& app, int64_t hospital, const std::string& hospital_uscc,
                              const std::string& hospital_name, const std::string& li_na_id) {
  auto& svc = app.receipts();
  TB_RETURN_IF_ERROR(RegisterDemoIssuer(app, hospital, hospital_uscc, hospital_name, "330106",
                                        5'000'000, 9'999'999));
  receipt::NewReceipt r;
  r.kind = receipt::ReceiptKind::kOutpatient;
  r.payer_id_number = li_na_id;
  r.payer_name = "李娜";
  r.items = {{"检查费", "甲状腺彩超", 1, 12000, 12000}, {"诊疗费", "普通门诊诊查费", 1, 1000, 1000}};
  r.total_fen = 13000;
  r.insurance_fen = 7800;
  r.self_fen = 5200;
  r.channel = "medical_insurance";
  return svc.Issue(hospital, std::span(&r, 1), false, app.sequencer().size()).status();
}

// 张伟: resident ID card and driving licence; 李娜: marriage certificate; the demo enterprise:
// business licence (issued by 浙江省市场监督管理局, the registry system's department).
Status LoadDemoLicenses(App& app, const std::string& zhang_wei, const std::string& li_na,
                        const std::string& enterprise) {
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
              {"spouse_id_number", SyntheticCitizenId("330421", "19900815", "157")},
              {"registration_date", "2018-10-01"}}},
      {"business_licence", enterprise,
       object{{"name", "杭州示范科技有限公司"}, {"uscc", enterprise}, {"entity_type", "有限责任公司"},
              {"legal_representative", "张伟"}, {"registered_capital", "人民币 500 万元"},
              {"established", "2019-04-18"}, {"domicile", "浙江省杭州市西湖区文一西路 100 号"},
              {"business_scope", "软件开发；信息技术咨询服务"}}},
  };
  for (const Demo& d : demos) {
    const license::LicenseType* type = app.licenses().catalogue().Type(d.type);
    if (type == nullptr) return Status::Internal("demo licence type missing from the catalogue");
    license::IssueRequest request{d.type, d.holder, d.fields, std::nullopt};
    TB_RETURN_IF_ERROR(app.licenses().Issue(request, type->issuer).status());
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<DemoCredential>> LoadDemoData(App& app, const fs::path& credentials_file) {
  std::vector<DemoCredential> out;
  if (fs::exists(credentials_file)) {
    // Created on the first start; API keys are not recoverable from the database (only hashes
    // are stored), so the file is the demo's memory of them.
    std::ifstream in(credentials_file);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      DemoCredential c;
      if (std::getline(fields, c.role, '\t') && std::getline(fields, c.who, '\t') &&
          std::getline(fields, c.login, '\t') && std::getline(fields, c.secret, '\t')) {
        out.push_back(std::move(c));
      }
    }
    return out;
  }

  using identity::NewAccount;
  using identity::Role;
  struct Person {
    NewAccount account;
    std::vector<std::string> scopes;  // non-empty: an API key instead of a password
  };
  std::vector<Person> people = {
      {{.login = "13800000001", .role = Role::kCitizen, .display_name = "张伟",
        .subject_id = SyntheticCitizenId("330106", "19850312", "213"), .region_code = "330106"},
       {}},
      {{.login = "13800000002", .role = Role::kCitizen, .display_name = "李娜",
        .subject_id = SyntheticCitizenId("330421", "19920704", "128"), .region_code = "330421"},
       {}},
      {{.login = "enterprise-hz-demo", .role = Role::kEnterprise,
        .display_name = "杭州示范科技有限公司",
        .subject_id = SyntheticUscc("91", "330106", "MA2DEM01"), .region_code = "330106"},
       {}},
      {{.login = "staff-xihu-001", .role = Role::kStaff, .display_name = "王芳",
        .department = "杭州市西湖区行政服务中心", .region_code = "330106"},
       {}},
      {{.login = "auditor-001", .role = Role::kAuditor, .display_name = "赵敏",
        .department = "浙江省审计厅", .region_code = "330000"},
       {}},
      {{.login = "admin", .role = Role::kAdmin, .display_name = "运维管理员",
        .department = "浙江省大数据发展管理局", .region_code = "330000"},
       {}},
      {{.login = "hospital-xh-demo", .role = Role::kDepartmentSystem,
        .display_name = "杭州市西湖区示范医院", .subject_id = SyntheticUscc("12", "330106", "H0000002"),
        .department = "杭州市西湖区卫生健康局", .region_code = "330106"},
       {"receipt:issue"}},
      {{.login = "hospital-hz-demo", .role = Role::kDepartmentSystem,
        .display_name = "杭州市示范第一医院", .subject_id = SyntheticUscc("12", "330100", "H0000001"),
        .department = "杭州市卫生健康委员会", .region_code = "330100"},
       {"receipt:issue"}},
      {{.login = "insurer-hz-demo", .role = Role::kDepartmentSystem,
        .display_name = "杭州市医疗保障局", .subject_id = SyntheticUscc("11", "330100", "Y0000002"),
        .department = "杭州市医疗保障局", .region_code = "330100"},
       {"receipt:reimburse"}},
      {{.login = "finance-hz-demo", .role = Role::kDepartmentSystem,
        .display_name = "杭州市财政局", .subject_id = SyntheticUscc("11", "330100", "F0000004"),
        .department = "杭州市财政局", .region_code = "330100"},
       {"receipt:supervise"}},
      {{.login = "registry-zj-demo", .role = Role::kDepartmentSystem,
        .display_name = "浙江省市场监督管理局", .subject_id = SyntheticUscc("11", "330000", "R0000003"),
        .department = "浙江省市场监督管理局", .region_code = "330000"},
       {"license:issue", "data:push"}},
  };

  ProgressBar progress("loading demo accounts", static_cast<int64_t>(people.size()));
  std::vector<ledger::Entry> entries;
  std::map<std::string, int64_t> account_ids;
  for (Person& p : people) {
    if (p.scopes.empty()) p.account.password = kDemoPassword;
    TB_ASSIGN_OR_RETURN(int64_t id, app.identity().CreateAccount(p.account));
    account_ids[p.account.login] = id;
    DemoCredential c{std::string(identity::RoleName(p.account.role)), p.account.display_name,
                     p.account.login, kDemoPassword};
    if (!p.scopes.empty()) {
      TB_ASSIGN_OR_RETURN(c.secret, app.identity().CreateApiKey(id, p.scopes, "demo"));
      c.login = "-";
    }
    out.push_back(std::move(c));
    // The account's creation goes on the ledger: keyed hash of the subject, hash of the record.
    ledger::Entry e;
    e.type = "identity.account";
    e.subject = app.SubjectHash(p.account.subject_id.empty() ? p.account.login : p.account.subject_id);
    e.document = crypto::Hash(app.suite().hash, p.account.login + "\n" + p.account.display_name);
    e.time_micros = app.clock().NowUnixMicros();
    entries.push_back(std::move(e));
    progress.Advance();
  }
  progress.Finish();

  auto person = [&](std::string_view login) -> const NewAccount& {
    for (const Person& p : people) {
      if (p.account.login == login) return p.account;
    }
    assert(false && "demo account missing");
    return people.front().account;
  };
  TB_ASSIGN_OR_RETURN(DemoCredential sample,
                      LoadDemoReceipts(app, account_ids.at("hospital-hz-demo"),
                                       person("hospital-hz-demo").subject_id,
                                       person("hospital-hz-demo").display_name,
                                       account_ids.at("insurer-hz-demo"),
                                       people[0].account.subject_id, people[1].account.subject_id));
  out.push_back(std::move(sample));
  TB_RETURN_IF_ERROR(LoadSecondDemoHospital(app, account_ids.at("hospital-xh-demo"),
                                            person("hospital-xh-demo").subject_id,
                                            person("hospital-xh-demo").display_name,
                                            people[1].account.subject_id));
  // Licences in the demo wallets, issued by their departments (ledger entries of their own).
  TB_RETURN_IF_ERROR(LoadDemoLicenses(app, people[0].account.subject_id, people[1].account.subject_id,
                                      people[2].account.subject_id));

  // Sample entries so the ledger has full tiles to browse and prove against.
  constexpr int kSamples = 3000;
  for (int i = 0; i < kSamples; ++i) {
    ledger::Entry e;
    e.type = "demo.sample";
    e.subject = app.SubjectHash("demo-subject-" + std::to_string(i % 97));
    e.document = crypto::Hash(app.suite().hash, "demo document " + std::to_string(i));
    e.time_micros = app.clock().NowUnixMicros();
    entries.push_back(std::move(e));
  }
  TB_RETURN_IF_ERROR(app.db().Transact(
      [&](store::Tx& tx) { return ledger::EnqueueEntries(tx, entries); }));
  ProgressBar ledger_progress("integrating demo ledger entries", static_cast<int64_t>(entries.size()));
  while (true) {
    TB_ASSIGN_OR_RETURN(ledger::BatchResult batch, app.sequencer().IntegrateOnce());
    if (batch.count == 0) break;
    ledger_progress.Advance(static_cast<int64_t>(batch.count));
  }
  ledger_progress.Finish();

  mode_t old = ::umask(077);
  std::ofstream file(credentials_file, std::ios::trunc);
  for (const auto& c : out) file << c.role << '\t' << c.who << '\t' << c.login << '\t' << c.secret << '\n';
  file.close();
  ::umask(old);
  if (!file) return Status::Unavailable("cannot write " + credentials_file.string());
  return out;
}

}  // namespace tongban::cli
