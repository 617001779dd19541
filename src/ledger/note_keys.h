// Note signers and verifiers over the crypto part's keys (crypto/key.h): Ed25519 for `intl` logs
// and witnesses, SM2 (the 0xFF "tongban-sm2-sm3" note type, see note_signer.h) for `gm` logs.
// The returned objects are immutable; Verify is safe from several threads, and so is Sign
// (crypto::PrivateKey::Sign is const and thread-safe). They own copies of the keys.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/key.h"
#include "ledger/note_signer.h"

namespace tongban::ledger {

// kInvalidArgument for an ES256 key (not a note signature type we support) or an invalid name.
Result<std::unique_ptr<NoteSigner>> NewNoteSigner(std::string name, crypto::PrivateKey key);
Result<std::shared_ptr<const NoteVerifier>> NewNoteVerifier(std::string name,
                                                            crypto::PublicKey key);

// From key strings ("PRIVATE+KEY+<name>+<id>+<base64>" / "<name>+<id>+<base64>"). The signer's
// written key ID must match the key derived from it.
Result<std::unique_ptr<NoteSigner>> ParseNoteSigner(std::string_view signer_key);
Result<std::shared_ptr<const NoteVerifier>> ParseNoteVerifier(std::string_view verifier_key);

// The key strings for a key under `name`. kInvalidArgument as NewNoteSigner.
Result<std::string> NoteVerifierKeyString(std::string_view name, const crypto::PublicKey& key);
Result<std::string> NoteSignerKeyString(std::string_view name, const crypto::PrivateKey& key);

}  // namespace tongban::ledger
