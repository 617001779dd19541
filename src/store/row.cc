// Row getters. See row.h.
#include "store/row.h"

#include <charconv>

namespace tongban::store {

int64_t Row::Int64(size_t i) const {
  const Cell& c = cell(i);
  switch (c.kind) {
    case Kind::kInt64:
      return c.i;
    case Kind::kNull:
      return 0;
    case Kind::kText: {
      // PostgreSQL NUMERIC results (sum, etc.) arrive as decimal text.
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(c.s.data(), c.s.data() + c.s.size(), v);
      assert(ec == std::errc() && ptr == c.s.data() + c.s.size() && "Int64() of a non-integer");
      (void)ptr;
      return ec == std::errc() ? v : 0;
    }
    case Kind::kBlob:
      assert(false && "Int64() of a blob column");
      return 0;
  }
  return 0;
}

std::string_view Row::Text(size_t i) const {
  const Cell& c = cell(i);
  assert(c.kind != Kind::kInt64 && "Text() of an integer column");
  return c.s;
}

std::span<const uint8_t> Row::Blob(size_t i) const {
  const Cell& c = cell(i);
  assert(c.kind != Kind::kInt64 && "Blob() of an integer column");
  return std::span(reinterpret_cast<const uint8_t*>(c.s.data()), c.s.size());
}

}  // namespace tongban::store
