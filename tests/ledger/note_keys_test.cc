// Tests for ledger/note_keys.h: note signers and verifiers over crypto keys reproduce Go's
// Ed25519 notes, verify every vector note, and make SM2 notes that an independent OpenSSL SM2
// implementation (test_note_keys.h) agrees with in both directions.
#include "ledger/note_keys.h"

#include <gtest/gtest.h>

#include "ledger/checkpoint.h"
#include "ledger/note.h"
#include "test_note_keys.h"
#include "vectors.h"

namespace tongban::ledger {
namespace {

TEST(NoteKeys, GoEd25519SignerReproducesTheVectorNote) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  Result<std::unique_ptr<NoteSigner>> peter =
      ParseNoteSigner(v.at("signer_keys").at("PeterNeumann").as_string());
  ASSERT_TRUE(peter.ok()) << peter.status().ToString();
  const std::string note(v.at("notes").at(0).at("note").as_string());
  NoteSigner* signers[] = {peter->get()};
  EXPECT_EQ(*SignNote(note.substr(0, note.rfind("\n\n") + 1), signers), note);
}

TEST(NoteKeys, EveryVectorNoteVerifies) {
  boost::json::value v = testing::ReadJson("signed-note-vectors.json");
  for (const auto& c : v.at("notes").as_array()) {
    std::vector<std::shared_ptr<const NoteVerifier>> vs;
    for (const auto& k : c.at("vkeys").as_array()) {
      Result<std::shared_ptr<const NoteVerifier>> nv = ParseNoteVerifier(k.as_string());
      ASSERT_TRUE(nv.ok()) << k.as_string();
      vs.push_back(*nv);
    }
    Result<OpenedNote> opened = OpenNote(std::string(c.at("note").as_string()),
                                         NoteVerifierList(std::move(vs)));
    ASSERT_TRUE(opened.ok()) << c.at("id").as_string() << ": " << opened.status().ToString();
    EXPECT_EQ(opened->verified.size(), c.at("expect_verified").as_array().size());
  }
  EXPECT_EQ(OpenNote(std::string(v.at("invalid_signature_case").at("note").as_string()),
                     NoteVerifierList({*ParseNoteVerifier(
                         v.at("notes").at(0).at("vkeys").at(0).as_string())}))
                .status()
                .code(),
            ErrorCode::kUnauthenticated);
}

TEST(NoteKeys, KeyStringsRoundTripForBothTypes) {
  for (auto alg : {crypto::SignatureAlgorithm::kEd25519, crypto::SignatureAlgorithm::kSm2}) {
    Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(alg);
    ASSERT_TRUE(key.ok());
    Result<std::string> skey = NoteSignerKeyString("tongban.example/log", *key);
    Result<std::string> vkey = NoteVerifierKeyString("tongban.example/log", key->public_key());
    ASSERT_TRUE(skey.ok() && vkey.ok());
    Result<std::unique_ptr<NoteSigner>> signer = ParseNoteSigner(*skey);
    Result<std::shared_ptr<const NoteVerifier>> verifier = ParseNoteVerifier(*vkey);
    ASSERT_TRUE(signer.ok() && verifier.ok()) << signer.status().ToString();
    EXPECT_EQ((*signer)->key_id(), (*verifier)->key_id());

    const std::string text = *FormatCheckpoint({"tongban.example/log", 7, {}, {}});
    NoteSigner* signers[] = {signer->get()};
    Result<std::string> note = SignNote(text, signers);
    ASSERT_TRUE(note.ok());
    NoteVerifierList list({*verifier});
    EXPECT_TRUE(OpenNote(*note, list).ok());
    std::string tampered = *note;
    tampered[tampered.find("\n7\n") + 1] = '8';
    EXPECT_EQ(OpenNote(tampered, list).status().code(), ErrorCode::kUnauthenticated);
  }
  // A key ID that does not match the key is refused.
  Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519);
  std::string skey = *NoteSignerKeyString("n", *key);
  skey[14] = skey[14] == '0' ? '1' : '0';
  EXPECT_FALSE(ParseNoteSigner(skey).ok());
}

TEST(NoteKeys, Es256IsNotANoteKey) {
  Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEs256);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(NewNoteSigner("n", *key).ok());
  EXPECT_FALSE(NoteVerifierKeyString("n", key->public_key()).ok());
}

TEST(NoteKeys, Sm2NotesAgreeWithAnIndependentOpenSslImplementation) {
  // Signed by plain OpenSSL (r || s), verified through crypto keys.
  testing::Sm2Key openssl_key("tongban.example/gm");
  const std::string vkey =
      FormatNoteVerifierKey(openssl_key.name(), NoteKeyType::kSm2, openssl_key.public_key());
  Result<std::shared_ptr<const NoteVerifier>> verifier = ParseNoteVerifier(vkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  const std::string text = *FormatCheckpoint({"tongban.example/gm", 1, {}, {}});
  NoteSigner* signers[] = {&openssl_key};
  EXPECT_TRUE(OpenNote(*SignNote(text, signers), NoteVerifierList({*verifier})).ok());

  // Signed through crypto keys, verified by plain OpenSSL.
  Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
  Result<std::unique_ptr<NoteSigner>> signer = NewNoteSigner("tongban.example/gm", *key);
  ASSERT_TRUE(signer.ok());
  Result<std::string> sig = (*signer)->Sign(text);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), kSm2SignatureSize);
  EXPECT_TRUE(testing::Sm2VerifyRaw(key->public_key().raw(), text, *sig));
}

}  // namespace
}  // namespace tongban::ledger
