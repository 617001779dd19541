// CaseService on SQLite and PostgreSQL with a FakeClock: a 婚育户 application pre-filled from the
// data platform under its case (each read in the subject's access log), the pre-filled fields not
// editable, licence materials verified (another's licence refused), uploads, the co-applicant's
// confirmation, the fan-out into five department tasks following the waits, approvals issuing
// licences in both wallets (the child's with the parents as guardians), another department's task
// and another person's case answering 404, 补正 stopping the clock, overdue escalation once,
// rejection cancelling the rest, a ledger entry per state change, and the case hooks of the data
// and licence parts.
#include "service/case_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <set>

#include "crypto/hmac.h"
#include "ledger/log_storage.h"
#include "service_test_base.h"
#include "testing/ledger_queue.h"
#include "testing/synthetic_ids.h"

namespace tongban::service {
namespace {

using boost::json::object;
using boost::json::value;
using tongban::testing::Backend;
using tongban::testing::kLiNa;
using tongban::testing::kZhangWei;
using tongban::testing::SyntheticId;

// Monday 2026-12-07 10:00 in Hangzhou (02:00 UTC).
constexpr int64_t kMonday = 1'796'608'800;
const std::string kChild = SyntheticId("33010620261130001");

class CaseServiceTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    CaseServiceOptions o;
    o.notifier = &sink_;
    if (!OpenWorld(kMonday, o)) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    PushHousehold(kZhangWei, "HJ-330106-0000213", "张伟", "男", "1985-03-12");
    PushHousehold(kLiNa, "HJ-330421-0000128", "李娜", "女", "1992-07-04");
    id_card_ = IssueIdCard(kZhangWei, "张伟");
  }

  void PushHousehold(const std::string& subject, const std::string& key, const std::string& name,
                     const std::string& sex, const std::string& birth) {
    object record{{"subject", subject}, {"key", key}, {"version", 1},
                  {"fields", object{{"name", name}, {"sex", sex}, {"ethnicity", "汉"}, {"birth_date", birth},
                                    {"household_address", "浙江省杭州市西湖区文三路 90 号"},
                                    {"household_head_id", subject}, {"relation_to_head", "户主"}}}};
    auto r = data_->Push({7, "hz-police"}, "household_registration", boost::json::serialize(record), false);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->accepted, 1);
  }

  std::string IssueIdCard(const std::string& holder, const std::string& name) {
    license::IssueRequest r;
    r.type = "resident_id_card";
    r.holder_subject = holder;
    r.fields = object{{"name", name}, {"sex", "男"}, {"ethnicity", "汉"}, {"birth_date", "1985-03-12"},
                      {"address", "浙江省杭州市西湖区文三路 90 号"}, {"id_number", holder}};
    auto l = licenses_->Issue(r, "zj-police");
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? l->id : "";
  }

  // A PNG's first bytes: what libmagic needs to call it image/png.
  StoredUpload Png(char salt) {
    return StoredUpload{std::string(64, salt == 'a' ? 'a' : 'b'), "image/png", 67};
  }

  object ChildAnswers() {
    return object{{"child_name", "张小明"}, {"child_sex", "男"}, {"child_birth_date", "2026-11-30"},
                  {"birth_hospital", "浙江大学医学院附属妇产科医院"}, {"mother_name", "李娜"},
                  {"father_name", "张伟"}, {"household_head_name", "张伟"}, {"child_relation_to_head", "子女"},
                  {"card_bank", "中国工商银行"}};
  }

  // 张伟 starts and submits 婚育户 naming 李娜; returns the case.
  Case SubmitMarriageBirth() {
    auto started = cases_->Start(zw_, "marriage_birth_household");
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    for (const char* code : {"applicant_household_register", "marriage_joint_photo"}) {
      auto up = cases_->AttachUpload(zw_, started->id, code, Png('a'));
      EXPECT_TRUE(up.ok()) << up.status().ToString();
    }
    SubmitRequest req;
    req.answers.fields = ChildAnswers();
    req.answers.materials = {{"applicant_id_card", id_card_}};
    req.co_applicant_id = kLiNa;
    req.co_applicant_name = "李娜";
    auto submitted = cases_->Submit(zw_, started->id, req);
    EXPECT_TRUE(submitted.ok()) << submitted.status().ToString();
    return submitted.ok() ? *submitted : Case{};
  }

  Case Confirmed() {
    Case c = SubmitMarriageBirth();
    for (const char* code : {"co_applicant_household_register", "co_applicant_id_card"}) {
      auto up = cases_->AttachUpload(ln_, c.id, code, Png('b'));
      EXPECT_TRUE(up.ok()) << up.status().ToString();
    }
    auto confirmed = cases_->Confirm(ln_, c.id, {});
    EXPECT_TRUE(confirmed.ok()) << confirmed.status().ToString();
    return confirmed.ok() ? *confirmed : Case{};
  }

  Task TaskOf(const Case& c, std::string_view item) {
    auto full = cases_->Mine(kZhangWei, c.id);
    EXPECT_TRUE(full.ok());
    for (const Task& t : full->tasks) {
      if (t.item == item) return t;
    }
    ADD_FAILURE() << "no task " << item;
    return Task{};
  }

  Staff StaffOf(std::string department) { return Staff{100, std::move(department), "王芳"}; }

  int64_t QueueDepth() { return tongban::testing::QueueDepth(**db_); }

  struct Sink : Notifier {
    void Send(const OutboundMessage& m) override {
      std::lock_guard lock(mu);
      sent.push_back(m);
    }
    std::mutex mu;
    std::vector<OutboundMessage> sent;
  };

  Sink sink_;
  std::string id_card_;
  const Person zw_{1, kZhangWei, "张伟"};
  const Person ln_{2, kLiNa, "李娜"};
};

TEST_P(CaseServiceTest, StartPrefillsFromTheDataPlatformUnderTheCase) {
  auto c = cases_->Start(zw_, "marriage_birth_household");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->state, CaseState::kDraft);
  EXPECT_EQ(c->case_number.substr(0, 11), "YJS20261207");
  const object& name = c->form.at("fields").at("applicant_name").as_object();
  EXPECT_EQ(name.at("value"), value("张伟"));
  EXPECT_EQ(name.at("source").at("department"), value("hz-police"));
  EXPECT_EQ(name.at("source").at("record_key"), value("HJ-330106-0000213"));
  EXPECT_GE(c->fields_prefilled, 3);
  // The co-applicant's fields wait for their consent; the child's are asked.
  EXPECT_TRUE(c->form.at("fields").at("co_applicant_name").at("value").is_null());
  EXPECT_TRUE(c->form.at("fields").at("child_name").at("value").is_null());
  // 张伟 sees the read in his access log, purpose "case <number>".
  auto log = data_->AccessLog(kZhangWei, 0, 10);
  ASSERT_TRUE(log.ok());
  ASSERT_FALSE(log->empty());
  EXPECT_EQ((*log)[0].purpose, data::PurposeKind::kCase);
  EXPECT_EQ((*log)[0].purpose_ref, c->case_number);
  EXPECT_EQ((*log)[0].reader_department, "xihu-service-center");
  // Nobody reads 李娜's data before she confirms.
  auto hers = data_->AccessLog(kLiNa, 0, 10);
  ASSERT_TRUE(hers.ok());
  EXPECT_TRUE(hers->empty());
  // The case hook: a read of 李娜's data under 张伟's draft, or of a dataset the bundle does not
  // use, is refused.
  auto refused = data_->Read({{0, "xihu-service-center"}, kLiNa, "household_registration", {"name"},
                              data::PurposeKind::kCase, c->case_number});
  EXPECT_EQ(refused.status().code(), ErrorCode::kPermissionDenied);
  auto other = data_->Read({{0, "xihu-service-center"}, kZhangWei, "tax_payment", {},
                            data::PurposeKind::kCase, c->case_number});
  EXPECT_FALSE(other.ok());
  EXPECT_EQ(cases_->Start(zw_, "no_such_bundle").status().code(), ErrorCode::kInvalidArgument);
}

TEST_P(CaseServiceTest, SubmitChecksEveryAnswerAndMaterialAndKeepsPrefilledValues) {
  auto c = cases_->Start(zw_, "marriage_birth_household");
  ASSERT_TRUE(c.ok());
  SubmitRequest req;
  req.answers.fields = ChildAnswers();
  req.answers.fields["applicant_name"] = "张三";       // pre-filled: not editable
  req.answers.fields["child_birth_date"] = "2026-02-30";  // not a date
  req.answers.fields["child_sex"] = "未知";               // not a code
  req.answers.fields["shoe_size"] = 42;                   // not a field
  const std::string lina_card = IssueIdCard(kLiNa, "李娜");
  req.answers.materials = {{"applicant_id_card", lina_card}};  // another's licence
  req.co_applicant_id = kZhangWei;                             // himself
  auto refused = cases_->Submit(zw_, c->id, req);
  ASSERT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  const Status why = refused.status();
  std::set<std::string> fields;
  for (const FieldError& e : why.fields()) fields.insert(e.field);
  for (const char* f : {"/answers/applicant_name", "/answers/child_birth_date", "/answers/child_sex",
                        "/answers/shoe_size", "/materials/applicant_id_card/license_id", "/co_applicant_id",
                        "/co_applicant_name", "/materials/marriage_joint_photo"}) {
    EXPECT_TRUE(fields.contains(f)) << f << " in " << refused.status().ToString();
  }
  // Nothing was written: still a draft with the pre-filled name.
  auto again = cases_->Mine(kZhangWei, c->id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, CaseState::kDraft);
  EXPECT_EQ(again->form.at("fields").at("applicant_name").at("value"), value("张伟"));
  // A revoked licence is refused as not valid.
  ASSERT_TRUE(licenses_->ChangeStatus(id_card_, license::LicenseService::Action::kRevoke, "补办", "zj-police").ok());
  SubmitRequest revoked;
  revoked.answers.materials = {{"applicant_id_card", id_card_}};
  auto r2 = cases_->Submit(zw_, c->id, revoked);
  ASSERT_FALSE(r2.ok());
  bool named = false;
  const Status why2 = r2.status();
  for (const FieldError& e : why2.fields()) {
    if (e.field == "/materials/applicant_id_card/license_id") named = e.reason.find("revoked") != std::string::npos;
  }
  EXPECT_TRUE(named) << r2.status().ToString();
}

TEST_P(CaseServiceTest, MarriageBirthHouseholdEndToEnd) {
  Case c = SubmitMarriageBirth();
  ASSERT_EQ(c.state, CaseState::kAwaitingCoApplicant);
  EXPECT_EQ(c.materials_from_wallet, 1);
  EXPECT_EQ(c.materials_uploaded, 2);
  // Only the named co-applicant may confirm; others get 404.
  const Person stranger{3, SyntheticId("33010619900101123"), "王强"};
  EXPECT_EQ(cases_->Confirm(stranger, c.id, {}).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(cases_->Mine(stranger.subject_id, c.id).status().code(), ErrorCode::kNotFound);
  // 李娜 sees it, confirms without her materials first: refused, her pre-filled fields kept.
  auto mine = cases_->MyCases(kLiNa);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  auto early = cases_->Confirm(ln_, c.id, {});
  ASSERT_EQ(early.status().code(), ErrorCode::kInvalidArgument) << early.status().ToString();
  auto kept = cases_->Mine(kLiNa, c.id);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->form.at("fields").at("co_applicant_name").at("value"), value("李娜"));
  for (const char* code : {"co_applicant_household_register", "co_applicant_id_card"}) {
    ASSERT_TRUE(cases_->AttachUpload(ln_, c.id, code, Png('b')).ok());
  }
  auto confirmed = cases_->Confirm(ln_, c.id, {});
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  EXPECT_EQ(confirmed->state, CaseState::kInProgress);
  ASSERT_EQ(confirmed->tasks.size(), 5u);
  // Marriage and the birth certificate start at once, the rest wait.
  EXPECT_EQ(TaskOf(c, "marriage_registration").state, TaskState::kReady);
  EXPECT_EQ(TaskOf(c, "birth_medical_certificate_issue").state, TaskState::kReady);
  EXPECT_EQ(TaskOf(c, "newborn_household_registration").state, TaskState::kWaiting);
  // Due dates in working days: marriage registration (1 day) on Tuesday the 8th.
  EXPECT_EQ(TaskOf(c, "marriage_registration").due_date->ToString(), "2026-12-08");

  // Another department sees none of it.
  EXPECT_TRUE(cases_->Queue(StaffOf("hz-tax"), QueueFilter::kOpen)->empty());
  EXPECT_EQ(cases_->CaseForStaff(StaffOf("hz-tax"), c.id).status().code(), ErrorCode::kNotFound);
  const Task marriage = TaskOf(c, "marriage_registration");
  EXPECT_EQ(cases_->Approve(StaffOf("hz-tax"), marriage.id, {}).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(cases_->Claim(StaffOf("hz-police"), marriage.id).status().code(), ErrorCode::kNotFound);

  // A colleague's claim blocks another's decision.
  ASSERT_TRUE(cases_->Claim(StaffOf("hz-civil-affairs"), marriage.id).ok());
  Staff colleague{101, "hz-civil-affairs", "刘洋"};
  EXPECT_EQ(cases_->Approve(colleague, marriage.id, {}).status().code(), ErrorCode::kConflict);
  const int64_t before = QueueDepth();
  auto approved = cases_->Approve(StaffOf("hz-civil-affairs"), marriage.id, {});
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->licenses.size(), 2u);  // one marriage certificate each
  EXPECT_GE(QueueDepth(), before + 3);       // the approval, two licences

  ASSERT_TRUE(cases_->Approve(StaffOf("hz-health"), TaskOf(c, "birth_medical_certificate_issue").id, {}).ok());
  const Task household = TaskOf(c, "newborn_household_registration");
  EXPECT_EQ(household.state, TaskState::kReady);
  // The child's new ID number is the department's to give.
  EXPECT_EQ(cases_->Approve(StaffOf("hz-police"), household.id, {}).status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(cases_->Approve(StaffOf("hz-police"), household.id, object{{"id_number", kChild}}).ok());
  // Later steps reuse the number the police gave; another number is refused.
  ASSERT_TRUE(cases_->Approve(StaffOf("hz-medical-security"), TaskOf(c, "newborn_medical_insurance").id, {}).ok());
  const Task card = TaskOf(c, "newborn_social_security_card");
  auto differs = cases_->Approve(StaffOf("hz-hrss"), card.id,
                                 object{{"id_number", SyntheticId("33010620261130002")}, {"card_number", "A33010600001"}});
  ASSERT_EQ(differs.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(differs.status().fields().front().field, "/staff_fields/id_number");
  auto last = cases_->Approve(StaffOf("hz-hrss"), card.id, object{{"card_number", "A33010600001"}});
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  auto done = cases_->Mine(kZhangWei, c.id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, CaseState::kCompleted);
  EXPECT_EQ(done->events.back().action, "complete");
  // The birth task was approved without an explicit claim: the decision claimed it, and the
  // history says so (a claim by the health commission before its approval).
  const int64_t birth_id = TaskOf(c, "birth_medical_certificate_issue").id;
  std::vector<std::string> birth_steps;
  for (const auto& e : done->events) {
    if (e.task_id == birth_id && (e.action == "claim" || e.action == "approve")) {
      birth_steps.push_back(e.action + " by " + e.actor);
    }
  }
  EXPECT_EQ(birth_steps, (std::vector<std::string>{"claim by hz-health", "approve by hz-health"}));

  // Both wallets: the marriage certificate and the child's three licences (held by the child).
  for (const std::string& parent : {kZhangWei, kLiNa}) {
    auto wallet = licenses_->Wallet(parent);
    ASSERT_TRUE(wallet.ok());
    std::multiset<std::string> types;
    for (const auto& l : *wallet) types.insert(l.type);
    EXPECT_EQ(types.count("marriage_certificate"), 1u) << parent;
    EXPECT_EQ(types.count("birth_medical_certificate"), 1u) << parent;
    for (const char* t : {"household_register", "medical_insurance_certificate", "social_security_card"}) {
      EXPECT_EQ(types.count(t), 1u) << parent << " " << t;
    }
  }
  auto childs = licenses_->Wallet(kChild);
  ASSERT_TRUE(childs.ok());
  EXPECT_EQ(childs->size(), 3u);

  // Figures and notices.
  auto figures = cases_->GetFigures();
  ASSERT_TRUE(figures.ok());
  ASSERT_EQ(figures->bundles.size(), 1u);
  EXPECT_EQ(figures->bundles[0].completed, 1);
  EXPECT_EQ(figures->bundles[0].old_visits, 5);
  EXPECT_GE(figures->bundles[0].fields_prefilled, 6);
  auto notices = cases_->Notices(1, "");
  ASSERT_TRUE(notices.ok());
  EXPECT_EQ(notices->front().kind, "completed");
  // The applicants' notices went to the notification hub in their transactions, addressed to
  // each by ID number, and no ID number is in a text; the notifier only carries departments'.
  const auto hub = HubNotices();
  ASSERT_FALSE(hub.empty());
  std::set<std::string> told;
  for (const auto& n : hub) {
    told.insert(n.recipient);
    EXPECT_EQ(n.vars.at("case").as_string(), c.case_number);
    EXPECT_EQ(std::string(n.vars.at("zh").as_string()).find(kZhangWei), std::string::npos);
    EXPECT_EQ(std::string(n.vars.at("en").as_string()).find(kLiNa), std::string::npos);
  }
  EXPECT_EQ(told, (std::set<std::string>{kZhangWei, kLiNa}));
  EXPECT_EQ(std::string(hub.back().vars.at("zh").as_string()), notices->front().text_zh);
  for (const auto& m : sink_.sent) EXPECT_EQ(m.account_id, 0) << m.notice.kind;
  EXPECT_EQ(cases_->MarkNoticeRead(2, notices->front().id).code(), ErrorCode::kNotFound);  // not 李娜's
  EXPECT_TRUE(cases_->MarkNoticeRead(1, notices->front().id).ok());
}

TEST_P(CaseServiceTest, SupplementStopsTheClockAndEscalationHappensOnce) {
  Case c = Confirmed();
  const Task birth = TaskOf(c, "birth_medical_certificate_issue");  // 3 working days
  EXPECT_EQ(birth.due_date->ToString(), "2026-12-10");
  auto asked = cases_->RequestMaterials(StaffOf("hz-health"), birth.id, "请补充接生机构盖章的出生证明");
  ASSERT_TRUE(asked.ok()) << asked.status().ToString();
  EXPECT_EQ(asked->state, TaskState::kAwaitingCitizen);
  EXPECT_EQ(asked->reason, "请补充接生机构盖章的出生证明");
  // A week passes while the citizen gathers it: the task is not overdue and not escalated.
  clock_.SetUnixMicros((kMonday + 7 * 86400) * 1'000'000);
  auto escalated = cases_->EscalateOverdue();
  ASSERT_TRUE(escalated.ok());
  const int64_t marriage_escalations = *escalated;  // the marriage task (1 day) is overdue
  EXPECT_EQ(marriage_escalations, 1);
  EXPECT_EQ(TaskOf(c, "birth_medical_certificate_issue").escalated_at, std::nullopt);
  // Supplementing resumes it: its due date moves by the five working days it waited.
  object more{{"birth_hospital", "杭州市妇产科医院"}};
  auto resumed = cases_->Supplement(zw_, c.id, {more, {}});
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  const Task after = TaskOf(c, "birth_medical_certificate_issue");
  EXPECT_EQ(after.state, TaskState::kClaimed);
  EXPECT_EQ(after.paused_days, 5);
  EXPECT_EQ(after.due_date->ToString(), "2026-12-17");
  EXPECT_EQ(after.reason, "") << "the answered request stays in the events, not on the task";
  EXPECT_EQ(cases_->Supplement(zw_, c.id, {more, {}}).status().code(), ErrorCode::kFailedPrecondition);
  // Past the new date: escalated once, to the department, and a second sweep does nothing more.
  clock_.SetUnixMicros((kMonday + 12 * 86400) * 1'000'000);
  EXPECT_EQ(*cases_->EscalateOverdue(), 1);
  EXPECT_EQ(*cases_->EscalateOverdue(), 0);
  EXPECT_TRUE(TaskOf(c, "birth_medical_certificate_issue").escalated_at.has_value());
  auto escalations = cases_->Queue(StaffOf("hz-health"), QueueFilter::kEscalated);
  ASSERT_TRUE(escalations.ok());
  ASSERT_EQ(escalations->size(), 1u);
  auto dept_notices = cases_->Notices(999, "hz-health");
  ASSERT_TRUE(dept_notices.ok());
  ASSERT_FALSE(dept_notices->empty());
  EXPECT_EQ(dept_notices->front().kind, "escalated");
}

TEST_P(CaseServiceTest, RejectionCancelsTheRestAndEndsTheCase) {
  Case c = Confirmed();
  EXPECT_EQ(cases_->Reject(StaffOf("hz-civil-affairs"), TaskOf(c, "marriage_registration").id, "").status().code(),
            ErrorCode::kInvalidArgument);
  auto rejected = cases_->Reject(StaffOf("hz-civil-affairs"), TaskOf(c, "marriage_registration").id,
                                 "双方未亲自到场声明（试点要求）");
  ASSERT_TRUE(rejected.ok()) << rejected.status().ToString();
  auto done = cases_->Mine(kLiNa, c.id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, CaseState::kRejected);
  for (const Task& t : done->tasks) {
    if (t.item != "marriage_registration") {
      EXPECT_EQ(t.state, TaskState::kCancelled) << t.item;
    }
  }
  EXPECT_EQ(cases_->Approve(StaffOf("hz-health"), TaskOf(c, "birth_medical_certificate_issue").id, {}).status().code(),
            ErrorCode::kFailedPrecondition);
  // A closed case reads nothing more and is no grant target.
  EXPECT_FALSE(data_->Read({{0, "xihu-service-center"}, kZhangWei, "household_registration", {"name"},
                            data::PurposeKind::kCase, c.case_number})
                   .ok());
}

TEST_P(CaseServiceTest, UploadsOnlyForTheirPartyAndState) {
  auto c = cases_->Start(zw_, "marriage_birth_household");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(cases_->AttachUpload(zw_, c->id, "co_applicant_id_card", Png('a')).status().code(),
            ErrorCode::kInvalidArgument);  // the spouse's
  EXPECT_EQ(cases_->AttachUpload(zw_, c->id, "no_such_material", Png('a')).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(cases_->AttachUpload(ln_, c->id, "co_applicant_id_card", Png('a')).status().code(),
            ErrorCode::kNotFound);  // not named yet
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CaseServiceTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, CaseServiceTest, ::testing::Values(Backend::kPostgres), tongban::testing::BackendName);

// The upload store types files by their bytes, refuses what is not JPEG/PNG/PDF, stores once.
TEST(UploadStore, TypesByContentAndStoresOnce) {
  const auto dir = std::filesystem::temp_directory_path() / ("tb-uploads-" + std::to_string(::getpid()));
  auto store = UploadStore::Open(dir, crypto::HashAlgorithm::kSm3, 1024);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde", 33);
  auto a = (*store)->Put(png);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->mime, "image/png");
  EXPECT_EQ(a->hash.size(), 64u);
  auto b = (*store)->Put(png);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->hash, a->hash);
  EXPECT_EQ(*(*store)->Get(a->hash), png);
  EXPECT_EQ((*store)->Put("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ((*store)->Put(std::string(2000, 'x')).status().code(), ErrorCode::kOutOfRange);
  auto text = (*store)->Put("#!/bin/sh\nrm -rf /\n");
  EXPECT_EQ(text.status().code(), ErrorCode::kUnprocessable);
  // A PNG name on HTML bytes is still HTML.
  EXPECT_EQ((*store)->Put("<html><script>alert(1)</script></html>").status().code(), ErrorCode::kUnprocessable);
  EXPECT_EQ((*store)->Get("../../etc/passwd").status().code(), ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tongban::service
