// CheckText: the check of a short text a request gives (a reason, an answer): present, and within
// a byte limit — kInvalidArgument naming the field otherwise.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::service {

inline Status CheckText(std::string_view field, std::string_view text, size_t max) {
  if (text.empty()) return Status::InvalidField(std::string(field), "is required");
  if (text.size() > max) {
    return Status::InvalidField(std::string(field), "must be at most " + std::to_string(max) + " bytes");
  }
  return Status::Ok();
}

}  // namespace tongban::service
