// Catalogue: the public data catalogue (公共数据目录) as data — the departments that hold data,
// their datasets, and each dataset's data elements (数据元: code, standard code, zh/en name, type,
// format, sensitivity 1–4). data/public-data/catalogue.json is embedded into the binary; a
// deployment may load its own file ([data] catalogue_file). Parsing is strict: a bad catalogue
// stops the start naming the entry at fault.
//
// Thread-safety: immutable after Parse; share it freely.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tongban::data {

struct Department {
  std::string key;      // "hz-police"
  std::string name_zh;  // "杭州市公安局": also how staff and system accounts name their department
  std::string name_en;
  std::string uscc;     // GB 32100, checked
  std::string region;   // GB/T 2260 code
};

enum class ElementType { kString, kDate, kInteger, kDecimal, kFen, kCode, kCitizenId, kUscc };
std::string_view ElementTypeName(ElementType type);

struct Element {
  std::string code;           // the key in a record's fields: "birth_date"
  std::string standard_code;  // 数据元 identifier: "DE01004"
  std::string name_zh;
  std::string name_en;
  ElementType type = ElementType::kString;
  int sensitivity = 2;        // 1 public, 2 internal, 3 sensitive personal, 4 highly sensitive
  size_t max_length = 256;    // strings, in bytes (UTF-8)
  std::string pattern;        // strings: an ECMAScript regex the whole value must match, or ""
  std::shared_ptr<const std::regex> matcher;  // `pattern`, compiled once
  std::vector<std::string> codes;  // kCode: the code list
  std::optional<int64_t> min, max;  // kInteger
};

enum class SubjectKind { kPerson, kEnterprise };

struct Dataset {
  std::string code;  // "household_registration"
  std::string name_zh;
  std::string name_en;
  std::string owner;  // department key
  SubjectKind subject = SubjectKind::kPerson;
  std::vector<Element> elements;

  const Element* FindElement(std::string_view code) const;
};

class Catalogue {
 public:
  // Parses and checks a catalogue JSON document (format: docs/data.md). kInvalidArgument naming
  // the entry ("datasets[3].elements[2].type") and why.
  static Result<Catalogue> Parse(std::string_view json);
  // The catalogue built into the binary (data/public-data/catalogue.json). Parsed once.
  static const Catalogue& Builtin();

  const std::vector<Department>& departments() const { return departments_; }
  const std::vector<Dataset>& datasets() const { return datasets_; }
  const Department* DepartmentByKey(std::string_view key) const;
  // The department an account belongs to, by its department name (identity's Account::department).
  const Department* DepartmentByName(std::string_view name_zh) const;
  const Dataset* FindDataset(std::string_view code) const;
  // The canonical text it was parsed from (served at /api/v1/data/catalogue).
  const std::string& json() const { return json_; }

 private:
  std::vector<Department> departments_;
  std::vector<Dataset> datasets_;
  std::string json_;
};

// The embedded catalogue text, generated at build time from data/public-data/catalogue.json.
std::string_view EmbeddedCatalogueJson();

}  // namespace tongban::data
