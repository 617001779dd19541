// HMAC-SHA256 against RFC 4231 test cases 1-7; HMAC-SM3 against GM/T 0042-2015 Appendix D.3 and
// a naive RFC 2104 construction over our hashes (an independent recomputation); key reuse.
#include "crypto/hmac.h"

#include <gtest/gtest.h>

#include <thread>

#include <string>

namespace tongban::crypto {
namespace {

struct Rfc4231Case {
  std::string key;
  std::string data;
  std::string mac_hex;  // may be truncated (case 5)
};

std::vector<Rfc4231Case> Rfc4231Cases() {
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
  return {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {key4, std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {std::string(20, '\x0c'), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {std::string(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than block-size data. The "
       "key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

TEST(HmacSha256, Rfc4231Cases1To7) {
  int n = 0;
  for (const auto& c : Rfc4231Cases()) {
    SCOPED_TRACE(++n);
    const std::string got = ToHex(HmacDigest(HashAlgorithm::kSha256, c.key, c.data));
    EXPECT_EQ(got.substr(0, c.mac_hex.size()), c.mac_hex);
  }
}

// RFC 2104 written out: H((K' ^ opad) || H((K' ^ ipad) || m)), block size 64 for both hashes.
Digest NaiveHmac(HashAlgorithm alg, std::string key, std::string_view m) {
  if (key.size() > 64) {
    const Digest d = Hash(alg, key);
    key.assign(d.begin(), d.end());
  }
  key.resize(64, '\0');
  std::string ipad = key, opad = key;
  for (auto& c : ipad) c ^= 0x36;
  for (auto& c : opad) c ^= 0x5c;
  const Digest inner = Hash(alg, ipad + std::string(m));
  return Hash(alg, opad + std::string(inner.begin(), inner.end()));
}

TEST(HmacSm3, MatchesNaiveConstructionForKeyLengthsAroundTheBlockSize) {
  for (size_t key_len : {0, 1, 16, 32, 63, 64, 65, 131}) {
    std::string key;
    for (size_t i = 0; i < key_len; ++i) key += static_cast<char>(i * 31 + 7);
    const std::string long_message(200, 'x');
    for (std::string_view m : {std::string_view(""), std::string_view("330102199001011234"),
                               std::string_view(long_message)}) {
      EXPECT_EQ(HmacDigest(HashAlgorithm::kSm3, key, m), NaiveHmac(HashAlgorithm::kSm3, key, m))
          << key_len;
      EXPECT_EQ(HmacDigest(HashAlgorithm::kSha256, key, m),
                NaiveHmac(HashAlgorithm::kSha256, key, m))
          << key_len;
    }
  }
}

TEST(HmacSm3, GmT0042AppendixD3Cases1And2) {
  std::string key1, key2;
  for (int i = 1; i <= 32; ++i) key1 += static_cast<char>(i);
  for (int i = 1; i <= 37; ++i) key2 += static_cast<char>(i);
  const std::string m1 =
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(ToHex(HmacDigest(HashAlgorithm::kSm3, key1, m1)),
            "ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a");
  EXPECT_EQ(ToHex(HmacDigest(HashAlgorithm::kSm3, key2, std::string(50, '\xcd'))),
            "220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae");
}

TEST(Hmac, OneKeyedObjectIsReusableAndMovable) {
  Hmac mac(HashAlgorithm::kSha256, "Jefe");
  const Digest first = mac.Mac("what do ya want for nothing?");
  EXPECT_EQ(mac.Mac("other"), HmacDigest(HashAlgorithm::kSha256, "Jefe", "other"));
  Hmac moved = std::move(mac);
  EXPECT_EQ(moved.Mac("what do ya want for nothing?"), first);
  EXPECT_EQ(ToHex(first), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(moved.algorithm(), HashAlgorithm::kSha256);
}

TEST(Hmac, DifferentKeysDifferentMacs) {
  EXPECT_NE(HmacDigest(HashAlgorithm::kSm3, "k1", "m"), HmacDigest(HashAlgorithm::kSm3, "k2", "m"));
  EXPECT_NE(HmacDigest(HashAlgorithm::kSm3, "k", "m"),
            HmacDigest(HashAlgorithm::kSha256, "k", "m"));
}

}  // namespace
}  // namespace tongban::crypto

namespace tongban::crypto {
namespace {

TEST(ThreadLocalHmac, MatchesOneShotForEveryInstanceAndThread) {
  ThreadLocalHmac a(HashAlgorithm::kSm3, std::string(32, 'a'));
  ThreadLocalHmac b(HashAlgorithm::kSha256, std::string(32, 'b'));
  EXPECT_NE(a.id(), b.id());
  auto check = [&] {
    for (int i = 0; i < 3; ++i) {  // alternating instances re-key this thread's context
      EXPECT_EQ(a.Mac("330106198503122130"), HmacDigest(HashAlgorithm::kSm3, std::string(32, 'a'), "330106198503122130"));
      EXPECT_EQ(b.Mac("张伟"), HmacDigest(HashAlgorithm::kSha256, std::string(32, 'b'), "张伟"));
    }
  };
  check();
  std::thread t(check);
  t.join();
}

}  // namespace
}  // namespace tongban::crypto
