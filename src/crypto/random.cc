// RandomBytes and ConstantTimeEqual on libsodium.
#include "crypto/random.h"

#include <sodium.h>

#include <cstdlib>

#include "crypto/constant_time.h"

namespace tongban::crypto {
namespace {

// sodium_init() is idempotent and thread-safe; call it once before first use.
void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();  // no usable random source: nothing secure can run
}

}  // namespace

std::string RandomBytes(size_t n) {
  EnsureSodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tongban::crypto
