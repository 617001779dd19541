// A Param is one value bound to a `?` placeholder of a SQL statement: NULL, a 64-bit integer, UTF-8
// text or a blob of bytes. Params is a non-owning list of them, built from a braced list:
//   tx.Exec("UPDATE receipt SET claimed = ? WHERE no = ?", {amount_fen, receipt_no});
// Value type. A Param does NOT own text or blob bytes: the referenced memory must stay alive until
// the call that takes the Params returns (always true for arguments of that call).
#pragma once

#include <cassert>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tongban::store {

class Param {
 public:
  enum class Kind { kNull, kInt64, kText, kBlob };

  Param(std::nullptr_t) {}  // NOLINT: implicit by design, NULL
  template <std::integral T>
  Param(T v) : kind_(Kind::kInt64), i_(static_cast<int64_t>(v)) {  // NOLINT: implicit by design
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
      assert(v <= static_cast<T>(std::numeric_limits<int64_t>::max()));
    }
  }
  Param(std::string_view text) : kind_(Kind::kText), s_(text) {}       // NOLINT
  Param(const char* text) : kind_(Kind::kText), s_(text) {}            // NOLINT
  Param(const std::string& text) : kind_(Kind::kText), s_(text) {}     // NOLINT

  // Bytes are bound as a BLOB (SQLite) / BYTEA (PostgreSQL), never as text.
  static Param Blob(std::span<const uint8_t> bytes) {
    Param p(nullptr);
    p.kind_ = Kind::kBlob;
    p.s_ = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return p;
  }
  static Param Blob(std::string_view bytes) {
    Param p(nullptr);
    p.kind_ = Kind::kBlob;
    p.s_ = bytes;
    return p;
  }

  Kind kind() const { return kind_; }
  int64_t int64() const { return i_; }     // REQUIRES: kind() == kInt64
  std::string_view bytes() const { return s_; }  // REQUIRES: kind() is kText or kBlob

 private:
  Kind kind_ = Kind::kNull;
  int64_t i_ = 0;
  std::string_view s_;
};

// A non-owning view of the parameters of one statement execution.
class Params {
 public:
  Params() = default;
  // The braced list lives until the end of the full expression containing the call: long enough.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  Params(std::initializer_list<Param> list) : data_(list.begin()), size_(list.size()) {}  // NOLINT
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  Params(std::span<const Param> span) : data_(span.data()), size_(span.size()) {}        // NOLINT
  Params(const std::vector<Param>& v) : data_(v.data()), size_(v.size()) {}             // NOLINT

  size_t size() const { return size_; }
  const Param& operator[](size_t i) const { return data_[i]; }
  const Param* begin() const { return data_; }
  const Param* end() const { return data_ + size_; }

 private:
  const Param* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace tongban::store
