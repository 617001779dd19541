// ServiceCatalogue: the "one thing" service catalogue (一件事 / 办事指南) as data — the form fields
// (each bound to a data element of the public data platform, or asked), the materials (each
// satisfiable by a licence kind from the wallet, or by an upload), the service items (事项: the
// department that handles it, its legal time limit in working days, fee, the licence it issues)
// and the bundles (一件事: their items, which wait for which, an optional co-applicant).
//
// data/services/catalogue.toml is embedded into the binary; a deployment may load its own files
// ([service] catalogue_files). The grammar is in docs/service.md. Parsing is strict and checks
// every reference against the public data catalogue (departments, dataset elements) and the
// licence catalogue (types, their required fields); a bad file stops the start with EVERY error,
// each naming its file and line ("services.toml:42: item marriage_registration: department
// hz-civl is not a department of the public data catalogue").
//
// Every item can also be applied for alone: the catalogue adds a one-step bundle under the
// item's own code (with a co-applicant when the item needs one).
//
// Thread-safety: immutable after Parse; share it freely.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "data/catalogue.h"
#include "license/catalogue.h"

namespace tongban::service {

// Whose data or material: the one who applies, or the co-applicant who confirms (the spouse).
enum class Party { kApplicant, kCoApplicant };
std::string_view PartyName(Party p);  // "applicant" / "co_applicant"

enum class FieldType { kString, kDate, kInteger, kFen, kCode, kCitizenId, kUscc };
std::string_view FieldTypeName(FieldType t);

struct FieldSource {
  std::string dataset;  // public data catalogue dataset code
  std::string element;  // its element code
};

struct Field {
  std::string code;  // "applicant_name"
  std::string name_zh, name_en;
  Party subject = Party::kApplicant;
  FieldType type = FieldType::kString;
  std::vector<std::string> codes;  // kCode
  std::optional<FieldSource> source;  // pre-filled from the data platform, not editable
  bool required = true;
  size_t max_length = 200;  // strings, bytes
  int line = 0;             // where it is defined (errors)
};

struct Material {
  std::string code;
  std::string name_zh, name_en;
  Party subject = Party::kApplicant;
  std::string license;  // licence type that satisfies it (免交), or ""
  bool upload = true;   // may be uploaded instead
  bool required = true;
};

struct Item {
  std::string code;
  std::string name_zh, name_en;
  std::string department;  // public data department key
  int time_limit_days = 1;  // legal time limit, working days
  int64_t fee_fen = 0;
  bool cross_province = false;
  int old_visits = 1;
  std::vector<std::string> fields;
  std::vector<std::string> materials;
  std::string output;  // licence type issued on approval, or ""
  std::vector<Party> output_holders;  // each gets the licence; with output_holder_field: its guardians
  // A staff field naming the licence's holder (a newborn's new ID number): one licence, issued to
  // that person, with output_holders as its guardians (it shows in their wallets). "" = none.
  std::string output_holder_field;
  std::vector<std::string> staff_fields;            // licence fields the approving staff supplies
  std::map<std::string, std::string> output_fields;  // licence field -> value template
  bool uses_co_applicant = false;                   // computed
};

struct Step {
  std::string item;
  std::vector<std::string> after;  // items of the same bundle it waits for
};

struct Bundle {
  std::string code;
  std::string name_zh, name_en;
  std::string department;  // the window that runs it and reads department data for its cases
  std::string co_applicant_zh, co_applicant_en;  // empty: no co-applicant
  int old_visits = 1;
  std::vector<Step> steps;
  bool single = false;  // the one-step bundle of an item applied for alone

  bool has_co_applicant() const { return !co_applicant_zh.empty(); }
  const Step* FindStep(std::string_view item) const;
};

struct CatalogueFile {
  std::string name;  // shown in errors: "catalogue.toml" or a path
  std::string text;
};

class ServiceCatalogue {
 public:
  // Parses and checks the files together (a later file may refer to an earlier one's fields).
  // kInvalidArgument with one FieldError per problem, each field "<file>:<line>" and its reason.
  static Result<ServiceCatalogue> Parse(const std::vector<CatalogueFile>& files,
                                        const data::Catalogue& data_catalogue,
                                        const license::Catalogue& license_catalogue);
  // The catalogue built into the binary (data/services/catalogue.toml) over the built-in data
  // and licence catalogues. Parsed once.
  static const ServiceCatalogue& Builtin();
  static std::string_view BuiltinText();

  const Field* FindField(std::string_view code) const;
  const Material* FindMaterial(std::string_view code) const;
  const Item* FindItem(std::string_view code) const;
  const Bundle* FindBundle(std::string_view code) const;
  // An item's zh and en names (its code when the catalogue no longer has it).
  std::pair<std::string, std::string> ItemNames(std::string_view code) const;
  const std::vector<Bundle>& bundles() const { return bundles_; }  // the declared ones, then singles
  const std::vector<Item>& items() const { return items_; }

  // The form of a bundle: the fields of its items, each once, in first-use order.
  std::vector<const Field*> FormFields(const Bundle& bundle) const;
  // Its materials, each once, in first-use order.
  std::vector<const Material*> FormMaterials(const Bundle& bundle) const;
  // Whether some field of the bundle is sourced from `dataset` for `party`.
  bool ReadsDataset(const Bundle& bundle, Party party, std::string_view dataset) const;

 private:
  std::vector<Field> fields_;
  std::vector<Material> materials_;
  std::vector<Item> items_;
  std::vector<Bundle> bundles_;
  std::map<std::string, size_t, std::less<>> field_index_, material_index_, item_index_, bundle_index_;
};

}  // namespace tongban::service
