// Algorithm names and the DER <-> raw signature conversion, including non-canonical DER.
#include "crypto/signature.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"

namespace tongban::crypto {
namespace {

std::string Unhex(std::string_view hex) { return *FromHex(hex); }
std::string Hex(std::string_view s) {
  return ToHex(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

TEST(SignatureAlgorithmName, RoundTripAndUnknown) {
  for (auto alg :
       {SignatureAlgorithm::kEd25519, SignatureAlgorithm::kSm2, SignatureAlgorithm::kEs256}) {
    Result<SignatureAlgorithm> back = ParseSignatureAlgorithm(SignatureAlgorithmName(alg));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, alg);
  }
  Result<SignatureAlgorithm> r = ParseSignatureAlgorithm("rsa");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "signature: unknown signature algorithm (expected ed25519, sm2 or es256)");
}

TEST(DerSignature, AnnexARoundTrip) {
  // GB/T 32918.5 Annex A: both r and s have the top bit set, so each gets a 0x00 pad.
  const std::string raw = Unhex(
      "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
      "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa");
  Result<std::string> der = RawSignatureToDer(raw);
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(Hex(*der),
            "3046022100f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
            "022100b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa");
  Result<std::string> back = DerSignatureToRaw(*der);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, raw);
}

TEST(DerSignature, SmallValuesArePaddedInRawAndMinimalInDer) {
  std::string raw(64, '\0');
  raw[31] = 0x01;
  raw[63] = 0x7f;
  Result<std::string> der = RawSignatureToDer(raw);
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(Hex(*der), "300602010102017f");
  EXPECT_EQ(*DerSignatureToRaw(*der), raw);
  raw[63] = static_cast<char>(0x80);
  EXPECT_EQ(Hex(*RawSignatureToDer(raw)), "300702010102020080");
}

TEST(DerSignature, RejectsNonCanonicalAndMalformed) {
  ASSERT_TRUE(DerSignatureToRaw(Unhex("3006020101020101")).ok());  // the control: r = s = 1
  const char* bad[] = {
      "",                        // empty
      "30",                      // no length
      "3106020101020101",        // not a SEQUENCE
      "3007020101020101",        // length too long
      "3005020101020101",        // length too short
      "308106020101020101",      // long-form length (not minimal)
      "300702020001020101",      // integer with an unneeded leading zero
      "3006020181020101",        // negative r
      "3006020100020101",        // r = 0
      "30060201010201",          // truncated s
      "30080201010201010000",    // trailing bytes inside the sequence
      "300602010102010100",      // trailing bytes after the sequence
      "3006040101020101",        // OCTET STRING instead of INTEGER
      "30050200020101",          // zero-length integer
      "30090201010201010201ff",  // a third integer
  };
  for (const char* hex : bad) {
    EXPECT_FALSE(DerSignatureToRaw(Unhex(hex)).ok()) << hex;
  }
  // r of 33 significant bytes does not fit.
  const std::string big = "3027022201" + std::string(66, '0') + "020101";
  EXPECT_FALSE(DerSignatureToRaw(Unhex(big)).ok());
  EXPECT_EQ(DerSignatureToRaw("x").status().message(), "signature is not a valid DER (r, s) pair");
}

TEST(RawSignature, RejectsWrongSizeAndZero) {
  EXPECT_EQ(RawSignatureToDer(std::string(63, '\1')).status().message(),
            "raw signature must be 64 bytes (r || s)");
  std::string zero_s(64, '\1');
  std::fill(zero_s.begin() + 32, zero_s.end(), '\0');
  EXPECT_FALSE(RawSignatureToDer(zero_s).ok());
}

TEST(Sizes, PerAlgorithm) {
  EXPECT_EQ(RawPublicKeySize(SignatureAlgorithm::kEd25519), 32u);
  EXPECT_EQ(RawPublicKeySize(SignatureAlgorithm::kSm2), 65u);
  EXPECT_EQ(RawPublicKeySize(SignatureAlgorithm::kEs256), 65u);
  EXPECT_FALSE(UsesDerSignatures(SignatureAlgorithm::kEd25519));
  EXPECT_TRUE(UsesDerSignatures(SignatureAlgorithm::kSm2));
  EXPECT_TRUE(UsesDerSignatures(SignatureAlgorithm::kEs256));
}

}  // namespace
}  // namespace tongban::crypto
