// 秒批 in cases, on SQLite and PostgreSQL with a FakeClock and the built-in rules: a matching
// 入学 application approved at once with the right rows and its licence issued; a mismatching one
// rejected with its explanation; missing data (no housing fund record) referred to staff; an
// appeal reversing a rejection by staff with both decisions on the ledger (and an upheld one);
// a bundle whose later step needs staff; tasks left undecided by a crash decided by the sweep; the
// rule version recorded once; a decision replayed from the database alone, and a tampered one
// caught.
#include <gtest/gtest.h>

#include <set>

#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "service/case_service.h"
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

// Monday 2027-05-10 10:00 in Hangzhou (02:00 UTC): enrolment season.
constexpr int64_t kMay10 = 1'809'914'400;
const std::string kChild = SyntheticId("33010620210302001");
const std::string kWangFang = SyntheticId("33010519880614002");

class CaseRulesTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    auto book = RuleBook::Parse(RuleBook::BuiltinFiles(), ServiceCatalogue::Builtin(), data::Catalogue::Builtin(),
                                license::Catalogue::Builtin(), crypto::HashAlgorithm::kSha256);
    ASSERT_TRUE(book.ok()) << book.status().ToString();
    book_ = std::make_unique<RuleBook>(std::move(book).value());
    if (!OpenWorld(kMay10)) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    Open(book_.get());
    PushHousehold(kZhangWei, "HJ-330106-0000213", "张伟", "1985-03-12", "浙江省杭州市西湖区文三路 90 号");
    PushHousehold(kWangFang, "HJ-330105-0000377", "王芳", "1988-06-14", "浙江省杭州市拱墅区湖墅南路 8 号");
    PushProperty(kZhangWei, "浙江省杭州市西湖区文三路 90 号 3 幢 201 室");
    PushProperty(kWangFang, "浙江省杭州市西湖区古墩路 15 号 2 单元 502 室");
  }

  // (Re)creates the case service, with `rules` or none.
  void Open(const RuleBook* rules) {
    CaseServiceOptions o;
    o.rules = rules;
    OpenCases(o);
    ASSERT_TRUE(cases_->RecordRuleVersions().ok());
  }

  void PushHousehold(const std::string& subject, const std::string& key, const std::string& name,
                     const std::string& birth, const std::string& address) {
    object record{{"subject", subject}, {"key", key}, {"version", 1},
                  {"fields", object{{"name", name}, {"sex", "男"}, {"ethnicity", "汉"}, {"birth_date", birth},
                                    {"household_address", address}, {"household_head_id", subject},
                                    {"relation_to_head", "户主"}}}};
    auto r = data_->Push({7, "hz-police"}, "household_registration", boost::json::serialize(record), false);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void PushProperty(const std::string& subject, const std::string& address) {
    object record{{"subject", subject}, {"key", "BDC-" + subject.substr(0, 6)}, {"version", 1},
                  {"fields", object{{"certificate_number", "浙(2019)杭州市不动产权第0123456号"},
                                    {"property_address", address}, {"floor_area", "89.50"}, {"ownership", "单独所有"},
                                    {"registration_date", "2019-04-02"}, {"mortgaged", "无抵押"}}}};
    auto r = data_->Push({8, "hz-natural-resources"}, "real_estate_registration", boost::json::serialize(record),
                         false);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  StoredUpload Png() { return StoredUpload{std::string(64, 'a'), "image/png", 67}; }

  // `who` applies for the child's eligibility check alone (or in the enrolment bundle).
  Case ApplyEnrolment(const Person& who, std::string_view bundle = "enrolment_eligibility_check",
                      std::string birth = "2021-03-02") {
    auto started = cases_->Start(who, bundle);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (!started.ok()) return {};
    auto up = cases_->AttachUpload(who, started->id, "applicant_household_register", Png());
    EXPECT_TRUE(up.ok()) << up.status().ToString();
    SubmitRequest req;
    req.answers.fields = object{{"contact_phone", "13800000000"}, {"child_name", "张小明"}, {"child_id", kChild},
                                {"child_sex", "男"}, {"child_birth_date", birth}, {"enrolment_stage", "小学一年级"}};
    auto submitted = cases_->Submit(who, started->id, req);
    EXPECT_TRUE(submitted.ok()) << submitted.status().ToString();
    return submitted.ok() ? *submitted : Case{};
  }

  const Task* TaskOf(const Case& c, std::string_view item) {
    for (const Task& t : c.tasks) {
      if (t.item == item) return &t;
    }
    return nullptr;
  }

  // Queued ledger entries of `type` (no sequencer runs here).
  int64_t LedgerEntries(std::string_view type) {
    int64_t n = 0;
    EXPECT_TRUE((*db_)->Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto queued, ledger::ReadQueue(tx, 100000));
      for (const auto& q : queued) {
        auto e = ledger::ParseEntry(q.entry);
        n += e.ok() && e->type == type ? 1 : 0;
      }
      return Status::Ok();
    }).ok());
    return n;
  }

  Case Mine(const Person& who, int64_t id) {
    auto c = cases_->Mine(who.subject_id, id);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : Case{};
  }

  std::unique_ptr<RuleBook> book_;
  Person zw_{1, kZhangWei, "张伟"};
  Person wf_{2, kWangFang, "王芳"};
  Staff education_{30, "hz-education", "何琳"};
  Staff other_{31, "hz-health", "周婷"};
};

TEST_P(CaseRulesTest, MatchingEnrolmentIsApprovedAtOnceWithItsExplanation) {
  Case c = ApplyEnrolment(zw_);
  EXPECT_EQ(c.state, CaseState::kCompleted);
  const Task* t = TaskOf(c, "enrolment_eligibility_check");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->state, TaskState::kApproved);
  EXPECT_TRUE(t->AutoDecided());
  EXPECT_EQ(t->licenses.size(), 1u);  // the result certificate, in the wallet
  ASSERT_EQ(c.decisions.size(), 1u);
  const DecisionRecord& d = c.decisions.front();
  EXPECT_EQ(d.outcome, "approve");
  EXPECT_EQ(boost::json::serialize(d.explanation.at("rows")), "[4]");
  EXPECT_NE(std::string(d.explanation.at("reason_zh").as_string()).find("学区内"), std::string::npos);
  // The inputs it used, with their labels: the child's age on 31 August and both address tests.
  bool saw_age = false;
  for (const value& in : d.explanation.at("inputs").as_array()) {
    if (in.at("name") == "child_age") {
      saw_age = true;
      EXPECT_EQ(in.at("value").as_int64(), 6);
    }
  }
  EXPECT_TRUE(saw_age);
  EXPECT_EQ(d.decided_on, "2027-05-10");
  EXPECT_EQ(d.refs.at("form.applicant_property_address"), "浙江省杭州市西湖区文三路 90 号 3 幢 201 室");
  EXPECT_EQ(LedgerEntries("service.decision"), 1);
  EXPECT_EQ(LedgerEntries("service.rules"), 5);
  // The applicant sees the data reads the rules' department made under the case (none extra here:
  // the form carried them), and no appeal is offered for an approval.
  EXPECT_FALSE(cases_->Appealable(*t));
}

TEST_P(CaseRulesTest, MismatchingEnrolmentIsRejectedAndAppealReversesIt) {
  Case c = ApplyEnrolment(wf_);  // household in 拱墅区
  EXPECT_EQ(c.state, CaseState::kRejected);
  const Task* t = TaskOf(c, "enrolment_eligibility_check");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->state, TaskState::kRejected);
  EXPECT_TRUE(t->AutoDecided());
  ASSERT_EQ(c.decisions.size(), 1u);
  EXPECT_EQ(c.decisions.front().outcome, "reject");
  EXPECT_EQ(boost::json::serialize(c.decisions.front().explanation.at("rows")), "[6]");
  EXPECT_NE(t->reason.find("户籍不在本学区"), std::string::npos);
  EXPECT_TRUE(cases_->Appealable(*t));

  // Only the applicant, only once, with a reason.
  EXPECT_EQ(cases_->FileAppeal(zw_, c.id, t->id, "理由").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(cases_->FileAppeal(wf_, c.id, t->id, "").status().code(), ErrorCode::kInvalidArgument);
  auto appeal = cases_->FileAppeal(wf_, c.id, t->id, "孩子一直随我们住在西湖区古墩路的自有住房，户籍迁移正在办理");
  ASSERT_TRUE(appeal.ok()) << appeal.status().ToString();
  EXPECT_EQ(cases_->FileAppeal(wf_, c.id, t->id, "再次申诉").status().code(), ErrorCode::kConflict);

  // Another department sees nothing; the education bureau sees it with the decision beside it.
  EXPECT_TRUE(cases_->AppealQueue(other_, true)->empty());
  EXPECT_EQ(cases_->AppealForStaff(other_, appeal->id).status().code(), ErrorCode::kNotFound);
  auto queue = cases_->AppealQueue(education_, true);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);
  auto view = cases_->AppealForStaff(education_, appeal->id);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->decision.outcome, "reject");

  auto decided = cases_->DecideAppeal(education_, appeal->id, true, "经核实，申请人在学区内有自有住房，予以通过", {});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->state, AppealState::kReversed);
  EXPECT_EQ(cases_->DecideAppeal(education_, appeal->id, false, "again", {}).status().code(),
            ErrorCode::kFailedPrecondition);
  Case after = Mine(wf_, c.id);
  EXPECT_EQ(after.state, CaseState::kCompleted);
  const Task* approved = TaskOf(after, "enrolment_eligibility_check");
  EXPECT_EQ(approved->state, TaskState::kApproved);
  EXPECT_FALSE(approved->AutoDecided());
  EXPECT_EQ(approved->licenses.size(), 1u);
  // Both stay: the automatic decision and the staff reversal, each with its ledger entry.
  std::set<std::string> actions;
  for (const CaseEvent& e : after.events) actions.insert(e.action);
  for (const char* a : {"reject", "appeal", "appeal_reversed", "approve"}) EXPECT_TRUE(actions.contains(a)) << a;
  EXPECT_EQ(LedgerEntries("service.decision"), 1);
  ASSERT_EQ(after.appeals.size(), 1u);
  EXPECT_EQ(after.appeals.front().answer, "经核实，申请人在学区内有自有住房，予以通过");
}

TEST_P(CaseRulesTest, UpheldAppealKeepsTheRejection) {
  Case c = ApplyEnrolment(zw_, "enrolment_eligibility_check", "2021-09-01");  // 5 on 31 August
  const Task* t = TaskOf(c, "enrolment_eligibility_check");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->state, TaskState::kRejected);
  EXPECT_EQ(boost::json::serialize(c.decisions.front().explanation.at("rows")), "[1]");
  auto appeal = cases_->FileAppeal(zw_, c.id, t->id, "孩子很快就满六岁了");
  ASSERT_TRUE(appeal.ok());
  auto decided = cases_->DecideAppeal(education_, appeal->id, false, "入学年龄以8月31日为准，维持原结果", {});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  Case after = Mine(zw_, c.id);
  EXPECT_EQ(after.state, CaseState::kRejected);
  EXPECT_EQ(after.appeals.front().state, AppealState::kUpheld);
}

TEST_P(CaseRulesTest, AppealsOnlyAgainstAutomaticRejectionsAndInTime) {
  Case c = ApplyEnrolment(wf_);
  const Task* t = TaskOf(c, "enrolment_eligibility_check");
  ASSERT_NE(t, nullptr);
  clock_.Advance(std::chrono::hours(24 * 31));
  EXPECT_FALSE(cases_->Appealable(*t));
  EXPECT_EQ(cases_->FileAppeal(wf_, c.id, t->id, "迟到的申诉").status().code(), ErrorCode::kFailedPrecondition);
  Case ok = ApplyEnrolment(zw_);
  EXPECT_EQ(cases_->FileAppeal(zw_, ok.id, TaskOf(ok, "enrolment_eligibility_check")->id, "通过了也申诉").status().code(),
            ErrorCode::kFailedPrecondition);
}

TEST_P(CaseRulesTest, MissingDataRefersToStaff) {
  // No housing fund record for 张伟: the account fields are asked, the rules' data is missing.
  auto started = cases_->Start(zw_, "housing_fund_withdrawal");
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  for (const char* code : {"applicant_id_card", "housing_fund_withdrawal_proof"}) {
    ASSERT_TRUE(cases_->AttachUpload(zw_, started->id, code, Png()).ok());
  }
  SubmitRequest req;
  req.answers.fields = object{{"housing_fund_account", "0012345678"}, {"housing_fund_balance_fen", 8632000},
                              {"withdrawal_reason", "租赁住房"}, {"withdrawal_amount_fen", 150000},
                              {"payee_bank_name", "中国工商银行杭州西湖支行"}, {"payee_bank_account", "6222020200112233445"}};
  auto c = cases_->Submit(zw_, started->id, req);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->state, CaseState::kInProgress);
  const Task* t = TaskOf(*c, "housing_fund_withdrawal");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->state, TaskState::kReady);  // in the fund centre's queue
  EXPECT_TRUE(t->decided_by.empty());
  ASSERT_EQ(c->decisions.size(), 1u);
  EXPECT_EQ(c->decisions.front().outcome, "refer");
  EXPECT_NE(std::string(c->decisions.front().explanation.at("reason_zh").as_string()).find("缺少数据"),
            std::string::npos);
  EXPECT_FALSE(c->decisions.front().explanation.at("missing").as_array().empty());
  // Staff decide it as any task; the sweep does not decide it again.
  EXPECT_EQ(*cases_->ReviewAwaitingRules(), 0);
  Staff fund{40, "hz-housing-fund", "吴昊"};
  auto approved = cases_->Approve(fund, t->id, {});
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_FALSE(approved->AutoDecided());
}

TEST_P(CaseRulesTest, BundleStepNeedingStaffWaitsForThemAfterTheInstantOne) {
  Case c = ApplyEnrolment(zw_, "compulsory_school_enrolment");
  EXPECT_EQ(c.state, CaseState::kInProgress);
  const Task* check = TaskOf(c, "enrolment_eligibility_check");
  const Task* notice = TaskOf(c, "admission_notice");
  ASSERT_NE(check, nullptr);
  ASSERT_NE(notice, nullptr);
  EXPECT_EQ(check->state, TaskState::kApproved);
  EXPECT_EQ(notice->state, TaskState::kReady);  // staff write the school admitted to
  EXPECT_TRUE(notice->decided_by.empty());
}

TEST_P(CaseRulesTest, SweepDecidesWhatACrashLeftUndecided) {
  Open(nullptr);  // a node without rules (as if it stopped between the opening and the review)
  Case c = ApplyEnrolment(zw_);
  ASSERT_EQ(TaskOf(c, "enrolment_eligibility_check")->state, TaskState::kReady);
  Open(book_.get());
  EXPECT_EQ(LedgerEntries("service.rules"), 5);  // recorded once, not per start
  EXPECT_EQ(*cases_->ReviewAwaitingRules(), 1);
  EXPECT_EQ(Mine(zw_, c.id).state, CaseState::kCompleted);
  EXPECT_EQ(*cases_->ReviewAwaitingRules(), 0);
}

TEST_P(CaseRulesTest, ReplayGivesTheSameResultAndCatchesTampering) {
  Case ok = ApplyEnrolment(zw_);
  Case refused = ApplyEnrolment(wf_);
  for (const Case* c : {&ok, &refused}) {
    auto ids = cases_->DecisionIdsOf(c->case_number);
    ASSERT_TRUE(ids.ok());
    ASSERT_EQ(ids->size(), 1u);
    clock_.Advance(std::chrono::hours(24 * 400));  // a year on: the rules still saw the decision's day
    auto replay = cases_->ReplayDecision(ids->front());
    ASSERT_TRUE(replay.ok()) << replay.status().ToString();
    EXPECT_TRUE(replay->same) << replay->difference;
    EXPECT_EQ(rules::OutcomeName(replay->replayed.outcome), replay->decision.outcome);
  }
  // Someone edits the stored input: the replay differs from the record and from the ledger.
  auto ids = cases_->DecisionIdsOf(refused.case_number);
  ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) -> Status {
                      return tx.Exec("UPDATE service_decision SET refs = ? WHERE id = ?",
                                     {R"({"form.enrolment_stage":"小学一年级","form.child_birth_date":"2021-03-02",)"
                                      R"("form.applicant_household_address":"浙江省杭州市西湖区文三路 1 号",)"
                                      R"("form.applicant_property_address":"浙江省杭州市西湖区文三路 1 号",)"
                                      R"("license.real_estate_certificate":false,"license.real_estate_certificate.location":null})",
                                      ids->front()})
                          .status();
                    }).ok());
  auto replay = cases_->ReplayDecision(ids->front());
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_FALSE(replay->same);
  EXPECT_NE(replay->difference.find("outcome"), std::string::npos);
  EXPECT_NE(replay->difference.find("ledger document"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CaseRulesTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, CaseRulesTest, ::testing::Values(Backend::kPostgres), tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::service
