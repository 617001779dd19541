// The receipt part's conformance suite, run on SQLite and (with TONGBAN_TEST_PG) PostgreSQL:
// formats, issue (single, batch, all or nothing, number ranges without gaps or reuse), bad input,
// integrity and tamper detection against the ledger, claims exactly once, reversals, void with
// replacement, the wallet, figures and destruction after retention.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "crypto/hash.h"
#include "ledger/entry.h"
#include "qr/qr_svg.h"
#include "receipt/receipt_document.h"
#include "receipt_fixture.h"

namespace tongban::receipt {
namespace {

using testing::ReceiptFixture;
using testing::SampleReceipt;
using tongban::testing::Backend;

// --- pure formats -------------------------------------------------------------------------

TEST(ReceiptCodeFormat, ParsesAndRejects) {
  auto code = ReceiptCode::Parse("33040126");
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(code->province_prefix(), 33);
  EXPECT_EQ(code->kind(), ReceiptKind::kOutpatient);
  EXPECT_EQ(code->year(), 2026);
  for (std::string_view bad : {"3304012", "330401260", "3304012A", "99040126", "33050126",
                               "33040326", "３３040126"}) {
    auto r = ReceiptCode::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().fields().at(0).field, "code");
    }
  }
  EXPECT_EQ(ReceiptCode::Make(33, ReceiptKind::kInpatient, 2027)->str(), "33040227");
}

TEST(ReceiptNumberFormat, TenDigitsNotZero) {
  EXPECT_EQ(ReceiptNumber::Parse("0000000042")->value(), 42);
  EXPECT_EQ(ReceiptNumber::FromInt(42)->ToString(), "0000000042");
  EXPECT_FALSE(ReceiptNumber::Parse("0000000000").ok());
  EXPECT_FALSE(ReceiptNumber::Parse("42").ok());
  EXPECT_FALSE(ReceiptNumber::Parse("00000000-1").ok());
  EXPECT_FALSE(ReceiptNumber::FromInt(0).ok());
  EXPECT_FALSE(ReceiptNumber::FromInt(10'000'000'000).ok());
}

TEST(CheckCodeFormat, AlphabetAndCase) {
  EXPECT_EQ(CheckCode::Parse("ab12cd")->str(), "AB12CD");
  EXPECT_FALSE(CheckCode::Parse("AB12CI").ok());  // no I
  EXPECT_FALSE(CheckCode::Parse("AB12C").ok());
  for (int i = 0; i < 100; ++i) {
    CheckCode c = CheckCode::Generate();
    EXPECT_TRUE(CheckCode::Parse(c.str()).ok()) << c.str();
  }
}

TEST(ReceiptMaskName, KeepsFirstCharacter) {
  EXPECT_EQ(MaskName("张伟"), "张*");
  EXPECT_EQ(MaskName("欧阳娜娜"), "欧***");
  EXPECT_EQ(MaskName("张"), "张*");
}

TEST(ReceiptQr, SvgIsAnSvg) {
  auto qr = qr::RenderQrSvg("TBR1.33040126.0000000001.AB12CD.7200.20261118.x");
  ASSERT_TRUE(qr.ok());
  EXPECT_TRUE(qr->svg.starts_with("<svg "));
  EXPECT_NE(qr->svg.find("<path"), std::string::npos);
  EXPECT_FALSE(qr::RenderQrSvg(std::string(5000, 'x')).ok());
  EXPECT_FALSE(qr::RenderQrSvg("x", 0).ok());
}

TEST(ReceiptQr, ParseRejectsMalformed) {
  std::string sig = std::string(86, 'A');
  EXPECT_TRUE(ParseQrText("TBR1.33040126.0000000001.AB12CD.7200.20261118." + sig).ok());
  EXPECT_FALSE(ParseQrText("TBL1.33040126.0000000001.AB12CD.7200.20261118." + sig).ok());
  EXPECT_FALSE(ParseQrText("TBR1.33040126.0000000001.AB12CD.7200.20261118").ok());
  EXPECT_FALSE(ParseQrText("TBR1.33040126.0000000001.AB12CD.-7200.20261118." + sig).ok());
  EXPECT_FALSE(ParseQrText("TBR1.3304012.0000000001.AB12CD.7200.20261118." + sig).ok());
}

// --- the conformance suite ----------------------------------------------------------------

class ReceiptServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!f_.Open(GetParam())) GTEST_SKIP() << "PostgreSQL not configured (TONGBAN_TEST_PG)";
  }
  ReceiptService& svc() { return *f_.service_; }
  Receipt IssueOne(NewReceipt in = SampleReceipt()) {
    auto r = svc().Issue(ReceiptFixture::kHospitalAccount, std::span(&in, 1), false,
                         f_.sequencer_->size());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->front() : Receipt{};
  }
  Integrity Check(const Receipt& stored) {
    auto leaf = svc().ResolveLeaf(stored);
    EXPECT_TRUE(leaf.ok()) << leaf.status().ToString();
    auto in = svc().CheckIntegrity(stored, leaf.ok() ? std::optional<uint64_t>(*leaf) : std::nullopt);
    EXPECT_TRUE(in.ok()) << in.status().ToString();
    return in.ok() ? *in : Integrity{};
  }
  Receipt Reload(const Receipt& r) { return svc().Get(r.code, r.number).value(); }

  ReceiptFixture f_;
};

TEST_P(ReceiptServiceTest, IssueAssignsSequentialNumbersAndOneLeafEach) {
  Receipt a = IssueOne();
  Receipt b = IssueOne(SampleReceipt(testing::kLiNaId, "李娜"));
  EXPECT_EQ(a.code.str(), f_.Code());
  EXPECT_EQ(a.number.value(), 1);
  EXPECT_EQ(b.number.value(), 2);
  EXPECT_NE(a.check.str(), b.check.str());
  f_.Integrate();
  EXPECT_EQ(f_.sequencer_->size(), 2u);
  Receipt stored = Reload(a);
  EXPECT_EQ(stored.payer_name, "张伟");
  EXPECT_EQ(stored.items.size(), 3u);
  EXPECT_EQ(stored.items[0].name, "阿莫西林胶囊 0.25g×24粒");
  EXPECT_EQ(stored.total_fen, 7200);
  ASSERT_TRUE(stored.document);
  EXPECT_EQ(crypto::Hash(crypto::HashAlgorithm::kSm3, *stored.document), stored.document_hash);
  // No plaintext ID number anywhere in the document.
  EXPECT_EQ(stored.document->find(testing::kZhangWeiId), std::string::npos);
  EXPECT_EQ(stored.document->find("张伟"), std::string::npos);
  Integrity in = Check(stored);
  EXPECT_TRUE(in.intact) << in.problem;
  auto entry = f_.reader_->EntryAt(*in.leaf_index);
  ASSERT_TRUE(entry.ok());
  auto parsed = ledger::ParseEntry(entry->entry);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->type, "receipt.issue");
  EXPECT_EQ(parsed->document, stored.document_hash);
  // The leaf index is remembered.
  EXPECT_EQ(Reload(a).leaf_index, in.leaf_index);
}

TEST_P(ReceiptServiceTest, ResolvingOneLeafResolvesItsWholeBatch) {
  IssueOne();  // another batch before it, so leaves are not simply numbered from the hint
  std::vector<NewReceipt> batch(20, SampleReceipt(testing::kLiNaId, "李娜"));
  auto issued = svc().Issue(ReceiptFixture::kHospitalAccount, batch, true, f_.sequencer_->size());
  ASSERT_TRUE(issued.ok());
  f_.Integrate();
  Receipt fifth = Reload((*issued)[4]);
  auto leaf = svc().ResolveLeaf(fifth);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  EXPECT_EQ(*leaf, 5u);
  for (const Receipt& r : *issued) {
    Receipt stored = Reload(r);
    ASSERT_TRUE(stored.leaf_index) << r.number.ToString();
    EXPECT_EQ(*stored.leaf_index, r.number.value() - 1);  // leaf 0 is the first receipt
    auto in = svc().CheckIntegrity(stored, stored.leaf_index);
    ASSERT_TRUE(in.ok());
    EXPECT_TRUE(in->intact) << in->problem;
  }
}

TEST_P(ReceiptServiceTest, BatchIsAllOrNothing) {
  std::vector<NewReceipt> batch(50, SampleReceipt());
  auto ok = svc().Issue(ReceiptFixture::kHospitalAccount, batch, true, 0);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->size(), 50u);
  EXPECT_EQ(ok->back().number.value(), 50);
  batch[17].total_fen = 1;  // does not add up
  auto bad = svc().Issue(ReceiptFixture::kHospitalAccount, batch, true, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.status().fields().at(0).field, "/receipts/17/total_fen");
  // Nothing of the failed batch was issued and no number was used up: no gap.
  EXPECT_EQ(IssueOne().number.value(), 51);
  f_.Integrate();
  EXPECT_EQ(f_.sequencer_->size(), 51u);
}

// Batches of one issuer are prepared concurrently outside the write transaction (number_lanes.h)
// while voids with replacements take numbers outside the lane and a second service on the same
// database (another process) issues too: every number is used exactly once, with no gap.
TEST_P(ReceiptServiceTest, ConcurrentBatchesVoidsAndAnotherProcessLeaveNoGaps) {
  std::vector<Receipt> to_void;
  for (int i = 0; i < 6; ++i) to_void.push_back(IssueOne());
  ReceiptService other_process(**f_.db_, svc().options());
  constexpr int kThreads = 6, kBatches = 4, kPerBatch = 25;
  std::mutex mu;
  std::vector<int64_t> numbers;
  for (const Receipt& r : to_void) numbers.push_back(r.number.value());
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ReceiptService& s = t % 3 == 2 ? other_process : svc();
      std::vector<NewReceipt> batch(kPerBatch, SampleReceipt(testing::kLiNaId, "李娜"));
      for (int b = 0; b < kBatches; ++b) {
        auto r = s.Issue(ReceiptFixture::kHospitalAccount, batch, true, 0);
        std::lock_guard lock(mu);
        if (!r.ok()) {
          errors.push_back(r.status().ToString());
          continue;
        }
        for (const Receipt& x : *r) numbers.push_back(x.number.value());
      }
    });
  }
  threads.emplace_back([&] {
    NewReceipt replacement = SampleReceipt();
    for (const Receipt& r : to_void) {
      auto v = svc().Void(r.code, r.number, ReceiptFixture::kHospitalAccount, "退药", replacement, 0);
      std::lock_guard lock(mu);
      if (!v.ok()) {
        errors.push_back(v.status().ToString());
        continue;
      }
      numbers.push_back(v->replacement->number.value());
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  const size_t expected = to_void.size() * 2 + kThreads * kBatches * kPerBatch;
  ASSERT_EQ(numbers.size(), expected);
  std::sort(numbers.begin(), numbers.end());
  for (size_t i = 0; i < numbers.size(); ++i) ASSERT_EQ(numbers[i], static_cast<int64_t>(i) + 1);
  // The stored rows agree, and the range continues right after them.
  EXPECT_EQ(IssueOne().number.value(), static_cast<int64_t>(expected) + 1);
  f_.Integrate();
  EXPECT_EQ(f_.sequencer_->size(), expected + 1 + to_void.size());  // + one void entry each
}

TEST_P(ReceiptServiceTest, BadInputsNameTheField) {
  auto field_of = [&](NewReceipt in) {
    auto r = svc().Issue(ReceiptFixture::kHospitalAccount, std::span(&in, 1), false, 0);
    EXPECT_FALSE(r.ok());
    return r.ok() || r.status().fields().empty() ? std::string("(none)")
                                                 : r.status().fields().front().field;
  };
  NewReceipt in = SampleReceipt();
  in.items[0].amount_fen = -3700;
  EXPECT_EQ(field_of(in), "/items/0/amount_fen");
  in = SampleReceipt();
  in.items[1].unit_fen = 0;
  EXPECT_EQ(field_of(in), "/items/1/unit_fen");
  in = SampleReceipt();
  in.total_fen = 0;
  EXPECT_EQ(field_of(in), "/total_fen");
  in = SampleReceipt();
  in.total_fen = 7300;
  in.self_fen = 2980;
  EXPECT_EQ(field_of(in), "/total_fen");  // items add up to 7200
  in = SampleReceipt();
  in.self_fen = 100;
  EXPECT_EQ(field_of(in), "/self_fen");
  in = SampleReceipt();
  in.payer_id_number[17] = in.payer_id_number[17] == '1' ? '2' : '1';
  EXPECT_EQ(field_of(in), "/payer_id_number");
  in = SampleReceipt();
  in.code = "3304012X";
  EXPECT_EQ(field_of(in), "/code");
  in = SampleReceipt();
  in.channel = "bitcoin";
  EXPECT_EQ(field_of(in), "/channel");
  in = SampleReceipt();
  in.items[0].name = "a|b";
  EXPECT_EQ(field_of(in), "/items/0/name");
}

TEST_P(ReceiptServiceTest, IssuersAndRangesAreEnforced) {
  NewReceipt in = SampleReceipt();
  // Unknown issuer.
  auto r = svc().Issue(ReceiptFixture::kOtherHospitalAccount, std::span(&in, 1), false, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  // Another hospital's range.
  auto other = svc().RegisterIssuer(ReceiptFixture::kOtherHospitalAccount,
                                    testing::SyntheticUscc("12", "330100", "H0000002"),
                                    "杭州市示范第二医院", "330100");
  ASSERT_TRUE(other.ok());
  std::string inpatient = ReceiptCode::Make(33, ReceiptKind::kInpatient, 2026)->str();
  ASSERT_TRUE(svc().AssignRange(other->id, inpatient, 1, 1000).ok());
  in.code = inpatient;
  in.kind = ReceiptKind::kInpatient;
  r = svc().Issue(ReceiptFixture::kHospitalAccount, std::span(&in, 1), false, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  // Overlapping ranges are refused: numbers are never reused.
  auto overlap = svc().AssignRange(other->id, f_.Code(), 100000, 100010);
  ASSERT_FALSE(overlap.ok());
  EXPECT_EQ(overlap.status().code(), ErrorCode::kConflict);
  // Duplicate and gapped numbers.
  in = SampleReceipt();
  in.number = 1;
  ASSERT_TRUE(svc().Issue(ReceiptFixture::kHospitalAccount, std::span(&in, 1), false, 0).ok());
  r = svc().Issue(ReceiptFixture::kHospitalAccount, std::span(&in, 1), false, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConflict);
  in.number = 5;
  r = svc().Issue(ReceiptFixture::kHospitalAccount, std::span(&in, 1), false, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnprocessable);
  // A used-up range.
  ASSERT_TRUE(svc().AssignRange(other->id, ReceiptCode::Make(33, ReceiptKind::kOutpatient, 2026)->str(),
                                200000, 200001).ok());
  NewReceipt o = SampleReceipt();
  std::vector<NewReceipt> three(3, o);
  r = svc().Issue(ReceiptFixture::kOtherHospitalAccount, three, true, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConflict);
  // With a second range the batch continues into it, and nothing of the failed batch was used.
  ASSERT_TRUE(svc().AssignRange(other->id, f_.Code(), 300000, 300010).ok());
  r = svc().Issue(ReceiptFixture::kOtherHospitalAccount, three, true, 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].number.value(), 200000);
  EXPECT_EQ((*r)[1].number.value(), 200001);
  EXPECT_EQ((*r)[2].number.value(), 300000);
}

TEST_P(ReceiptServiceTest, AmountChangedBehindTheSystemsBackFailsVerification) {
  Receipt a = IssueOne();
  f_.Integrate();
  EXPECT_TRUE(Check(Reload(a)).intact);
  ASSERT_TRUE((*f_.db_)->Transact([&](store::Tx& tx) {
    return tx.Exec("UPDATE receipt SET total_fen = 720000, self_fen = 717120 WHERE id = ?",
                   {Reload(a).id})
        .status();
  }).ok());
  Receipt t = Reload(Receipt{.code = a.code, .number = a.number});
  Integrity in = Check(t);
  EXPECT_FALSE(in.intact);
  EXPECT_NE(in.problem.find("does not match"), std::string::npos) << in.problem;
}

TEST_P(ReceiptServiceTest, DocumentRewrittenBehindTheSystemsBackFailsVerification) {
  Receipt a = IssueOne();
  f_.Integrate();
  Receipt stored = Reload(a);
  ASSERT_TRUE(Check(stored).intact);
  std::string doc = *stored.document;
  size_t p = doc.find("total_fen: 7200");
  ASSERT_NE(p, std::string::npos);
  doc.replace(p, 15, "total_fen: 9200");
  ASSERT_TRUE((*f_.db_)->Transact([&](store::Tx& tx) {
    return tx.Exec("UPDATE receipt SET document = ?, total_fen = 9200 WHERE id = ?", {doc, stored.id})
        .status();
  }).ok());
  EXPECT_FALSE(Check(Reload(a)).intact);
  // Even with the hash column rewritten to match, the signed batch and the ledger disagree.
  auto h = crypto::Hash(crypto::HashAlgorithm::kSm3, doc);
  ASSERT_TRUE((*f_.db_)->Transact([&](store::Tx& tx) {
    return tx.Exec("UPDATE receipt SET document_hash = ? WHERE id = ?",
                   {store::Param::Blob(std::span<const uint8_t>(h)), stored.id})
        .status();
  }).ok());
  auto again = svc().CheckIntegrity(Reload(a), stored.leaf_index);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->intact);
}

TEST_P(ReceiptServiceTest, ClaimsAddUpToTheTotalNeverBeyond) {
  Receipt a = IssueOne();
  auto basic = svc().AddClaim(a.code, a.number, ReceiptFixture::kInsurerAccount, "杭州市医疗保障局",
                              4320, "YB-2026-0001");
  ASSERT_TRUE(basic.ok()) << basic.status().ToString();
  auto beyond = svc().AddClaim(a.code, a.number, ReceiptFixture::kEmployerAccount,
                               "杭州示范科技有限公司", 2881, "");
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), ErrorCode::kConflict);
  EXPECT_NE(beyond.status().message().find("杭州市医疗保障局"), std::string::npos)
      << beyond.status().message();
  auto rest = svc().AddClaim(a.code, a.number, ReceiptFixture::kEmployerAccount,
                             "杭州示范科技有限公司", 2880, "");
  ASSERT_TRUE(rest.ok());
  Receipt stored = Reload(a);
  EXPECT_EQ(stored.claimed_fen, 7200);
  EXPECT_EQ(stored.claims.size(), 2u);
  EXPECT_FALSE(svc().AddClaim(a.code, a.number, ReceiptFixture::kInsurerAccount, "x", 1, "").ok());
  EXPECT_EQ(svc().AddClaim(a.code, a.number, ReceiptFixture::kInsurerAccount, "x", 0, "").status().code(),
            ErrorCode::kInvalidArgument);
  // Only the claimant may reverse its claim; then the amount is free again. Another claimant's
  // claim answers exactly as a missing one (issue 15).
  auto wrong = svc().ReverseClaim(a.code, a.number, basic->id, ReceiptFixture::kEmployerAccount);
  EXPECT_EQ(wrong.status().ToString(),
            Status::NotFound("claim of this claimant", std::to_string(basic->id)).ToString());
  EXPECT_EQ(svc().ReverseClaim(a.code, a.number, basic->id + 1000, ReceiptFixture::kInsurerAccount)
                .status().ToString(),
            Status::NotFound("claim of this claimant", std::to_string(basic->id + 1000)).ToString());
  auto reversed = svc().ReverseClaim(a.code, a.number, basic->id, ReceiptFixture::kInsurerAccount);
  ASSERT_TRUE(reversed.ok()) << reversed.status().ToString();
  EXPECT_EQ(svc().ReverseClaim(a.code, a.number, basic->id, ReceiptFixture::kInsurerAccount)
                .status().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(Reload(a).claimed_fen, 2880);
  EXPECT_TRUE(svc().AddClaim(a.code, a.number, ReceiptFixture::kInsurerAccount, "杭州市医疗保障局",
                             4320, "YB-2026-0002").ok());
  // issue + 3 claims + 1 reversal on the ledger.
  f_.Integrate();
  EXPECT_EQ(f_.sequencer_->size(), 5u);
}

TEST_P(ReceiptServiceTest, ConcurrentFullClaimsExactlyOneWins) {
  Receipt a = IssueOne();
  constexpr int kThreads = 32;
  std::atomic<int> won{0}, conflicted{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto c = svc().AddClaim(a.code, a.number, 300 + i, "保险公司" + std::to_string(i), 7200, "");
      if (c.ok()) ++won;
      else if (c.status().code() == ErrorCode::kConflict) ++conflicted;
      else ++other;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicted.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Reload(a).claimed_fen, 7200);
}

TEST_P(ReceiptServiceTest, VoidNeedsNoStandingClaimAndLinksTheReplacement) {
  Receipt a = IssueOne();
  auto claim = svc().AddClaim(a.code, a.number, ReceiptFixture::kInsurerAccount, "杭州市医疗保障局",
                              1000, "");
  ASSERT_TRUE(claim.ok());
  auto blocked = svc().Void(a.code, a.number, ReceiptFixture::kHospitalAccount, "退药", std::nullopt, 0);
  EXPECT_EQ(blocked.status().code(), ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(svc().ReverseClaim(a.code, a.number, claim->id, ReceiptFixture::kInsurerAccount).ok());
  NewReceipt replacement = SampleReceipt();
  replacement.items.pop_back();  // the 诊疗费 line refunded
  replacement.total_fen = 6200;
  replacement.insurance_fen = 3720;
  replacement.self_fen = 2480;
  // An account that is no issuer at all: 403 (not about this receipt).
  auto other = svc().Void(a.code, a.number, ReceiptFixture::kOtherHospitalAccount, "退药",
                          std::nullopt, 0);
  EXPECT_EQ(other.status().code(), ErrorCode::kPermissionDenied);
  // Another issuer: the receipt answers exactly as a missing one (issue 15).
  ASSERT_TRUE(svc().RegisterIssuer(ReceiptFixture::kOtherHospitalAccount,
                                   testing::SyntheticUscc("12", "330100", "H0000002"),
                                   "杭州市示范第二医院", "330100").ok());
  other = svc().Void(a.code, a.number, ReceiptFixture::kOtherHospitalAccount, "退药", std::nullopt, 0);
  EXPECT_EQ(other.status().ToString(), Status::NotFound("receipt", ReceiptKey(a.code, a.number)).ToString());
  const ReceiptNumber unused = *ReceiptNumber::FromInt(a.number.value() + 5000);
  EXPECT_EQ(svc().Void(a.code, unused, ReceiptFixture::kHospitalAccount, "退药", std::nullopt, 0)
                .status().ToString(),
            Status::NotFound("receipt", ReceiptKey(a.code, unused)).ToString());
  auto v = svc().Void(a.code, a.number, ReceiptFixture::kHospitalAccount, "部分退药", replacement, 0);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->replacement);
  EXPECT_EQ(v->replacement->number.value(), 2);
  Receipt voided = Reload(a);
  EXPECT_EQ(voided.status, ReceiptStatus::kVoided);
  EXPECT_EQ(voided.void_reason, "部分退药");
  EXPECT_EQ(voided.replacement, v->replacement->code.str() + "/0000000002");
  Receipt repl = Reload(*v->replacement);
  EXPECT_EQ(repl.replaces, a.code.str() + "/0000000001");
  EXPECT_EQ(repl.total_fen, 6200);
  EXPECT_EQ(svc().AddClaim(a.code, a.number, ReceiptFixture::kInsurerAccount, "x", 1, "").status().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(svc().Void(a.code, a.number, ReceiptFixture::kHospitalAccount, "again", std::nullopt, 0)
                .status().code(),
            ErrorCode::kFailedPrecondition);
  f_.Integrate();
  EXPECT_TRUE(Check(repl).intact);
  EXPECT_TRUE(Check(voided).intact);
}

TEST_P(ReceiptServiceTest, WalletListsThePayersReceiptsNewestFirst) {
  for (int i = 0; i < 5; ++i) IssueOne();
  IssueOne(SampleReceipt(testing::kLiNaId, "李娜"));
  auto subject = svc().options().subject_hash(testing::kZhangWeiId);
  auto page = svc().ListForPayer(subject, std::nullopt, 3);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].number.value(), 5);
  ASSERT_TRUE(page->next_cursor);
  auto next = svc().ListForPayer(subject, page->next_cursor, 3);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->items.size(), 2u);
  EXPECT_FALSE(next->next_cursor);
  auto li = svc().ListForPayer(svc().options().subject_hash(testing::kLiNaId), std::nullopt, 10);
  ASSERT_EQ(li->items.size(), 1u);
  EXPECT_EQ(li->items[0].payer_name, "李娜");
}

// The wallet reads its index and the queue of receipts not yet indexed in one snapshot: the
// same pages before, during and after IndexWallet moves rows, and never a receipt twice.
TEST_P(ReceiptServiceTest, WalletIsTheSameBeforeDuringAndAfterIndexing) {
  std::vector<NewReceipt> batch;
  for (int i = 0; i < 7; ++i) {
    batch.push_back(i % 3 == 2 ? SampleReceipt(testing::kLiNaId, "李娜") : SampleReceipt());
  }
  ASSERT_TRUE(svc().Issue(ReceiptFixture::kHospitalAccount, batch, true, 0).ok());
  auto zhang = svc().options().subject_hash(testing::kZhangWeiId);
  auto numbers = [&](int page_size) {
    std::vector<int64_t> out;
    std::optional<int64_t> cursor;
    do {
      auto page = svc().ListForPayer(zhang, cursor, page_size);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (const Receipt& r : page->items) out.push_back(r.number.value());
      cursor = page->next_cursor;
    } while (cursor);
    return out;
  };
  const std::vector<int64_t> expected = {7, 5, 4, 2, 1};
  EXPECT_EQ(numbers(2), expected);  // all queued
  auto moved = svc().IndexWallet(4);  // part of the queue indexed
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, 4u);
  EXPECT_EQ(numbers(2), expected);  // across both tables, pages of 2
  EXPECT_EQ(numbers(10), expected);
  IssueOne();  // number 8, queued
  moved = svc().IndexWallet(1000);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 4u);
  const std::vector<int64_t> all = {8, 7, 5, 4, 2, 1};
  EXPECT_EQ(numbers(3), all);  // all indexed
  EXPECT_EQ(*svc().IndexWallet(1000), 0u);
  auto li = svc().ListForPayer(svc().options().subject_hash(testing::kLiNaId), std::nullopt, 10);
  ASSERT_TRUE(li.ok());
  ASSERT_EQ(li->items.size(), 2u);
  EXPECT_EQ(li->items[0].number.value(), 6);
  // The background indexer empties the queue.
  IssueOne();
  svc().StartWalletIndexer(std::chrono::milliseconds(5));
  for (int i = 0; i < 400; ++i) {
    auto left = svc().IndexWallet(1);
    ASSERT_TRUE(left.ok());
    if (*left == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  svc().StopWalletIndexer();
  EXPECT_EQ(numbers(4), (std::vector<int64_t>{9, 8, 7, 5, 4, 2, 1}));
}

TEST_P(ReceiptServiceTest, StatsCountPerIssuerPerDay) {
  std::vector<NewReceipt> batch(4, SampleReceipt());
  ASSERT_TRUE(svc().Issue(ReceiptFixture::kHospitalAccount, batch, true, 0).ok());
  Receipt a = IssueOne();
  ASSERT_TRUE(svc().AddClaim(a.code, a.number, ReceiptFixture::kInsurerAccount, "医保", 100, "").ok());
  auto s = svc().Stats(7);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->issued, 5);
  EXPECT_EQ(s->issued_fen, 5 * 7200);
  EXPECT_EQ(s->claims, 1);
  EXPECT_EQ(s->claimed_fen, 100);
  EXPECT_EQ(s->paper_saved_grams, 5 * kPaperGramsPerReceipt);
  ASSERT_EQ(s->per_issuer_day.size(), 1u);
  EXPECT_EQ(s->per_issuer_day[0].count, 5);
  EXPECT_EQ(s->per_issuer_day[0].issuer_name, "杭州市示范第一医院");
  EXPECT_EQ(s->per_issuer_day[0].day, ChinaDate(f_.clock_.Now()).ToString());
}

TEST_P(ReceiptServiceTest, DestroyKeepsHashesAndRecordsOnTheLedger) {
  Receipt old = IssueOne();
  f_.Integrate();
  const uint64_t before_size = f_.sequencer_->size();
  // Thirty-one years later a new receipt is issued; the old one's retention (30 y) has passed.
  f_.clock_.Advance(std::chrono::hours(24 * 366 * 31));
  ASSERT_TRUE(svc().AssignRange(f_.issuer_.id, f_.Code(), 1, 1000).ok());
  Receipt recent = IssueOne();
  CivilDate today = ChinaDate(f_.clock_.Now());
  auto d = svc().Destroy(CivilDate{today.year + 1, 1, 1});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->destroyed, 1);
  EXPECT_EQ(d->kept, 1);
  Receipt gone = Reload(old);
  EXPECT_EQ(gone.status, ReceiptStatus::kDestroyed);
  EXPECT_FALSE(gone.document);
  EXPECT_EQ(gone.payer_name, "");
  EXPECT_EQ(gone.document_hash, old.document_hash);
  EXPECT_TRUE(Check(gone).intact);  // hash, batch and leaf still agree
  EXPECT_TRUE(Reload(recent).document);
  f_.Integrate();
  EXPECT_EQ(f_.sequencer_->size(), before_size + 2);  // the new receipt and the destruction
  EXPECT_EQ(svc().Destroy(CivilDate{today.year + 1, 1, 1})->destroyed, 0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ReceiptServiceTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, ReceiptServiceTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::receipt
