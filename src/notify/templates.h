// Notification templates: per template id the variables a notice must give, the default channels,
// whether it is sensitive, and a title and body in zh and en with {name} placeholders. The built-in
// set is data/notify/templates.toml, embedded (docs/notifications.md). Immutable after Parse;
// thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tongban::notify {

struct Rendered {
  std::string title;
  std::string body;
};

struct Template {
  std::string id;
  std::vector<std::string> vars;
  std::vector<std::string> channels;  // defaults when the person chose none
  bool sensitive = false;
  Rendered zh;
  Rendered en;
};

using Vars = std::vector<std::pair<std::string, std::string>>;

class Templates {
 public:
  // Parses the TOML text (format in data/notify/templates.toml); errors name the template.
  static Result<Templates> Parse(std::string_view toml_text);
  // data/notify/templates.toml as built in.
  static const Templates& Builtin();

  const Template* Find(std::string_view id) const;
  const std::map<std::string, Template, std::less<>>& all() const { return templates_; }

  // The title and body of `id` in `language` ("en", anything else zh) with `vars` filled in.
  // kInvalidArgument for an unknown template or a variable it needs and `vars` lacks.
  Result<Rendered> Render(std::string_view id, std::string_view language, const Vars& vars) const;
  // kInvalidArgument naming the first variable `vars` lacks, or the unknown template.
  Status Check(std::string_view id, const Vars& vars) const;

 private:
  std::map<std::string, Template, std::less<>> templates_;
};

// Replaces each {name} of `text` by its variable; a {name} with no variable stays as written.
std::string Fill(std::string_view text, const Vars& vars);

}  // namespace tongban::notify
