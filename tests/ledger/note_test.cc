// Tests for ledger/note.h and ledger/note_signer.h: every signed-note vector (Go x/mod sumdb/note,
// C2SP, tessera, sigsum) classified as the vector says; byte-exact Ed25519 signing; key strings;
// the SM2 (0xff "tongban-sm2-sm3") signature type.
#include "ledger/note.h"

#include <gtest/gtest.h>

#include "crypto/key.h"
#include "ledger/checkpoint.h"
#include "ledger/note_keys.h"
#include "test_note_keys.h"
#include "vectors.h"

namespace tongban::ledger {
namespace {

std::shared_ptr<const NoteVerifier> VerifierFor(std::string_view vkey) {
  Result<std::shared_ptr<const NoteVerifier>> v = ParseNoteVerifier(vkey);
  EXPECT_TRUE(v.ok()) << vkey << ": " << v.status().ToString();
  return v.ok() ? *v : nullptr;
}

// An Ed25519 note key from a fixed seed: the signer and its verifier key string.
struct TestKey {
  std::unique_ptr<NoteSigner> signer;
  std::string vkey;
  NoteSigner* get() { return signer.get(); }
};
TestKey Ed25519Key(const std::string& name, char seed) {
  crypto::PrivateKey key =
      *crypto::PrivateKey::FromRaw(crypto::SignatureAlgorithm::kEd25519, std::string(32, seed));
  return {NewNoteSigner(name, key).value(), *NoteVerifierKeyString(name, key.public_key())};
}

NoteVerifierList ListFor(const boost::json::array& vkeys) {
  std::vector<std::shared_ptr<const NoteVerifier>> vs;
  for (const auto& k : vkeys) vs.push_back(VerifierFor(k.as_string()));
  return NoteVerifierList(std::move(vs));
}

// ParseNoteSigner also checks that the key ID in the string matches the key.
std::unique_ptr<NoteSigner> SignerFor(std::string_view skey) {
  Result<std::unique_ptr<NoteSigner>> s = ParseNoteSigner(skey);
  EXPECT_TRUE(s.ok()) << skey << ": " << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(NoteVectors, GoodNotesVerifyWithExactlyTheExpectedKeys) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  for (const auto& c : v.at("notes").as_array()) {
    const std::string id(c.at("id").as_string());
    NoteVerifierList list = ListFor(c.at("vkeys").as_array());
    Result<OpenedNote> opened = OpenNote(std::string(c.at("note").as_string()), list);
    ASSERT_TRUE(opened.ok()) << id << ": " << opened.status().ToString();
    std::vector<std::string> names;
    for (const auto& s : opened->verified) names.push_back(s.name);
    std::vector<std::string> want;
    for (const auto& n : c.at("expect_verified").as_array()) want.emplace_back(n.as_string());
    EXPECT_EQ(names, want) << id;
    // Round trip: parse + format gives the same bytes.
    Result<Note> parsed = ParseNote(std::string(c.at("note").as_string()));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*FormatNote(*parsed), std::string(c.at("note").as_string())) << id;
  }
}

TEST(NoteVectors, VerifierKeysRoundTrip) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  for (const auto& c : v.at("notes").as_array()) {
    for (const auto& k : c.at("vkeys").as_array()) {
      Result<NoteVerifierKey> key = ParseNoteVerifierKey(k.as_string());
      ASSERT_TRUE(key.ok());
      EXPECT_EQ(FormatNoteVerifierKey(key->name, key->type, key->public_key), k.as_string());
    }
  }
  EXPECT_TRUE(ParseNoteVerifierKey(
                  std::string(v.at("other_known_vkeys").at("formats-log-test Log").as_string()))
                  .ok());
}

TEST(NoteVectors, Ed25519SigningIsByteCompatibleWithGo) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  auto peter = SignerFor(v.at("signer_keys").at("PeterNeumann").as_string());
  const std::string note(v.at("notes").at(0).at("note").as_string());
  const std::string text = note.substr(0, note.rfind("\n\n") + 1);
  NoteSigner* signers[] = {peter.get()};
  Result<std::string> signed_note = SignNote(text, signers);
  ASSERT_TRUE(signed_note.ok());
  EXPECT_EQ(*signed_note, note);
  // Signer key strings round trip.
  Result<NoteSignerKey> sk = ParseNoteSignerKey(v.at("signer_keys").at("PeterNeumann").as_string());
  EXPECT_EQ(FormatNoteSignerKey(sk->name, sk->key_id, sk->type, sk->private_key),
            v.at("signer_keys").at("PeterNeumann").as_string());
}

TEST(NoteVectors, TesseraKeyReproducesTheTesseraCheckpoint) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  auto log = SignerFor(v.at("other_known_vkeys").at("tessera testdata log (private)").as_string());
  const std::string cp = testing::ReadFile(testing::VectorsDir() + "/tessera-log/checkpoint");
  NoteSigner* signers[] = {log.get()};
  EXPECT_EQ(*SignNote(cp.substr(0, cp.rfind("\n\n") + 1), signers), cp);
  SignerFor(v.at("other_known_vkeys").at("formats-log-test Log (private)").as_string());
}

TEST(NoteVectors, MalformedNotesAreRejected) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  NoteVerifierList list = ListFor(v.at("notes").at(0).at("vkeys").as_array());
  std::vector<std::string> cases;
  for (const auto& m : v.at("must_reject_malformed").at("cases").as_array()) {
    cases.emplace_back(m.as_string());
  }
  cases.push_back("\xff" + std::string(v.at("notes").at(0).at("note").as_string()));
  for (const std::string& m : cases) {
    EXPECT_EQ(ParseNote(m).status().code(), ErrorCode::kInvalidArgument) << m;
    EXPECT_EQ(OpenNote(m, list).status().code(), ErrorCode::kInvalidArgument) << m;
  }
}

TEST(NoteVectors, BadVerifierKeysAreRejected) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  for (const auto& k : v.at("must_reject_bad_vkeys").as_array()) {
    EXPECT_FALSE(ParseNoteVerifierKey(k.as_string()).ok()) << k.as_string();
  }
  // Key ID not matching the key, bad names, bad hex.
  EXPECT_FALSE(ParseNoteVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(ParseNoteVerifierKey("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(ParseNoteVerifierKey("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(ParseNoteVerifierKey("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(ParseNoteVerifierKey("PeterNeumann").ok());
  EXPECT_FALSE(ParseNoteSignerKey("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK").ok());
}

TEST(NoteVectors, KnownKeyWithBadSignatureRejectsTheNote) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  NoteVerifierList list = ListFor(v.at("notes").at(0).at("vkeys").as_array());
  Result<OpenedNote> r =
      OpenNote(std::string(v.at("invalid_signature_case").at("note").as_string()), list);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "invalid signature for key PeterNeumann+c74f20a3");
}

TEST(NoteVectors, AmbiguousKeyIsAnError) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  const auto& both = v.at("notes").at(1);
  auto enoch = VerifierFor(both.at("vkeys").at(1).as_string());
  auto peter = VerifierFor(both.at("vkeys").at(0).as_string());
  NoteVerifierList list({enoch, peter, enoch});
  Result<OpenedNote> r = OpenNote(std::string(both.at("note").as_string()), list);
  EXPECT_EQ(r.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "ambiguous key EnochRoot+af0cfe78");
}

TEST(Note, UnknownKeysAreIgnoredButSomeKnownKeyMustSign) {
  TestKey stranger = Ed25519Key("PeterNeumann", '\x07');  // same name, other key
  TestKey other = Ed25519Key("other.example/key", '\x08');
  NoteSigner* signers[] = {stranger.get(), other.get()};
  Result<std::string> note = SignNote("hello\n", signers);
  ASSERT_TRUE(note.ok());
  NoteVerifierList list({VerifierFor("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")});
  Result<OpenedNote> r = OpenNote(*note, list);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
  NoteVerifierList with_other({VerifierFor(other.vkey)});
  r = OpenNote(*note, with_other);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->verified.size(), 1u);
  EXPECT_EQ(r->verified[0].name, "other.example/key");
  EXPECT_EQ(r->unverified.size(), 1u);
  EXPECT_EQ(r->text, "hello\n");
}

TEST(Note, AtMostOneHundredSignatures) {
  TestKey k = Ed25519Key("k", '\x01');
  std::vector<NoteSigner*> signers(100, k.get());
  Result<std::string> note = SignNote("t\n", signers);
  ASSERT_TRUE(note.ok());
  EXPECT_TRUE(ParseNote(*note).ok());
  Result<Note> parsed = ParseNote(*note);
  parsed->signatures.push_back(parsed->signatures[0]);
  EXPECT_FALSE(FormatNote(*parsed).ok());
  std::string line = note->substr(note->rfind("\xe2\x80\x94"));
  EXPECT_FALSE(ParseNote(*note + line).ok());
}

TEST(Note, TextRules) {
  TestKey k = Ed25519Key("k", '\x01');
  NoteSigner* signers[] = {k.get()};
  EXPECT_FALSE(SignNote("no newline", signers).ok());
  EXPECT_FALSE(SignNote("tab\there\n", signers).ok());
  EXPECT_FALSE(SignNote("\xff\n", signers).ok());
  EXPECT_FALSE(SignNote("", signers).ok());
  // Empty lines inside the text are allowed; the split is at the last blank line.
  Result<std::string> note = SignNote("a\n\nb\n", signers);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(ParseNote(*note)->text, "a\n\nb\n");
}

TEST(Note, AddSignaturesKeepsTheOriginalOnes) {
  TestKey log = Ed25519Key("log", '\x01');
  TestKey witness = Ed25519Key("witness", '\x02');
  NoteSigner* signers[] = {log.get()};
  std::string note = *SignNote("x\n", signers);
  NoteSignature cosig{witness.signer->name(), witness.signer->key_id(),
                      *witness.signer->Sign("x\n")};
  Result<std::string> both = AddNoteSignatures(note, std::span(&cosig, 1));
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->substr(0, note.size()), note);
  NoteVerifierList list({VerifierFor(log.vkey), VerifierFor(witness.vkey)});
  EXPECT_EQ(OpenNote(*both, list)->verified.size(), 2u);
}

TEST(NoteSm2, KeyStringsAndSignaturesRoundTrip) {
  auto key = std::make_shared<testing::Sm2Key>("tongban.example/gm");
  ASSERT_EQ(key->public_key().size(), kSm2PublicKeySize);
  const std::string vkey = FormatNoteVerifierKey(key->name(), NoteKeyType::kSm2, key->public_key());
  Result<NoteVerifierKey> parsed = ParseNoteVerifierKey(vkey);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->type, NoteKeyType::kSm2);
  EXPECT_EQ(parsed->key_id, key->key_id());
  EXPECT_EQ(parsed->public_key, key->public_key());
  // The key bytes start with 0xff "tongban-sm2-sm3" and the key ID hashes them.
  const std::string raw = *Base64Decode(vkey.substr(vkey.find('+', vkey.find('+') + 1) + 1));
  EXPECT_EQ(raw.substr(0, 16), std::string("\xfftongban-sm2-sm3"));
  EXPECT_EQ(raw.size(), 16 + kSm2PublicKeySize);

  Checkpoint cp{"tongban.example/gm", 3, {}, {}};
  const std::string text = *FormatCheckpoint(cp);
  NoteSigner* signers[] = {key.get()};
  Result<std::string> note = SignNote(text, signers);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(ParseNote(*note)->signatures[0].signature.size(), kSm2SignatureSize);
  NoteVerifierList list({std::static_pointer_cast<const NoteVerifier>(key)});
  Result<OpenedNote> opened = OpenNote(*note, list);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->text, text);
  std::string tampered = *note;
  tampered[tampered.find('3')] = '4';
  EXPECT_EQ(OpenNote(tampered, list).status().code(), ErrorCode::kUnauthenticated);
  // SM2 and Ed25519 keys with the same name never share a key ID by construction of the hash.
  EXPECT_NE(NoteKeyId("n", NoteKeyType::kSm2, key->public_key()),
            NoteKeyId("n", NoteKeyType::kEd25519, key->public_key()));
}

}  // namespace
}  // namespace tongban::ledger
