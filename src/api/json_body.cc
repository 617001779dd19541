// Strict JSON body parsing; see json_body.h.
#include "api/json_body.h"

namespace tongban::api {
namespace {

// "/field" as a JSON pointer. (Built with append: GCC 12 -O3 reports a false -Wrestrict for
// `"/" + std::string(...)`.)
std::string Pointer(std::string_view field) {
  std::string out("/");
  out.append(field);
  return out;
}

}  // namespace

Result<JsonBody> JsonBody::Parse(std::string_view body,
                                 std::initializer_list<std::string_view> allowed) {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 32;
  boost::json::value v = boost::json::parse(body, ec, {}, opts);
  if (ec) {
    return Status::InvalidArgument("request body is not valid JSON: " + ec.message());
  }
  if (!v.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  JsonBody out;
  out.object_ = std::move(v.as_object());
  std::vector<FieldError> unknown;
  for (const auto& kv : out.object_) {
    bool ok = false;
    for (auto a : allowed) ok = ok || kv.key() == a;
    if (!ok) unknown.push_back({Pointer(kv.key()), "unknown field"});
  }
  if (!unknown.empty()) {
    return Status::InvalidArgument("request body has unknown fields", std::move(unknown));
  }
  return out;
}

Result<std::string> JsonBody::RequiredString(std::string_view field, size_t max_len) const {
  TB_ASSIGN_OR_RETURN(auto v, OptionalString(field, max_len));
  if (!v || v->empty()) return Status::InvalidField(Pointer(field), "is required");
  return *v;
}

Result<std::optional<std::string>> JsonBody::OptionalString(std::string_view field,
                                                            size_t max_len) const {
  auto it = object_.find(field);
  if (it == object_.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) {
    return Status::InvalidField(Pointer(field), "must be a string");
  }
  const auto& s = it->value().as_string();
  if (s.size() > max_len) {
    return Status::InvalidField(Pointer(field),
                                "longer than " + std::to_string(max_len) + " bytes");
  }
  return std::optional<std::string>(std::string(s));
}

Result<int64_t> JsonBody::RequiredInt(std::string_view field) const {
  auto it = object_.find(field);
  if (it == object_.end()) return Status::InvalidField(Pointer(field), "is required");
  if (!it->value().is_int64()) {
    return Status::InvalidField(Pointer(field), "must be an integer");
  }
  return it->value().as_int64();
}

}  // namespace tongban::api
