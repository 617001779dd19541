// ReceiptRepo: the receipt part's SQL over store::Database — its schema and migrations, issuers
// and their number ranges, signed batches, receipts and their row mapping, the payers' wallet
// index and its queue, claims and reversals, voids, QR signatures, ledger leaf indices, operator
// figures, destruction records and the issuer key registry (receipt_issuer_key, issuer_keys.h).
// Every statement of the part is here; what to write and when
// (numbers, signatures, refusals, ledger entries) is decided by ReceiptService (receipt_service.h)
// and its helpers. Functions take the caller's Tx, so that a receipt's rows, a claim or a void
// commit in the same transaction as its ledger entry (ledger/log_storage.h EnqueueEntry).
//
// Tables: see receipt_service.h and docs/receipt.md. Statements keep to the subset SQLite and
// PostgreSQL share; sums are CAST to BIGINT so both drivers return integers.
//
// Stateless (static functions; owns nothing); thread-safe (each Tx belongs to its caller's thread).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "receipt/issuer_keys.h"
#include "receipt/number_lanes.h"
#include "receipt/receipt.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::receipt {

class ReceiptRepo {
 public:
  // The part's schema, versions 1 (tables), 2 (the issuer key registry, issuer_keys.h) and 3 (the
  // wallet index), in order.
  static std::vector<store::Migration> Migrations();

  // The issue_day column's value for a time: its China date (UTC+8), YYYY-MM-DD.
  static std::string DayOf(int64_t micros);

  // --- issuers and number ranges ---
  // Returns the new issuer's id. kAlreadyExists (from the driver) for an account or USCC already
  // registered.
  static Result<int64_t> InsertIssuer(store::Tx& tx, int64_t account_id, std::string_view uscc,
                                      std::string_view name, std::string_view region_code);
  static Result<bool> IssuerExists(store::Tx& tx, int64_t issuer_id);
  static Result<std::optional<Issuer>> IssuerByAccount(store::Tx& tx, int64_t account_id);
  // Whether a range of `code` (any issuer's) holds any number of first..last.
  static Result<bool> RangeOverlaps(store::Tx& tx, std::string_view code, int64_t first,
                                    int64_t last);
  // Returns the new range's id; its next number is `first`.
  static Result<int64_t> InsertRange(store::Tx& tx, int64_t issuer_id, std::string_view code,
                                     int64_t first, int64_t last);
  // The issuer's ranges, oldest first.
  static Result<std::vector<NumberRange>> RangesOf(store::Tx& tx, int64_t issuer_id);
  // The same, as issuance sees them (number_lanes.h).
  static Result<std::vector<RangeCursor>> RangeCursorsOf(store::Tx& tx, int64_t issuer_id);
  // Whether any issuer holds a range of `code`.
  static Result<bool> CodeTaken(store::Tx& tx, const std::string& code);
  // Moves a range's next number from `from` to `to`, only if it is still `from` (-1 matches no
  // range: a range the caller did not know before). Returns rows changed (0 or 1).
  static Result<int64_t> AdvanceRange(store::Tx& tx, int64_t range_id, int64_t from, int64_t to);

  // --- batches and receipts ---
  // Returns the new batch's id.
  static Result<int64_t> InsertBatch(store::Tx& tx, int64_t issuer_id, std::string_view manifest,
                                     const IssuerSignature& issuer_sig,
                                     std::string_view finance_sig, int64_t time_micros);
  // The highest receipt id so far (0 when there is none).
  static Result<int64_t> MaxReceiptId(store::Tx& tx);
  // Inserts a batch's receipts (status issued, nothing claimed), issued at `now` under `batch_id`.
  // kConflict when one of their numbers is already taken, if the driver reports it when the batch
  // is finished; an error reported while adding rows is returned as the driver gave it.
  static Status InsertReceipts(store::Tx& tx, int64_t issuer_id, int64_t batch_id, int64_t now,
                               uint64_t ledger_hint, std::span<const Receipt> receipts);
  // Queues the batch's receipts (those with id > after_id) for the wallet index. Returns rows
  // queued.
  static Result<int64_t> QueueForWallet(store::Tx& tx, int64_t after_id, int64_t batch_id);
  // The receipt in full (items decoded from its document), without its claims; nullopt if none.
  static Result<std::optional<Receipt>> FindReceipt(store::Tx& tx, const ReceiptCode& code,
                                                    const ReceiptNumber& number);
  // Every claim of the receipt, reversed ones too, oldest first.
  static Result<std::vector<Claim>> ClaimsOf(store::Tx& tx, int64_t receipt_id);
  // The payer's receipts with id < before_id, newest first, at most `limit` of them, as summaries
  // (items not decoded); `more` when further ones exist. Reads the wallet index and its queue.
  struct PayerReceipts {
    std::vector<Receipt> items;
    bool more = false;
  };
  static Result<PayerReceipts> ReceiptsOfPayer(store::Tx& tx,
                                               const std::array<uint8_t, 32>& payer_subject,
                                               int64_t before_id, int limit);

  // --- the wallet index (WalletIndexer) ---
  struct WalletQueueRow {
    int64_t id = 0;
    int64_t payer_key = 0;
    int64_t receipt_id = 0;
  };
  static Result<bool> AnyQueuedForWallet(store::Tx& tx);
  // The oldest queued rows, at most `limit`, in queue order.
  static Result<std::vector<WalletQueueRow>> QueuedForWallet(store::Tx& tx, int64_t limit);
  // Inserts (payer_key, receipt_id) pairs into the wallet index, in the given order.
  static Status InsertWalletKeys(store::Tx& tx, std::span<const std::pair<int64_t, int64_t>> keys);
  // Deletes queued rows first_id..last_id. Returns rows deleted.
  static Result<int64_t> DeleteQueuedForWallet(store::Tx& tx, int64_t first_id, int64_t last_id);

  // --- claims and reversals ---
  // What a claim needs to know of its receipt.
  struct ClaimTarget {
    int64_t receipt_id = 0;
    bool issued = false;  // status is 'issued' (not voided)
    bool destroyed = false;
    int64_t total_fen = 0;
    int64_t claimed_fen = 0;
    std::array<uint8_t, 32> payer_subject{};
  };
  static Result<std::optional<ClaimTarget>> ClaimTargetOf(store::Tx& tx, const ReceiptCode& code,
                                                          const ReceiptNumber& number);
  // Adds `amount_fen` to the receipt's claimed amount only if it is issued, not destroyed, and
  // the amount fits. Returns rows changed (0: it does not fit, or the receipt changed).
  static Result<int64_t> AddClaimedFen(store::Tx& tx, int64_t receipt_id, int64_t amount_fen);
  // Returns the new claim's id.
  static Result<int64_t> InsertClaim(store::Tx& tx, int64_t receipt_id, const Claim& claim,
                                     std::string_view document);
  // A claim of the receipt code/number, with the receipt's id and payer; nullopt if none.
  struct ClaimOfReceipt {
    Claim claim;
    int64_t receipt_id = 0;
    std::array<uint8_t, 32> payer_subject{};
  };
  static Result<std::optional<ClaimOfReceipt>> FindClaim(store::Tx& tx, int64_t claim_id,
                                                         const ReceiptCode& code,
                                                         const ReceiptNumber& number);
  // Marks the claim reversed at `now` unless it already is. Returns rows changed.
  static Result<int64_t> MarkClaimReversed(store::Tx& tx, int64_t claim_id, int64_t now);
  static Status SubtractClaimedFen(store::Tx& tx, int64_t receipt_id, int64_t amount_fen);

  // --- void ---
  // Marks the receipt voided only if it is issued with nothing claimed. Returns rows changed.
  static Result<int64_t> MarkVoided(store::Tx& tx, int64_t receipt_id, std::string_view reason,
                                    int64_t now, const std::optional<std::string>& replacement);

  // --- verification ---
  // A receipt of a batch whose ledger leaf is not resolved yet. `malformed`: its stored hashes
  // are not 32 bytes (subject and document are then zero).
  struct UnresolvedLeaf {
    int64_t receipt_id = 0;
    std::array<uint8_t, 32> payer_subject{};
    std::array<uint8_t, 32> document_hash{};
    int64_t issue_micros = 0;
    bool malformed = false;
  };
  static Result<std::vector<UnresolvedLeaf>> UnresolvedLeavesOf(store::Tx& tx, int64_t batch_id);
  // Remembers the receipt's leaf index unless one is already stored.
  static Status SetLeafIndex(store::Tx& tx, int64_t receipt_id, uint64_t leaf_index);
  // The batch's manifest ("" when there is no such batch) and the raw public key of the issuer
  // key the batch names, among its own issuer's keys (nullopt when none matches).
  struct BatchManifest {
    std::string manifest;
    std::optional<std::string> issuer_public_raw;
  };
  static Result<BatchManifest> BatchManifestOf(store::Tx& tx, int64_t batch_id);
  // Stores the receipt's QR signature unless it already has one.
  static Status SetQrSignature(store::Tx& tx, int64_t receipt_id, std::string_view raw);
  // The receipt's stored QR signature ("" when none); nullopt when there is no such receipt.
  static Result<std::optional<std::string>> QrSignature(store::Tx& tx, int64_t receipt_id);

  // --- operator figures ---
  // Every figure but paper_saved_grams; per_issuer_day from `since_day` (YYYY-MM-DD) on.
  static Result<ReceiptStats> Stats(store::Tx& tx, std::string_view since_day);

  // --- destruction (核销) ---
  // Receipts issued on days since_day..before_day (exclusive) not yet destroyed.
  static Result<int64_t> CountUndestroyed(store::Tx& tx, std::string_view since_day,
                                          std::string_view before_day);
  struct DestructionCandidate {
    int64_t receipt_id = 0;
    std::string code;
    int64_t number = 0;
    std::vector<uint8_t> document_hash;  // as stored
  };
  // The next chunk (at most 1,000) of receipts issued before `cutoff_day` and not destroyed,
  // oldest first.
  static Result<std::vector<DestructionCandidate>> DueForDestruction(store::Tx& tx,
                                                                     std::string_view cutoff_day);
  // Deletes the receipt's document and payer name, keeping code, number, hashes and leaf, unless
  // it is already destroyed. Returns rows changed.
  static Result<int64_t> MarkDestroyed(store::Tx& tx, int64_t receipt_id, int64_t now);
  static Status InsertDestruction(store::Tx& tx, int64_t now, std::string_view before_day,
                                  int64_t count, std::string_view list);

  // --- the issuer key registry (issuer_keys.h, custody_issuer_keys.h) ---
  // The USCC and name of an issuer; nullopt if there is no such issuer.
  struct IssuerName {
    std::string uscc;
    std::string name;
  };
  static Result<std::optional<IssuerName>> IssuerNameOf(store::Tx& tx, int64_t issuer_id);
  // The id of the issuer's current key; nullopt when it has none.
  static Result<std::optional<std::string>> CurrentIssuerKeyId(store::Tx& tx, int64_t issuer_id);
  // Inserts a key the platform holds (its private key sealed) as the issuer's current key.
  // REQUIRES: the issuer has no current key (a partial unique index refuses a second).
  static Status InsertCurrentIssuerKey(store::Tx& tx, int64_t issuer_id, std::string_view key_id,
                                       std::string_view public_raw, std::string_view sealed,
                                       int64_t now);
  // Inserts a key held elsewhere (no private key), retired at `now`.
  static Status InsertRetiredIssuerKey(store::Tx& tx, int64_t issuer_id, std::string_view key_id,
                                       std::string_view public_raw, int64_t now);
  // One key of the issuer: its raw public key and, when the platform holds it, its sealed
  // private key. nullopt if the issuer has no key of this id.
  struct StoredIssuerKey {
    std::string public_raw;
    std::optional<std::string> private_sealed;
  };
  static Result<std::optional<StoredIssuerKey>> IssuerKey(store::Tx& tx, int64_t issuer_id,
                                                          std::string_view key_id);
  static Result<bool> IssuerHasKey(store::Tx& tx, int64_t issuer_id, std::string_view key_id);
  // Retires the issuer's current key (if any) at `now`.
  static Status RetireCurrentIssuerKey(store::Tx& tx, int64_t issuer_id, int64_t now);
  // Every key of every issuer, by issuer id then age.
  static Result<std::vector<IssuerKeyInfo>> IssuerPublicKeys(store::Tx& tx);
  // Issuers with batches that name no key (signed before per-issuer keys), by id.
  static Result<std::vector<int64_t>> IssuersWithUnkeyedBatches(store::Tx& tx);
  // Marks every batch that names no key as signed by `key_id`.
  static Status SetKeyOfUnkeyedBatches(store::Tx& tx, std::string_view key_id);
  // Issuers without a current key, by id.
  static Result<std::vector<int64_t>> IssuersWithoutCurrentKey(store::Tx& tx);
};

}  // namespace tongban::receipt
