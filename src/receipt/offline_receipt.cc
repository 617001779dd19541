// Offline receipt verification; see offline_receipt.h.
#include "receipt/offline_receipt.h"

#include <boost/json.hpp>

#include "core/base64.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/signature.h"
#include "ledger/note_keys.h"
#include "ledger/note_signer.h"
#include "ledger/offline_verify.h"
#include "receipt/issuer_keys.h"
#include "receipt/receipt_code.h"
#include "receipt/receipt_document.h"

namespace tongban::receipt {
namespace {

namespace json = boost::json;

const json::object* Object(const json::value* v) { return v != nullptr && v->is_object() ? &v->as_object() : nullptr; }

std::optional<std::string> String(const json::object* o, std::string_view field) {
  if (o == nullptr) return std::nullopt;
  auto it = o->find(field);
  if (it == o->end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

std::optional<std::string> Base64Field(const json::object* o, std::string_view field) {
  auto s = String(o, field);
  if (!s) return std::nullopt;
  auto bytes = Base64Decode(*s);
  if (!bytes.ok()) return std::nullopt;
  return std::move(*bytes);
}

// The "issuer: " line of a manifest (the USCC the batch was issued under).
std::optional<std::string> ManifestIssuer(const std::optional<std::string>& manifest) {
  constexpr std::string_view kHead = "tongban-receipt-batch/1\nissuer: ";
  if (!manifest || !manifest->starts_with(kHead)) return std::nullopt;
  const size_t end = manifest->find('\n', kHead.size());
  if (end == std::string::npos) return std::nullopt;
  return manifest->substr(kHead.size(), end - kHead.size());
}

std::optional<json::value> ParseJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v;
}

}  // namespace

bool OfflineReceiptReport::ok() const {
  if (checks.empty()) return false;
  for (const auto& c : checks) {
    if (!c.ok) return false;
  }
  return true;
}

OfflineReceiptReport VerifyReceiptOffline(const OfflineReceiptInput& in) {
  OfflineReceiptReport out;
  auto add = [&out](std::string name, bool ok, std::string detail) {
    out.checks.push_back(OfflineCheck{std::move(name), ok, std::move(detail)});
    return ok;
  };
  auto answer_value = ParseJson(in.answer);
  if (!answer_value) {
    add("answer", false, "the verify answer is not a JSON object");
    return out;
  }
  const json::object* answer = &answer_value->as_object();
  out.status = String(answer, "status").value_or("");
  const json::object* receipt = Object(answer->if_contains("receipt"));
  auto code = ReceiptCode::Parse(String(receipt, "code").value_or(""));
  auto number = ReceiptNumber::Parse(String(receipt, "number").value_or(""));
  if (!code.ok() || !number.ok()) {
    add("answer", false, "the answer names no receipt (status \"" + out.status + "\")");
    return out;
  }

  // 1. The ledger: checkpoint signature, inclusion proof, entry type.
  auto log_key = ledger::ParseNoteVerifierKey(in.log_key);
  auto log_verifier = ledger::ParseNoteVerifier(in.log_key);
  if (!log_key.ok() || !log_verifier.ok()) {
    add("ledger", false, "the log key is not a note verifier key");
    return out;
  }
  const crypto::HashAlgorithm hash = log_key->type == ledger::NoteKeyType::kSm2
                                         ? crypto::HashAlgorithm::kSm3
                                         : crypto::HashAlgorithm::kSha256;
  const json::object* proof = Object(answer->if_contains("ledger"));
  auto entry = Base64Field(proof, "entry");
  auto note = String(proof, "checkpoint");
  std::vector<std::string> hashes;
  bool hashes_ok = proof != nullptr && proof->contains("hashes") && proof->at("hashes").is_array();
  if (hashes_ok) {
    for (const auto& h : proof->at("hashes").as_array()) {
      auto bytes = h.is_string() ? Base64Decode(std::string_view(h.as_string()))
                                 : Result<std::string>(Status::InvalidArgument("hash"));
      if (!bytes.ok()) {
        hashes_ok = false;
        break;
      }
      hashes.push_back(std::move(*bytes));
    }
  }
  if (!entry || !note || !hashes_ok) {
    add("ledger", false, "the answer carries no well-formed ledger proof (entry, hashes, checkpoint)");
    return out;
  }
  auto verified = ledger::VerifyOffline(
      hash, log_key->name, *log_verifier,
      ledger::OfflineProof{.entry = *entry, .proof = hashes, .checkpoint_note = *note});
  if (!verified.ok()) {
    add("ledger", false, verified.status().message());
    return out;
  }
  if (verified->entry.type != "receipt.issue") {
    add("ledger", false, "the entry is a " + verified->entry.type + ", not a receipt.issue");
    return out;
  }
  add("ledger", true,
      "entry " + std::to_string(verified->entry.index.value) + " (receipt.issue) is in " +
          verified->checkpoint.origin + " at tree size " +
          std::to_string(verified->checkpoint.size) + ", checkpoint signed by " + log_key->name);
  const ledger::Hash& doc_hash = verified->entry.document;
  const std::string doc_hex = crypto::ToHex(doc_hash);

  // 2. The document.
  std::optional<DecodedDocument> decoded;
  if (auto doc = String(answer, "document")) {
    if (crypto::Hash(hash, *doc) != doc_hash) {
      add("document", false, "the document does not hash to the leaf's document hash");
    } else if (auto d = DecodeDocument(*doc); !d.ok()) {
      add("document", false, "the document is malformed: " + d.status().message());
    } else if (d->receipt.code != *code || d->receipt.number != *number) {
      add("document", false, "the document is another receipt's");
    } else {
      decoded = std::move(*d);
      add("document", true, "the document hashes to the leaf's document hash " + doc_hex);
    }
  } else if (out.status == "destroyed") {
    add("document", true, "destroyed: no document any more; the leaf's hash " + doc_hex + " is checked below");
  } else {
    add("document", false, "the answer carries no document");
  }

  // 3-5. The signed batch manifest and its two signatures.
  auto keys_value = ParseJson(in.keys);
  const json::object* keys = keys_value ? &keys_value->as_object() : nullptr;
  auto alg = crypto::ParseSignatureAlgorithm(String(keys, "algorithm").value_or(""));
  std::optional<crypto::PublicKey> finance_key;
  if (alg.ok()) {
    if (auto raw = Base64Field(keys, "finance")) {
      if (auto k = crypto::PublicKey::FromRaw(*alg, *raw); k.ok()) finance_key = *k;
    }
  }
  const json::object* batch = Object(answer->if_contains("batch"));
  auto manifest = String(batch, "manifest");
  const std::string line = ManifestLine(*code, *number, doc_hash);
  // The receipt's issuer: the document's (its hash is on the ledger); without a verified document
  // (destroyed, or the document check failed) the manifest's, which the signatures below cover.
  const std::optional<std::string> manifest_issuer = ManifestIssuer(manifest);
  const std::optional<std::string> issuer_uscc =
      decoded ? std::optional<std::string>(decoded->receipt.issuer_uscc) : manifest_issuer;
  if (!manifest) {
    add("manifest", false, "the answer carries no batch manifest (ask with ?manifest=1)");
  } else if (!manifest_issuer || manifest->find("\n" + line) == std::string::npos) {
    add("manifest", false, "the batch manifest does not list " + line.substr(0, line.size() - 1));
  } else if (issuer_uscc && *manifest_issuer != *issuer_uscc) {
    add("manifest", false, "the batch manifest is another issuer's (" + *manifest_issuer + ")");
  } else {
    add("manifest", true, "the batch manifest lists " + line.substr(0, line.size() - 1));
  }
  // The issuer key: the one of the receipt's issuer (USCC) with the batch's key id. A key
  // published under another issuer, or with an id that is not its own, is not taken.
  std::optional<crypto::PublicKey> issuer_key;
  std::string issuer_key_missing = "no valid issuer key in the keys file";
  const auto key_id = String(batch, "issuer_key_id");
  if (!key_id) {
    issuer_key_missing = "the answer names no issuer_key_id";
  } else if (!issuer_uscc) {
    issuer_key_missing = "the receipt's issuer is unknown (no verified document or manifest)";
  } else {
    issuer_key_missing = "the keys file has no key " + *key_id + " of issuer " + *issuer_uscc;
    const json::value* list = keys != nullptr ? keys->if_contains("issuers") : nullptr;
    if (list == nullptr && keys != nullptr && keys->contains("issuer")) {
      issuer_key_missing += " (it is in the old format with one \"issuer\" key: fetch "
                            "GET /api/v1/receipts/keys again)";
    }
    if (alg.ok() && list != nullptr && list->is_array()) {
      for (const json::value& v : list->as_array()) {
        const json::object* k = Object(&v);
        if (String(k, "uscc") != issuer_uscc || String(k, "key_id") != key_id) continue;
        auto raw = Base64Field(k, "key");
        auto parsed = raw ? crypto::PublicKey::FromRaw(*alg, *raw)
                          : Result<crypto::PublicKey>(Status::InvalidArgument("key"));
        if (parsed.ok() && IssuerKeyId(*parsed) == *key_id) {
          issuer_key = *parsed;
          break;
        }
      }
    }
  }
  auto check_signature = [&](std::string name, const std::optional<crypto::PublicKey>& key,
                             std::string_view field, const std::string& missing) {
    auto sig = Base64Field(batch, field);
    if (!key) return add(name, false, missing);
    if (!sig) return add(name, false, "the answer carries no " + std::string(field));
    if (!manifest || !key->Verify(*manifest, *sig)) {
      return add(name, false, "the " + name + " signature over the manifest does not verify");
    }
    return add(name, true, "the " + name + " key" + (name == "issuer" ? " " + *key_id : "") +
                               " signed the manifest (" +
                               std::string(crypto::SignatureAlgorithmName(*alg)) + ")");
  };
  check_signature("issuer", issuer_key, "issuer_signature", issuer_key_missing);
  check_signature("finance", finance_key, "finance_signature", "no valid finance key in the keys file");

  // 6. The QR text.
  if (in.qr) {
    auto q = ParseQrText(*in.qr);
    if (!q.ok()) {
      add("qr", false, "not a receipt QR text: " + q.status().message());
    } else {
      if (!finance_key || !finance_key->VerifyRaw(q->payload, q->signature)) {
        add("qr", false, "the QR text's signature is not the finance key's");
      } else if (q->code != *code || q->number != *number ||
                 (decoded && (q->check != decoded->receipt.check ||
                              q->total_fen != decoded->receipt.total_fen))) {
        add("qr", false, "the QR text is signed but names another receipt or total");
      } else {
        add("qr", true, "the finance key signed the QR text (code, number, check, total " +
                            std::to_string(q->total_fen) + " fen, date " + q->date + ")");
      }
    }
  }
  return out;
}

}  // namespace tongban::receipt
