// 秒批 decision tables (src/service/rules): the expression language (every operator and function,
// three-valued nulls, static types, folding, runtime failures as null), cells of every kind, the
// hit policies (first; unique with overlapping rows refused at load and a runtime multi-match
// referred; collect with the most severe outcome and joined reasons), missing required inputs
// referred with their labels, no match referred, the explanation JSON and its replay; malformed
// rule files refused with the exact file:line:column of every problem at once; rule examples
// passing, failing and malformed. Names and addresses are synthetic.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "service/rules/decision_table.h"
#include "service/rules/examples.h"
#include "service/rules/expr.h"
#include "service/rules/value.h"

namespace tongban::service::rules {
namespace {

// ---- a small vocabulary ----

Vocabulary TestVocabulary() {
  Vocabulary v;
  v.form = [](std::string_view f) -> std::optional<ValueType> {
    static const std::map<std::string, ValueType, std::less<>> kForm = {
        {"child_birth_date", ValueType::kDate},    {"applicant_household_address", ValueType::kString},
        {"applicant_name", ValueType::kString},    {"monthly_income", ValueType::kDecimal},
        {"family_size", ValueType::kInteger},      {"married", ValueType::kBoolean},
        {"birth_date", ValueType::kDate},          {"name", ValueType::kString},
    };
    auto it = kForm.find(f);
    if (it == kForm.end()) return std::nullopt;
    return it->second;
  };
  v.data = [](std::string_view d, std::string_view e) -> std::optional<ValueType> {
    if (d == "household_registration" && e == "household_address") return ValueType::kString;
    if (d == "household_registration" && e == "birth_date") return ValueType::kDate;
    if (d == "housing_fund_deposit" && e == "balance_fen") return ValueType::kInteger;
    if (d == "housing_fund_deposit" && e == "status") return ValueType::kString;
    if (d == "tax_payment" && e == "credit_rating") return ValueType::kString;
    return std::nullopt;
  };
  v.license_type = [](std::string_view t) { return t == "real_estate_certificate" || t == "marriage_certificate"; };
  v.license_field = [](std::string_view t, std::string_view f) {
    return (t == "real_estate_certificate" && (f == "location" || f == "owner")) ||
           (t == "marriage_certificate" && f == "spouse_name");
  };
  return v;
}

Result<DecisionTable> Load(std::string_view text, std::string_view file = "t.toml") {
  return DecisionTable::Parse(file, text, TestVocabulary());
}

// "field reason" of every error.
std::vector<std::string> Errors(const Status& s) {
  std::vector<std::string> out;
  for (const FieldError& e : s.fields()) out.push_back(e.field + " " + e.reason);
  return out;
}

// True when an error is at exactly `where` and its reason contains `words`.
bool HasError(const Status& s, std::string_view where, std::string_view words) {
  for (const FieldError& e : s.fields()) {
    if (e.field == where && e.reason.find(words) != std::string::npos) return true;
  }
  return false;
}

std::string Dump(const Status& s) {
  std::string out = s.message() + "\n";
  for (const std::string& e : Errors(s)) out += "  " + e + "\n";
  return out;
}

// ---- expressions, through Program directly ----

// Inputs every expression test may name: x = 7, d = 2.5, s = "浙江省杭州市西湖区", b = true,
// dt = 2021-03-02, n = null (an integer), w = 3; references form.name (string) and
// data.housing_fund_deposit.balance_fen (integer).
const Scope::Input kInputs[] = {{"x", ValueType::kInteger}, {"d", ValueType::kDecimal}, {"s", ValueType::kString},
                                {"b", ValueType::kBoolean}, {"dt", ValueType::kDate},    {"n", ValueType::kInteger},
                                {"w", ValueType::kInteger}};

std::vector<Value> DefaultInputs() {
  return {Value::Integer(7),   Value::Decimal(2.5),          Value::String("浙江省杭州市西湖区"),
          Value::Boolean(true), Value::Date({2021, 3, 2}), Value::Null(), Value::Integer(3)};
}

struct Compiled {
  Program program;
  std::optional<NodeId> node;
  std::vector<ExprError> errors;
};

std::unique_ptr<Compiled> Compile(std::string_view text, bool today = true) {
  auto c = std::make_unique<Compiled>();
  Scope scope;
  scope.inputs = kInputs;
  scope.today = today;
  scope.reference = [](Reference::Kind kind, std::string_view a, std::string_view b) -> Result<RefSlot> {
    if (kind == Reference::Kind::kForm && a == "name") return RefSlot{0, ValueType::kString};
    if (kind == Reference::Kind::kData && a == "housing_fund_deposit" && b == "balance_fen") {
      return RefSlot{1, ValueType::kInteger};
    }
    return Status::InvalidArgument("unknown reference");
  };
  c->node = c->program.CompileExpression(text, scope, c->errors);
  return c;
}

// The value of `text` over the default inputs, refs {form.name = "张三", balance 1,200,000 fen} and
// today 2027-05-10. Fails the test when it does not compile.
Value Ev(std::string_view text, std::vector<Value> inputs = DefaultInputs(), std::string* failure = nullptr) {
  auto c = Compile(text);
  EXPECT_TRUE(c->node.has_value()) << text << ": " << (c->errors.empty() ? "" : c->errors[0].reason);
  if (!c->node) return Value::Null();
  const std::vector<Value> refs = {Value::String("张三"), Value::Integer(1'200'000)};
  return c->program.Evaluate(*c->node, {refs, inputs, CivilDate{2027, 5, 10}}, failure);
}

// "offset: reason" of the first compile error of `text` ("" when it compiles).
std::string CompileError(std::string_view text, bool today = true) {
  auto c = Compile(text, today);
  if (c->errors.empty()) return "";
  return std::to_string(c->errors[0].offset) + ": " + c->errors[0].reason;
}

TEST(RulesExpr, Literals) {
  EXPECT_EQ(Ev("42"), Value::Integer(42));
  EXPECT_EQ(Ev("89.5"), Value::Decimal(89.5));
  EXPECT_EQ(Ev(R"("a\"b\\c\n")"), Value::String("a\"b\\c\n"));
  EXPECT_EQ(Ev("\"已婚\""), Value::String("已婚"));
  EXPECT_EQ(Ev("true"), Value::Boolean(true));
  EXPECT_EQ(Ev("false"), Value::Boolean(false));
  EXPECT_EQ(Ev("null"), Value::Null());
  EXPECT_EQ(Ev("9223372036854775807"), Value::Integer(9223372036854775807));
  EXPECT_EQ(CompileError("9223372036854775808"), "0: integer literal out of range (64-bit integers)");
  EXPECT_EQ(CompileError("\"abc"), "0: unterminated string");
  EXPECT_EQ(CompileError("x = \"a\\tb\""), "6: unknown escape \\t in a string (use \\\", \\\\ or \\n)");
}

TEST(RulesExpr, ArithmeticAndPrecedence) {
  EXPECT_EQ(Ev("1 + 2 * 3"), Value::Integer(7));
  EXPECT_EQ(Ev("(1 + 2) * 3"), Value::Integer(9));
  EXPECT_EQ(Ev("10 - 2 - 3"), Value::Integer(5));
  EXPECT_EQ(Ev("-x"), Value::Integer(-7));
  EXPECT_EQ(Ev("- -x"), Value::Integer(7));
  EXPECT_EQ(Ev("x - 10"), Value::Integer(-3));
  EXPECT_EQ(Ev("1 + 2.5"), Value::Decimal(3.5));  // integer widens to decimal
  EXPECT_EQ(Ev("d * 2"), Value::Decimal(5.0));
  EXPECT_EQ(Ev("2 * -3"), Value::Integer(-6));
  EXPECT_EQ(Ev("data.housing_fund_deposit.balance_fen - 200000"), Value::Integer(1'000'000));
  // Overflow: a constant one is a compile error, a runtime one makes the value null.
  EXPECT_EQ(CompileError("9223372036854775807 + 1"), "20: integer overflow");
  std::string failure;
  EXPECT_EQ(Ev("x * 9223372036854775807", DefaultInputs(), &failure), Value::Null());
  EXPECT_EQ(failure, "integer overflow");
}

TEST(RulesExpr, Comparisons) {
  EXPECT_EQ(Ev("x = 7"), Value::Boolean(true));
  EXPECT_EQ(Ev("x != 7"), Value::Boolean(false));
  EXPECT_EQ(Ev("x < 8"), Value::Boolean(true));
  EXPECT_EQ(Ev("x <= 6"), Value::Boolean(false));
  EXPECT_EQ(Ev("x > 7"), Value::Boolean(false));
  EXPECT_EQ(Ev("d >= 2.5"), Value::Boolean(true));
  EXPECT_EQ(Ev("x = 7.0"), Value::Boolean(true));
  EXPECT_EQ(Ev("s = \"浙江省杭州市西湖区\""), Value::Boolean(true));
  EXPECT_EQ(Ev("\"a\" < \"b\""), Value::Boolean(true));
  EXPECT_EQ(Ev("dt < date(\"2022-01-01\")"), Value::Boolean(true));
  EXPECT_EQ(Ev("b = true"), Value::Boolean(true));
  EXPECT_EQ(Ev("form.name = \"张三\""), Value::Boolean(true));
}

TEST(RulesExpr, InRangesAndLists) {
  EXPECT_EQ(Ev("x in [1..7]"), Value::Boolean(true));
  EXPECT_EQ(Ev("x in [1..7)"), Value::Boolean(false));
  EXPECT_EQ(Ev("x in (7..9]"), Value::Boolean(false));
  EXPECT_EQ(Ev("x in (6..8)"), Value::Boolean(true));
  EXPECT_EQ(Ev("x in (1, 2, 7)"), Value::Boolean(true));
  EXPECT_EQ(Ev("x in (1, 2)"), Value::Boolean(false));
  EXPECT_EQ(Ev("x in (1, [5..8])"), Value::Boolean(true));
  EXPECT_EQ(Ev("x in ((1 + 1), 7)"), Value::Boolean(true));
  EXPECT_EQ(Ev("x in ([1..2], (6..8))"), Value::Boolean(true));
  EXPECT_EQ(Ev("s in (\"A\", \"B\")"), Value::Boolean(false));
  EXPECT_EQ(Ev("s in (\"A\", \"浙江省杭州市西湖区\")"), Value::Boolean(true));
  EXPECT_EQ(Ev("dt in [date(\"2021-01-01\")..date(\"2021-12-31\")]"), Value::Boolean(true));
  EXPECT_EQ(Ev("d in [2.5..3)"), Value::Boolean(true));
  EXPECT_EQ(Ev("n in [1..9]"), Value::Null());
  EXPECT_EQ(Ev("x in (1, n)"), Value::Null());  // not found, and one element unknown
  EXPECT_EQ(Ev("x in (7, n)"), Value::Boolean(true));
  EXPECT_EQ(CompileError("x in (\"A\", 3)"), "6: cannot compare integer with string");
  EXPECT_EQ(CompileError("b in [true..false]"), "6: a range bound of type boolean cannot hold boolean");
  EXPECT_EQ(CompileError("x in 3"), "5: expected a range [a..b] or a list (a, b, ...) after in, found 'a number'");
}

TEST(RulesExpr, ThreeValuedLogic) {
  EXPECT_EQ(Ev("n > 1 and false"), Value::Boolean(false));
  EXPECT_EQ(Ev("false and n > 1"), Value::Boolean(false));
  EXPECT_EQ(Ev("n > 1 and true"), Value::Null());
  EXPECT_EQ(Ev("n > 1 or true"), Value::Boolean(true));
  EXPECT_EQ(Ev("n > 1 or false"), Value::Null());
  EXPECT_EQ(Ev("not (n > 1)"), Value::Null());
  EXPECT_EQ(Ev("not true"), Value::Boolean(false));
  EXPECT_EQ(Ev("not x = 7"), Value::Boolean(false));  // not binds looser than =
  EXPECT_EQ(Ev("true or false and false"), Value::Boolean(true));  // and binds tighter than or
  EXPECT_EQ(Ev("b and x > 5"), Value::Boolean(true));
}

TEST(RulesExpr, NullSemantics) {
  EXPECT_EQ(Ev("n + 1"), Value::Null());
  EXPECT_EQ(Ev("-n"), Value::Null());
  EXPECT_EQ(Ev("n < 5"), Value::Null());
  EXPECT_EQ(Ev("n = null"), Value::Boolean(true));
  EXPECT_EQ(Ev("x = null"), Value::Boolean(false));
  EXPECT_EQ(Ev("n != null"), Value::Boolean(false));
  EXPECT_EQ(Ev("x != null"), Value::Boolean(true));
  EXPECT_EQ(Ev("n = 1"), Value::Boolean(false));
  EXPECT_EQ(Ev("is_null(n)"), Value::Boolean(true));
  EXPECT_EQ(Ev("is_null(x)"), Value::Boolean(false));
  EXPECT_EQ(Ev("abs(n)"), Value::Null());
  EXPECT_EQ(Ev("if n > 1 then 1 else 2"), Value::Integer(2));  // a null condition takes else
  EXPECT_EQ(Ev("null + 1"), Value::Null());
  // A reference of the wrong type reads as null.
  auto c = Compile("form.name");
  const std::vector<Value> refs = {Value::Integer(5)};
  EXPECT_EQ(c->program.Evaluate(*c->node, {refs, {}, std::nullopt}), Value::Null());
}

TEST(RulesExpr, IfThenElse) {
  EXPECT_EQ(Ev("if x > 5 then \"大\" else \"小\""), Value::String("大"));
  EXPECT_EQ(Ev("if x > 9 then 1 else 2.5"), Value::Decimal(2.5));
  EXPECT_EQ(Ev("if x > 5 then 1 else 2.5"), Value::Integer(1));
  EXPECT_EQ(Ev("if true then 1 else 2 + 3"), Value::Integer(1));
  EXPECT_EQ(Ev("if false then 1 else 2 + 3"), Value::Integer(5));
  EXPECT_EQ(Ev("if b then null else 3"), Value::Null());
}

TEST(RulesExpr, DateFunctionsAndArithmetic) {
  EXPECT_EQ(Ev("date(\"2027-08-31\")"), Value::Date({2027, 8, 31}));
  EXPECT_EQ(Ev("date(2027, 8, 31)"), Value::Date({2027, 8, 31}));
  EXPECT_EQ(Ev("date(year(today), 8, 31)"), Value::Date({2027, 8, 31}));
  EXPECT_EQ(Ev("year(dt)"), Value::Integer(2021));
  EXPECT_EQ(Ev("month(dt)"), Value::Integer(3));
  EXPECT_EQ(Ev("day(dt)"), Value::Integer(2));
  EXPECT_EQ(Ev("today"), Value::Date({2027, 5, 10}));
  EXPECT_EQ(Ev("years_between(dt, date(\"2027-08-31\"))"), Value::Integer(6));
  EXPECT_EQ(Ev("years_between(date(\"2021-09-01\"), date(\"2027-08-31\"))"), Value::Integer(5));
  EXPECT_EQ(Ev("years_between(date(\"2027-08-31\"), date(\"2021-09-01\"))"), Value::Integer(-5));
  EXPECT_EQ(Ev("years_between(date(\"2020-02-29\"), date(\"2021-02-28\"))"), Value::Integer(0));
  EXPECT_EQ(Ev("years_between(date(\"2020-02-29\"), date(\"2021-03-01\"))"), Value::Integer(1));
  EXPECT_EQ(Ev("months_between(date(\"2021-01-31\"), date(\"2021-02-28\"))"), Value::Integer(0));
  EXPECT_EQ(Ev("months_between(date(\"2021-01-15\"), date(\"2021-03-15\"))"), Value::Integer(2));
  EXPECT_EQ(Ev("months_between(date(\"2021-03-15\"), date(\"2021-01-15\"))"), Value::Integer(-2));
  EXPECT_EQ(Ev("days_between(date(\"2027-01-01\"), date(\"2027-03-01\"))"), Value::Integer(59));
  EXPECT_EQ(Ev("days_between(date(\"2027-03-01\"), date(\"2027-01-01\"))"), Value::Integer(-59));
  EXPECT_EQ(Ev("age(dt)"), Value::Integer(6));  // today 2027-05-10
  EXPECT_EQ(Ev("dt + 30"), Value::Date({2021, 4, 1}));
  EXPECT_EQ(Ev("dt - 1"), Value::Date({2021, 3, 1}));
  EXPECT_EQ(Ev("1 + dt"), Value::Date({2021, 3, 3}));
  // Constant failures are compile errors; runtime failures make the value null.
  EXPECT_EQ(CompileError("date(\"9999-12-31\") + 1"), "19: date outside the years 1..9999");
  EXPECT_EQ(CompileError("date(\"2027-02-30\")"), "0: date() needs a date \"YYYY-MM-DD\" of the years 1..9999");
  EXPECT_EQ(CompileError("date(2027, 2, 30)"), "0: no such date");
  std::string failure;
  EXPECT_EQ(Ev("dt + x * 1000000", DefaultInputs(), &failure), Value::Null());
  EXPECT_EQ(failure, "date outside the years 1..9999");
  EXPECT_EQ(Ev("date(s)"), Value::Null());
  // Date minus date is refused: days_between says which way.
  EXPECT_EQ(CompileError("dt - dt"), "3: date - date is not allowed; use days_between(a, b)");
  EXPECT_EQ(CompileError("dt + 1.5"), "3: a date moves by an integer number of days, not a decimal");
}

TEST(RulesExpr, StringAndNumberFunctions) {
  EXPECT_EQ(Ev("starts_with(s, \"浙江\")"), Value::Boolean(true));
  EXPECT_EQ(Ev("ends_with(s, \"西湖区\")"), Value::Boolean(true));
  EXPECT_EQ(Ev("ends_with(s, \"滨江区\")"), Value::Boolean(false));
  EXPECT_EQ(Ev("contains(s, \"杭州\")"), Value::Boolean(true));
  EXPECT_EQ(Ev("length(s)"), Value::Integer(9));  // code points, not bytes
  EXPECT_EQ(Ev("length(\"abc\")"), Value::Integer(3));
  EXPECT_EQ(Ev("min(3, 2.5)"), Value::Decimal(2.5));
  EXPECT_EQ(Ev("max(x, w)"), Value::Integer(7));
  EXPECT_EQ(Ev("min(dt, date(\"2020-01-01\"))"), Value::Date({2020, 1, 1}));
  EXPECT_EQ(Ev("max(\"a\", \"b\")"), Value::String("b"));
  EXPECT_EQ(Ev("abs(-3)"), Value::Integer(3));
  EXPECT_EQ(Ev("abs(-2.5)"), Value::Decimal(2.5));
  EXPECT_EQ(Ev("abs(x - 10)"), Value::Integer(3));
}

TEST(RulesExpr, TypeErrorsAreCompileErrors) {
  EXPECT_EQ(CompileError("\"a\" + 1"), "4: + cannot take a string (strings are compared, not computed)");
  EXPECT_EQ(CompileError("dt = 1"), "3: cannot compare date with integer");
  EXPECT_EQ(CompileError("x and true"), "0: and needs booleans, found integer");
  EXPECT_EQ(CompileError("true < false"), "5: booleans have no order: < cannot compare them");
  EXPECT_EQ(CompileError("if x then 1 else 2"), "3: the condition of if must be a boolean, found integer");
  EXPECT_EQ(CompileError("if b then 1 else \"a\""), "17: then gives integer but else gives string");
  EXPECT_EQ(CompileError("min(1, \"a\")"), "0: min needs two numbers, two dates or two strings, found integer and string");
  EXPECT_EQ(CompileError("year(x)"), "5: year needs a date, found integer");
  EXPECT_EQ(CompileError("not x"), "4: not needs a boolean, found integer");
  EXPECT_EQ(CompileError("b * 2"), "2: * cannot take boolean");
  EXPECT_EQ(CompileError("length(s, s)"), "0: length takes 1 argument, found 2");
  EXPECT_EQ(CompileError("date(1, 2)"), "0: date takes 1 or 3 arguments, found 2");
  EXPECT_EQ(CompileError("years_between(dt)"), "0: years_between takes 2 arguments, found 1");
  EXPECT_EQ(CompileError("x + foo(1)"), "4: unknown function foo");
  EXPECT_EQ(CompileError("x + y"), "4: unknown name y");
  EXPECT_EQ(CompileError("form.nam"), "0: unknown reference");
  EXPECT_EQ(CompileError("form.a.b"), "0: a reference is written form.<field>");
  EXPECT_EQ(CompileError("data.housing_fund_deposit"), "0: a reference is written data.<dataset>.<element>");
  // Several type errors in one expression are all reported.
  auto c = Compile("foo(1) + y");
  ASSERT_EQ(c->errors.size(), 2u);
  EXPECT_EQ(c->errors[1].offset, 9u);
}

TEST(RulesExpr, SyntaxErrors) {
  EXPECT_EQ(CompileError("1 +"), "3: expected a value, found the end");
  EXPECT_EQ(CompileError("(1"), "2: expected ')', found the end");
  EXPECT_EQ(CompileError("x @ 1"), "2: unexpected character '@'");
  EXPECT_EQ(CompileError("x ＝ 1"), "2: unexpected character '＝'");
  EXPECT_EQ(CompileError("1 2"), "2: expected an operator or the end of the expression, found 'a number'");
  EXPECT_EQ(CompileError("x < 2 < 3"), "6: expected an operator or the end of the expression, found '<'");
  EXPECT_EQ(CompileError("12abc"), "0: malformed number 12a");
  EXPECT_EQ(CompileError("if b then 1"), "11: expected else, found the end");
  EXPECT_EQ(CompileError(""), "0: expected a value, found the end");
  EXPECT_EQ(CompileError("x ! 1"), "2: unexpected '!' (write != for not equal, or not(...))");
}

TEST(RulesExpr, DepthIsBounded) {
  std::string nested = std::string(200, '(') + "1" + std::string(200, ')');
  EXPECT_NE(CompileError(nested).find("too deeply nested"), std::string::npos);
  std::string chain = "x";
  for (int i = 0; i < 100; ++i) chain += " + x";
  EXPECT_NE(CompileError(chain).find("too deeply nested"), std::string::npos);
  // Constants fold as they go, so a long constant chain is fine.
  std::string constants = "1";
  for (int i = 0; i < 100; ++i) constants += " + 1";
  EXPECT_EQ(Ev(constants), Value::Integer(101));
}

TEST(RulesExpr, FoldsConstants) {
  auto c = Compile("date(2027, 8, 31) + 1");
  ASSERT_TRUE(c->node);
  EXPECT_TRUE(c->program.IsConstant(*c->node));
  auto d = Compile("x + 1");
  ASSERT_TRUE(d->node);
  EXPECT_FALSE(d->program.IsConstant(*d->node));
  auto e = Compile("age(date(2020, 1, 1))");  // reads today: not folded
  ASSERT_TRUE(e->node);
  EXPECT_FALSE(e->program.IsConstant(*e->node));
}

// ---- cells, through Program directly ----

// Compiles `cell` on input v (index 0, of `type`; input w, an integer, is index 1) and matches it
// against `value` (and w = `w`).
struct CellCase {
  Program program;
  std::optional<CellId> first;
  CellId end = 0;
  std::vector<ExprError> errors;
};

std::unique_ptr<CellCase> CompileCellOn(ValueType type, std::string_view cell) {
  static const Scope::Input kCellInputs[] = {{"v", ValueType::kNull}, {"w", ValueType::kInteger}};
  auto c = std::make_unique<CellCase>();
  Scope::Input inputs[] = {{"v", type}, kCellInputs[1]};
  Scope scope;
  scope.inputs = inputs;
  auto id = c->program.CompileCell(cell, 0, type, scope, c->errors);
  if (id) {
    const CellId ids[] = {*id};
    c->first = c->program.Pack(ids);
    c->end = *c->first + (c->program.IsAny(*id) ? 0 : 1);
  }
  return c;
}

bool Matches(ValueType type, std::string_view cell, const Value& value, const Value& w = Value::Integer(3)) {
  auto c = CompileCellOn(type, cell);
  EXPECT_TRUE(c->first.has_value()) << cell << ": " << (c->errors.empty() ? "" : c->errors[0].reason);
  if (!c->first) return false;
  const std::vector<Value> inputs = {value, w};
  return c->program.CellsMatch(*c->first, c->end, inputs);
}

std::string CellError(ValueType type, std::string_view cell) {
  auto c = CompileCellOn(type, cell);
  if (c->errors.empty()) return "";
  return std::to_string(c->errors[0].offset) + ": " + c->errors[0].reason;
}

constexpr ValueType kInt = ValueType::kInteger;
constexpr ValueType kDec = ValueType::kDecimal;
constexpr ValueType kStr = ValueType::kString;
constexpr ValueType kBool = ValueType::kBoolean;
constexpr ValueType kDate = ValueType::kDate;

TEST(RulesCell, AnyAndNull) {
  EXPECT_TRUE(Matches(kInt, "-", Value::Integer(5)));
  EXPECT_TRUE(Matches(kInt, "-", Value::Null()));
  EXPECT_TRUE(Matches(kInt, "null", Value::Null()));
  EXPECT_FALSE(Matches(kInt, "null", Value::Integer(5)));
  EXPECT_TRUE(Matches(kInt, "= null", Value::Null()));
  EXPECT_TRUE(Matches(kInt, "!= null", Value::Integer(5)));
  EXPECT_FALSE(Matches(kInt, "!= null", Value::Null()));
}

TEST(RulesCell, Comparisons) {
  EXPECT_TRUE(Matches(kInt, "< 6", Value::Integer(5)));
  EXPECT_FALSE(Matches(kInt, "< 6", Value::Integer(6)));
  EXPECT_TRUE(Matches(kInt, "<= 6", Value::Integer(6)));
  EXPECT_TRUE(Matches(kInt, "> 6", Value::Integer(7)));
  EXPECT_FALSE(Matches(kInt, "> 6", Value::Integer(6)));
  EXPECT_TRUE(Matches(kInt, ">= 6", Value::Integer(6)));
  EXPECT_TRUE(Matches(kInt, "= 6", Value::Integer(6)));
  EXPECT_TRUE(Matches(kInt, "6", Value::Integer(6)));
  EXPECT_FALSE(Matches(kInt, "!= 6", Value::Integer(6)));
  EXPECT_TRUE(Matches(kInt, "!= 6", Value::Integer(7)));
  EXPECT_TRUE(Matches(kInt, "-6", Value::Integer(-6)));
  EXPECT_TRUE(Matches(kInt, "2 * 3", Value::Integer(6)));
  // A null input fails every test but "-" and null tests.
  EXPECT_FALSE(Matches(kInt, "< 6", Value::Null()));
  EXPECT_FALSE(Matches(kInt, "6", Value::Null()));
  EXPECT_FALSE(Matches(kInt, "!= 6", Value::Null()));
}

TEST(RulesCell, Ranges) {
  EXPECT_TRUE(Matches(kInt, "[6..15]", Value::Integer(6)));
  EXPECT_TRUE(Matches(kInt, "[6..15]", Value::Integer(15)));
  EXPECT_FALSE(Matches(kInt, "[6..15]", Value::Integer(16)));
  EXPECT_FALSE(Matches(kInt, "(6..15)", Value::Integer(6)));
  EXPECT_FALSE(Matches(kInt, "(6..15)", Value::Integer(15)));
  EXPECT_TRUE(Matches(kInt, "(6..15)", Value::Integer(7)));
  EXPECT_TRUE(Matches(kInt, "[6..15)", Value::Integer(6)));
  EXPECT_FALSE(Matches(kInt, "[6..15)", Value::Integer(15)));
  EXPECT_TRUE(Matches(kInt, "(6..15]", Value::Integer(15)));
  EXPECT_FALSE(Matches(kInt, "(6..15]", Value::Integer(6)));
  EXPECT_FALSE(Matches(kInt, "[6..15]", Value::Null()));
  EXPECT_TRUE(Matches(kDec, "[60..89.5]", Value::Decimal(89.5)));
  EXPECT_FALSE(Matches(kDec, "[60..89.5)", Value::Decimal(89.5)));
  EXPECT_TRUE(Matches(kDec, "> 60", Value::Decimal(60.01)));
  EXPECT_TRUE(Matches(kStr, "[\"a\"..\"c\"]", Value::String("b")));
  EXPECT_FALSE(Matches(kStr, "[\"a\"..\"c\")", Value::String("c")));
  EXPECT_TRUE(Matches(kDate, "[date(\"2020-01-01\")..date(\"2020-12-31\")]", Value::Date({2020, 6, 1})));
  EXPECT_TRUE(Matches(kDate, "< date(\"2020-01-01\")", Value::Date({2019, 12, 31})));
  EXPECT_FALSE(Matches(kDate, "< date(\"2020-01-01\")", Value::Date({2020, 1, 1})));
  // An integer input against decimal bounds.
  EXPECT_TRUE(Matches(kInt, "< 5.5", Value::Integer(5)));
  EXPECT_FALSE(Matches(kInt, "< 5.5", Value::Integer(6)));
  EXPECT_TRUE(Matches(kInt, "[1.5..3.5]", Value::Integer(2)));
  EXPECT_FALSE(Matches(kInt, "[1.5..3.5]", Value::Integer(1)));
  EXPECT_FALSE(Matches(kInt, "5.5", Value::Integer(5)));
  EXPECT_TRUE(Matches(kInt, "!= 5.5", Value::Integer(5)));
  EXPECT_TRUE(Matches(kInt, "5.0", Value::Integer(5)));
}

TEST(RulesCell, ListsAndNot) {
  EXPECT_TRUE(Matches(kStr, "\"A\", \"B\"", Value::String("B")));
  EXPECT_FALSE(Matches(kStr, "\"A\", \"B\"", Value::String("C")));
  EXPECT_TRUE(Matches(kStr, "\"已婚\"", Value::String("已婚")));
  EXPECT_TRUE(Matches(kInt, "1, [5..7]", Value::Integer(6)));
  EXPECT_FALSE(Matches(kInt, "1, [5..7]", Value::Integer(4)));
  EXPECT_TRUE(Matches(kInt, "1, (5..7)", Value::Integer(6)));
  EXPECT_TRUE(Matches(kInt, "(1 + 1), 9", Value::Integer(2)));  // a parenthesised value, not a range
  EXPECT_TRUE(Matches(kStr, "not(\"A\", \"B\")", Value::String("C")));
  EXPECT_FALSE(Matches(kStr, "not(\"A\", \"B\")", Value::String("A")));
  EXPECT_TRUE(Matches(kInt, "not([6..15])", Value::Integer(16)));
  // DMN: not(null) on null is false; not of a test that fails on null passes.
  EXPECT_FALSE(Matches(kInt, "not(null)", Value::Null()));
  EXPECT_TRUE(Matches(kInt, "not(null)", Value::Integer(1)));
  EXPECT_TRUE(Matches(kInt, "not(5)", Value::Null()));
  EXPECT_FALSE(Matches(kStr, "\"A\", \"B\"", Value::Null()));
}

TEST(RulesCell, BareExpressionsAndBooleans) {
  EXPECT_TRUE(Matches(kBool, "true", Value::Boolean(true)));
  EXPECT_FALSE(Matches(kBool, "true", Value::Boolean(false)));
  EXPECT_TRUE(Matches(kBool, "false", Value::Boolean(false)));
  EXPECT_FALSE(Matches(kBool, "false", Value::Null()));
  EXPECT_TRUE(Matches(kBool, "!= true", Value::Boolean(false)));
  EXPECT_TRUE(Matches(kDate, "date(\"2020-01-01\")", Value::Date({2020, 1, 1})));
  EXPECT_TRUE(Matches(kDate, "date(2020, 1, 1) + 1", Value::Date({2020, 1, 2})));
}

TEST(RulesCell, OperandsMayNameInputs) {
  EXPECT_TRUE(Matches(kInt, "> w", Value::Integer(5), Value::Integer(3)));
  EXPECT_FALSE(Matches(kInt, "> w", Value::Integer(2), Value::Integer(3)));
  EXPECT_TRUE(Matches(kInt, "[w..w + 2]", Value::Integer(5), Value::Integer(3)));
  EXPECT_FALSE(Matches(kInt, "[w..w + 2]", Value::Integer(6), Value::Integer(3)));
  EXPECT_TRUE(Matches(kInt, "w, 9", Value::Integer(3), Value::Integer(3)));
  // An operand that is null fails the test (!= passes: a value is not null).
  EXPECT_FALSE(Matches(kInt, "> w", Value::Integer(5), Value::Null()));
  EXPECT_TRUE(Matches(kInt, "!= w", Value::Integer(5), Value::Null()));
  EXPECT_FALSE(Matches(kInt, "> w", Value::Null(), Value::Integer(3)));
}

TEST(RulesCell, MalformedCellsAreRefused) {
  EXPECT_EQ(CellError(kInt, "\"abc\""), "0: input v is integer; this test compares it with string");
  EXPECT_EQ(CellError(kInt, "< \"abc\""), "2: input v is integer; this test compares it with string");
  EXPECT_EQ(CellError(kInt, "[1..\"x\"]"), "4: input v is integer; this range bound is string");
  EXPECT_EQ(CellError(kBool, "< true"), "0: input v is a boolean: test it with true, false or null, not <");
  EXPECT_EQ(CellError(kBool, "[false..true]"), "0: input v is a boolean: a range cannot hold it");
  EXPECT_EQ(CellError(kInt, "[1.."), "4: expected a value, found the end");
  EXPECT_EQ(CellError(kInt, "[1, 2]"), "2: expected '..' in a range [a..b], found ','");
  EXPECT_EQ(CellError(kInt, "-, 1"), "0: \"-\" (any value) must be the whole cell");
  EXPECT_EQ(CellError(kInt, ""), "0: empty cell: write \"-\" for any value");
  EXPECT_EQ(CellError(kInt, "  "), "0: empty cell: write \"-\" for any value");
  EXPECT_EQ(CellError(kInt, "[15..6]"), "1: empty range: its lower bound is above its upper bound");
  EXPECT_EQ(CellError(kDate, "< today"), "2: today cannot be used in a cell (compute what you need in an input)");
  EXPECT_EQ(CellError(kInt, "< age(date(2020, 1, 1))"), "2: age() reads today, which a cell cannot (compute the age in an input)");
  EXPECT_EQ(CellError(kStr, "form.name"), "0: a cell cannot read form.name...: cells test inputs; add an input");
  EXPECT_EQ(CellError(kInt, "not(1"), "5: expected ',' or ')' closing not(, found the end");
  EXPECT_EQ(CellError(kInt, "1 1"), "2: expected ',' or the end of the cell, found 'a number'");
  EXPECT_EQ(CellError(kInt, "@#!"), "0: unexpected character '@'");
  EXPECT_EQ(CellError(kStr, "“已婚”"), "0: unexpected character '“'");
}

// ---- decision tables ----

// A 秒批 table for compulsory-education enrolment (first hit).
constexpr std::string_view kEnrolment = R"T(# data/services/rules/enrolment_eligibility_check.toml
item = "enrolment_eligibility_check"
version = 3
hit_policy = "first"
title_zh = "义务教育入学资格自动审核"
title_en = "Compulsory education enrolment: automatic eligibility check"

[[input]]
name = "child_age"
label_zh = "子女年龄（截至当年8月31日，周岁）"
label_en = "Child's age on 31 August (full years)"
type = "integer"
expr = 'years_between(form.child_birth_date, date(year(today), 8, 31))'

[[input]]
name = "household_in_district"
label_zh = "户籍在学区内"
label_en = "Household registered in the school district"
type = "boolean"
expr = 'starts_with(data.household_registration.household_address, "浙江省杭州市西湖区")'

[[input]]
name = "home_in_district"
label_zh = "学区内房产"
label_en = "Home owned in the school district"
type = "boolean"
expr = 'license.real_estate_certificate and contains(license.real_estate_certificate.location, "西湖区")'
required = false

[[rule]]
when = { child_age = "< 6" }
outcome = "reject"
reason_zh = "子女未满6周岁，暂不符合入学年龄"
reason_en = "The child is under 6"

[[rule]]
when = { child_age = "[6..15]", household_in_district = "true" }
outcome = "approve"
reason_zh = "户籍在学区内，年龄符合入学要求"
reason_en = "Household registered in the school district and the child is of school age"

[[rule]]
when = { child_age = "[6..15]", household_in_district = "false", home_in_district = "true" }
outcome = "approve"
reason_zh = "在学区内有房产，年龄符合入学要求"
reason_en = "A home in the school district and the child is of school age"

[[rule]]
when = { child_age = "[6..15]" }
outcome = "refer"
reason_zh = "户籍和房产均不在学区内，需人工核实居住情况"
reason_en = "Neither household nor home in the district; staff check the residence"
)T";

// One value per reference of `t`, by reference text; others null (licences: not held).
std::vector<Value> Refs(const DecisionTable& t, const std::map<std::string, Value>& given) {
  std::vector<Value> refs;
  for (const Reference& r : t.references()) {
    auto it = given.find(r.Text());
    if (it != given.end()) {
      refs.push_back(it->second);
    } else if (r.kind == Reference::Kind::kLicense && r.b.empty()) {
      refs.push_back(Value::Boolean(false));
    } else {
      refs.push_back(Value::Null());
    }
  }
  return refs;
}

const DecisionTable& Enrolment() {
  static const DecisionTable* t = [] {
    auto parsed = Load(kEnrolment, "enrolment_eligibility_check.toml");
    EXPECT_TRUE(parsed.ok()) << Dump(parsed.status());
    return new DecisionTable(std::move(parsed).value());
  }();
  return *t;
}

constexpr CivilDate kToday{2027, 5, 10};

TEST(RulesTable, ParsesTheEnrolmentTable) {
  const DecisionTable& t = Enrolment();
  EXPECT_EQ(t.item(), "enrolment_eligibility_check");
  EXPECT_EQ(t.version(), 3);
  EXPECT_EQ(t.hit_policy(), HitPolicy::kFirst);
  EXPECT_EQ(t.title_zh(), "义务教育入学资格自动审核");
  ASSERT_EQ(t.inputs().size(), 3u);
  EXPECT_EQ(t.inputs()[0].name, "child_age");
  EXPECT_EQ(t.inputs()[0].type, ValueType::kInteger);
  EXPECT_EQ(t.inputs()[0].line, 8);
  EXPECT_TRUE(t.inputs()[0].required);
  EXPECT_FALSE(t.inputs()[2].required);
  ASSERT_EQ(t.rows().size(), 4u);
  EXPECT_EQ(t.rows()[1].number, 2);
  EXPECT_EQ(t.rows()[1].line, 36);
  EXPECT_EQ(t.rows()[1].cells.at("child_age"), "[6..15]");
  EXPECT_EQ(t.rows()[1].outcome, Outcome::kApprove);
  std::vector<std::string> refs;
  for (const Reference& r : t.references()) refs.push_back(r.Text());
  EXPECT_EQ(refs, (std::vector<std::string>{"form.child_birth_date", "data.household_registration.household_address",
                                            "license.real_estate_certificate",
                                            "license.real_estate_certificate.location"}));
  EXPECT_EQ(t.references()[2].type, ValueType::kBoolean);
  EXPECT_EQ(t.references()[3].type, ValueType::kString);
  EXPECT_EQ(t.ApproveRows(), (std::vector<int>{2, 3}));
  EXPECT_EQ(t.fingerprint().size(), 16u);
}

TEST(RulesTable, FirstHitApproves) {
  const DecisionTable& t = Enrolment();
  Decision d = t.Evaluate(Refs(t, {{"form.child_birth_date", Value::Date({2021, 3, 2})},
                                   {"data.household_registration.household_address",
                                    Value::String("浙江省杭州市西湖区文三路1号")}}),
                          kToday);
  EXPECT_EQ(d.outcome, Outcome::kApprove);
  EXPECT_EQ(d.rows, (std::vector<int>{2}));
  EXPECT_EQ(d.inputs[0], Value::Integer(6));
  EXPECT_EQ(d.inputs[1], Value::Boolean(true));
  EXPECT_EQ(d.inputs[2], Value::Boolean(false));  // not held: false and null = false
  EXPECT_EQ(d.reason_zh, "户籍在学区内，年龄符合入学要求");
  EXPECT_TRUE(d.missing.empty());
}

TEST(RulesTable, FirstHitRejectsAndRefers) {
  const DecisionTable& t = Enrolment();
  const Value west = Value::String("浙江省杭州市西湖区文三路1号");
  const Value east = Value::String("浙江省杭州市滨江区江南大道2号");
  Decision young = t.Evaluate(Refs(t, {{"form.child_birth_date", Value::Date({2022, 3, 2})},
                                       {"data.household_registration.household_address", west}}),
                              kToday);
  EXPECT_EQ(young.outcome, Outcome::kReject);
  EXPECT_EQ(young.rows, (std::vector<int>{1}));
  EXPECT_EQ(young.reason_en, "The child is under 6");

  Decision home = t.Evaluate(Refs(t, {{"form.child_birth_date", Value::Date({2019, 9, 1})},
                                      {"data.household_registration.household_address", east},
                                      {"license.real_estate_certificate", Value::Boolean(true)},
                                      {"license.real_estate_certificate.location",
                                       Value::String("浙江省杭州市西湖区古荡新村5幢")}}),
                             kToday);
  EXPECT_EQ(home.outcome, Outcome::kApprove);
  EXPECT_EQ(home.rows, (std::vector<int>{3}));

  Decision neither = t.Evaluate(Refs(t, {{"form.child_birth_date", Value::Date({2019, 9, 1})},
                                         {"data.household_registration.household_address", east}}),
                                kToday);
  EXPECT_EQ(neither.outcome, Outcome::kRefer);
  EXPECT_EQ(neither.rows, (std::vector<int>{4}));
}

TEST(RulesTable, NoMatchRefers) {
  const DecisionTable& t = Enrolment();
  Decision d = t.Evaluate(Refs(t, {{"form.child_birth_date", Value::Date({2008, 1, 1})},
                                   {"data.household_registration.household_address", Value::String("x")}}),
                          kToday);
  EXPECT_EQ(d.outcome, Outcome::kRefer);
  EXPECT_TRUE(d.rows.empty());
  EXPECT_EQ(d.reason_zh, "没有规则命中，转人工审核");
  EXPECT_EQ(d.reason_en, "No rule matched; referred to staff");
}

TEST(RulesTable, MissingRequiredInputsReferWithTheirLabels) {
  const DecisionTable& t = Enrolment();
  Decision one = t.Evaluate(Refs(t, {{"data.household_registration.household_address", Value::String("x")}}), kToday);
  EXPECT_EQ(one.outcome, Outcome::kRefer);
  EXPECT_TRUE(one.rows.empty());
  EXPECT_EQ(one.missing, (std::vector<std::string>{"child_age"}));
  EXPECT_EQ(one.reason_zh, "缺少数据：子女年龄（截至当年8月31日，周岁），转人工审核");
  EXPECT_EQ(one.reason_en, "Missing data: Child's age on 31 August (full years); referred to staff");

  Decision two = t.Evaluate(Refs(t, {}), kToday);
  EXPECT_EQ(two.missing, (std::vector<std::string>{"child_age", "household_in_district"}));
  EXPECT_EQ(two.reason_zh, "缺少数据：子女年龄（截至当年8月31日，周岁）、户籍在学区内，转人工审核");
  EXPECT_EQ(two.reason_en,
            "Missing data: Child's age on 31 August (full years), Household registered in the school district; "
            "referred to staff");
  // A non-required input may be null: the table runs.
  Decision opt = t.Evaluate(Refs(t, {{"form.child_birth_date", Value::Date({2019, 9, 1})},
                                     {"data.household_registration.household_address", Value::String("滨江区")},
                                     {"license.real_estate_certificate", Value::Boolean(true)}}),
                            kToday);
  EXPECT_TRUE(opt.inputs[2].is_null());  // true and null = null
  EXPECT_TRUE(opt.missing.empty());
  EXPECT_EQ(opt.rows, (std::vector<int>{4}));
}

TEST(RulesTable, ExplanationJsonAndReplay) {
  const DecisionTable& t = Enrolment();
  Decision d = t.Evaluate(Refs(t, {{"form.child_birth_date", Value::Date({2021, 3, 2})},
                                   {"data.household_registration.household_address",
                                    Value::String("浙江省杭州市西湖区文三路1号")}}),
                          kToday);
  boost::json::object j = d.ToJson(t);
  EXPECT_EQ(j.at("outcome"), "approve");
  EXPECT_EQ(j.at("rows"), boost::json::array({2}));
  const boost::json::array& ins = j.at("inputs").as_array();
  ASSERT_EQ(ins.size(), 3u);
  EXPECT_EQ(ins[0].at("name"), "child_age");
  EXPECT_EQ(ins[0].at("label_zh"), "子女年龄（截至当年8月31日，周岁）");
  EXPECT_EQ(ins[0].at("label_en"), "Child's age on 31 August (full years)");
  EXPECT_EQ(ins[0].at("value"), 6);
  EXPECT_EQ(ins[1].at("value"), true);
  EXPECT_EQ(j.at("missing"), boost::json::array());
  EXPECT_EQ(j.at("reason_zh"), "户籍在学区内，年龄符合入学要求");
  EXPECT_EQ(j.at("rule").at("item"), "enrolment_eligibility_check");
  EXPECT_EQ(j.at("rule").at("version"), 3);
  EXPECT_EQ(j.at("rule").at("fingerprint").as_string(), t.fingerprint());

  // Stored as JSON text and read back, the decision replays to the same rows and outcome.
  const boost::json::object stored = boost::json::parse(boost::json::serialize(j)).as_object();
  auto again = t.Replay(stored);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, d.outcome);
  EXPECT_EQ(again->rows, d.rows);
  EXPECT_EQ(again->inputs, d.inputs);
  EXPECT_EQ(again->reason_zh, d.reason_zh);

  boost::json::object other = stored;
  other["rule"].as_object()["version"] = 2;
  EXPECT_EQ(t.Replay(other).status().code(), ErrorCode::kFailedPrecondition);
  boost::json::object edited = stored;
  edited["rule"].as_object()["fingerprint"] = "0000000000000000";
  EXPECT_EQ(t.Replay(edited).status().code(), ErrorCode::kFailedPrecondition);
  boost::json::object bad = stored;
  bad["inputs"].as_array()[0].as_object()["value"] = "六";
  auto refused = t.Replay(bad);
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(), "inputs/0/value: expected an integer, got the string \"六\"");
}

TEST(RulesTable, DecideIsTheHotPath) {
  const DecisionTable& t = Enrolment();
  std::vector<int> rows;
  rows.reserve(t.rows().size());
  const std::vector<Value> in = {Value::Integer(7), Value::Boolean(false), Value::Boolean(true)};
  EXPECT_EQ(t.Decide(in, rows), Outcome::kApprove);
  EXPECT_EQ(rows, (std::vector<int>{3}));
  const std::vector<Value> missing = {Value::Null(), Value::Boolean(false), Value::Boolean(true)};
  EXPECT_EQ(t.Decide(missing, rows), Outcome::kRefer);
  EXPECT_TRUE(rows.empty());
  const std::vector<Value> short_span = {Value::Integer(7)};
  EXPECT_EQ(t.Decide(short_span, rows), Outcome::kRefer);
  // ComputeInputs checks the references' count and types.
  EXPECT_FALSE(t.ComputeInputs(std::vector<Value>{Value::Null()}, kToday).ok());
  auto typed = t.ComputeInputs(std::vector<Value>{Value::Integer(1), Value::Null(), Value::Boolean(false), Value::Null()},
                               kToday);
  ASSERT_FALSE(typed.ok());
  EXPECT_TRUE(HasError(typed.status(), "form.child_birth_date", "expected date, got integer"));
  auto fine = t.ComputeInputs(Refs(t, {{"form.child_birth_date", Value::Date({2021, 3, 2})}}), kToday);
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ((*fine)[0], Value::Integer(6));
}

TEST(RulesTable, CopiesDecideAlike) {
  DecisionTable copy = Enrolment();
  DecisionTable moved = std::move(copy);
  std::vector<int> rows;
  const std::vector<Value> in = {Value::Integer(9), Value::Boolean(true), Value::Null()};
  EXPECT_EQ(moved.Decide(in, rows), Outcome::kApprove);
  EXPECT_EQ(rows, (std::vector<int>{2}));
}

TEST(RulesTable, ConcurrentConstUseAgrees) {
  const DecisionTable& t = Enrolment();
  auto run = [&](int seed, std::vector<std::string>* out) {
    for (int i = 0; i < 2000; ++i) {
      const int year = 2008 + (seed + i) % 20;
      Decision d = t.Evaluate(Refs(t, {{"form.child_birth_date", Value::Date({year, 3, 2})},
                                       {"data.household_registration.household_address",
                                        Value::String(i % 3 == 0 ? "浙江省杭州市滨江区" : "浙江省杭州市西湖区")}}),
                              kToday);
      out->push_back(std::string(OutcomeName(d.outcome)) + d.reason_zh);
    }
  };
  std::vector<std::string> a, b, alone;
  std::thread ta(run, 0, &a), tb(run, 0, &b);
  ta.join();
  tb.join();
  run(0, &alone);
  EXPECT_EQ(a, alone);
  EXPECT_EQ(b, alone);
}

// A housing-fund withdrawal table; `policy` and the rows vary.
std::string FundTable(std::string_view policy, std::string_view rows) {
  return std::string(R"T(item = "housing_fund_withdrawal"
version = 1
hit_policy = ")T") + std::string(policy) + R"T("
title_zh = "住房公积金提取"
title_en = "Housing fund withdrawal"

[[input]]
name = "balance"
label_zh = "账户余额（分）"
label_en = "Account balance (fen)"
type = "integer"
expr = 'data.housing_fund_deposit.balance_fen'

[[input]]
name = "status"
label_zh = "缴存状态"
label_en = "Deposit status"
type = "string"
expr = 'data.housing_fund_deposit.status'

[[input]]
name = "credit"
label_zh = "纳税信用等级"
label_en = "Tax credit rating"
type = "string"
expr = 'data.tax_payment.credit_rating'
required = false

[[input]]
name = "floor"
label_zh = "最低余额（分）"
label_en = "Minimum balance (fen)"
type = "integer"
expr = '100000'
)T" + std::string(rows);
}

TEST(RulesTable, UniqueRefusesRowsThatProvablyOverlap) {
  auto overlapping = Load(FundTable("unique", R"T(
[[rule]]
when = { balance = "[0..500000]", status = "\"正常\"" }
outcome = "approve"
reason_zh = "正常缴存"
reason_en = "Depositing"

[[rule]]
when = { balance = "[300000..900000]" }
outcome = "reject"
reason_zh = "余额不足"
reason_en = "Balance too low"
)T"));
  ASSERT_FALSE(overlapping.ok());
  EXPECT_TRUE(HasError(overlapping.status(), "t.toml:42:1", "rows 1 (line 36) and 2 (line 42) overlap"))
      << Dump(overlapping.status());

  // Disjoint ranges, half-open bounds, different list values, not(...), true/false: accepted.
  auto disjoint = Load(FundTable("unique", R"T(
[[rule]]
when = { balance = "[0..100000)", status = "\"正常\"" }
outcome = "reject"
reason_zh = "余额不足"
reason_en = "Balance too low"

[[rule]]
when = { balance = "[100000..500000]", status = "\"正常\", \"封存\"" }
outcome = "approve"
reason_zh = "正常"
reason_en = "Fine"

[[rule]]
when = { balance = "> 500000", status = "not(\"正常\", \"封存\")" }
outcome = "refer"
reason_zh = "状态异常"
reason_en = "Unusual status"

[[rule]]
when = { balance = "> 500000", status = "\"正常\"" }
outcome = "approve"
reason_zh = "余额充足"
reason_en = "Ample balance"

[[rule]]
when = { balance = "null" }
outcome = "refer"
reason_zh = "无余额"
reason_en = "No balance"
)T"));
  EXPECT_TRUE(disjoint.ok()) << Dump(disjoint.status());

  // A cell with an operand that is not a constant cannot be decided: not refused.
  auto opaque = Load(FundTable("unique", R"T(
[[rule]]
when = { balance = ">= floor" }
outcome = "approve"
reason_zh = "余额达到下限"
reason_en = "Balance at or above the floor"

[[rule]]
when = { balance = "> 0" }
outcome = "refer"
reason_zh = "余额为正"
reason_en = "Positive balance"
)T"));
  ASSERT_TRUE(opaque.ok()) << Dump(opaque.status());
  // ...but when both match at runtime, the decision is referred.
  Decision d = opaque->Evaluate(Refs(*opaque, {{"data.housing_fund_deposit.balance_fen", Value::Integer(200000)},
                                               {"data.housing_fund_deposit.status", Value::String("正常")}}),
                                kToday);
  EXPECT_EQ(d.outcome, Outcome::kRefer);
  EXPECT_EQ(d.rows, (std::vector<int>{1, 2}));
  EXPECT_EQ(d.reason_zh, "多条规则同时命中，转人工审核");
  EXPECT_EQ(d.reason_en, "More than one rule matched; referred to staff");
  Decision one = opaque->Evaluate(Refs(*opaque, {{"data.housing_fund_deposit.balance_fen", Value::Integer(50)},
                                                 {"data.housing_fund_deposit.status", Value::String("正常")}}),
                                  kToday);
  EXPECT_EQ(one.outcome, Outcome::kRefer);
  EXPECT_EQ(one.rows, (std::vector<int>{2}));
  EXPECT_EQ(one.reason_zh, "余额为正");
}

TEST(RulesTable, UniqueOverlapCases) {
  auto check = [](std::string_view a, std::string_view b) {
    std::string rows = "\n[[rule]]\nwhen = { " + std::string(a) +
                       " }\noutcome = \"approve\"\nreason_zh = \"甲\"\nreason_en = \"A\"\n\n[[rule]]\nwhen = { " +
                       std::string(b) + " }\noutcome = \"reject\"\nreason_zh = \"乙\"\nreason_en = \"B\"\n";
    return !Load(FundTable("unique", rows)).ok();
  };
  EXPECT_TRUE(check("balance = \"-\"", "balance = \"5\""));
  EXPECT_TRUE(check("status = \"\\\"A\\\", \\\"B\\\"\"", "status = \"\\\"B\\\"\""));
  EXPECT_FALSE(check("status = \"\\\"A\\\"\"", "status = \"not(\\\"A\\\")\""));
  EXPECT_FALSE(check("balance = \"[1..5)\"", "balance = \"[5..9]\""));
  EXPECT_TRUE(check("balance = \"[1..5]\"", "balance = \"[5..9]\""));
  EXPECT_FALSE(check("balance = \"(4..5)\"", "balance = \"-\""));  // nothing lies strictly between 4 and 5
  EXPECT_FALSE(check("balance = \"< 5.5\"", "balance = \"6\""));
  EXPECT_TRUE(check("balance = \"< 5.5\"", "balance = \"5\""));
  EXPECT_FALSE(check("balance = \"null\"", "balance = \"!= null\""));
  EXPECT_TRUE(check("balance = \"not(5)\"", "balance = \"null\""));
  EXPECT_FALSE(check("balance = \"not(null, [0..10])\"", "balance = \"3\""));
  EXPECT_FALSE(check("status = \"< \\\"b\\\"\"", "status = \">= \\\"b\\\"\""));
  EXPECT_FALSE(check("balance = \"5\", status = \"\\\"A\\\"\"", "balance = \"5\", status = \"\\\"B\\\"\""));
  EXPECT_TRUE(check("balance = \"5\", credit = \"-\"", "balance = \"[5..6]\", status = \"-\""));
}

TEST(RulesTable, CollectTakesTheMostSevereAndJoinsReasons) {
  auto t = Load(FundTable("collect", R"T(
[[rule]]
when = { status = "\"正常\"" }
outcome = "approve"
reason_zh = "正常缴存"
reason_en = "Depositing normally"

[[rule]]
when = { credit = "\"D\"" }
outcome = "refer"
reason_zh = "纳税信用等级为D"
reason_en = "Tax credit rating D"

[[rule]]
when = { balance = "< floor" }
outcome = "reject"
reason_zh = "余额低于下限"
reason_en = "Balance below the floor"
)T"));
  ASSERT_TRUE(t.ok()) << Dump(t.status());
  auto decide = [&](int64_t balance, std::string credit) {
    return t->Evaluate(Refs(*t, {{"data.housing_fund_deposit.balance_fen", Value::Integer(balance)},
                                 {"data.housing_fund_deposit.status", Value::String("正常")},
                                 {"data.tax_payment.credit_rating", Value::String(credit)}}),
                       kToday);
  };
  Decision all = decide(50000, "D");
  EXPECT_EQ(all.outcome, Outcome::kReject);
  EXPECT_EQ(all.rows, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(all.reason_zh, "正常缴存；纳税信用等级为D；余额低于下限");
  EXPECT_EQ(all.reason_en, "Depositing normally; Tax credit rating D; Balance below the floor");
  Decision two = decide(500000, "D");
  EXPECT_EQ(two.outcome, Outcome::kRefer);
  EXPECT_EQ(two.rows, (std::vector<int>{1, 2}));
  Decision one = decide(500000, "A");
  EXPECT_EQ(one.outcome, Outcome::kApprove);
  EXPECT_EQ(one.reason_zh, "正常缴存");
}

// ---- malformed rule files: every problem at its file:line:column ----

// A small valid file, one line per element so that columns are easy to count; `replace` swaps
// whole lines (1-based).
std::string Mini(const std::map<int, std::string>& replace = {}) {
  std::vector<std::string> lines = {
      "item = \"school_meal_subsidy\"",             // 1
      "version = 1",                                 // 2
      "hit_policy = \"first\"",                      // 3
      "title_zh = \"学生餐补助\"",                   // 4
      "title_en = \"School meal subsidy\"",          // 5
      "[[input]]",                                   // 6
      "name = \"age\"",                              // 7
      "label_zh = \"年龄\"",                         // 8
      "label_en = \"Age\"",                          // 9
      "type = \"integer\"",                          // 10
      "expr = 'age(form.birth_date)'",               // 11
      "[[input]]",                                   // 12
      "name = \"income\"",                           // 13
      "label_zh = \"家庭月收入\"",                   // 14
      "label_en = \"Monthly household income\"",     // 15
      "type = \"decimal\"",                          // 16
      "expr = 'form.monthly_income'",                // 17
      "[[rule]]",                                    // 18
      "when = { age = \"[6..15]\", income = \"< 3000\" }",  // 19
      "outcome = \"approve\"",                       // 20
      "reason_zh = \"符合补助条件\"",                // 21
      "reason_en = \"Eligible\"",                    // 22
  };
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto it = replace.find(static_cast<int>(i) + 1);
    out += (it != replace.end() ? it->second : lines[i]) + "\n";
  }
  return out;
}

// The single error of `text`, as "field reason".
std::string OnlyError(const std::string& text) {
  auto parsed = Load(text);
  if (parsed.ok()) return "(accepted)";
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
  const auto errors = Errors(parsed.status());
  EXPECT_EQ(errors.size(), 1u) << Dump(parsed.status());
  return errors.empty() ? "" : errors[0];
}

TEST(RulesFile, TheMiniFileParses) {
  auto t = Load(Mini());
  ASSERT_TRUE(t.ok()) << Dump(t.status());
  std::vector<int> rows;
  EXPECT_EQ(t->Decide(std::vector<Value>{Value::Integer(8), Value::Decimal(2500)}, rows), Outcome::kApprove);
  EXPECT_EQ(t->Decide(std::vector<Value>{Value::Integer(8), Value::Decimal(3000)}, rows), Outcome::kRefer);
}

TEST(RulesFile, TomlSyntaxError) {
  EXPECT_EQ(OnlyError(Mini({{4, "title_zh = \"学生餐补助"}})),
            "t.toml:4:18 TOML: Error while parsing string: unescaped control characters other than TAB (U+0009) are "
            "explicitly prohibited");
  // Regression (fuzz): toml++ put an error at the end of the text one column past the last
  // newline; it is reported at the start of the empty line after it, a position in the text.
  auto eof = Load("item = '''x\n");
  ASSERT_FALSE(eof.ok());
  ASSERT_EQ(eof.status().fields().size(), 1u);
  EXPECT_EQ(eof.status().fields()[0].field, "t.toml:2:1");
}


TEST(RulesFile, UnknownKeys) {
  EXPECT_EQ(OnlyError(Mini({{22, "reason_en = \"Eligible\"\nnote = \"x\""}})), "t.toml:23:1 rule 1: unknown key \"note\"");
  EXPECT_EQ(OnlyError(Mini({{9, "label_en = \"Age\"\nlabel = \"x\""}})), "t.toml:10:1 input age: unknown key \"label\"");
  EXPECT_EQ(OnlyError(Mini({{2, "version = 1\nauthor = \"x\""}})), "t.toml:3:1 unknown key \"author\"");
}

TEST(RulesFile, UnknownInputInACell) {
  EXPECT_EQ(OnlyError(Mini({{19, "when = { agee = \"[6..15]\", income = \"< 3000\" }"}})),
            "t.toml:19:10 rule 1: unknown input agee in when (inputs: age, income)");
}

TEST(RulesFile, UnknownReferences) {
  EXPECT_EQ(OnlyError(Mini({{17, "expr = 'form.monthly_incom'"}})),
            "t.toml:17:9 input income: unknown form field monthly_incom");
  EXPECT_EQ(OnlyError(Mini({{17, "expr = '1.5 * data.household_registration.income'"}})),
            "t.toml:17:15 input income: unknown data element household_registration.income");
  EXPECT_EQ(OnlyError(Mini({{11, "expr = 'if license.driving_licence then 1 else 0'"}})),
            "t.toml:11:12 input age: unknown licence type driving_licence");
  EXPECT_EQ(OnlyError(Mini({{11, "expr = 'length(license.real_estate_certificate.area)'"}})),
            "t.toml:11:16 input age: licence type real_estate_certificate has no field area");
  // An input may use only the inputs before it.
  EXPECT_EQ(OnlyError(Mini({{11, "expr = 'age(form.birth_date) + income'"}})), "t.toml:11:32 input age: unknown name income");
}

TEST(RulesFile, UnknownFunctionAndWrongArity) {
  EXPECT_EQ(OnlyError(Mini({{11, "expr = 'agee(form.birth_date)'"}})), "t.toml:11:9 input age: unknown function agee");
  EXPECT_EQ(OnlyError(Mini({{11, "expr = 'age(form.birth_date, 1)'"}})),
            "t.toml:11:9 input age: age takes 1 argument, found 2");
}

TEST(RulesFile, TypeClashInAnExpression) {
  EXPECT_EQ(OnlyError(Mini({{17, "expr = 'form.monthly_income + \"元\"'"}})),
            "t.toml:17:29 input income: + cannot take a string (strings are compared, not computed)");
  // Columns count characters: the Chinese before the error moves it by one each.
  EXPECT_EQ(OnlyError(Mini({{17, "expr = 'if contains(form.applicant_name, \"张三\") then 1.0 else \"二\"'"}})),
            "t.toml:17:62 input income: then gives decimal but else gives string");
  // In a basic string, escapes are walked: \" and \u5f20 are two and six characters of the line.
  EXPECT_EQ(OnlyError(Mini({{17, R"(expr = "if \"\u5f20\" = form.applicant_name then 1 else \"x\"")"}})),
            "t.toml:17:57 input income: then gives integer but else gives string");
  // In a multi-line literal string, the line and column of the line the error is on.
  EXPECT_EQ(OnlyError(Mini({{17, "expr = '''\nform.monthly_income +\n  \"元\"'''"}})),
            "t.toml:18:21 input income: + cannot take a string (strings are compared, not computed)");
}

TEST(RulesFile, TypeClashInACell) {
  EXPECT_EQ(OnlyError(Mini({{19, "when = { age = \"[6..15]\", income = '\"低\"' }"}})),
            "t.toml:19:37 rule 1, cell income: input income is decimal; this test compares it with string");
  EXPECT_EQ(OnlyError(Mini({{19, "when = { age = \"[6..\\\"十五\\\"]\", income = \"< 3000\" }"}})),
            "t.toml:19:21 rule 1, cell age: input age is integer; this range bound is string");
}

TEST(RulesFile, InputTypeVersusDeclaredType) {
  EXPECT_EQ(OnlyError(Mini({{16, "type = \"integer\""}})),
            "t.toml:17:9 input income: declared integer but its expr gives decimal");
  EXPECT_EQ(OnlyError(Mini({{16, "type = \"number\""}})),
            "t.toml:16:8 input income: type must be boolean, integer, decimal, string or date, not \"number\"");
}

TEST(RulesFile, DuplicateAndReservedInputNames) {
  auto dup = Load(Mini({{13, "name = \"age\""}}));
  ASSERT_FALSE(dup.ok());
  EXPECT_TRUE(HasError(dup.status(), "t.toml:13:8", "input age: duplicate input name (first defined at line 6)"))
      << Dump(dup.status());
  EXPECT_TRUE(HasError(dup.status(), "t.toml:19:27", "unknown input income")) << Dump(dup.status());
  auto reserved = Load(Mini({{13, "name = \"today\""}}));
  ASSERT_FALSE(reserved.ok());
  EXPECT_TRUE(HasError(reserved.status(), "t.toml:13:8", "\"today\" is a reserved word")) << Dump(reserved.status());
  auto bad = Load(Mini({{13, "name = \"Income\""}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(HasError(bad.status(), "t.toml:13:8", "name must match [a-z_][a-z0-9_]*")) << Dump(bad.status());
}

TEST(RulesFile, BadOutcomeAndPolicy) {
  EXPECT_EQ(OnlyError(Mini({{20, "outcome = \"approved\""}})),
            "t.toml:20:11 rule 1: outcome must be approve, reject or refer, not \"approved\"");
  EXPECT_EQ(OnlyError(Mini({{3, "hit_policy = \"any\""}})),
            "t.toml:3:14 hit_policy must be unique, first or collect, not \"any\"");
  EXPECT_EQ(OnlyError(Mini({{2, "version = 0"}})), "t.toml:2:11 version must be between 1 and 1000000000");
  EXPECT_EQ(OnlyError(Mini({{21, "reason_zh = \"\""}})), "t.toml:21:13 rule 1: reason_zh must not be empty");
  EXPECT_EQ(OnlyError(Mini({{20, "# no outcome"}})), "t.toml:18:1 rule 1: outcome is required");
}

TEST(RulesFile, OverlappingRowsUnderUnique) {
  auto t = Load(Mini({{3, "hit_policy = \"unique\""},
                      {22, "reason_en = \"Eligible\"\n[[rule]]\nwhen = { age = \"[12..18]\" }\noutcome = \"refer\"\n"
                           "reason_zh = \"高年级\"\nreason_en = \"Older\""}}));
  ASSERT_FALSE(t.ok());
  ASSERT_EQ(Errors(t.status()).size(), 1u) << Dump(t.status());
  EXPECT_EQ(Errors(t.status())[0],
            "t.toml:23:1 rows 1 (line 18) and 2 (line 23) overlap: some inputs match both, and hit_policy \"unique\" "
            "allows one");
}

TEST(RulesFile, UnterminatedStringAndGarbageCell) {
  EXPECT_EQ(OnlyError(Mini({{17, "expr = 'form.monthly_income = \"abc'"}})),
            "t.toml:17:31 input income: unterminated string");
  EXPECT_EQ(OnlyError(Mini({{19, "when = { age = \"[6..15]\", income = \"@@\" }"}})),
            "t.toml:19:37 rule 1, cell income: unexpected character '@'");
  EXPECT_EQ(OnlyError(Mini({{19, "when = { age = \"[6..15\", income = \"< 3000\" }"}})),
            "t.toml:19:23 rule 1, cell age: expected ']' or ')' to close the range, found the end");
  EXPECT_EQ(OnlyError(Mini({{19, "when = { age = 6, income = \"< 3000\" }"}})),
            "t.toml:19:16 rule 1: the cell of age must be a string (write \"true\", \"6\", \"[6..15]\")");
}

TEST(RulesFile, EveryErrorIsReportedAtOnce) {
  auto t = Load(Mini({{11, "expr = 'agee(form.birth_date)'"},
                      {17, "expr = 'form.monthly_incom'"},
                      {19, "when = { age = \"[6..15]\", income = \"@@\" }"},
                      {20, "outcome = \"approved\""}}));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(Errors(t.status()),
            (std::vector<std::string>{"t.toml:11:9 input age: unknown function agee",
                                      "t.toml:17:9 input income: unknown form field monthly_incom",
                                      "t.toml:20:11 rule 1: outcome must be approve, reject or refer, not \"approved\"",
                                      "t.toml:19:37 rule 1, cell income: unexpected character '@'"}));
  EXPECT_EQ(t.status().message(), "rules t.toml: 4 errors; first: t.toml:11:9: input age: unknown function agee");
}

TEST(RulesFile, EmptyAndMissing) {
  auto empty = Load("");
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(HasError(empty.status(), "t.toml:1:1", "item is required"));
  EXPECT_TRUE(HasError(empty.status(), "t.toml:1:1", "at least one [[input]]"));
  EXPECT_TRUE(HasError(empty.status(), "t.toml:1:1", "at least one [[rule]]"));
  std::string head = Mini();
  head = head.substr(0, head.find("[[input]]"));
  auto not_tables = Load(head + "input = 3\nrule = \"r\"\n");
  ASSERT_FALSE(not_tables.ok());
  EXPECT_EQ(Errors(not_tables.status()),
            (std::vector<std::string>{"t.toml:6:9 input must be an array of tables [[input]]",
                                      "t.toml:7:8 rule must be an array of tables [[rule]]"}));
}

// ---- examples ----

constexpr std::string_view kEnrolmentExamples = R"T([[example]]
name = "西湖区户籍、6周岁 → 通过"
today = "2027-05-10"
form = { child_birth_date = "2021-03-02" }
data = { household_registration = { household_address = "浙江省杭州市西湖区文三路1号" } }
expect = "approve"
rows = [2]
reason_contains = "学区"

[[example]]
name = "未满6周岁 → 不通过"
today = 2027-05-10
form = { child_birth_date = 2022-03-02 }
data = { household_registration = { household_address = "浙江省杭州市西湖区文三路1号" } }
expect = "reject"
rows = [1]

[[example]]
name = "学区内有房产 → 通过"
today = "2027-05-10"
form = { child_birth_date = "2019-09-01" }
data = { household_registration = { household_address = "浙江省杭州市滨江区江南大道2号" } }
licenses = { real_estate_certificate = { location = "浙江省杭州市西湖区古荡新村5幢" } }
expect = "approve"
rows = [3]

[[example]]
name = "缺出生日期 → 转人工"
today = "2027-05-10"
data = { household_registration = { household_address = "浙江省杭州市西湖区文三路1号" } }
expect = "refer"
reason_contains = "缺少数据"
)T";

TEST(RulesExamples, PassingExamples) {
  auto results = RunExamples(Enrolment(), "enrolment_eligibility_check.test.toml", kEnrolmentExamples);
  ASSERT_TRUE(results.ok()) << Dump(results.status());
  ASSERT_EQ(results->size(), 4u);
  for (const ExampleResult& r : *results) EXPECT_TRUE(r.passed) << r.name << ": " << r.message;
  EXPECT_EQ((*results)[0].name, "西湖区户籍、6周岁 → 通过");
  EXPECT_EQ((*results)[0].line, 1);
  EXPECT_EQ((*results)[1].line, 10);
  EXPECT_EQ((*results)[1].decision.outcome, Outcome::kReject);
  EXPECT_EQ((*results)[3].decision.missing, (std::vector<std::string>{"child_age"}));
}

TEST(RulesExamples, FailingExamplesSayWhatDiffered) {
  auto results = RunExamples(Enrolment(), "e.test.toml", R"T([[example]]
name = "too old"
today = "2027-05-10"
form = { child_birth_date = "2008-01-01" }
data = { household_registration = { household_address = "浙江省杭州市西湖区文三路1号" } }
expect = "approve"

[[example]]
name = "wrong row"
today = "2027-05-10"
form = { child_birth_date = "2021-03-02" }
data = { household_registration = { household_address = "浙江省杭州市西湖区文三路1号" } }
expect = "approve"
rows = [3]
reason_contains = "房产"
)T");
  ASSERT_TRUE(results.ok()) << Dump(results.status());
  ASSERT_EQ(results->size(), 2u);
  EXPECT_FALSE((*results)[0].passed);
  EXPECT_EQ((*results)[0].message, "expected approve, got refer (没有规则命中，转人工审核)");
  EXPECT_FALSE((*results)[1].passed);
  EXPECT_EQ((*results)[1].message,
            "expected rows [3], fired [2]; the reason does not contain \"房产\": 户籍在学区内，年龄符合入学要求");
}

TEST(RulesExamples, MalformedExampleFilesAreRefusedWithPositions) {
  auto results = RunExamples(Enrolment(), "e.test.toml", R"T([[example]]
name = "坏例子"
today = "2027-05-10"
form = { child_birth_date = "2021/03/02", applicant_name = "张三" }
data = { household_registration = { birth_date = "2021-03-02" } }
licenses = { marriage_certificate = {} }
expect = "approved"
color = "red"
)T");
  ASSERT_FALSE(results.ok());
  const Status& s = results.status();
  EXPECT_EQ(s.fields().size(), 6u) << Dump(s);
  EXPECT_TRUE(HasError(s, "e.test.toml:8:1", "example: unknown key \"color\"")) << Dump(s);
  EXPECT_TRUE(HasError(s, "e.test.toml:7:10", "expect must be approve, reject or refer")) << Dump(s);
  EXPECT_TRUE(HasError(s, "e.test.toml:4:29",
                       "form.child_birth_date: expected a date \"YYYY-MM-DD\", got the string \"2021/03/02\""))
      << Dump(s);
  EXPECT_TRUE(HasError(s, "e.test.toml:4:43", "form.applicant_name is not used by the rules")) << Dump(s);
  EXPECT_TRUE(HasError(s, "e.test.toml:5:37", "data.household_registration.birth_date is not used")) << Dump(s);
  EXPECT_TRUE(HasError(s, "e.test.toml:6:14", "license.marriage_certificate is not used")) << Dump(s);

  auto missing = RunExamples(Enrolment(), "e.test.toml", "[[example]]\nname = \"x\"\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(HasError(missing.status(), "e.test.toml:1:1", "today is required")) << Dump(missing.status());
  EXPECT_TRUE(HasError(missing.status(), "e.test.toml:1:1", "expect is required")) << Dump(missing.status());

  auto bad_toml = RunExamples(Enrolment(), "e.test.toml", "[[example]]\nname = \"x\n");
  ASSERT_FALSE(bad_toml.ok());
  ASSERT_EQ(bad_toml.status().fields().size(), 1u);
  EXPECT_TRUE(bad_toml.status().fields()[0].field.starts_with("e.test.toml:2:"));

  auto none = RunExamples(Enrolment(), "e.test.toml", "# nothing\n");
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(HasError(none.status(), "e.test.toml:1:1", "needs [[example]] tables"));

  auto bad_rows = RunExamples(Enrolment(), "e.test.toml",
                              "[[example]]\nname = \"x\"\ntoday = \"2027-05-10\"\nexpect = \"refer\"\nrows = [9]\n");
  ASSERT_FALSE(bad_rows.ok());
  EXPECT_TRUE(HasError(bad_rows.status(), "e.test.toml:5:9", "rows holds row numbers 1..4")) << Dump(bad_rows.status());
}

// ---- values and JSON ----

TEST(RulesValue, JsonRoundTrips) {
  EXPECT_EQ(ToJson(Value::Date({2021, 3, 2})), "2021-03-02");
  EXPECT_EQ(ToJson(Value::Decimal(89.5)), 89.5);
  EXPECT_EQ(ToJson(Value::Null()), nullptr);
  EXPECT_EQ(*ValueFromJson("2021-03-02", ValueType::kDate), Value::Date({2021, 3, 2}));
  EXPECT_EQ(*ValueFromJson(89, ValueType::kDecimal), Value::Decimal(89));
  EXPECT_EQ(*ValueFromJson("89.50", ValueType::kDecimal), Value::Decimal(89.5));
  EXPECT_EQ(*ValueFromJson("-42", ValueType::kInteger), Value::Integer(-42));
  EXPECT_EQ(*ValueFromJson(nullptr, ValueType::kString), Value::Null());
  EXPECT_EQ(*ValueFromJson(true, ValueType::kBoolean), Value::Boolean(true));
  EXPECT_EQ(ValueFromJson("是", ValueType::kBoolean).status().message(),
            "expected a boolean (true or false), got the string \"是\"");
  EXPECT_FALSE(ValueFromJson("89.5", ValueType::kInteger).ok());
  EXPECT_FALSE(ValueFromJson("1e3", ValueType::kDecimal).ok());
  EXPECT_FALSE(ValueFromJson("2021-02-30", ValueType::kDate).ok());
  EXPECT_FALSE(ValueFromJson(5, ValueType::kString).ok());
  EXPECT_FALSE(ValueFromJson(boost::json::value(18446744073709551615ull), ValueType::kInteger).ok());
  EXPECT_EQ(ParseValueType("decimal"), ValueType::kDecimal);
  EXPECT_EQ(ParseValueType("null"), std::nullopt);
  EXPECT_EQ(ValueText(Value::String("已婚")), "\"已婚\"");
  EXPECT_EQ(ValueText(Value::Decimal(90)), "90.0");
  EXPECT_EQ(ValueText(Value::Date({2021, 3, 2})), "date(\"2021-03-02\")");
  EXPECT_NE(Value::Integer(1), Value::Decimal(1));
}

}  // namespace
}  // namespace tongban::service::rules
