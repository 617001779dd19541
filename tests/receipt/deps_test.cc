// The dependency rule for src/receipt (DESIGN.md: core <- crypto <- store <- ledger <- domain
// parts <- api <- cli): receipt code includes only core, crypto, store (its interface, never a
// driver), ledger and receipt headers — never api/.
#include <gtest/gtest.h>

#include "testing/includes.h"

namespace {

TEST(ReceiptDependencies, IncludesOnlyLowerPartsAndNoDrivers) {
  const auto part = tongban::testing::IncludesOf("receipt");
  for (const auto& inc : part.includes) {
    if (!inc.quoted) continue;
    const std::string p = tongban::testing::PartOf(inc.header);
    EXPECT_TRUE(p == "core" || p == "crypto" || p == "store" || p == "ledger" || p == "receipt")
        << inc.file << " includes " << inc.header;
    EXPECT_EQ(inc.header.find("sqlite"), std::string::npos) << inc.file << ": " << inc.header;
    EXPECT_EQ(inc.header.find("postgres"), std::string::npos) << inc.file << ": " << inc.header;
  }
  EXPECT_GT(part.files, 5);
}

}  // namespace
