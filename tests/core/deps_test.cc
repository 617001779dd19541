// Dependency rule for core: it is the bottom of the chain and includes only the C++ standard
// library and other core headers (no OpenSSL, Boost or any other part). A regression test, so a
// stray include fails CI instead of review.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

TEST(CoreDependencies, IncludesOnlyStandardAndCoreHeaders) {
  const char* root = std::getenv("TONGBAN_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "run through ctest, which sets TONGBAN_SOURCE_DIR";
  std::filesystem::path dir = std::filesystem::path(root) / "src" / "core";
  const std::regex include_line(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc" && ext != ".inc") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, include_line)) continue;
      std::string header = m[2];
      if (m[1] == "\"") {
        EXPECT_EQ(header.rfind("core/", 0), 0u) << entry.path().filename() << ": " << line;
      } else {
        // Standard headers have no directory and no extension.
        EXPECT_EQ(header.find_first_of("./"), std::string::npos)
            << entry.path().filename() << ": " << line;
      }
    }
  }
  EXPECT_GE(files, 10);
}

}  // namespace
