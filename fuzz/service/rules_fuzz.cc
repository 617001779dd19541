// Fuzz target: the 秒批 rules language (src/service/rules). Every input is fed twice:
//  (a) as one expression, and as a cell on an integer and on a string input, through Program:
//      a refusal has errors with offsets inside the text and a reason; an accepted expression
//      evaluates (over nulls and over ordinary values) to null or a value of its static type;
//  (b) as a whole rule file, through DecisionTable::Parse over a small vocabulary: a refusal lists
//      errors named "f.toml:<line>:<column>" inside the text, each with a reason; an accepted table
//      evaluates, its decision's JSON replays to the same rows and outcome, and the text also goes
//      through RunExamples as an example file (refused or run, never a crash).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "service/rules/decision_table.h"
#include "service/rules/examples.h"
#include "service/rules/expr.h"

namespace {

using namespace tongban;                 // NOLINT
using namespace tongban::service::rules;  // NOLINT

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

const Scope::Input kInputs[] = {{"x", ValueType::kInteger}, {"d", ValueType::kDecimal}, {"s", ValueType::kString},
                                {"b", ValueType::kBoolean}, {"dt", ValueType::kDate}};

Result<RefSlot> ResolveRef(Reference::Kind kind, std::string_view a, std::string_view b) {
  if (kind == Reference::Kind::kForm && a == "birth_date") return RefSlot{0, ValueType::kDate};
  if (kind == Reference::Kind::kForm && a == "name") return RefSlot{1, ValueType::kString};
  if (kind == Reference::Kind::kData && a == "fund" && b == "balance") return RefSlot{2, ValueType::kInteger};
  return Status::InvalidArgument("unknown reference");
}

bool Fits(const Value& v, ValueType type) {
  return v.is_null() || v.type() == type || (type == ValueType::kDecimal && v.type() == ValueType::kInteger);
}

void Expression(std::string_view text) {
  Program program;
  Scope scope;
  scope.inputs = kInputs;
  scope.today = true;
  scope.reference = ResolveRef;
  std::vector<ExprError> errors;
  auto node = program.CompileExpression(text, scope, errors);
  if (!node) {
    Check(!errors.empty());
    for (const ExprError& e : errors) Check(e.offset <= text.size() && !e.reason.empty());
  } else {
    Check(errors.empty());
    const ValueType type = program.TypeOf(*node);
    const std::vector<Value> nulls(5), no_refs(3);
    const std::vector<Value> inputs = {Value::Integer(7), Value::Decimal(2.5), Value::String("浙江省杭州市"),
                                       Value::Boolean(true), Value::Date({2021, 3, 2})};
    const std::vector<Value> refs = {Value::Date({1990, 2, 28}), Value::String("张三"), Value::Integer(-5)};
    Check(Fits(program.Evaluate(*node, {no_refs, nulls, std::nullopt}), type));
    Check(Fits(program.Evaluate(*node, {refs, inputs, CivilDate{2027, 5, 10}}), type));
    Check(Fits(program.Evaluate(*node, {refs, inputs, CivilDate{9999, 12, 31}}), type));
  }
  // As cells, on the integer input x and the string input s.
  Scope cell_scope;
  cell_scope.inputs = kInputs;
  for (uint32_t input : {0u, 2u}) {
    std::vector<ExprError> cell_errors;
    auto cell = program.CompileCell(text, input, kInputs[input].type, cell_scope, cell_errors);
    if (!cell) {
      Check(!cell_errors.empty());
      for (const ExprError& e : cell_errors) Check(e.offset <= text.size() && !e.reason.empty());
      continue;
    }
    const CellId ids[] = {*cell};
    const CellId first = program.Pack(ids);
    const CellId end = first + (program.IsAny(*cell) ? 0 : 1);
    const std::vector<Value> nulls(5);
    const std::vector<Value> inputs = {Value::Integer(7), Value::Decimal(2.5), Value::String("B"),
                                       Value::Boolean(false), Value::Date({2021, 3, 2})};
    (void)program.CellsMatch(first, end, nulls);
    (void)program.CellsMatch(first, end, inputs);
  }
}

Vocabulary FuzzVocabulary() {
  Vocabulary v;
  v.form = [](std::string_view f) -> std::optional<ValueType> {
    if (f == "child_birth_date" || f == "birth_date") return ValueType::kDate;
    if (f == "name" || f == "address") return ValueType::kString;
    if (f == "income") return ValueType::kDecimal;
    if (f == "size") return ValueType::kInteger;
    if (f == "married") return ValueType::kBoolean;
    return std::nullopt;
  };
  v.data = [](std::string_view d, std::string_view e) -> std::optional<ValueType> {
    if (d == "household_registration" && e == "household_address") return ValueType::kString;
    if (d == "housing_fund_deposit" && e == "balance_fen") return ValueType::kInteger;
    return std::nullopt;
  };
  v.license_type = [](std::string_view t) { return t == "real_estate_certificate"; };
  v.license_field = [](std::string_view t, std::string_view f) { return t == "real_estate_certificate" && f == "location"; };
  return v;
}

// Code points on each line (1-based lines; [0] unused).
std::vector<size_t> LineLengths(std::string_view text) {
  std::vector<size_t> out = {0, 0};
  for (unsigned char c : text) {
    if (c == '\n') {
      out.push_back(0);
    } else if ((c & 0xC0) != 0x80) {
      ++out.back();
    }
  }
  return out;
}

// Every error of a refusal is named "<file>:<line>:<column>" inside the text, with a reason.
void CheckErrors(const Status& status, std::string_view file, std::string_view text) {
  const auto& errors = status.fields();
  Check(!errors.empty());
  const std::vector<size_t> lines = LineLengths(text);
  const std::string prefix = std::string(file) + ":";
  for (const FieldError& e : errors) {
    Check(e.field.starts_with(prefix));
    const std::string rest = e.field.substr(prefix.size());
    const size_t colon = rest.find(':');
    Check(colon != std::string::npos && colon > 0 && colon + 1 < rest.size() && rest.size() < 20);
    for (size_t k = 0; k < rest.size(); ++k) Check(k == colon || (rest[k] >= '0' && rest[k] <= '9'));
    const size_t line = std::stoul(rest.substr(0, colon));
    const size_t column = std::stoul(rest.substr(colon + 1));
    Check(line >= 1 && line < lines.size());
    Check(column >= 1 && column <= lines[line] + 1);
    Check(!e.reason.empty());
  }
}

void RuleFile(std::string_view text) {
  static const Vocabulary vocabulary = FuzzVocabulary();
  auto parsed = DecisionTable::Parse("f.toml", text, vocabulary);
  if (!parsed.ok()) {
    CheckErrors(parsed.status(), "f.toml", text);
    return;
  }
  const DecisionTable& t = *parsed;
  Check(!t.inputs().empty() && !t.rows().empty());
  const std::vector<Value> nulls(t.references().size());
  for (CivilDate today : {CivilDate{2027, 5, 10}, CivilDate{1, 1, 1}, CivilDate{9999, 12, 31}}) {
    Decision d = t.Evaluate(nulls, today);
    Check(d.inputs.size() == t.inputs().size());
    Check(d.outcome == Outcome::kRefer || !d.rows.empty());
    auto again = t.Replay(d.ToJson(t));
    Check(again.ok());
    Check(again->outcome == d.outcome && again->rows == d.rows);
  }
  std::vector<Value> refs;
  for (const Reference& r : t.references()) {
    switch (r.type) {
      case ValueType::kBoolean: refs.push_back(Value::Boolean(true)); break;
      case ValueType::kInteger: refs.push_back(Value::Integer(120000)); break;
      case ValueType::kDecimal: refs.push_back(Value::Decimal(2999.5)); break;
      case ValueType::kString: refs.push_back(Value::String("浙江省杭州市西湖区")); break;
      case ValueType::kDate: refs.push_back(Value::Date({2021, 3, 2})); break;
      case ValueType::kNull: refs.push_back(Value::Null()); break;
    }
  }
  Decision d = t.Evaluate(refs, {2027, 5, 10});
  std::vector<int> rows;
  Check(t.Decide(d.inputs, rows) == d.outcome || !d.missing.empty());
  auto again = t.Replay(d.ToJson(t));
  Check(again.ok() && again->outcome == d.outcome && again->rows == d.rows);
  auto examples = RunExamples(t, "f.test.toml", text);
  if (!examples.ok()) CheckErrors(examples.status(), "f.test.toml", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Expression(text);
  RuleFile(text);
  return 0;
}
