// libFuzzer target: the TOML config parser (strict keys, types and ranges).
#include <cstddef>
#include <cstdint>

#include "cli/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)tongban::cli::ParseConfig(in, "/tmp");
  return 0;
}
