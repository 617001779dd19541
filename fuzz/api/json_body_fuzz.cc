// libFuzzer target: strict JSON request bodies (JsonBody::Parse and its field readers).
#include <cstddef>
#include <cstdint>

#include "api/json_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto body = tongban::api::JsonBody::Parse(in, {"login", "password", "amount_fen"});
  if (body.ok()) {
    (void)body->RequiredString("login");
    (void)body->OptionalString("password");
    (void)body->RequiredInt("amount_fen");
  }
  return 0;
}
