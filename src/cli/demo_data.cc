// Demo accounts and keys; see demo_data.h.
#include "cli/demo_data.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "cli/progress.h"
#include "crypto/hash.h"
#include "core/citizen_id.h"
#include "core/uscc.h"
#include "ledger/log_storage.h"

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
    out << "  " << c.role << "\t" << c.who << "\tlogin: " << c.login << "\t"
        << (c.login == "-" ? "API key: " : "password: ") << c.secret << "\n";
  }
  return out.str();
}

namespace {

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
      {{.login = "hospital-hz-demo", .role = Role::kDepartmentSystem,
        .display_name = "杭州市示范第一医院", .subject_id = SyntheticUscc("12", "330100", "H0000001"),
        .department = "杭州市卫生健康委员会", .region_code = "330100"},
       {"receipt:issue"}},
      {{.login = "insurer-hz-demo", .role = Role::kDepartmentSystem,
        .display_name = "杭州市医疗保障局", .subject_id = SyntheticUscc("11", "330100", "Y0000002"),
        .department = "杭州市医疗保障局", .region_code = "330100"},
       {"receipt:reimburse"}},
      {{.login = "registry-zj-demo", .role = Role::kDepartmentSystem,
        .display_name = "浙江省市场监督管理局", .subject_id = SyntheticUscc("11", "330000", "R0000003"),
        .department = "浙江省市场监督管理局", .region_code = "330000"},
       {"license:issue", "data:push"}},
  };

  ProgressBar progress("loading demo accounts", static_cast<int64_t>(people.size()));
  std::vector<ledger::Entry> entries;
  for (Person& p : people) {
    if (p.scopes.empty()) p.account.password = kDemoPassword;
    TB_ASSIGN_OR_RETURN(int64_t id, app.identity().CreateAccount(p.account));
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
