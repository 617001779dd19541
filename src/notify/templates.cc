// Templates; see templates.h.
#include "notify/templates.h"

#include <toml++/toml.h>

#include "notify/outbox.h"

namespace tongban::notify {

std::string_view EmbeddedTemplates();  // generated from data/notify/templates.toml

namespace {

Result<std::vector<std::string>> Strings(const toml::table& t, std::string_view key, const std::string& where) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) return Status::InvalidArgument(where + "." + std::string(key) + " must be a list of strings");
  for (const toml::node& e : *a) {
    auto s = e.value<std::string>();
    if (!s) return Status::InvalidArgument(where + "." + std::string(key) + " must be a list of strings");
    out.push_back(*s);
  }
  return out;
}

Result<Rendered> Language(const toml::table& t, std::string_view lang, const std::string& where) {
  const toml::table* l = t[lang].as_table();
  if (l == nullptr) return Status::InvalidArgument(where + " has no " + std::string(lang) + ".title / .body");
  auto title = (*l)["title"].value<std::string>();
  auto body = (*l)["body"].value<std::string>();
  if (!title || !body || title->empty() || body->empty()) {
    return Status::InvalidArgument(where + "." + std::string(lang) + " needs a title and a body");
  }
  if (title->find('{') != std::string::npos) {
    // The settings page lists each kind of notice by its title, with no variables to fill.
    return Status::InvalidArgument(where + "." + std::string(lang) + ".title has no variables (they go in the body)");
  }
  return Rendered{*title, *body};
}

}  // namespace

Result<Templates> Templates::Parse(std::string_view text) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string("notification templates: ") + std::string(e.description()));
  }
  Templates out;
  for (const auto& [key, node] : root) {
    const std::string where = "template " + std::string(key.str());
    const toml::table* t = node.as_table();
    if (t == nullptr) return Status::InvalidArgument(where + " must be a table");
    Template tpl;
    tpl.id = std::string(key.str());
    TB_ASSIGN_OR_RETURN(tpl.vars, Strings(*t, "vars", where));
    TB_ASSIGN_OR_RETURN(tpl.channels, Strings(*t, "channels", where));
    tpl.sensitive = (*t)["sensitive"].value_or(false);
    for (const std::string& c : tpl.channels) {
      if (!IsChannel(c)) return Status::InvalidArgument(where + ": unknown channel " + c);
      if (c == "inbox" && tpl.sensitive) return Status::InvalidArgument(where + ": sensitive, so never the inbox");
    }
    TB_ASSIGN_OR_RETURN(tpl.zh, Language(*t, "zh", where));
    TB_ASSIGN_OR_RETURN(tpl.en, Language(*t, "en", where));
    out.templates_.emplace(tpl.id, std::move(tpl));
  }
  return out;
}

const Templates& Templates::Builtin() {
  static const Templates* builtin = [] {
    auto parsed = Parse(EmbeddedTemplates());
    if (!parsed.ok()) std::abort();  // the build embeds a file the tests parse
    return new Templates(std::move(parsed).value());
  }();
  return *builtin;
}

const Template* Templates::Find(std::string_view id) const {
  auto it = templates_.find(id);
  return it == templates_.end() ? nullptr : &it->second;
}

Status Templates::Check(std::string_view id, const Vars& vars) const {
  const Template* t = Find(id);
  if (t == nullptr) return Status::InvalidField("template_id", "unknown template " + std::string(id));
  for (const std::string& v : t->vars) {
    bool found = false;
    for (const auto& [k, value] : vars) found = found || k == v;
    if (!found) return Status::InvalidField("vars", "template " + t->id + " needs the variable " + v);
  }
  return Status::Ok();
}

Result<Rendered> Templates::Render(std::string_view id, std::string_view language, const Vars& vars) const {
  TB_RETURN_IF_ERROR(Check(id, vars));
  const Template* t = Find(id);
  const Rendered& r = language == "en" ? t->en : t->zh;
  return Rendered{Fill(r.title, vars), Fill(r.body, vars)};
}

std::string Fill(std::string_view text, const Vars& vars) {
  std::string out;
  out.reserve(text.size() + 32);
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      size_t end = text.find('}', i + 1);
      if (end != std::string_view::npos) {
        std::string_view name = text.substr(i + 1, end - i - 1);
        const std::string* value = nullptr;
        for (const auto& [k, v] : vars) {
          if (k == name) value = &v;
        }
        if (value != nullptr) {
          out += *value;
          i = end + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace tongban::notify
