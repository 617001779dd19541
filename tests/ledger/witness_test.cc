// Placeholder while the witness tests are written.
#include <gtest/gtest.h>
