// The expression language and cells; see expr.h. Grammar and semantics: docs/rules.md.
//
// Compilation is one pass: the lexer makes tokens, a recursive-descent parser builds nodes
// bottom-up, type-checking each as it is made and folding it to a constant when its children are
// constants (the folder is the evaluator, so folding and evaluation cannot disagree). Recursion is
// bounded twice: the parser refuses nesting deeper than kMaxNesting, and a node deeper than
// kMaxDepth (a long chain "a + b + c + ..." is deep without nesting), so Eval's recursion is
// bounded by kMaxDepth.
#include "service/rules/expr.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace tongban::service::rules {

std::string Reference::Text() const {
  switch (kind) {
    case Kind::kForm: return "form." + a;
    case Kind::kData: return "data." + a + "." + b;
    case Kind::kLicense: return b.empty() ? "license." + a : "license." + a + "." + b;
  }
  return a;
}

struct Program::RtVal {
  ValueType t = ValueType::kNull;
  int64_t i = 0;  // boolean (0/1), integer, date (days)
  double d = 0;   // decimal
  std::string_view s;
};

struct Program::Ctx {
  std::span<const Value> refs;
  std::span<const Value> inputs;
  int64_t today = 0;
  bool has_today = false;
  const char* error = nullptr;  // the first runtime failure
};

namespace {

using RtVal = Program::RtVal;

constexpr int kMaxNesting = 40;  // parser recursion
constexpr int kMaxDepth = 64;    // node depth: Eval recursion

int64_t MinDay() { return DaysFromCivil({1, 1, 1}); }
int64_t MaxDay() { return DaysFromCivil({9999, 12, 31}); }

bool Numeric(ValueType t) { return t == ValueType::kInteger || t == ValueType::kDecimal; }
bool Ordered(ValueType t) { return t != ValueType::kBoolean; }

// The common type of two operands that may meet (if/min/max branches, both sides of =): equal
// types, integer with decimal (decimal), null with anything.
std::optional<ValueType> Unify(ValueType a, ValueType b) {
  if (a == ValueType::kNull) return b;
  if (b == ValueType::kNull || a == b) return a;
  if (Numeric(a) && Numeric(b)) return ValueType::kDecimal;
  return std::nullopt;
}

std::string TypeName(ValueType t) { return std::string(ValueTypeName(t)); }

RtVal Bool(bool b) { return {ValueType::kBoolean, b ? 1 : 0, 0, {}}; }
RtVal Int(int64_t i) { return {ValueType::kInteger, i, 0, {}}; }
RtVal Dec(double d) { return {ValueType::kDecimal, 0, d, {}}; }
RtVal DateDays(int64_t days) { return {ValueType::kDate, days, 0, {}}; }
double Num(const RtVal& v) { return v.t == ValueType::kDecimal ? v.d : static_cast<double>(v.i); }

// Reads a value as the declared type: an integer where a decimal is declared widens; null, an
// index past the end and any other type read as null.
RtVal Read(std::span<const Value> values, uint32_t index, ValueType want) {
  if (index >= values.size()) return {};
  const Value& v = values[index];
  if (v.type() == want) {
    switch (want) {
      case ValueType::kBoolean: return Bool(v.boolean());
      case ValueType::kInteger: return Int(v.integer());
      case ValueType::kDecimal: return Dec(v.decimal());
      case ValueType::kString: return {ValueType::kString, 0, 0, v.string()};
      case ValueType::kDate: return DateDays(v.days());
      case ValueType::kNull: return {};
    }
  }
  if (want == ValueType::kDecimal && v.type() == ValueType::kInteger) return Dec(static_cast<double>(v.integer()));
  return {};
}

// -1, 0, 1; 2 when the two cannot be compared (a type mismatch the checker did not see).
int Cmp(const RtVal& a, const RtVal& b) {
  if (a.t == ValueType::kInteger && b.t == ValueType::kInteger) return (a.i > b.i) - (a.i < b.i);
  if (Numeric(a.t) && Numeric(b.t)) {
    const double x = Num(a), y = Num(b);
    if (std::isnan(x) || std::isnan(y)) return 2;
    return (x > y) - (x < y);
  }
  if (a.t != b.t) return 2;
  if (a.t == ValueType::kString) {
    const int c = a.s.compare(b.s);
    return (c > 0) - (c < 0);
  }
  return (a.i > b.i) - (a.i < b.i);
}

int64_t FullYears(CivilDate a, CivilDate b) {
  if (b < a) return -FullYears(b, a);
  int64_t y = b.year - a.year;
  if (std::pair(b.month, b.day) < std::pair(a.month, a.day)) --y;
  return y;
}

int64_t FullMonths(CivilDate a, CivilDate b) {
  if (b < a) return -FullMonths(b, a);
  int64_t m = int64_t{b.year - a.year} * 12 + (b.month - a.month);
  if (b.day < a.day) --m;
  return m;
}

int64_t CodePoints(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

enum class Fn : uint8_t {
  kDate, kYear, kMonth, kDay, kYearsBetween, kMonthsBetween, kDaysBetween, kAge,
  kStartsWith, kEndsWith, kContains, kLength, kMin, kMax, kAbs, kIsNull,
};

struct FnInfo {
  std::string_view name;
  Fn fn;
  int min_args, max_args;
};

constexpr FnInfo kFunctions[] = {
    {"date", Fn::kDate, 1, 3},
    {"year", Fn::kYear, 1, 1},
    {"month", Fn::kMonth, 1, 1},
    {"day", Fn::kDay, 1, 1},
    {"years_between", Fn::kYearsBetween, 2, 2},
    {"months_between", Fn::kMonthsBetween, 2, 2},
    {"days_between", Fn::kDaysBetween, 2, 2},
    {"age", Fn::kAge, 1, 1},
    {"starts_with", Fn::kStartsWith, 2, 2},
    {"ends_with", Fn::kEndsWith, 2, 2},
    {"contains", Fn::kContains, 2, 2},
    {"length", Fn::kLength, 1, 1},
    {"min", Fn::kMin, 2, 2},
    {"max", Fn::kMax, 2, 2},
    {"abs", Fn::kAbs, 1, 1},
    {"is_null", Fn::kIsNull, 1, 1},
};

const FnInfo* FindFunction(std::string_view name) {
  for (const FnInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool IsKeyword(std::string_view s) {
  for (std::string_view k : {"and", "or", "not", "in", "if", "then", "else", "true", "false", "null"}) {
    if (s == k) return true;
  }
  return false;
}

// ---- Lexer ----

enum class Tok : uint8_t {
  kEnd, kInt, kDec, kStr, kName,
  kLParen, kRParen, kLBracket, kRBracket, kComma, kDot, kDotDot,
  kEq, kNe, kLt, kLe, kGt, kGe, kPlus, kMinus, kStar,
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t pos = 0;
  int64_t i = 0;
  double d = 0;
  std::string text;  // kStr: the decoded string; kName: the name
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c); }

// The character at `pos` for a message: ASCII as is, a UTF-8 sequence whole.
std::string CharAt(std::string_view s, size_t pos) {
  const unsigned char c = static_cast<unsigned char>(s[pos]);
  size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  n = std::min(n, s.size() - pos);
  if (c < 0x20 || c == 0x7F) return "a control character";
  return "'" + std::string(s.substr(pos, n)) + "'";
}

bool Lex(std::string_view s, std::vector<Token>& out, std::vector<ExprError>& errors) {
  size_t i = 0;
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    Token t;
    t.pos = i;
    if (i == s.size()) {
      out.push_back(std::move(t));
      return true;
    }
    const char c = s[i];
    if (IsDigit(c)) {
      size_t j = i;
      while (j < s.size() && IsDigit(s[j])) ++j;
      bool decimal = false;
      if (j + 1 < s.size() && s[j] == '.' && IsDigit(s[j + 1])) {
        decimal = true;
        ++j;
        while (j < s.size() && IsDigit(s[j])) ++j;
      }
      if (j < s.size() && IsNameChar(s[j])) {
        errors.push_back({i, "malformed number " + std::string(s.substr(i, j + 1 - i))});
        return false;
      }
      if (decimal) {
        t.kind = Tok::kDec;
        auto [end, ec] = std::from_chars(s.data() + i, s.data() + j, t.d, std::chars_format::fixed);
        if (ec != std::errc() || !std::isfinite(t.d)) {
          errors.push_back({i, "decimal literal out of range"});
          return false;
        }
      } else {
        t.kind = Tok::kInt;
        auto [end, ec] = std::from_chars(s.data() + i, s.data() + j, t.i);
        if (ec != std::errc()) {
          errors.push_back({i, "integer literal out of range (64-bit integers)"});
          return false;
        }
      }
      i = j;
    } else if (c == '"') {
      t.kind = Tok::kStr;
      size_t j = i + 1;
      bool closed = false;
      while (j < s.size()) {
        if (s[j] == '"') {
          closed = true;
          ++j;
          break;
        }
        if (s[j] == '\\') {
          if (j + 1 >= s.size()) break;
          const char e = s[j + 1];
          if (e == '"' || e == '\\') {
            t.text += e;
          } else if (e == 'n') {
            t.text += '\n';
          } else {
            errors.push_back({j, "unknown escape \\" + (e < 0x20 || e == 0x7F ? std::string("?") : std::string(1, e)) +
                                     " in a string (use \\\", \\\\ or \\n)"});
            return false;
          }
          j += 2;
          continue;
        }
        t.text += s[j++];
      }
      if (!closed) {
        errors.push_back({i, "unterminated string"});
        return false;
      }
      i = j;
    } else if (IsNameStart(c)) {
      t.kind = Tok::kName;
      size_t j = i;
      while (j < s.size() && IsNameChar(s[j])) ++j;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else {
      const char n = i + 1 < s.size() ? s[i + 1] : '\0';
      size_t len = 1;
      switch (c) {
        case '(': t.kind = Tok::kLParen; break;
        case ')': t.kind = Tok::kRParen; break;
        case '[': t.kind = Tok::kLBracket; break;
        case ']': t.kind = Tok::kRBracket; break;
        case ',': t.kind = Tok::kComma; break;
        case '.':
          t.kind = n == '.' ? Tok::kDotDot : Tok::kDot;
          len = n == '.' ? 2 : 1;
          break;
        case '=': t.kind = Tok::kEq; break;
        case '!':
          if (n != '=') {
            errors.push_back({i, "unexpected '!' (write != for not equal, or not(...))"});
            return false;
          }
          t.kind = Tok::kNe;
          len = 2;
          break;
        case '<':
          t.kind = n == '=' ? Tok::kLe : Tok::kLt;
          len = n == '=' ? 2 : 1;
          break;
        case '>':
          t.kind = n == '=' ? Tok::kGe : Tok::kGt;
          len = n == '=' ? 2 : 1;
          break;
        case '+': t.kind = Tok::kPlus; break;
        case '-': t.kind = Tok::kMinus; break;
        case '*': t.kind = Tok::kStar; break;
        default:
          errors.push_back({i, "unexpected character " + CharAt(s, i)});
          return false;
      }
      i += len;
    }
    out.push_back(std::move(t));
  }
}

std::string_view TokText(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd: return "end of text";
    case Tok::kInt:
    case Tok::kDec: return "a number";
    case Tok::kStr: return "a string";
    case Tok::kName: return t.text;
    case Tok::kLParen: return "(";
    case Tok::kRParen: return ")";
    case Tok::kLBracket: return "[";
    case Tok::kRBracket: return "]";
    case Tok::kComma: return ",";
    case Tok::kDot: return ".";
    case Tok::kDotDot: return "..";
    case Tok::kEq: return "=";
    case Tok::kNe: return "!=";
    case Tok::kLt: return "<";
    case Tok::kLe: return "<=";
    case Tok::kGt: return ">";
    case Tok::kGe: return ">=";
    case Tok::kPlus: return "+";
    case Tok::kMinus: return "-";
    case Tok::kStar: return "*";
  }
  return "?";
}

}  // namespace

// ---- Parser: tokens to type-checked, folded nodes ----

class ExprParser {
 public:
  using Op = Program::Op;
  using Node = Program::Node;
  using Atom = Program::Atom;
  using AtomOp = Program::AtomOp;

  // A parsed operand: its node and static type; `bad` after a type or name error (reported once;
  // whatever uses a bad operand stays quiet).
  struct R {
    NodeId node = 0;
    ValueType type = ValueType::kNull;
    bool bad = false;
    size_t pos = 0;
  };

  ExprParser(Program& p, const Scope& scope, std::vector<ExprError>& errors) : p_(p), scope_(scope), errors_(errors) {}

  bool Lex(std::string_view text) {
    text_size_ = text.size();
    return rules::Lex(text, toks_, errors_);
  }

  // expr := or
  std::optional<R> Expression() { return Or(); }

  bool AtEnd() const { return Peek().kind == Tok::kEnd; }
  const Token& Peek(size_t k = 0) const { return toks_[std::min(at_ + k, toks_.size() - 1)]; }
  bool Is(Tok k) const { return Peek().kind == k; }
  bool IsKw(std::string_view kw, size_t k = 0) const { return Peek(k).kind == Tok::kName && Peek(k).text == kw; }
  void Advance(size_t n = 1) { at_ = std::min(at_ + n, toks_.size() - 1); }
  bool Accept(Tok k) {
    if (!Is(k)) return false;
    Advance();
    return true;
  }

  // A syntax error at the current token; returns nullopt for `return Syntax(...)`.
  std::nullopt_t Syntax(std::string_view expected) {
    const Token& t = Peek();
    std::string got = t.kind == Tok::kEnd ? "the end" : "'" + std::string(TokText(t)) + "'";
    if (t.kind == Tok::kStr) got = "a string";
    errors_.push_back({t.kind == Tok::kEnd ? text_size_ : t.pos, "expected " + std::string(expected) + ", found " + got});
    return std::nullopt;
  }

  bool Expect(Tok k, std::string_view what) {
    if (Accept(k)) return true;
    Syntax(what);
    return false;
  }

  R Error(size_t pos, std::string reason) {
    errors_.push_back({pos, std::move(reason)});
    return R{0, ValueType::kNull, true, pos};
  }

  // ---- cells ----

  // The atoms of one test of a cell on input `input` of type `type`; nullopt on a syntax error,
  // an empty vector after a type error (reported).
  std::optional<std::vector<Atom>> Test(uint32_t input, ValueType type) {
    const size_t pos = Peek().pos;
    if (Is(Tok::kMinus) && (Peek(1).kind == Tok::kEnd || Peek(1).kind == Tok::kComma || Peek(1).kind == Tok::kRParen)) {
      errors_.push_back({pos, "\"-\" (any value) must be the whole cell"});
      return std::nullopt;
    }
    static constexpr std::pair<Tok, Op> kOps[] = {{Tok::kEq, Op::kEq}, {Tok::kNe, Op::kNe}, {Tok::kLt, Op::kLt},
                                                  {Tok::kLe, Op::kLe}, {Tok::kGt, Op::kGt}, {Tok::kGe, Op::kGe}};
    for (auto [tok, op] : kOps) {
      if (Is(tok)) {
        Advance();
        auto e = Expression();
        if (!e) return std::nullopt;
        return CompareAtom(op, *e, input, type, pos);
      }
    }
    if (Is(Tok::kLBracket) || Is(Tok::kLParen)) {
      bool is_range = false;
      auto range = Range(&is_range);
      if (is_range) {
        if (!range) return std::nullopt;
        return RangeAtom(*range, input, type, pos);
      }
    }
    auto e = Expression();
    if (!e) return std::nullopt;
    return CompareAtom(Op::kEq, *e, input, type, pos);
  }

 private:
  friend class Program;

  struct RangeBounds {
    R lo, hi;
    bool lo_open = false, hi_open = false;
  };

  // Guards parser recursion.
  struct Nest {
    explicit Nest(ExprParser& p) : p_(p) { ++p_.nesting_; }
    ~Nest() { --p_.nesting_; }
    bool too_deep() const { return p_.nesting_ > kMaxNesting; }
    ExprParser& p_;
  };

  // ---- node making ----

  Node& N(NodeId n) { return p_.nodes_[n]; }

  // Adds node `n` with children `kids`; folds it to a constant when it may be folded and its
  // children are constants (a runtime failure while folding is a compile error at `pos`).
  R Make(Node n, size_t pos, std::initializer_list<const R*> kids, bool foldable = true) {
    std::vector<NodeId> ids;
    for (const R* k : kids) ids.push_back(k->node);
    return MakeN(n, pos, ids, foldable);
  }

  R MakeN(Node n, size_t pos, const std::vector<NodeId>& kids, bool foldable) {
    int depth = 0;
    bool constant = foldable;
    for (NodeId k : kids) {
      depth = std::max<int>(depth, N(k).depth);
      constant = constant && N(k).op == Op::kConst;
    }
    if (depth + 1 > kMaxDepth) return Error(pos, "expression too deeply nested");
    n.depth = static_cast<uint8_t>(depth + 1);
    const NodeId id = static_cast<NodeId>(p_.nodes_.size());
    p_.nodes_.push_back(n);
    if (constant) {
      Program::Ctx ctx;
      RtVal v = p_.Eval(id, ctx);
      if (ctx.error != nullptr) return Error(pos, ctx.error);
      if (n.type == ValueType::kDecimal && v.t == ValueType::kInteger) v = Dec(static_cast<double>(v.i));
      Node c;
      c.op = Op::kConst;
      c.type = n.type;
      c.fn = v.t == ValueType::kNull ? 1 : 0;
      c.i = v.i;
      c.d = v.d;
      if (v.t == ValueType::kString) c.a = p_.Intern(std::string(v.s));
      p_.nodes_[id] = c;
    }
    return R{id, n.type, false, pos};
  }

  R Constant(ValueType t, int64_t i, double d, size_t pos, std::string s = {}) {
    Node n;
    n.op = Op::kConst;
    n.type = t;
    n.fn = t == ValueType::kNull ? 1 : 0;
    n.i = i;
    n.d = d;
    if (t == ValueType::kString) n.a = p_.Intern(std::move(s));
    return MakeN(n, pos, {}, false);
  }

  // ---- precedence levels ----

  // or := and ("or" and)*
  std::optional<R> Or() {
    auto l = And();
    if (!l) return std::nullopt;
    while (IsKw("or")) {
      const size_t pos = Peek().pos;
      Advance();
      auto r = And();
      if (!r) return std::nullopt;
      l = Logic(Op::kOr, *l, *r, pos);
    }
    return l;
  }

  // and := not ("and" not)*
  std::optional<R> And() {
    auto l = Not();
    if (!l) return std::nullopt;
    while (IsKw("and")) {
      const size_t pos = Peek().pos;
      Advance();
      auto r = Not();
      if (!r) return std::nullopt;
      l = Logic(Op::kAnd, *l, *r, pos);
    }
    return l;
  }

  R Logic(Op op, const R& l, const R& r, size_t pos) {
    if (l.bad || r.bad) return R{0, ValueType::kNull, true, pos};
    for (const R* x : {&l, &r}) {
      if (x->type != ValueType::kBoolean && x->type != ValueType::kNull) {
        return Error(x->pos, std::string(op == Op::kAnd ? "and" : "or") + " needs booleans, found " + TypeName(x->type));
      }
    }
    Node n;
    n.op = op;
    n.type = ValueType::kBoolean;
    n.a = l.node;
    n.b = r.node;
    return Make(n, pos, {&l, &r});
  }

  // not := "not" not | comparison
  std::optional<R> Not() {
    Nest nest(*this);
    if (nest.too_deep()) {
      errors_.push_back({Peek().pos, "expression too deeply nested"});
      return std::nullopt;
    }
    if (!IsKw("not")) return Comparison();
    const size_t pos = Peek().pos;
    Advance();
    auto x = Not();
    if (!x) return std::nullopt;
    if (x->bad) return R{0, ValueType::kNull, true, pos};
    if (x->type != ValueType::kBoolean && x->type != ValueType::kNull) {
      return Error(x->pos, "not needs a boolean, found " + TypeName(x->type));
    }
    Node n;
    n.op = Op::kNot;
    n.type = ValueType::kBoolean;
    n.a = x->node;
    return Make(n, pos, {&*x});
  }

  // comparison := sum [("=" | "!=" | "<" | "<=" | ">" | ">=") sum | "in" in_tests]
  std::optional<R> Comparison() {
    auto l = Sum();
    if (!l) return std::nullopt;
    static constexpr std::pair<Tok, Op> kOps[] = {{Tok::kEq, Op::kEq}, {Tok::kNe, Op::kNe}, {Tok::kLt, Op::kLt},
                                                  {Tok::kLe, Op::kLe}, {Tok::kGt, Op::kGt}, {Tok::kGe, Op::kGe}};
    for (auto [tok, op] : kOps) {
      if (Is(tok)) {
        const size_t pos = Peek().pos;
        Advance();
        auto r = Sum();
        if (!r) return std::nullopt;
        return Compare(op, *l, *r, pos);
      }
    }
    if (IsKw("in")) return In(*l);
    return l;
  }

  static std::string_view OpText(Op op) {
    switch (op) {
      case Op::kEq: return "=";
      case Op::kNe: return "!=";
      case Op::kLt: return "<";
      case Op::kLe: return "<=";
      case Op::kGt: return ">";
      case Op::kGe: return ">=";
      case Op::kAdd: return "+";
      case Op::kSub: return "-";
      case Op::kMul: return "*";
      default: return "?";
    }
  }

  R Compare(Op op, const R& l, const R& r, size_t pos) {
    if (l.bad || r.bad) return R{0, ValueType::kNull, true, pos};
    if (!Unify(l.type, r.type)) {
      return Error(pos, "cannot compare " + TypeName(l.type) + " with " + TypeName(r.type));
    }
    if (op != Op::kEq && op != Op::kNe && (!Ordered(l.type) || !Ordered(r.type))) {
      return Error(pos, "booleans have no order: " + std::string(OpText(op)) + " cannot compare them");
    }
    Node n;
    n.op = op;
    n.type = ValueType::kBoolean;
    n.a = l.node;
    n.b = r.node;
    return Make(n, pos, {&l, &r});
  }

  // The bounds of "[a..b]", "(a..b)", "[a..b)", "(a..b]" at the current token ('[' or '('). A
  // '(' that turns out not to start a range (no ".." after its first expression) rewinds: it is
  // a parenthesised expression, and *is_range stays false.
  std::optional<RangeBounds> Range(bool* is_range) {
    const size_t start = at_;
    const size_t errors_before = errors_.size();
    const size_t nodes_before = p_.nodes_.size();
    const bool lo_open = Is(Tok::kLParen);
    Advance();
    auto lo = Expression();
    if (!Is(Tok::kDotDot)) {
      if (!lo_open) {
        *is_range = true;
        if (!lo) return std::nullopt;
        return Syntax("'..' in a range [a..b]");
      }
      at_ = start;  // a parenthesised expression after all
      errors_.resize(errors_before);
      p_.nodes_.resize(nodes_before);
      return std::nullopt;
    }
    *is_range = true;
    if (!lo) return std::nullopt;
    Advance();
    auto hi = Expression();
    if (!hi) return std::nullopt;
    bool hi_open = false;
    if (Is(Tok::kRParen)) {
      hi_open = true;
    } else if (!Is(Tok::kRBracket)) {
      return Syntax("']' or ')' to close the range");
    }
    Advance();
    return RangeBounds{*lo, *hi, lo_open, hi_open};
  }

  // in_tests := range | "(" item ("," item)* ")"    item := range | expr
  std::optional<R> In(const R& x) {
    const size_t pos = Peek().pos;
    Advance();
    std::vector<Program::InItem> items;
    std::vector<NodeId> kids{x.node};
    bool bad = x.bad;
    auto add_range = [&](const RangeBounds& rb) {
      if (rb.lo.bad || rb.hi.bad || bad) {
        bad = true;
        return;
      }
      for (const R* b : {&rb.lo, &rb.hi}) {
        if (!Unify(x.type, b->type) || !Ordered(b->type) || !Ordered(x.type)) {
          Error(b->pos, "a range bound of type " + TypeName(b->type) + " cannot hold " + TypeName(x.type));
          bad = true;
          return;
        }
      }
      items.push_back({true, rb.lo_open, rb.hi_open, rb.lo.node, rb.hi.node});
      kids.push_back(rb.lo.node);
      kids.push_back(rb.hi.node);
    };
    auto add_value = [&](const R& v) {
      if (v.bad || bad) {
        bad = true;
        return;
      }
      if (!Unify(x.type, v.type)) {
        Error(v.pos, "cannot compare " + TypeName(x.type) + " with " + TypeName(v.type));
        bad = true;
        return;
      }
      items.push_back({false, false, false, v.node, 0});
      kids.push_back(v.node);
    };
    // One item of a list: a range or an expression.
    auto item = [&]() -> bool {
      if (Is(Tok::kLBracket) || Is(Tok::kLParen)) {
        bool is_range = false;
        auto rb = Range(&is_range);
        if (is_range) {
          if (!rb) return false;
          add_range(*rb);
          return true;
        }
      }
      auto v = Expression();
      if (!v) return false;
      add_value(*v);
      return true;
    };
    if (Is(Tok::kLBracket)) {
      bool is_range = false;
      auto rb = Range(&is_range);
      if (!rb) return std::nullopt;
      add_range(*rb);
    } else if (Is(Tok::kLParen)) {
      Advance();
      if (Is(Tok::kLBracket) || Is(Tok::kLParen)) {
        if (!item()) return std::nullopt;
      } else {
        auto first = Expression();
        if (!first) return std::nullopt;
        if (Accept(Tok::kDotDot)) {  // "(a..b)" / "(a..b]": one range, open at a
          auto hi = Expression();
          if (!hi) return std::nullopt;
          const bool hi_open = Is(Tok::kRParen);
          if (!hi_open && !Is(Tok::kRBracket)) return Syntax("']' or ')' to close the range");
          Advance();
          add_range({*first, *hi, true, hi_open});
          return FinishIn(x, pos, items, kids, bad);
        }
        add_value(*first);
      }
      while (Accept(Tok::kComma)) {
        if (!item()) return std::nullopt;
      }
      if (!Expect(Tok::kRParen, "',' or ')' in the list after in")) return std::nullopt;
    } else {
      return Syntax("a range [a..b] or a list (a, b, ...) after in");
    }
    return FinishIn(x, pos, items, kids, bad);
  }

  R FinishIn(const R& x, size_t pos, const std::vector<Program::InItem>& items, const std::vector<NodeId>& kids,
             bool bad) {
    if (bad) return R{0, ValueType::kNull, true, pos};
    Node n;
    n.op = Op::kIn;
    n.type = ValueType::kBoolean;
    n.a = x.node;
    n.b = static_cast<uint32_t>(p_.items_.size());
    n.c = static_cast<uint32_t>(items.size());
    p_.items_.insert(p_.items_.end(), items.begin(), items.end());
    return MakeN(n, pos, kids, true);
  }

  // sum := product (("+" | "-") product)*
  std::optional<R> Sum() {
    auto l = Product();
    if (!l) return std::nullopt;
    while (Is(Tok::kPlus) || Is(Tok::kMinus)) {
      const Op op = Is(Tok::kPlus) ? Op::kAdd : Op::kSub;
      const size_t pos = Peek().pos;
      Advance();
      auto r = Product();
      if (!r) return std::nullopt;
      l = Arith(op, *l, *r, pos);
    }
    return l;
  }

  // product := unary ("*" unary)*
  std::optional<R> Product() {
    auto l = Unary();
    if (!l) return std::nullopt;
    while (Is(Tok::kStar)) {
      const size_t pos = Peek().pos;
      Advance();
      auto r = Unary();
      if (!r) return std::nullopt;
      l = Arith(Op::kMul, *l, *r, pos);
    }
    return l;
  }

  R Arith(Op op, const R& l, const R& r, size_t pos) {
    if (l.bad || r.bad) return R{0, ValueType::kNull, true, pos};
    const ValueType a = l.type, b = r.type;
    std::optional<ValueType> t;
    const bool dates = op != Op::kMul;  // + and - take a date and a number of days
    auto fits = [&](ValueType x) { return x == ValueType::kNull || Numeric(x) || (dates && x == ValueType::kDate); };
    if (!fits(a) || !fits(b)) {
      const R& bad = fits(a) ? r : l;
      if (bad.type == ValueType::kString) {
        return Error(pos, std::string(OpText(op)) + " cannot take a string (strings are compared, not computed)");
      }
      return Error(pos, std::string(OpText(op)) + " cannot take " + TypeName(bad.type));
    }
    if (a == ValueType::kDate && b == ValueType::kDate) {
      if (op == Op::kSub) return Error(pos, "date - date is not allowed; use days_between(a, b)");
      return Error(pos, "cannot add two dates");
    }
    if (a == ValueType::kDate || b == ValueType::kDate) {
      const ValueType other = a == ValueType::kDate ? b : a;
      if (other == ValueType::kDecimal) return Error(pos, "a date moves by an integer number of days, not a decimal");
      if (op == Op::kSub && b == ValueType::kDate) return Error(pos, "cannot subtract a date from a number");
      t = ValueType::kDate;
    } else if (a == ValueType::kNull) {
      t = b;
    } else if (b == ValueType::kNull) {
      t = a;
    } else {
      t = a == ValueType::kInteger && b == ValueType::kInteger ? ValueType::kInteger : ValueType::kDecimal;
    }
    Node n;
    n.op = op;
    n.type = *t;
    n.a = l.node;
    n.b = r.node;
    return Make(n, pos, {&l, &r});
  }

  // unary := "-" unary | primary
  std::optional<R> Unary() {
    Nest nest(*this);
    if (nest.too_deep()) {
      errors_.push_back({Peek().pos, "expression too deeply nested"});
      return std::nullopt;
    }
    if (!Is(Tok::kMinus)) return Primary();
    const size_t pos = Peek().pos;
    Advance();
    auto x = Unary();
    if (!x) return std::nullopt;
    if (x->bad) return R{0, ValueType::kNull, true, pos};
    if (!Numeric(x->type) && x->type != ValueType::kNull) return Error(pos, "- cannot take " + TypeName(x->type));
    Node n;
    n.op = Op::kNeg;
    n.type = x->type;
    n.a = x->node;
    return Make(n, pos, {&*x});
  }

  // primary := literal | name | reference | call | "(" expr ")" | "if" expr "then" expr "else" expr
  std::optional<R> Primary() {
    const Token& t = Peek();
    const size_t pos = t.pos;
    switch (t.kind) {
      case Tok::kInt: {
        const int64_t i = t.i;
        Advance();
        return Constant(ValueType::kInteger, i, 0, pos);
      }
      case Tok::kDec: {
        const double d = t.d;
        Advance();
        return Constant(ValueType::kDecimal, 0, d, pos);
      }
      case Tok::kStr: {
        std::string s = t.text;
        Advance();
        return Constant(ValueType::kString, 0, 0, pos, std::move(s));
      }
      case Tok::kLParen: {
        Advance();
        auto e = Expression();
        if (!e) return std::nullopt;
        if (!Expect(Tok::kRParen, "')'")) return std::nullopt;
        return e;
      }
      case Tok::kName: break;
      default: return Syntax("a value");
    }
    const std::string name = t.text;
    if (name == "true" || name == "false") {
      Advance();
      return Constant(ValueType::kBoolean, name == "true" ? 1 : 0, 0, pos);
    }
    if (name == "null") {
      Advance();
      return Constant(ValueType::kNull, 0, 0, pos);
    }
    if (name == "if") return If();
    if (IsKeyword(name)) return Syntax("a value");
    if (Peek(1).kind == Tok::kLParen) return Call();
    if ((name == "form" || name == "data" || name == "license") && Peek(1).kind == Tok::kDot) return Ref();
    Advance();
    if (name == "today") {
      if (!scope_.today) return Error(pos, "today cannot be used in a cell (compute what you need in an input)");
      Node n;
      n.op = Op::kToday;
      n.type = ValueType::kDate;
      return MakeN(n, pos, {}, false);
    }
    for (size_t k = 0; k < scope_.inputs.size(); ++k) {
      if (scope_.inputs[k].name == name) {
        Node n;
        n.op = Op::kInput;
        n.type = scope_.inputs[k].type;
        n.a = static_cast<uint32_t>(k);
        return MakeN(n, pos, {}, false);
      }
    }
    if (name == "form" || name == "data" || name == "license") {
      return Error(pos, name + " needs a name after it: " + name + (name == "data" ? ".<dataset>.<element>" : ".<name>"));
    }
    return Error(pos, "unknown name " + name);
  }

  // "if" expr "then" expr "else" expr
  std::optional<R> If() {
    const size_t pos = Peek().pos;
    Advance();
    auto c = Expression();
    if (!c) return std::nullopt;
    if (!IsKw("then")) return Syntax("then");
    Advance();
    auto a = Expression();
    if (!a) return std::nullopt;
    if (!IsKw("else")) return Syntax("else");
    Advance();
    auto b = Expression();
    if (!b) return std::nullopt;
    if (c->bad || a->bad || b->bad) return R{0, ValueType::kNull, true, pos};
    if (c->type != ValueType::kBoolean && c->type != ValueType::kNull) {
      return Error(c->pos, "the condition of if must be a boolean, found " + TypeName(c->type));
    }
    auto t = Unify(a->type, b->type);
    if (!t) return Error(b->pos, "then gives " + TypeName(a->type) + " but else gives " + TypeName(b->type));
    Node n;
    n.op = Op::kIf;
    n.type = *t;
    n.a = c->node;
    n.b = a->node;
    n.c = b->node;
    return Make(n, pos, {&*c, &*a, &*b});
  }

  // form.<field> | data.<dataset>.<element> | license.<type> | license.<type>.<field>
  std::optional<R> Ref() {
    const size_t pos = Peek().pos;
    const std::string head = Peek().text;
    Advance();
    std::vector<std::string> parts;
    while (Accept(Tok::kDot)) {
      if (!Is(Tok::kName)) return Syntax("a name after '.'");
      parts.push_back(Peek().text);
      Advance();
    }
    Reference::Kind kind = Reference::Kind::kForm;
    size_t lo = 1, hi = 1;
    std::string shape = "form.<field>";
    if (head == "data") {
      kind = Reference::Kind::kData;
      lo = hi = 2;
      shape = "data.<dataset>.<element>";
    } else if (head == "license") {
      kind = Reference::Kind::kLicense;
      hi = 2;
      shape = "license.<type> or license.<type>.<field>";
    }
    if (parts.size() < lo || parts.size() > hi) return Error(pos, "a reference is written " + shape);
    if (!scope_.reference) {
      return Error(pos, "a cell cannot read " + head + "." + parts[0] + "...: cells test inputs; add an input");
    }
    auto slot = scope_.reference(kind, parts[0], parts.size() > 1 ? parts[1] : "");
    if (!slot.ok()) return Error(pos, slot.status().message());
    Node n;
    n.op = Op::kRef;
    n.type = slot->type;
    n.a = slot->index;
    return MakeN(n, pos, {}, false);
  }

  // name "(" [expr ("," expr)*] ")"
  std::optional<R> Call() {
    const size_t pos = Peek().pos;
    const std::string name = Peek().text;
    Advance(2);
    std::vector<R> args;
    if (!Is(Tok::kRParen)) {
      while (true) {
        auto a = Expression();
        if (!a) return std::nullopt;
        args.push_back(*a);
        if (!Accept(Tok::kComma)) break;
      }
    }
    if (!Expect(Tok::kRParen, "',' or ')' after a function argument")) return std::nullopt;
    const FnInfo* f = FindFunction(name);
    if (f == nullptr) return Error(pos, "unknown function " + name);
    const int n_args = static_cast<int>(args.size());
    if ((f->fn == Fn::kDate && n_args != 1 && n_args != 3) || n_args < f->min_args || n_args > f->max_args) {
      const std::string want = f->fn == Fn::kDate ? "1 or 3 arguments" : f->min_args == 1 ? "1 argument" :
                                                                                            std::to_string(f->min_args) + " arguments";
      return Error(pos, name + " takes " + want + ", found " + std::to_string(n_args));
    }
    for (const R& a : args) {
      if (a.bad) return R{0, ValueType::kNull, true, pos};
    }
    // The argument types each function takes; null fits any.
    auto need = [&](size_t k, std::initializer_list<ValueType> types, std::string_view what) -> bool {
      const ValueType t = args[k].type;
      if (t == ValueType::kNull) return true;
      for (ValueType x : types) {
        if (t == x) return true;
      }
      Error(args[k].pos, name + " needs " + std::string(what) + ", found " + TypeName(t));
      return false;
    };
    ValueType result = ValueType::kNull;
    bool ok = true;
    switch (f->fn) {
      case Fn::kDate:
        if (n_args == 1) {
          ok = need(0, {ValueType::kString}, "a string \"YYYY-MM-DD\"");
        } else {
          for (size_t k = 0; k < 3; ++k) ok = need(k, {ValueType::kInteger}, "integers (year, month, day)") && ok;
        }
        result = ValueType::kDate;
        break;
      case Fn::kYear:
      case Fn::kMonth:
      case Fn::kDay:
        ok = need(0, {ValueType::kDate}, "a date");
        result = ValueType::kInteger;
        break;
      case Fn::kYearsBetween:
      case Fn::kMonthsBetween:
      case Fn::kDaysBetween:
        ok = need(0, {ValueType::kDate}, "dates");
        ok = need(1, {ValueType::kDate}, "dates") && ok;
        result = ValueType::kInteger;
        break;
      case Fn::kAge:
        if (!scope_.today) return Error(pos, "age() reads today, which a cell cannot (compute the age in an input)");
        ok = need(0, {ValueType::kDate}, "a date");
        result = ValueType::kInteger;
        break;
      case Fn::kStartsWith:
      case Fn::kEndsWith:
      case Fn::kContains:
        ok = need(0, {ValueType::kString}, "strings");
        ok = need(1, {ValueType::kString}, "strings") && ok;
        result = ValueType::kBoolean;
        break;
      case Fn::kLength:
        ok = need(0, {ValueType::kString}, "a string");
        result = ValueType::kInteger;
        break;
      case Fn::kMin:
      case Fn::kMax: {
        auto t = Unify(args[0].type, args[1].type);
        if (!t || !Ordered(*t)) {
          return Error(pos, name + " needs two numbers, two dates or two strings, found " + TypeName(args[0].type) +
                                " and " + TypeName(args[1].type));
        }
        result = *t;
        break;
      }
      case Fn::kAbs:
        ok = need(0, {ValueType::kInteger, ValueType::kDecimal}, "a number");
        result = args[0].type;
        break;
      case Fn::kIsNull:
        result = ValueType::kBoolean;
        break;
    }
    if (!ok) return R{0, ValueType::kNull, true, pos};
    Node n;
    n.op = Op::kCall;
    n.fn = static_cast<uint8_t>(f->fn);
    n.type = result;
    n.c = static_cast<uint32_t>(n_args);
    std::vector<NodeId> kids;
    for (const R& a : args) kids.push_back(a.node);
    // Arguments in a, b and (date(y, m, d)) the third in the node's i.
    n.a = kids[0];
    if (n_args > 1) n.b = kids[1];
    if (n_args > 2) n.i = kids[2];
    return MakeN(n, pos, kids, f->fn != Fn::kAge);
  }

  // ---- cell atoms ----

  Atom Typed(AtomOp op, ValueType type) {
    Atom a;
    a.op = op;
    a.type = type;
    return a;
  }

  std::optional<std::vector<Atom>> CompareAtom(Op op, const R& e, uint32_t input, ValueType type, size_t pos) {
    if (e.bad) return std::vector<Atom>{};
    const std::string input_name(scope_.inputs[input].name);
    if (!Unify(type, e.type)) {
      Error(e.pos, "input " + input_name + " is " + TypeName(type) + "; this test compares it with " + TypeName(e.type));
      return std::vector<Atom>{};
    }
    const bool ordering = op != Op::kEq && op != Op::kNe;
    if (ordering && !Ordered(type)) {
      Error(pos, "input " + input_name + " is a boolean: test it with true, false or null, not " +
                     std::string(OpText(op)));
      return std::vector<Atom>{};
    }
    if (N(e.node).op != Op::kConst) {
      Atom a = Typed(AtomOp::kGeneric, type);
      a.cmp = static_cast<uint8_t>(op);
      a.lo = e.node;
      return std::vector<Atom>{a};
    }
    const RtVal c = p_.Const(N(e.node));
    if (c.t == ValueType::kNull) {
      if (op == Op::kEq) return std::vector<Atom>{Typed(AtomOp::kIsNull, type)};
      if (op == Op::kNe) return std::vector<Atom>{Typed(AtomOp::kNotNull, type)};
      return std::vector<Atom>{Typed(AtomOp::kNever, type)};
    }
    if (op == Op::kEq || op == Op::kNe) {
      return std::vector<Atom>{PointAtom(op == Op::kNe, c, type)};
    }
    const bool upper = op == Op::kLt || op == Op::kLe;
    const bool open = op == Op::kLt || op == Op::kGt;
    return std::vector<Atom>{Interval(upper ? std::optional<RtVal>() : c, !upper && open,
                                      upper ? std::optional<RtVal>(c) : std::nullopt, upper && open, type)};
  }

  std::optional<std::vector<Atom>> RangeAtom(const RangeBounds& rb, uint32_t input, ValueType type, size_t pos) {
    return RangeAtom(rb.lo, rb.hi, input, type, pos, rb.lo_open, rb.hi_open);
  }

  std::optional<std::vector<Atom>> RangeAtom(const R& lo, const R& hi, uint32_t input, ValueType type, size_t pos,
                                             bool lo_open = false, bool hi_open = false) {
    if (lo.bad || hi.bad) return std::vector<Atom>{};
    const std::string input_name(scope_.inputs[input].name);
    if (!Ordered(type)) {
      Error(pos, "input " + input_name + " is a boolean: a range cannot hold it");
      return std::vector<Atom>{};
    }
    for (const R* b : {&lo, &hi}) {
      if (!Unify(type, b->type)) {
        Error(b->pos, "input " + input_name + " is " + TypeName(type) + "; this range bound is " + TypeName(b->type));
        return std::vector<Atom>{};
      }
    }
    if (N(lo.node).op != Op::kConst || N(hi.node).op != Op::kConst) {
      Atom a = Typed(AtomOp::kGeneric, type);
      a.cmp = static_cast<uint8_t>(Op::kIn);
      a.lo = lo.node;
      a.hi = hi.node;
      a.lo_open = lo_open;
      a.hi_open = hi_open;
      return std::vector<Atom>{a};
    }
    const RtVal l = p_.Const(N(lo.node)), h = p_.Const(N(hi.node));
    if (l.t == ValueType::kNull || h.t == ValueType::kNull) return std::vector<Atom>{Typed(AtomOp::kNever, type)};
    if (Cmp(l, h) == 1) {
      Error(lo.pos, "empty range: its lower bound is above its upper bound");
      return std::vector<Atom>{};
    }
    return std::vector<Atom>{Interval(l, lo_open, h, hi_open, type)};
  }

  // `= c` (or `!= c`) on an input of `type`, c a non-null constant of a compatible type.
  Atom PointAtom(bool not_equal, const RtVal& c, ValueType type) {
    switch (type) {
      case ValueType::kDecimal: {
        Atom a = Typed(not_equal ? AtomOp::kDecNe : AtomOp::kDecRange, type);
        a.dlo = a.dhi = Num(c);
        return a;
      }
      case ValueType::kString: {
        Atom a = Typed(not_equal ? AtomOp::kStrNe : AtomOp::kStrEq, type);
        a.lo = p_.Intern(std::string(c.s));
        return a;
      }
      default: {
        int64_t v = c.i;
        if (c.t == ValueType::kDecimal) {
          // An integer input is never 5.5 (nor 1e30).
          if (c.d != std::trunc(c.d) || std::fabs(c.d) >= 9223372036854775808.0) {
            return Typed(not_equal ? AtomOp::kNotNull : AtomOp::kNever, type);
          }
          v = static_cast<int64_t>(c.d);
        }
        Atom a = Typed(not_equal ? AtomOp::kIntNe : AtomOp::kIntRange, type);
        a.lo = a.hi = v;
        return a;
      }
    }
  }

  // The smallest int64 x with x > d (strict) or x >= d (lower), or the largest with x < d / x <= d
  // (!lower); nullopt when no int64 qualifies. For an integer input compared with a decimal.
  static std::optional<int64_t> Bound(double d, bool strict, bool lower) {
    constexpr double kTwo63 = 9223372036854775808.0;
    double k = lower ? (strict ? std::floor(d) + 1 : std::ceil(d)) : (strict ? std::ceil(d) - 1 : std::floor(d));
    if (lower) {
      if (k >= kTwo63) return std::nullopt;
      if (k < -kTwo63) return std::numeric_limits<int64_t>::min();
    } else {
      if (k < -kTwo63) return std::nullopt;
      if (k >= kTwo63) return std::numeric_limits<int64_t>::max();
    }
    return static_cast<int64_t>(k);
  }

  // The interval between constant bounds (nullopt: unbounded) on an input of `type`.
  Atom Interval(std::optional<RtVal> lo, bool lo_open, std::optional<RtVal> hi, bool hi_open, ValueType type) {
    switch (type) {
      case ValueType::kDecimal: {
        Atom a = Typed(AtomOp::kDecRange, type);
        a.dlo = lo ? Num(*lo) : -std::numeric_limits<double>::infinity();
        a.dhi = hi ? Num(*hi) : std::numeric_limits<double>::infinity();
        a.lo_open = lo && lo_open;
        a.hi_open = hi && hi_open;
        return a;
      }
      case ValueType::kString: {
        Atom a = Typed(AtomOp::kStrRange, type);
        a.lo_inf = !lo;
        a.hi_inf = !hi;
        if (lo) a.lo = p_.Intern(std::string(lo->s));
        if (hi) a.hi = p_.Intern(std::string(hi->s));
        a.lo_open = lo_open;
        a.hi_open = hi_open;
        return a;
      }
      default: {  // integer and date: a closed int64 range
        Atom a = Typed(AtomOp::kIntRange, type);
        a.lo = type == ValueType::kDate ? MinDay() : std::numeric_limits<int64_t>::min();
        a.hi = type == ValueType::kDate ? MaxDay() : std::numeric_limits<int64_t>::max();
        if (lo) {
          std::optional<int64_t> b;
          if (lo->t == ValueType::kDecimal) {
            b = Bound(lo->d, lo_open, true);
          } else if (!lo_open) {
            b = lo->i;
          } else if (lo->i < std::numeric_limits<int64_t>::max()) {
            b = lo->i + 1;
          }
          if (!b) return Typed(AtomOp::kNever, type);
          a.lo = std::max(a.lo, *b);
        }
        if (hi) {
          std::optional<int64_t> b;
          if (hi->t == ValueType::kDecimal) {
            b = Bound(hi->d, hi_open, false);
          } else if (!hi_open) {
            b = hi->i;
          } else if (hi->i > std::numeric_limits<int64_t>::min()) {
            b = hi->i - 1;
          }
          if (!b) return Typed(AtomOp::kNever, type);
          a.hi = std::min(a.hi, *b);
        }
        if (a.lo > a.hi) return Typed(AtomOp::kNever, type);
        return a;
      }
    }
  }

  Program& p_;
  const Scope& scope_;
  std::vector<ExprError>& errors_;
  std::vector<Token> toks_;
  size_t at_ = 0;
  size_t text_size_ = 0;
  int nesting_ = 0;
};

// ---- Program ----

uint32_t Program::Intern(std::string s) {
  for (size_t k = 0; k < strings_.size(); ++k) {
    if (strings_[k] == s) return static_cast<uint32_t>(k);
  }
  strings_.push_back(std::move(s));
  return static_cast<uint32_t>(strings_.size() - 1);
}

std::optional<NodeId> Program::CompileExpression(std::string_view text, const Scope& scope,
                                                 std::vector<ExprError>& errors) {
  const size_t errors_before = errors.size();
  ExprParser p(*this, scope, errors);
  if (!p.Lex(text)) return std::nullopt;
  auto r = p.Expression();
  if (!r) return std::nullopt;
  if (!p.AtEnd()) {
    p.Syntax("an operator or the end of the expression");
    return std::nullopt;
  }
  if (r->bad || errors.size() > errors_before) return std::nullopt;
  return r->node;
}

bool Program::IsConstant(NodeId n) const { return nodes_[n].op == Op::kConst; }

Program::RtVal Program::Const(const Node& n) const {
  if (n.fn != 0) return {};
  RtVal v{n.type, n.i, n.d, {}};
  if (n.type == ValueType::kString) v.s = strings_[n.a];
  return v;
}

Value Program::Evaluate(NodeId n, const EvalContext& ec, std::string* failure) const {
  Ctx ctx;
  ctx.refs = ec.refs;
  ctx.inputs = ec.inputs;
  if (ec.today && ec.today->IsValid()) {
    ctx.today = DaysFromCivil(*ec.today);
    ctx.has_today = true;
  }
  const RtVal v = Eval(n, ctx);
  if (ctx.error != nullptr) {
    if (failure != nullptr) *failure = ctx.error;
    return Value::Null();
  }
  switch (v.t) {
    case ValueType::kNull: return Value::Null();
    case ValueType::kBoolean: return Value::Boolean(v.i != 0);
    case ValueType::kInteger: return Value::Integer(v.i);
    case ValueType::kDecimal: return Value::Decimal(v.d);
    case ValueType::kString: return Value::String(std::string(v.s));
    case ValueType::kDate: return Value::DateFromDays(v.i);
  }
  return Value::Null();
}

namespace {

RtVal Fail(Program::Ctx& ctx, const char* why) {
  if (ctx.error == nullptr) ctx.error = why;
  return {};
}

RtVal CheckedDate(Program::Ctx& ctx, int64_t days) {
  if (days < MinDay() || days > MaxDay()) return Fail(ctx, "date outside the years 1..9999");
  return DateDays(days);
}

RtVal CheckedDec(Program::Ctx& ctx, double d) {
  if (!std::isfinite(d)) return Fail(ctx, "decimal overflow");
  return Dec(d);
}

}  // namespace

Program::RtVal Program::Eval(NodeId id, Ctx& ctx) const {
  const Node& n = nodes_[id];
  switch (n.op) {
    case Op::kConst: return Const(n);
    case Op::kInput: return Read(ctx.inputs, n.a, n.type);
    case Op::kRef: return Read(ctx.refs, n.a, n.type);
    case Op::kToday: return ctx.has_today ? DateDays(ctx.today) : RtVal{};
    case Op::kNot: {
      const RtVal x = Eval(n.a, ctx);
      if (x.t != ValueType::kBoolean) return {};
      return Bool(x.i == 0);
    }
    case Op::kAnd:
    case Op::kOr: {
      // Three-valued: false and null = false, true or null = true; otherwise null wins.
      const bool decisive = n.op == Op::kOr;
      const RtVal l = Eval(n.a, ctx);
      if (l.t == ValueType::kBoolean && (l.i != 0) == decisive) return Bool(decisive);
      const RtVal r = Eval(n.b, ctx);
      if (r.t == ValueType::kBoolean && (r.i != 0) == decisive) return Bool(decisive);
      if (l.t != ValueType::kBoolean || r.t != ValueType::kBoolean) return {};
      return Bool(!decisive);
    }
    case Op::kNeg: {
      const RtVal x = Eval(n.a, ctx);
      if (x.t == ValueType::kInteger) {
        if (x.i == std::numeric_limits<int64_t>::min()) return Fail(ctx, "integer overflow");
        return Int(-x.i);
      }
      if (x.t == ValueType::kDecimal) return Dec(-x.d);
      return {};
    }
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul: {
      const RtVal l = Eval(n.a, ctx);
      const RtVal r = Eval(n.b, ctx);
      if (l.t == ValueType::kNull || r.t == ValueType::kNull) return {};
      if (l.t == ValueType::kInteger && r.t == ValueType::kInteger) {
        int64_t out = 0;
        const bool overflow = n.op == Op::kAdd   ? __builtin_add_overflow(l.i, r.i, &out)
                              : n.op == Op::kSub ? __builtin_sub_overflow(l.i, r.i, &out)
                                                 : __builtin_mul_overflow(l.i, r.i, &out);
        if (overflow) return Fail(ctx, "integer overflow");
        return Int(out);
      }
      if (Numeric(l.t) && Numeric(r.t)) {
        const double x = Num(l), y = Num(r);
        return CheckedDec(ctx, n.op == Op::kAdd ? x + y : n.op == Op::kSub ? x - y : x * y);
      }
      // A date and a number of days.
      const RtVal& date = l.t == ValueType::kDate ? l : r;
      const RtVal& days = l.t == ValueType::kDate ? r : l;
      if (date.t != ValueType::kDate || days.t != ValueType::kInteger || n.op == Op::kMul) return {};
      if (days.i > 10'000'000 || days.i < -10'000'000) return Fail(ctx, "date outside the years 1..9999");
      return CheckedDate(ctx, n.op == Op::kAdd ? date.i + days.i : date.i - days.i);
    }
    case Op::kEq:
    case Op::kNe: {
      const RtVal l = Eval(n.a, ctx);
      const RtVal r = Eval(n.b, ctx);
      bool eq;
      if (l.t == ValueType::kNull || r.t == ValueType::kNull) {
        eq = l.t == r.t;  // null = null; x = null is false: two-valued, as FEEL
      } else {
        eq = Cmp(l, r) == 0;
      }
      return Bool(n.op == Op::kEq ? eq : !eq);
    }
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      const RtVal l = Eval(n.a, ctx);
      const RtVal r = Eval(n.b, ctx);
      if (l.t == ValueType::kNull || r.t == ValueType::kNull) return {};
      const int c = Cmp(l, r);
      if (c == 2) return {};
      switch (n.op) {
        case Op::kLt: return Bool(c < 0);
        case Op::kLe: return Bool(c <= 0);
        case Op::kGt: return Bool(c > 0);
        default: return Bool(c >= 0);
      }
    }
    case Op::kIn: {
      const RtVal x = Eval(n.a, ctx);
      if (x.t == ValueType::kNull) return {};
      bool saw_null = false;
      for (uint32_t k = n.b; k < n.b + n.c; ++k) {
        const InItem& item = items_[k];
        if (!item.range) {
          const RtVal v = Eval(item.lo, ctx);
          if (v.t == ValueType::kNull) {
            saw_null = true;
          } else if (Cmp(x, v) == 0) {
            return Bool(true);
          }
          continue;
        }
        const RtVal lo = Eval(item.lo, ctx);
        const RtVal hi = Eval(item.hi, ctx);
        if (lo.t == ValueType::kNull || hi.t == ValueType::kNull) {
          saw_null = true;
          continue;
        }
        const int a = Cmp(lo, x), b = Cmp(x, hi);
        if (a == 2 || b == 2) continue;
        if ((item.lo_open ? a < 0 : a <= 0) && (item.hi_open ? b < 0 : b <= 0)) return Bool(true);
      }
      return saw_null ? RtVal{} : Bool(false);
    }
    case Op::kIf: {
      const RtVal c = Eval(n.a, ctx);
      return c.t == ValueType::kBoolean && c.i != 0 ? Eval(n.b, ctx) : Eval(n.c, ctx);
    }
    case Op::kCall: return Call(n, ctx);
  }
  return {};
}

Program::RtVal Program::Call(const Node& n, Ctx& ctx) const {
  const Fn fn = static_cast<Fn>(n.fn);
  if (fn == Fn::kIsNull) return Bool(Eval(n.a, ctx).t == ValueType::kNull);
  const RtVal a = Eval(n.a, ctx);
  const RtVal b = n.c > 1 ? Eval(n.b, ctx) : RtVal{};
  const RtVal c = n.c > 2 ? Eval(static_cast<NodeId>(n.i), ctx) : RtVal{};
  if (a.t == ValueType::kNull || (n.c > 1 && b.t == ValueType::kNull) || (n.c > 2 && c.t == ValueType::kNull)) return {};
  switch (fn) {
    case Fn::kDate: {
      if (n.c == 1) {
        auto d = ParseCivilDate(a.s);
        if (!d) return Fail(ctx, "date() needs a date \"YYYY-MM-DD\" of the years 1..9999");
        return DateDays(DaysFromCivil(*d));
      }
      if (a.i < 1 || a.i > 9999 || b.i < 1 || b.i > 12 || c.i < 1 || c.i > 31) return Fail(ctx, "no such date");
      const CivilDate d{static_cast<int>(a.i), static_cast<int>(b.i), static_cast<int>(c.i)};
      if (!d.IsValid()) return Fail(ctx, "no such date");
      return DateDays(DaysFromCivil(d));
    }
    case Fn::kYear: return Int(CivilFromDays(a.i).year);
    case Fn::kMonth: return Int(CivilFromDays(a.i).month);
    case Fn::kDay: return Int(CivilFromDays(a.i).day);
    case Fn::kYearsBetween: return Int(FullYears(CivilFromDays(a.i), CivilFromDays(b.i)));
    case Fn::kMonthsBetween: return Int(FullMonths(CivilFromDays(a.i), CivilFromDays(b.i)));
    case Fn::kDaysBetween: return Int(b.i - a.i);
    case Fn::kAge:
      if (!ctx.has_today) return {};
      return Int(FullYears(CivilFromDays(a.i), CivilFromDays(ctx.today)));
    case Fn::kStartsWith: return Bool(a.s.starts_with(b.s));
    case Fn::kEndsWith: return Bool(a.s.ends_with(b.s));
    case Fn::kContains: return Bool(a.s.find(b.s) != std::string_view::npos);
    case Fn::kLength: return Int(CodePoints(a.s));
    case Fn::kMin:
    case Fn::kMax: {
      const int k = Cmp(a, b);
      if (k == 2) return {};
      return (fn == Fn::kMin) == (k <= 0) ? a : b;
    }
    case Fn::kAbs:
      if (a.t == ValueType::kDecimal) return Dec(std::fabs(a.d));
      if (a.i == std::numeric_limits<int64_t>::min()) return Fail(ctx, "integer overflow");
      return Int(a.i < 0 ? -a.i : a.i);
    case Fn::kIsNull: break;
  }
  return {};
}

// ---- cells ----

std::optional<CellId> Program::CompileCell(std::string_view text, uint32_t input, ValueType type, const Scope& scope,
                                           std::vector<ExprError>& errors) {
  const size_t errors_before = errors.size();
  ExprParser p(*this, scope, errors);
  if (!p.Lex(text)) return std::nullopt;
  Cell cell;
  cell.input = input;
  cell.first_atom = static_cast<uint32_t>(atoms_.size());
  if (p.Is(Tok::kMinus) && p.Peek(1).kind == Tok::kEnd) {
    cell.any = true;
    cells_.push_back(cell);
    return static_cast<CellId>(cells_.size() - 1);
  }
  if (p.AtEnd()) {
    errors.push_back({0, "empty cell: write \"-\" for any value"});
    return std::nullopt;
  }
  if (p.IsKw("not") && p.Peek(1).kind == Tok::kLParen) {
    cell.negate = true;
    p.Advance(2);
  }
  std::vector<Atom> atoms;
  do {
    auto test = p.Test(input, type);
    if (!test) return std::nullopt;
    atoms.insert(atoms.end(), test->begin(), test->end());
  } while (p.Accept(Tok::kComma));
  if (cell.negate && !p.Expect(Tok::kRParen, "',' or ')' closing not(")) return std::nullopt;
  if (!p.AtEnd()) {
    p.Syntax(cell.negate ? "the end of the cell after not(...)" : "',' or the end of the cell");
    return std::nullopt;
  }
  if (errors.size() > errors_before) return std::nullopt;
  for (const Atom& a : atoms) cell.opaque = cell.opaque || a.op == AtomOp::kGeneric;
  cell.atoms = static_cast<uint32_t>(atoms.size());
  atoms_.insert(atoms_.end(), atoms.begin(), atoms.end());
  cells_.push_back(cell);
  return static_cast<CellId>(cells_.size() - 1);
}

// The hot path of DecisionTable::Decide: typed atoms compare the input's payload with constants in
// place; only kGeneric evaluates nodes.
[[gnu::always_inline]] inline bool Program::AtomMatches(const Atom& a, const Value& v, std::span<const Value> inputs) const {
  switch (a.op) {
    case AtomOp::kNever: return false;
    case AtomOp::kIsNull: return v.is_null();
    case AtomOp::kNotNull: return !v.is_null();
    case AtomOp::kIntRange: return v.type() == a.type && a.lo <= v.integer() && v.integer() <= a.hi;
    case AtomOp::kIntNe: return v.type() == a.type && v.integer() != a.lo;
    case AtomOp::kDecRange:
    case AtomOp::kDecNe: {
      double x;
      if (v.type() == ValueType::kDecimal) {
        x = v.decimal();
      } else if (v.type() == ValueType::kInteger) {
        x = static_cast<double>(v.integer());
      } else {
        return false;
      }
      if (a.op == AtomOp::kDecNe) return x != a.dlo;
      return (a.lo_open ? x > a.dlo : x >= a.dlo) && (a.hi_open ? x < a.dhi : x <= a.dhi);
    }
    case AtomOp::kStrEq: return v.type() == ValueType::kString && v.string() == strings_[a.lo];
    case AtomOp::kStrNe: return v.type() == ValueType::kString && v.string() != strings_[a.lo];
    case AtomOp::kStrRange: {
      if (v.type() != ValueType::kString) return false;
      if (!a.lo_inf) {
        const int c = v.string().compare(strings_[a.lo]);
        if (a.lo_open ? c <= 0 : c < 0) return false;
      }
      if (!a.hi_inf) {
        const int c = v.string().compare(strings_[a.hi]);
        if (a.hi_open ? c >= 0 : c > 0) return false;
      }
      return true;
    }
    case AtomOp::kGeneric: {
      if (v.is_null()) return false;
      Ctx ctx;
      ctx.inputs = inputs;
      const RtVal x = Read(std::span<const Value>(&v, 1), 0, a.type);
      if (x.t == ValueType::kNull) return false;
      const RtVal lo = Eval(static_cast<NodeId>(a.lo), ctx);
      const Op op = static_cast<Op>(a.cmp);
      if (op == Op::kNe && lo.t == ValueType::kNull) return true;
      if (lo.t == ValueType::kNull) return false;
      const int c = Cmp(x, lo);
      if (c == 2) return false;
      switch (op) {
        case Op::kEq: return c == 0;
        case Op::kNe: return c != 0;
        case Op::kLt: return c < 0;
        case Op::kLe: return c <= 0;
        case Op::kGt: return c > 0;
        case Op::kGe: return c >= 0;
        default: {  // a range
          const RtVal hi = Eval(static_cast<NodeId>(a.hi), ctx);
          if (hi.t == ValueType::kNull) return false;
          const int d = Cmp(x, hi);
          if (d == 2) return false;
          return (a.lo_open ? c > 0 : c >= 0) && (a.hi_open ? d < 0 : d <= 0);
        }
      }
    }
  }
  return false;
}

CellId Program::Pack(std::span<const CellId> cells) {
  const CellId first = static_cast<CellId>(cells_.size());
  for (CellId c : cells) {
    if (!cells_[c].any) cells_.push_back(cells_[c]);
  }
  return first;
}

bool Program::CellsMatch(CellId first, CellId end, std::span<const Value> inputs) const {
  const Cell* cell = cells_.data() + first;
  const Cell* const last = cells_.data() + end;
  const Atom* const atoms = atoms_.data();
  for (; cell != last; ++cell) {
    const Value& v = inputs[cell->input];
    bool match = cell->any;
    for (const Atom *a = atoms + cell->first_atom, *e = a + cell->atoms; a != e && !match; ++a) {
      match = AtomMatches(*a, v, inputs);
    }
    if (match == cell->negate) return false;
  }
  return true;
}

int Program::FirstMatch(std::span<const CellId> row_cells, size_t from, std::span<const Value> inputs) const {
  for (size_t r = from; r + 1 < row_cells.size(); ++r) {
    if (CellsMatch(row_cells[r], row_cells[r + 1], inputs)) return static_cast<int>(r);
  }
  return -1;
}

// ---- overlap of constant cells ----
//
// A cell of constants is a set of values: null or not, and a union of intervals over the input's
// domain (int64 days, integers and 0/1 booleans; doubles; strings ordered bytewise). Two cells
// overlap when their sets share a value; not(...) is the complement. Intervals keep open/closed
// bounds; an open interval between adjacent values (5 and 6; "a" and "a\0"; a double and the next)
// is empty.

namespace {

template <typename K>
struct Iv {
  K lo{}, hi{};
  bool lo_open = false, hi_open = false, hi_inf = false;
};

bool Adjacent(int64_t a, int64_t b) { return b - 1 == a; }
bool Adjacent(double a, double b) { return std::nextafter(a, std::numeric_limits<double>::infinity()) == b; }
bool Adjacent(const std::string& a, const std::string& b) {
  return b.size() == a.size() + 1 && b.back() == '\0' && b.compare(0, a.size(), a) == 0;
}

template <typename K>
bool Empty(const Iv<K>& i) {
  if (i.hi_inf) return false;
  if (i.hi < i.lo) return true;
  if (!(i.lo < i.hi)) return i.lo_open || i.hi_open;
  return i.lo_open && i.hi_open && Adjacent(i.lo, i.hi);
}

template <typename K>
std::optional<Iv<K>> Intersect(const Iv<K>& x, const Iv<K>& y) {
  Iv<K> r;
  if (x.lo < y.lo) {
    r.lo = y.lo;
    r.lo_open = y.lo_open;
  } else if (y.lo < x.lo) {
    r.lo = x.lo;
    r.lo_open = x.lo_open;
  } else {
    r.lo = x.lo;
    r.lo_open = x.lo_open || y.lo_open;
  }
  if (x.hi_inf && y.hi_inf) {
    r.hi_inf = true;
  } else if (x.hi_inf || (!y.hi_inf && y.hi < x.hi)) {
    r.hi = y.hi;
    r.hi_open = y.hi_open;
  } else if (y.hi_inf || x.hi < y.hi) {
    r.hi = x.hi;
    r.hi_open = x.hi_open;
  } else {
    r.hi = x.hi;
    r.hi_open = x.hi_open || y.hi_open;
  }
  if (Empty(r)) return std::nullopt;
  return r;
}

template <typename K>
struct Set {
  bool null = false;
  std::vector<Iv<K>> iv;
};

constexpr size_t kMaxIntervals = 4096;

template <typename K>
std::optional<Set<K>> Complement(const Set<K>& s, const Iv<K>& full) {
  Set<K> out;
  out.null = !s.null;
  out.iv = {full};
  for (const Iv<K>& i : s.iv) {
    std::vector<Iv<K>> pieces;
    Iv<K> left = full;
    left.hi = i.lo;
    left.hi_open = !i.lo_open;
    left.hi_inf = false;
    if (!Empty(left)) pieces.push_back(left);
    if (!i.hi_inf) {
      Iv<K> right = full;
      right.lo = i.hi;
      right.lo_open = !i.hi_open;
      if (!Empty(right)) pieces.push_back(right);
    }
    std::vector<Iv<K>> next;
    for (const Iv<K>& a : out.iv) {
      for (const Iv<K>& b : pieces) {
        if (auto c = Intersect(a, b)) next.push_back(*c);
      }
    }
    if (next.size() > kMaxIntervals) return std::nullopt;
    out.iv = std::move(next);
  }
  return out;
}

template <typename K>
bool Intersects(const Set<K>& a, const Set<K>& b) {
  if (a.null && b.null) return true;
  for (const Iv<K>& x : a.iv) {
    for (const Iv<K>& y : b.iv) {
      if (Intersect(x, y)) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::pair<size_t, size_t>> Program::OverlappingRows(
    const std::vector<std::vector<std::optional<CellId>>>& rows, std::span<const ValueType> types,
    size_t limit) const {
  const size_t n_rows = rows.size();
  const size_t n_inputs = types.size();
  // known[r][k]: the set of row r's cell on input k, or nothing when the cell is opaque.
  struct Sets {
    std::optional<Set<int64_t>> i;
    std::optional<Set<double>> d;
    std::optional<Set<std::string>> s;
    bool opaque = false;
  };
  std::vector<std::vector<Sets>> sets(n_rows, std::vector<Sets>(n_inputs));
  for (size_t k = 0; k < n_inputs; ++k) {
    const ValueType t = types[k];
    Iv<int64_t> full_i;
    full_i.lo = t == ValueType::kDate ? MinDay() : t == ValueType::kBoolean ? 0 : std::numeric_limits<int64_t>::min();
    full_i.hi = t == ValueType::kDate ? MaxDay() : t == ValueType::kBoolean ? 1 : std::numeric_limits<int64_t>::max();
    Iv<double> full_d;
    full_d.lo = -std::numeric_limits<double>::infinity();
    full_d.hi = std::numeric_limits<double>::infinity();
    Iv<std::string> full_s;
    full_s.hi_inf = true;
    for (size_t r = 0; r < n_rows; ++r) {
      Sets& out = sets[r][k];
      const std::optional<CellId> id = k < rows[r].size() ? rows[r][k] : std::nullopt;
      const Cell* cell = id ? &cells_[*id] : nullptr;
      if (cell != nullptr && cell->opaque) {
        out.opaque = true;
        continue;
      }
      const bool any = cell == nullptr || cell->any;
      // The union of the cell's atoms, in each domain (only the input type's is used).
      Set<int64_t> si;
      Set<double> sd;
      Set<std::string> ss;
      si.null = sd.null = ss.null = any;
      if (any) {
        si.iv = {full_i};
        sd.iv = {full_d};
        ss.iv = {full_s};
      }
      for (uint32_t a = any ? 0 : cell->first_atom, e = any ? 0 : cell->first_atom + cell->atoms; a < e; ++a) {
        const Atom& atom = atoms_[a];
        switch (atom.op) {
          case AtomOp::kNever: break;
          case AtomOp::kIsNull: si.null = sd.null = ss.null = true; break;
          case AtomOp::kNotNull:
            si.iv.push_back(full_i);
            sd.iv.push_back(full_d);
            ss.iv.push_back(full_s);
            break;
          case AtomOp::kIntRange: si.iv.push_back({atom.lo, atom.hi}); break;
          case AtomOp::kIntNe: {
            Set<int64_t> point;
            point.iv = {{atom.lo, atom.lo}};
            if (auto c = Complement(point, full_i)) {
              for (const auto& i : c->iv) si.iv.push_back(i);
            }
            break;
          }
          case AtomOp::kDecRange: sd.iv.push_back({atom.dlo, atom.dhi, atom.lo_open, atom.hi_open}); break;
          case AtomOp::kDecNe: {
            Set<double> point;
            point.iv = {{atom.dlo, atom.dlo}};
            if (auto c = Complement(point, full_d)) {
              for (const auto& i : c->iv) sd.iv.push_back(i);
            }
            break;
          }
          case AtomOp::kStrEq: ss.iv.push_back({strings_[atom.lo], strings_[atom.lo]}); break;
          case AtomOp::kStrNe: {
            Set<std::string> point;
            point.iv = {{strings_[atom.lo], strings_[atom.lo]}};
            if (auto c = Complement(point, full_s)) {
              for (const auto& i : c->iv) ss.iv.push_back(i);
            }
            break;
          }
          case AtomOp::kStrRange: {
            Iv<std::string> i;
            i.lo = atom.lo_inf ? std::string() : strings_[atom.lo];
            i.lo_open = !atom.lo_inf && atom.lo_open;
            i.hi_inf = atom.hi_inf;
            if (!atom.hi_inf) i.hi = strings_[atom.hi];
            i.hi_open = atom.hi_open;
            ss.iv.push_back(i);
            break;
          }
          case AtomOp::kGeneric: out.opaque = true; break;
        }
      }
      if (cell != nullptr && cell->negate) {
        auto ci = Complement(si, full_i);
        auto cd = Complement(sd, full_d);
        auto cs = Complement(ss, full_s);
        if (!ci || !cd || !cs) {
          out.opaque = true;
          continue;
        }
        si = std::move(*ci);
        sd = std::move(*cd);
        ss = std::move(*cs);
      }
      if (t == ValueType::kDecimal) {
        out.d = std::move(sd);
      } else if (t == ValueType::kString) {
        out.s = std::move(ss);
      } else {
        out.i = std::move(si);
      }
    }
  }
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t r = 0; r < n_rows && out.size() < limit; ++r) {
    for (size_t q = r + 1; q < n_rows && out.size() < limit; ++q) {
      bool overlap = true;
      for (size_t k = 0; k < n_inputs && overlap; ++k) {
        const Sets& a = sets[r][k];
        const Sets& b = sets[q][k];
        if (a.opaque || b.opaque) {
          overlap = false;
        } else if (a.d) {
          overlap = Intersects(*a.d, *b.d);
        } else if (a.s) {
          overlap = Intersects(*a.s, *b.s);
        } else {
          overlap = Intersects(*a.i, *b.i);
        }
      }
      if (overlap) out.push_back({r, q});
    }
  }
  return out;
}

}  // namespace tongban::service::rules
