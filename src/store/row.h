// A Row is one result row of a query, copied out of the driver: typed getters by column index
// (0-based, in SELECT order). Value type; thread-compatible.
//
// Column types: SQL integers (and PostgreSQL booleans, as 0/1) read with Int64(); text with Text();
// BLOB / BYTEA with Blob(). Reading a column with the wrong getter is a programming error (asserted
// in debug builds); the release behaviour is a best effort (Int64 parses decimal text, e.g. a
// PostgreSQL NUMERIC sum; Text/Blob of an integer column is empty).
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tongban::store {

class Row {
 public:
  enum class Kind { kNull, kInt64, kText, kBlob };

  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return cell(i).kind == Kind::kNull; }
  Kind kind(size_t i) const { return cell(i).kind; }

  // NULL reads as 0; use OptInt64 where NULL is meaningful.
  int64_t Int64(size_t i) const;
  std::optional<int64_t> OptInt64(size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return Int64(i);
  }
  // NULL reads as "". The view is valid while the Row lives.
  std::string_view Text(size_t i) const;
  std::optional<std::string> OptText(size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return std::string(Text(i));
  }
  // NULL reads as empty. The span is valid while the Row lives.
  std::span<const uint8_t> Blob(size_t i) const;

  // Building rows (drivers and fakes).
  void AddNull() { cells_.push_back(Cell{Kind::kNull, 0, {}}); }
  void AddInt64(int64_t v) { cells_.push_back(Cell{Kind::kInt64, v, {}}); }
  void AddText(std::string_view s) { cells_.push_back(Cell{Kind::kText, 0, std::string(s)}); }
  void AddBlob(std::string bytes) { cells_.push_back(Cell{Kind::kBlob, 0, std::move(bytes)}); }

 private:
  struct Cell {
    Kind kind;
    int64_t i;
    std::string s;
  };
  const Cell& cell(size_t i) const {
    assert(i < cells_.size() && "column index out of range");
    return cells_[i];
  }
  std::vector<Cell> cells_;
};

}  // namespace tongban::store
