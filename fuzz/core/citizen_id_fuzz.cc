// libFuzzer target: CitizenId::Parse on arbitrary bytes. Checks that an accepted number is
// normalised, masks to 18 characters and re-parses to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/citizen_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tongban::Result<tongban::CitizenId> id =
      tongban::CitizenId::Parse(text, tongban::CivilDate{2026, 11, 24});
  if (!id.ok()) return 0;
  const std::string& full = id->RevealFullNumber();
  std::string masked = id->Masked();
  if (full.size() != 18 || masked.size() != 18 || masked.substr(4, 10) != "**********")
    std::abort();
  if (!id->birth_date().IsValid()) std::abort();
  tongban::Result<tongban::CitizenId> again =
      tongban::CitizenId::Parse(full, tongban::CivilDate{2026, 11, 24});
  if (!again.ok() || !(*again == *id)) std::abort();
  return 0;
}
