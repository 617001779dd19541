// Licence type catalogue; see catalogue.h.
#include "license/catalogue.h"

#include <boost/json.hpp>
#include <cstdlib>
#include <set>

#include "core/uscc.h"

namespace tongban::license {
namespace {

using boost::json::object;
using boost::json::value;

Result<std::string> Str(const object& o, std::string_view key, const std::string& where) {
  const value* v = o.if_contains(key);
  if (!v || !v->is_string() || v->as_string().empty()) {
    return Status::InvalidField(where + "/" + std::string(key), "must be a non-empty string");
  }
  return std::string(v->as_string());
}

bool ValidFieldName(std::string_view n) {
  if (n.empty() || n.size() > 40 || n[0] < 'a' || n[0] > 'z') return false;
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<FieldKind> ParseFieldKind(std::string_view k, const std::string& where) {
  if (k == "string") return FieldKind::kString;
  if (k == "date") return FieldKind::kDate;
  if (k == "citizen_id") return FieldKind::kCitizenId;
  if (k == "uscc") return FieldKind::kUscc;
  if (k == "integer") return FieldKind::kInteger;
  return Status::InvalidField(where + "/kind", "must be string, date, citizen_id, uscc or integer");
}

}  // namespace

std::string_view HolderKindName(HolderKind k) {
  return k == HolderKind::kEnterprise ? "enterprise" : "person";
}

const FieldSpec* LicenseType::Field(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<Catalogue> Catalogue::Parse(std::string_view json) {
  boost::system::error_code ec;
  value doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object()) return Status::InvalidArgument("catalogue is not a JSON object");
  const object& root = doc.as_object();
  Catalogue c;
  const value* depts = root.if_contains("departments");
  const value* types = root.if_contains("types");
  if (!depts || !depts->is_array() || !types || !types->is_array()) {
    return Status::InvalidArgument("catalogue needs arrays departments and types");
  }
  std::set<std::string> keys;
  for (size_t i = 0; i < depts->as_array().size(); ++i) {
    std::string where = "/departments/" + std::to_string(i);
    const value& v = depts->as_array()[i];
    if (!v.is_object()) return Status::InvalidField(where, "must be an object");
    const object& o = v.as_object();
    Department d;
    TB_ASSIGN_OR_RETURN(d.key, Str(o, "key", where));
    TB_ASSIGN_OR_RETURN(d.name_zh, Str(o, "name_zh", where));
    TB_ASSIGN_OR_RETURN(d.name_en, Str(o, "name_en", where));
    TB_ASSIGN_OR_RETURN(d.uscc, Str(o, "uscc", where));
    TB_ASSIGN_OR_RETURN(d.region_code, Str(o, "region_code", where));
    if (!Uscc::Parse(d.uscc).ok()) return Status::InvalidField(where + "/uscc", "is not a valid USCC");
    if (!keys.insert(d.key).second) return Status::InvalidField(where + "/key", "is repeated");
    c.departments_.push_back(std::move(d));
  }
  std::set<std::string> codes;
  for (size_t i = 0; i < types->as_array().size(); ++i) {
    std::string where = "/types/" + std::to_string(i);
    const value& v = types->as_array()[i];
    if (!v.is_object()) return Status::InvalidField(where, "must be an object");
    const object& o = v.as_object();
    LicenseType t;
    TB_ASSIGN_OR_RETURN(t.code, Str(o, "code", where));
    TB_ASSIGN_OR_RETURN(t.type_code, Str(o, "type_code", where));
    TB_ASSIGN_OR_RETURN(t.name_zh, Str(o, "name_zh", where));
    TB_ASSIGN_OR_RETURN(t.name_en, Str(o, "name_en", where));
    TB_ASSIGN_OR_RETURN(t.issuer, Str(o, "issuer", where));
    TB_ASSIGN_OR_RETURN(std::string holder, Str(o, "holder_kind", where));
    if (holder == "person") {
      t.holder = HolderKind::kPerson;
    } else if (holder == "enterprise") {
      t.holder = HolderKind::kEnterprise;
    } else {
      return Status::InvalidField(where + "/holder_kind", "must be person or enterprise");
    }
    if (!ValidFieldName(t.code)) return Status::InvalidField(where + "/code", "must be [a-z][a-z0-9_]*");
    if (!codes.insert(t.code).second) return Status::InvalidField(where + "/code", "is repeated");
    if (t.type_code.size() != 21 || !Uscc::Parse(t.type_code.substr(0, 18)).ok() ||
        t.type_code.find_first_not_of("0123456789", 18) != std::string::npos) {
      return Status::InvalidField(where + "/type_code", "must be a USCC and 3 digits (GB/T 36904)");
    }
    if (c.DepartmentByKey(t.issuer) == nullptr) {
      return Status::InvalidField(where + "/issuer", "is not a department of the catalogue");
    }
    const value* years = o.if_contains("validity_years");
    if (!years || !years->is_int64() || years->as_int64() < 0 || years->as_int64() > 100) {
      return Status::InvalidField(where + "/validity_years", "must be 0-100");
    }
    t.validity_years = static_cast<int>(years->as_int64());
    const value* fields = o.if_contains("fields");
    if (!fields || !fields->is_array() || fields->as_array().empty()) {
      return Status::InvalidField(where + "/fields", "must be a non-empty array");
    }
    for (size_t j = 0; j < fields->as_array().size(); ++j) {
      std::string fw = where + "/fields/" + std::to_string(j);
      const value& fv = fields->as_array()[j];
      if (!fv.is_object()) return Status::InvalidField(fw, "must be an object");
      const object& fo = fv.as_object();
      FieldSpec f;
      TB_ASSIGN_OR_RETURN(f.name, Str(fo, "name", fw));
      TB_ASSIGN_OR_RETURN(f.zh, Str(fo, "zh", fw));
      TB_ASSIGN_OR_RETURN(f.en, Str(fo, "en", fw));
      TB_ASSIGN_OR_RETURN(std::string kind, Str(fo, "kind", fw));
      TB_ASSIGN_OR_RETURN(f.kind, ParseFieldKind(kind, fw));
      if (const value* r = fo.if_contains("required"); r && r->is_bool()) f.required = r->as_bool();
      if (!ValidFieldName(f.name) || t.Field(f.name) != nullptr) {
        return Status::InvalidField(fw + "/name", "must be a unique [a-z][a-z0-9_]* name");
      }
      t.fields.push_back(std::move(f));
    }
    c.types_.push_back(std::move(t));
  }
  return c;
}

const Catalogue& Catalogue::Builtin() {
  static const Catalogue* catalogue = [] {
    auto c = Parse(EmbeddedCatalogueJson());
    // The embedded file is checked by tests; a broken one is a build defect.
    if (!c.ok()) std::abort();
    return new Catalogue(std::move(c).value());
  }();
  return *catalogue;
}

const LicenseType* Catalogue::Type(std::string_view code) const {
  for (const auto& t : types_) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

const Department* Catalogue::DepartmentByKey(std::string_view key) const {
  for (const auto& d : departments_) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

const Department* Catalogue::DepartmentByUscc(std::string_view uscc) const {
  for (const auto& d : departments_) {
    if (d.uscc == uscc) return &d;
  }
  return nullptr;
}

const Department* Catalogue::DepartmentByName(std::string_view name) const {
  for (const auto& d : departments_) {
    if (d.name_zh == name) return &d;
  }
  return nullptr;
}

}  // namespace tongban::license
