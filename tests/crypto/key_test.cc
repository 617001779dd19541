// Signature keys: published vectors (RFC 8032 §7.1, GM/T 0003.5-2012 / GB/T 32918.5-2017 Annex A),
// round trips through every key form, tampering, and the OpenSSL pitfalls (SM2 ID, EC-vs-SM2 keys).
#include "crypto/key.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "crypto/hash.h"
#include "crypto/sm2.h"

namespace tongban::crypto {
namespace {

std::string Unhex(std::string_view hex) { return *FromHex(hex); }
std::string Hex(std::string_view bytes) {
  return ToHex(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// ---- Ed25519: RFC 8032 §7.1 TEST 1-3 ----

struct Ed25519Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

constexpr Ed25519Vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Ed25519, Rfc8032Tests1To3SignExactlyAndVerify) {
  for (const auto& v : kRfc8032) {
    SCOPED_TRACE(v.public_key);
    Result<PrivateKey> key = PrivateKey::FromRaw(SignatureAlgorithm::kEd25519, Unhex(v.secret));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(Hex(key->public_key().raw()), v.public_key);
    EXPECT_EQ(Hex(key->ToRaw()), v.secret);
    const std::string message = Unhex(v.message);
    Result<std::string> sig = key->Sign(message);
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ(Hex(*sig), v.signature);

    Result<PublicKey> pub = PublicKey::FromRaw(SignatureAlgorithm::kEd25519, Unhex(v.public_key));
    ASSERT_TRUE(pub.ok());
    EXPECT_TRUE(pub->Verify(message, Unhex(v.signature)));
    EXPECT_FALSE(pub->Verify(message + "x", Unhex(v.signature)));
  }
}

TEST(Ed25519, NonCanonicalSIsRejected) {
  // S + L encodes the same scalar mod L; RFC 8032 §5.1.7 requires S < L, so it must not verify.
  const auto& v = kRfc8032[0];
  Result<PublicKey> pub = PublicKey::FromRaw(SignatureAlgorithm::kEd25519, Unhex(v.public_key));
  ASSERT_TRUE(pub.ok());
  std::string sig = Unhex(v.signature);
  const std::string l = Unhex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  int carry = 0;
  for (size_t i = 0; i < 32; ++i) {  // little-endian S += L
    const int sum = static_cast<uint8_t>(sig[32 + i]) + static_cast<uint8_t>(l[i]) + carry;
    sig[32 + i] = static_cast<char>(sum & 0xff);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0);
  EXPECT_TRUE(pub->Verify(Unhex(v.message), Unhex(v.signature)));
  EXPECT_FALSE(pub->Verify(Unhex(v.message), sig));
}

// ---- SM2: GM/T 0003.5-2012 Annex A (= GB/T 32918.5-2017 Annex A), ID "1234567812345678" ----

constexpr char kAnnexPrivate[] = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";
constexpr char kAnnexPublic[] =
    "0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13";
constexpr char kAnnexZ[] = "b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3";
constexpr char kAnnexE[] = "f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640";
constexpr char kAnnexMessage[] = "message digest";
constexpr char kAnnexR[] = "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3";
constexpr char kAnnexS[] = "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa";

TEST(Sm2, AnnexAPublicKeyFromPrivate) {
  Result<PrivateKey> key = PrivateKey::FromRaw(SignatureAlgorithm::kSm2, Unhex(kAnnexPrivate));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(Hex(key->public_key().raw()), kAnnexPublic);
  EXPECT_EQ(Hex(key->ToRaw()), kAnnexPrivate);
}

TEST(Sm2, AnnexAZValueAndDigest) {
  Result<PublicKey> pub = PublicKey::FromRaw(SignatureAlgorithm::kSm2, Unhex(kAnnexPublic));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  Result<Digest> z = Sm2Z(*pub);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(ToHex(*z), kAnnexZ);
  Hasher h(HashAlgorithm::kSm3);
  h.Update(std::span<const uint8_t>(*z));
  h.Update(std::string_view(kAnnexMessage));
  EXPECT_EQ(ToHex(h.Final()), kAnnexE);
}

TEST(Sm2, AnnexASignatureVerifies) {
  Result<PublicKey> pub = PublicKey::FromRaw(SignatureAlgorithm::kSm2, Unhex(kAnnexPublic));
  ASSERT_TRUE(pub.ok());
  Result<std::string> der = RawSignatureToDer(Unhex(std::string(kAnnexR) + kAnnexS));
  ASSERT_TRUE(der.ok());
  EXPECT_TRUE(pub->Verify(kAnnexMessage, *der));
  EXPECT_TRUE(Sm2Verify(*pub, kAnnexMessage, *der, kSm2DefaultId));
  // The same signature under another ID, or with OpenSSL's silent default (empty ID), fails.
  EXPECT_FALSE(Sm2Verify(*pub, kAnnexMessage, *der, "ALICE123@YAHOO.COM"));
  EXPECT_FALSE(Sm2Verify(*pub, kAnnexMessage, *der, ""));
  EXPECT_FALSE(pub->Verify("message digesT", *der));
  // The raw form is not our wire form.
  EXPECT_FALSE(pub->Verify(kAnnexMessage, Unhex(std::string(kAnnexR) + kAnnexS)));
}

// A signature made the way OpenSSL's own documentation shows (set1_id after init) with the
// default ID verifies with our verifier; one made without set1_id (empty ID) does not.
std::string OpenSslSm2Sign(EVP_PKEY* pkey, std::string_view message, bool set_id) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit_ex(ctx, &pctx, "SM3", nullptr, nullptr, pkey, nullptr), 1);
  if (set_id) {
    EXPECT_EQ(EVP_PKEY_CTX_set1_id(pctx, kSm2DefaultId.data(), kSm2DefaultId.size()), 1);
  }
  std::string sig(80, '\0');
  size_t len = sig.size();
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()),
            1);
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return sig;
}

TEST(Sm2, DefaultIdSignatureFromPlainOpenSslVerifies) {
  Result<PrivateKey> key = PrivateKey::Generate(SignatureAlgorithm::kSm2);
  ASSERT_TRUE(key.ok());
  const std::string with_id = OpenSslSm2Sign(key->evp(), "hello", true);
  EXPECT_TRUE(key->public_key().Verify("hello", with_id));
  const std::string empty_id = OpenSslSm2Sign(key->evp(), "hello", false);
  EXPECT_FALSE(key->public_key().Verify("hello", empty_id));
  EXPECT_TRUE(Sm2Verify(key->public_key(), "hello", empty_id, ""));
}

TEST(Sm2, OurSignatureCarriesTheDefaultId) {
  Result<PrivateKey> key = PrivateKey::Generate(SignatureAlgorithm::kSm2);
  ASSERT_TRUE(key.ok());
  Result<std::string> sig = key->Sign("hello");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Sm2Verify(key->public_key(), "hello", *sig, kSm2DefaultId));
  EXPECT_FALSE(Sm2Verify(key->public_key(), "hello", *sig, ""));
}

TEST(Sm2, CustomIdRoundTrip) {
  Result<PrivateKey> key = PrivateKey::Generate(SignatureAlgorithm::kSm2);
  ASSERT_TRUE(key.ok());
  Result<std::string> sig = Sm2Sign(*key, "m", "ALICE123@YAHOO.COM");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Sm2Verify(key->public_key(), "m", *sig, "ALICE123@YAHOO.COM"));
  EXPECT_FALSE(key->public_key().Verify("m", *sig));
}

TEST(Sm2, PlainEcKeyOnSm2CurveIsRefused) {
  EvpPkeyPtr ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "SM2"));
  ASSERT_NE(ec, nullptr);
  ASSERT_TRUE(EVP_PKEY_is_a(ec.get(), "EC"));
  ASSERT_FALSE(EVP_PKEY_is_a(ec.get(), "SM2"));
  Result<PrivateKey> key = PrivateKey::FromEvp(SignatureAlgorithm::kSm2, std::move(ec));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(key.status().message().find("plain EC key on the SM2 curve"), std::string::npos)
      << key.status().message();
}

TEST(Sm2, ZUsesTheCurveConstantsOfOpenSsl) {
  // Sm2Z has its own copy of a, b and G; rebuild Z from OpenSSL's SM2 group instead.
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_sm2);
  ASSERT_NE(group, nullptr);
  BIGNUM* a = BN_new();
  BIGNUM* b = BN_new();
  BIGNUM* gx = BN_new();
  BIGNUM* gy = BN_new();
  ASSERT_EQ(EC_GROUP_get_curve(group, nullptr, a, b, nullptr), 1);
  ASSERT_EQ(EC_POINT_get_affine_coordinates(group, EC_GROUP_get0_generator(group), gx, gy, nullptr),
            1);
  std::string curve(128, '\0');
  auto* p = reinterpret_cast<unsigned char*>(curve.data());
  BN_bn2binpad(a, p, 32);
  BN_bn2binpad(b, p + 32, 32);
  BN_bn2binpad(gx, p + 64, 32);
  BN_bn2binpad(gy, p + 96, 32);
  BN_free(a);
  BN_free(b);
  BN_free(gx);
  BN_free(gy);
  EC_GROUP_free(group);

  Result<PrivateKey> key = PrivateKey::Generate(SignatureAlgorithm::kSm2);
  ASSERT_TRUE(key.ok());
  const std::string id = "ALICE123@YAHOO.COM";
  std::string z_input;
  z_input += static_cast<char>((id.size() * 8) >> 8);
  z_input += static_cast<char>((id.size() * 8) & 0xff);
  z_input += id + curve + key->public_key().raw().substr(1);
  Result<Digest> z = Sm2Z(key->public_key(), id);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(*z, Hash(HashAlgorithm::kSm3, z_input));
}

// ---- ES256: RFC 6979 A.2.5 (P-256, SHA-256, message "sample") ----

TEST(Es256, Rfc6979SampleVerifiesAndPublicKeyDerives) {
  Result<PrivateKey> key = PrivateKey::FromRaw(
      SignatureAlgorithm::kEs256,
      Unhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(Hex(key->public_key().raw()),
            "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
            "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");
  const std::string raw = Unhex(
      "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
      "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
  Result<std::string> der = RawSignatureToDer(raw);
  ASSERT_TRUE(der.ok());
  EXPECT_TRUE(key->public_key().Verify("sample", *der));
  EXPECT_FALSE(key->public_key().Verify("samplf", *der));
  EXPECT_FALSE(key->public_key().Verify("sample", raw));  // raw R || S is not our wire form
}

// ---- Interoperability with the openssl command line (OpenSSL 3.0) ----
// Made with:
//   openssl genpkey -algorithm SM2 -out k.pem && openssl pkey -in k.pem -pubout
//   openssl pkeyutl -sign -in msg -inkey k.pem -rawin -digest sm3
//       -pkeyopt distid:1234567812345678 -out sig         (one line)
// and the same for ED25519 (without -digest and -pkeyopt); msg = "tongban interop".

TEST(Interop, OpenSslCommandLineSm2SignatureWithDistidVerifies) {
  constexpr char kPub[] =
      "-----BEGIN PUBLIC KEY-----\n"
      "MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEY4aghxjB68QaQB9swfEQBt5E7xKQ\n"
      "SYJldp+L2LGYz824iqClquMnmMLIxzIa8Q6RDiwDHiGkIADvfLqBcbeJew==\n"
      "-----END PUBLIC KEY-----\n";
  const std::string sig = Unhex(
      "3045022100bc1873bdde3dc36cb724850846f1273fd46bd6a365ec8507fba7d42e6e8dc52c0220372e52c494a383"
      "27759f8719caf0cffbb58678e051a196cce24cc291bc71602b");
  Result<PublicKey> pub = PublicKey::FromPem(SignatureAlgorithm::kSm2, kPub);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_TRUE(pub->Verify("tongban interop", sig));
  EXPECT_FALSE(pub->Verify("tongban interoP", sig));
}

TEST(Interop, OpenSslCommandLineEd25519SignatureVerifies) {
  constexpr char kPub[] =
      "-----BEGIN PUBLIC KEY-----\n"
      "MCowBQYDK2VwAyEATAH/nI0fZLhLXQJAL4x1iof9w+L2ej56oLcmmeQkamw=\n"
      "-----END PUBLIC KEY-----\n";
  const std::string sig = Unhex(
      "9f846b8ab3d903dc86c681943b3e40546d257419beaaca72ed0d24285830de6136ecfe790d00d11aade82106e3a3"
      "7226d4c6b473599d01f8e59d54419a53dc09");
  Result<PublicKey> pub = PublicKey::FromPem(SignatureAlgorithm::kEd25519, kPub);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_TRUE(pub->Verify("tongban interop", sig));
}

// ---- All algorithms: round trips, tampering, key forms ----

class KeyTest : public ::testing::TestWithParam<SignatureAlgorithm> {};

TEST_P(KeyTest, SignVerifyRoundTrip) {
  Result<PrivateKey> key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->algorithm(), GetParam());
  for (std::string_view msg :
       {std::string_view(), std::string_view("tongban"), std::string_view("\0\x01\xff", 3)}) {
    Result<std::string> sig = key->Sign(msg);
    ASSERT_TRUE(sig.ok());
    if (UsesDerSignatures(GetParam())) {
      EXPECT_TRUE(DerSignatureToRaw(*sig).ok());
    } else {
      EXPECT_EQ(sig->size(), kRawSignatureSize);
    }
    EXPECT_TRUE(key->public_key().Verify(msg, *sig));
  }
}

TEST_P(KeyTest, TamperedMessageOrSignatureFails) {
  Result<PrivateKey> key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  Result<std::string> sig = key->Sign("receipt 330100-0001");
  ASSERT_TRUE(sig.ok());
  const PublicKey& pub = key->public_key();
  EXPECT_FALSE(pub.Verify("receipt 330100-0002", *sig));
  for (size_t i = 0; i < sig->size(); ++i) {
    std::string bad = *sig;
    bad[i] ^= 0x01;
    EXPECT_FALSE(pub.Verify("receipt 330100-0001", bad)) << "byte " << i;
  }
  EXPECT_FALSE(pub.Verify("receipt 330100-0001", ""));
  EXPECT_FALSE(pub.Verify("receipt 330100-0001", *sig + '\0'));
  EXPECT_FALSE(pub.Verify("receipt 330100-0001", sig->substr(0, sig->size() - 1)));
  Result<PrivateKey> other = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->public_key().Verify("receipt 330100-0001", *sig));
}

TEST_P(KeyTest, PemRoundTrip) {
  Result<PrivateKey> key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  const std::string pem = key->ToPem();
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  Result<PrivateKey> back = PrivateKey::FromPem(GetParam(), pem);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToRaw(), key->ToRaw());
  EXPECT_EQ(back->public_key(), key->public_key());

  const std::string pub_pem = key->public_key().ToPem();
  EXPECT_EQ(pub_pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  Result<PublicKey> pub = PublicKey::FromPem(GetParam(), pub_pem);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(*pub, key->public_key());
  Result<std::string> sig = back->Sign("x");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(pub->Verify("x", *sig));
  // Surrounding whitespace is fine.
  EXPECT_TRUE(PrivateKey::FromPem(GetParam(), "\n" + pem + "\n\n").ok());
}

TEST_P(KeyTest, RawRoundTrip) {
  Result<PrivateKey> key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->ToRaw().size(), kPrivateKeySize);
  EXPECT_EQ(key->public_key().raw().size(), RawPublicKeySize(GetParam()));
  Result<PrivateKey> back = PrivateKey::FromRaw(GetParam(), key->ToRaw());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->public_key(), key->public_key());
  Result<PublicKey> pub = PublicKey::FromRaw(GetParam(), key->public_key().ToRaw());
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub, key->public_key());
}

TEST_P(KeyTest, CopiesShareTheKey) {
  Result<PrivateKey> key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  PrivateKey copy = *key;
  PublicKey pub = key->public_key();
  key = Status::Internal("dropped");
  Result<std::string> sig = copy.Sign("m");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(pub.Verify("m", *sig));
}

TEST_P(KeyTest, ConcurrentSignAndVerifyOnOneKey) {
  Result<PrivateKey> key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string msg = std::to_string(t) + "/" + std::to_string(i);
        Result<std::string> sig = key->Sign(msg);
        if (!sig.ok() || !key->public_key().Verify(msg, *sig) ||
            key->public_key().Verify(msg + "!", *sig)) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_P(KeyTest, PemFileRoundTripIsPrivate) {
  Result<PrivateKey> key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  const std::string path = ::testing::TempDir() + "/tongban_key_test_" +
                           std::string(SignatureAlgorithmName(GetParam())) + ".pem";
  ASSERT_TRUE(key->WritePemFile(path).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<PrivateKey> back = PrivateKey::ReadPemFile(GetParam(), path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->public_key(), key->public_key());
  std::remove(path.c_str());
  Result<PrivateKey> missing = PrivateKey::ReadPemFile(GetParam(), path);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

TEST(KeyFiles, WriteReplacesAnExistingFileAndMakesItPrivate) {
  const std::string path = ::testing::TempDir() + "/tongban_key_test_replace.pem";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("old contents, longer than nothing\n", f);
    std::fclose(f);
    ::chmod(path.c_str(), 0644);
  }
  Result<PrivateKey> key = PrivateKey::Generate(SignatureAlgorithm::kSm2);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->WritePemFile(path).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<PrivateKey> back = PrivateKey::ReadPemFile(SignatureAlgorithm::kSm2, path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToRaw(), key->ToRaw());
  std::remove(path.c_str());
  EXPECT_EQ(key->WritePemFile("/nonexistent-dir/key.pem").code(), ErrorCode::kUnavailable);
}

TEST(KeyFiles, HugeOrEndlessFileIsRefusedWithoutReadingItAll) {
  Result<PrivateKey> r = PrivateKey::ReadPemFile(SignatureAlgorithm::kSm2, "/dev/zero");
  EXPECT_EQ(r.status().message(), "private key: PEM text is too large");
}

INSTANTIATE_TEST_SUITE_P(All, KeyTest,
                         ::testing::Values(SignatureAlgorithm::kEd25519, SignatureAlgorithm::kSm2,
                                           SignatureAlgorithm::kEs256),
                         [](const auto& info) {
                           return std::string(SignatureAlgorithmName(info.param));
                         });

// ---- Bad keys give a clear Status ----

TEST(BadKeys, Ed25519PemLoadedAsSm2IsRefused) {
  Result<PrivateKey> ed = PrivateKey::Generate(SignatureAlgorithm::kEd25519);
  ASSERT_TRUE(ed.ok());
  Result<PrivateKey> key = PrivateKey::FromPem(SignatureAlgorithm::kSm2, ed->ToPem());
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.status().message(), "private key: expected an SM2 key, got Ed25519");
  Result<PublicKey> pub = PublicKey::FromPem(SignatureAlgorithm::kSm2, ed->public_key().ToPem());
  EXPECT_EQ(pub.status().message(), "public key: expected an SM2 key, got Ed25519");
}

TEST(BadKeys, P256KeyLoadedAsSm2AndViceVersaIsRefused) {
  Result<PrivateKey> p256 = PrivateKey::Generate(SignatureAlgorithm::kEs256);
  ASSERT_TRUE(p256.ok());
  Result<PrivateKey> as_sm2 = PrivateKey::FromPem(SignatureAlgorithm::kSm2, p256->ToPem());
  EXPECT_EQ(as_sm2.status().message(), "private key: expected an SM2 key, got EC (prime256v1)");
  Result<PrivateKey> sm2 = PrivateKey::Generate(SignatureAlgorithm::kSm2);
  ASSERT_TRUE(sm2.ok());
  Result<PrivateKey> as_p256 = PrivateKey::FromPem(SignatureAlgorithm::kEs256, sm2->ToPem());
  EXPECT_EQ(as_p256.status().message(), "private key: expected an ECDSA P-256 key, got SM2");
}

TEST(BadKeys, GarbageTruncatedAndWrongBlocks) {
  Result<PrivateKey> key = PrivateKey::Generate(SignatureAlgorithm::kSm2);
  ASSERT_TRUE(key.ok());
  const std::string pem = key->ToPem();
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "private key: not a PEM block"},
      {"garbage \x01\x02\xff", "private key: not a PEM block"},
      {pem.substr(0, pem.size() / 2), "private key: not a PEM block"},
      {pem.substr(0, pem.size() - 10), "private key: not a PEM block"},
      {key->public_key().ToPem(),
       "private key: expected a PEM \"PRIVATE KEY\" block, found \"PUBLIC KEY\""},
      {"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
       "private key: not a valid PKCS#8 private key"},
      {pem + "trailing", "private key: unexpected text after the PEM block"},
      {pem + pem, "private key: unexpected text after the PEM block"},
  };
  for (const Case& c : cases) {
    Result<PrivateKey> r = PrivateKey::FromPem(SignatureAlgorithm::kSm2, c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.message) << c.text;
  }
}

TEST(BadKeys, EncryptedAndTraditionalPemAreRefusedWithAHint) {
  Result<PrivateKey> key = PrivateKey::Generate(SignatureAlgorithm::kEs256);
  ASSERT_TRUE(key.ok());
  std::string pem = key->ToPem();
  std::string enc = pem;
  enc.replace(enc.find("PRIVATE KEY"), 11, "ENCRYPTED PRIVATE KEY");
  enc.replace(enc.rfind("PRIVATE KEY"), 11, "ENCRYPTED PRIVATE KEY");
  Result<PrivateKey> r = PrivateKey::FromPem(SignatureAlgorithm::kEs256, enc);
  EXPECT_NE(r.status().message().find("encrypted keys are not supported"), std::string::npos)
      << r.status().message();
  std::string trad = pem;
  trad.replace(trad.find("PRIVATE KEY"), 11, "EC PRIVATE KEY");
  trad.replace(trad.rfind("PRIVATE KEY"), 11, "EC PRIVATE KEY");
  r = PrivateKey::FromPem(SignatureAlgorithm::kEs256, trad);
  EXPECT_NE(r.status().message().find("openssl pkcs8 -topk8"), std::string::npos);
}

TEST(BadKeys, RawKeysOfWrongSizeOrOffCurve) {
  EXPECT_EQ(
      PublicKey::FromRaw(SignatureAlgorithm::kEd25519, std::string(31, '\1')).status().message(),
      "public key: a raw Ed25519 public key has 32 bytes");
  EXPECT_EQ(PrivateKey::FromRaw(SignatureAlgorithm::kSm2, std::string(33, '\1')).status().message(),
            "private key: a raw SM2 private key has 32 bytes");
  std::string off(65, '\x01');
  off[0] = 0x04;
  Result<PublicKey> r = PublicKey::FromRaw(SignatureAlgorithm::kSm2, off);
  EXPECT_EQ(r.status().message(), "public key: not a point on the SM2 curve");
  EXPECT_FALSE(r.status().detail().empty());
  std::string compressed = Unhex(kAnnexPublic).substr(0, 33);
  compressed[0] = 0x02;
  compressed.resize(65, '\0');
  EXPECT_EQ(PublicKey::FromRaw(SignatureAlgorithm::kSm2, compressed).status().message(),
            "public key: must be an uncompressed point (0x04 || X || Y)");
  // The Annex key is on SM2 but not on P-256.
  EXPECT_FALSE(PublicKey::FromRaw(SignatureAlgorithm::kEs256, Unhex(kAnnexPublic)).ok());
}

TEST(BadKeys, PrivateScalarOutOfRange) {
  const std::string zero(32, '\0');
  EXPECT_EQ(PrivateKey::FromRaw(SignatureAlgorithm::kSm2, zero).status().message(),
            "private key: scalar out of range for the SM2 curve");
  // SM2 n - 1 is out of range (1 + d must be invertible); P-256 n - 1 is fine.
  const std::string sm2_n_minus_1 =
      Unhex("fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122");
  EXPECT_FALSE(PrivateKey::FromRaw(SignatureAlgorithm::kSm2, sm2_n_minus_1).ok());
  const std::string sm2_n_minus_2 =
      Unhex("fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54121");
  EXPECT_TRUE(PrivateKey::FromRaw(SignatureAlgorithm::kSm2, sm2_n_minus_2).ok());
  const std::string p256_n =
      Unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  EXPECT_FALSE(PrivateKey::FromRaw(SignatureAlgorithm::kEs256, p256_n).ok());
  const std::string p256_n_minus_1 =
      Unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550");
  EXPECT_TRUE(PrivateKey::FromRaw(SignatureAlgorithm::kEs256, p256_n_minus_1).ok());
}

// Found by fuzz/crypto/pem_key_fuzz: PKCS#8 carries an optional copy of the public key, which
// OpenSSL loads without checking it against the private scalar. Here one bit of that copy is
// flipped; taking it would make every signature fail to verify.
TEST(BadKeys, PemWithMismatchedPublicKeyStillSignsVerifiably) {
  constexpr char kPem[] =
      "-----BEGIN PRIVATE KEY-----\n"
      "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgGCa+Z30RurUbSdzc\n"
      "Q9gT4x5PUC6rG/GCWfUjcQtdTFqhRANCAAQIkVjJDkw+MtykJSxAelcfJf34yznm\n"
      "yOmnwzTnrx+bac0gGLU54S2/mbUSpv0x73a0zDxI77LeT14sfrAzMR+d\n"
      "-----END PRIVATE KEY-----\n";
  Result<PrivateKey> key = PrivateKey::FromPem(SignatureAlgorithm::kSm2, kPem);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<PrivateKey> from_scalar = PrivateKey::FromRaw(SignatureAlgorithm::kSm2, key->ToRaw());
  ASSERT_TRUE(from_scalar.ok());
  EXPECT_EQ(key->public_key(), from_scalar->public_key());
  Result<std::string> sig = key->Sign("fuzz");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(key->public_key().Verify("fuzz", *sig));
}

TEST(BadKeys, PublicKeyLoadedAsPrivateIsRefused) {
  Result<PrivateKey> key = PrivateKey::Generate(SignatureAlgorithm::kEd25519);
  ASSERT_TRUE(key.ok());
  EvpPkeyPtr pub(EVP_PKEY_dup(key->public_key().evp()));
  Result<PrivateKey> r = PrivateKey::FromEvp(SignatureAlgorithm::kEd25519, std::move(pub));
  EXPECT_EQ(r.status().message(), "private key: the key has no usable private part");
}

}  // namespace
}  // namespace tongban::crypto

namespace tongban::crypto {
namespace {

// VerifyRaw takes the raw form (r || s for SM2 and ES256) that JWS, QR texts and notes carry.
TEST(PublicKey, VerifyRawAcceptsRawSignaturesAndNothingElse) {
  for (SignatureAlgorithm alg :
       {SignatureAlgorithm::kSm2, SignatureAlgorithm::kEs256, SignatureAlgorithm::kEd25519}) {
    auto key = PrivateKey::Generate(alg);
    ASSERT_TRUE(key.ok());
    auto wire = key->Sign("报销 7200 分");
    ASSERT_TRUE(wire.ok());
    std::string raw = *wire;
    if (UsesDerSignatures(alg)) raw = DerSignatureToRaw(*wire).value();
    EXPECT_TRUE(key->public_key().VerifyRaw("报销 7200 分", raw)) << SignatureAlgorithmName(alg);
    EXPECT_FALSE(key->public_key().VerifyRaw("报销 7201 分", raw));
    std::string flipped = raw;
    flipped[5] ^= 1;
    EXPECT_FALSE(key->public_key().VerifyRaw("报销 7200 分", flipped));
    EXPECT_FALSE(key->public_key().VerifyRaw("报销 7200 分", raw.substr(1)));
    if (UsesDerSignatures(alg)) {
      EXPECT_FALSE(key->public_key().VerifyRaw("报销 7200 分", *wire)) << "DER is not raw";
    }
  }
}

}  // namespace
}  // namespace tongban::crypto
