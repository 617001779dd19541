// The e-receipt model (财政电子票据, medical charges): what an issuer submits (NewReceipt), what is
// stored and served (Receipt), claims against it (Claim) and its status; the issuer and its number
// ranges (Issuer, NumberRange) and the operator figures (ReceiptStats). Amounts are integer fen.
// Personal data: the payer's ID number is never stored — only its keyed hash (the ledger's
// subject hash), by which the payer's wallet finds the receipt — and the payer's name is stored
// for the payer's own views and printed masked (张*) everywhere public.
// Value types; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "receipt/receipt_code.h"

namespace tongban::receipt {

// Payment channels (支付渠道).
inline constexpr std::array<std::string_view, 6> kPaymentChannels = {
    "cash", "bank_card", "wechat", "alipay", "medical_insurance", "other"};

struct ReceiptItem {
  std::string category;  // 项目类别, e.g. 西药费, 检查费, 诊疗费 (1..32 bytes, no '|' or controls)
  std::string name;      // 项目名称 (1..128 bytes, no '|' or controls)
  int64_t quantity = 0;  // whole units, >= 1
  int64_t unit_fen = 0;  // >= 1
  int64_t amount_fen = 0;  // == quantity * unit_fen
};

// What an issuing system submits. Validated by ReceiptService::Issue (field names in errors are
// JSON pointers relative to the receipt object, e.g. "/items/0/amount_fen").
struct NewReceipt {
  std::optional<std::string> code;     // 票据代码 of one of the issuer's ranges; default: the first
                                       // range with numbers left for `kind`
  std::optional<int64_t> number;       // if given, must be the range's next number (no gaps)
  ReceiptKind kind = ReceiptKind::kOutpatient;
  std::string payer_id_number;         // citizen ID number (GB 11643), validated
  std::string payer_name;              // 1..64 bytes
  std::vector<ReceiptItem> items;      // 1..200
  int64_t total_fen = 0;               // == sum of item amounts, >= 1
  int64_t insurance_fen = 0;           // 医保统筹支付, >= 0
  int64_t self_fen = 0;                // 个人支付, >= 0; insurance + self == total
  std::string channel;                 // one of kPaymentChannels
};

enum class ReceiptStatus { kIssued, kVoided, kDestroyed };

struct Claim {
  int64_t id = 0;
  std::string claimant;       // the claiming organisation's name, e.g. 杭州市医疗保障局
  int64_t claimant_account = 0;
  int64_t amount_fen = 0;
  int64_t time_micros = 0;
  std::optional<int64_t> reversed_micros;
  std::string reference;      // the claimant's own reference (case number), may be empty
};

// A stored receipt.
struct Receipt {
  int64_t id = 0;
  ReceiptCode code = ReceiptCode::Parse("33040126").value();
  ReceiptNumber number = ReceiptNumber::FromInt(1).value();
  CheckCode check = CheckCode::Parse("000000").value();
  ReceiptKind kind = ReceiptKind::kOutpatient;
  int64_t issue_micros = 0;            // whole seconds
  int64_t issuer_id = 0;
  int64_t issuer_account = 0;
  std::string issuer_uscc;
  std::string issuer_name;
  std::string issuer_region;
  std::array<uint8_t, 32> payer_subject{};  // keyed hash of the payer's ID number
  std::string payer_name;              // empty once destroyed
  std::vector<ReceiptItem> items;      // empty once destroyed
  int64_t total_fen = 0;
  int64_t insurance_fen = 0;
  int64_t self_fen = 0;
  std::string channel;
  ReceiptStatus status = ReceiptStatus::kIssued;
  int64_t claimed_fen = 0;             // sum of standing (unreversed) claims
  std::vector<Claim> claims;           // every claim, reversed ones too, oldest first
  std::optional<std::string> document; // canonical document (receipt_document.h); nullopt once destroyed
  std::array<uint8_t, 32> document_hash{};
  std::string issuer_signature;        // over the batch manifest (the suite's wire form)
  std::string finance_signature;       // over the batch manifest
  int64_t batch_id = 0;                // the signing batch (receipt_service.h)
  std::string issuer_key_id;           // the issuer key that signed the batch (issuer_keys.h)
  std::string qr_signature;            // finance signature of the QR payload, raw; "" until made
  uint64_t ledger_hint = 0;            // a tree size at or below the receipt.issue leaf
  std::optional<uint64_t> leaf_index;  // the receipt.issue leaf, once resolved
  std::optional<std::string> void_reason;
  std::optional<int64_t> void_micros;
  std::optional<std::string> replacement;  // "code/number" of the receipt that replaces this one
  std::optional<std::string> replaces;     // "code/number" of the receipt this one replaces
  std::optional<int64_t> destroyed_micros;
};

// A hospital (or other unit) registered to issue receipts, bound to one account.
struct Issuer {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string uscc;
  std::string name;
  std::string region_code;
};

// Numbers first..last of one receipt code (号段) assigned to an issuer.
struct NumberRange {
  int64_t id = 0;
  int64_t issuer_id = 0;
  std::string code;
  int64_t first = 0;
  int64_t last = 0;
  int64_t next = 0;  // the next number to issue; last + 1 when exhausted
};

// Operator figures (ReceiptService::Stats).
struct ReceiptStats {
  int64_t issued = 0;      // every receipt ever issued (voided and destroyed included)
  int64_t voided = 0;
  int64_t destroyed = 0;
  int64_t claims = 0;      // standing claims
  int64_t reversals = 0;
  int64_t claimed_fen = 0;
  int64_t issued_fen = 0;
  int64_t paper_saved_grams = 0;  // issued * kPaperGramsPerReceipt (receipt_service.h)
  struct Day {
    int64_t issuer_id = 0;
    std::string issuer_name;
    std::string day;  // YYYY-MM-DD, China
    int64_t count = 0;
    int64_t total_fen = 0;
  };
  std::vector<Day> per_issuer_day;  // newest day first
};

}  // namespace tongban::receipt
