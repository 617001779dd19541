// Placeholder; replaced below.
#include <gtest/gtest.h>
TEST(LicenseService, Placeholder) {}
