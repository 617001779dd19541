// Comparison of secrets (MACs, tokens) in time independent of where they differ.
// The lengths are not secret: unequal lengths return false at once.
// Pure function; thread-safe.
#pragma once

#include <string_view>

namespace tongban::crypto {

bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace tongban::crypto
