// Tests for ledger/cosignature.h: C2SP tlog-cosignature v1 key IDs, key strings, the signed
// message and signature layout, against a vector made independently with Python's `cryptography`
// package (seed 32 x 0x07, name witness.example/w1, the spec's example checkpoint, time
// 1679315147), plus round trips through the note functions.
#include "ledger/cosignature.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "crypto/hash.h"
#include "ledger/checkpoint.h"
#include "ledger/note.h"
#include "ledger/note_keys.h"

namespace tongban::ledger {
namespace {

constexpr std::string_view kName = "witness.example/w1";
constexpr std::string_view kVkey = "witness.example/w1+aa4a09d1+BOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs";
constexpr std::string_view kSkey =
    "PRIVATE+KEY+witness.example/w1+aa4a09d1+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH";
constexpr std::string_view kText =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr uint64_t kTime = 1679315147;
constexpr std::string_view kLine =
    "\xe2\x80\x94 witness.example/w1 qkoJ0QAAAABkGFDLWr4Jea05CAgwNVtwky0Jgz6WfX0QJgM//FkB/W9BoT9TX0D"
    "kTxG+2cT4p/ViKNhUM/SnUwFcYQzugGFQ15LwDw==\n";

crypto::PrivateKey SeedKey() {
  return *crypto::PrivateKey::FromRaw(crypto::SignatureAlgorithm::kEd25519, std::string(32, '\x07'));
}

TEST(Cosignature, KeyIdHashesNameNewlineType04AndKey) {
  crypto::PrivateKey key = SeedKey();
  std::string in(kName);
  in += '\n';
  in += '\x04';
  in += key.public_key().raw();
  const crypto::Digest d = crypto::Hash(crypto::HashAlgorithm::kSha256, in);
  const uint32_t want = uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | d[3];
  EXPECT_EQ(CosignatureKeyId(kName, key.public_key().raw()), want);
  EXPECT_EQ(want, 0xaa4a09d1u);
  // Not the plain Ed25519 note key ID of the same key.
  EXPECT_NE(NoteKeyId(kName, NoteKeyType::kEd25519, key.public_key().raw()), want);
}

TEST(Cosignature, KeyStringsMatchTheIndependentVector) {
  crypto::PrivateKey key = SeedKey();
  EXPECT_EQ(*CosignatureVerifierKeyString(kName, key.public_key()), kVkey);
  EXPECT_EQ(*CosignatureSignerKeyString(kName, key), kSkey);
  FakeClock clock;
  auto signer = ParseCosignatureSigner(kSkey, clock);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ((*signer)->VerifierKeyString(), kVkey);
  EXPECT_EQ((*signer)->key_id(), 0xaa4a09d1u);
}

TEST(Cosignature, SignerReproducesTheIndependentSignatureLine) {
  FakeClock clock(static_cast<int64_t>(kTime) * 1'000'000 + 999'999);  // seconds are truncated
  auto signer = NewCosignatureSigner(std::string(kName), SeedKey(), clock);
  ASSERT_TRUE(signer.ok());
  Result<std::string> sig = (*signer)->Sign(kText);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  ASSERT_EQ(sig->size(), kCosignatureSize);
  EXPECT_EQ(*CosignatureTimestamp(*sig), kTime);
  const NoteSignature ns{std::string(kName), (*signer)->key_id(), *sig};
  EXPECT_EQ(*FormatSignatureLines(std::span(&ns, 1)), kLine);
}

TEST(Cosignature, SignedMessageIsHeaderTimeLineAndCheckpoint) {
  EXPECT_EQ(CosignedMessage(kText, kTime),
            "cosignature/v1\ntime 1679315147\n" + std::string(kText));
  // The Ed25519 part verifies with the plain key over exactly that message.
  FakeClock clock(static_cast<int64_t>(kTime) * 1'000'000);
  auto signer = NewCosignatureSigner(std::string(kName), SeedKey(), clock);
  std::string sig = *(*signer)->Sign(kText);
  EXPECT_TRUE(SeedKey().public_key().Verify(CosignedMessage(kText, kTime), sig.substr(8)));
}

TEST(Cosignature, VerifierAcceptsTheVectorAndRejectsTampering) {
  auto v = ParseCosignatureVerifier(kVkey);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)->name(), kName);
  auto lines = ParseSignatureLines(kLine);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 1u);
  const std::string sig = (*lines)[0].signature;
  EXPECT_TRUE((*v)->Verify(kText, sig));
  std::string later = sig;
  later[7] ^= 1;  // the timestamp is signed
  EXPECT_FALSE((*v)->Verify(kText, later));
  EXPECT_FALSE((*v)->Verify("example.com/behind-the-sofa\n20852164\n", sig));
  EXPECT_FALSE((*v)->Verify(kText, sig.substr(8)));  // bare Ed25519 signature
  std::string zero = sig;
  for (int i = 0; i < 8; ++i) zero[i] = 0;
  EXPECT_FALSE((*v)->Verify(kText, zero));
}

TEST(Cosignature, SpecExampleLineCarriesItsTimestamp) {
  // The cosignature in the tlog-cosignature example: its timestamp is the example's time line.
  auto lines = ParseSignatureLines(
      "\xe2\x80\x94 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB"
      "9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n");
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(*CosignatureTimestamp((*lines)[0].signature), kTime);
}

TEST(Cosignature, KeyStringParsingIsStrict) {
  crypto::PrivateKey key = SeedKey();
  // A plain Ed25519 (0x01) note key is not a cosigner key, and vice versa.
  const std::string plain = *NoteVerifierKeyString(kName, key.public_key());
  EXPECT_FALSE(ParseCosignatureVerifier(plain).ok());
  EXPECT_FALSE(ParseNoteVerifier(kVkey).ok());
  std::string wrong_id(kVkey);
  wrong_id.replace(wrong_id.find("+aa") + 1, 2, "bb");
  EXPECT_FALSE(ParseCosignatureVerifier(wrong_id).ok());
  EXPECT_FALSE(ParseCosignatureVerifier("witness.example/w1+aa4a09d1+BA==").ok());
  EXPECT_FALSE(ParseCosignatureVerifier("bad name+aa4a09d1+BOpK").ok());
  EXPECT_FALSE(ParseCosignatureVerifier("no-plus-signs").ok());
  FakeClock clock;
  std::string skey_wrong_id(kSkey);
  skey_wrong_id.replace(skey_wrong_id.find("+aa") + 1, 2, "bb");
  EXPECT_FALSE(ParseCosignatureSigner(skey_wrong_id, clock).ok());
  EXPECT_FALSE(ParseCosignatureSigner(kVkey, clock).ok());
  auto sm2 = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
  ASSERT_TRUE(sm2.ok());
  EXPECT_EQ(NewCosignatureSigner("w", *sm2, clock).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(NewCosignatureVerifier("w", sm2->public_key()).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(Cosignature, ClockBeforeEpochIsRefused) {
  FakeClock clock(0);
  auto signer = NewCosignatureSigner(std::string(kName), SeedKey(), clock);
  EXPECT_EQ((*signer)->Sign(kText).status().code(), ErrorCode::kInternal);
  EXPECT_EQ((*signer)->SignAt(kText, 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ((*signer)->SignAt(kText, uint64_t{1} << 63).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE((*signer)->SignAt(kText, (uint64_t{1} << 63) - 1).ok());
}

TEST(Cosignature, NoteRoundTripWithLogSignatureAndCosignatures) {
  auto log_key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519);
  auto log_signer = NewNoteSigner("example.com/behind-the-sofa", *log_key);
  NoteSigner* signers[] = {log_signer->get()};
  const std::string note = *SignNote(kText, signers);

  FakeClock clock(int64_t{1'700'000'000} * 1'000'000);
  auto w1 = NewCosignatureSigner("w1.example", *crypto::PrivateKey::Generate(
                                                   crypto::SignatureAlgorithm::kEd25519),
                                 clock);
  auto w2 = NewCosignatureSigner("w2.example", *crypto::PrivateKey::Generate(
                                                   crypto::SignatureAlgorithm::kEd25519),
                                 clock);
  std::vector<NoteSignature> cosigs;
  for (CosignatureSigner* w : {w1->get(), w2->get()}) {
    cosigs.push_back({w->name(), w->key_id(), *w->Sign(kText)});
  }
  const std::string lines = *FormatSignatureLines(cosigs);
  EXPECT_EQ(*ParseSignatureLines(lines), cosigs);

  auto v1 = ParseCosignatureVerifier((*w1)->VerifierKeyString());
  auto v2 = ParseCosignatureVerifier((*w2)->VerifierKeyString());
  NoteVerifierList trusted({*v1, *v2});
  auto verified = VerifyCosignatureLines(note, lines, trusted);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->size(), 2u);

  // Attached, the note opens with the log key, with the witness keys, and with both.
  const std::string cosigned = *AttachCosignatures(note, cosigs);
  EXPECT_EQ(*AttachCosignatures(cosigned, cosigs), cosigned);  // idempotent
  auto log_v = NewNoteVerifier("example.com/behind-the-sofa", log_key->public_key());
  EXPECT_TRUE(OpenCheckpoint(cosigned, "example.com/behind-the-sofa", *log_v).ok());
  auto all = OpenNote(cosigned, NoteVerifierList({*log_v, *v1, *v2}));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->verified.size(), 3u);

  // A cosignature over another checkpoint is refused; lines by unknown keys only are too.
  const std::string other_lines =
      *FormatSignatureLines(std::vector<NoteSignature>{
          {(*w1)->name(), (*w1)->key_id(), *(*w1)->Sign("other\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")}});
  EXPECT_EQ(VerifyCosignatureLines(note, other_lines, trusted).status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(VerifyCosignatureLines(note, lines, NoteVerifierList({*log_v})).status().code(),
            ErrorCode::kUnauthenticated);
}

TEST(Cosignature, SignatureLinesParsingIsStrict) {
  EXPECT_FALSE(ParseSignatureLines("").ok());
  EXPECT_FALSE(ParseSignatureLines("\n").ok());
  std::string two(kLine);
  two += "\n";
  two += kLine;
  EXPECT_FALSE(ParseSignatureLines(two).ok());  // a blank line between
  EXPECT_FALSE(ParseSignatureLines(std::string(kLine).substr(0, kLine.size() - 1)).ok());
  EXPECT_FALSE(ParseSignatureLines("- witness.example/w1 qkoJ0QAAAABk\n").ok());
  EXPECT_FALSE(FormatSignatureLines({}).ok());
}

}  // namespace
}  // namespace tongban::ledger
