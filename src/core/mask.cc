// See mask.h.
#include "core/mask.h"

namespace tongban {

std::string MaskIdentifier(std::string_view text, size_t head, size_t tail) {
  if (text.size() <= head + tail) return std::string(text.size(), '*');
  std::string out(text);
  for (size_t i = head; i < text.size() - tail; ++i) out[i] = '*';
  return out;
}

}  // namespace tongban
