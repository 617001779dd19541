// The dependency rule for src/receipt (DESIGN.md: core <- crypto <- store <- ledger <- domain
// parts <- api <- cli): receipt code includes only core, crypto, store (its interface, never a
// driver), ledger and receipt headers — never api/.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace {

TEST(ReceiptDependencies, IncludesOnlyLowerPartsAndNoDrivers) {
  const char* env = std::getenv("TONGBAN_SOURCE_DIR");
  const std::string root = env != nullptr ? env : TONGBAN_TEST_SOURCE_DIR;
  int files = 0;
  for (const auto& f : std::filesystem::directory_iterator(root + "/src/receipt")) {
    const std::string ext = f.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(f.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("#include \"", 0) != 0) continue;
      const std::string inc = line.substr(10, line.find('"', 10) - 10);
      const std::string part = inc.substr(0, inc.find('/'));
      EXPECT_TRUE(part == "core" || part == "crypto" || part == "store" || part == "ledger" ||
                  part == "receipt")
          << f.path().filename() << " includes " << inc;
      EXPECT_EQ(inc.find("sqlite"), std::string::npos) << f.path().filename() << ": " << inc;
      EXPECT_EQ(inc.find("postgres"), std::string::npos) << f.path().filename() << ": " << inc;
    }
  }
  EXPECT_GT(files, 5);
}

}  // namespace
