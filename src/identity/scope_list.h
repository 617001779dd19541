// How a list of scopes is stored in one TEXT column: the names joined by single spaces (API keys'
// `receipt:issue`, powers of attorney's `receipts.view`). Scope names never contain a space (each
// owner validates its names before joining). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tongban::identity {

inline std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

// The names of a stored list; empty names (doubled spaces) are skipped.
inline std::vector<std::string> SplitScopes(std::string_view stored) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < stored.size()) {
    size_t j = stored.find(' ', i);
    if (j == std::string_view::npos) j = stored.size();
    if (j > i) out.emplace_back(stored.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace tongban::identity
