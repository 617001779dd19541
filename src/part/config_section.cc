// ConfigSection; see config_section.h.
#include "part/config_section.h"

#include <limits>
#include <sstream>

namespace tongban::part {

const toml::node* ConfigSection::Get(std::string_view key) {
  read_.insert(std::string(key));
  return table_ == nullptr ? nullptr : table_->get(key);
}

Status ConfigSection::Read(std::string_view key, std::string& out) {
  const toml::node* node = Get(key);
  if (node == nullptr) return Status::Ok();
  auto v = node->value<std::string>();
  if (!node->is_string() || !v) return Status::InvalidField(Field(key), "must be a string");
  out = *v;
  return Status::Ok();
}

Status ConfigSection::Read(std::string_view key, int64_t& out, int64_t lo, int64_t hi) {
  const toml::node* node = Get(key);
  if (node != nullptr) {
    if (!node->is_integer()) return Status::InvalidField(Field(key), "must be an integer");
    out = *node->value<int64_t>();
  }
  if (out < lo || out > hi) {
    return Status::InvalidField(Field(key), "must be between " + std::to_string(lo) + " and " +
                                                std::to_string(hi));
  }
  return Status::Ok();
}

Status ConfigSection::Read(std::string_view key, int& out, int lo, int hi) {
  int64_t wide = out;
  TB_RETURN_IF_ERROR(Read(key, wide, lo, hi));
  out = static_cast<int>(wide);
  return Status::Ok();
}

Status ConfigSection::Read(std::string_view key, bool& out) {
  const toml::node* node = Get(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_boolean()) return Status::InvalidField(Field(key), "must be true or false");
  out = *node->value<bool>();
  return Status::Ok();
}

Status ConfigSection::Read(std::string_view key, std::vector<std::string>& out) {
  const toml::node* node = Get(key);
  if (node == nullptr) return Status::Ok();
  const toml::array* list = node->as_array();
  if (list == nullptr) return Status::InvalidField(Field(key), "must be an array of strings");
  std::vector<std::string> values;
  for (const toml::node& e : *list) {
    auto v = e.value<std::string>();
    if (!e.is_string() || !v) return Status::InvalidField(Field(key), "must be an array of strings");
    values.push_back(*v);
  }
  out = std::move(values);
  return Status::Ok();
}

Status ConfigSection::ReadOneOf(std::string_view key, std::string& out,
                                const std::set<std::string>& allowed) {
  TB_RETURN_IF_ERROR(Read(key, out));
  if (allowed.contains(out)) return Status::Ok();
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return Status::InvalidField(Field(key), "must be one of " + list);
}

Result<std::vector<ConfigSection>> ConfigSection::ReadTables(std::string_view key) {
  std::vector<ConfigSection> out;
  const toml::node* node = Get(key);
  if (node == nullptr) return out;
  const toml::array* list = node->as_array();
  if (list == nullptr) {
    return Status::InvalidField(Field(key), "must be an array of tables [[" + Field(key) + "]]");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    std::string name = Field(key) + "[" + std::to_string(i) + "]";
    const toml::table* t = (*list)[i].as_table();
    if (t == nullptr) return Status::InvalidField(name, "must be a table");
    out.emplace_back(std::move(name), t);
  }
  return out;
}

Status ConfigSection::Finish() const {
  if (table_ == nullptr) return Status::Ok();
  for (const auto& [key, value] : *table_) {
    if (!read_.contains(key.str())) {
      return Status::InvalidField(Field(key.str()), "unknown option (see docs/config.md)");
    }
  }
  return Status::Ok();
}

Result<const toml::table*> SectionOf(const toml::table& root, std::string_view name) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!node->is_table()) return Status::InvalidField(std::string(name), "must be a [table]");
  return node->as_table();
}

Result<toml::table> ParseToml(std::string_view text) {
  // Debian's toml++ is built with exceptions: a parse error is thrown, caught here and turned
  // into a Status at the boundary.
  try {
    return toml::parse(text);
  } catch (const toml::parse_error& err) {
    std::ostringstream where;
    where << "line " << err.source().begin.line << ", column " << err.source().begin.column;
    return Status::InvalidArgument("config is not valid TOML at " + where.str() + ": " +
                                   std::string(err.description()));
  }
}

}  // namespace tongban::part
