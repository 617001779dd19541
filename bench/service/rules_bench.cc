// 秒批 decision tables: decisions per second of DecisionTable::Decide on pre-computed inputs, beside
// the same table written by hand as C++ `if`s in this binary — a 20-row housing-fund withdrawal
// table (hit policy first) over 6 inputs: two integers tested with ranges, a date compared with <,
// two strings tested with lists, a boolean. Both decide the same 1,024 pre-generated cases in turn
// (so branches are not trivially predicted); at start every case is checked to get the same outcome
// and row from both. BM_RulesRatio interleaves the two in batches and reports the ratio of rates
// (goal: interpreted >= 0.3 of hand-written). BM_RulesEvaluate is the full path for information:
// inputs computed from references (a birth date, deposit dates, the purpose...), then decided and
// explained. Figures: docs/benchmarks.md, "Rules (秒批) decision tables".
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "service/rules/decision_table.h"

namespace tongban::service::rules {
namespace {

constexpr std::string_view kTable = R"TOML(item = "housing_fund_withdrawal"
version = 1
hit_policy = "first"
title_zh = "住房公积金提取自动审核"
title_en = "Housing fund withdrawal: automatic check"

[[input]]
name = "age"
label_zh = "申请人年龄"
label_en = "Applicant's age"
type = "integer"
expr = 'age(form.applicant_birth_date)'

[[input]]
name = "months"
label_zh = "连续缴存月数"
label_en = "Months deposited"
type = "integer"
expr = 'months_between(data.housing_fund_deposit.since, today)'

[[input]]
name = "last_withdrawal"
label_zh = "上次提取日期"
label_en = "Last withdrawal"
type = "date"
expr = 'if is_null(data.housing_fund_deposit.last_withdrawal) then date("2000-01-01") else data.housing_fund_deposit.last_withdrawal'

[[input]]
name = "purpose"
label_zh = "提取原因"
label_en = "Purpose"
type = "string"
expr = 'form.withdrawal_purpose'

[[input]]
name = "status"
label_zh = "账户状态"
label_en = "Account status"
type = "string"
expr = 'data.housing_fund_deposit.status'

[[input]]
name = "mortgage"
label_zh = "有住房贷款"
label_en = "Has a mortgage"
type = "boolean"
expr = 'data.real_estate_registration.mortgaged'

[[rule]]
when = { status = '"销户"' }
outcome = "reject"
reason_zh = "账户已销户"
reason_en = "The account is closed"

[[rule]]
when = { age = "< 18" }
outcome = "reject"
reason_zh = "申请人未成年"
reason_en = "The applicant is a minor"

[[rule]]
when = { age = ">= 60", purpose = '"退休"' }
outcome = "approve"
reason_zh = "已达退休年龄"
reason_en = "Retirement age reached"

[[rule]]
when = { age = "< 60", purpose = '"退休"' }
outcome = "reject"
reason_zh = "未达退休年龄"
reason_en = "Below retirement age"

[[rule]]
when = { months = ">= 6", purpose = '"离职"', status = '"封存"' }
outcome = "approve"
reason_zh = "离职且账户封存满6个月"
reason_en = "Left the job; account sealed for 6 months"

[[rule]]
when = { purpose = '"离职"', status = '"正常"' }
outcome = "reject"
reason_zh = "账户仍在正常缴存"
reason_en = "The account is still being paid into"

[[rule]]
when = { purpose = '"离职"' }
outcome = "refer"
reason_zh = "离职提取需人工核实"
reason_en = "Leaving a job: staff check"

[[rule]]
when = { months = ">= 6", last_withdrawal = '< date("2026-01-01")', purpose = '"购房", "购买自住住房"', mortgage = "false" }
outcome = "approve"
reason_zh = "购房提取条件满足"
reason_en = "Home purchase: conditions met"

[[rule]]
when = { purpose = '"购房", "购买自住住房"', mortgage = "true" }
outcome = "refer"
reason_zh = "购房且有贷款，需人工核实"
reason_en = "Home purchase with a mortgage: staff check"

[[rule]]
when = { months = "[0..6)", purpose = '"购房", "购买自住住房"' }
outcome = "reject"
reason_zh = "缴存不满6个月"
reason_en = "Deposited for under 6 months"

[[rule]]
when = { months = ">= 3", last_withdrawal = '< date("2026-10-01")', purpose = '"租房", "租赁住房"', status = '"正常"' }
outcome = "approve"
reason_zh = "租房提取条件满足"
reason_en = "Renting: conditions met"

[[rule]]
when = { last_withdrawal = '>= date("2026-10-01")', purpose = '"租房", "租赁住房"' }
outcome = "reject"
reason_zh = "三个月内已提取"
reason_en = "Withdrawn within three months"

[[rule]]
when = { months = "< 3", purpose = '"租房", "租赁住房"' }
outcome = "reject"
reason_zh = "缴存不满3个月"
reason_en = "Deposited for under 3 months"

[[rule]]
when = { age = "[18..70]", purpose = '"大病", "重大疾病"', status = '"正常", "封存"' }
outcome = "approve"
reason_zh = "重大疾病提取"
reason_en = "Serious illness"

[[rule]]
when = { purpose = '"大病", "重大疾病"' }
outcome = "refer"
reason_zh = "重大疾病提取需人工核实"
reason_en = "Serious illness: staff check"

[[rule]]
when = { months = ">= 12", purpose = '"装修"', mortgage = "false" }
outcome = "approve"
reason_zh = "装修提取条件满足"
reason_en = "Renovation: conditions met"

[[rule]]
when = { purpose = '"装修"' }
outcome = "reject"
reason_zh = "装修提取条件不满足"
reason_en = "Renovation: conditions not met"

[[rule]]
when = { months = ">= 12", last_withdrawal = '< date("2026-06-01")', purpose = '"还贷", "偿还购房贷款"', mortgage = "true" }
outcome = "approve"
reason_zh = "还贷提取条件满足"
reason_en = "Loan repayment: conditions met"

[[rule]]
when = { purpose = '"还贷", "偿还购房贷款"', mortgage = "false" }
outcome = "reject"
reason_zh = "无住房贷款"
reason_en = "No mortgage"

[[rule]]
when = { age = "> 70" }
outcome = "refer"
reason_zh = "高龄申请人需人工核实"
reason_en = "Applicant over 70: staff check"
)TOML";

constexpr CivilDate kToday{2027, 1, 10};

// One case, as the hand-written code sees it.
struct Case {
  int64_t age = 0, months = 0, last_withdrawal = 0;  // last_withdrawal: days since 1970-01-01
  std::string purpose, status;
  bool mortgage = false;
};

const Outcome kRowOutcomes[] = {
    Outcome::kReject,  Outcome::kReject,  Outcome::kApprove, Outcome::kReject,  Outcome::kApprove,
    Outcome::kReject,  Outcome::kRefer,   Outcome::kApprove, Outcome::kRefer,   Outcome::kReject,
    Outcome::kApprove, Outcome::kReject,  Outcome::kReject,  Outcome::kApprove, Outcome::kRefer,
    Outcome::kApprove, Outcome::kReject,  Outcome::kApprove, Outcome::kReject,  Outcome::kRefer,
};

// The same table as C++; returns the outcome and writes the row (0: none).
Outcome HandWritten(const Case& c, int* row) {
  static const int64_t k20260101 = DaysFromCivil({2026, 1, 1});
  static const int64_t k20261001 = DaysFromCivil({2026, 10, 1});
  static const int64_t k20260601 = DaysFromCivil({2026, 6, 1});
  const bool buy = c.purpose == "购房" || c.purpose == "购买自住住房";
  const bool rent = c.purpose == "租房" || c.purpose == "租赁住房";
  const bool ill = c.purpose == "大病" || c.purpose == "重大疾病";
  const bool repay = c.purpose == "还贷" || c.purpose == "偿还购房贷款";
  int r = 0;
  if (c.status == "销户") r = 1;
  else if (c.age < 18) r = 2;
  else if (c.age >= 60 && c.purpose == "退休") r = 3;
  else if (c.age < 60 && c.purpose == "退休") r = 4;
  else if (c.months >= 6 && c.purpose == "离职" && c.status == "封存") r = 5;
  else if (c.purpose == "离职" && c.status == "正常") r = 6;
  else if (c.purpose == "离职") r = 7;
  else if (c.months >= 6 && c.last_withdrawal < k20260101 && buy && !c.mortgage) r = 8;
  else if (buy && c.mortgage) r = 9;
  else if (c.months >= 0 && c.months < 6 && buy) r = 10;
  else if (c.months >= 3 && c.last_withdrawal < k20261001 && rent && c.status == "正常") r = 11;
  else if (c.last_withdrawal >= k20261001 && rent) r = 12;
  else if (c.months < 3 && rent) r = 13;
  else if (c.age >= 18 && c.age <= 70 && ill && (c.status == "正常" || c.status == "封存")) r = 14;
  else if (ill) r = 15;
  else if (c.months >= 12 && c.purpose == "装修" && !c.mortgage) r = 16;
  else if (c.purpose == "装修") r = 17;
  else if (c.months >= 12 && c.last_withdrawal < k20260601 && repay && c.mortgage) r = 18;
  else if (repay && !c.mortgage) r = 19;
  else if (c.age > 70) r = 20;
  *row = r;
  return r == 0 ? Outcome::kRefer : kRowOutcomes[r - 1];
}

struct Fixture {
  DecisionTable table;
  std::vector<Case> cases;
  std::vector<std::vector<Value>> inputs;  // per case, for Decide
  std::vector<std::vector<Value>> refs;    // per case, for Evaluate
};

DecisionTable LoadTable() {
  Vocabulary v;
  v.form = [](std::string_view f) -> std::optional<ValueType> {
    if (f == "applicant_birth_date") return ValueType::kDate;
    if (f == "withdrawal_purpose") return ValueType::kString;
    return std::nullopt;
  };
  v.data = [](std::string_view d, std::string_view e) -> std::optional<ValueType> {
    if (d == "housing_fund_deposit" && (e == "since" || e == "last_withdrawal")) return ValueType::kDate;
    if (d == "housing_fund_deposit" && e == "status") return ValueType::kString;
    if (d == "real_estate_registration" && e == "mortgaged") return ValueType::kBoolean;
    return std::nullopt;
  };
  auto t = DecisionTable::Parse("housing_fund_withdrawal.toml", kTable, v);
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", t.status().ToString().c_str());
    for (const FieldError& e : t.status().fields()) std::fprintf(stderr, "  %s %s\n", e.field.c_str(), e.reason.c_str());
    std::abort();
  }
  return std::move(t).value();
}

const Fixture& Get() {
  static const Fixture* f = [] {
    auto* f = new Fixture{LoadTable(), {}, {}, {}};
    const std::vector<std::string> purposes = {"购房", "购买自住住房", "租房", "租赁住房", "退休", "离职",
                                               "大病", "装修", "还贷", "偿还购房贷款", "其他"};
    const std::vector<std::string> statuses = {"正常", "正常", "正常", "封存", "销户"};
    std::mt19937_64 rng(20270110);
    const int64_t today = DaysFromCivil(kToday);
    for (int i = 0; i < 1024; ++i) {
      // A birth date 15..75 years before today; deposits since 0..40 months ago; a last
      // withdrawal within the last two years.
      const CivilDate birth = CivilFromDays(today - static_cast<int64_t>(rng() % (60 * 365)) - 15 * 365);
      const CivilDate since = CivilFromDays(today - static_cast<int64_t>(rng() % (40 * 30)));
      const CivilDate last = CivilFromDays(today - static_cast<int64_t>(rng() % 730));
      const std::string& purpose = purposes[rng() % purposes.size()];
      const std::string& status = statuses[rng() % statuses.size()];
      const bool mortgage = rng() % 2 == 0;
      std::vector<Value> refs(f->table.references().size());
      for (size_t k = 0; k < refs.size(); ++k) {
        const std::string text = f->table.references()[k].Text();
        if (text == "form.applicant_birth_date") refs[k] = Value::Date(birth);
        if (text == "data.housing_fund_deposit.since") refs[k] = Value::Date(since);
        if (text == "data.housing_fund_deposit.last_withdrawal") refs[k] = Value::Date(last);
        if (text == "form.withdrawal_purpose") refs[k] = Value::String(purpose);
        if (text == "data.housing_fund_deposit.status") refs[k] = Value::String(status);
        if (text == "data.real_estate_registration.mortgaged") refs[k] = Value::Boolean(mortgage);
      }
      auto inputs = f->table.ComputeInputs(refs, kToday);
      if (!inputs.ok()) std::abort();
      const std::vector<Value>& in = *inputs;
      f->cases.push_back({in[0].integer(), in[1].integer(), in[2].days(), in[3].string(), in[4].string(),
                          in[5].boolean()});
      f->inputs.push_back(std::move(inputs).value());
      f->refs.push_back(std::move(refs));
    }
    // Both sides decide every case alike, and every row fires somewhere.
    std::vector<int> rows;
    std::vector<int> fired(21, 0);
    for (size_t i = 0; i < f->cases.size(); ++i) {
      int row = 0;
      const Outcome hand = HandWritten(f->cases[i], &row);
      const Outcome table = f->table.Decide(f->inputs[i], rows);
      const int table_row = rows.empty() ? 0 : rows[0];
      if (hand != table || row != table_row) {
        std::fprintf(stderr, "case %zu: hand-written row %d (%s), table row %d (%s)\n", i, row,
                     std::string(OutcomeName(hand)).c_str(), table_row, std::string(OutcomeName(table)).c_str());
        std::abort();
      }
      ++fired[row];
    }
    for (int r = 0; r <= 20; ++r) {
      if (fired[r] == 0) std::fprintf(stderr, "note: row %d never fires in the case set\n", r);
    }
    return f;
  }();
  return *f;
}

void BM_RulesDecideInterpreted(benchmark::State& state) {
  const Fixture& f = Get();
  std::vector<int> rows;
  rows.reserve(f.table.rows().size());
  size_t i = 0;
  for (auto _ : state) {
    const Outcome o = f.table.Decide(f.inputs[i++ & 1023], rows);
    benchmark::DoNotOptimize(o);
    benchmark::DoNotOptimize(rows.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RulesDecideInterpreted);

void BM_RulesDecideHandWritten(benchmark::State& state) {
  const Fixture& f = Get();
  size_t i = 0;
  for (auto _ : state) {
    int row = 0;
    const Outcome o = HandWritten(f.cases[i++ & 1023], &row);
    benchmark::DoNotOptimize(o);
    benchmark::DoNotOptimize(row);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RulesDecideHandWritten);

// The two interleaved, 1,024 cases each per batch, timed separately: the ratio of their rates
// within one run, so machine noise hits both alike.
void BM_RulesRatio(benchmark::State& state) {
  const Fixture& f = Get();
  std::vector<int> rows;
  rows.reserve(f.table.rows().size());
  using Clock = std::chrono::steady_clock;
  Clock::duration interpreted{}, hand{};
  int64_t batches = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    for (size_t i = 0; i < 1024; ++i) {
      const Outcome o = f.table.Decide(f.inputs[i], rows);
      benchmark::DoNotOptimize(o);
      benchmark::DoNotOptimize(rows.data());
    }
    const auto t1 = Clock::now();
    for (size_t i = 0; i < 1024; ++i) {
      int row = 0;
      const Outcome o = HandWritten(f.cases[i], &row);
      benchmark::DoNotOptimize(o);
      benchmark::DoNotOptimize(row);
    }
    const auto t2 = Clock::now();
    interpreted += t1 - t0;
    hand += t2 - t1;
    ++batches;
  }
  const double n = static_cast<double>(batches) * 1024;
  const double interpreted_rate = n / std::chrono::duration<double>(interpreted).count();
  const double hand_rate = n / std::chrono::duration<double>(hand).count();
  state.counters["interpreted_per_s"] = interpreted_rate;
  state.counters["handwritten_per_s"] = hand_rate;
  state.counters["ratio"] = interpreted_rate / hand_rate;
  state.SetItemsProcessed(batches * 2048);
}
BENCHMARK(BM_RulesRatio);

// The full path: inputs from references (date arithmetic, strings copied into the inputs), the
// table, the explanation.
void BM_RulesEvaluate(benchmark::State& state) {
  const Fixture& f = Get();
  size_t i = 0;
  for (auto _ : state) {
    Decision d = f.table.Evaluate(f.refs[i++ & 1023], kToday);
    benchmark::DoNotOptimize(d.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RulesEvaluate);

// Loading the table: TOML, 6 expressions and 20 rows compiled and checked.
void BM_RulesParse(benchmark::State& state) {
  for (auto _ : state) {
    DecisionTable t = LoadTable();
    benchmark::DoNotOptimize(t.rows().size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RulesParse);

}  // namespace
}  // namespace tongban::service::rules

BENCHMARK_MAIN();
