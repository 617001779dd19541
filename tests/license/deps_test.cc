// Dependency rule for license: a domain part includes core, crypto, store, ledger and its own
// headers, never api/ (HTTP) nor Boost.Beast. A regression test, so a stray include fails CI.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

TEST(LicenseDependencies, NeverIncludesApiOrBeast) {
  const char* root = std::getenv("TONGBAN_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "run through ctest, which sets TONGBAN_SOURCE_DIR";
  std::filesystem::path dir = std::filesystem::path(root) / "src" / "license";
  const std::regex include_line(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, include_line)) continue;
      std::string header = m[1];
      EXPECT_NE(header.rfind("api/", 0), 0u) << entry.path().filename() << ": " << line;
      EXPECT_EQ(header.find("beast"), std::string::npos) << entry.path().filename() << ": " << line;
      EXPECT_NE(header.rfind("identity/", 0), 0u) << entry.path().filename() << ": " << line;
    }
  }
  EXPECT_GE(files, 18);
}

}  // namespace
