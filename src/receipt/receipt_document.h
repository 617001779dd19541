// The canonical document of a receipt: the exact bytes that are signed by the issuer and the
// finance department and whose suite hash is the `document` of the receipt's ledger leaf. Served
// by public verification so that anyone can recompute the hash. It holds no plaintext personal
// data: the payer appears as keyed hashes (HMAC with the deployment's subject secret).
//
// Grammar (UTF-8, LF line ends, fields in exactly this order, nothing optional but `replaces`):
//
//   document   = "tongban-receipt/1" LF
//                "code: " code LF "number: " number LF "check: " check LF   ; receipt_code.h
//                "kind: " ("outpatient" / "inpatient") LF
//                "issue_time: " YYYY "-" MM "-" DD "T" hh ":" mm ":" ss "Z" LF   ; UTC
//                "issuer: " uscc LF "issuer_name: " text LF "issuer_region: " 6DIGIT LF
//                "payer: " 64HEXDIG LF        ; HMAC(secret, payer ID number) = leaf subject
//                "payer_name: " 64HEXDIG LF   ; HMAC(secret, "name:" payer name)
//                1*200("item: " text "|" text "|" int "|" int "|" int LF)
//                                             ; category|name|quantity|unit_fen|amount_fen
//                "total_fen: " int LF "insurance_fen: " int LF "self_fen: " int LF
//                "channel: " channel LF
//                ["replaces: " code "/" number LF]
//   int        = "0" / %x31-39 *18DIGIT
//   text       = 1*(UTF-8 except CR, LF, "|" and other controls)
//
// DecodeDocument accepts exactly what EncodeDocument writes (it is applied to stored data, which
// may have been tampered with, and to documents a client sends back).
//
// QR text (what the receipt's QR code carries; scanned by phones and by the verify page):
//
//   qr-text    = "TBR1." code "." number "." check "." total-fen "." date "." signature
//   date       = 8DIGIT                       ; issue date in China (UTC+8), YYYYMMDD
//   signature  = base64url (unpadded) of the finance department's signature over every
//                character before "." signature, in raw r||s form (64 bytes, 86 characters)
//
// The signature is the "signed compact form for offline checking": a verifier holding the finance
// department's public key can check code, number, check code, total and date without a network.
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "receipt/receipt.h"

namespace tongban::receipt {

// The document of `r` (code, number, check, kind, issue_micros, issuer_*, payer_subject, items,
// totals, channel, replaces), with the payer's name given as its keyed hash.
std::string EncodeDocument(const Receipt& r, const std::array<uint8_t, 32>& payer_name_mac);

struct DecodedDocument {
  Receipt receipt;  // the fields listed for EncodeDocument (payer_name empty)
  std::array<uint8_t, 32> payer_name_mac{};
};
// kDataLoss when `text` is not a well-formed document (the message says which line).
Result<DecodedDocument> DecodeDocument(std::string_view text);

// The signed part of a receipt's QR text: "TBR1.<code>.<number>.<check>.<total>.<date>".
std::string QrPayload(const Receipt& r);

struct QrFields {
  ReceiptCode code;
  ReceiptNumber number;
  CheckCode check;
  int64_t total_fen = 0;
  std::string date;       // YYYYMMDD
  std::string payload;    // the signed part
  std::string signature;  // raw r||s (64 bytes)
};
// kInvalidArgument (field "qr") for anything that is not qr-text.
Result<QrFields> ParseQrText(std::string_view text);

// A receipt's line in its signed batch manifest: "<code>/<number> <hex document hash>\n"
// (docs/receipt.md). Written by the issuer, looked for by the online and offline checks.
std::string ManifestLine(const ReceiptCode& code, const ReceiptNumber& number,
                         const std::array<uint8_t, 32>& document_hash);

}  // namespace tongban::receipt
