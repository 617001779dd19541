// Dependency rule for license: a domain part includes core, crypto, store, ledger and its own
// headers, never api/ (HTTP) nor Boost.Beast. A regression test, so a stray include fails CI.
#include <gtest/gtest.h>

#include "testing/includes.h"

namespace {

TEST(LicenseDependencies, NeverIncludesApiOrBeast) {
  const auto part = tongban::testing::IncludesOf("license");
  for (const auto& inc : part.includes) {
    EXPECT_NE(inc.header.rfind("api/", 0), 0u) << inc.file << ": " << inc.header;
    EXPECT_EQ(inc.header.find("beast"), std::string::npos) << inc.file << ": " << inc.header;
    EXPECT_NE(inc.header.rfind("identity/", 0), 0u) << inc.file << ": " << inc.header;
  }
  EXPECT_GE(part.files, 18);
}

}  // namespace
