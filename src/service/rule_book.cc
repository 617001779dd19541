// The rule book of 秒批 items; see rule_book.h.
#include "service/rule_book.h"

#include <algorithm>
#include <set>
#include <utility>

#include <toml++/toml.h>

namespace tongban::service {

std::vector<std::pair<std::string_view, std::string_view>> EmbeddedRuleFiles();  // generated: data/services/rules

namespace {

using rules::ValueType;

std::optional<ValueType> TypeOfField(FieldType t) {
  switch (t) {
    case FieldType::kDate:
      return ValueType::kDate;
    case FieldType::kInteger:
    case FieldType::kFen:
      return ValueType::kInteger;
    case FieldType::kString:
    case FieldType::kCode:
    case FieldType::kCitizenId:
    case FieldType::kUscc:
      return ValueType::kString;
  }
  return std::nullopt;
}

ValueType TypeOfElement(data::ElementType t) {
  switch (t) {
    case data::ElementType::kDate:
      return ValueType::kDate;
    case data::ElementType::kInteger:
    case data::ElementType::kFen:
      return ValueType::kInteger;
    case data::ElementType::kDecimal:
      return ValueType::kDecimal;
    default:
      return ValueType::kString;
  }
}

bool IsExample(std::string_view name) { return name.ends_with(".test.toml"); }

// Checks what the table says against what the item is: its code, and no approving rows where an
// approval needs a staff member's input.
void CheckAgainstItem(const RuleFile& file, const rules::DecisionTable& table, const Item* item,
                      std::vector<FieldError>& errors) {
  const std::string at = file.name + ":1:1";
  if (item == nullptr) {
    errors.push_back({at, "item " + table.item() + " is not an item of the service catalogue"});
    return;
  }
  if (item->staff_fields.empty() && item->output_holder_field.empty()) return;
  for (const rules::RowSpec& row : table.rows()) {
    if (row.outcome == rules::Outcome::kApprove) {
      errors.push_back({file.name + ":" + std::to_string(row.line) + ":1",
                        "rule " + std::to_string(row.number) + " approves, but approving " + item->code +
                            " needs a staff member's input (staff fields); use refer"});
    }
  }
}

}  // namespace

rules::Vocabulary RuleBook::VocabularyFor(const Item& item, const ServiceCatalogue& services,
                                          const data::Catalogue& data_catalogue,
                                          const license::Catalogue& license_catalogue) {
  rules::Vocabulary v;
  std::map<std::string, ValueType, std::less<>> form;
  for (const std::string& code : item.fields) {
    if (const Field* f = services.FindField(code)) {
      if (auto t = TypeOfField(f->type)) form.emplace(code, *t);
    }
  }
  v.form = [form = std::move(form)](std::string_view field) -> std::optional<ValueType> {
    auto it = form.find(field);
    if (it == form.end()) return std::nullopt;
    return it->second;
  };
  v.data = [&data_catalogue](std::string_view dataset, std::string_view element) -> std::optional<ValueType> {
    const data::Dataset* d = data_catalogue.FindDataset(dataset);
    if (d == nullptr || d->subject != data::SubjectKind::kPerson) return std::nullopt;
    const data::Element* e = d->FindElement(element);
    if (e == nullptr) return std::nullopt;
    return TypeOfElement(e->type);
  };
  v.license_type = [&license_catalogue](std::string_view type) { return license_catalogue.Type(type) != nullptr; };
  v.license_field = [&license_catalogue](std::string_view type, std::string_view field) {
    const license::LicenseType* t = license_catalogue.Type(type);
    return t != nullptr && t->Field(field) != nullptr;
  };
  return v;
}

Result<rules::DecisionTable> RuleBook::ParseOne(const RuleFile& file, const ServiceCatalogue& services,
                                                const data::Catalogue& data_catalogue,
                                                const license::Catalogue& license_catalogue) {
  // The item is named inside the file and the vocabulary depends on it: read its name first (a
  // file that does not parse is refused by DecisionTable::Parse with the parser's position).
  const Item* item = nullptr;
  try {
    const toml::table root = toml::parse(file.text, file.name);
    if (auto name = root["item"].value<std::string>()) item = services.FindItem(*name);
  } catch (const toml::parse_error&) {
  }
  static const Item kNoItem;
  const rules::Vocabulary vocabulary =
      VocabularyFor(item ? *item : kNoItem, services, data_catalogue, license_catalogue);
  TB_ASSIGN_OR_RETURN(rules::DecisionTable table, rules::DecisionTable::Parse(file.name, file.text, vocabulary));
  std::vector<FieldError> errors;
  CheckAgainstItem(file, table, services.FindItem(table.item()), errors);
  if (!errors.empty()) {
    const std::string message = file.name + ": the rules do not fit the catalogue";
    return Status::InvalidArgument(message, std::move(errors));
  }
  return table;
}

Result<RuleBook> RuleBook::Parse(const std::vector<RuleFile>& files, const ServiceCatalogue& services,
                                 const data::Catalogue& data_catalogue, const license::Catalogue& license_catalogue,
                                 crypto::HashAlgorithm hash) {
  RuleBook book;
  std::vector<FieldError> errors;
  for (const RuleFile& file : files) {
    auto table = ParseOne(file, services, data_catalogue, license_catalogue);
    if (!table.ok()) {
      const Status& s = table.status();
      if (s.fields().empty()) {
        errors.push_back({file.name, std::string(s.message())});
      } else {
        errors.insert(errors.end(), s.fields().begin(), s.fields().end());
      }
      continue;
    }
    const std::string item = table->item();
    if (auto [it, fresh] = book.by_item_.emplace(item, book.rules_.size()); !fresh) {
      errors.push_back({file.name + ":1:1", "item " + item + " already has rules in " + book.rules_[it->second].file});
      continue;
    }
    for (const rules::Reference& ref : table->references()) {
      if (ref.kind == rules::Reference::Kind::kData) book.reads_.emplace(item, ref.a);
    }
    book.rules_.push_back(ItemRules{.table = std::move(table).value(),
                                    .file = file.name,
                                    .text = file.text,
                                    .hash = crypto::ToHex(crypto::Hash(hash, file.text))});
  }
  if (!errors.empty()) {
    const std::string message = "the rule files have " + std::to_string(errors.size()) + " problem(s)";
    return Status::InvalidArgument(message, std::move(errors));
  }
  return book;
}

std::vector<RuleFile> RuleBook::BuiltinFiles() {
  std::vector<RuleFile> out;
  for (const auto& [name, text] : EmbeddedRuleFiles()) {
    if (!IsExample(name)) out.push_back({std::string(name), std::string(text)});
  }
  return out;
}

std::vector<RuleFile> RuleBook::BuiltinExamples() {
  std::vector<RuleFile> out;
  for (const auto& [name, text] : EmbeddedRuleFiles()) {
    if (IsExample(name)) out.push_back({std::string(name), std::string(text)});
  }
  return out;
}

const ItemRules* RuleBook::For(std::string_view item) const {
  auto it = by_item_.find(item);
  return it == by_item_.end() ? nullptr : &rules_[it->second];
}

bool RuleBook::ReadsDataset(std::string_view item, std::string_view dataset) const {
  return reads_.contains(std::pair<std::string, std::string>(item, dataset));
}

}  // namespace tongban::service
