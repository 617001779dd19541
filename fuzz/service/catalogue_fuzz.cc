// Fuzz target: a service catalogue file (TOML) through ServiceCatalogue::Parse over the built-in
// public data and licence catalogues. Properties: a refusal lists at least one error, each named
// "<file>:<line>" with a line inside the text and a reason; an accepted catalogue is whole — every
// bundle has steps, every step's item and waits resolve, every field of a form and every material
// exist, every item's department is one of the data catalogue's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "service/catalogue.h"

namespace {

using tongban::service::Bundle;
using tongban::service::ServiceCatalogue;
using tongban::service::Step;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto& data_catalogue = tongban::data::Catalogue::Builtin();
  auto parsed = ServiceCatalogue::Parse({{"f.toml", text}}, data_catalogue, tongban::license::Catalogue::Builtin());
  if (!parsed.ok()) {
    const auto& errors = parsed.status().fields();
    Check(!errors.empty());
    size_t lines = 1;
    for (char c : text) lines += c == '\n';
    for (const auto& e : errors) {
      Check(e.field.starts_with("f.toml:"));
      const std::string number = e.field.substr(7);
      Check(!number.empty() && number.size() < 10);
      for (char c : number) Check(c >= '0' && c <= '9');
      Check(std::stoul(number) <= lines + 1);
      Check(!e.reason.empty());
    }
    return 0;
  }
  const ServiceCatalogue& c = *parsed;
  for (const Bundle& b : c.bundles()) {
    Check(!b.steps.empty());
    Check(data_catalogue.DepartmentByKey(b.department) != nullptr);
    Check(c.FindBundle(b.code) == &b);
    for (const Step& s : b.steps) {
      const auto* item = c.FindItem(s.item);
      Check(item != nullptr);
      Check(data_catalogue.DepartmentByKey(item->department) != nullptr);
      Check(!item->uses_co_applicant || b.has_co_applicant());
      for (const std::string& a : s.after) Check(b.FindStep(a) != nullptr);
    }
    for (const auto* f : c.FormFields(b)) Check(f != nullptr);
    for (const auto* m : c.FormMaterials(b)) Check(m != nullptr);
  }
  return 0;
}
