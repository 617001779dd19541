// Test helpers for tests/ledger: locating and reading the vector files in tests/vectors/ledger.
// Not thread-safe in any interesting way; test-only.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/base64.h"
#include "crypto/hash.h"
#include "ledger/merkle.h"

namespace tongban::ledger::testing {

// $TONGBAN_VECTORS_DIR/ledger (set by CTest), else the source tree's copy.
inline std::string VectorsDir() {
  const char* env = std::getenv("TONGBAN_VECTORS_DIR");
  std::string base = env != nullptr ? env : TONGBAN_TEST_SOURCE_DIR "/tests/vectors";
  return base + "/ledger";
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline boost::json::value ReadJson(const std::string& relative) {
  return boost::json::parse(ReadFile(VectorsDir() + "/" + relative));
}

inline std::string B64(std::string_view text) {
  Result<std::string> r = Base64Decode(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : std::string();
}

inline Hash HexHash(std::string_view hex) {
  Result<std::string> r = crypto::FromHex(hex);
  EXPECT_TRUE(r.ok() && r->size() == kHashSize) << hex;
  Hash h{};
  if (r.ok() && r->size() == kHashSize) std::copy(r->begin(), r->end(), h.begin());
  return h;
}

inline std::string Hex(const Hash& h) { return crypto::ToHex(h); }

}  // namespace tongban::ledger::testing
