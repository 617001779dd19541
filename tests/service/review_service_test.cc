// ReviewService (好差评) on SQLite and PostgreSQL with a FakeClock: a decided task rated once
// (again: 409), by its applicant or confirmed co-applicant only (anyone else: as a missing case),
// only once decided; levels and comments checked; a bad rating opening its remediation ticket
// with deadlines in working days (a Friday's call-back is due Monday; the 2027 holidays
// skipped); the steps in order, another department's staff answered 404; the answer in the
// citizen's inbox and notifier; one re-rating after the answer, not before; escalation past each
// deadline, once each; the figures per department, item and window (staff or 秒批); a ledger
// entry for every rating and step, with no personal data in its document; Chinese comments.
#include "service/review_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "crypto/hmac.h"
#include "ledger/log_storage.h"
#include "service_test_base.h"
#include "testing/databases.h"
#include "testing/ledger_queue.h"
#include "testing/synthetic_ids.h"

namespace tongban::service {
namespace {

using boost::json::object;
using tongban::testing::Backend;
using tongban::testing::kLiNa;
using tongban::testing::kZhangWei;
using tongban::testing::SyntheticId;

// Monday 2026-12-07 10:00 in Hangzhou (02:00 UTC), and days from it.
constexpr int64_t kMonday = 1'796'608'800;
constexpr int64_t kDay = 86'400;
constexpr int64_t kFriday = kMonday + 4 * kDay;  // 2026-12-11
const std::string kComment = "窗口人员态度很好，一次办成，点赞👍";

class ReviewServiceTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    if (!OpenWorld(kMonday)) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    ReviewServiceOptions r;
    r.hash = crypto::HashAlgorithm::kSha256;
    r.subject_hash = SubjectHash;
    r.notifier = &sink_;
    reviews_ = std::make_unique<ReviewService>(**db_, clock_, ServiceCatalogue::Builtin(), r);
    PushHousehold(kZhangWei, "HJ-330106-0000213", "张伟");
    PushHousehold(kLiNa, "HJ-330421-0000128", "李娜");
  }

  void PushHousehold(const std::string& subject, const std::string& key, const std::string& name) {
    object record{{"subject", subject}, {"key", key}, {"version", 1},
                  {"fields", object{{"name", name}, {"sex", "男"}, {"ethnicity", "汉"}, {"birth_date", "1985-03-12"},
                                    {"household_address", "浙江省杭州市西湖区文三路 90 号"},
                                    {"household_head_id", subject}, {"relation_to_head", "户主"}}}};
    auto r = data_->Push({7, "hz-police"}, "household_registration", boost::json::serialize(record), false);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->accepted, 1);
  }

  // A case of `person` for item `item` (applied for alone) with `answers`, submitted: its task ready.
  std::pair<Case, Task> Submitted(const Person& person, const std::string& item, object answers) {
    auto started = cases_->Start(person, item);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (!started.ok()) return {};
    SubmitRequest req;
    req.answers.fields = std::move(answers);
    req.answers.fields["applicant_name"] = person.name;
    auto submitted = cases_->Submit(person, started->id, req);
    EXPECT_TRUE(submitted.ok()) << submitted.status().ToString();
    if (!submitted.ok() || submitted->tasks.size() != 1) return {};
    return {*submitted, submitted->tasks[0]};
  }

  // 公章刻制备案 (hz-police), submitted by `person` and approved (or rejected) by `staff`.
  std::pair<Case, Task> Seal(const Person& person, const Staff& staff, bool approve = true) {
    auto [c, t] = Submitted(person, "company_seal_engraving",
                            object{{"company_name", "杭州通办科技有限公司"}, {"seal_set", "公章、财务专用章、发票专用章"}});
    auto decided = approve ? cases_->Approve(staff, t.id, {}) : cases_->Reject(staff, t.id, "名称未经登记");
    EXPECT_TRUE(decided.ok()) << decided.status().ToString();
    return {c, decided.ok() ? *decided : t};
  }

  // 单位参保登记 (hz-hrss), approved.
  std::pair<Case, Task> Insurance(const Person& person) {
    auto [c, t] = Submitted(person, "employer_social_insurance_registration",
                            object{{"company_name", "杭州通办科技有限公司"}, {"employee_count", 12}});
    auto decided = cases_->Approve(hrss_, t.id, {});
    EXPECT_TRUE(decided.ok()) << decided.status().ToString();
    return {c, decided.ok() ? *decided : t};
  }

  // A seal case of 张伟 rated `level` on Friday 2026-12-11: the rating and its ticket.
  RatingAndTicket RatedOnFriday(int level) {
    auto [c, t] = Seal(zw_, police_);
    clock_.SetUnixMicros(kFriday * 1'000'000);
    auto rated = reviews_->Rate(zw_, c.id, t.id, level, "等了两个小时，材料还被退回一次");
    EXPECT_TRUE(rated.ok()) << rated.status().ToString();
    return rated.ok() ? *rated : RatingAndTicket{};
  }

  void At(int64_t unix_seconds) { clock_.SetUnixMicros(unix_seconds * 1'000'000); }

  int64_t QueueDepth() { return tongban::testing::QueueDepth(**db_); }

  std::vector<Notice> DepartmentNotices(const std::string& department, std::string_view kind) {
    auto all = cases_->Notices(999'999, department);
    EXPECT_TRUE(all.ok());
    std::vector<Notice> out;
    for (const Notice& n : *all) {
      if (n.kind == kind && n.account_id == 0) out.push_back(n);
    }
    return out;
  }

  std::vector<Notice> CitizenNotices(int64_t account, std::string_view kind) {
    auto all = cases_->Notices(account, "");
    EXPECT_TRUE(all.ok());
    std::vector<Notice> out;
    for (const Notice& n : *all) {
      if (n.kind == kind) out.push_back(n);
    }
    return out;
  }

  static std::set<std::string> Fields(const Status& s) {
    std::set<std::string> out;
    for (const FieldError& e : s.fields()) out.insert(e.field);
    return out;
  }

  struct Sink : Notifier {
    void Send(const OutboundMessage& m) override {
      std::lock_guard lock(mu);
      sent.push_back(m);
    }
    std::mutex mu;
    std::vector<OutboundMessage> sent;
  };

  std::unique_ptr<ReviewService> reviews_;
  Sink sink_;
  const Person zw_{1, kZhangWei, "张伟"};
  const Person ln_{2, kLiNa, "李娜"};
  const Staff police_{100, "hz-police", "王芳"};
  const Staff police2_{101, "hz-police", "刘洋"};
  const Staff hrss_{102, "hz-hrss", "赵敏"};
  const Staff tax_{103, "hz-tax", "孙磊"};
};

TEST_P(ReviewServiceTest, ADecidedTaskIsRatedOnceWithItsWindowAndAChineseComment) {
  auto [c, t] = Seal(zw_, police_);
  const int64_t before = QueueDepth();
  auto rated = reviews_->Rate(zw_, c.id, t.id, 5, kComment);
  ASSERT_TRUE(rated.ok()) << rated.status().ToString();
  EXPECT_EQ(QueueDepth(), before + 1);  // its ledger entry
  const Rating& r = rated->rating;
  EXPECT_GT(r.id, 0);
  EXPECT_EQ(r.level, 5);
  EXPECT_EQ(r.round, 1);
  EXPECT_EQ(r.item, "company_seal_engraving");
  EXPECT_EQ(r.department, "hz-police");
  EXPECT_EQ(r.window_key, "staff:100");
  EXPECT_EQ(r.window_zh, "王芳");
  EXPECT_EQ(r.party, "applicant");
  EXPECT_EQ(r.case_number, c.case_number);
  EXPECT_FALSE(rated->ticket.has_value());
  EXPECT_FALSE(r.ticket_id.has_value());
  // The document holds no personal data: no ID number, no name, the comment only as a hash.
  EXPECT_EQ(r.document.find(kZhangWei), std::string::npos);
  EXPECT_EQ(r.document.find("张伟"), std::string::npos);
  EXPECT_EQ(r.document.find("窗口人员"), std::string::npos);
  EXPECT_NE(r.document.find("comment_hash"), std::string::npos);
  EXPECT_NE(r.document.find(c.case_number), std::string::npos);

  // Final: a second rating of the task is refused, whatever its level, and writes nothing.
  auto again = reviews_->Rate(zw_, c.id, t.id, 1, "改主意了");
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict) << again.status().ToString();
  EXPECT_EQ(QueueDepth(), before + 1);

  // The comment round-trips, byte for byte.
  auto mine = reviews_->MyRatings(kZhangWei, c.id);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].rating.comment, kComment);
  EXPECT_EQ((*mine)[0].rating.level, 5);
  EXPECT_FALSE((*mine)[0].may_rate_again);
  // A rejected task may be rated too.
  auto [c2, rejected] = Seal(zw_, police_, false);
  ASSERT_EQ(rejected.state, TaskState::kRejected);
  EXPECT_TRUE(reviews_->Rate(zw_, c2.id, rejected.id, 3, "").ok());
}

TEST_P(ReviewServiceTest, OnlyTheApplicantRatesOnlyADecidedTaskWithAValidLevelAndComment) {
  auto [c, t] = Seal(zw_, police_);
  // Anyone else answers as a missing case; a missing case and another case's task too.
  const Person stranger{3, SyntheticId("33010619900101123"), "王强"};
  EXPECT_EQ(reviews_->Rate(stranger, c.id, t.id, 5, "").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(reviews_->Rate(ln_, c.id, t.id, 5, "").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(reviews_->Rate(zw_, 999'999, t.id, 5, "").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(reviews_->MyRatings(stranger.subject_id, c.id).status().code(), ErrorCode::kNotFound);
  auto [other, other_task] = Seal(ln_, police_);
  EXPECT_EQ(reviews_->Rate(zw_, c.id, other_task.id, 5, "").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(reviews_->Rate(zw_, other.id, other_task.id, 5, "").status().code(), ErrorCode::kNotFound);
  // A task not decided yet.
  auto [open, ready] = Submitted(zw_, "company_seal_engraving",
                                 object{{"company_name", "杭州一办科技有限公司"}, {"seal_set", "公章、财务专用章、发票专用章"}});
  ASSERT_EQ(ready.state, TaskState::kReady);
  EXPECT_EQ(reviews_->Rate(zw_, open.id, ready.id, 5, "").status().code(), ErrorCode::kFailedPrecondition);
  // Levels outside 1-5 and long or broken comments name their field.
  for (int level : {0, 6, -1}) {
    auto bad = reviews_->Rate(zw_, c.id, t.id, level, "");
    ASSERT_EQ(bad.status().code(), ErrorCode::kInvalidArgument) << level;
    EXPECT_TRUE(Fields(bad.status()).contains("/level")) << bad.status().ToString();
  }
  std::string long_comment;
  while (long_comment.size() <= kMaxCommentBytes) long_comment += "慢";  // 3 bytes each: 501
  auto too_long = reviews_->Rate(zw_, c.id, t.id, 2, long_comment);
  ASSERT_EQ(too_long.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Fields(too_long.status()).contains("/comment"));
  auto broken = reviews_->Rate(zw_, c.id, t.id, 2, std::string("\xe6\x85", 2));
  ASSERT_EQ(broken.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Fields(broken.status()).contains("/comment"));
  // 500 bytes exactly is accepted; nothing refused above was written.
  EXPECT_TRUE(reviews_->Rate(zw_, c.id, t.id, 4, std::string(kMaxCommentBytes, 'a')).ok());
  EXPECT_EQ(reviews_->MyRatings(kZhangWei, c.id)->size(), 1u);
}

TEST_P(ReviewServiceTest, TheConfirmedCoApplicantMayRateButNotACancelledTask) {
  // 婚育户 with 李娜 as the co-applicant: uploads, his ID card from the wallet, her confirmation.
  license::IssueRequest card;
  card.type = "resident_id_card";
  card.holder_subject = kZhangWei;
  card.fields = object{{"name", "张伟"}, {"sex", "男"}, {"ethnicity", "汉"}, {"birth_date", "1985-03-12"},
                       {"address", "浙江省杭州市西湖区文三路 90 号"}, {"id_number", kZhangWei}};
  auto id_card = licenses_->Issue(card, "zj-police");
  ASSERT_TRUE(id_card.ok()) << id_card.status().ToString();
  auto started = cases_->Start(zw_, "marriage_birth_household");
  ASSERT_TRUE(started.ok());
  const StoredUpload png{std::string(64, 'a'), "image/png", 67};
  for (const char* code : {"applicant_household_register", "marriage_joint_photo"}) {
    ASSERT_TRUE(cases_->AttachUpload(zw_, started->id, code, png).ok());
  }
  SubmitRequest req;
  req.answers.fields = object{{"child_name", "张小明"}, {"child_sex", "男"}, {"child_birth_date", "2026-11-30"},
                              {"birth_hospital", "浙江大学医学院附属妇产科医院"}, {"mother_name", "李娜"},
                              {"father_name", "张伟"}, {"household_head_name", "张伟"},
                              {"child_relation_to_head", "子女"}, {"card_bank", "中国工商银行"}};
  req.answers.materials = {{"applicant_id_card", id_card->id}};
  req.co_applicant_id = kLiNa;
  req.co_applicant_name = "李娜";
  auto submitted = cases_->Submit(zw_, started->id, req);
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  for (const char* code : {"co_applicant_household_register", "co_applicant_id_card"}) {
    ASSERT_TRUE(cases_->AttachUpload(ln_, started->id, code, png).ok());
  }
  auto confirmed = cases_->Confirm(ln_, started->id, {});
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  int64_t marriage = 0, birth = 0;
  for (const Task& t : confirmed->tasks) {
    if (t.item == "marriage_registration") marriage = t.id;
    if (t.item == "birth_medical_certificate_issue") birth = t.id;
  }
  ASSERT_TRUE(cases_->Approve(Staff{104, "hz-civil-affairs", "何琳"}, marriage, {}).ok());
  ASSERT_TRUE(cases_->Reject(Staff{105, "hz-health", "许峰"}, birth, "出生医学证明信息不一致").ok());
  // She rates the marriage registration from her own account; with another account, not found.
  EXPECT_EQ(reviews_->Rate(Person{9, kLiNa, "李娜"}, started->id, marriage, 5, "").status().code(),
            ErrorCode::kNotFound);
  auto hers = reviews_->Rate(ln_, started->id, marriage, 5, "一次办好，很方便");
  ASSERT_TRUE(hers.ok()) << hers.status().ToString();
  EXPECT_EQ(hers->rating.party, "co_applicant");
  EXPECT_EQ(hers->rating.window_zh, "何琳");
  // One rating per task, whoever gave it.
  EXPECT_EQ(reviews_->Rate(zw_, started->id, marriage, 4, "").status().code(), ErrorCode::kConflict);
  // The tasks cancelled by the rejection cannot be rated; the rejected one can.
  auto full = cases_->Mine(kZhangWei, started->id);
  ASSERT_TRUE(full.ok());
  for (const Task& t : full->tasks) {
    if (t.state == TaskState::kCancelled) {
      EXPECT_EQ(reviews_->Rate(zw_, started->id, t.id, 1, "").status().code(), ErrorCode::kFailedPrecondition) << t.item;
    }
  }
  EXPECT_TRUE(reviews_->Rate(zw_, started->id, birth, 2, "为什么被退回").ok());
  // Both parties see both ratings.
  EXPECT_EQ(reviews_->MyRatings(kZhangWei, started->id)->size(), 2u);
  EXPECT_EQ(reviews_->MyRatings(kLiNa, started->id)->size(), 2u);
}

TEST_P(ReviewServiceTest, ABadRatingOpensATicketDueInWorkingDays) {
  auto [c, t] = Seal(zw_, police_);
  At(kFriday);
  const int64_t before = QueueDepth();
  const size_t sent = sink_.sent.size();
  auto rated = reviews_->Rate(zw_, c.id, t.id, 2, "等了两个小时");
  ASSERT_TRUE(rated.ok()) << rated.status().ToString();
  ASSERT_TRUE(rated->ticket.has_value());
  const Ticket& k = *rated->ticket;
  EXPECT_EQ(rated->rating.ticket_id, k.id);
  EXPECT_EQ(k.state, TicketState::kOpen);
  EXPECT_EQ(k.department, "hz-police");
  // Rated on Friday: call back by the end of Monday (the weekend skipped), answer within five
  // working days, by the end of the next Friday.
  EXPECT_EQ(k.callback_due_date.ToString(), "2026-12-14");
  EXPECT_EQ(k.callback_due_at, ChinaDayEndUnix(*ParseCivilDate("2026-12-14")));
  EXPECT_EQ(k.answer_due_date.ToString(), "2026-12-18");
  EXPECT_EQ(k.answer_due_at, ChinaDayEndUnix(*ParseCivilDate("2026-12-18")));
  ASSERT_EQ(k.steps.size(), 1u);
  EXPECT_EQ(k.steps[0].action, "open");
  EXPECT_EQ(QueueDepth(), before + 2);  // the rating and the ticket's opening
  // The department (for whoever handles it) and the citizen are told, in the inbox and outside.
  ASSERT_EQ(DepartmentNotices("hz-police", "remediation_opened").size(), 1u);
  EXPECT_NE(DepartmentNotices("hz-police", "remediation_opened")[0].text_zh.find("2026-12-14"), std::string::npos);
  EXPECT_EQ(CitizenNotices(1, "remediation_opened").size(), 1u);
  EXPECT_EQ(sink_.sent.size(), sent + 1);  // the department's push; the citizen's goes to the hub
  EXPECT_EQ(HubNotices().back().recipient, kZhangWei);
  // Its department sees it; another department does not.
  auto open = reviews_->Tickets(police2_, TicketFilter::kOpen);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].rating.comment, "等了两个小时");
  EXPECT_TRUE(reviews_->Tickets(tax_, TicketFilter::kAll)->empty());
  EXPECT_EQ(reviews_->GetTicket(tax_, k.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(reviews_->CallBack(tax_, k.id, "已回访").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(reviews_->Tickets(police_, TicketFilter::kOverdue)->empty());
  EXPECT_TRUE(reviews_->Tickets(police_, TicketFilter::kAnswered)->empty());

  // Over the 2027 Spring Festival (5-13 February): rated on Thursday the 4th, called back by
  // Monday the 15th, answered by Friday the 19th.
  auto [c2, t2] = Seal(zw_, police_);
  At(ChinaDayStartUnix(*ParseCivilDate("2027-02-04")) + 10 * 3600);
  auto festival = reviews_->Rate(zw_, c2.id, t2.id, 1, "");
  ASSERT_TRUE(festival.ok() && festival->ticket);
  EXPECT_EQ(festival->ticket->callback_due_date.ToString(), "2027-02-15");
  EXPECT_EQ(festival->ticket->answer_due_date.ToString(), "2027-02-19");
  // Over National Day 2027 (1-7 October, Saturday the 9th a working day): rated on Thursday 30
  // September, called back by Friday the 8th, answered by Wednesday the 13th.
  auto [c3, t3] = Seal(zw_, police_);
  At(ChinaDayStartUnix(*ParseCivilDate("2027-09-30")) + 10 * 3600);
  auto national = reviews_->Rate(zw_, c3.id, t3.id, 2, "");
  ASSERT_TRUE(national.ok() && national->ticket);
  EXPECT_EQ(national->ticket->callback_due_date.ToString(), "2027-10-08");
  EXPECT_EQ(national->ticket->answer_due_date.ToString(), "2027-10-13");
}

TEST_P(ReviewServiceTest, StepsGoInOrderAndTheAnswerReachesTheCitizen) {
  RatingAndTicket x = RatedOnFriday(1);
  ASSERT_TRUE(x.ticket);
  const int64_t id = x.ticket->id;
  // Out of order, or without a text, refused.
  EXPECT_EQ(reviews_->Verify(police_, id, "核实").status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(reviews_->Answer(police_, id, "答复").status().code(), ErrorCode::kFailedPrecondition);
  auto empty = reviews_->CallBack(police_, id, "");
  ASSERT_EQ(empty.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Fields(empty.status()).contains("/text"));
  EXPECT_EQ(reviews_->CallBack(police_, id, std::string(kMaxStepTextBytes + 1, 'x')).status().code(),
            ErrorCode::kInvalidArgument);
  const int64_t before = QueueDepth();
  auto called = reviews_->CallBack(police_, id, "已电话回访，申请人反映窗口等候时间过长");
  ASSERT_TRUE(called.ok()) << called.status().ToString();
  EXPECT_EQ(called->ticket->state, TicketState::kCalledBack);
  EXPECT_EQ(called->ticket->callback_note, "已电话回访，申请人反映窗口等候时间过长");
  EXPECT_EQ(called->ticket->handled_by_name, "王芳");
  EXPECT_EQ(reviews_->CallBack(police_, id, "再次回访").status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(reviews_->Rectify(police2_, id, "整改").status().code(), ErrorCode::kFailedPrecondition);
  // A colleague of the department carries on.
  ASSERT_TRUE(reviews_->Verify(police2_, id, "核实属实：当日仅开放一个窗口").ok());
  ASSERT_TRUE(reviews_->Rectify(police2_, id, "高峰时段增开两个窗口，推行网上预约").ok());
  const size_t sent = sink_.sent.size();
  auto answered = reviews_->Answer(police2_, id, "感谢您的评价，我们已在高峰时段增开窗口并推行预约。");
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(QueueDepth(), before + 4);  // one entry per step
  const Ticket& done = *answered->ticket;
  EXPECT_EQ(done.state, TicketState::kAnswered);
  EXPECT_TRUE(done.called_back_at && done.verified_at && done.rectified_at && done.answered_at);
  EXPECT_EQ(done.finding, "核实属实：当日仅开放一个窗口");
  EXPECT_EQ(done.measures, "高峰时段增开两个窗口，推行网上预约");
  EXPECT_EQ(done.handled_by, 101);
  std::vector<std::string> actions;
  for (const TicketStep& s : done.steps) {
    actions.push_back(s.action);
    EXPECT_EQ(s.document.find(kZhangWei), std::string::npos);
    EXPECT_EQ(s.document.find("增开"), std::string::npos);  // texts only as hashes
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"open", "callback", "verify", "rectify", "answer"}));
  EXPECT_EQ(reviews_->Answer(police_, id, "再答复").status().code(), ErrorCode::kFailedPrecondition);
  // The answer in the citizen's inbox and through the notification hub, to 张伟 only.
  auto notices = CitizenNotices(1, "rating_answered");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].text_zh.find("增开窗口"), std::string::npos);
  EXPECT_EQ(sink_.sent.size(), sent);  // nothing for a department
  const auto hub = HubNotices();
  ASSERT_FALSE(hub.empty());
  EXPECT_EQ(hub.back().recipient, kZhangWei);
  EXPECT_EQ(std::string(hub.back().vars.at("zh").as_string()), notices[0].text_zh);
  EXPECT_EQ(std::string(hub.back().vars.at("zh").as_string()).find(kZhangWei), std::string::npos);
  // He sees the answer beside his rating.
  auto mine = reviews_->MyRatings(kZhangWei, x.rating.case_id);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  ASSERT_TRUE((*mine)[0].ticket);
  EXPECT_EQ((*mine)[0].ticket->answer, "感谢您的评价，我们已在高峰时段增开窗口并推行预约。");
  EXPECT_TRUE((*mine)[0].may_rate_again);
  EXPECT_EQ(reviews_->Tickets(police_, TicketFilter::kAnswered)->size(), 1u);
  EXPECT_TRUE(reviews_->Tickets(police_, TicketFilter::kOpen)->empty());
}

TEST_P(ReviewServiceTest, OneReRatingAfterTheAnswerNotBefore) {
  RatingAndTicket x = RatedOnFriday(2);
  ASSERT_TRUE(x.ticket);
  const int64_t case_id = x.rating.case_id, task_id = x.rating.task_id, id = x.ticket->id;
  // Before the answer: refused at every step.
  EXPECT_EQ(reviews_->Rate(zw_, case_id, task_id, 4, "").status().code(), ErrorCode::kConflict);
  ASSERT_TRUE(reviews_->CallBack(police_, id, "已回访").ok());
  ASSERT_TRUE(reviews_->Verify(police_, id, "属实").ok());
  ASSERT_TRUE(reviews_->Rectify(police_, id, "已整改").ok());
  EXPECT_EQ(reviews_->Rate(zw_, case_id, task_id, 4, "").status().code(), ErrorCode::kConflict);
  EXPECT_FALSE(reviews_->MyRatings(kZhangWei, case_id)->front().may_rate_again);
  ASSERT_TRUE(reviews_->Answer(police_, id, "已整改，欢迎再次评价").ok());
  // After it: once, as round 2; a bad re-rating opens a ticket of its own.
  auto second = reviews_->Rate(zw_, case_id, task_id, 1, "还是不满意");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->rating.round, 2);
  ASSERT_TRUE(second->ticket);
  EXPECT_NE(second->ticket->id, id);
  EXPECT_EQ(reviews_->Rate(zw_, case_id, task_id, 5, "").status().code(), ErrorCode::kConflict);
  // Answered too, there is still no third round.
  const int64_t id2 = second->ticket->id;
  ASSERT_TRUE(reviews_->CallBack(police_, id2, "再次回访").ok());
  ASSERT_TRUE(reviews_->Verify(police_, id2, "属实").ok());
  ASSERT_TRUE(reviews_->Rectify(police_, id2, "已整改").ok());
  ASSERT_TRUE(reviews_->Answer(police_, id2, "再次致歉").ok());
  EXPECT_EQ(reviews_->Rate(zw_, case_id, task_id, 5, "").status().code(), ErrorCode::kConflict);
  auto mine = reviews_->MyRatings(kZhangWei, case_id);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].rating.round, 1);
  EXPECT_EQ((*mine)[1].rating.round, 2);
  EXPECT_FALSE((*mine)[0].may_rate_again);
  EXPECT_FALSE((*mine)[1].may_rate_again);
}

TEST_P(ReviewServiceTest, LateTicketsAreEscalatedOncePerDeadline) {
  RatingAndTicket x = RatedOnFriday(1);  // call back by Monday 12-14, answer by Friday 12-18
  ASSERT_TRUE(x.ticket);
  const int64_t id = x.ticket->id;
  // Monday afternoon: nothing is late yet.
  At(kMonday + 7 * kDay + 5 * 3600);
  EXPECT_EQ(*reviews_->EscalateLate(), 0);
  EXPECT_TRUE(reviews_->Tickets(police_, TicketFilter::kOverdue)->empty());
  // Tuesday: the call-back is late, escalated once.
  At(kMonday + 8 * kDay);
  const int64_t before = QueueDepth();
  EXPECT_EQ(*reviews_->EscalateLate(), 1);
  EXPECT_EQ(*reviews_->EscalateLate(), 0);
  EXPECT_EQ(QueueDepth(), before + 1);
  auto escalated = DepartmentNotices("hz-police", "remediation_escalated");
  ASSERT_EQ(escalated.size(), 1u);
  EXPECT_NE(escalated[0].text_zh.find("回访"), std::string::npos);
  auto overdue = reviews_->Tickets(police_, TicketFilter::kOverdue);
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_TRUE((*overdue)[0].ticket->callback_escalated_at.has_value());
  EXPECT_FALSE((*overdue)[0].ticket->answer_escalated_at.has_value());
  auto figures = reviews_->Figures();
  ASSERT_TRUE(figures.ok());
  EXPECT_EQ(figures->departments[0].tickets_open_overdue, 1);
  // Called back late; the answer is not due yet: nothing more.
  ASSERT_TRUE(reviews_->CallBack(police_, id, "已回访（逾期）").ok());
  EXPECT_TRUE(reviews_->Tickets(police_, TicketFilter::kOverdue)->empty());
  EXPECT_EQ(*reviews_->EscalateLate(), 0);
  // The next Monday: the answer is late, escalated once.
  At(kMonday + 14 * kDay);
  EXPECT_EQ(*reviews_->EscalateLate(), 1);
  EXPECT_EQ(*reviews_->EscalateLate(), 0);
  EXPECT_EQ(DepartmentNotices("hz-police", "remediation_escalated").size(), 2u);
  auto ticket = reviews_->GetTicket(police_, id);
  ASSERT_TRUE(ticket.ok());
  EXPECT_TRUE(ticket->ticket->answer_escalated_at.has_value());
  EXPECT_EQ(ticket->ticket->steps.back().action, "escalate_answer");
  // Answered late: counted so, and no longer overdue.
  ASSERT_TRUE(reviews_->Verify(police_, id, "属实").ok());
  ASSERT_TRUE(reviews_->Rectify(police_, id, "已整改").ok());
  ASSERT_TRUE(reviews_->Answer(police_, id, "抱歉答复晚了").ok());
  figures = reviews_->Figures();
  ASSERT_TRUE(figures.ok());
  EXPECT_EQ(figures->departments[0].tickets_answered_late, 1);
  EXPECT_EQ(figures->departments[0].tickets_answered_on_time, 0);
  EXPECT_EQ(figures->departments[0].tickets_open_overdue, 0);
  EXPECT_EQ(*reviews_->EscalateLate(), 0);

  // A ticket nobody touched past both deadlines: both escalations in one sweep, then none.
  RatingAndTicket y = RatedOnFriday(2);
  ASSERT_TRUE(y.ticket);
  At(kFriday + 14 * kDay);
  EXPECT_EQ(*reviews_->EscalateLate(), 2);
  EXPECT_EQ(*reviews_->EscalateLate(), 0);
}

TEST_P(ReviewServiceTest, FiguresPerDepartmentItemAndWindow) {
  // hz-police: 王芳's seal approval rated 5 and 2; 刘洋's rated 3. hz-hrss: decided by the rules
  // (秒批), rated 4; and by 赵敏, rated 1.
  auto rate = [&](const std::pair<Case, Task>& ct, int level) {
    auto r = reviews_->Rate(zw_, ct.first.id, ct.second.id, level, "");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RatingAndTicket{};
  };
  rate(Seal(zw_, police_), 5);
  RatingAndTicket bad_police = rate(Seal(zw_, police_), 2);
  rate(Seal(zw_, police2_), 3);
  auto automatic = Insurance(zw_);
  automatic.second.decided_by = "rules";  // as if 秒批 had decided it
  ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) { return CaseRepo::UpdateTask(tx, automatic.second); }).ok());
  RatingAndTicket by_rules = rate(automatic, 4);
  EXPECT_EQ(by_rules.rating.window_key, "rules");
  EXPECT_EQ(by_rules.rating.window_zh, "秒批");
  rate(Insurance(zw_), 1);
  // The police answer theirs in time.
  ASSERT_TRUE(bad_police.ticket);
  for (auto step : {&ReviewService::CallBack, &ReviewService::Verify, &ReviewService::Rectify, &ReviewService::Answer}) {
    ASSERT_TRUE((reviews_.get()->*step)(police_, bad_police.ticket->id, "处理").ok());
  }
  auto f = reviews_->Figures();
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto find = [](const std::vector<RatingGroup>& groups, const std::string& key) -> const RatingGroup& {
    for (const RatingGroup& g : groups) {
      if (g.key == key) return g;
    }
    ADD_FAILURE() << "no group " << key;
    static const RatingGroup kNone;
    return kNone;
  };
  ASSERT_EQ(f->departments.size(), 2u);
  const RatingGroup& police = find(f->departments, "hz-police");
  EXPECT_EQ(police.total, 3);
  EXPECT_EQ(police.levels, (std::array<int64_t, 5>{0, 1, 1, 0, 1}));
  EXPECT_EQ(police.satisfied(), 2);
  EXPECT_EQ(police.bad(), 1);
  EXPECT_DOUBLE_EQ(police.share_satisfied(), 2.0 / 3.0);
  EXPECT_EQ(police.tickets_answered_on_time, 1);
  EXPECT_EQ(police.tickets_open, 0);
  const RatingGroup& hrss = find(f->departments, "hz-hrss");
  EXPECT_EQ(hrss.total, 2);
  EXPECT_EQ(hrss.levels, (std::array<int64_t, 5>{1, 0, 0, 1, 0}));
  EXPECT_DOUBLE_EQ(hrss.share_satisfied(), 0.5);
  EXPECT_EQ(hrss.tickets_open, 1);
  EXPECT_EQ(hrss.tickets_open_overdue, 0);
  ASSERT_EQ(f->items.size(), 2u);
  EXPECT_EQ(find(f->items, "company_seal_engraving").total, 3);
  EXPECT_EQ(find(f->items, "employer_social_insurance_registration").total, 2);
  ASSERT_EQ(f->windows.size(), 4u);
  const RatingGroup& wang = find(f->windows, "staff:100");
  EXPECT_EQ(wang.name_zh, "王芳");
  EXPECT_EQ(wang.total, 2);
  EXPECT_DOUBLE_EQ(wang.share_satisfied(), 0.5);
  EXPECT_EQ(find(f->windows, "staff:101").levels[2], 1);
  const RatingGroup& rules = find(f->windows, "rules");
  EXPECT_EQ(rules.name_zh, "秒批");
  EXPECT_EQ(rules.name_en, "automatic");
  EXPECT_EQ(rules.total, 1);
  EXPECT_DOUBLE_EQ(rules.share_satisfied(), 1.0);
  EXPECT_EQ(find(f->windows, "staff:102").bad(), 1);
}

TEST_P(ReviewServiceTest, TheSweepThreadStopsCleanly) {
  RatingAndTicket x = RatedOnFriday(1);
  ASSERT_TRUE(x.ticket);
  At(kFriday + 14 * kDay);
  reviews_->StartSweeps(std::chrono::milliseconds(5));
  for (int i = 0; i < 400 && DepartmentNotices("hz-police", "remediation_escalated").size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reviews_->StopSweeps();
  EXPECT_EQ(DepartmentNotices("hz-police", "remediation_escalated").size(), 2u);
  EXPECT_EQ(reviews_->sweep_errors(), 0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ReviewServiceTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, ReviewServiceTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

TEST(ReviewLevels, NamesAndBadLevels) {
  EXPECT_EQ(LevelNameZh(5), "非常满意");
  EXPECT_EQ(LevelNameZh(3), "基本满意");
  EXPECT_EQ(LevelNameZh(1), "非常不满意");
  EXPECT_EQ(LevelNameEn(2), "dissatisfied");
  EXPECT_EQ(LevelNameZh(0), "");
  EXPECT_TRUE(IsBadLevel(1) && IsBadLevel(2));
  EXPECT_FALSE(IsBadLevel(3) || IsBadLevel(0));
  EXPECT_TRUE(IsSatisfiedLevel(3) && IsSatisfiedLevel(5));
  EXPECT_FALSE(IsSatisfiedLevel(6));
  for (TicketState s : {TicketState::kOpen, TicketState::kCalledBack, TicketState::kVerified, TicketState::kRectified,
                        TicketState::kAnswered}) {
    EXPECT_EQ(ParseTicketState(TicketStateName(s)), s);
  }
  EXPECT_EQ(ParseTicketFilter("overdue"), TicketFilter::kOverdue);
  EXPECT_EQ(ParseTicketFilter("late"), std::nullopt);
}

}  // namespace
}  // namespace tongban::service
