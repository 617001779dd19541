// Masking of personal identifiers for logs and screens: keep the first and last few characters,
// replace the middle with '*' (a citizen ID becomes "3301**********1234").
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tongban {

// Keeps `head` leading and `tail` trailing bytes and replaces every byte between with '*', so
// the length is preserved. Inputs too short to hide anything (size <= head + tail) are masked
// completely. Meant for ASCII identifiers, including rejected input that should still be logged
// safely: a UTF-8 multi-byte character at the edges may be cut (the output is for logs only).
std::string MaskIdentifier(std::string_view text, size_t head = 4, size_t tail = 4);

}  // namespace tongban
