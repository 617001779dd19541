// LicenseService on SQLite and PostgreSQL: issue / suspend / resume / revoke / renew / expire with
// ledger entries, the wallet, presentations and verification (valid, replayed, revoked after the
// QR was made, suspended, expired, tampered, another holder's), the verification log, the status
// list and licences of another region's trusted issuer.
#include "license/license_service.h"

#include <gtest/gtest.h>
#include <mutex>
#include <set>
#include <thread>

#include "core/base64.h"
#include "core/citizen_id.h"
#include "crypto/hmac.h"
#include "ledger/log_storage.h"
#include "license/jws.h"
#include "license/offline_verify.h"
#include "qr/qr_svg.h"
#include "license/status_list.h"
#include "testing/databases.h"
#include "testing/ledger_queue.h"

namespace tongban::license {
namespace {

using boost::json::object;
using tongban::testing::Backend;

std::string SyntheticId(std::string first17) { return first17 + CitizenId::ComputeCheckChar(first17); }

const std::string kZhangWei = SyntheticId("33010619850312213");
const std::string kLiNa = SyntheticId("33042119920704128");
constexpr int64_t kStart = 1'790'000'000;  // 2026-09-21

// The whole answer (code and message): an object that is not the caller's must answer exactly
// as a missing one, Status::NotFound(kind, id) (issue 15).
std::string Answer(const Status& s) { return s.ToString(); }
std::string Missing(std::string_view kind, std::string_view id) { return Status::NotFound(kind, id).ToString(); }

class LicenseServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = ledger::LogStorageMigrations();
    for (auto& x : LicenseService::Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    service_ = MakeService(crypto::SignatureAlgorithm::kEs256, {});
  }

  std::unique_ptr<LicenseService> MakeService(crypto::SignatureAlgorithm alg, TrustList trust,
                                              std::string url = "https://zj.tongban.example/licenses") {
    LicenseServiceOptions o;
    o.issuer_url = url;
    o.issuer_key = *crypto::PrivateKey::Generate(alg);
    o.ledger_hash = crypto::HashAlgorithm::kSha256;
    o.subject_hash = [](std::string_view s) {
      return crypto::HmacDigest(crypto::HashAlgorithm::kSha256, std::string(32, 's'), s);
    };
    o.trust_list = std::move(trust);
    auto s = LicenseService::Create(**db_, clock_, std::move(o));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }

  License IssueDrivingLicence(LicenseService& s, const std::string& holder = kZhangWei) {
    IssueRequest r;
    r.type = "driving_licence";
    r.holder_subject = holder;
    r.fields = object{{"name", holder == kZhangWei ? "张伟" : "李娜"},
                      {"id_number", holder},
                      {"licence_class", "C1"},
                      {"first_issue_date", "2010-05-04"},
                      {"address", "浙江省杭州市西湖区文三路 1 号"}};
    auto l = s.Issue(r, "zj-traffic");
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return *l;
  }

  PresentResult Present(LicenseService& s, const License& l, std::vector<std::string> disclose = {"name", "licence_class"}) {
    auto p = s.Present(PresentRequest{l.holder_subject, l.id, disclose, "杭州市西湖区行政服务中心", "办理落户"});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return *p;
  }

  VerifyResult Verify(LicenseService& s, const std::string& token) {
    auto r = s.Verify(VerifyRequest{token, "", "核验", "王芳 (杭州市西湖区行政服务中心)", 7});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyResult{};
  }

  int64_t QueueDepth() { return tongban::testing::QueueDepth(**db_); }

  FakeClock clock_{kStart * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<LicenseService> service_;
};

TEST_P(LicenseServiceTest, IssueGoesToTheWalletAndTheLedger) {
  License l = IssueDrivingLicence(*service_);
  EXPECT_TRUE(l.id.starts_with("1.2.156.3005.2.")) << l.id;
  EXPECT_EQ(l.status, LicenseStatus::kValid);
  EXPECT_GT(l.expires_at, kStart + 5 * 365 * 86400);  // six years
  EXPECT_EQ(QueueDepth(), 1);
  auto wallet = service_->Wallet(kZhangWei);
  ASSERT_TRUE(wallet.ok());
  ASSERT_EQ(wallet->size(), 1u);
  EXPECT_EQ((*wallet)[0].id, l.id);
  EXPECT_TRUE(service_->Wallet(kLiNa)->empty());
  // The second licence of the same type and issuer gets the next serial.
  License l2 = IssueDrivingLicence(*service_, kLiNa);
  EXPECT_EQ(l2.serial, l.serial + 1);
}

// Issues racing for the next serial of one issuer and type (and the next status-list index) all
// succeed with distinct numbers: on PostgreSQL, MAX()+1 let two read the same maximum and the
// second fail on the unique id; the counter row is a write conflict the transaction retries.
TEST_P(LicenseServiceTest, ConcurrentIssuesGetDistinctSerials) {
  constexpr int kThreads = 8, kEach = 6;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> serials, indices;
  std::vector<std::string> failures;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        IssueRequest r;
        r.type = "driving_licence";
        r.holder_subject = kZhangWei;
        r.fields = object{{"name", "张伟"}, {"id_number", kZhangWei}, {"licence_class", "C1"},
                          {"first_issue_date", "2010-05-04"}, {"address", "浙江省杭州市西湖区文三路 1 号"}};
        auto l = service_->Issue(r, "zj-traffic");
        std::lock_guard lock(mu);
        if (!l.ok()) {
          failures.push_back(l.status().ToString());
          continue;
        }
        serials.insert(l->serial);
        indices.insert(l->status_index);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_EQ(serials.size(), size_t{kThreads * kEach});
  EXPECT_EQ(indices.size(), size_t{kThreads * kEach});
  EXPECT_EQ(*serials.begin(), 1);
  EXPECT_EQ(*serials.rbegin(), kThreads * kEach);
}

TEST_P(LicenseServiceTest, ADepartmentCannotIssueAnotherDepartmentsType) {
  IssueRequest r{"driving_licence", kZhangWei, object{{"name", "张伟"}}, std::nullopt};
  auto l = service_->Issue(r, "zj-samr");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(QueueDepth(), 0);
}

TEST_P(LicenseServiceTest, BadFieldsAreNamed) {
  IssueRequest r{"driving_licence", kZhangWei,
                 object{{"name", "张伟"}, {"id_number", kZhangWei}, {"licence_class", "C1"},
                        {"first_issue_date", "2010-02-30"}},
                 std::nullopt};
  auto l = service_->Issue(r, "zj-traffic");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().fields()[0].field, "/fields/first_issue_date");
  r.fields["first_issue_date"] = "2010-02-28";
  r.fields["colour"] = "red";
  EXPECT_EQ(service_->Issue(r, "zj-traffic").status().fields()[0].field, "/fields/colour");
  r.fields.erase("colour");
  r.holder_subject = "330106198503122131";  // wrong check digit
  EXPECT_EQ(service_->Issue(r, "zj-traffic").status().fields()[0].field, "/holder");
  r.holder_subject = kLiNa;  // id_number names someone else
  EXPECT_EQ(service_->Issue(r, "zj-traffic").status().fields()[0].field, "/fields/id_number");
  EXPECT_EQ(QueueDepth(), 0);
}

TEST_P(LicenseServiceTest, LifecycleStepsAreCheckedAndLedgered) {
  License l = IssueDrivingLicence(*service_);
  // Another department's licence answers as a missing one (issue 15), for every step.
  EXPECT_EQ(Answer(service_->ChangeStatus(l.id, LicenseService::Action::kSuspend, "扣分", "zj-samr").status()),
            Missing("licence", l.id));
  EXPECT_EQ(Answer(service_->ChangeStatus(l.id, LicenseService::Action::kRevoke, "", "zj-police").status()),
            Missing("licence", l.id));
  EXPECT_EQ(Answer(service_->Renew(l.id, std::nullopt, "zj-samr").status()), Missing("licence", l.id));
  EXPECT_EQ(service_->ChangeStatus(l.id, LicenseService::Action::kResume, "", "zj-traffic").status().code(),
            ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kSuspend, "扣满 12 分", "zj-traffic").ok());
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kResume, "学习考试合格", "zj-traffic").ok());
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kRevoke, "吊销", "zj-traffic").ok());
  EXPECT_EQ(service_->ChangeStatus(l.id, LicenseService::Action::kRevoke, "", "zj-traffic").status().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(service_->Get(l.id)->status, LicenseStatus::kRevoked);
  EXPECT_EQ(QueueDepth(), 4);
  EXPECT_EQ(Answer(service_->ChangeStatus("1.2.156.3005.2.x", LicenseService::Action::kRevoke, "", "zj-traffic")
                       .status()),
            Missing("licence", "1.2.156.3005.2.x"));
}

TEST_P(LicenseServiceTest, ExpiryAndRenewal) {
  License l = IssueDrivingLicence(*service_);
  clock_.SetUnixMicros((l.expires_at + 1) * 1'000'000);
  EXPECT_EQ(service_->Get(l.id)->EffectiveStatus(l.expires_at + 1), LicenseStatus::kExpired);
  // The status list says expired (INVALID) at once, before the sweep has run.
  auto list = ParseJws(*service_->StatusListJwt());
  EXPECT_EQ(*StatusAt(list->payload.at("status_list").at("lst").as_string(), l.status_index), kStatusInvalid);
  auto n = service_->ExpireDue();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(service_->Get(l.id)->status, LicenseStatus::kExpired);
  auto renewed = service_->Renew(l.id, std::nullopt, "zj-traffic");
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_EQ(renewed->version, 2);
  EXPECT_EQ(renewed->serial, l.serial);
  EXPECT_NE(renewed->id, l.id);
  EXPECT_EQ(service_->Get(l.id)->status, LicenseStatus::kSuperseded);
  EXPECT_EQ(service_->Get(l.id)->replaced_by, renewed->id);
  EXPECT_EQ(QueueDepth(), 3);
}

TEST_P(LicenseServiceTest, PresentAndVerifyShowsOnlyTheDisclosedFieldsOnce) {
  License l = IssueDrivingLicence(*service_);
  PresentResult p = Present(*service_, l);
  EXPECT_TRUE(p.token.starts_with("ey"));
  VerifyResult r = Verify(*service_, p.token);
  EXPECT_TRUE(r.valid) << r.reason;
  EXPECT_EQ(r.status, "valid");
  EXPECT_EQ(r.license_id, l.id);
  EXPECT_EQ(r.type_name_zh, "机动车驾驶证");
  EXPECT_EQ(r.issuer_name, "浙江省公安厅交通管理局");
  EXPECT_EQ(r.disclosed.at("name").as_string(), "张伟");
  EXPECT_EQ(r.disclosed.at("licence_class").as_string(), "C1");
  EXPECT_FALSE(r.disclosed.contains("id_number"));
  EXPECT_FALSE(r.disclosed.contains("address"));

  VerifyResult replay = Verify(*service_, p.token);
  EXPECT_FALSE(replay.valid);
  EXPECT_EQ(replay.status, "invalid");
  EXPECT_EQ(replay.reason, "replay: this presentation was already verified");

  auto log = service_->Verifications(kZhangWei, INT64_MAX, 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1].result, "valid");
  EXPECT_EQ((*log)[1].verifier_name, "王芳 (杭州市西湖区行政服务中心)");
  EXPECT_EQ((*log)[1].purpose, "核验");
  EXPECT_EQ((*log)[0].result, "invalid");
  EXPECT_TRUE(service_->Verifications(kLiNa, INT64_MAX, 10)->empty());
}

TEST_P(LicenseServiceTest, RevokedAfterTheQrWasMadeIsReportedRevoked) {
  License l = IssueDrivingLicence(*service_);
  PresentResult p = Present(*service_, l);
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kRevoke, "吊销", "zj-traffic").ok());
  VerifyResult r = Verify(*service_, p.token);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.status, "revoked");
  EXPECT_TRUE(r.disclosed.empty());
  // And no new presentation can be made.
  EXPECT_EQ(service_->Present(PresentRequest{kZhangWei, l.id, {"name"}, "", ""}).status().code(),
            ErrorCode::kFailedPrecondition);
  // The status list says so too (index 0: INVALID).
  auto jwt = service_->StatusListJwt();
  ASSERT_TRUE(jwt.ok());
  auto parsed = ParseJws(*jwt);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyJws(*parsed, service_->options().issuer_key->public_key()));
  auto st = StatusAt(parsed->payload.at("status_list").at("lst").as_string(), l.status_index);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(*st, kStatusInvalid);
}

TEST_P(LicenseServiceTest, SuspendedAndExpiredLicencesAreNotValid) {
  License l = IssueDrivingLicence(*service_);
  PresentResult p = Present(*service_, l);
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kSuspend, "扣满 12 分", "zj-traffic").ok());
  VerifyResult r = Verify(*service_, p.token);
  EXPECT_EQ(r.status, "suspended");
  EXPECT_EQ(r.reason, "licence is suspended: 扣满 12 分");

  IssueRequest req{"resident_id_card", kLiNa,
                   object{{"name", "李娜"}, {"sex", "女"}, {"ethnicity", "汉"}, {"birth_date", "1992-07-04"},
                          {"id_number", kLiNa}},
                   kStart + 100};
  auto card = service_->Issue(req, "zj-police");
  ASSERT_TRUE(card.ok()) << card.status().ToString();
  PresentResult p2 = Present(*service_, *card, {"name"});
  clock_.SetUnixMicros((kStart + 200) * 1'000'000);
  r = Verify(*service_, p2.token);
  EXPECT_EQ(r.status, "expired");
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.type_name_zh, "居民身份证");
  auto log = service_->Verifications(kLiNa, INT64_MAX, 10);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].result, "expired");
}

TEST_P(LicenseServiceTest, TamperedUnknownAndForeignHoldersTokens) {
  License l = IssueDrivingLicence(*service_);
  PresentResult p = Present(*service_, l);
  std::string tampered = p.token;
  tampered[30] = tampered[30] == 'A' ? 'B' : 'A';
  auto r = service_->Verify(VerifyRequest{tampered, "", "", "public", 0});
  ASSERT_TRUE(r.ok() || r.status().code() == ErrorCode::kInvalidArgument);
  if (r.ok()) {
    EXPECT_FALSE(r->valid);
  }
  // Not even an SD-JWT: an error (400 over HTTP), not a result.
  EXPECT_EQ(service_->Verify(VerifyRequest{"hello", "", "", "public", 0}).status().code(),
            ErrorCode::kInvalidArgument);
  // Another node's key for the same issuer URL: the signature fails.
  auto other = MakeService(crypto::SignatureAlgorithm::kEs256, {});
  VerifyResult v = Verify(*other, p.token);
  EXPECT_EQ(v.status, "invalid");
  EXPECT_EQ(v.reason, "issuer signature is not valid");
  // 李娜 cannot present 张伟's licence: answered as a missing one (issue 15).
  EXPECT_EQ(Answer(service_->Present(PresentRequest{kLiNa, l.id, {"name"}, "", ""}).status()),
            Missing("licence", l.id));
  EXPECT_EQ(Answer(service_->Present(PresentRequest{kLiNa, "1.2.156.3005.2.x", {"name"}, "", ""}).status()),
            Missing("licence", "1.2.156.3005.2.x"));
  EXPECT_EQ(service_->Present(PresentRequest{kZhangWei, l.id, {"colour"}, "", ""}).status().fields()[0].field,
            "/disclose/0");
}

TEST_P(LicenseServiceTest, LargePresentationsGoInTheQrAsAOneTimeReference) {
  License l = IssueDrivingLicence(*service_);
  PresentResult p = Present(*service_, l, {"name", "id_number", "licence_class", "first_issue_date", "address"});
  ASSERT_GT(p.token.size(), service_->options().max_qr_token_bytes);
  // The full token as a QR would be too dense for a phone camera (docs/license.md).
  auto full = qr::RenderQrSvg(p.token);
  ASSERT_TRUE(full.ok());
  EXPECT_GE(full->version, 25) << p.token.size() << " bytes";
  EXPECT_LE(qr::RenderQrSvg(p.qr_text)->version, 3);
  EXPECT_TRUE(p.qr_text.starts_with("TBL1."));
  EXPECT_EQ(p.qr_text, p.reference);
  auto r = service_->Verify(VerifyRequest{"", p.reference, "", "public", 0});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->valid) << r->reason;
  EXPECT_EQ(r->disclosed.size(), 5u);
  r = service_->Verify(VerifyRequest{"", p.reference, "", "public", 0});
  EXPECT_EQ(r->reason, "replay: this presentation was already verified");
  // A day after it expired the presentation (and its token) is purged; its reference is unknown.
  EXPECT_EQ(*service_->PurgePresentations(), 0);
  clock_.SetUnixMicros((kStart + 600 + 86400 + 1) * 1'000'000);
  EXPECT_EQ(*service_->PurgePresentations(), 1);
  r = service_->Verify(VerifyRequest{"", p.reference, "", "public", 0});
  EXPECT_EQ(r->reason, "unknown reference");
  r = service_->Verify(VerifyRequest{"", "TBL1.unknown", "", "public", 0});
  EXPECT_EQ(r->reason, "unknown reference");
  EXPECT_EQ(service_->Verify(VerifyRequest{"", "XYZ", "", "public", 0}).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_P(LicenseServiceTest, ATrustedIssuerOfAnotherRegionVerifiesAndItsRevocationIsHonoured) {
  // Shanghai's node issues a licence; Zhejiang's node trusts Shanghai's key for driving licences.
  auto shanghai = MakeService(crypto::SignatureAlgorithm::kEs256, {}, "https://sh.tongban.example/licenses");
  License l = IssueDrivingLicence(*shanghai);
  PresentResult p = Present(*shanghai, l);
  // Untrusted: the Zhejiang node has no entry for Shanghai.
  EXPECT_EQ(Verify(*service_, p.token).reason, "issuer is not trusted");

  auto make_trust = [&](const std::string& status_list) {
    TrustList t;
    t.Add(TrustedIssuer{"https://sh.tongban.example/licenses", "上海市大数据中心", "310000",
                        shanghai->options().issuer_key->public_key(),
                        {LicenseService::Vct("driving_licence")}, status_list});
    return t;
  };
  auto zj = MakeService(crypto::SignatureAlgorithm::kEs256, make_trust(*shanghai->StatusListJwt()));
  VerifyResult r = Verify(*zj, p.token);
  EXPECT_TRUE(r.valid) << r.reason;
  EXPECT_TRUE(r.foreign);
  EXPECT_EQ(r.issuer_name, "上海市大数据中心");
  EXPECT_EQ(Verify(*zj, p.token).reason, "replay: this presentation was already verified");

  // Shanghai revokes; once Zhejiang has the new status list, a fresh presentation is refused.
  PresentResult p2 = Present(*shanghai, l);
  ASSERT_TRUE(shanghai->ChangeStatus(l.id, LicenseService::Action::kRevoke, "吊销", "zj-traffic").ok());
  auto zj2 = MakeService(crypto::SignatureAlgorithm::kEs256, make_trust(*shanghai->StatusListJwt()));
  r = Verify(*zj2, p2.token);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.status, "revoked");
}

TEST_P(LicenseServiceTest, OfflineVerificationUsesTheDownloadedKeyAndStatusList) {
  License l = IssueDrivingLicence(*service_);
  PresentResult p = Present(*service_, l);
  auto trust_with = [&](std::string status_list) {
    TrustList t;
    t.Add(TrustedIssuer{service_->options().issuer_url, "浙江", "330000",
                        service_->options().issuer_key->public_key(), {}, std::move(status_list)});
    return t;
  };
  auto r = VerifyLicenseOffline(p.token, trust_with(*service_->StatusListJwt()), kStart + 60);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->valid) << r->reason;
  EXPECT_TRUE(r->status_checked);
  EXPECT_EQ(r->payload.at("name").as_string(), "张伟");
  r = VerifyLicenseOffline(p.token, trust_with(""), kStart + 60);
  EXPECT_TRUE(r->valid);
  EXPECT_EQ(r->reason, "no status list: revocation not checked");
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kRevoke, "吊销", "zj-traffic").ok());
  r = VerifyLicenseOffline(p.token, trust_with(*service_->StatusListJwt()), kStart + 60);
  EXPECT_EQ(r->status, "revoked");
  // A status list signed by someone else is refused; a stale presentation is too.
  TrustList forged = trust_with(*MakeService(crypto::SignatureAlgorithm::kEs256, {})->StatusListJwt());
  EXPECT_EQ(VerifyLicenseOffline(p.token, forged, kStart + 60)->reason,
            "the issuer's status list is not validly signed");
  EXPECT_EQ(VerifyLicenseOffline(p.token, trust_with(""), kStart + 3600)->reason, "KB-JWT is too old");
  EXPECT_EQ(VerifyLicenseOffline(p.token, TrustList{}, kStart + 60)->reason, "issuer is not trusted");
}

TEST_P(LicenseServiceTest, Sm2LicencesPresentAndVerify) {
  auto gm = MakeService(crypto::SignatureAlgorithm::kSm2, {}, "https://gm.tongban.example/licenses");
  License l = IssueDrivingLicence(*gm);
  PresentResult p = Present(*gm, l);
  auto header = ParseJws(p.token.substr(0, p.token.find('~')));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->header.at("alg").as_string(), "SM2");
  EXPECT_EQ(header->payload.at("_sd_alg").as_string(), "sm3");
  VerifyResult r = Verify(*gm, p.token);
  EXPECT_TRUE(r.valid) << r.reason;
}

TEST_P(LicenseServiceTest, AuthorisationsAreCheckedLoggedAndLedgered) {
  License l = IssueDrivingLicence(*service_);
  int64_t before = QueueDepth();
  auto a = service_->Authorise(AuthoriseRequest{kZhangWei, l.id, "case", "ZJ2026-0001", "办理落户", kStart + 86400,
                                                "杭州市西湖区行政服务中心"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->department, "杭州市西湖区行政服务中心");
  EXPECT_EQ(Answer(service_->Authorise(AuthoriseRequest{kLiNa, l.id, "case", "X", "Y", kStart + 86400, "D"})
                       .status()),
            Missing("licence", l.id));
  EXPECT_EQ(service_->Authorise(AuthoriseRequest{kZhangWei, l.id, "friend", "X", "Y", kStart + 86400})
                .status().fields()[0].field,
            "/grantee_kind");
  AuthorisedUser staff{7, "staff-xihu-001", "王芳", "杭州市西湖区行政服务中心", "ZJ2026-0001"};
  ASSERT_TRUE(service_->UseAuthorisation(a->id, staff).ok());
  AuthorisedUser other = staff;
  other.case_number = "ZJ2026-0002";
  EXPECT_EQ(Answer(service_->UseAuthorisation(a->id, other).status()),
            Missing("authorisation", std::to_string(a->id)));
  clock_.SetUnixMicros((kStart + 86400) * 1'000'000);
  EXPECT_EQ(service_->UseAuthorisation(a->id, staff).status().message(), "this authorisation has lapsed");
  EXPECT_EQ(service_->Authorisations(kZhangWei)->at(0).uses, 1);
  EXPECT_EQ(Answer(service_->RevokeAuthorisation(kLiNa, a->id)), Missing("authorisation", std::to_string(a->id)));
  ASSERT_TRUE(service_->RevokeAuthorisation(kZhangWei, a->id).ok());
  EXPECT_EQ(service_->RevokeAuthorisation(kZhangWei, a->id).code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(QueueDepth(), before + 3);  // authorise, use, deauthorise
  auto log = service_->Verifications(kZhangWei, INT64_MAX, 10);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].result, "authorised_use");
  EXPECT_EQ((*log)[0].purpose, "办理落户 [ZJ2026-0001]");
}

// Issue 15, finding 1: a case number is the caller's own word, so a case grant names the
// department handling the case and only that department's staff can use it.
TEST_P(LicenseServiceTest, ACaseGrantIsUsableOnlyByStaffOfTheCasesDepartment) {
  License l = IssueDrivingLicence(*service_, kLiNa);
  const std::string kA = "杭州市西湖区行政服务中心", kB = "杭州市上城区行政服务中心";
  AuthoriseRequest req{kLiNa, l.id, "case", "2026-001", "婚姻登记核验", kStart + 86400, ""};
  auto missing = service_->Authorise(req);
  ASSERT_FALSE(missing.ok());
  ASSERT_EQ(missing.status().fields().size(), 1u);
  EXPECT_EQ(missing.status().fields()[0].field, "/department");
  AuthoriseRequest staff_grant{kLiNa, l.id, "staff", "staff-xihu-001", "核验", kStart + 86400, kA};
  EXPECT_EQ(service_->Authorise(staff_grant).status().fields()[0].field, "/department");
  req.case_department = kA;
  int64_t before = QueueDepth();
  auto a = service_->Authorise(req);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(QueueDepth(), before + 1);
  // The ledger's event document names the department only as a hash, like the grantee.
  std::string doc;
  ASSERT_TRUE(db_->get()->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row,
                        tx.QueryRow("SELECT document FROM license_event WHERE action = 'authorise'", {}));
    if (row) doc = std::string(row->Text(0));
    return Status::Ok();
  }).ok());
  auto event = boost::json::parse(doc).as_object();
  EXPECT_EQ(event.at("department_hash").as_string(),
            crypto::ToHex(crypto::Hash(crypto::HashAlgorithm::kSha256, kA)));
  EXPECT_EQ(doc.find(kA), std::string::npos);
  EXPECT_EQ(service_->Authorisations(kLiNa)->at(0).department, kA);

  // Staff of department B naming the case: as if the grant did not exist.
  AuthorisedUser b{8, "staff-shangcheng-001", "陈静", kB, "2026-001"};
  auto refused = service_->UseAuthorisation(a->id, b);
  EXPECT_EQ(Answer(refused.status()), Missing("authorisation", std::to_string(a->id)));
  EXPECT_EQ(Answer(service_->UseAuthorisation(a->id + 1000, b).status()),
            Missing("authorisation", std::to_string(a->id + 1000)));
  // Staff of A without the case number, or with another one: likewise.
  AuthorisedUser a_staff{7, "staff-xihu-001", "王芳", kA, ""};
  EXPECT_EQ(service_->UseAuthorisation(a->id, a_staff).status().code(), ErrorCode::kNotFound);
  a_staff.case_number = "2026-002";
  EXPECT_EQ(service_->UseAuthorisation(a->id, a_staff).status().code(), ErrorCode::kNotFound);
  // Staff of A handling the case get the licence.
  a_staff.case_number = "2026-001";
  auto used = service_->UseAuthorisation(a->id, a_staff);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(used->id, l.id);
  EXPECT_EQ(service_->Authorisations(kLiNa)->at(0).uses, 1);

  // A case grant made before migration v6 has no department: nobody can use it.
  ASSERT_TRUE(db_->get()->Transact([&](store::Tx& tx) {
    return tx.Exec("UPDATE license_authorisation SET department = '' WHERE id = ?", {a->id}).status();
  }).ok());
  EXPECT_EQ(service_->UseAuthorisation(a->id, a_staff).status().code(), ErrorCode::kNotFound);
  AuthorisedUser no_department{9, "staff-x", "某人", "", "2026-001"};
  EXPECT_EQ(service_->UseAuthorisation(a->id, no_department).status().code(), ErrorCode::kNotFound);
}

TEST_P(LicenseServiceTest, TheCaseOpenSeamDecidesWhenConfigured) {
  License l = IssueDrivingLicence(*service_, kLiNa);
  bool open = false;
  std::string asked;
  LicenseServiceOptions o = service_->options();
  o.case_open = [&](store::Tx&, std::string_view department,
                    std::string_view case_number) -> Result<bool> {
    asked = std::string(department) + "|" + std::string(case_number);
    return open;
  };
  auto s = LicenseService::Create(**db_, clock_, std::move(o));
  ASSERT_TRUE(s.ok());
  auto a = (*s)->Authorise(AuthoriseRequest{kLiNa, l.id, "case", "2026-001", "核验", kStart + 86400, "部门甲"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  AuthorisedUser staff{7, "staff-1", "王芳", "部门甲", "2026-001"};
  EXPECT_EQ((*s)->UseAuthorisation(a->id, staff).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(asked, "部门甲|2026-001");
  open = true;
  EXPECT_TRUE((*s)->UseAuthorisation(a->id, staff).ok());
  // Never asked for someone who is not the grantee: they get 404 first.
  asked.clear();
  AuthorisedUser other{8, "staff-2", "陈静", "部门乙", "2026-001"};
  EXPECT_EQ((*s)->UseAuthorisation(a->id, other).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(asked.empty());
}

TEST_P(LicenseServiceTest, AnotherStaffMembersArchiveAnswersAsMissing) {
  License l = IssueDrivingLicence(*service_);
  VerifyResult r = Verify(*service_, Present(*service_, l).token);  // staff account 7
  ASSERT_TRUE(r.valid) << r.reason;
  ASSERT_TRUE(service_->ArchivedVerification(r.verification_id, 7).ok());
  EXPECT_EQ(Answer(service_->ArchivedVerification(r.verification_id, 8).status()),
            Missing("archived verification", std::to_string(r.verification_id)));
}

TEST_P(LicenseServiceTest, AServiceResultBecomesALicenceInTheWallet) {
  // Outputs become licences: the document a case produced is issued into the holder's wallet
  // (by the big-data bureau's system), so it can be presented instead of uploaded again.
  IssueRequest r{"service_result_certificate", kLiNa,
                 object{{"name", "李娜"}, {"id_number", kLiNa}, {"service_item", "户口迁移"},
                        {"case_number", "ZJ2026-0001"}, {"result", "准予迁入"},
                        {"document_hash", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
                 std::nullopt};
  EXPECT_EQ(service_->Issue(r, "zj-police").status().code(), ErrorCode::kPermissionDenied);
  auto l = service_->Issue(r, "zj-bigdata");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->expires_at, 0);  // no expiry
  EXPECT_EQ(service_->Wallet(kLiNa)->size(), 1u);
  PresentResult p = Present(*service_, *l, {"service_item", "result"});
  VerifyResult v = Verify(*service_, p.token);
  EXPECT_TRUE(v.valid) << v.reason;
  EXPECT_EQ(v.disclosed.at("result").as_string(), "准予迁入");
  EXPECT_EQ(v.expires_at, 0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, LicenseServiceTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, LicenseServiceTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::license
