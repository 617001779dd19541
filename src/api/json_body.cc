// Strict JSON body parsing; see json_body.h.
#include "api/json_body.h"

namespace tongban::api {
namespace {

// `at` + "/" + `field`: a JSON pointer. (Built with append: GCC 12 -O3 reports a false
// -Wrestrict for `"/" + std::string(...)`.)
std::string Pointer(std::string_view at, std::string_view field) {
  std::string out(at);
  out.append("/");
  out.append(field);
  return out;
}

}  // namespace

Status RejectUnknownFields(const boost::json::object& o,
                           std::initializer_list<std::string_view> allowed, std::string_view at) {
  std::vector<FieldError> unknown;
  for (const auto& kv : o) {
    bool ok = false;
    for (auto a : allowed) ok = ok || kv.key() == a;
    if (!ok) unknown.push_back({Pointer(at, kv.key()), "unknown field"});
  }
  if (unknown.empty()) return Status::Ok();
  return Status::InvalidArgument("request body has unknown fields", std::move(unknown));
}

Result<std::optional<std::string>> OptionalStringField(const boost::json::object& o,
                                                       std::string_view field, std::string_view at,
                                                       size_t max_len) {
  auto it = o.find(field);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) return Status::InvalidField(Pointer(at, field), "must be a string");
  const auto& s = it->value().as_string();
  if (s.size() > max_len) {
    return Status::InvalidField(Pointer(at, field),
                                "longer than " + std::to_string(max_len) + " bytes");
  }
  // A NUL is never part of a name, number or text of a record, and some stores would cut the
  // value at it.
  if (std::string_view(s).find('\0') != std::string_view::npos) {
    return Status::InvalidField(Pointer(at, field), "must not contain a NUL character");
  }
  return std::optional<std::string>(std::string(s));
}

Result<int64_t> RequiredIntField(const boost::json::object& o, std::string_view field,
                                 std::string_view at) {
  auto it = o.find(field);
  if (it == o.end()) return Status::InvalidField(Pointer(at, field), "is required");
  if (it->value().is_uint64()) return Status::InvalidField(Pointer(at, field), "is too large");
  if (!it->value().is_int64()) {
    return Status::InvalidField(Pointer(at, field), "must be an integer (no decimals)");
  }
  return it->value().as_int64();
}

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
  TB_RETURN_IF_ERROR(RejectUnknownFields(out.object_, allowed));
  return out;
}

Result<std::string> JsonBody::RequiredString(std::string_view field, size_t max_len) const {
  TB_ASSIGN_OR_RETURN(auto v, OptionalString(field, max_len));
  if (!v || v->empty()) return Status::InvalidField(Pointer("", field), "is required");
  return *v;
}

Result<std::optional<std::string>> JsonBody::OptionalString(std::string_view field,
                                                            size_t max_len) const {
  return OptionalStringField(object_, field, "", max_len);
}

Result<int64_t> JsonBody::RequiredInt(std::string_view field) const {
  return RequiredIntField(object_, field);
}

}  // namespace tongban::api
