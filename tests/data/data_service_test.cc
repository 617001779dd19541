// DataService on SQLite and PostgreSQL: pushes (one record, NDJSON, another department's dataset,
// an idempotent retry, the same version with other fields, a new version beside the old, a key of
// another subject), a bulk ingest of 10,000 lines with 1% bad lines (exactly those lines reported,
// the rest committed, the same body again changes nothing), agreements (request, approve, reject,
// revoke by either side; another department gets NotFound; deciding twice is refused), grants
// (grant, withdraw), and purpose-bound reads: every refusal (no purpose, other elements, expired
// with the fake clock, revoked, withdrawn, another department's agreement, a case with no case
// hook) counted and leaving no trace; a read returning only the covered elements with their
// source and version, its access row and ledger entry written in the one transaction that decides
// it (a failed access insert leaves neither); each subject's access log holds only their reads;
// ledger entries hold the keyed hash of the subject, never the ID number.
#include "data/data_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <set>

#include "crypto/hmac.h"
#include "data/data_repo.h"
#include "ledger/entry.h"
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
using tongban::testing::kCompany;
using tongban::testing::kLiNa;
using tongban::testing::kZhangWei;
using tongban::testing::SyntheticId;

constexpr int64_t kStart = 1'790'000'000;  // 2026-09-21
const auto SubjectHash = tongban::testing::TestSubjectHash(crypto::HashAlgorithm::kSha256, 's');

const Actor kPolice{101, "hz-police"};
const Actor kXihu{102, "xihu-service-center"};
const Actor kFund{103, "hz-housing-fund"};
const Actor kCivil{104, "hz-civil-affairs"};

std::string HouseholdLine(const std::string& subject, const std::string& key, int64_t version,
                          const std::string& address = "浙江省杭州市西湖区文三路 90 号") {
  return boost::json::serialize(object{{"subject", subject},
                                       {"key", key},
                                       {"version", version},
                                       {"fields", object{{"name", subject == kLiNa ? "李娜" : "张伟"},
                                                         {"sex", subject == kLiNa ? "女" : "男"},
                                                         {"birth_date", subject.substr(6, 4) + "-" +
                                                                            subject.substr(10, 2) + "-" +
                                                                            subject.substr(12, 2)},
                                                         {"household_address", address},
                                                         {"household_head_id", subject},
                                                         {"relation_to_head", "户主"}}}});
}

std::string Dump(const std::vector<RecordError>& errors) {
  std::string s;
  for (const auto& e : errors) s += std::to_string(e.line) + " " + e.element + ": " + e.reason + "\n";
  return s;
}

class DataServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    Open({});
  }

  void Open(const store::DatabaseOptions& db_options) {
    db_ = tongban::testing::OpenTestDatabase(GetParam(), db_options);
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = ledger::LogStorageMigrations();
    for (auto& x : DataService::Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    service_ = MakeService({});
  }

  std::unique_ptr<DataService> MakeService(DataServiceOptions o) {
    o.hash = crypto::HashAlgorithm::kSha256;
    o.subject_hash = SubjectHash;
    return std::make_unique<DataService>(**db_, clock_, Catalogue::Builtin(), std::move(o));
  }

  int64_t QueueDepth() { return tongban::testing::QueueDepth(**db_); }

  std::vector<ledger::Entry> QueuedEntries() {
    std::vector<ledger::Entry> out;
    EXPECT_TRUE(db_->get()->Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto rows, ledger::ReadQueue(tx, 100'000));
      for (const auto& r : rows) {
        TB_ASSIGN_OR_RETURN(ledger::Entry e, ledger::ParseEntry(r.entry));
        out.push_back(e);
        // The canonical bytes never hold the ID number.
        EXPECT_EQ(r.entry.find(kZhangWei), std::string::npos);
        EXPECT_EQ(r.entry.find(kLiNa), std::string::npos);
      }
      return Status::Ok();
    }).ok());
    return out;
  }

  DataStats Stats() {
    auto s = service_->Stats();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : DataStats{};
  }

  PushResult Push(const Actor& who, std::string_view dataset, const std::string& body, bool ndjson) {
    auto r = service_->Push(who, dataset, body, ndjson);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PushResult{};
  }

  // 张伟's and 李娜's household records (version 1), pushed by the police.
  void PushHouseholds() {
    PushResult r = Push(kPolice, "household_registration",
                        HouseholdLine(kZhangWei, "HJ-1", 1) + "\n" + HouseholdLine(kLiNa, "HJ-2", 1) + "\n", true);
    ASSERT_EQ(r.accepted, 2) << Dump(r.rejected);
  }

  Agreement Request(const Actor& consumer, std::vector<std::string> elements = {"name", "household_address"},
                    std::string dataset = "household_registration", int64_t days = 30) {
    auto a = service_->RequestAgreement(AgreementRequest{consumer, dataset, std::move(elements),
                                                         "一证通办：窗口核验户籍", "《浙江省公共数据条例》第二十八条",
                                                         kStart + days * 86400});
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? *a : Agreement{};
  }

  Agreement Approved(const Actor& consumer, std::vector<std::string> elements = {"name", "household_address"}) {
    Agreement a = Request(consumer, std::move(elements));
    auto d = service_->DecideAgreement(kPolice, a.id, true, "");
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : a;
  }

  Result<ReadResult> ReadAs(const Actor& reader, PurposeKind kind, const std::string& ref,
                            std::vector<std::string> elements = {}, const std::string& subject = kZhangWei) {
    return service_->Read(ReadRequest{reader, subject, "household_registration", std::move(elements), kind, ref});
  }

  // A read that must be refused: 403 naming `why`, counted, and no access row or ledger entry left
  // behind.
  void ExpectRefused(const std::function<Result<ReadResult>()>& read, std::string_view why) {
    const int64_t reads = Stats().reads, depth = QueueDepth(), refused = service_->refused_reads();
    Result<ReadResult> r = read();
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied) << why << ": " << r.status().ToString();
    EXPECT_NE(r.status().ToString().find(why), std::string::npos) << r.status().ToString();
    EXPECT_EQ(Stats().reads, reads) << why;
    EXPECT_EQ(QueueDepth(), depth) << why;
    EXPECT_EQ(service_->refused_reads(), refused + 1) << why;
    EXPECT_EQ(Stats().refused_reads, refused + 1) << why;
  }

  FakeClock clock_{kStart * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<DataService> service_;
};

// ---- push ----

TEST_P(DataServiceTest, PushOneRecordAndNdjson) {
  PushResult one = Push(kPolice, "household_registration", HouseholdLine(kZhangWei, "HJ-1", 1), false);
  EXPECT_EQ(one.lines, 1);
  EXPECT_EQ(one.accepted, 1);
  EXPECT_EQ(one.unchanged, 0);
  EXPECT_TRUE(one.rejected.empty()) << Dump(one.rejected);
  EXPECT_EQ(QueueDepth(), 1);

  PushResult many = Push(kPolice, "household_registration",
                         HouseholdLine(kLiNa, "HJ-2", 1) + "\r\n\r\n" + HouseholdLine(kZhangWei, "HJ-1", 2) + "\r\n",
                         true);
  EXPECT_EQ(many.lines, 2);
  EXPECT_EQ(many.accepted, 2);
  EXPECT_EQ(Stats().records, 3);
  EXPECT_EQ(QueueDepth(), 3);
  // Every version's entry is a data.record entry about its subject's keyed hash.
  std::multiset<std::array<uint8_t, 32>> subjects;
  for (const ledger::Entry& e : QueuedEntries()) {
    EXPECT_EQ(e.type, "data.record");
    subjects.insert(e.subject);
  }
  EXPECT_EQ(subjects.count(SubjectHash(kZhangWei)), 2u);
  EXPECT_EQ(subjects.count(SubjectHash(kLiNa)), 1u);

  // The subject sees the latest version of each record.
  auto mine = service_->SubjectRecords(kZhangWei);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].version, 2);
  EXPECT_EQ((*mine)[0].owner, "hz-police");
  EXPECT_EQ((*mine)[0].fields.at("name").as_string(), "张伟");

  // A single record that is not JSON is refused whole.
  auto bad = service_->Push(kPolice, "household_registration", "{not json", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  // A bad single record: listed, line 0, nothing written.
  PushResult refused = Push(kPolice, "household_registration",
                            R"({"subject":"x","key":"HJ-9","version":1,"fields":{"sex":"未知"}})", false);
  EXPECT_EQ(refused.accepted, 0);
  ASSERT_EQ(refused.rejected.size(), 2u) << Dump(refused.rejected);
  EXPECT_EQ(refused.rejected[0].line, 0);
  EXPECT_EQ(Stats().records, 3);
}

TEST_P(DataServiceTest, PushingAnotherDepartmentsDatasetIsRefused) {
  auto r = service_->Push(kXihu, "household_registration", HouseholdLine(kZhangWei, "HJ-1", 1), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  r = service_->Push(kCivil, "household_registration", HouseholdLine(kZhangWei, "HJ-1", 1) + "\n", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  r = service_->Push(kPolice, "no_such_dataset", "{}", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Stats().records, 0);
  EXPECT_EQ(QueueDepth(), 0);
}

TEST_P(DataServiceTest, ARetryChangesNothingAndAStoredVersionIsNeverOverwritten) {
  const std::string v1 = HouseholdLine(kZhangWei, "HJ-1", 1);
  Push(kPolice, "household_registration", v1, false);
  // The same version again (a retry): unchanged, no new row, no new entry.
  PushResult again = Push(kPolice, "household_registration", v1, false);
  EXPECT_EQ(again.accepted, 0);
  EXPECT_EQ(again.unchanged, 1);
  EXPECT_TRUE(again.rejected.empty());
  EXPECT_EQ(Stats().records, 1);
  EXPECT_EQ(QueueDepth(), 1);
  // Fields in another order are the same record.
  object reordered = boost::json::parse(v1).as_object();
  object fields;
  auto& f = reordered["fields"].as_object();
  for (auto it = f.end(); it != f.begin();) {
    --it;
    fields[it->key()] = it->value();
  }
  reordered["fields"] = fields;
  EXPECT_EQ(Push(kPolice, "household_registration", boost::json::serialize(reordered), false).unchanged, 1);

  // The same version with other fields: refused, the stored one kept.
  PushResult other = Push(kPolice, "household_registration",
                          HouseholdLine(kZhangWei, "HJ-1", 1, "浙江省杭州市上城区解放路 1 号"), false);
  EXPECT_EQ(other.accepted, 0);
  ASSERT_EQ(other.rejected.size(), 1u);
  EXPECT_EQ(other.rejected[0].element, "version");
  EXPECT_EQ(Stats().records, 1);
  EXPECT_EQ(QueueDepth(), 1);

  // A new version supersedes; the old one stays.
  PushResult v2 = Push(kPolice, "household_registration",
                       HouseholdLine(kZhangWei, "HJ-1", 2, "浙江省杭州市上城区解放路 1 号"), false);
  EXPECT_EQ(v2.accepted, 1);
  EXPECT_EQ(Stats().records, 2);
  ASSERT_TRUE(db_->get()->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto old, DataRepo::FindRecord(tx, "household_registration", "HJ-1", 1));
    EXPECT_TRUE(old.has_value());
    if (old) {
      EXPECT_NE(old->fields.find("文三路"), std::string::npos) << old->fields;
    }
    TB_ASSIGN_OR_RETURN(auto latest, DataRepo::LatestRecords(tx, kZhangWei, "household_registration"));
    EXPECT_EQ(latest.size(), 1u);
    if (!latest.empty()) {
      EXPECT_EQ(latest[0].version, 2);
    }
    return Status::Ok();
  }).ok());

  // A record key is one subject's: another subject's line with it is refused.
  PushResult stolen = Push(kPolice, "household_registration", HouseholdLine(kLiNa, "HJ-1", 3), false);
  EXPECT_EQ(stolen.accepted, 0);
  ASSERT_EQ(stolen.rejected.size(), 1u);
  EXPECT_EQ(stolen.rejected[0].element, "key");
}

TEST_P(DataServiceTest, BulkIngestOfTenThousandLinesWithOnePercentBad) {
  // 10,000 people with distinct synthetic ID numbers; every hundredth line (37, 137, ...) is bad in
  // one of several ways.
  constexpr int kLines = 10'000;
  std::string body;
  std::vector<int64_t> bad_lines;
  for (int i = 0; i < kLines; ++i) {
    const int year = 1950 + i % 40, month = 1 + (i / 40) % 12, day = 1 + (i / 480) % 28;
    char first17[18];
    std::snprintf(first17, sizeof first17, "330106%04d%02d%02d%03d", year, month, day, 100 + i % 7);
    const std::string id = SyntheticId(first17);
    object fields{{"scheme", i % 2 ? "职工基本医疗保险" : "城乡居民基本医疗保险"},
                  {"status", "参保缴费"},
                  {"insured_region", "330106"},
                  {"start_date", "2010-01-01"}};
    object record{{"subject", id}, {"key", "YB-" + std::to_string(i)}, {"version", 1}, {"fields", fields}};
    const int64_t line = i + 1;
    std::string text;
    if (i % 100 == 36) {
      bad_lines.push_back(line);
      switch ((i / 100) % 6) {
        case 0: record["fields"].as_object()["start_date"] = "2010-02-30"; break;
        case 1: record["fields"].as_object()["status"] = "unknown"; break;
        case 2: record["subject"] = id.substr(0, 17) + (id.back() == '1' ? "2" : "1"); break;
        case 3: record["fields"].as_object()["blood_type"] = "A"; break;
        case 4: record["version"] = 0; break;
        case 5: text = "{\"subject\": \"" + id + "\", "; break;  // not JSON
      }
    }
    body += (text.empty() ? boost::json::serialize(record) : text) + "\n";
  }
  ASSERT_EQ(bad_lines.size(), 100u);

  const Actor insurer{105, "hz-medical-security"};
  PushResult r = Push(insurer, "medical_insurance", body, true);
  EXPECT_EQ(r.lines, kLines);
  EXPECT_EQ(r.accepted, kLines - 100);
  EXPECT_EQ(r.unchanged, 0);
  std::vector<int64_t> reported;
  for (const auto& e : r.rejected) {
    if (reported.empty() || reported.back() != e.line) reported.push_back(e.line);
  }
  EXPECT_EQ(reported, bad_lines);
  EXPECT_EQ(r.rejected.size(), 100u) << "one reason for each bad line";
  EXPECT_EQ(Stats().records, kLines - 100);
  EXPECT_EQ(QueueDepth(), kLines - 100);

  // The same body again: nothing new, the same lines reported.
  PushResult again = Push(insurer, "medical_insurance", body, true);
  EXPECT_EQ(again.accepted, 0);
  EXPECT_EQ(again.unchanged, kLines - 100);
  std::vector<int64_t> reported_again;
  for (const auto& e : again.rejected) reported_again.push_back(e.line);
  EXPECT_EQ(reported_again, bad_lines);
  EXPECT_EQ(Stats().records, kLines - 100);
  EXPECT_EQ(QueueDepth(), kLines - 100);
}

TEST_P(DataServiceTest, TooManyLinesIsRefusedWhole) {
  DataServiceOptions o;
  o.max_lines = 3;
  service_ = MakeService(std::move(o));
  std::string body;
  for (int i = 1; i <= 4; ++i) body += HouseholdLine(kZhangWei, "HJ-" + std::to_string(i), 1) + "\n";
  auto r = service_->Push(kPolice, "household_registration", body, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Stats().records, 0);
  EXPECT_EQ(QueueDepth(), 0);
}

// ---- agreements and grants ----

TEST_P(DataServiceTest, AgreementsAreRequestedDecidedAndRevokedByTheirParties) {
  Agreement a = Request(kXihu);
  EXPECT_EQ(a.state, AgreementState::kRequested);
  EXPECT_EQ(a.consumer, "xihu-service-center");
  EXPECT_EQ(a.provider, "hz-police");
  EXPECT_EQ(a.elements, (std::vector<std::string>{"name", "household_address"}));
  EXPECT_EQ(QueueDepth(), 1);

  // Only the provider decides; anyone else is told there is no such agreement.
  for (const Actor& other : {kXihu, kFund}) {
    auto d = service_->DecideAgreement(other, a.id, true, "");
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().ToString(), Status::NotFound("agreement", std::to_string(a.id)).ToString());
  }
  EXPECT_EQ(service_->DecideAgreement(kPolice, 999'999, true, "").status().code(), ErrorCode::kNotFound);
  auto approved = service_->DecideAgreement(kPolice, a.id, true, "");
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->state, AgreementState::kApproved);
  EXPECT_TRUE(approved->decided_at.has_value());
  EXPECT_EQ(QueueDepth(), 2);
  // Deciding twice.
  auto twice = service_->DecideAgreement(kPolice, a.id, false, "改变主意");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(QueueDepth(), 2);

  // Revoked by the consumer; then neither side can revoke again; an outsider gets NotFound.
  EXPECT_EQ(service_->RevokeAgreement(kFund, a.id, "无关").status().code(), ErrorCode::kNotFound);
  auto revoked = service_->RevokeAgreement(kXihu, a.id, "业务调整");
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(revoked->state, AgreementState::kRevoked);
  EXPECT_EQ(revoked->reason, "业务调整");
  EXPECT_EQ(service_->RevokeAgreement(kPolice, a.id, "再次").status().code(), ErrorCode::kFailedPrecondition);

  // Rejected by the provider (a reason required), then revocation is refused.
  Agreement b = Request(kFund, {"name"});
  EXPECT_EQ(service_->DecideAgreement(kPolice, b.id, false, "").status().code(), ErrorCode::kInvalidArgument);
  auto rejected = service_->DecideAgreement(kPolice, b.id, false, "用途超出协议范围");
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->state, AgreementState::kRejected);
  EXPECT_EQ(service_->RevokeAgreement(kFund, b.id, "x").status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(service_->DecideAgreement(kPolice, b.id, true, "").status().code(), ErrorCode::kFailedPrecondition);

  // Revoked by the provider, before a decision.
  Agreement c = Request(kCivil, {"name", "sex"});
  auto by_provider = service_->RevokeAgreement(kPolice, c.id, "不再提供");
  ASSERT_TRUE(by_provider.ok());
  EXPECT_EQ(by_provider->state, AgreementState::kRevoked);

  // Lists: each department sees its own; empty = all.
  auto police = service_->Agreements("hz-police");
  ASSERT_TRUE(police.ok());
  EXPECT_EQ(police->size(), 3u);
  auto fund = service_->Agreements("hz-housing-fund");
  ASSERT_TRUE(fund.ok());
  ASSERT_EQ(fund->size(), 1u);
  EXPECT_EQ((*fund)[0].id, b.id);
  EXPECT_EQ(service_->Agreements("")->size(), 3u);
  EXPECT_TRUE(service_->Agreements("hz-tax")->empty());
  // request, approve, revoke; request, reject; request, revoke.
  EXPECT_EQ(QueueDepth(), 7);
  for (const ledger::Entry& e : QueuedEntries()) EXPECT_EQ(e.type, "data.agreement");
}

TEST_P(DataServiceTest, BadAgreementRequestsAreNamed) {
  auto req = [&](AgreementRequest r) { return service_->RequestAgreement(r).status(); };
  const int64_t until = kStart + 86400;
  auto field = [](const Status& s) { return s.fields().empty() ? std::string("-") : s.fields()[0].field; };
  EXPECT_EQ(field(req({kXihu, "no_such", {"name"}, "p", "l", until})), "/dataset");
  EXPECT_EQ(field(req({kPolice, "household_registration", {"name"}, "p", "l", until})), "/dataset");  // own data
  EXPECT_EQ(field(req({kXihu, "household_registration", {}, "p", "l", until})), "/elements");
  EXPECT_EQ(field(req({kXihu, "household_registration", {"name", "colour"}, "p", "l", until})), "/elements/1");
  EXPECT_EQ(field(req({kXihu, "household_registration", {"name"}, "", "l", until})), "/purpose");
  EXPECT_EQ(field(req({kXihu, "household_registration", {"name"}, "p", std::string(201, 'l'), until})),
            "/legal_basis");
  EXPECT_EQ(field(req({kXihu, "household_registration", {"name"}, "p", "l", kStart - 1})), "/until");
  EXPECT_EQ(field(req({kXihu, "household_registration", {"name"}, "p", "l", kStart + 4 * 366 * 86400LL})), "/until");
  EXPECT_EQ(req({Actor{9, "no-such-department"}, "household_registration", {"name"}, "p", "l", until}).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(QueueDepth(), 0);
}

TEST_P(DataServiceTest, GrantsAreGivenAndWithdrawnByTheirSubjectOnly) {
  auto g = service_->GrantAccess(GrantRequest{kZhangWei, "hz-housing-fund", "household_registration",
                                              {"household_address", "name"}, "办理公积金提取", 30});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->elements, (std::vector<std::string>{"name", "household_address"}));  // catalogue order
  EXPECT_EQ(g->valid_until, kStart + 30 * 86400);
  EXPECT_FALSE(g->withdrawn_at.has_value());
  EXPECT_EQ(service_->Grants(kZhangWei)->size(), 1u);
  EXPECT_TRUE(service_->Grants(kLiNa)->empty());

  // Another subject cannot withdraw it: the same answer as a missing grant.
  auto other = service_->WithdrawGrant(kLiNa, g->id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().ToString(), Status::NotFound("grant", std::to_string(g->id)).ToString());
  auto w = service_->WithdrawGrant(kZhangWei, g->id);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->withdrawn_at, kStart);
  EXPECT_EQ(service_->WithdrawGrant(kZhangWei, g->id).status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE((*service_->Grants(kZhangWei))[0].withdrawn_at.has_value());

  // Refusals: a person's grant of an enterprise dataset, bad days, an unknown department.
  auto field = [](const Result<Grant>& r) {
    return r.ok() || r.status().fields().empty() ? std::string("-") : r.status().fields()[0].field;
  };
  EXPECT_EQ(field(service_->GrantAccess({kZhangWei, "hz-tax", "tax_payment", {"paid_fen"}, "p", 30})), "/dataset");
  EXPECT_EQ(field(service_->GrantAccess({kZhangWei, "hz-housing-fund", "household_registration", {"name"}, "p", 0})),
            "/days");
  EXPECT_EQ(field(service_->GrantAccess({kZhangWei, "hz-housing-fund", "household_registration", {"name"}, "p", 367})),
            "/days");
  EXPECT_EQ(field(service_->GrantAccess({kZhangWei, "nobody", "household_registration", {"name"}, "p", 30})),
            "/department");
  // An enterprise grants its own data.
  auto e = service_->GrantAccess({kCompany, "hz-housing-fund", "tax_payment", {"credit_rating"}, "贷款审核", 7});
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  // grant, withdraw, enterprise grant; each about its subject's keyed hash.
  auto entries = QueuedEntries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].type, "data.grant");
  EXPECT_EQ(entries[0].subject, SubjectHash(kZhangWei));
  EXPECT_EQ(entries[1].subject, SubjectHash(kZhangWei));
  EXPECT_EQ(entries[2].subject, SubjectHash(kCompany));
}

// ---- purpose-bound reads ----

TEST_P(DataServiceTest, AReadReturnsOnlyTheCoveredElementsAndLeavesOneTrace) {
  PushHouseholds();
  Push(kPolice, "household_registration", HouseholdLine(kZhangWei, "HJ-1", 2, "浙江省杭州市西湖区古荡新村 3 幢"), false);
  Agreement a = Approved(kXihu);
  const DataStats before = Stats();
  const int64_t depth = QueueDepth();

  auto r = ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->values.size(), 2u);
  EXPECT_EQ(r->values[0].element, "name");
  EXPECT_EQ(r->values[0].value.as_string(), "张伟");
  EXPECT_EQ(r->values[1].element, "household_address");
  EXPECT_EQ(r->values[1].value.as_string(), "浙江省杭州市西湖区古荡新村 3 幢");  // the latest version
  for (const ElementValue& v : r->values) {
    EXPECT_EQ(v.source, "hz-police");
    EXPECT_EQ(v.record_key, "HJ-1");
    EXPECT_EQ(v.record_version, 2);
    EXPECT_EQ(v.recorded_at, kStart);
  }
  EXPECT_GT(r->access_id, 0);
  // Exactly one access row and one ledger entry.
  EXPECT_EQ(Stats().reads, before.reads + 1);
  EXPECT_EQ(QueueDepth(), depth + 1);
  EXPECT_EQ(service_->refused_reads(), 0);

  // Asking for fewer elements: only those.
  auto one = ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id), {"household_address"});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->values.size(), 1u);
  EXPECT_EQ(one->values[0].element, "household_address");

  // A subject with no record: an empty answer, still traced.
  auto none = ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id), {}, SyntheticId("33010620000101002"));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->values.empty());
  EXPECT_EQ(Stats().reads, before.reads + 3);
  EXPECT_EQ(QueueDepth(), depth + 3);

  // The subject's log: newest first, who, what, why.
  auto log = service_->AccessLog(kZhangWei, 0, 50);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  const AccessRecord& last = (*log)[0];
  EXPECT_EQ(last.id, one->access_id);
  EXPECT_EQ((*log)[1].id, r->access_id);
  EXPECT_EQ(last.reader_department, "xihu-service-center");
  EXPECT_EQ(last.dataset, "household_registration");
  EXPECT_EQ(last.elements, std::vector<std::string>{"household_address"});
  EXPECT_EQ(last.purpose, PurposeKind::kAgreement);
  EXPECT_EQ(last.purpose_ref, std::to_string(a.id));
  EXPECT_EQ(last.purpose_text, "一证通办：窗口核验户籍");
  EXPECT_EQ(last.at_micros, kStart * 1'000'000);
  EXPECT_EQ(last.entry.type, "data.read");
  EXPECT_EQ(last.entry.subject, SubjectHash(kZhangWei));
  EXPECT_EQ(last.entry.document, crypto::Hash(crypto::HashAlgorithm::kSha256, last.document));
  EXPECT_EQ(last.document.find(kZhangWei), std::string::npos) << last.document;
  // Paging.
  auto page = service_->AccessLog(kZhangWei, last.id, 50);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, r->access_id);
}

TEST_P(DataServiceTest, ReadsOutsideEveryPurposeAreRefusedCountedAndLeaveNoTrace) {
  PushHouseholds();
  Agreement a = Approved(kXihu);  // name, household_address
  int64_t refused = 0;
  auto check = [&](const std::function<Result<ReadResult>()>& read, std::string_view why) {
    ExpectRefused(read, why);
    ++refused;
  };
  const int64_t reads0 = Stats().reads, depth0 = QueueDepth();

  // No purpose: an empty, malformed or unknown reference.
  check([&] { return ReadAs(kXihu, PurposeKind::kAgreement, ""); }, "no such agreement");
  check([&] { return ReadAs(kXihu, PurposeKind::kAgreement, "abc"); }, "no such agreement");
  check([&] { return ReadAs(kXihu, PurposeKind::kAgreement, "999999"); }, "no such agreement");
  check([&] { return ReadAs(kXihu, PurposeKind::kGrant, "1"); }, "no such grant");
  // An agreement for other elements.
  check([&] { return ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id), {"name", "birth_date"}); },
        "element birth_date is not covered");
  // Another department using someone else's agreement.
  check([&] { return ReadAs(kFund, PurposeKind::kAgreement, std::to_string(a.id)); }, "no such agreement of the caller's department");
  // An agreement for another dataset.
  check([&] { return service_->Read(ReadRequest{kXihu, kZhangWei, "marriage_registration", {}, PurposeKind::kAgreement,
                                   std::to_string(a.id)}); },
        "another dataset");
  // A requested (not yet approved) agreement.
  Agreement pending = Request(kFund, {"name"});
  const int64_t depth1 = QueueDepth();
  check([&] { return ReadAs(kFund, PurposeKind::kAgreement, std::to_string(pending.id)); }, "the agreement is requested");
  // A case, with no case hook on this node.
  check([&] { return ReadAs(kXihu, PurposeKind::kCase, "XH-2026-000123"); }, "cases are not handled");
  // A department outside the catalogue.
  check([&] { return ReadAs(Actor{99, "no-such-department"}, PurposeKind::kAgreement, std::to_string(a.id)); },
        "not in the data catalogue");

  EXPECT_EQ(Stats().reads, reads0);
  EXPECT_EQ(QueueDepth(), depth1);
  EXPECT_EQ(depth1, depth0 + 1);  // the request of the pending agreement only
  EXPECT_TRUE(service_->AccessLog(kZhangWei, 0, 50)->empty());
  EXPECT_EQ(service_->refused_reads(), refused);

  // Malformed requests are not purpose refusals: 400/404, not counted.
  auto bad_subject = ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id), {}, "330106");
  EXPECT_EQ(bad_subject.status().code(), ErrorCode::kInvalidArgument);
  auto bad_element = ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id), {"colour"});
  EXPECT_EQ(bad_element.status().code(), ErrorCode::kInvalidArgument);
  auto bad_dataset = service_->Read(ReadRequest{kXihu, kZhangWei, "no_such", {}, PurposeKind::kAgreement, "1"});
  EXPECT_EQ(bad_dataset.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(service_->refused_reads(), refused);
}

TEST_P(DataServiceTest, AnExpiredAgreementReadsNothing) {
  PushHouseholds();
  Agreement a = Approved(kXihu);  // 30 days
  ASSERT_TRUE(ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id)).ok());
  clock_.Advance(std::chrono::seconds(30 * 86400 - 1));
  ASSERT_TRUE(ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id)).ok());
  clock_.Advance(std::chrono::seconds(1));
  ExpectRefused([&] { return ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id)); }, "the agreement has expired");
}

TEST_P(DataServiceTest, ARevokedAgreementReadsNothingAtOnce) {
  PushHouseholds();
  Agreement a = Approved(kXihu);
  ASSERT_TRUE(ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id)).ok());
  ASSERT_TRUE(service_->RevokeAgreement(kPolice, a.id, "用途超出协议范围").ok());
  ExpectRefused([&] { return ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id)); }, "the agreement is revoked");
}

TEST_P(DataServiceTest, GrantsReadUntilWithdrawnOrExpired) {
  PushHouseholds();
  auto g = service_->GrantAccess({kZhangWei, "hz-housing-fund", "household_registration", {"household_address"},
                                  "办理公积金提取", 2});
  ASSERT_TRUE(g.ok());
  const std::string ref = std::to_string(g->id);
  auto r = ReadAs(kFund, PurposeKind::kGrant, ref);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->values.size(), 1u);
  EXPECT_EQ(r->values[0].element, "household_address");
  auto log = service_->AccessLog(kZhangWei, 0, 10);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].purpose, PurposeKind::kGrant);
  EXPECT_EQ((*log)[0].purpose_text, "办理公积金提取");

  // The grant is 张伟's to the housing fund: not for 李娜, not for another department.
  ExpectRefused([&] { return ReadAs(kFund, PurposeKind::kGrant, ref, {}, kLiNa); }, "no such grant");
  ExpectRefused([&] { return ReadAs(kXihu, PurposeKind::kGrant, ref); }, "no such grant");
  ExpectRefused([&] { return ReadAs(kFund, PurposeKind::kGrant, ref, {"name"}); }, "element name is not covered");
  // Expired...
  clock_.Advance(std::chrono::seconds(2 * 86400));
  ExpectRefused([&] { return ReadAs(kFund, PurposeKind::kGrant, ref); }, "the grant has expired");
  // ... and a fresh one, withdrawn.
  auto g2 = service_->GrantAccess({kZhangWei, "hz-housing-fund", "household_registration", {"name"}, "再次办理", 30});
  ASSERT_TRUE(g2.ok());
  ASSERT_TRUE(ReadAs(kFund, PurposeKind::kGrant, std::to_string(g2->id)).ok());
  ASSERT_TRUE(service_->WithdrawGrant(kZhangWei, g2->id).ok());
  ExpectRefused([&] { return ReadAs(kFund, PurposeKind::kGrant, std::to_string(g2->id)); }, "the subject withdrew the grant");
}

TEST_P(DataServiceTest, CaseReadsAskTheCaseHook) {
  PushHouseholds();
  std::vector<std::string> asked;
  DataServiceOptions o;
  o.case_open = [&](store::Tx&, std::string_view department, std::string_view number, std::string_view subject,
                    std::string_view dataset) -> Result<bool> {
    asked.push_back(std::string(department) + "|" + std::string(number) + "|" + std::string(dataset));
    return number == "XH-2026-000123" && subject == kZhangWei;
  };
  service_ = MakeService(std::move(o));
  auto r = ReadAs(kXihu, PurposeKind::kCase, "XH-2026-000123");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->values.size(), 6u);  // every element the record holds (ethnicity is not held)
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], "杭州市西湖区行政服务中心|XH-2026-000123|household_registration");
  auto log = service_->AccessLog(kZhangWei, 0, 10);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].purpose, PurposeKind::kCase);
  EXPECT_EQ((*log)[0].purpose_text, "case XH-2026-000123");
  ExpectRefused([&] { return ReadAs(kXihu, PurposeKind::kCase, "XH-2026-000999"); }, "no open case");
  ExpectRefused([&] { return ReadAs(kXihu, PurposeKind::kCase, "XH-2026-000123", {}, kLiNa); }, "no open case");
}

TEST_P(DataServiceTest, ASubjectsAccessLogNeverShowsAnothersReads) {
  PushHouseholds();
  Agreement a = Approved(kXihu);
  ASSERT_TRUE(ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id), {}, kZhangWei).ok());
  ASSERT_TRUE(ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id), {"name"}, kLiNa).ok());
  ASSERT_TRUE(ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id), {}, kLiNa).ok());
  auto zhang = service_->AccessLog(kZhangWei, 0, 50);
  auto li = service_->AccessLog(kLiNa, 0, 50);
  ASSERT_TRUE(zhang.ok() && li.ok());
  ASSERT_EQ(zhang->size(), 1u);
  ASSERT_EQ(li->size(), 2u);
  EXPECT_EQ((*zhang)[0].entry.subject, SubjectHash(kZhangWei));
  for (const AccessRecord& x : *li) EXPECT_EQ(x.entry.subject, SubjectHash(kLiNa));
  std::set<int64_t> ids;
  for (const auto& x : *zhang) ids.insert(x.id);
  for (const auto& x : *li) EXPECT_FALSE(ids.contains(x.id));
  // Paging past the other's ids does not reach them either.
  auto paged = service_->AccessLog(kZhangWei, (*li)[0].id + 1, 50);
  ASSERT_TRUE(paged.ok());
  ASSERT_EQ(paged->size(), 1u);
  EXPECT_EQ((*paged)[0].id, (*zhang)[0].id);
  EXPECT_TRUE(service_->AccessLog(kCompany, 0, 50)->empty());
}

TEST_P(DataServiceTest, LedgerEntriesHoldTheKeyedHashNeverThePlainId) {
  PushHouseholds();
  Agreement a = Approved(kXihu);
  ASSERT_TRUE(ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id)).ok());
  ASSERT_TRUE(service_->GrantAccess({kLiNa, "hz-housing-fund", "household_registration", {"name"}, "p", 3}).ok());
  const auto zhang = SubjectHash(kZhangWei), li = SubjectHash(kLiNa);
  std::map<std::string, int> types;
  for (const ledger::Entry& e : QueuedEntries()) {  // (also checks the bytes hold no ID number)
    ++types[e.type];
    if (e.type == "data.record" || e.type == "data.read" || e.type == "data.grant") {
      EXPECT_TRUE(e.subject == zhang || e.subject == li) << e.type;
    }
    // The hash is keyed: not a plain hash of the number.
    EXPECT_NE(e.subject, crypto::Hash(crypto::HashAlgorithm::kSha256, kZhangWei));
    EXPECT_NE(e.subject, crypto::Hash(crypto::HashAlgorithm::kSha256, kLiNa));
  }
  EXPECT_EQ(types["data.record"], 2);
  EXPECT_EQ(types["data.agreement"], 2);
  EXPECT_EQ(types["data.read"], 1);
  EXPECT_EQ(types["data.grant"], 1);
}

// The access row and its ledger entry are written in the transaction that decides the read: when
// the access insert fails, neither is there and no data is answered.
TEST_P(DataServiceTest, NoReadWithoutItsTrace) {
  std::atomic<bool> fail_access{false};
  store::DatabaseOptions o;
  o.fault_hook = [&](std::string_view point) -> Status {
    if (fail_access.load() && point.find("INSERT INTO data_access") != std::string_view::npos) {
      return Status::Internal("injected: the access insert fails");
    }
    return Status::Ok();
  };
  db_.reset();
  Open(o);
  if (!db_) GTEST_SKIP();
  PushHouseholds();
  Agreement a = Approved(kXihu);
  const int64_t depth = QueueDepth();
  fail_access = true;
  auto r = ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id));
  fail_access = false;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInternal) << r.status().ToString();
  EXPECT_EQ(Stats().reads, 0);
  EXPECT_EQ(QueueDepth(), depth) << "the read's ledger entry rolled back with its access row";
  EXPECT_EQ(service_->refused_reads(), 0) << "a failure is not a refusal";
  // And it works once the database does.
  ASSERT_TRUE(ReadAs(kXihu, PurposeKind::kAgreement, std::to_string(a.id)).ok());
  EXPECT_EQ(Stats().reads, 1);
  EXPECT_EQ(QueueDepth(), depth + 1);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DataServiceTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, DataServiceTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::data
