// Rule examples; see examples.h. Grammar: docs/rules.md.
#include "service/rules/examples.h"

#include <set>

#include <toml++/toml.h>

namespace tongban::service::rules {

namespace {

// "file:line:column" of a position, kept inside `text`: toml++ places an error at the end of the
// text one column past the last newline; that becomes the start of the (empty) line after it.
std::string Where(const std::string& file, std::string_view text, const toml::source_position& p) {
  std::vector<size_t> lengths = {0};  // code points per line
  for (unsigned char c : text) {
    if (c == '\n') {
      lengths.push_back(0);
    } else if ((c & 0xC0) != 0x80) {
      ++lengths.back();
    }
  }
  size_t line = std::max<size_t>(p.line, 1), column = std::max<size_t>(p.column, 1);
  if (line > lengths.size()) {
    line = lengths.size();
    column = lengths.back() + 1;
  } else if (column > lengths[line - 1] + 1) {
    if (line < lengths.size()) {
      ++line;
      column = 1;
    } else {
      column = lengths[line - 1] + 1;
    }
  }
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

// A TOML scalar as the JSON a data platform would send; nullopt for arrays, tables and times.
std::optional<boost::json::value> TomlToJson(const toml::node& n) {
  if (auto s = n.as_string()) return boost::json::value(boost::json::string(s->get()));
  if (auto i = n.as_integer()) return boost::json::value(i->get());
  if (auto f = n.as_floating_point()) return boost::json::value(f->get());
  if (auto b = n.as_boolean()) return boost::json::value(b->get());
  if (auto d = n.as_date()) {
    const toml::date& v = d->get();
    CivilDate c{static_cast<int>(v.year), static_cast<int>(v.month), static_cast<int>(v.day)};
    return boost::json::value(boost::json::string(c.ToString()));
  }
  return std::nullopt;
}

std::string RowsText(const std::vector<int>& rows) {
  std::string s = "[";
  for (size_t k = 0; k < rows.size(); ++k) s += (k > 0 ? ", " : "") + std::to_string(rows[k]);
  return s + "]";
}

class ExampleReader {
 public:
  ExampleReader(const DecisionTable& table, std::string_view file) : table_(table), file_(file) {}

  void Error(const toml::source_position& p, std::string reason) {
    errors_.push_back({Where(file_, text_, p), std::move(reason)});
  }

  // Checks the keys of `t` against `known`.
  void Unknown(const toml::table& t, std::initializer_list<std::string_view> known, const std::string& what) {
    for (const auto& [key, value] : t) {
      bool ok = false;
      for (std::string_view k : known) ok = ok || key.str() == k;
      if (!ok) Error(key.source().begin, what + "unknown key \"" + std::string(key.str()) + "\"");
    }
  }

  // Sets refs[reference] from a TOML value, read as the reference's type.
  void Set(std::vector<Value>& refs, size_t index, const toml::node& value, const std::string& what) {
    const Reference& ref = table_.references()[index];
    auto json = TomlToJson(value);
    if (!json) {
      Error(value.source().begin, what + ref.Text() + " must be a string, number, boolean or date");
      return;
    }
    auto v = ValueFromJson(*json, ref.type);
    if (!v.ok()) {
      Error(value.source().begin, what + ref.Text() + ": " + v.status().message());
      return;
    }
    refs[index] = std::move(v).value();
  }

  std::string UsedList(Reference::Kind kind) const {
    std::string out;
    for (const Reference& r : table_.references()) {
      if (r.kind != kind) continue;
      out += (out.empty() ? "" : ", ") + r.Text();
    }
    return out.empty() ? "none" : out;
  }

  std::optional<ExampleResult> Read(const toml::table& ex) {
    const size_t errors_before = errors_.size();
    ExampleResult result;
    result.line = static_cast<int>(ex.source().begin.line);
    std::string what = "example: ";
    Unknown(ex, {"name", "today", "form", "data", "licenses", "expect", "rows", "reason_contains"}, what);

    const toml::node* name = ex.get("name");
    if (name == nullptr || !name->is_string() || name->as_string()->get().empty()) {
      Error(name != nullptr ? name->source().begin : ex.source().begin, what + "name is required (a string)");
    } else {
      result.name = name->as_string()->get();
      what = "example \"" + result.name + "\": ";
    }

    std::optional<CivilDate> today;
    if (const toml::node* t = ex.get("today")) {
      auto json = TomlToJson(*t);
      if (json && json->is_string()) today = ParseCivilDate(json->get_string());
      if (!today) Error(t->source().begin, what + "today must be a date \"YYYY-MM-DD\"");
    } else {
      Error(ex.source().begin, what + "today is required (the decision date)");
    }

    std::optional<Outcome> expect;
    if (const toml::node* e = ex.get("expect")) {
      if (e->is_string()) expect = ParseOutcome(e->as_string()->get());
      if (!expect) Error(e->source().begin, what + "expect must be approve, reject or refer");
    } else {
      Error(ex.source().begin, what + "expect is required (approve, reject or refer)");
    }

    std::optional<std::vector<int>> rows;
    if (const toml::node* r = ex.get("rows")) {
      rows.emplace();
      const toml::array* a = r->as_array();
      if (a == nullptr) {
        Error(r->source().begin, what + "rows must be an array of row numbers");
      } else {
        for (const toml::node& e : *a) {
          auto i = e.value<int64_t>();
          if (!e.is_integer() || !i || *i < 1 || *i > static_cast<int64_t>(table_.rows().size())) {
            Error(e.source().begin, what + "rows holds row numbers 1.." + std::to_string(table_.rows().size()));
            continue;
          }
          rows->push_back(static_cast<int>(*i));
        }
      }
    }

    std::optional<std::string> reason_contains;
    if (const toml::node* r = ex.get("reason_contains")) {
      if (!r->is_string()) {
        Error(r->source().begin, what + "reason_contains must be a string");
      } else {
        reason_contains = r->as_string()->get();
      }
    }

    // References: not given is null; licences not listed are not held.
    std::vector<Value> refs(table_.references().size());
    for (size_t k = 0; k < refs.size(); ++k) {
      const Reference& ref = table_.references()[k];
      if (ref.kind == Reference::Kind::kLicense && ref.b.empty()) refs[k] = Value::Boolean(false);
    }
    if (const toml::node* f = ex.get("form")) {
      if (const toml::table* t = f->as_table()) {
        for (const auto& [key, value] : *t) {
          auto k = table_.FindReference(Reference::Kind::kForm, key.str());
          if (!k) {
            Error(key.source().begin, what + "form." + std::string(key.str()) + " is not used by the rules of " +
                                          table_.item() + " (they use: " + UsedList(Reference::Kind::kForm) + ")");
            continue;
          }
          Set(refs, *k, value, what);
        }
      } else {
        Error(f->source().begin, what + "form must be a table { field = value, ... }");
      }
    }
    if (const toml::node* d = ex.get("data")) {
      if (const toml::table* t = d->as_table()) {
        for (const auto& [dataset, elements] : *t) {
          const toml::table* et = elements.as_table();
          if (et == nullptr) {
            Error(elements.source().begin, what + "data." + std::string(dataset.str()) +
                                               " must be a table { element = value, ... }");
            continue;
          }
          for (const auto& [element, value] : *et) {
            auto k = table_.FindReference(Reference::Kind::kData, dataset.str(), element.str());
            if (!k) {
              Error(element.source().begin, what + "data." + std::string(dataset.str()) + "." +
                                                std::string(element.str()) + " is not used by the rules of " +
                                                table_.item() + " (they use: " + UsedList(Reference::Kind::kData) + ")");
              continue;
            }
            Set(refs, *k, value, what);
          }
        }
      } else {
        Error(d->source().begin, what + "data must be a table { dataset = { element = value }, ... }");
      }
    }
    if (const toml::node* l = ex.get("licenses")) {
      if (const toml::table* t = l->as_table()) {
        for (const auto& [type, fields] : *t) {
          bool used = false;
          for (const Reference& r : table_.references()) {
            used = used || (r.kind == Reference::Kind::kLicense && r.a == type.str());
          }
          if (!used) {
            Error(type.source().begin, what + "license." + std::string(type.str()) + " is not used by the rules of " +
                                           table_.item() + " (they use: " + UsedList(Reference::Kind::kLicense) + ")");
            continue;
          }
          if (auto k = table_.FindReference(Reference::Kind::kLicense, type.str())) refs[*k] = Value::Boolean(true);
          const toml::table* ft = fields.as_table();
          if (ft == nullptr) {
            Error(fields.source().begin, what + "licenses." + std::string(type.str()) +
                                             " must be a table of its fields ({} when none matter)");
            continue;
          }
          for (const auto& [field, value] : *ft) {
            auto k = table_.FindReference(Reference::Kind::kLicense, type.str(), field.str());
            if (!k) {
              Error(field.source().begin, what + "license." + std::string(type.str()) + "." +
                                              std::string(field.str()) + " is not used by the rules of " +
                                              table_.item());
              continue;
            }
            Set(refs, *k, value, what);
          }
        }
      } else {
        Error(l->source().begin, what + "licenses must be a table { type = { field = value }, ... }");
      }
    }
    if (errors_.size() > errors_before || !today || !expect) return std::nullopt;

    result.decision = table_.Evaluate(refs, *today);
    const Decision& d = result.decision;
    std::vector<std::string> diffs;
    if (d.outcome != *expect) {
      diffs.push_back("expected " + std::string(OutcomeName(*expect)) + ", got " + std::string(OutcomeName(d.outcome)) +
                      " (" + d.reason_zh + ")");
    }
    if (rows && *rows != d.rows) diffs.push_back("expected rows " + RowsText(*rows) + ", fired " + RowsText(d.rows));
    if (reason_contains && d.reason_zh.find(*reason_contains) == std::string::npos &&
        d.reason_en.find(*reason_contains) == std::string::npos) {
      diffs.push_back("the reason does not contain \"" + *reason_contains + "\": " + d.reason_zh);
    }
    result.passed = diffs.empty();
    for (size_t k = 0; k < diffs.size(); ++k) result.message += (k > 0 ? "; " : "") + diffs[k];
    return result;
  }

  Result<std::vector<ExampleResult>> Run(std::string_view text) {
    text_ = text;
    std::vector<ExampleResult> out;
    toml::table root;
    try {
      root = toml::parse(text, std::string_view(file_));
    } catch (const toml::parse_error& e) {
      Error(e.source().begin, "TOML: " + std::string(e.description()));
      return Finish(std::move(out));
    }
    Unknown(root, {"example"}, "");
    const toml::node* n = root.get("example");
    const toml::array* a = n != nullptr ? n->as_array() : nullptr;
    if (a == nullptr || a->empty()) {
      Error(n != nullptr ? n->source().begin : toml::source_position{1, 1}, "an example file needs [[example]] tables");
      return Finish(std::move(out));
    }
    std::set<std::string> names;
    for (const toml::node& e : *a) {
      const toml::table* t = e.as_table();
      if (t == nullptr) {
        Error(e.source().begin, "example entries must be tables [[example]]");
        continue;
      }
      auto r = Read(*t);
      if (!r) continue;
      if (!names.insert(r->name).second) {
        Error(t->source().begin, "example \"" + r->name + "\": duplicate name");
        continue;
      }
      out.push_back(std::move(*r));
    }
    return Finish(std::move(out));
  }

 private:
  Result<std::vector<ExampleResult>> Finish(std::vector<ExampleResult> out) {
    if (errors_.empty()) return out;
    const std::string first = errors_.front().field + ": " + errors_.front().reason;
    const size_t n = errors_.size();
    return Status::InvalidArgument(
        "examples " + file_ + ": " + std::to_string(n) + (n == 1 ? " error" : " errors") + "; first: " + first,
        std::move(errors_));
  }

  const DecisionTable& table_;
  std::string file_;
  std::string_view text_;
  std::vector<FieldError> errors_;
};

}  // namespace

Result<std::vector<ExampleResult>> RunExamples(const DecisionTable& table, std::string_view file_name,
                                               std::string_view text) {
  return ExampleReader(table, file_name).Run(text);
}

}  // namespace tongban::service::rules
