// SD-JWT and SD-JWT VC: our verifier against the RFC 9901 and SD-JWT VC draft examples (it must
// accept them and reproduce their processed payloads), and our issuer against our verifier with
// every property broken one at a time: a tampered disclosure, a wrong issuer key, an unreferenced
// disclosure, a wrong nonce, a stale sd_hash, an expired credential, a never-disclosable claim.
#include "license/sd_jwt.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/base64.h"
#include "crypto/random.h"
#include "license/jws.h"

namespace tongban::license {
namespace {

using boost::json::object;
using boost::json::value;

std::string ReadVector(const std::string& rel) {
  const char* dir = std::getenv("TONGBAN_VECTORS_DIR");
  std::string base = dir ? dir : TONGBAN_TEST_SOURCE_DIR "/tests/vectors";
  std::ifstream in(base + "/sdjwt/" + rel);
  EXPECT_TRUE(in) << rel;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

value ReadJson(const std::string& rel) { return boost::json::parse(ReadVector(rel)); }

crypto::PublicKey ExampleIssuerKey() {
  auto k = PublicKeyFromJwk(ReadJson("rfc9901/issuer_jwk.json"));
  EXPECT_TRUE(k.ok()) << k.status().ToString();
  return *k;
}

SdJwtVerifyOptions VectorOptions(std::optional<int64_t> now) {
  SdJwtVerifyOptions o;
  crypto::PublicKey key = ExampleIssuerKey();
  o.issuer_key = [key](const object&, const object&) -> Result<crypto::PublicKey> { return key; };
  o.now = now;
  o.max_kb_age_seconds = 60;
  return o;
}

struct Vector {
  std::string presentation, processed, kb_payload;
  bool vc = false;
};

class SdJwtVectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(SdJwtVectorTest, AcceptsAndReproducesTheProcessedPayload) {
  const Vector& v = GetParam();
  std::optional<int64_t> now;
  SdJwtVerifyOptions o = VectorOptions(std::nullopt);
  if (!v.kb_payload.empty()) {
    value kb = ReadJson(v.kb_payload);
    now = kb.at("iat").as_int64();
    o.now = now;
    o.require_key_binding = true;
    o.expected_nonce = std::string(kb.at("nonce").as_string());
    o.expected_aud = std::string(kb.at("aud").as_string());
  }
  if (v.vc) {
    o.expected_typ = std::string(kSdJwtVcTyp);
    o.vc_profile = true;
  }
  auto r = VerifySdJwt(ReadVector(v.presentation), o);
  ASSERT_TRUE(r.ok()) << v.presentation << ": " << r.status().ToString();
  EXPECT_EQ(value(r->payload), ReadJson(v.processed)) << boost::json::serialize(r->payload);
  if (!v.kb_payload.empty()) {
    EXPECT_TRUE(r->kb_payload.has_value());
  }
}

std::string VectorName(const ::testing::TestParamInfo<Vector>& info) {
  std::string n = info.param.presentation;
  for (char& c : n) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9901AndSdJwtVc, SdJwtVectorTest,
    ::testing::Values(
        Vector{"rfc9901/s5_presentation.txt", "rfc9901/s5_processed.json", "rfc9901/s5_kb_payload.json"},
        Vector{"rfc9901/a1_presentation.txt", "rfc9901/a1_processed.json", ""},
        Vector{"rfc9901/a2_presentation.txt", "rfc9901/a2_processed.json", ""},
        Vector{"rfc9901/a3_presentation.txt", "rfc9901/a3_processed.json", "rfc9901/a3_kb_payload.json"},
        Vector{"rfc9901/a4_presentation.txt", "rfc9901/a4_processed.json", ""},
        Vector{"sd-jwt-vc/fig8_presentation.txt", "sd-jwt-vc/fig9_processed.json", "", true},
        Vector{"sd-jwt-vc/fig10_presentation.txt", "sd-jwt-vc/fig11_processed.json", "", true},
        Vector{"sd-jwt-vc/a1_presentation.txt", "sd-jwt-vc/a1_processed.json",
               "sd-jwt-vc/a1_kb_payload.json", true}),
    VectorName);

TEST(SdJwtVectors, EveryPublishedDisclosureDigestMatches) {
  int n = 0;
  for (const char* f : {"rfc9901/disclosure_digests.json", "sd-jwt-vc/disclosure_digests.json"}) {
    value pairs = ReadJson(f);
    for (const value& pair : pairs.as_array()) {
      EXPECT_EQ(DisclosureDigest(crypto::HashAlgorithm::kSha256, pair.at("disclosure").as_string()),
                pair.at("digest").as_string());
      ++n;
    }
  }
  EXPECT_GE(n, 100);
}

TEST(SdJwtVectors, IssuancesVerifyWithEveryDisclosure) {
  for (const char* f : {"rfc9901/s5_issuance.txt", "rfc9901/a3_issuance.txt", "rfc9901/a4_issuance.txt",
                        "sd-jwt-vc/fig7_issuance.txt", "sd-jwt-vc/a1_issuance.txt"}) {
    auto r = VerifySdJwt(ReadVector(f), VectorOptions(std::nullopt));
    EXPECT_TRUE(r.ok()) << f << ": " << r.status().ToString();
  }
}

TEST(SdJwtVectors, ATamperedSignatureOrAWrongKeyIsRejected) {
  std::string p = ReadVector("rfc9901/a1_presentation.txt");
  size_t dot = p.find('~') - 3;
  p[dot] = p[dot] == 'A' ? 'B' : 'A';
  auto r = VerifySdJwt(p, VectorOptions(std::nullopt));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);

  SdJwtVerifyOptions o;
  auto other = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEs256);
  o.issuer_key = [&](const object&, const object&) -> Result<crypto::PublicKey> { return other->public_key(); };
  r = VerifySdJwt(ReadVector("rfc9901/a1_presentation.txt"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "issuer signature is not valid");
}

TEST(SdJwtVectors, KeyBindingWithTheWrongNonceOrALaterTimeIsRejected) {
  std::string p = ReadVector("rfc9901/s5_presentation.txt");
  SdJwtVerifyOptions o = VectorOptions(1748537244);
  o.expected_nonce = "another-nonce";
  auto r = VerifySdJwt(p, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "KB-JWT nonce is wrong");
  o = VectorOptions(1748537244 + 3600);  // an hour later the KB-JWT is stale
  r = VerifySdJwt(p, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "KB-JWT is too old");
}

TEST(SdJwtVectors, DroppingADisclosureAfterKeyBindingBreaksSdHash) {
  std::string p = ReadVector("rfc9901/s5_presentation.txt");
  size_t first = p.find('~');
  size_t second = p.find('~', first + 1);
  p.erase(first + 1, second - first);  // remove the first disclosure
  auto r = VerifySdJwt(p, VectorOptions(1748537244));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "KB-JWT sd_hash does not match the presentation");
}

TEST(SdJwtParse, NotAnSdJwtIsInvalidArgument) {
  for (std::string bad : {"", "abc", "a.b.c", "~", "e30.e30.AAAA~", "x~y~"}) {
    auto r = VerifySdJwt(bad, VectorOptions(std::nullopt));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << bad << " " << r.status().ToString();
  }
}

// --- our issuer ------------------------------------------------------------------------------

class SdJwtIssueTest : public ::testing::TestWithParam<crypto::SignatureAlgorithm> {
 protected:
  void SetUp() override {
    issuer_ = *crypto::PrivateKey::Generate(GetParam());
    holder_ = *crypto::PrivateKey::Generate(GetParam());
  }
  std::string Issue(int64_t exp = 2'000'000'000) {
    SdJwtIssue in;
    in.header = object{{"typ", kSdJwtVcTyp}};
    in.claims = object{{"iss", "https://zj.example/licenses"},
                       {"iat", 1'790'000'000},
                       {"exp", exp},
                       {"vct", "urn:tongban:license:driving_licence"},
                       {"cnf", object{{"jwk", *PublicKeyToJwk(holder_.public_key())}}}};
    in.disclosable = {{"name", value("张伟")}, {"licence_class", value("C1")}, {"address", value("杭州市西湖区")}};
    in.sd_alg = GetParam() == crypto::SignatureAlgorithm::kSm2 ? crypto::HashAlgorithm::kSm3
                                                                 : crypto::HashAlgorithm::kSha256;
    in.decoys = 2;
    auto s = IssueSdJwt(in, issuer_, [] { return Base64UrlEncode(crypto::RandomBytes(16)); });
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return *s;
  }
  std::string Present(const std::string& issuance, std::vector<std::string> disclose,
                      const std::string& nonce = "n-1") {
    auto p = PresentSdJwt(issuance, disclose, KeyBindingInput{&holder_, nonce, "staff", 1'790'000'100});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return *p;
  }
  SdJwtVerifyOptions Options() {
    SdJwtVerifyOptions o;
    crypto::PublicKey key = issuer_.public_key();
    o.issuer_key = [key](const object&, const object&) -> Result<crypto::PublicKey> { return key; };
    o.expected_typ = std::string(kSdJwtVcTyp);
    o.vc_profile = true;
    o.require_key_binding = true;
    o.expected_nonce = "n-1";
    o.now = 1'790'000'120;
    return o;
  }
  crypto::PrivateKey issuer_ = *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEs256);
  crypto::PrivateKey holder_ = *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEs256);
};

TEST_P(SdJwtIssueTest, PresentsOnlyTheChosenFields) {
  auto r = VerifySdJwt(Present(Issue(), {"name"}), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->payload.at("name").as_string(), "张伟");
  EXPECT_FALSE(r->payload.contains("licence_class"));
  EXPECT_FALSE(r->payload.contains("address"));
  EXPECT_FALSE(r->payload.contains("_sd"));
  EXPECT_EQ(r->disclosed, std::vector<std::string>{"name"});
}

TEST_P(SdJwtIssueTest, ATamperedDisclosureIsRejected) {
  std::string p = Present(Issue(), {"name"});
  // Replace the disclosure with one of the same name and another value: its digest is unknown,
  // so it is an unreferenced disclosure (and the KB-JWT sd_hash no longer matches either).
  size_t a = p.find('~') + 1;
  size_t b = p.find('~', a);
  std::string forged = Base64UrlEncode(std::string(R"(["c2FsdA","name","李娜"])"));
  p.replace(a, b - a, forged);
  auto r = VerifySdJwt(p, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(SdJwtIssueTest, AnUndisclosedFieldCannotBeRevealedByAddingItsDisclosureLater) {
  std::string issuance = Issue();
  std::string p = Present(issuance, {"name"});
  // The holder's presentation hid licence_class; a verifier (or anyone) appending the disclosure
  // taken from elsewhere breaks sd_hash, since the KB-JWT signed what was shown.
  auto parts = *SplitSdJwt(issuance);
  std::string hidden;
  for (const auto& d : parts.disclosures) {
    if (Base64UrlDecode(d)->find("licence_class") != std::string::npos) hidden = d;
  }
  ASSERT_FALSE(hidden.empty());
  size_t kb = p.rfind('~');
  p.insert(kb + 1, hidden + "~");
  auto r = VerifySdJwt(p, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "KB-JWT sd_hash does not match the presentation");
}

TEST_P(SdJwtIssueTest, WrongIssuerKeyExpiredAndMissingKeyBinding) {
  std::string p = Present(Issue(), {"name"});
  SdJwtVerifyOptions o = Options();
  auto other = *crypto::PrivateKey::Generate(GetParam());
  o.issuer_key = [&](const object&, const object&) -> Result<crypto::PublicKey> { return other.public_key(); };
  EXPECT_EQ(VerifySdJwt(p, o).status().message(), "issuer signature is not valid");

  auto expired = VerifySdJwt(Present(Issue(1'790'000'050), {"name"}), Options());
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(expired.status().message(), "expired");

  std::string no_kb = p.substr(0, p.rfind('~') + 1);
  EXPECT_EQ(VerifySdJwt(no_kb, Options()).status().message(), "key binding JWT is missing");
}

TEST_P(SdJwtIssueTest, AKeyBindingSignedByAnotherHolderIsRejected) {
  std::string issuance = Issue();
  auto thief = *crypto::PrivateKey::Generate(GetParam());
  auto p = PresentSdJwt(issuance, {"name"}, KeyBindingInput{&thief, "n-1", "staff", 1'790'000'100});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(VerifySdJwt(*p, Options()).status().message(), "key binding signature is not valid");
}

TEST_P(SdJwtIssueTest, NeverDisclosableClaimsAreRefusedUnderTheVcProfile) {
  SdJwtIssue in;
  in.header = object{{"typ", kSdJwtVcTyp}};
  in.claims = object{{"iss", "https://zj.example/licenses"}, {"vct", "urn:x"}};
  in.disclosable = {{"exp", value(2'000'000'000)}};
  auto s = IssueSdJwt(in, issuer_, [] { return std::string("c2FsdHNhbHQ"); });
  ASSERT_TRUE(s.ok());
  SdJwtVerifyOptions o = Options();
  o.require_key_binding = false;
  auto r = VerifySdJwt(*s, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "claim exp must not be selectively disclosable");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SdJwtIssueTest,
                         ::testing::Values(crypto::SignatureAlgorithm::kEs256,
                                           crypto::SignatureAlgorithm::kSm2),
                         [](const auto& info) {
                           return info.param == crypto::SignatureAlgorithm::kEs256 ? "ES256" : "SM2";
                         });

}  // namespace
}  // namespace tongban::license
