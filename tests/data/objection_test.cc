// Data objections (数据异议) on SQLite and PostgreSQL: raising one (only the subject's own record,
// only an element of the dataset, one undecided objection per element), the deadline in working
// days over weekends and holidays (a FakeClock), accepting (version n+1 pushed with the corrected
// element, version n kept), rejecting (a reason), the overdue sweep (exactly the overdue ones),
// a ledger entry per step; and the working-day calendar (the built-in file, parse errors).
#include "data/objection.h"

#include <gtest/gtest.h>

#include "crypto/hmac.h"
#include "data/calendar.h"
#include "data/data_repo.h"
#include "ledger/log_storage.h"
#include "testing/databases.h"
#include "testing/ledger_queue.h"
#include "testing/subject_hash.h"
#include "testing/synthetic_ids.h"

namespace tongban::data {
namespace {

using boost::json::object;
using boost::json::value;
using tongban::testing::Backend;
using tongban::testing::kLiNa;
using tongban::testing::kZhangWei;

// Tuesday 2026-09-22 10:00 in Hangzhou (02:00 UTC).
constexpr int64_t kTuesday = 1'790'042'400;
// The end of Wednesday 2026-09-30 in Hangzhou: five working days later (中秋节 25th-27th).
constexpr int64_t kDueEnd = 1'790'784'000;

CivilDate D(int y, int m, int d) { return CivilDate{y, m, d}; }

// --- the calendar ---------------------------------------------------------------------------

TEST(WorkingCalendar, BuiltinKnowsTheStateCouncilArrangement) {
  const WorkingCalendar& c = WorkingCalendar::Builtin();
  EXPECT_TRUE(c.Covers(2026));
  EXPECT_TRUE(c.Covers(2027));
  EXPECT_FALSE(c.years().at(2026).provisional);
  EXPECT_TRUE(c.IsWorkingDay(D(2026, 9, 22)));    // a Tuesday
  EXPECT_FALSE(c.IsWorkingDay(D(2026, 9, 19)));   // a Saturday
  EXPECT_TRUE(c.IsWorkingDay(D(2026, 9, 20)));    // a Sunday, 调休上班 for 国庆节
  EXPECT_FALSE(c.IsWorkingDay(D(2026, 9, 25)));   // 中秋节, a Friday
  EXPECT_FALSE(c.IsWorkingDay(D(2026, 2, 17)));   // 春节
  EXPECT_TRUE(c.IsWorkingDay(D(2026, 2, 14)));    // a Saturday, 调休上班
  EXPECT_FALSE(c.IsWorkingDay(D(2026, 10, 7)));
  EXPECT_TRUE(c.IsWorkingDay(D(2026, 10, 10)));   // a Saturday, 调休上班
  // A year the file does not list: Monday to Friday.
  EXPECT_TRUE(c.IsWorkingDay(D(2031, 1, 1)));     // a Wednesday
  EXPECT_FALSE(c.IsWorkingDay(D(2031, 1, 4)));    // a Saturday
}

TEST(WorkingCalendar, AddWorkingDaysSkipsWeekendsAndHolidays) {
  const WorkingCalendar& c = WorkingCalendar::Builtin();
  EXPECT_EQ(c.AddWorkingDays(D(2026, 9, 22), 0), D(2026, 9, 22));
  EXPECT_EQ(c.AddWorkingDays(D(2026, 9, 22), 5), D(2026, 9, 30));   // over 中秋节 and its weekend
  EXPECT_EQ(c.AddWorkingDays(D(2026, 9, 30), 5), D(2026, 10, 13));  // over 国庆节; Saturday the 10th counts
  EXPECT_EQ(c.AddWorkingDays(D(2026, 11, 5), 5), D(2026, 11, 12));  // a plain weekend
  EXPECT_EQ(c.AddWorkingDays(D(2026, 9, 18), 1), D(2026, 9, 20));   // Friday -> the working Sunday
  EXPECT_EQ(c.AddWorkingDays(D(2026, 12, 30), 2), D(2027, 1, 4));   // across years: 元旦 2027
}

TEST(WorkingCalendar, ParseErrorsNameTheFileAndTheField) {
  auto error = [](std::string_view json) {
    auto c = WorkingCalendar::Parse(json, "ops/calendar.json");
    EXPECT_FALSE(c.ok()) << json;
    return c.ok() ? std::string() : c.status().ToString();
  };
  const std::string year = R"("years": {"2026": {"holidays": [{"name": "元旦", "from": "2026-01-01", "to": "2026-01-03"}], "working_weekends": ["2026-01-04"]}})";
  ASSERT_TRUE(WorkingCalendar::Parse(R"({"format": 1, )" + year + "}").ok());
  EXPECT_NE(error("[").find("ops/calendar.json: (document)"), std::string::npos);
  EXPECT_NE(error(R"({"format": 2, )" + year + "}").find("ops/calendar.json: format"), std::string::npos);
  EXPECT_NE(error(R"({"format": 1, "colour": 1, )" + year + "}").find("colour"), std::string::npos);
  EXPECT_NE(error(R"({"format": 1, "years": {}})").find("years"), std::string::npos);
  EXPECT_NE(error(R"({"format": 1, "years": {"26": {"holidays": [], "working_weekends": []}}})").find("years.26"),
            std::string::npos);
  // A date of another year, a date that does not exist, to before from, a working weekend day
  // that is a Monday, one inside a holiday.
  EXPECT_NE(error(R"({"format": 1, "years": {"2026": {"holidays": [{"name": "元旦", "from": "2025-12-31", "to": "2026-01-01"}], "working_weekends": []}}})")
                .find("years.2026.holidays[0].from: must be a date YYYY-MM-DD in 2026"),
            std::string::npos);
  EXPECT_NE(error(R"({"format": 1, "years": {"2026": {"holidays": [{"name": "x", "from": "2026-02-30", "to": "2026-03-01"}], "working_weekends": []}}})")
                .find("holidays[0].from"),
            std::string::npos);
  EXPECT_NE(error(R"({"format": 1, "years": {"2026": {"holidays": [{"name": "x", "from": "2026-03-02", "to": "2026-03-01"}], "working_weekends": []}}})")
                .find("holidays[0].to: must not be before from"),
            std::string::npos);
  EXPECT_NE(error(R"({"format": 1, "years": {"2026": {"holidays": [{"from": "2026-03-02", "to": "2026-03-02"}], "working_weekends": []}}})")
                .find("holidays[0].name"),
            std::string::npos);
  EXPECT_NE(error(R"({"format": 1, "years": {"2026": {"holidays": [], "working_weekends": ["2026-01-05"]}}})")
                .find("working_weekends[0]: must be a Saturday or a Sunday"),
            std::string::npos);
  EXPECT_NE(error(R"({"format": 1, "years": {"2026": {"holidays": [{"name": "x", "from": "2026-01-03", "to": "2026-01-04"}], "working_weekends": ["2026-01-04"]}}})")
                .find("2026-01-04 lies inside a holiday"),
            std::string::npos);
  EXPECT_NE(error(R"({"format": 1, "years": {"2026": {"holidays": [], "working_weekends": [], "provisional": "yes"}}})")
                .find("years.2026.provisional"),
            std::string::npos);
  // The field is also named for a problem answer.
  auto c = WorkingCalendar::Parse(R"({"format": 1, "years": {"2026": {"holidays": [], "working_weekends": ["x"]}}})", "f");
  ASSERT_FALSE(c.ok());
  ASSERT_EQ(c.status().fields().size(), 1u);
  EXPECT_EQ(c.status().fields()[0].field, "years.2026.working_weekends[0]");
}

// --- the service ----------------------------------------------------------------------------

class ObjectionTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = ledger::LogStorageMigrations();
    for (auto& x : DataService::Migrations()) m.push_back(x);
    for (auto& x : ObjectionService::Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    DataServiceOptions o;
    o.hash = crypto::HashAlgorithm::kSha256;
    o.subject_hash = SubjectHash;
    data_ = std::make_unique<DataService>(**db_, clock_, Catalogue::Builtin(), o);
    ObjectionServiceOptions oo;
    oo.hash = crypto::HashAlgorithm::kSha256;
    oo.subject_hash = SubjectHash;
    oo.working_days = 5;
    objections_ = std::make_unique<ObjectionService>(**db_, clock_, *data_, oo);
    // 张伟's and 李娜's household records, pushed by the police.
    PushHousehold(kZhangWei, "HJ-330106-0000213", "张伟", "男", "1985-03-12");
    PushHousehold(kLiNa, "HJ-330421-0000128", "李娜", "女", "1992-07-04");
  }

  static inline const auto SubjectHash =
      tongban::testing::TestSubjectHash(crypto::HashAlgorithm::kSha256, 's');

  void PushHousehold(const std::string& subject, const std::string& key, const std::string& name,
                     const std::string& sex, const std::string& birth) {
    object record{{"subject", subject}, {"key", key}, {"version", 1},
                  {"fields", object{{"name", name}, {"sex", sex}, {"ethnicity", "汉"}, {"birth_date", birth},
                                    {"household_address", "浙江省杭州市西湖区文三路 90 号"},
                                    {"household_head_id", subject}, {"relation_to_head", "户主"}}}};
    auto r = data_->Push(kPolice, "household_registration", boost::json::serialize(record), false);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->accepted, 1) << (r->rejected.empty() ? "" : r->rejected[0].element + " " + r->rejected[0].reason);
  }

  Result<Objection> RaiseAddress(const std::string& subject = kZhangWei,
                                 const std::string& key = "HJ-330106-0000213") {
    return objections_->Raise({subject, "household_registration", key, "household_address",
                               value("浙江省杭州市西湖区文三路 98 号"), "门牌号登记错误，应为 98 号"});
  }

  int64_t QueueDepth() { return tongban::testing::QueueDepth(**db_); }

  std::optional<RecordRow> Version(const std::string& key, int64_t version) {
    std::optional<RecordRow> row;
    EXPECT_TRUE(db_->get()->Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(row, DataRepo::FindRecord(tx, "household_registration", key, version));
      return Status::Ok();
    }).ok());
    return row;
  }

  const Actor kPolice{7, "hz-police"};
  const Actor kCivil{8, "hz-civil-affairs"};
  FakeClock clock_{kTuesday * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<DataService> data_;
  std::unique_ptr<ObjectionService> objections_;
};

TEST_P(ObjectionTest, RaiseGoesToTheOwnerWithAWorkingDayDeadline) {
  const int64_t before = QueueDepth();
  auto o = RaiseAddress();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->state, ObjectionState::kOpen);
  EXPECT_EQ(o->owner, "hz-police");
  EXPECT_EQ(o->record_version, 1);
  EXPECT_EQ(o->recorded, value("浙江省杭州市西湖区文三路 90 号"));
  EXPECT_EQ(o->due_date, D(2026, 9, 30));  // Tuesday + 5 working days over 中秋节
  EXPECT_EQ(o->due_at, kDueEnd);
  ASSERT_EQ(o->steps.size(), 1u);
  EXPECT_EQ(o->steps[0].action, "raise");
  EXPECT_EQ(QueueDepth(), before + 1);
  // The ledger document holds hashes, never the values or the reason.
  EXPECT_EQ(o->steps[0].document.find("98"), std::string::npos);
  EXPECT_EQ(o->steps[0].document.find("门牌"), std::string::npos);
  EXPECT_NE(o->steps[0].document.find("\"claimed_hash\""), std::string::npos);
  EXPECT_EQ(o->steps[0].document.find(kZhangWei), std::string::npos);
  // The police's queue has it; the civil affairs bureau's does not.
  auto queue = objections_->Queue("hz-police", ObjectionFilter::kOpen);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ((*queue)[0].id, o->id);
  EXPECT_TRUE(objections_->Queue("hz-civil-affairs", ObjectionFilter::kOpen)->empty());
  // A deadline over a plain weekend: raised on Thursday 2026-11-05, due Thursday the 12th.
  clock_.SetUnixMicros((kTuesday + 44LL * 86400) * 1'000'000);
  auto later = objections_->Raise({kLiNa, "household_registration", "HJ-330421-0000128", "birth_date",
                                   value("1992-07-05"), "出生日期与出生医学证明不符"});
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->due_date, D(2026, 11, 12));
}

TEST_P(ObjectionTest, RaiseRefusals) {
  const int64_t before = QueueDepth();
  // Another subject's record answers as a missing one.
  auto theirs = RaiseAddress(kLiNa, "HJ-330106-0000213");
  ASSERT_FALSE(theirs.ok());
  EXPECT_EQ(theirs.status().ToString(), Status::NotFound("record", "HJ-330106-0000213").ToString());
  auto none = RaiseAddress(kZhangWei, "HJ-330106-9999999");
  EXPECT_EQ(none.status().code(), ErrorCode::kNotFound);
  // An element the dataset does not have; an unknown dataset; no reason; an object as value.
  auto element = objections_->Raise({kZhangWei, "household_registration", "HJ-330106-0000213", "spouse_name",
                                     value("王芳"), "错误"});
  ASSERT_FALSE(element.ok());
  EXPECT_EQ(element.status().fields()[0].field, "/element");
  auto dataset = objections_->Raise({kZhangWei, "no_such_dataset", "HJ-330106-0000213", "name", value("张伟"), "x"});
  EXPECT_EQ(dataset.status().fields()[0].field, "/dataset");
  auto reason = objections_->Raise({kZhangWei, "household_registration", "HJ-330106-0000213", "name", value("张玮"), ""});
  EXPECT_EQ(reason.status().fields()[0].field, "/reason");
  auto long_reason = objections_->Raise({kZhangWei, "household_registration", "HJ-330106-0000213", "name",
                                         value("张玮"), std::string(501, 'x')});
  EXPECT_EQ(long_reason.status().fields()[0].field, "/reason");
  auto object_value = objections_->Raise({kZhangWei, "household_registration", "HJ-330106-0000213", "name",
                                          value(object{{"a", 1}}), "x"});
  EXPECT_EQ(object_value.status().fields()[0].field, "/claimed_value");
  auto same = objections_->Raise({kZhangWei, "household_registration", "HJ-330106-0000213", "name", value("张伟"), "x"});
  EXPECT_EQ(same.status().fields()[0].field, "/claimed_value");
  EXPECT_EQ(QueueDepth(), before);
  // One undecided objection per element of a record; another element is fine.
  ASSERT_TRUE(RaiseAddress().ok());
  auto twice = RaiseAddress();
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), ErrorCode::kConflict);
  EXPECT_TRUE(objections_->Raise({kZhangWei, "household_registration", "HJ-330106-0000213", "name",
                                  value("张玮"), "姓名用字错误"})
                  .ok());
  EXPECT_EQ(QueueDepth(), before + 2);
}

TEST_P(ObjectionTest, AcceptPushesTheNextVersionAndKeepsTheOld) {
  auto o = RaiseAddress();
  ASSERT_TRUE(o.ok());
  const int64_t before = QueueDepth();
  // Only the owner department; a value that fails the element's checks is named.
  EXPECT_EQ(objections_->Accept(kCivil, o->id, value("x"), "").status().ToString(),
            Status::NotFound("objection", std::to_string(o->id)).ToString());
  auto bad = objections_->Accept(kPolice, o->id, value(std::string(300, 'x')), "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().fields()[0].field, "/value");
  EXPECT_EQ(objections_->Accept(kPolice, o->id, value("浙江省杭州市西湖区文三路 90 号"), "").status().fields()[0].field,
            "/value");  // no correction
  EXPECT_FALSE(Version("HJ-330106-0000213", 2));
  EXPECT_EQ(QueueDepth(), before);

  auto accepted = objections_->Accept(kPolice, o->id, value("浙江省杭州市西湖区文三路 98 号"), "已核实户籍档案");
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->state, ObjectionState::kAccepted);
  EXPECT_EQ(accepted->corrected_version, 2);
  // Version 2 holds the corrected element and the rest unchanged; version 1 is kept as it was.
  auto v1 = Version("HJ-330106-0000213", 1);
  auto v2 = Version("HJ-330106-0000213", 2);
  ASSERT_TRUE(v1 && v2);
  EXPECT_NE(v1->fields.find("文三路 90 号"), std::string::npos);
  EXPECT_NE(v2->fields.find("文三路 98 号"), std::string::npos);
  EXPECT_NE(v2->fields.find("\"name\":\"张伟\""), std::string::npos);
  EXPECT_EQ(v2->subject_id, kZhangWei);
  // Two ledger entries: the record version and the objection's step.
  EXPECT_EQ(QueueDepth(), before + 2);
  // The subject is told: the step is in their list.
  auto mine = objections_->MineOne(kZhangWei, o->id);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->steps.size(), 2u);
  EXPECT_EQ(mine->steps[1].action, "accept");
  EXPECT_EQ(mine->steps[1].version, 2);
  EXPECT_EQ(mine->steps[1].note, "已核实户籍档案");
  EXPECT_EQ(mine->steps[1].document.find("98"), std::string::npos);
  // Decided once: a second accept or a reject is refused, and pushes nothing.
  EXPECT_EQ(objections_->Accept(kPolice, o->id, value("浙江省杭州市西湖区文三路 99 号"), "").status().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(objections_->Reject(kPolice, o->id, "不予更正").status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_FALSE(Version("HJ-330106-0000213", 3));
  // And the element may be disputed again.
  EXPECT_TRUE(objections_->Raise({kZhangWei, "household_registration", "HJ-330106-0000213", "household_address",
                                  value("浙江省杭州市西湖区文三路 100 号"), "又搬家了"})
                  .ok());
}

TEST_P(ObjectionTest, AcceptAfterTheCorrectionWasPushedClosesWithoutPushingTwice) {
  auto o = RaiseAddress();
  ASSERT_TRUE(o.ok());
  // The department's own system pushes the correction first (or an earlier accept failed after
  // its push): accepting closes the objection on that version.
  object record{{"subject", kZhangWei}, {"key", "HJ-330106-0000213"}, {"version", 2},
                {"fields", object{{"name", "张伟"}, {"sex", "男"}, {"ethnicity", "汉"}, {"birth_date", "1985-03-12"},
                                  {"household_address", "浙江省杭州市西湖区文三路 98 号"},
                                  {"household_head_id", kZhangWei}, {"relation_to_head", "户主"}}}};
  ASSERT_EQ(data_->Push(kPolice, "household_registration", boost::json::serialize(record), false)->accepted, 1);
  auto accepted = objections_->Accept(kPolice, o->id, value("浙江省杭州市西湖区文三路 98 号"), "");
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->corrected_version, 2);
  EXPECT_FALSE(Version("HJ-330106-0000213", 3));
}

TEST_P(ObjectionTest, RejectNeedsAReason) {
  auto o = RaiseAddress();
  ASSERT_TRUE(o.ok());
  const int64_t before = QueueDepth();
  EXPECT_EQ(objections_->Reject(kPolice, o->id, "").status().fields()[0].field, "/reason");
  EXPECT_EQ(objections_->Reject(kPolice, o->id, std::string(501, 'x')).status().fields()[0].field, "/reason");
  EXPECT_EQ(objections_->Reject(kCivil, o->id, "不予更正").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(QueueDepth(), before);
  auto rejected = objections_->Reject(kPolice, o->id, "经核查户籍档案，门牌号登记无误");
  ASSERT_TRUE(rejected.ok()) << rejected.status().ToString();
  EXPECT_EQ(rejected->state, ObjectionState::kRejected);
  EXPECT_EQ(rejected->decision, "经核查户籍档案，门牌号登记无误");
  EXPECT_FALSE(rejected->corrected_version);
  EXPECT_FALSE(Version("HJ-330106-0000213", 2));
  EXPECT_EQ(QueueDepth(), before + 1);
  EXPECT_EQ(objections_->Mine(kZhangWei)->at(0).steps.back().action, "reject");
}

TEST_P(ObjectionTest, TheSweepEscalatesExactlyTheOverdueOnes) {
  auto first = RaiseAddress();  // Tuesday 2026-09-22: due by the end of the 30th
  ASSERT_TRUE(first.ok());
  auto decided = objections_->Raise({kZhangWei, "household_registration", "HJ-330106-0000213", "name",
                                     value("张玮"), "姓名用字错误"});
  ASSERT_TRUE(decided.ok());
  clock_.SetUnixMicros((kTuesday + 2 * 86400) * 1'000'000);  // Thursday the 24th: due 2026-10-09
  auto later = objections_->Raise({kLiNa, "household_registration", "HJ-330421-0000128", "birth_date",
                                   value("1992-07-05"), "出生日期与出生医学证明不符"});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->due_date, D(2026, 10, 9));
  ASSERT_TRUE(objections_->Reject(kPolice, decided->id, "经核查无误").ok());

  // One second before the end of the 30th in Hangzhou: nothing is overdue.
  clock_.SetUnixMicros((kDueEnd - 1) * 1'000'000);
  EXPECT_EQ(*objections_->EscalateOverdue(), 0);
  EXPECT_TRUE(objections_->Queue("hz-police", ObjectionFilter::kOverdue)->empty());
  // At the end of it: the first, and only the first (the decided one was due then too).
  clock_.SetUnixMicros(kDueEnd * 1'000'000);
  EXPECT_EQ(objections_->Queue("hz-police", ObjectionFilter::kOverdue)->size(), 1u);
  const int64_t before = QueueDepth();
  EXPECT_EQ(*objections_->EscalateOverdue(), 1);
  EXPECT_EQ(QueueDepth(), before + 1);
  EXPECT_EQ(*objections_->EscalateOverdue(), 0);  // idempotent
  auto escalated = objections_->Queue("hz-police", ObjectionFilter::kEscalated);
  ASSERT_EQ(escalated->size(), 1u);
  EXPECT_EQ((*escalated)[0].id, first->id);
  EXPECT_EQ(objections_->Queue("", ObjectionFilter::kEscalated)->size(), 1u);  // the operator's view
  auto mine = objections_->MineOne(kZhangWei, first->id);
  EXPECT_EQ(mine->state, ObjectionState::kEscalated);
  EXPECT_EQ(mine->steps.back().action, "escalate");
  EXPECT_EQ(objections_->MineOne(kLiNa, later->id)->state, ObjectionState::kOpen);
  // Still undecided: one objection per element, and the department can still decide it.
  EXPECT_EQ(RaiseAddress().status().code(), ErrorCode::kConflict);
  auto accepted = objections_->Accept(kPolice, first->id, value("浙江省杭州市西湖区文三路 98 号"), "逾期处理");
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->state, ObjectionState::kAccepted);
  // Li Na's is escalated after the 9th of October (国庆节 in between).
  clock_.SetUnixMicros((kDueEnd + 9 * 86400 - 1) * 1'000'000);
  EXPECT_EQ(*objections_->EscalateOverdue(), 0);
  clock_.SetUnixMicros((kDueEnd + 9 * 86400) * 1'000'000);
  EXPECT_EQ(*objections_->EscalateOverdue(), 1);
}

TEST_P(ObjectionTest, TheSubjectSeesOnlyTheirOwn) {
  auto o = RaiseAddress();
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(objections_->Mine(kZhangWei)->size(), 1u);
  EXPECT_TRUE(objections_->Mine(kLiNa)->empty());
  EXPECT_EQ(objections_->MineOne(kLiNa, o->id).status().ToString(),
            Status::NotFound("objection", std::to_string(o->id)).ToString());
  EXPECT_EQ(objections_->Get("hz-civil-affairs", o->id).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(objections_->Get("hz-police", o->id).ok());
}

TEST_P(ObjectionTest, SweepsRunOnTheirThreadAndStop) {
  auto o = RaiseAddress();
  ASSERT_TRUE(o.ok());
  clock_.SetUnixMicros(kDueEnd * 1'000'000);
  objections_->StartSweeps(std::chrono::milliseconds(5));
  for (int i = 0; i < 400 && objections_->MineOne(kZhangWei, o->id)->state != ObjectionState::kEscalated; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  objections_->StopSweeps();
  EXPECT_EQ(objections_->MineOne(kZhangWei, o->id)->state, ObjectionState::kEscalated);
  EXPECT_EQ(objections_->sweep_errors(), 0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ObjectionTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, ObjectionTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::data
