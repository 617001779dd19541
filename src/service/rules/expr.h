// The expression language of decision tables (a small, safe FEEL subset; docs/rules.md) and its
// unary-test cells: lexer, parser, static type checker, constant folder and evaluator.
//
// A Program is the compiled form of every expression and cell of one decision table: flat arrays
// of nodes, cell tests and interned strings, addressed by index (so a Program copies and moves
// freely and nothing points into it). Evaluation allocates nothing and copies no string: values
// are read in place from the caller's spans and the string pool. Expressions have no loops, no
// I/O and no user functions; their depth is bounded at compile time, so evaluation cannot run
// away. A runtime failure (integer overflow, a date outside the years 1..9999, date("x")) makes
// the expression null, as in FEEL.
//
// Thread-safety: compiling mutates; the const members (evaluation, matching, overlap) may run
// concurrently on a Program nobody compiles into any more.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "service/rules/value.h"

namespace tongban::service::rules {

// A name an input expression reads from outside the table: a form answer, a data-platform element
// or the applicant's licences. The table collects each once; the caller supplies one Value per
// reference (Null when absent).
struct Reference {
  enum class Kind { kForm, kData, kLicense };
  Kind kind = Kind::kForm;
  std::string a;  // form: the field; data: the dataset; license: the licence type
  std::string b;  // data: the element; license: the field ("" for "holds a valid licence")
  ValueType type = ValueType::kNull;  // form/data: from the vocabulary; license.t boolean; license.t.f string

  // "form.x", "data.d.e", "license.t", "license.t.f"
  std::string Text() const;
  friend bool operator==(const Reference&, const Reference&) = default;
};

// One problem in an expression or cell: the byte offset in its text, and why.
struct ExprError {
  size_t offset = 0;
  std::string reason;
};

// Where a reference landed: its index in the table's references, and its type.
struct RefSlot {
  uint32_t index = 0;
  ValueType type = ValueType::kNull;
};

// The names an expression being compiled may use.
struct Scope {
  struct Input {
    std::string_view name;
    ValueType type = ValueType::kNull;
  };
  // The inputs visible, by index: for an input's expression the earlier inputs, for a cell all.
  std::span<const Input> inputs;
  // `today` and age() (input expressions; cells are decided on inputs alone).
  bool today = false;
  // Resolves form./data./license. references (b is "" for form.x and license.t); returns the
  // slot, or an error whose message is the reason. Empty: references are not allowed here.
  std::function<Result<RefSlot>(Reference::Kind kind, std::string_view a, std::string_view b)> reference;
};

// What evaluation reads: one value per reference and per input (by index; an index past the end
// reads as null, as does a value whose type is not the declared one), and the decision date.
struct EvalContext {
  std::span<const Value> refs;
  std::span<const Value> inputs;
  std::optional<CivilDate> today;
};

using NodeId = uint32_t;
using CellId = uint32_t;

class Program {
 public:
  // Compiles `text` as an expression. nullopt when it has errors, each appended to `errors` with
  // its byte offset in `text` (a syntax error stops the expression; type and name errors do not).
  std::optional<NodeId> CompileExpression(std::string_view text, const Scope& scope, std::vector<ExprError>& errors);
  // The static type (kNull only for an expression that is always null).
  ValueType TypeOf(NodeId n) const { return nodes_[n].type; }
  // Folded to a constant at compile time.
  bool IsConstant(NodeId n) const;
  // The value of a compiled expression; a runtime failure gives null (and, if `failure` is not
  // null, sets it to the reason).
  Value Evaluate(NodeId n, const EvalContext& ctx, std::string* failure = nullptr) const;

  // Compiles a cell (a DMN unary test) on input `input` of type `type`: "-", "null", "< e", "[a..b]",
  // "\"A\", \"B\"", "not(...)", a bare expression (= e). Errors as for CompileExpression.
  std::optional<CellId> CompileCell(std::string_view text, uint32_t input, ValueType type, const Scope& scope,
                                    std::vector<ExprError>& errors);
  // "-": matches everything, null included.
  bool IsAny(CellId c) const { return cells_[c].any; }
  uint32_t CellInput(CellId c) const { return cells_[c].input; }
  // Copies `cells` but the "-" ones to the end, contiguous (a row's cells, for CellsMatch), and
  // returns the first copy's id; the copies end at the returned id + their count.
  CellId Pack(std::span<const CellId> cells);
  // Whether every cell in [first, end) matches. REQUIRES: inputs holds every input a cell reads.
  bool CellsMatch(CellId first, CellId end, std::span<const Value> inputs) const;
  // The first row r >= from whose cells all match, or -1; row r's cells are
  // [row_cells[r], row_cells[r + 1]) (so there are row_cells.size() - 1 rows). The decision
  // loop, kept here so that matching inlines into it.
  int FirstMatch(std::span<const CellId> row_cells, size_t from, std::span<const Value> inputs) const;

  // The pairs (i, j), i < j, of rows that provably overlap: for every input both rows' cells
  // share a value. `rows[r][k]` is row r's cell on input k (nullopt: "-"); `types[k]` the input's
  // type. Cells of constants are decided exactly; a cell with a non-constant operand never counts
  // as overlapping. At most `limit` pairs.
  std::vector<std::pair<size_t, size_t>> OverlappingRows(const std::vector<std::vector<std::optional<CellId>>>& rows,
                                                         std::span<const ValueType> types, size_t limit) const;

  // Internal: the evaluator's value (expr.cc) and context.
  struct RtVal;
  struct Ctx;

 private:
  friend class ExprParser;

  enum class Op : uint8_t {
    kConst, kInput, kRef, kToday,
    kNot, kAnd, kOr, kNeg, kAdd, kSub, kMul,
    kEq, kNe, kLt, kLe, kGt, kGe,
    kIn, kIf, kCall,
  };
  struct Node {
    Op op = Op::kConst;
    ValueType type = ValueType::kNull;
    uint8_t fn = 0;     // kCall: the function
    uint8_t depth = 1;  // longest path to a leaf (bounded: evaluation recursion)
    uint32_t a = 0, b = 0, c = 0;  // children; kConst string / kInput / kRef: index; kIn: x, first item, count
    int64_t i = 0;  // kConst boolean (0/1), integer, date (days)
    double d = 0;   // kConst decimal
  };
  // One element of `x in (...)`: a value, or a range with its bounds' openness.
  struct InItem {
    bool range = false, lo_open = false, hi_open = false;
    NodeId lo = 0, hi = 0;  // a value: lo
  };
  enum class AtomOp : uint8_t {
    kNever, kIsNull, kNotNull,
    kIntRange, kIntNe,   // integer, date (days) and boolean (0/1) inputs: closed [lo, hi] / != lo
    kDecRange, kDecNe,   // decimal inputs
    kStrEq, kStrNe, kStrRange,  // string inputs; lo/hi are string pool indices
    kGeneric,            // a non-constant operand: lo (and hi) are nodes, cmp the test
  };
  // One test of a cell; a cell matches when any of its atoms does (then negated for not(...)).
  struct Atom {
    AtomOp op = AtomOp::kNever;
    ValueType type = ValueType::kNull;  // kIntRange/kIntNe: the input's type
    uint8_t cmp = 0;                    // kGeneric: an Op (kEq..kGe), or kIn for a range
    bool lo_open = false, hi_open = false, lo_inf = false, hi_inf = false;
    int64_t lo = 0, hi = 0;
    double dlo = 0, dhi = 0;
  };
  struct Cell {
    uint32_t input = 0;
    uint32_t first_atom = 0, atoms = 0;
    bool negate = false;
    bool any = false;
    bool opaque = false;  // has a kGeneric atom
  };

  RtVal Eval(NodeId n, Ctx& ctx) const;
  RtVal Call(const Node& n, Ctx& ctx) const;
  bool AtomMatches(const Atom& a, const Value& v, std::span<const Value> inputs) const;
  RtVal Const(const Node& n) const;
  // Interns a string; returns its pool index.
  uint32_t Intern(std::string s);

  std::vector<Node> nodes_;
  std::vector<InItem> items_;
  std::vector<std::string> strings_;
  std::vector<Atom> atoms_;
  std::vector<Cell> cells_;
};

}  // namespace tongban::service::rules
