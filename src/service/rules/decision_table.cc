// DecisionTable; see decision_table.h. Grammar of the files: docs/rules.md.
#include "service/rules/decision_table.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include <toml++/toml.h>

namespace tongban::service::rules {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kApprove: return "approve";
    case Outcome::kReject: return "reject";
    case Outcome::kRefer: return "refer";
  }
  return "refer";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (Outcome o : {Outcome::kApprove, Outcome::kReject, Outcome::kRefer}) {
    if (OutcomeName(o) == name) return o;
  }
  return std::nullopt;
}

std::string_view HitPolicyName(HitPolicy p) {
  switch (p) {
    case HitPolicy::kUnique: return "unique";
    case HitPolicy::kFirst: return "first";
    case HitPolicy::kCollect: return "collect";
  }
  return "first";
}

std::optional<HitPolicy> ParseHitPolicy(std::string_view name) {
  for (HitPolicy p : {HitPolicy::kUnique, HitPolicy::kFirst, HitPolicy::kCollect}) {
    if (HitPolicyName(p) == name) return p;
  }
  return std::nullopt;
}

namespace {

constexpr std::string_view kNoMatchZh = "没有规则命中，转人工审核";
constexpr std::string_view kNoMatchEn = "No rule matched; referred to staff";
constexpr std::string_view kManyZh = "多条规则同时命中，转人工审核";
constexpr std::string_view kManyEn = "More than one rule matched; referred to staff";

// reject > refer > approve.
int Severity(Outcome o) { return o == Outcome::kReject ? 2 : o == Outcome::kRefer ? 1 : 0; }

std::string Fingerprint(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool IsName(std::string_view s, bool allow_leading_underscore) {
  if (s.empty() || s.size() > 64) return false;
  const char c0 = s[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (allow_leading_underscore && c0 == '_'))) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsReserved(std::string_view s) {
  for (std::string_view k : {"and", "or", "not", "in", "if", "then", "else", "true", "false", "null", "today", "form",
                             "data", "license"}) {
    if (s == k) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += sep;
    out += parts[k];
  }
  return out;
}

}  // namespace

// Reads one rule file into a DecisionTable, collecting every problem with its line and column.
class TableParser {
 public:
  TableParser(std::string_view file, std::string_view text, const Vocabulary& vocabulary)
      : file_(file), text_(text), vocabulary_(vocabulary) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  Result<DecisionTable> Run() {
    DecisionTable t;
    t.file_name_ = file_;
    t.fingerprint_ = Fingerprint(text_);
    toml::table root;
    try {
      root = toml::parse(text_, std::string_view(file_));
    } catch (const toml::parse_error& e) {
      Error(Pos(e.source().begin), "TOML: " + std::string(e.description()));
      return Finish(std::move(t));
    }
    Keys top(*this, root, "file");
    t.item_ = top.String("item", true);
    if (!t.item_.empty() && !IsName(t.item_, false)) {
      top.Error("item", "item \"" + t.item_ + "\" must match [a-z][a-z0-9_]* (at most 64)");
    }
    t.version_ = static_cast<int>(top.Integer("version", 1, 1, 1'000'000'000));
    const std::string policy = top.String("hit_policy", true);
    if (auto p = ParseHitPolicy(policy)) {
      t.hit_policy_ = *p;
    } else if (!policy.empty()) {
      top.Error("hit_policy", "hit_policy must be unique, first or collect, not \"" + policy + "\"");
    }
    t.title_zh_ = top.String("title_zh", true);
    t.title_en_ = top.String("title_en", true);
    const std::vector<const toml::table*> inputs = top.Tables("input");
    const std::vector<const toml::table*> rules = top.Tables("rule");
    top.Finish();
    if (inputs.empty() && top.Has("input") == false) Error({1, 1}, "a rule file needs at least one [[input]]");
    if (rules.empty() && top.Has("rule") == false) Error({1, 1}, "a rule file needs at least one [[rule]]");

    t.inputs_.reserve(inputs.size());  // the scopes below point at the names
    for (const toml::table* in : inputs) ReadInput(t, *in);
    const size_t errors_before_rows = errors_.size();
    std::vector<std::vector<std::optional<CellId>>> matrix;
    for (const toml::table* r : rules) matrix.push_back(ReadRow(t, *r));
    const bool rows_ok = errors_.size() == errors_before_rows;

    if (rows_ok && t.hit_policy_ == HitPolicy::kUnique) {
      std::vector<ValueType> types;
      for (const InputSpec& in : t.inputs_) types.push_back(in.type);
      for (auto [a, b] : t.program_.OverlappingRows(matrix, types, 100)) {
        const RowSpec& ra = t.rows_[a];
        const RowSpec& rb = t.rows_[b];
        Error(row_pos_[b], "rows " + std::to_string(ra.number) + " (line " + std::to_string(ra.line) + ") and " +
                               std::to_string(rb.number) + " (line " + std::to_string(rb.line) +
                               ") overlap: some inputs match both, and hit_policy \"unique\" allows one");
      }
    }
    if (errors_.empty()) {
      t.row_cells_.push_back(0);
      for (size_t r = 0; r < matrix.size(); ++r) {
        std::vector<CellId> cells;
        for (const auto& c : matrix[r]) {
          if (c) cells.push_back(*c);
        }
        const CellId first = t.program_.Pack(cells);
        if (r == 0) t.row_cells_[0] = first;
        size_t packed = 0;
        for (CellId c : cells) packed += t.program_.IsAny(c) ? 0 : 1;
        t.row_cells_.push_back(first + static_cast<CellId>(packed));
        t.row_outcomes_.push_back(t.rows_[r].outcome);
      }
      for (size_t k = 0; k < t.inputs_.size(); ++k) {
        if (t.inputs_[k].required) t.required_.push_back(static_cast<uint32_t>(k));
      }
    }
    return Finish(std::move(t));
  }

 private:
  struct Where {
    int line = 1, column = 1;
  };

  static Where Pos(const toml::source_position& p) {
    return {static_cast<int>(std::max<uint32_t>(p.line, 1)), static_cast<int>(std::max<uint32_t>(p.column, 1))};
  }
  static Where Pos(const toml::node& n) { return Pos(n.source().begin); }
  static Where Pos(const toml::key& k) { return Pos(k.source().begin); }

  void Error(Where w, std::string reason) {
    w = Clamp(w);
    errors_.push_back({file_ + ":" + std::to_string(w.line) + ":" + std::to_string(w.column), std::move(reason)});
  }

  // A position inside the text: toml++ places an error at the end of the text one column past the
  // last newline; that becomes the start of the (empty) line after it.
  Where Clamp(Where w) const {
    const int lines = static_cast<int>(line_starts_.size());
    if (w.line > lines) return {lines, static_cast<int>(LineLength(lines)) + 1};
    const int length = static_cast<int>(LineLength(w.line));
    if (w.column <= length + 1) return w;
    if (w.line < lines) return {w.line + 1, 1};
    return {w.line, length + 1};
  }

  // Code points on line `line` (1-based), its newline not counted.
  size_t LineLength(int line) const {
    size_t n = 0;
    for (size_t i = line_starts_[line - 1]; i < text_.size() && text_[i] != '\n'; ++i) {
      n += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
    }
    return n;
  }

  Result<DecisionTable> Finish(DecisionTable t) {
    if (errors_.empty()) return t;
    // Copied before the call: GCC may move `errors_` before it evaluates the message.
    const std::string first = errors_.front().field + ": " + errors_.front().reason;
    const size_t n = errors_.size();
    return Status::InvalidArgument(
        "rules " + file_ + ": " + std::to_string(n) + (n == 1 ? " error" : " errors") + "; first: " + first,
        std::move(errors_));
  }

  // The byte offset in the text of (line, column), columns counting code points as toml++ does.
  std::optional<size_t> Offset(Where w) const {
    if (w.line < 1 || static_cast<size_t>(w.line) > line_starts_.size()) return std::nullopt;
    size_t i = line_starts_[w.line - 1];
    for (int col = 1; col < w.column; ++col) {
      if (i >= text_.size() || text_[i] == '\n') return std::nullopt;
      const unsigned char c = static_cast<unsigned char>(text_[i]);
      i += c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    }
    return i;
  }

  // The position in the file of byte `offset` of the decoded value of string node `n`: walks
  // the string's source, so escapes ("\u4e2d") and multi-line strings land on the right column.
  Where InString(const toml::node& n, size_t offset) const {
    const Where start = Pos(n);
    const Where fallback{start.line, start.column + 1 + static_cast<int>(std::min<size_t>(offset, 100000))};
    auto at = Offset(start);
    if (!at || *at >= text_.size() || (text_[*at] != '"' && text_[*at] != '\'')) return fallback;
    size_t i = *at;
    const char quote = text_[i];
    const bool literal = quote == '\'';
    const bool multi = text_.substr(i, 3) == std::string(3, quote);
    const size_t delim = multi ? 3 : 1;
    i += delim;
    Where w{start.line, start.column + static_cast<int>(delim)};
    if (multi && i < text_.size() && (text_[i] == '\n' || text_.substr(i, 2) == "\r\n")) {  // trimmed
      i += text_[i] == '\n' ? 1 : 2;
      ++w.line;
      w.column = 1;
    }
    auto utf8_len = [](uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; };
    size_t decoded = 0;
    while (decoded < offset && i < text_.size()) {
      const char c = text_[i];
      if (!multi && (c == quote || c == '\n')) break;
      if (!literal && c == '\\' && i + 1 < text_.size()) {
        const char e = text_[i + 1];
        if (multi && (e == ' ' || e == '\t' || e == '\n' || e == '\r')) {  // line-ending backslash
          i += 1;
          ++w.column;
          while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) {
            if (text_[i] == '\n') {
              ++w.line;
              w.column = 1;
            } else {
              ++w.column;
            }
            ++i;
          }
          continue;
        }
        size_t len = 2;
        size_t out = 1;
        if (e == 'u' || e == 'U' || e == 'x') {
          const size_t digits = e == 'u' ? 4 : e == 'U' ? 8 : 2;
          uint32_t cp = 0;
          for (size_t k = 0; k < digits && i + 2 + k < text_.size(); ++k) {
            const char h = text_[i + 2 + k];
            cp = cp * 16 + static_cast<uint32_t>(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
          }
          len = 2 + digits;
          out = utf8_len(cp);
        }
        i += len;
        w.column += static_cast<int>(len);
        decoded += out;
        continue;
      }
      if (c == '\n' || (c == '\r' && text_.substr(i, 2) == "\r\n")) {
        i += c == '\n' ? 1 : 2;
        decoded += 1;
        ++w.line;
        w.column = 1;
        continue;
      }
      const unsigned char u = static_cast<unsigned char>(c);
      const size_t len = u < 0x80 ? 1 : u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : u >= 0xC0 ? 2 : 1;
      i += len;
      decoded += len;
      ++w.column;
    }
    return w;
  }

  // The keys of one table, each read at most once; Finish() reports the keys nobody read.
  class Keys {
   public:
    Keys(TableParser& p, const toml::table& t, std::string what) : p_(p), t_(t), what_(std::move(what)) {}

    bool Has(std::string_view key) const { return t_.get(key) != nullptr; }

    const toml::node* Get(std::string_view key) {
      seen_.insert(std::string(key));
      return t_.get(key);
    }

    void Error(std::string_view key, std::string reason) {
      const toml::node* n = t_.get(key);
      p_.Error(n != nullptr ? Pos(*n) : Pos(t_), Prefix() + std::move(reason));
    }

    void ErrorAt(const toml::node& n, std::string reason) { p_.Error(Pos(n), Prefix() + std::move(reason)); }

    std::string String(std::string_view key, bool required) {
      const toml::node* n = Get(key);
      if (n == nullptr) {
        if (required) p_.Error(Pos(t_), Prefix() + std::string(key) + " is required");
        return "";
      }
      if (!n->is_string()) {
        ErrorAt(*n, std::string(key) + " must be a string");
        return "";
      }
      std::string v = *n->value<std::string>();
      if (required && v.empty()) ErrorAt(*n, std::string(key) + " must not be empty");
      return v;
    }

    int64_t Integer(std::string_view key, int64_t fallback, int64_t lo, int64_t hi) {
      const toml::node* n = Get(key);
      if (n == nullptr) {
        p_.Error(Pos(t_), Prefix() + std::string(key) + " is required");
        return fallback;
      }
      if (!n->is_integer()) {
        ErrorAt(*n, std::string(key) + " must be an integer");
        return fallback;
      }
      const int64_t v = *n->value<int64_t>();
      if (v < lo || v > hi) {
        ErrorAt(*n, std::string(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
        return fallback;
      }
      return v;
    }

    bool Bool(std::string_view key, bool fallback) {
      const toml::node* n = Get(key);
      if (n == nullptr) return fallback;
      if (!n->is_boolean()) {
        ErrorAt(*n, std::string(key) + " must be true or false");
        return fallback;
      }
      return *n->value<bool>();
    }

    // [[key]]: its tables; anything else is an error.
    std::vector<const toml::table*> Tables(std::string_view key) {
      std::vector<const toml::table*> out;
      const toml::node* n = Get(key);
      if (n == nullptr) return out;
      const toml::array* a = n->as_array();
      if (a == nullptr) {
        ErrorAt(*n, std::string(key) + " must be an array of tables [[" + std::string(key) + "]]");
        return out;
      }
      for (const toml::node& e : *a) {
        if (const toml::table* t = e.as_table()) {
          out.push_back(t);
        } else {
          ErrorAt(e, std::string(key) + " entries must be tables [[" + std::string(key) + "]]");
        }
      }
      return out;
    }

    void Finish() {
      for (const auto& [key, value] : t_) {
        if (!seen_.contains(std::string(key.str()))) {
          p_.Error(Pos(key), Prefix() + "unknown key \"" + std::string(key.str()) + "\"");
        }
      }
    }

    void SetWhat(std::string what) { what_ = std::move(what); }

   private:
    std::string Prefix() const { return what_ == "file" ? "" : what_ + ": "; }

    TableParser& p_;
    const toml::table& t_;
    std::string what_;
    std::set<std::string> seen_;
  };

  // Errors of an expression or cell, placed in the file.
  void ExprErrors(const toml::node& string_node, const std::vector<ExprError>& errors, const std::string& what) {
    for (const ExprError& e : errors) Error(InString(string_node, e.offset), what + ": " + e.reason);
  }

  // The scope of names of input `k`: the inputs before it, today, and references.
  std::vector<Scope::Input> ScopeInputs(const DecisionTable& t, size_t k) const {
    std::vector<Scope::Input> out;
    for (size_t i = 0; i < k && i < t.inputs_.size(); ++i) out.push_back({t.inputs_[i].name, t.inputs_[i].type});
    return out;
  }

  Result<RefSlot> Resolve(DecisionTable& t, Reference::Kind kind, std::string_view a, std::string_view b) {
    Reference ref;
    ref.kind = kind;
    ref.a = std::string(a);
    ref.b = std::string(b);
    switch (kind) {
      case Reference::Kind::kForm: {
        auto type = vocabulary_.form ? vocabulary_.form(a) : std::nullopt;
        if (!type) return Status::InvalidArgument("unknown form field " + ref.a);
        ref.type = *type;
        break;
      }
      case Reference::Kind::kData: {
        auto type = vocabulary_.data ? vocabulary_.data(a, b) : std::nullopt;
        if (!type) return Status::InvalidArgument("unknown data element " + ref.a + "." + ref.b);
        ref.type = *type;
        break;
      }
      case Reference::Kind::kLicense: {
        if (!vocabulary_.license_type || !vocabulary_.license_type(a)) {
          return Status::InvalidArgument("unknown licence type " + ref.a);
        }
        if (!b.empty() && (!vocabulary_.license_field || !vocabulary_.license_field(a, b))) {
          return Status::InvalidArgument("licence type " + ref.a + " has no field " + ref.b);
        }
        ref.type = b.empty() ? ValueType::kBoolean : ValueType::kString;
        break;
      }
    }
    if (ref.type == ValueType::kNull) return Status::InvalidArgument(ref.Text() + " has no type");
    for (size_t k = 0; k < t.references_.size(); ++k) {
      if (t.references_[k] == ref) return RefSlot{static_cast<uint32_t>(k), ref.type};
    }
    t.references_.push_back(ref);
    return RefSlot{static_cast<uint32_t>(t.references_.size() - 1), ref.type};
  }

  void ReadInput(DecisionTable& t, const toml::table& table) {
    Keys keys(*this, table, "[[input]]");
    InputSpec in;
    in.line = Pos(table).line;
    in.name = keys.String("name", true);
    if (!in.name.empty()) {
      keys.SetWhat("input " + in.name);
      if (!IsName(in.name, true)) {
        keys.Error("name", "name must match [a-z_][a-z0-9_]* (at most 64)");
      } else if (IsReserved(in.name)) {
        keys.Error("name", "\"" + in.name + "\" is a reserved word of the expression language");
      }
      for (const InputSpec& other : t.inputs_) {
        if (other.name == in.name) {
          keys.Error("name", "duplicate input name (first defined at line " + std::to_string(other.line) + ")");
          break;
        }
      }
    }
    in.label_zh = keys.String("label_zh", true);
    in.label_en = keys.String("label_en", true);
    const std::string type = keys.String("type", true);
    if (auto vt = ParseValueType(type)) {
      in.type = *vt;
    } else if (!type.empty()) {
      keys.Error("type", "type must be boolean, integer, decimal, string or date, not \"" + type + "\"");
    }
    in.expr = keys.String("expr", true);
    in.required = keys.Bool("required", true);
    keys.Finish();

    NodeId node = 0;
    if (const toml::node* expr_node = table.get("expr"); expr_node != nullptr && expr_node->is_string() &&
                                                          !in.expr.empty()) {
      const std::vector<Scope::Input> visible = ScopeInputs(t, t.inputs_.size());
      Scope scope;
      scope.inputs = visible;
      scope.today = true;
      scope.reference = [&](Reference::Kind kind, std::string_view a, std::string_view b) {
        return Resolve(t, kind, a, b);
      };
      std::vector<ExprError> errors;
      auto compiled = t.program_.CompileExpression(in.expr, scope, errors);
      const std::string what = "input " + (in.name.empty() ? std::string("?") : in.name);
      ExprErrors(*expr_node, errors, what);
      if (compiled) {
        node = *compiled;
        const ValueType got = t.program_.TypeOf(node);
        const bool fits = got == in.type || got == ValueType::kNull ||
                          (got == ValueType::kInteger && in.type == ValueType::kDecimal);
        if (!fits && in.type != ValueType::kNull) {
          Error(InString(*expr_node, 0), what + ": declared " + std::string(ValueTypeName(in.type)) +
                                             " but its expr gives " + std::string(ValueTypeName(got)));
        }
        if (in.type == ValueType::kNull) in.type = got;  // after a bad `type`: keep checking with what it gives
      }
    }
    t.input_exprs_.push_back(node);
    t.inputs_.push_back(std::move(in));
  }

  std::vector<std::optional<CellId>> ReadRow(DecisionTable& t, const toml::table& table) {
    RowSpec row;
    row.number = static_cast<int>(t.rows_.size()) + 1;
    row.line = Pos(table).line;
    row_pos_.push_back(Pos(table));
    Keys keys(*this, table, "rule " + std::to_string(row.number));
    const std::string outcome = keys.String("outcome", true);
    if (auto o = ParseOutcome(outcome)) {
      row.outcome = *o;
    } else if (!outcome.empty()) {
      keys.Error("outcome", "outcome must be approve, reject or refer, not \"" + outcome + "\"");
    }
    row.reason_zh = keys.String("reason_zh", true);
    row.reason_en = keys.String("reason_en", true);
    const toml::node* when = keys.Get("when");
    keys.Finish();

    std::vector<std::optional<CellId>> cells(t.inputs_.size());
    std::map<size_t, const toml::node*> given;  // input index -> cell node
    if (when != nullptr) {
      const toml::table* w = when->as_table();
      if (w == nullptr) {
        keys.ErrorAt(*when, "when must be a table { input = \"cell\", ... }");
      } else {
        for (const auto& [key, value] : *w) {
          const std::string name(key.str());
          auto k = t.FindInput(name);
          if (!k) {
            std::vector<std::string> names;
            for (const InputSpec& in : t.inputs_) names.push_back(in.name);
            Error(Pos(key), "rule " + std::to_string(row.number) + ": unknown input " + name + " in when (inputs: " +
                                Join(names, ", ") + ")");
            continue;
          }
          if (!value.is_string()) {
            Error(Pos(value), "rule " + std::to_string(row.number) + ": the cell of " + name +
                                  " must be a string (write \"true\", \"6\", \"[6..15]\")");
            continue;
          }
          row.cells[name] = *value.value<std::string>();
          given[*k] = &value;
        }
      }
    }
    std::vector<Scope::Input> all = ScopeInputs(t, t.inputs_.size());
    Scope scope;
    scope.inputs = all;
    for (const auto& [k, node] : given) {
      std::vector<ExprError> errors;
      const std::string text = *node->value<std::string>();
      cells[k] = t.program_.CompileCell(text, static_cast<uint32_t>(k), t.inputs_[k].type, scope, errors);
      ExprErrors(*node, errors, "rule " + std::to_string(row.number) + ", cell " + t.inputs_[k].name);
    }
    t.rows_.push_back(std::move(row));
    return cells;
  }

  std::string file_;
  std::string_view text_;
  const Vocabulary& vocabulary_;
  std::vector<size_t> line_starts_;
  std::vector<FieldError> errors_;
  std::vector<Where> row_pos_;
};

Result<DecisionTable> DecisionTable::Parse(std::string_view file_name, std::string_view text,
                                           const Vocabulary& vocabulary) {
  return TableParser(file_name, text, vocabulary).Run();
}

std::optional<size_t> DecisionTable::FindReference(Reference::Kind kind, std::string_view a, std::string_view b) const {
  for (size_t k = 0; k < references_.size(); ++k) {
    const Reference& r = references_[k];
    if (r.kind == kind && r.a == a && r.b == b) return k;
  }
  return std::nullopt;
}

std::optional<size_t> DecisionTable::FindInput(std::string_view name) const {
  for (size_t k = 0; k < inputs_.size(); ++k) {
    if (inputs_[k].name == name) return k;
  }
  return std::nullopt;
}

std::vector<int> DecisionTable::ApproveRows() const {
  std::vector<int> out;
  for (const RowSpec& r : rows_) {
    if (r.outcome == Outcome::kApprove) out.push_back(r.number);
  }
  return out;
}

std::vector<Value> DecisionTable::ComputeInputsUnchecked(std::span<const Value> refs, CivilDate today) const {
  std::vector<Value> out;
  out.reserve(inputs_.size());
  EvalContext ctx;
  ctx.refs = refs;
  ctx.today = today;
  for (size_t k = 0; k < inputs_.size(); ++k) {
    ctx.inputs = std::span<const Value>(out.data(), out.size());
    Value v = program_.Evaluate(input_exprs_[k], ctx);
    if (inputs_[k].type == ValueType::kDecimal && v.type() == ValueType::kInteger) {
      v = Value::Decimal(static_cast<double>(v.integer()));
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<Value>> DecisionTable::ComputeInputs(std::span<const Value> refs, CivilDate today) const {
  if (refs.size() != references_.size()) {
    return Status::InvalidArgument("rules " + item_ + ": " + std::to_string(refs.size()) + " reference values for " +
                                   std::to_string(references_.size()) + " references");
  }
  std::vector<FieldError> errors;
  for (size_t k = 0; k < refs.size(); ++k) {
    const ValueType want = references_[k].type;
    const ValueType got = refs[k].type();
    if (got != ValueType::kNull && got != want && !(got == ValueType::kInteger && want == ValueType::kDecimal)) {
      errors.push_back({references_[k].Text(), "expected " + std::string(ValueTypeName(want)) + ", got " +
                                                   std::string(ValueTypeName(got))});
    }
  }
  if (!errors.empty()) {
    const std::string first = errors.front().field + ": " + errors.front().reason;
    return Status::InvalidArgument("rules " + item_ + ": reference of the wrong type: " + first, std::move(errors));
  }
  return ComputeInputsUnchecked(refs, today);
}

Outcome DecisionTable::Decide(std::span<const Value> inputs, std::vector<int>& rows) const {
  rows.clear();
  if (inputs.size() != inputs_.size()) return Outcome::kRefer;
  for (uint32_t k : required_) {
    if (inputs[k].is_null()) return Outcome::kRefer;
  }
  if (hit_policy_ == HitPolicy::kFirst) {
    const int r = program_.FirstMatch(row_cells_, 0, inputs);
    if (r < 0) return Outcome::kRefer;
    rows.push_back(r + 1);
    return row_outcomes_[r];
  }
  Outcome worst = Outcome::kApprove;
  for (int r = program_.FirstMatch(row_cells_, 0, inputs); r >= 0;
       r = program_.FirstMatch(row_cells_, static_cast<size_t>(r) + 1, inputs)) {
    rows.push_back(r + 1);
    if (Severity(row_outcomes_[r]) > Severity(worst)) worst = row_outcomes_[r];
  }
  if (rows.empty()) return Outcome::kRefer;
  if (hit_policy_ == HitPolicy::kUnique) return rows.size() == 1 ? row_outcomes_[rows[0] - 1] : Outcome::kRefer;
  return worst;
}

Decision DecisionTable::DecideInputs(std::vector<Value> inputs) const {
  Decision d;
  d.inputs = std::move(inputs);
  d.inputs.resize(inputs_.size());
  std::vector<std::string> labels_zh, labels_en;
  for (uint32_t k : required_) {
    if (d.inputs[k].is_null()) {
      d.missing.push_back(inputs_[k].name);
      labels_zh.push_back(inputs_[k].label_zh);
      labels_en.push_back(inputs_[k].label_en);
    }
  }
  if (!d.missing.empty()) {
    d.outcome = Outcome::kRefer;
    d.reason_zh = "缺少数据：" + Join(labels_zh, "、") + "，转人工审核";
    d.reason_en = "Missing data: " + Join(labels_en, ", ") + "; referred to staff";
    return d;
  }
  d.outcome = Decide(d.inputs, d.rows);
  if (d.rows.empty()) {
    d.reason_zh = kNoMatchZh;
    d.reason_en = kNoMatchEn;
  } else if (hit_policy_ == HitPolicy::kUnique && d.rows.size() > 1) {
    d.reason_zh = kManyZh;
    d.reason_en = kManyEn;
  } else {
    std::vector<std::string> zh, en;
    for (int r : d.rows) {
      zh.push_back(rows_[r - 1].reason_zh);
      en.push_back(rows_[r - 1].reason_en);
    }
    d.reason_zh = Join(zh, "；");
    d.reason_en = Join(en, "; ");
  }
  return d;
}

Decision DecisionTable::Evaluate(std::span<const Value> refs, CivilDate today) const {
  return DecideInputs(ComputeInputsUnchecked(refs, today));
}

boost::json::object Decision::ToJson(const DecisionTable& table) const {
  boost::json::object o;
  o["outcome"] = OutcomeName(outcome);
  boost::json::array fired;
  for (int r : rows) fired.push_back(r);
  o["rows"] = std::move(fired);
  boost::json::array ins;
  for (size_t k = 0; k < inputs.size() && k < table.inputs().size(); ++k) {
    const InputSpec& spec = table.inputs()[k];
    ins.push_back(boost::json::object{{"name", spec.name},
                                      {"label_zh", spec.label_zh},
                                      {"label_en", spec.label_en},
                                      {"value", rules::ToJson(inputs[k])}});
  }
  o["inputs"] = std::move(ins);
  boost::json::array miss;
  for (const std::string& m : missing) miss.push_back(boost::json::string(m));
  o["missing"] = std::move(miss);
  o["reason_zh"] = reason_zh;
  o["reason_en"] = reason_en;
  o["rule"] = boost::json::object{
      {"item", table.item()}, {"version", table.version()}, {"fingerprint", table.fingerprint()}};
  return o;
}

Result<Decision> DecisionTable::Replay(const boost::json::object& stored) const {
  const boost::json::value* rule = stored.if_contains("rule");
  if (rule == nullptr || !rule->is_object()) return Status::InvalidField("rule", "missing");
  const boost::json::object& r = rule->get_object();
  const boost::json::value* item = r.if_contains("item");
  const boost::json::value* version = r.if_contains("version");
  if (item == nullptr || !item->is_string() || version == nullptr || !version->is_int64()) {
    return Status::InvalidField("rule", "needs item and version");
  }
  if (item->get_string() != item_ || version->get_int64() != version_) {
    return Status::FailedPrecondition("the decision was made by rules " + std::string(item->get_string()) +
                                      " version " + std::to_string(version->get_int64()) + ", not " + item_ +
                                      " version " + std::to_string(version_));
  }
  if (const boost::json::value* fp = r.if_contains("fingerprint")) {
    if (!fp->is_string() || fp->get_string() != fingerprint_) {
      return Status::FailedPrecondition("rules " + item_ + " version " + std::to_string(version_) +
                                        " were edited since the decision (fingerprint differs)");
    }
  }
  const boost::json::value* ins = stored.if_contains("inputs");
  if (ins == nullptr || !ins->is_array() || ins->get_array().size() != inputs_.size()) {
    return Status::InvalidField("inputs", "needs one entry per input (" + std::to_string(inputs_.size()) + ")");
  }
  std::vector<Value> values;
  for (size_t k = 0; k < inputs_.size(); ++k) {
    const boost::json::value& e = ins->get_array()[k];
    const std::string field = "inputs/" + std::to_string(k);
    if (!e.is_object()) return Status::InvalidField(field, "must be an object");
    const boost::json::value* name = e.get_object().if_contains("name");
    const boost::json::value* value = e.get_object().if_contains("value");
    if (name == nullptr || !name->is_string() || name->get_string() != inputs_[k].name || value == nullptr) {
      return Status::InvalidField(field, "must be {\"name\": \"" + inputs_[k].name + "\", \"value\": ...}");
    }
    auto v = ValueFromJson(*value, inputs_[k].type);
    if (!v.ok()) return Status::InvalidField(field + "/value", v.status().message());
    values.push_back(std::move(v).value());
  }
  return DecideInputs(std::move(values));
}

}  // namespace tongban::service::rules
