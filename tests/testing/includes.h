// The #include lines of one part's sources, for the dependency-rule tests of each part
// (DESIGN.md: core <- crypto <- store <- ledger <- domain parts <- api <- cli). Test-only.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tongban::testing {

struct Include {
  std::string file;    // e.g. "receipt_service.cc"
  std::string header;  // e.g. "core/status.h" or "vector"
  bool quoted;         // #include "..." (ours) rather than <...>
};

struct PartIncludes {
  int files = 0;  // .h, .cc and .inc files read
  std::vector<Include> includes;
};

// Reads src/<part>/ under TONGBAN_SOURCE_DIR (set by ctest for every test).
inline PartIncludes IncludesOf(const std::string& part) {
  PartIncludes out;
  const char* root = std::getenv("TONGBAN_SOURCE_DIR");
  EXPECT_NE(root, nullptr) << "run through ctest, which sets TONGBAN_SOURCE_DIR";
  if (root == nullptr) return out;
  static const std::regex kInclude(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(root) / "src" / part)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc" && ext != ".inc") continue;
    ++out.files;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, kInclude)) continue;
      out.includes.push_back({entry.path().filename().string(), m[2], m[1] == "\""});
    }
  }
  return out;
}

// The part a quoted include belongs to: "core/status.h" -> "core".
inline std::string PartOf(const std::string& header) { return header.substr(0, header.find('/')); }

}  // namespace tongban::testing
