// The public data catalogue; see catalogue.h.
#include "data/catalogue.h"

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "core/region.h"
#include "core/uscc.h"

namespace tongban::data {

namespace {

using boost::json::object;
using boost::json::value;

constexpr std::pair<ElementType, std::string_view> kTypes[] = {
    {ElementType::kString, "string"},   {ElementType::kDate, "date"},
    {ElementType::kInteger, "integer"}, {ElementType::kDecimal, "decimal"},
    {ElementType::kFen, "fen"},         {ElementType::kCode, "code"},
    {ElementType::kCitizenId, "citizen_id"}, {ElementType::kUscc, "uscc"}};

// Readers of one JSON object that name the entry ("datasets[2].code") in their errors.
class Entry {
 public:
  Entry(const value& v, std::string where) : where_(std::move(where)) {
    if (v.is_object()) object_ = &v.as_object();
  }
  bool ok() const { return object_ != nullptr; }
  const std::string& where() const { return where_; }
  Status NotObject() const { return Status::InvalidField(where_, "must be an object"); }
  Result<std::string> String(std::string_view key, bool required = true) const {
    const value* v = object_->if_contains(key);
    if (v == nullptr && !required) return std::string();
    if (v == nullptr || !v->is_string() || (required && v->as_string().empty())) {
      return Status::InvalidField(Field(key), "must be a non-empty string");
    }
    return std::string(v->as_string());
  }
  Result<std::optional<int64_t>> Int(std::string_view key) const {
    const value* v = object_->if_contains(key);
    if (v == nullptr) return std::optional<int64_t>();
    if (!v->is_int64()) return Status::InvalidField(Field(key), "must be an integer");
    return std::optional<int64_t>(v->as_int64());
  }
  const value* Get(std::string_view key) const { return object_->if_contains(key); }
  std::string Field(std::string_view key) const { return where_ + "." + std::string(key); }

 private:
  std::string where_;
  const object* object_ = nullptr;
};

Result<Element> ParseElement(const Entry& e) {
  Element el;
  TB_ASSIGN_OR_RETURN(el.code, e.String("code"));
  static const std::regex kCode("[a-z][a-z0-9_]{0,47}");
  if (!std::regex_match(el.code, kCode)) return Status::InvalidField(e.Field("code"), "must be [a-z][a-z0-9_]*");
  TB_ASSIGN_OR_RETURN(el.standard_code, e.String("standard_code"));
  TB_ASSIGN_OR_RETURN(el.name_zh, e.String("name_zh"));
  TB_ASSIGN_OR_RETURN(el.name_en, e.String("name_en"));
  TB_ASSIGN_OR_RETURN(std::string type, e.String("type"));
  bool known = false;
  for (const auto& [t, name] : kTypes) {
    if (name == type) el.type = t, known = true;
  }
  if (!known) return Status::InvalidField(e.Field("type"), "is not an element type (docs/data.md)");
  TB_ASSIGN_OR_RETURN(std::optional<int64_t> sensitivity, e.Int("sensitivity"));
  if (!sensitivity || *sensitivity < 1 || *sensitivity > 4) {
    return Status::InvalidField(e.Field("sensitivity"), "must be 1, 2, 3 or 4");
  }
  el.sensitivity = static_cast<int>(*sensitivity);
  TB_ASSIGN_OR_RETURN(std::optional<int64_t> max_length, e.Int("max_length"));
  if (max_length) {
    if (*max_length < 1 || *max_length > 4096) return Status::InvalidField(e.Field("max_length"), "must be 1-4096");
    el.max_length = static_cast<size_t>(*max_length);
  }
  TB_ASSIGN_OR_RETURN(el.pattern, e.String("pattern", false));
  if (!el.pattern.empty()) {
    try {
      el.matcher = std::make_shared<const std::regex>(el.pattern);
    } catch (const std::regex_error&) {
      return Status::InvalidField(e.Field("pattern"), "is not a valid regular expression");
    }
  }
  TB_ASSIGN_OR_RETURN(el.min, e.Int("min"));
  TB_ASSIGN_OR_RETURN(el.max, e.Int("max"));
  if (const value* codes = e.Get("codes")) {
    if (!codes->is_array() || codes->as_array().empty()) {
      return Status::InvalidField(e.Field("codes"), "must be a non-empty array of strings");
    }
    for (const value& c : codes->as_array()) {
      if (!c.is_string() || c.as_string().empty()) {
        return Status::InvalidField(e.Field("codes"), "must be a non-empty array of strings");
      }
      el.codes.emplace_back(c.as_string());
    }
  }
  if ((el.type == ElementType::kCode) != !el.codes.empty()) {
    return Status::InvalidField(e.Field("codes"), "a code element has a code list, and only it");
  }
  return el;
}

}  // namespace

std::string_view ElementTypeName(ElementType type) {
  for (const auto& [t, name] : kTypes) {
    if (t == type) return name;
  }
  return "string";
}

const Element* Dataset::FindElement(std::string_view code) const {
  for (const Element& e : elements) {
    if (e.code == code) return &e;
  }
  return nullptr;
}

Result<Catalogue> Catalogue::Parse(std::string_view json) {
  boost::system::error_code ec;
  value doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object()) return Status::InvalidArgument("data catalogue: not a JSON object");
  const object& root = doc.as_object();
  Catalogue c;
  const value* departments = root.if_contains("departments");
  if (departments == nullptr || !departments->is_array()) {
    return Status::InvalidField("departments", "must be an array");
  }
  std::set<std::string> keys, names;
  for (size_t i = 0; i < departments->as_array().size(); ++i) {
    Entry e(departments->as_array()[i], "departments[" + std::to_string(i) + "]");
    if (!e.ok()) return e.NotObject();
    Department d;
    TB_ASSIGN_OR_RETURN(d.key, e.String("key"));
    TB_ASSIGN_OR_RETURN(d.name_zh, e.String("name_zh"));
    TB_ASSIGN_OR_RETURN(d.name_en, e.String("name_en"));
    TB_ASSIGN_OR_RETURN(d.uscc, e.String("uscc"));
    TB_RETURN_IF_ERROR(Uscc::Parse(d.uscc, e.Field("uscc")).status());
    TB_ASSIGN_OR_RETURN(d.region, e.String("region"));
    TB_RETURN_IF_ERROR(RegionCode::Parse(d.region, e.Field("region")).status());
    if (!keys.insert(d.key).second) return Status::InvalidField(e.Field("key"), "is not unique");
    if (!names.insert(d.name_zh).second) return Status::InvalidField(e.Field("name_zh"), "is not unique");
    c.departments_.push_back(std::move(d));
  }
  const value* datasets = root.if_contains("datasets");
  if (datasets == nullptr || !datasets->is_array()) return Status::InvalidField("datasets", "must be an array");
  std::set<std::string> codes;
  for (size_t i = 0; i < datasets->as_array().size(); ++i) {
    Entry e(datasets->as_array()[i], "datasets[" + std::to_string(i) + "]");
    if (!e.ok()) return e.NotObject();
    Dataset d;
    TB_ASSIGN_OR_RETURN(d.code, e.String("code"));
    TB_ASSIGN_OR_RETURN(d.name_zh, e.String("name_zh"));
    TB_ASSIGN_OR_RETURN(d.name_en, e.String("name_en"));
    TB_ASSIGN_OR_RETURN(d.owner, e.String("owner"));
    if (!keys.contains(d.owner)) return Status::InvalidField(e.Field("owner"), "is not a department key");
    TB_ASSIGN_OR_RETURN(std::string subject, e.String("subject"));
    if (subject != "person" && subject != "enterprise") {
      return Status::InvalidField(e.Field("subject"), "must be person or enterprise");
    }
    d.subject = subject == "person" ? SubjectKind::kPerson : SubjectKind::kEnterprise;
    if (!codes.insert(d.code).second) return Status::InvalidField(e.Field("code"), "is not unique");
    const value* elements = e.Get("elements");
    if (elements == nullptr || !elements->is_array() || elements->as_array().empty()) {
      return Status::InvalidField(e.Field("elements"), "must be a non-empty array");
    }
    std::set<std::string> element_codes;
    for (size_t j = 0; j < elements->as_array().size(); ++j) {
      Entry ee(elements->as_array()[j], e.Field("elements") + "[" + std::to_string(j) + "]");
      if (!ee.ok()) return ee.NotObject();
      TB_ASSIGN_OR_RETURN(Element el, ParseElement(ee));
      if (!element_codes.insert(el.code).second) return Status::InvalidField(ee.Field("code"), "is not unique");
      d.elements.push_back(std::move(el));
    }
    c.datasets_.push_back(std::move(d));
  }
  c.json_ = boost::json::serialize(doc);
  return c;
}

const Catalogue& Catalogue::Builtin() {
  static const Catalogue* builtin = [] {
    auto parsed = Parse(EmbeddedCatalogueJson());
    if (!parsed.ok()) std::abort();  // a build-time file; tests/data/catalogue_test.cc parses it
    return new Catalogue(std::move(parsed).value());
  }();
  return *builtin;
}

const Department* Catalogue::DepartmentByKey(std::string_view key) const {
  for (const Department& d : departments_) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

const Department* Catalogue::DepartmentByName(std::string_view name_zh) const {
  for (const Department& d : departments_) {
    if (d.name_zh == name_zh) return &d;
  }
  return nullptr;
}

const Dataset* Catalogue::FindDataset(std::string_view code) const {
  for (const Dataset& d : datasets_) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

}  // namespace tongban::data
