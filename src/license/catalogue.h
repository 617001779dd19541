// Catalogue: the licence types (电子证照目录) and the departments that issue them, loaded from
// data/licenses/catalogue.json (embedded into the binary at build time; a deployment may load its
// own file). A type says its GB/T 36904 type code, zh/en names, holder kind (person or
// enterprise), issuing department, validity and fields; see docs/license.md for the format.
// Immutable after loading; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tongban::license {

enum class HolderKind { kPerson, kEnterprise };
std::string_view HolderKindName(HolderKind k);  // "person" / "enterprise"

// What a field holds; values are always JSON strings except kInteger.
enum class FieldKind { kString, kDate, kCitizenId, kUscc, kInteger };

struct FieldSpec {
  std::string name;  // [a-z][a-z0-9_]*, the claim name in presentations
  std::string zh, en;
  FieldKind kind = FieldKind::kString;
  bool required = true;
};

struct Department {
  std::string key;  // "zj-samr"
  std::string name_zh, name_en;
  std::string uscc;
  std::string region_code;
};

struct LicenseType {
  std::string code;       // "driving_licence": our short name, the SD-JWT VC `vct` suffix
  std::string type_code;  // GB/T 36904 type code: definer's USCC + 3 digits
  std::string name_zh, name_en;
  HolderKind holder = HolderKind::kPerson;
  std::string issuer;     // Department::key
  int validity_years = 0; // 0: no expiry (长期有效)
  std::vector<FieldSpec> fields;

  const FieldSpec* Field(std::string_view name) const;
};

class Catalogue {
 public:
  // Parses and checks a catalogue document: unique codes, known issuers, valid type codes and
  // USCCs, field names. kInvalidArgument naming the JSON pointer at fault.
  static Result<Catalogue> Parse(std::string_view json);
  // The catalogue built into the binary (data/licenses/catalogue.json). Parsed once.
  static const Catalogue& Builtin();

  const std::vector<LicenseType>& types() const { return types_; }
  const std::vector<Department>& departments() const { return departments_; }
  const LicenseType* Type(std::string_view code) const;
  const Department* DepartmentByKey(std::string_view key) const;
  const Department* DepartmentByUscc(std::string_view uscc) const;
  const Department* DepartmentByName(std::string_view name_zh) const;

 private:
  std::vector<LicenseType> types_;
  std::vector<Department> departments_;
};

// The embedded catalogue text (generated source).
std::string_view EmbeddedCatalogueJson();

}  // namespace tongban::license
