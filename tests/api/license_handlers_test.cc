// Licence endpoints end to end over HTTP on SQLite and PostgreSQL: the catalogue, issuing by the
// right department only, lifecycle steps, the wallet, presentations (QR), public and staff
// verification, replay, the holder's verification log, and for every licence route that missing
// or forged credentials get 401 and a role the route does not list gets 403, while an object
// that is not the caller's answers 404 exactly as a missing one (issue 15). A verification's
// ledger proof: it is the inclusion-proof route's object plus the event document, checks offline
// with the log key, follows a revoke, is withheld (tampered) for an altered row, and a licence
// still queued gets 503 without its one-time presentation being used up.
#include "license/part/license_handlers.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "identity/part/auth_handlers.h"
#include "api/dispatcher.h"
#include "ledger/part/ledger_handlers.h"
#include "core/base64.h"
#include "core/citizen_id.h"
#include "crypto/hmac.h"
#include "ledger/log_reader.h"
#include "ledger/log_storage.h"
#include "ledger/note_keys.h"
#include "ledger/note_signer.h"
#include "ledger/offline_verify.h"
#include "ledger/sequencer.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::api {
namespace {

using boost::json::object;
using boost::json::value;
using identity::NewAccount;
using identity::Role;
using tongban::testing::Backend;
using tongban::testing::HttpClient;

constexpr const char* kPassword = "password-for-tests";

std::string SyntheticId(std::string first17) { return first17 + CitizenId::ComputeCheckChar(first17); }
const std::string kZhangWei = SyntheticId("33010619850312213");
const std::string kLiNa = SyntheticId("33042119920704128");

class LicenseHandlersTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = identity::IdentityService::Migrations();
    for (auto& x : ledger::LogStorageMigrations()) m.push_back(x);
    for (auto& x : license::LicenseService::Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    identity::IdentityOptions io;
    io.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<identity::IdentityService>(**db_, clock_, std::string(32, 'k'), io);
    const auto& cat = license::Catalogue::Builtin();
    auto add = [&](NewAccount a) {
      if (a.role != Role::kDepartmentSystem) a.password = kPassword;
      auto id = identity_->CreateAccount(a);
      EXPECT_TRUE(id.ok()) << id.status().ToString();
      return *id;
    };
    add({.login = "zhangwei", .role = Role::kCitizen, .display_name = "张伟", .subject_id = kZhangWei});
    add({.login = "lina", .role = Role::kCitizen, .display_name = "李娜", .subject_id = kLiNa});
    add({.login = "enterprise", .role = Role::kEnterprise, .display_name = "杭州示范科技有限公司",
         .subject_id = "91330106MA2DEM01XX"});
    add({.login = "staff", .role = Role::kStaff, .display_name = "王芳", .department = "杭州市西湖区行政服务中心"});
    // Staff of another department (logged in by the tests that need them).
    add({.login = "staff-b", .role = Role::kStaff, .display_name = "陈静", .department = "杭州市上城区行政服务中心"});
    add({.login = "auditor", .role = Role::kAuditor, .display_name = "赵敏"});
    add({.login = "admin", .role = Role::kAdmin, .display_name = "运维管理员"});
    int64_t traffic = add({.login = "traffic", .role = Role::kDepartmentSystem, .display_name = "交管系统",
                           .subject_id = cat.DepartmentByKey("zj-traffic")->uscc});
    int64_t samr = add({.login = "samr", .role = Role::kDepartmentSystem, .display_name = "市场监管系统",
                        .department = "浙江省市场监督管理局"});
    int64_t hospital = add({.login = "hospital", .role = Role::kDepartmentSystem, .display_name = "医院"});
    traffic_key_ = "Bearer " + *identity_->CreateApiKey(traffic, {"license:issue"}, "test");
    samr_key_ = "Bearer " + *identity_->CreateApiKey(samr, {"license:issue"}, "test");
    hospital_key_ = "Bearer " + *identity_->CreateApiKey(hospital, {"receipt:issue"}, "test");

    license::LicenseServiceOptions o;
    o.issuer_url = "https://test.tongban.example/api/v1/licenses";
    o.issuer_key = *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEs256);
    o.ledger_hash = crypto::HashAlgorithm::kSm3;
    o.subject_hash = [](std::string_view s) {
      return crypto::HmacDigest(crypto::HashAlgorithm::kSm3, std::string(32, 's'), s);
    };
    service_ = std::move(license::LicenseService::Create(**db_, clock_, std::move(o))).value();

    // The log: SM3 with an SM2 checkpoint key, its sequencer running.
    auto log_key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
    signer_ = std::move(ledger::NewNoteSigner(kOrigin, *log_key)).value();
    verifier_key_ = ledger::NoteVerifierKeyString(kOrigin, log_key->public_key()).value();
    ledger::SequencerOptions so;
    so.origin = kOrigin;
    so.hash = crypto::HashAlgorithm::kSm3;
    so.signers = {signer_.get()};
    so.max_delay = std::chrono::milliseconds(2);
    so.clock = &clock_;
    sequencer_ = std::move(ledger::Sequencer::Create(**db_, std::move(so))).value();
    reader_ = std::make_unique<ledger::LogReader>(**db_, crypto::HashAlgorithm::kSm3);
    ASSERT_TRUE(sequencer_->Start().ok());

    AddAuthRoutes(dispatcher_.router(), *identity_);
    AddLedgerRoutes(dispatcher_.router(), *reader_, {});
    AddLicenseRoutes(dispatcher_.router(), *service_, *identity_,
                     LicenseLedgerOptions{.reader = reader_.get(),
                                          .sequencer = sequencer_.get(),
                                          .wait = std::chrono::milliseconds(400)});
    dispatcher_.AddSystemRoutes();
    dispatcher_.set_authoriser(MakeAuthoriser(*identity_));
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
    for (const char* login : {"zhangwei", "lina", "enterprise", "staff", "auditor", "admin"}) {
      tokens_[login] = "Bearer " + Login(login);
    }
  }

  void TearDown() override {
    server_.reset();
    if (sequencer_) (void)sequencer_->Stop();
  }

  std::string Login(const std::string& login) {
    auto r = Call("POST", "/api/v1/auth/login", R"({"login":")" + login + R"(","password":")" + kPassword + "\"}", "");
    return r.status == 200 ? std::string(boost::json::parse(r.body).at("access_token").as_string()) : "";
  }

  tongban::testing::RawResponse Call(const std::string& method, const std::string& path,
                                     const std::string& body, const std::string& auth) {
    HttpClient c(server_->port());
    std::map<std::string, std::string> h;
    if (!auth.empty()) h["Authorization"] = auth;
    auto r = c.Request(method, path, body, h);
    EXPECT_TRUE(r.has_value());
    return r ? *r : tongban::testing::RawResponse{};
  }

  std::string IssueBody(const std::string& holder = kZhangWei) {
    return boost::json::serialize(object{
        {"type", "driving_licence"},
        {"holder", holder},
        {"fields", object{{"name", "张伟"}, {"id_number", holder}, {"licence_class", "C1"},
                          {"first_issue_date", "2008-06-20"}}}});
  }

  // The problem body without its request id (`instance`): what must not differ between a missing
  // object and one that is not the caller's.
  static std::string WithoutInstance(const std::string& body) {
    boost::system::error_code ec;
    value v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return "not JSON: " + body;
    EXPECT_TRUE(v.as_object().contains("instance")) << body;
    v.as_object().erase("instance");
    return boost::json::serialize(v);
  }

  std::string IssueDrivingLicence(const std::string& holder = kZhangWei) {
    auto r = Call("POST", "/api/v1/licenses", IssueBody(holder), traffic_key_);
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(boost::json::parse(r.body).at("id").as_string());
  }

  // A presentation of licence `id` by 张伟 (name and class disclosed): its token.
  std::string Present(const std::string& id) {
    auto r = Call("POST", "/api/v1/me/licenses/" + id + "/presentations",
                  R"({"disclose":["name","licence_class"],"purpose":"办理业务"})", tokens_["zhangwei"]);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(boost::json::parse(r.body).at("token").as_string()) : "";
  }

  // Checks a verification answer's "ledger" object as `tongban verify --proof` does, with the
  // event document: the entry it proves, or the failure.
  Result<ledger::OfflineVerified> CheckOffline(const object& proof) {
    TB_ASSIGN_OR_RETURN(std::string entry, Base64Decode(std::string_view(proof.at("entry").as_string())));
    std::vector<std::string> hashes;
    for (const auto& h : proof.at("hashes").as_array()) {
      TB_ASSIGN_OR_RETURN(std::string b, Base64Decode(std::string_view(h.as_string())));
      hashes.push_back(std::move(b));
    }
    TB_ASSIGN_OR_RETURN(auto verifier, ledger::ParseNoteVerifier(verifier_key_));
    return ledger::VerifyOffline(crypto::HashAlgorithm::kSm3, kOrigin, verifier,
                                 ledger::OfflineProof{.entry = entry,
                                                      .proof = hashes,
                                                      .checkpoint_note = proof.at("checkpoint").as_string(),
                                                      .document = proof.at("document").as_string()});
  }

  static constexpr char kOrigin[] = "test.tongban.example/log";
  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<ledger::NoteSigner> signer_;
  std::string verifier_key_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  std::unique_ptr<ledger::LogReader> reader_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<license::LicenseService> service_;
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
  std::map<std::string, std::string> tokens_;
  std::string traffic_key_, samr_key_, hospital_key_;
};

TEST_P(LicenseHandlersTest, TheCatalogueIsPublic) {
  auto r = Call("GET", "/api/v1/licenses/types", "", "");
  ASSERT_EQ(r.status, 200);
  auto items = boost::json::parse(r.body).at("items").as_array();
  EXPECT_GE(items.size(), 21u);
  EXPECT_EQ(items[0].at("name_zh").as_string(), "居民身份证");
}

TEST_P(LicenseHandlersTest, OnlyTheIssuingDepartmentIssues) {
  auto r = Call("POST", "/api/v1/licenses", IssueBody(), traffic_key_);
  ASSERT_EQ(r.status, 201) << r.body;
  auto o = boost::json::parse(r.body).as_object();
  EXPECT_EQ(o["type_name_zh"].as_string(), "机动车驾驶证");
  EXPECT_EQ(o["status"].as_string(), "valid");
  // Another department's type: 403 problem.
  r = Call("POST", "/api/v1/licenses", IssueBody(), samr_key_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  // No scope, a citizen, no credentials, a forged key.
  EXPECT_EQ(Call("POST", "/api/v1/licenses", IssueBody(), hospital_key_).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/licenses", IssueBody(), tokens_["zhangwei"]).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/licenses", IssueBody(), "").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/licenses", IssueBody(), traffic_key_ + "x").status, 401);
}

TEST_P(LicenseHandlersTest, BadIssueBodiesGetFieldErrors) {
  auto field = [&](const std::string& body) {
    auto r = Call("POST", "/api/v1/licenses", body, traffic_key_);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
    auto v = boost::json::parse(r.body);
    return std::string(v.at("errors").at(0).at("field").as_string());
  };
  EXPECT_EQ(field(R"({"type":"driving_licence","holder":"x","fields":{}})"), "/holder");
  EXPECT_EQ(field(R"({"type":"driving_licence","holder":")" + kZhangWei + R"(","fields":[]})"), "/fields");
  EXPECT_EQ(field(R"({"type":"driving_licence","holder":")" + kZhangWei + R"(","fields":{"name":"张伟"}})"),
            "/fields/id_number");
  EXPECT_EQ(field(R"({"type":"no_such","holder":")" + kZhangWei + R"(","fields":{}})"), "/type");
  EXPECT_EQ(field(R"({"type":"driving_licence","holder":")" + kZhangWei + R"(","fields":{},"colour":1})"),
            "/colour");
}

TEST_P(LicenseHandlersTest, LifecycleRoutesBelongToTheIssuer) {
  std::string id = IssueDrivingLicence();
  std::string base = "/api/v1/licenses/" + id;
  // Another department's licence: 404, as a missing one (issue 15); a role the route does not
  // admit: 403.
  auto theirs = Call("POST", base + "/suspend", R"({"reason":"扣满 12 分"})", samr_key_);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(Call("POST", base + "/renew", "{}", samr_key_).status, 404);
  EXPECT_EQ(Call("POST", base + "/revoke", "{}", samr_key_).status, 404);
  EXPECT_EQ(Call("POST", base + "/suspend", R"({"reason":"扣满 12 分"})", tokens_["staff"]).status, 403);
  EXPECT_EQ(Call("POST", base + "/suspend", R"({"reason":"扣满 12 分"})", "").status, 401);
  auto r = Call("POST", base + "/suspend", R"({"reason":"扣满 12 分"})", traffic_key_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("status").as_string(), "suspended");
  EXPECT_EQ(Call("POST", base + "/suspend", "{}", traffic_key_).status, 409);
  EXPECT_EQ(Call("POST", base + "/resume", "{}", traffic_key_).status, 200);
  r = Call("POST", base + "/renew", "{}", traffic_key_);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string renewed(boost::json::parse(r.body).at("id").as_string());
  EXPECT_EQ(Call("POST", "/api/v1/licenses/" + renewed + "/revoke", R"({"reason":"吊销"})", traffic_key_).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/licenses/1.2.156.3005.2.nope/revoke", "{}", traffic_key_).status, 404);
  // The same id, gone: the very answer the other department got.
  ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) {
    return tx.Exec("DELETE FROM license WHERE id = ?", {id}).status();
  }).ok());
  auto missing = Call("POST", base + "/suspend", R"({"reason":"扣满 12 分"})", traffic_key_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(WithoutInstance(missing.body), WithoutInstance(theirs.body));
}

TEST_P(LicenseHandlersTest, WalletsAreTheHoldersOwn) {
  std::string id = IssueDrivingLicence();
  auto r = Call("GET", "/api/v1/me/licenses", "", tokens_["zhangwei"]);
  ASSERT_EQ(r.status, 200);
  auto items = boost::json::parse(r.body).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("id").as_string(), id);
  EXPECT_EQ(items[0].at("fields").at("name").as_string(), "张伟");
  EXPECT_EQ(items[0].at("field_labels").at("licence_class").at("zh").as_string(), "准驾车型");
  EXPECT_TRUE(boost::json::parse(Call("GET", "/api/v1/me/licenses", "", tokens_["lina"]).body)
                  .at("items").as_array().empty());
  EXPECT_EQ(Call("GET", "/api/v1/me/licenses", "", tokens_["staff"]).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/me/licenses", "", "").status, 401);
  // 李娜 cannot present 张伟's licence: 404, the same answer as for an id that does not exist.
  auto theirs = Call("POST", "/api/v1/me/licenses/" + id + "/presentations", R"({"disclose":["name"]})",
                     tokens_["lina"]);
  EXPECT_EQ(theirs.status, 404);
  const std::string nope = "1.2.156.3005.2.nope";
  auto missing = Call("POST", "/api/v1/me/licenses/" + nope + "/presentations", R"({"disclose":["name"]})",
                      tokens_["lina"]);
  EXPECT_EQ(missing.status, 404);
  std::string normalised = WithoutInstance(missing.body);
  normalised.replace(normalised.find(nope), nope.size(), id);
  EXPECT_EQ(WithoutInstance(theirs.body), normalised);
}

TEST_P(LicenseHandlersTest, PresentThenVerifyByScan) {
  std::string id = IssueDrivingLicence();
  auto r = Call("POST", "/api/v1/me/licenses/" + id + "/presentations",
                R"({"disclose":["name","licence_class"],"verifier":"杭州市西湖区行政服务中心","purpose":"办理业务"})",
                tokens_["zhangwei"]);
  ASSERT_EQ(r.status, 201) << r.body;
  auto p = boost::json::parse(r.body).as_object();
  std::string token(p["token"].as_string());
  EXPECT_TRUE(token.starts_with("ey"));
  EXPECT_TRUE(p["qr_svg"].as_string().starts_with("<svg"));
  std::string qr(p["qr_text"].as_string());
  EXPECT_TRUE(qr == token || qr.starts_with("TBL1."));

  // Staff scan: the verifier is named in the holder's log.
  r = Call("POST", "/api/v1/licenses/verify", R"({"token":")" + token + R"(","purpose":"窗口核验"})",
           tokens_["staff"]);
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = boost::json::parse(r.body).as_object();
  EXPECT_TRUE(v["valid"].as_bool()) << r.body;
  EXPECT_EQ(v["license"].at("type_name_zh").as_string(), "机动车驾驶证");
  EXPECT_EQ(v["disclosed"].at("name").as_string(), "张伟");
  EXPECT_FALSE(v["disclosed"].as_object().contains("id_number"));
  // Archived for the staff member who verified (归档), and only for them.
  ASSERT_TRUE(v["archived"].as_bool());
  std::string archive = "/api/v1/licenses/verifications/" + std::to_string(v["verification_id"].as_int64());
  auto a = Call("GET", archive, "", tokens_["staff"]);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(boost::json::parse(a.body).at("disclosed").at("name").as_string(), "张伟");
  EXPECT_EQ(Call("GET", archive, "", tokens_["zhangwei"]).status, 403);  // not staff
  EXPECT_EQ(Call("GET", archive, "", "Bearer " + Login("staff-b")).status, 404);  // not theirs
  EXPECT_EQ(Call("GET", archive, "", "").status, 401);
  // The same QR again, on the public page: a replay.
  r = Call("POST", "/api/v1/licenses/verify", R"({"token":")" + token + "\"}", "");
  ASSERT_EQ(r.status, 200);
  v = boost::json::parse(r.body).as_object();
  EXPECT_FALSE(v["valid"].as_bool());
  EXPECT_EQ(v["reason"].as_string(), "replay: this presentation was already verified");
  // A forged credential on the public route is refused, not ignored.
  EXPECT_EQ(Call("POST", "/api/v1/licenses/verify", R"({"token":")" + token + "\"}", "Bearer tb1.forged").status, 401);
  // Not a token at all: 400 problem naming the field.
  r = Call("POST", "/api/v1/licenses/verify", R"({"token":"not-a-token"})", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(boost::json::parse(r.body).at("errors").at(0).at("field").as_string(), "token");
  EXPECT_EQ(Call("POST", "/api/v1/licenses/verify", R"({})", "").status, 400);

  r = Call("GET", "/api/v1/me/verifications", "", tokens_["zhangwei"]);
  ASSERT_EQ(r.status, 200);
  auto items = boost::json::parse(r.body).at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].at("verifier").as_string(), "王芳 (杭州市西湖区行政服务中心)");
  EXPECT_EQ(items[1].at("purpose").as_string(), "窗口核验");
  EXPECT_EQ(items[0].at("verifier").as_string(), "public");
  EXPECT_TRUE(items[1].at("archived").as_bool());
  EXPECT_FALSE(items[0].at("archived").as_bool());
  EXPECT_TRUE(boost::json::parse(Call("GET", "/api/v1/me/verifications", "", tokens_["lina"]).body)
                  .at("items").as_array().empty());
  EXPECT_EQ(Call("GET", "/api/v1/me/verifications?limit=0", "", tokens_["zhangwei"]).status, 400);
}

TEST_P(LicenseHandlersTest, StatusListAndIssuerKeyArePublic) {
  IssueDrivingLicence();
  auto r = Call("GET", "/api/v1/licenses/status", "", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/statuslist+jwt");
  r = Call("GET", "/api/v1/licenses/issuer", "", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(boost::json::parse(r.body).at("jwk").at("crv").as_string(), "P-256");
}

TEST_P(LicenseHandlersTest, EveryLicenceRouteChecksCredentialsAndRoles) {
  int checked = 0;
  std::map<std::string, std::string> creds = tokens_;
  creds["department_system"] = hospital_key_;  // a system without license:issue
  for (const Route& route : dispatcher_.router().routes()) {
    if (route.access.is_public ||
        (route.pattern.find("licen") == std::string::npos &&
                                     route.pattern.find("verifications") == std::string::npos &&
                                     route.pattern.find("authorisations") == std::string::npos)) {
      continue;
    }
    std::string path = route.pattern;
    if (auto pos = path.find("{id}"); pos != std::string::npos) path.replace(pos, 4, "1.2.156.3005.2.x");
    std::string body = route.method == "POST" ? "{}" : "";
    for (const std::string& bad : {std::string(), std::string("Bearer tb1.forged"),
                                   std::string("Bearer tbk_000000000000_x")}) {
      EXPECT_EQ(Call(route.method, path, body, bad).status, 401) << route.pattern;
    }
    for (const auto& [who, auth] : creds) {
      identity::Principal p;
      p.role = who == "zhangwei" || who == "lina" ? Role::kCitizen
               : who == "department_system"       ? Role::kDepartmentSystem
                                                  : *identity::ParseRole(who);
      if (who == "department_system") p.scopes = {"receipt:issue"};
      if (!Authorise(p, route.access).ok()) {
        EXPECT_EQ(Call(route.method, path, body, auth).status, 403) << route.pattern << " as " << who;
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 12);
}

TEST_P(LicenseHandlersTest, HolderAuthorisesStaffAndSeesEveryUse) {
  std::string id = IssueDrivingLicence();
  std::string body = R"({"grantee_kind":"staff","grantee":"staff","purpose":"代办车辆年检","until":"2026-12-31T00:00:00Z"})";
  // 李娜 cannot authorise use of 张伟's licence (404: not hers); staff cannot authorise at all.
  EXPECT_EQ(Call("POST", "/api/v1/me/licenses/" + id + "/authorisations", body, tokens_["lina"]).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/me/licenses/" + id + "/authorisations", body, tokens_["staff"]).status, 403);
  auto r = Call("POST", "/api/v1/me/licenses/" + id + "/authorisations", body, tokens_["zhangwei"]);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string aid = std::to_string(boost::json::parse(r.body).at("id").as_int64());
  // A bad time is a field error.
  r = Call("POST", "/api/v1/me/licenses/" + id + "/authorisations",
           R"({"grantee_kind":"staff","grantee":"staff","purpose":"x","until":"2020-01-01T00:00:00Z"})",
           tokens_["zhangwei"]);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(boost::json::parse(r.body).at("errors").at(0).at("field").as_string(), "/until");
  // Only a case grant names a department.
  r = Call("POST", "/api/v1/me/licenses/" + id + "/authorisations",
           R"({"grantee_kind":"staff","grantee":"staff","department":"杭州市西湖区行政服务中心","purpose":"x","until":"2026-12-31T00:00:00Z"})",
           tokens_["zhangwei"]);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(boost::json::parse(r.body).at("errors").at(0).at("field").as_string(), "/department");

  r = Call("POST", "/api/v1/authorisations/" + aid + "/use", "{}", tokens_["staff"]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("fields").at("licence_class").as_string(), "C1");
  EXPECT_EQ(Call("POST", "/api/v1/authorisations/" + aid + "/use", "{}", tokens_["auditor"]).status, 403);
  // Another staff member, not the grantee: 404, as for a missing id.
  EXPECT_EQ(Call("POST", "/api/v1/authorisations/" + aid + "/use", "{}", "Bearer " + Login("staff-b")).status, 404);
  auto log = boost::json::parse(Call("GET", "/api/v1/me/verifications", "", tokens_["zhangwei"]).body);
  EXPECT_EQ(log.at("items").at(0).at("result").as_string(), "authorised_use");
  EXPECT_EQ(log.at("items").at(0).at("purpose").as_string(), "代办车辆年检");
  auto list = boost::json::parse(Call("GET", "/api/v1/me/authorisations", "", tokens_["zhangwei"]).body);
  EXPECT_EQ(list.at("items").at(0).at("uses").as_int64(), 1);
  EXPECT_EQ(Call("POST", "/api/v1/me/authorisations/" + aid + "/revoke", "", tokens_["lina"]).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/me/authorisations/" + aid + "/revoke", "", tokens_["zhangwei"]).status, 200);
  // The grantee learns that the holder revoked it.
  EXPECT_EQ(Call("POST", "/api/v1/authorisations/" + aid + "/use", "{}", tokens_["staff"]).status, 403);
}

// Issue 15, finding 1, as reproduced: 李娜 grants case "2026-001"; staff who are not of the
// department handling the case name it in vain, and cannot tell her grant from a missing id.
TEST_P(LicenseHandlersTest, ACaseGrantIsUsableOnlyByStaffOfTheCasesDepartment) {
  std::string id = IssueDrivingLicence(kLiNa);
  const std::string grants = "/api/v1/me/licenses/" + id + "/authorisations";
  // A case grant must name the department that handles the case.
  auto r = Call("POST", grants, R"({"grantee_kind":"case","grantee":"2026-001","purpose":"婚姻登记核验","until":"2026-12-31T00:00:00Z"})",
                tokens_["lina"]);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("errors").at(0).at("field").as_string(), "/department");
  r = Call("POST", grants,
           R"({"grantee_kind":"case","grantee":"2026-001","department":"杭州市西湖区行政服务中心","purpose":"婚姻登记核验","until":"2026-12-31T00:00:00Z"})",
           tokens_["lina"]);
  ASSERT_EQ(r.status, 201) << r.body;
  auto grant = boost::json::parse(r.body).as_object();
  EXPECT_EQ(grant.at("department").as_string(), "杭州市西湖区行政服务中心");
  const std::string aid = std::to_string(grant.at("id").as_int64());
  const std::string use = "/api/v1/authorisations/" + aid + "/use";

  // Staff of another department, naming the case: 404.
  const std::string staff_b = "Bearer " + Login("staff-b");
  auto theirs = Call("POST", use, R"({"case":"2026-001"})", staff_b);
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  EXPECT_EQ(theirs.body.find("李娜"), std::string::npos);
  // Staff of the case's department without the case, or with another one: 404 too.
  EXPECT_EQ(Call("POST", use, "{}", tokens_["staff"]).status, 404);
  EXPECT_EQ(Call("POST", use, R"({"case":"2026-002"})", tokens_["staff"]).status, 404);
  // Staff of the case's department handling the case get the licence.
  r = Call("POST", use, R"({"case":"2026-001"})", tokens_["staff"]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("id").as_string(), id);
  EXPECT_EQ(boost::json::parse(r.body).at("fields").at("id_number").as_string(), kLiNa);
  auto list = boost::json::parse(Call("GET", "/api/v1/me/authorisations", "", tokens_["lina"]).body);
  EXPECT_EQ(list.at("items").at(0).at("uses").as_int64(), 1);
  EXPECT_EQ(list.at("items").at(0).at("department").as_string(), "杭州市西湖区行政服务中心");

  // Another holder revoking it: 404, as for a missing id.
  auto not_holder = Call("POST", "/api/v1/me/authorisations/" + aid + "/revoke", "", tokens_["zhangwei"]);
  EXPECT_EQ(not_holder.status, 404);
  // The same ids once the grant is gone: byte-identical problems apart from the request id, so
  // the answer does not tell a grant of someone else's from no grant at all.
  ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) {
    return tx.Exec("DELETE FROM license_authorisation WHERE id = ?", {grant.at("id").as_int64()}).status();
  }).ok());
  auto missing = Call("POST", use, R"({"case":"2026-001"})", staff_b);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["content-type"], theirs.headers["content-type"]);
  EXPECT_EQ(WithoutInstance(missing.body), WithoutInstance(theirs.body));
  auto missing_revoke = Call("POST", "/api/v1/me/authorisations/" + aid + "/revoke", "", tokens_["zhangwei"]);
  EXPECT_EQ(WithoutInstance(missing_revoke.body), WithoutInstance(not_holder.body));
}

TEST_P(LicenseHandlersTest, VerificationCarriesTheLedgerProofOfTheLatestLifecycleEntry) {
  std::string id = IssueDrivingLicence();
  // Just issued: the issue entry may still be queued; the route waits for the sequencer.
  auto r = Call("POST", "/api/v1/licenses/verify", R"({"token":")" + Present(id) + "\"}", "");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = boost::json::parse(r.body).as_object();
  EXPECT_EQ(v["status"].as_string(), "valid");
  ASSERT_TRUE(v["ledger"].is_object()) << r.body;
  EXPECT_TRUE(v["ledger_reason"].is_null());
  object proof = v["ledger"].as_object();
  auto checked = CheckOffline(proof);
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_EQ(checked->entry.type, "license.issue");
  const value doc_text = proof["document"];
  auto doc = boost::json::parse(proof["document"].as_string()).as_object();
  EXPECT_EQ(doc["license_id"].as_string(), id);
  EXPECT_EQ(doc["status"].as_string(), "valid");
  // Apart from the document, it is exactly what the public inclusion-proof route serves.
  auto pub = Call("GET", "/api/v1/ledger/proofs/inclusion?index=" + std::to_string(proof["index"].as_int64()) +
                             "&tree_size=" + std::to_string(proof["tree_size"].as_int64()), "", "");
  ASSERT_EQ(pub.status, 200) << pub.body;
  proof.erase("document");
  EXPECT_EQ(boost::json::parse(pub.body).as_object(), proof);
  // Verified again: the same leaf (the proof now from the route's short-lived cache) still checks.
  r = Call("POST", "/api/v1/licenses/verify", R"({"token":")" + Present(id) + "\"}", "");
  ASSERT_EQ(r.status, 200) << r.body;
  v = boost::json::parse(r.body).as_object();
  ASSERT_TRUE(v["ledger"].is_object()) << r.body;
  EXPECT_EQ(v["ledger"].at("index"), proof["index"]);
  EXPECT_TRUE(CheckOffline(v["ledger"].as_object()).ok());
  EXPECT_EQ(v["ledger"].at("document"), doc_text);

  // Presented while valid, verified after a revoke: the proof is of the revoke entry.
  std::string token = Present(id);
  ASSERT_EQ(Call("POST", "/api/v1/licenses/" + id + "/revoke", R"({"reason":"违规记分满 12 分"})", traffic_key_).status, 200);
  r = Call("POST", "/api/v1/licenses/verify", R"({"token":")" + token + "\"}", "");
  ASSERT_EQ(r.status, 200) << r.body;
  v = boost::json::parse(r.body).as_object();
  EXPECT_EQ(v["status"].as_string(), "revoked");
  ASSERT_TRUE(v["ledger"].is_object()) << r.body;
  checked = CheckOffline(v["ledger"].as_object());
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_EQ(checked->entry.type, "license.revoke");
  EXPECT_EQ(boost::json::parse(v["ledger"].at("document").as_string()).at("status").as_string(), "revoked");
}

TEST_P(LicenseHandlersTest, AnAlteredLicenceRowIsReportedNotProven) {
  std::string id = IssueDrivingLicence();
  std::string token = Present(id);
  ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) {
    return tx.Exec("UPDATE license SET fields_json = replace(fields_json, 'C1', 'A1') WHERE id = ?", {id}).status();
  }).ok());
  auto r = Call("POST", "/api/v1/licenses/verify", R"({"token":")" + token + "\"}", "");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = boost::json::parse(r.body).as_object();
  EXPECT_FALSE(v["valid"].as_bool());
  EXPECT_EQ(v["status"].as_string(), "tampered");
  EXPECT_TRUE(v["ledger"].is_null());
  EXPECT_TRUE(v["ledger_reason"].is_string());
  EXPECT_TRUE(v["disclosed"].as_object().empty());
}

TEST_P(LicenseHandlersTest, AQueuedLicenceGets503WithoutUsingUpThePresentation) {
  ASSERT_TRUE(sequencer_->Stop().ok());
  std::string id = IssueDrivingLicence();
  std::string token = Present(id);
  auto r = Call("POST", "/api/v1/licenses/verify", R"({"token":")" + token + "\"}", "");
  ASSERT_EQ(r.status, 503) << r.body;
  EXPECT_TRUE(r.headers.contains("retry-after"));
  while (sequencer_->IntegrateOnce()->count > 0) {
  }
  r = Call("POST", "/api/v1/licenses/verify", R"({"token":")" + token + "\"}", "");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = boost::json::parse(r.body).as_object();
  EXPECT_EQ(v["status"].as_string(), "valid") << r.body;
  EXPECT_TRUE(CheckOffline(v["ledger"].as_object()).ok());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, LicenseHandlersTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, LicenseHandlersTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::api
