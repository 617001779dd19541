// Dependency rule for core: it is the bottom of the chain and includes only the C++ standard
// library and other core headers (no OpenSSL, Boost or any other part). A regression test, so a
// stray include fails CI instead of review.
#include <gtest/gtest.h>

#include "testing/includes.h"

namespace {

TEST(CoreDependencies, IncludesOnlyStandardAndCoreHeaders) {
  const auto part = tongban::testing::IncludesOf("core");
  for (const auto& inc : part.includes) {
    if (inc.quoted) {
      EXPECT_EQ(inc.header.rfind("core/", 0), 0u) << inc.file << ": " << inc.header;
    } else {
      // Standard headers have no directory and no extension.
      EXPECT_EQ(inc.header.find_first_of("./"), std::string::npos) << inc.file << ": " << inc.header;
    }
  }
  EXPECT_GE(part.files, 10);
}

}  // namespace
