// ServiceCatalogue; see catalogue.h. Grammar: docs/service.md.
#include "service/catalogue.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <regex>
#include <set>

#include <toml++/toml.h>

namespace tongban::service {

std::string_view EmbeddedServiceCatalogue();  // generated from data/services/catalogue.toml

std::string_view PartyName(Party p) { return p == Party::kApplicant ? "applicant" : "co_applicant"; }

std::string_view FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kString: return "string";
    case FieldType::kDate: return "date";
    case FieldType::kInteger: return "integer";
    case FieldType::kFen: return "fen";
    case FieldType::kCode: return "code";
    case FieldType::kCitizenId: return "citizen_id";
    case FieldType::kUscc: return "uscc";
  }
  return "string";
}

const Step* Bundle::FindStep(std::string_view item) const {
  for (const Step& s : steps) {
    if (s.item == item) return &s;
  }
  return nullptr;
}

namespace {

const std::regex& CodePattern() {
  static const std::regex re("^[a-z][a-z0-9_]{0,63}$");
  return re;
}

// Reads one table of the file, collecting every problem with its line rather than stopping at
// the first: an operator fixes a catalogue in one pass.
class TableReader {
 public:
  TableReader(const toml::table& t, std::string file, std::string what, std::vector<FieldError>& errors)
      : t_(t), file_(std::move(file)), what_(std::move(what)), errors_(errors) {}

  int line() const { return static_cast<int>(t_.source().begin.line); }

  void Error(const toml::node* at, std::string_view reason) {
    const int l = at != nullptr ? static_cast<int>(at->source().begin.line) : line();
    errors_.push_back({file_ + ":" + std::to_string(l), what_ + ": " + std::string(reason)});
  }

  std::string String(std::string_view key, bool required, std::string fallback = "") {
    const toml::node* n = Node(key);
    if (n == nullptr) {
      if (required) Error(nullptr, std::string(key) + " is required");
      return fallback;
    }
    auto v = n->value<std::string>();
    if (!n->is_string() || !v) {
      Error(n, std::string(key) + " must be a string");
      return fallback;
    }
    if (required && v->empty()) Error(n, std::string(key) + " must not be empty");
    return *v;
  }

  std::string Code(std::string_view key) {
    std::string c = String(key, true);
    if (!c.empty() && !std::regex_match(c, CodePattern())) {
      Error(Node(key), std::string(key) + " \"" + c + "\" must match [a-z][a-z0-9_]{0,63}");
    }
    return c;
  }

  int64_t Integer(std::string_view key, int64_t fallback, int64_t lo, int64_t hi, bool required = false) {
    const toml::node* n = Node(key);
    if (n == nullptr) {
      if (required) Error(nullptr, std::string(key) + " is required");
      return fallback;
    }
    if (!n->is_integer()) {
      Error(n, std::string(key) + " must be an integer");
      return fallback;
    }
    int64_t v = *n->value<int64_t>();
    if (v < lo || v > hi) {
      Error(n, std::string(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return fallback;
    }
    return v;
  }

  bool Bool(std::string_view key, bool fallback) {
    const toml::node* n = Node(key);
    if (n == nullptr) return fallback;
    if (!n->is_boolean()) {
      Error(n, std::string(key) + " must be true or false");
      return fallback;
    }
    return *n->value<bool>();
  }

  std::vector<std::string> Strings(std::string_view key) {
    std::vector<std::string> out;
    const toml::node* n = Node(key);
    if (n == nullptr) return out;
    const toml::array* a = n->as_array();
    if (a == nullptr) {
      Error(n, std::string(key) + " must be an array of strings");
      return out;
    }
    for (const toml::node& e : *a) {
      auto v = e.value<std::string>();
      if (!e.is_string() || !v) {
        Error(&e, std::string(key) + " must hold strings only");
        continue;
      }
      out.push_back(*v);
    }
    return out;
  }

  Party PartyOf(std::string_view key) {
    const std::string p = String(key, false, "applicant");
    if (p == "applicant") return Party::kApplicant;
    if (p == "co_applicant") return Party::kCoApplicant;
    Error(Node(key), std::string(key) + " must be applicant or co_applicant");
    return Party::kApplicant;
  }

  const toml::node* Node(std::string_view key) {
    seen_.insert(std::string(key));
    return t_.get(key);
  }

  // Keys nobody read are typos: refused, each at its line.
  void Finish() {
    for (const auto& [key, value] : t_) {
      if (!seen_.contains(std::string(key.str()))) Error(&value, "unknown key " + std::string(key.str()));
    }
  }

  const std::string& what() const { return what_; }
  const std::string& file() const { return file_; }

 private:
  const toml::table& t_;
  std::string file_;
  std::string what_;
  std::vector<FieldError>& errors_;
  std::set<std::string> seen_;
};

// `department`: a department key of the public data catalogue.
std::string ReadDepartment(TableReader& r, const data::Catalogue& data_catalogue) {
  std::string key = r.String("department", true);
  if (!key.empty() && data_catalogue.DepartmentByKey(key) == nullptr) {
    r.Error(r.Node("department"), "department " + key + " is not a department of the public data catalogue");
  }
  return key;
}

// The tables of an array of tables [[key]]; a non-table entry is an error.
std::vector<const toml::table*> Tables(const toml::table& root, std::string_view key, const std::string& file,
                                       std::vector<FieldError>& errors) {
  std::vector<const toml::table*> out;
  const toml::node* n = root.get(key);
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) {
    errors.push_back({file + ":" + std::to_string(n->source().begin.line),
                      std::string(key) + " must be an array of tables [[" + std::string(key) + "]]"});
    return out;
  }
  for (const toml::node& e : *a) {
    if (const toml::table* t = e.as_table()) {
      out.push_back(t);
    } else {
      errors.push_back({file + ":" + std::to_string(e.source().begin.line),
                        std::string(key) + " entries must be tables"});
    }
  }
  return out;
}

std::optional<FieldType> ParseFieldType(std::string_view s) {
  for (FieldType t : {FieldType::kString, FieldType::kDate, FieldType::kInteger, FieldType::kFen, FieldType::kCode,
                      FieldType::kCitizenId, FieldType::kUscc}) {
    if (FieldTypeName(t) == s) return t;
  }
  return std::nullopt;
}

// Whether a field of type `f` can hold the values of element `e`.
bool Compatible(FieldType f, const data::Element& e) {
  using data::ElementType;
  switch (f) {
    case FieldType::kString: return true;
    case FieldType::kDate: return e.type == ElementType::kDate;
    case FieldType::kInteger: return e.type == ElementType::kInteger;
    case FieldType::kFen: return e.type == ElementType::kFen;
    case FieldType::kCode: return e.type == ElementType::kCode;
    case FieldType::kCitizenId: return e.type == ElementType::kCitizenId;
    case FieldType::kUscc: return e.type == ElementType::kUscc;
  }
  return false;
}

// Where something was declared, for errors found after the file is read.
struct Lines {
  std::string file;
  int line = 0;
};

}  // namespace

Result<ServiceCatalogue> ServiceCatalogue::Parse(const std::vector<CatalogueFile>& files,
                                                 const data::Catalogue& data_catalogue,
                                                 const license::Catalogue& license_catalogue) {
  ServiceCatalogue c;
  std::vector<FieldError> errors;
  std::vector<toml::table> roots;  // kept alive: the readers point into them
  roots.reserve(files.size());
  std::map<std::string, Lines> item_lines, bundle_lines;
  // Bundles as read, with their steps' lines: checked once every item is known.
  std::vector<std::pair<Bundle, std::vector<Lines>>> declared;

  for (const CatalogueFile& f : files) {
    try {
      roots.push_back(toml::parse(f.text, f.name));
    } catch (const toml::parse_error& e) {
      errors.push_back({f.name + ":" + std::to_string(e.source().begin.line), std::string(e.description())});
      continue;
    }
    const toml::table& root = roots.back();
    {
      TableReader top(root, f.name, "file", errors);
      top.Integer("format", 1, 1, 1, true);
      top.String("description", false);
      top.Node("field");
      top.Node("material");
      top.Node("item");
      top.Node("bundle");
      top.Finish();
    }

    for (const toml::table* t : Tables(root, "field", f.name, errors)) {
      TableReader first(*t, f.name, "field", errors);
      Field x;
      x.line = first.line();
      x.code = first.Code("code");
      TableReader r(*t, f.name, "field " + x.code, errors);
      r.Node("code");
      x.name_zh = r.String("name_zh", true);
      x.name_en = r.String("name_en", true);
      x.subject = r.PartyOf("subject");
      const std::string type = r.String("type", false, "string");
      if (auto ft = ParseFieldType(type)) {
        x.type = *ft;
      } else {
        r.Error(r.Node("type"), "type " + type + " must be string, date, integer, fen, code, citizen_id or uscc");
      }
      x.codes = r.Strings("codes");
      if (x.type == FieldType::kCode && x.codes.empty()) r.Error(r.Node("type"), "a code field needs codes");
      if (x.type != FieldType::kCode && !x.codes.empty()) r.Error(r.Node("codes"), "codes only for type = \"code\"");
      x.required = r.Bool("required", true);
      x.max_length = static_cast<size_t>(r.Integer("max_length", 200, 1, 2000));
      const std::string source = r.String("source", false);
      if (!source.empty()) {
        const size_t dot = source.find('.');
        const data::Dataset* ds = dot == std::string::npos ? nullptr : data_catalogue.FindDataset(source.substr(0, dot));
        const data::Element* el = ds == nullptr ? nullptr : ds->FindElement(source.substr(dot + 1));
        if (el == nullptr) {
          r.Error(r.Node("source"), "source " + source + " is not <dataset>.<element> of the public data catalogue");
        } else if (ds->subject != data::SubjectKind::kPerson) {
          r.Error(r.Node("source"), "source " + source + ": dataset of enterprises; applicants are people");
        } else if (!Compatible(x.type, *el)) {
          r.Error(r.Node("type"), "type " + type + " cannot hold the values of " + source);
        } else {
          if (x.type == FieldType::kCode && el->codes != x.codes) {
            r.Error(r.Node("codes"), "codes must be those of " + source);
          }
          x.source = FieldSource{ds->code, el->code};
        }
      }
      if (x.code == "applicant_id" || x.code == "co_applicant_id") {
        r.Error(r.Node("code"), "code " + x.code + " is reserved (the applicants' ID numbers)");
      }
      r.Finish();
      if (!x.code.empty() && !c.field_index_.emplace(x.code, c.fields_.size()).second) {
        r.Error(r.Node("code"), "field " + x.code + " is defined twice");
        continue;
      }
      c.fields_.push_back(std::move(x));
    }

    for (const toml::table* t : Tables(root, "material", f.name, errors)) {
      TableReader first(*t, f.name, "material", errors);
      Material m;
      m.code = first.Code("code");
      TableReader r(*t, f.name, "material " + m.code, errors);
      r.Node("code");
      m.name_zh = r.String("name_zh", true);
      m.name_en = r.String("name_en", true);
      m.subject = r.PartyOf("subject");
      m.license = r.String("license", false);
      m.upload = r.Bool("upload", true);
      m.required = r.Bool("required", true);
      if (!m.license.empty()) {
        const license::LicenseType* lt = license_catalogue.Type(m.license);
        if (lt == nullptr) {
          r.Error(r.Node("license"), "license " + m.license + " is not a type of the licence catalogue");
        } else if (lt->holder != license::HolderKind::kPerson) {
          r.Error(r.Node("license"), "license " + m.license + " is held by enterprises; applicants are people");
        }
      } else if (!m.upload) {
        r.Error(r.Node("upload"), "a material without a licence must allow an upload");
      }
      r.Finish();
      if (!m.code.empty() && !c.material_index_.emplace(m.code, c.materials_.size()).second) {
        r.Error(r.Node("code"), "material " + m.code + " is defined twice");
        continue;
      }
      c.materials_.push_back(std::move(m));
    }

    for (const toml::table* t : Tables(root, "item", f.name, errors)) {
      TableReader first(*t, f.name, "item", errors);
      Item it;
      it.code = first.Code("code");
      TableReader r(*t, f.name, "item " + it.code, errors);
      r.Node("code");
      it.name_zh = r.String("name_zh", true);
      it.name_en = r.String("name_en", true);
      it.department = ReadDepartment(r, data_catalogue);
      it.time_limit_days = static_cast<int>(r.Integer("time_limit_days", 1, 1, 365, true));
      it.fee_fen = r.Integer("fee_fen", 0, 0, 100'000'000'00);
      it.cross_province = r.Bool("cross_province", false);
      it.old_visits = static_cast<int>(r.Integer("old_visits", 1, 1, 50));
      it.fields = r.Strings("fields");
      it.materials = r.Strings("materials");
      for (const std::string& fc : it.fields) {
        const Field* fd = c.FindField(fc);
        if (fd == nullptr) {
          r.Error(r.Node("fields"), "field " + fc + " is not defined (define [[field]] before the item uses it)");
        } else if (fd->subject == Party::kCoApplicant) {
          it.uses_co_applicant = true;
        }
      }
      for (const std::string& mc : it.materials) {
        const Material* md = c.FindMaterial(mc);
        if (md == nullptr) {
          r.Error(r.Node("materials"), "material " + mc + " is not defined");
        } else if (md->subject == Party::kCoApplicant) {
          it.uses_co_applicant = true;
        }
      }
      it.output = r.String("output", false);
      const std::vector<std::string> holders = r.Strings("output_holders");
      it.staff_fields = r.Strings("staff_fields");
      it.output_holder_field = r.String("output_holder_field", false);
      if (!it.output_holder_field.empty() &&
          std::find(it.staff_fields.begin(), it.staff_fields.end(), it.output_holder_field) == it.staff_fields.end()) {
        r.Error(r.Node("output_holder_field"), "output_holder_field " + it.output_holder_field +
                                                   " must be one of the staff_fields (the staff names the holder)");
      }
      const toml::node* of = r.Node("output_fields");
      if (of != nullptr) {
        if (const toml::table* ot = of->as_table()) {
          for (const auto& [k, v] : *ot) {
            auto s = v.value<std::string>();
            if (!v.is_string() || !s) {
              r.Error(&v, "output_fields." + std::string(k.str()) + " must be a string template");
              continue;
            }
            it.output_fields.emplace(std::string(k.str()), *s);
          }
        } else {
          r.Error(of, "output_fields must be a table");
        }
      }
      if (it.output.empty()) {
        if (!holders.empty() || !it.staff_fields.empty() || !it.output_fields.empty() || !it.output_holder_field.empty()) {
          r.Error(r.Node("output"), "output_holders, output_holder_field, staff_fields and output_fields need an output licence type");
        }
      } else if (const license::LicenseType* lt = license_catalogue.Type(it.output); lt == nullptr) {
        r.Error(r.Node("output"), "output " + it.output + " is not a type of the licence catalogue");
      } else {
        if (lt->holder != license::HolderKind::kPerson) {
          r.Error(r.Node("output"), "output " + it.output + " is held by enterprises; licences go to the applicants");
        }
        for (const std::string& h : holders.empty() ? std::vector<std::string>{"applicant"} : holders) {
          if (h == "applicant") {
            it.output_holders.push_back(Party::kApplicant);
          } else if (h == "co_applicant") {
            it.output_holders.push_back(Party::kCoApplicant);
            it.uses_co_applicant = true;
          } else {
            r.Error(r.Node("output_holders"), "output_holders entry " + h + " must be applicant or co_applicant");
          }
        }
        for (const std::string& sf : it.staff_fields) {
          if (lt->Field(sf) == nullptr) r.Error(r.Node("staff_fields"), "staff field " + sf + " is not a field of " + it.output);
        }
        for (const auto& [k, tmpl] : it.output_fields) {
          const toml::node* at = of->as_table()->get(k);
          if (lt->Field(k) == nullptr) r.Error(at, "output_fields." + k + " is not a field of " + it.output);
          if (tmpl.starts_with("=") || tmpl == "$case" || tmpl == "$today" || tmpl == "$item") continue;
          if (tmpl.find("{other}") != std::string::npos || tmpl.starts_with("co_applicant_")) it.uses_co_applicant = true;
          // A template names a form field: with {holder}/{other} both parties' versions must exist.
          for (std::string_view party : {"applicant", "co_applicant"}) {
            std::string name = tmpl;
            for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"{holder}", party},
                                    {"{other}", party == "applicant" ? "co_applicant" : "applicant"}}) {
              for (size_t p = name.find(from); p != std::string::npos; p = name.find(from)) {
                name.replace(p, from.size(), to);
              }
            }
            const bool per_holder = tmpl.find('{') != std::string::npos;
            const bool needed = per_holder
                                    ? std::any_of(it.output_holders.begin(), it.output_holders.end(),
                                                  [&](Party p) { return PartyName(p) == party; })
                                    : party == "applicant";
            if (!needed) continue;
            const bool known = name == "applicant_id" || name == "co_applicant_id" ||
                               std::find(it.fields.begin(), it.fields.end(), name) != it.fields.end();
            if (!known) {
              r.Error(at, "output_fields." + k + " = \"" + tmpl + "\": " + name +
                              " is not a field of the item (templates: a field code with {holder}/{other}, "
                              "$case, $today, $item, =literal)");
            }
          }
        }
        for (const license::FieldSpec& spec : lt->fields) {
          if (spec.required && !it.output_fields.contains(spec.name) &&
              std::find(it.staff_fields.begin(), it.staff_fields.end(), spec.name) == it.staff_fields.end()) {
            r.Error(r.Node("output"), "required field " + spec.name + " of " + it.output +
                                          " is neither in output_fields nor in staff_fields");
          }
        }
      }
      r.Finish();
      item_lines[it.code] = {f.name, r.line()};
      if (!it.code.empty() && !c.item_index_.emplace(it.code, c.items_.size()).second) {
        r.Error(r.Node("code"), "item " + it.code + " is defined twice");
        continue;
      }
      c.items_.push_back(std::move(it));
    }

    for (const toml::table* t : Tables(root, "bundle", f.name, errors)) {
      TableReader first(*t, f.name, "bundle", errors);
      Bundle b;
      b.code = first.Code("code");
      TableReader r(*t, f.name, "bundle " + b.code, errors);
      r.Node("code");
      b.name_zh = r.String("name_zh", true);
      b.name_en = r.String("name_en", true);
      b.department = ReadDepartment(r, data_catalogue);
      b.co_applicant_zh = r.String("co_applicant_zh", false);
      b.co_applicant_en = r.String("co_applicant_en", false);
      if (b.co_applicant_zh.empty() != b.co_applicant_en.empty()) {
        r.Error(r.Node(b.co_applicant_zh.empty() ? "co_applicant_en" : "co_applicant_zh"),
                "give both co_applicant_zh and co_applicant_en, or neither");
      }
      b.old_visits = static_cast<int>(r.Integer("old_visits", 1, 1, 50));
      std::vector<Lines> step_lines;
      for (const toml::table* st : Tables(*t, "step", f.name, errors)) {
        TableReader s(*st, f.name, "bundle " + b.code + " step", errors);
        Step step;
        step.item = s.String("item", true);
        step.after = s.Strings("after");
        s.Finish();
        step_lines.push_back({f.name, s.line()});
        b.steps.push_back(std::move(step));
      }
      r.Node("step");
      if (b.steps.empty()) r.Error(nullptr, "a bundle needs at least one [[bundle.step]]");
      r.Finish();
      bundle_lines[b.code] = {f.name, r.line()};
      declared.emplace_back(std::move(b), std::move(step_lines));
    }
  }

  // Bundles: items known, order acyclic, co-applicant rules; then the one-step bundle of each item.
  for (auto& declared_bundle : declared) {
    Bundle& b = declared_bundle.first;  // named, not a structured binding: lambdas below capture it
    const std::vector<Lines>& step_lines = declared_bundle.second;
    auto err = [&](const Lines& at, const std::string& reason) {
      errors.push_back({at.file + ":" + std::to_string(at.line), "bundle " + b.code + ": " + reason});
    };
    std::set<std::string> seen;
    for (size_t i = 0; i < b.steps.size(); ++i) {
      const Step& s = b.steps[i];
      const Item* it = c.FindItem(s.item);
      if (it == nullptr) {
        err(step_lines[i], "step item " + s.item + " is not an item of the catalogue");
        continue;
      }
      if (!seen.insert(s.item).second) err(step_lines[i], "step item " + s.item + " appears twice");
      if (it->uses_co_applicant && !b.has_co_applicant()) {
        err(step_lines[i], "item " + s.item + " needs a co-applicant; give the bundle co_applicant_zh/_en");
      }
      for (const std::string& a : s.after) {
        if (b.FindStep(a) == nullptr) err(step_lines[i], "after " + a + " is not a step of this bundle");
        if (a == s.item) err(step_lines[i], "a step cannot wait for itself");
      }
    }
    // Cycles: repeatedly take the steps whose waits are all taken.
    std::set<std::string> done;
    for (bool progress = true; progress;) {
      progress = false;
      for (const Step& s : b.steps) {
        if (done.contains(s.item)) continue;
        if (std::all_of(s.after.begin(), s.after.end(), [&](const std::string& a) {
              return done.contains(a) || b.FindStep(a) == nullptr;
            })) {
          done.insert(s.item);
          progress = true;
        }
      }
    }
    if (done.size() < b.steps.size()) err(bundle_lines[b.code], "its steps wait for each other in a cycle");
    if (c.item_index_.contains(b.code)) err(bundle_lines[b.code], "code " + b.code + " is also an item's");
    if (!c.bundle_index_.emplace(b.code, c.bundles_.size()).second) {
      err(bundle_lines[b.code], "bundle " + b.code + " is defined twice");
      continue;
    }
    c.bundles_.push_back(std::move(b));
  }
  for (const Item& it : c.items_) {
    if (c.bundle_index_.contains(it.code)) continue;
    Bundle b;
    b.code = it.code;
    b.name_zh = it.name_zh;
    b.name_en = it.name_en;
    b.department = it.department;
    if (it.uses_co_applicant) {
      b.co_applicant_zh = "共同申请人";
      b.co_applicant_en = "Co-applicant";
    }
    b.old_visits = it.old_visits;
    b.steps.push_back({it.code, {}});
    b.single = true;
    c.bundle_index_.emplace(b.code, c.bundles_.size());
    c.bundles_.push_back(std::move(b));
  }
  if (!errors.empty()) {
    std::string first = errors.front().field + ": " + errors.front().reason;
    const size_t n = errors.size();
    return Status::InvalidArgument(
        "service catalogue: " + std::to_string(n) + (n == 1 ? " error" : " errors") + "; first: " + first,
        std::move(errors));
  }
  return c;
}

std::string_view ServiceCatalogue::BuiltinText() { return EmbeddedServiceCatalogue(); }

const ServiceCatalogue& ServiceCatalogue::Builtin() {
  static const ServiceCatalogue* builtin = [] {
    auto parsed = Parse({{"data/services/catalogue.toml", std::string(EmbeddedServiceCatalogue())}},
                        data::Catalogue::Builtin(), license::Catalogue::Builtin());
    if (!parsed.ok()) std::abort();  // a build-time file; tests/service/catalogue_test.cc parses it
    return new ServiceCatalogue(std::move(parsed).value());
  }();
  return *builtin;
}

const Field* ServiceCatalogue::FindField(std::string_view code) const {
  auto it = field_index_.find(code);
  return it == field_index_.end() ? nullptr : &fields_[it->second];
}
const Material* ServiceCatalogue::FindMaterial(std::string_view code) const {
  auto it = material_index_.find(code);
  return it == material_index_.end() ? nullptr : &materials_[it->second];
}
const Item* ServiceCatalogue::FindItem(std::string_view code) const {
  auto it = item_index_.find(code);
  return it == item_index_.end() ? nullptr : &items_[it->second];
}
const Bundle* ServiceCatalogue::FindBundle(std::string_view code) const {
  auto it = bundle_index_.find(code);
  return it == bundle_index_.end() ? nullptr : &bundles_[it->second];
}

std::pair<std::string, std::string> ServiceCatalogue::ItemNames(std::string_view code) const {
  const Item* item = FindItem(code);
  return item ? std::pair(item->name_zh, item->name_en) : std::pair(std::string(code), std::string(code));
}

std::vector<const Field*> ServiceCatalogue::FormFields(const Bundle& bundle) const {
  std::vector<const Field*> out;
  std::set<std::string_view> seen;
  for (const Step& s : bundle.steps) {
    const Item* it = FindItem(s.item);
    for (const std::string& f : it->fields) {
      if (seen.insert(f).second) out.push_back(FindField(f));
    }
  }
  return out;
}

std::vector<const Material*> ServiceCatalogue::FormMaterials(const Bundle& bundle) const {
  std::vector<const Material*> out;
  std::set<std::string_view> seen;
  for (const Step& s : bundle.steps) {
    const Item* it = FindItem(s.item);
    for (const std::string& m : it->materials) {
      if (seen.insert(m).second) out.push_back(FindMaterial(m));
    }
  }
  return out;
}

bool ServiceCatalogue::ReadsDataset(const Bundle& bundle, Party party, std::string_view dataset) const {
  for (const Field* f : FormFields(bundle)) {
    if (f->subject == party && f->source && f->source->dataset == dataset) return true;
  }
  return false;
}

}  // namespace tongban::service
