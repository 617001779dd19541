// libFuzzer target: request-target parsing (percent-decoding, UTF-8, traversal rejection).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "api/http_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string path;
  std::map<std::string, std::string> query;
  if (tongban::api::ParseTarget(in, path, query)) {
    // Invariants of an accepted target: valid UTF-8, no traversal segments.
    if (!tongban::api::IsValidUtf8(path)) __builtin_trap();
    if (path.find("/../") != std::string::npos || path.ends_with("/..")) __builtin_trap();
  }
  return 0;
}
