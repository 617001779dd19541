// ReceiptService: the life of a medical e-receipt over store::Database — issuers and their number
// ranges (号段), issue (single or batch), lookup, the payer's wallet, claims exactly once and their
// reversals, void (红冲) with an optional replacement, integrity checks for public verification,
// operator figures, and destruction after retention (核销). Every state change is ONE transaction
// that also enqueues its ledger entry (ledger/log_storage.h EnqueueEntry), so a receipt, claim or
// void exists exactly when its ledger entry is queued.
//
// Tables (owned by the receipt part; every statement on them is in receipt_repo.{h,cc}; see
// docs/receipt.md):
//   receipt_issuer  (id, account_id UNIQUE, uscc, name, region_code)
//   receipt_range   (id, issuer_id, code, first_number, last_number, next_number)
//   receipt_batch   (id, issuer_id, manifest, issuer_sig, finance_sig, time_micros, issuer_key_id)
//   receipt_issuer_key (id, issuer_id, key_id, public_key, private_sealed, is_current, ...):
//                    the issuers' keys, receipt/issuer_keys.h
//   receipt         (id, code, number, check_code, batch_id, payer_subject, payer_key, ...,
//                    document, document_hash, status, claimed_fen, leaf_index, ledger_hint, ...;
//                    UNIQUE (code, number))
//   receipt_wallet  (payer_key, receipt_id) PRIMARY KEY: the wallet's index, kept by IndexWallet
//                    (receipt/wallet_indexer.h)
//   receipt_wallet_queue (id, payer_key, receipt_id): receipts not yet in receipt_wallet
//   receipt_claim   (id, receipt_id, claimant_account, claimant, amount_fen, ..., reversed_micros)
//   receipt_destruction (id, time_micros, before_day, count, list)
//
// Signatures, once per batch (the ledger's "sign once per batch, hash per entry"): an Issue call
// is one signing batch; its manifest lists "<code>/<number> <document hash>" for every receipt
// and is signed by the issuer's own current key (receipt/issuer_keys.h; the batch records its key
// id) and by the supervising finance department's key. SM2 signs
// about 2,500 times a second on one core here, so per-receipt signatures would cap issuance near
// 1,000 receipts/s; per batch, a 1,000-receipt batch costs two signatures.
//
// Exactly once: a claim is `UPDATE receipt SET claimed_fen = claimed_fen + :a WHERE ... AND
// claimed_fen + :a <= total_fen AND status = 'issued'` plus its claim row and ledger entry, in one
// serializable transaction; of concurrent claims of the full amount exactly one changes a row.
//
// Group commit of claims: concurrent AddClaim calls queue up; the caller at the head of the queue
// (the leader) takes up to `claim_group_max` queued claims and runs them, in queue order, in ONE
// write transaction (one commit, one fsync on SQLite), then hands each waiter its own result. A
// claim that does not fit (409), names an unknown receipt (404) or a voided one is answered alone
// without failing its group mates; later claims of the group see earlier ones' effect. If a
// statement fails the transaction (not retryable), the group's claims are run again one by one;
// if COMMIT itself fails, every claim of the group gets that error (none was acknowledged). A
// claim is reported created only after COMMIT returned OK. See docs/receipt.md.
//
// Files, split as leveldb splits what decides (db_impl) from what stores (version_set): every SQL
// statement, the row mapping and the migrations are in receipt_repo.{h,cc} (ReceiptRepo). The
// decisions are member functions of this one class, defined in one file per concern:
//   receipt_service.cc  construction, issuers and ranges, reads, the wallet page, figures
//   issuance.cc         validate, number (NumberLanes), prepare and write a batch; void
//   claims.cc           claims with group commit; reversals
//   integrity.cc        leaf resolution, verified manifests, integrity checks, the QR text
//   retention.cc        destruction after retention
// rather than small classes of their own, because the concerns share the service's state
// (options, number lanes, the claim queue, the verified caches) and each other's steps (a void
// validates and issues its replacement inside its own transaction; every concern makes ledger
// entries the same way): as classes, each would hold the others by reference and this interface
// would only forward. The wallet indexer is a class of its own (wallet_indexer.h): a background
// worker with its own thread and lifecycle that shares nothing but the database.
//
// Thread-safety: thread-safe (state is in the database; the verified-batch cache and the claim
// queue have mutexes).
// Ownership: does not own `db` or the clock, which must outlive it. Owns its WalletIndexer (and so
// the indexer thread, stopped and joined on destruction).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "receipt/issuer_keys.h"
#include "receipt/number_lanes.h"
#include "receipt/receipt.h"
#include "receipt/wallet_indexer.h"
#include "store/database.h"
#include "store/group_commit.h"
#include "store/migration.h"

namespace tongban::ledger {
struct Entry;
}  // namespace tongban::ledger

namespace tongban::receipt {

// Grams of paper one printed receipt would have used: a 241 x 140 mm three-part continuous form
// (stub, payer copy, accounting copy) of 60 g/m² paper ≈ 6.1 g. Documented in docs/receipt.md.
inline constexpr int64_t kPaperGramsPerReceipt = 6;

struct ReceiptServiceOptions {
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;
  // Each issuer's own signing keys (receipt/issuer_keys.h; the platform's custody today), of the
  // suite's signature algorithm. Required; shared with whoever else needs it.
  std::shared_ptr<IssuerKeys> issuer_keys;
  // Signs batch manifests (and QR texts) as the supervising finance department. Required
  // (optional only because a PrivateKey has no empty state).
  std::optional<crypto::PrivateKey> finance_key;
  // Keyed hash of a subject ID (cli::App::SubjectHash): the ledger subject of a payer.
  std::function<std::array<uint8_t, 32>(std::string_view)> subject_hash;
  int retention_years = 30;
  // Most claims one group-commit transaction carries (>= 1; 1 turns grouping off).
  int claim_group_max = 128;
  const Clock* clock = nullptr;  // not owned; required
  // Tell each payer in their inbox (notify "receipt.issued", in the issuing transaction; the
  // database then needs notify::Migrations()). The receipt part sets it.
  bool notify_payers = false;
};

// One claim asked for (ReceiptService::AddClaims).
struct ClaimRequest {
  ReceiptCode code = ReceiptCode::Parse("33040126").value();
  ReceiptNumber number = ReceiptNumber::FromInt(1).value();
  int64_t claimant_account = 0;
  std::string claimant;
  int64_t amount_fen = 0;
  std::string reference;
};

// Verification of one receipt against its stored document, batch signatures and ledger leaf.
struct Integrity {
  bool intact = false;
  std::string problem;               // why not, for the client ("" when intact)
  std::optional<uint64_t> leaf_index;
};

class ReceiptService {
 public:
  static std::vector<store::Migration> Migrations();

  // REQUIRES: options.clock, options.subject_hash, issuer_keys and finance_key are set.
  ReceiptService(store::Database& db, ReceiptServiceOptions options);
  ~ReceiptService();

  // --- issuers and number ranges (the finance department's business) ---
  // Registers the issuer and gives it its first signing key (IssuerKeys::EnsureKey), in one
  // transaction. kAlreadyExists if the account is already an issuer; kInvalidArgument for a bad
  // USCC/region.
  Result<Issuer> RegisterIssuer(int64_t account_id, std::string_view uscc, std::string_view name,
                                std::string_view region_code);
  // Assigns numbers first..last of `code` to the issuer. kConflict if they overlap a range of the
  // same code (any issuer's): numbers are never reused. kNotFound for an unknown issuer.
  Result<NumberRange> AssignRange(int64_t issuer_id, std::string_view code, int64_t first,
                                  int64_t last);
  // The issuer registered for an account; kNotFound if none ("unknown issuer").
  Result<Issuer> IssuerForAccount(int64_t account_id);
  Result<std::vector<NumberRange>> Ranges(int64_t issuer_id);

  // Checks one receipt's fields (no storage). Field names are JSON pointers under `prefix`
  // ("" for a single receipt, "/receipts/3" in a batch).
  Status Validate(const NewReceipt& in, std::string_view prefix) const;

  // Issues `receipts` (1..1000) for the issuer of `issuer_account`, all or none, in one
  // transaction with one signed batch and one ledger entry each. `ledger_hint` is a tree size
  // read before the call (Sequencer::size()): the receipts' leaves are at or above it.
  // Errors: field errors (400/422) naming "<prefix>/..."; kPermissionDenied for an unknown issuer
  // or another issuer's code; kConflict when a range has too few numbers left or a given number
  // was already used; kUnprocessable when a given number would leave a gap.
  Result<std::vector<Receipt>> Issue(int64_t issuer_account, std::span<const NewReceipt> receipts,
                                     bool batch, uint64_t ledger_hint);

  // The receipt with its claims. kNotFound if none.
  Result<Receipt> Get(const ReceiptCode& code, const ReceiptNumber& number);

  // The payer's receipts, newest first, after `cursor` (an opaque id from the previous page);
  // summaries: `items` of each receipt is left empty (Get reads one in full).
  struct Page {
    std::vector<Receipt> items;
    std::optional<int64_t> next_cursor;
  };
  Result<Page> ListForPayer(const std::array<uint8_t, 32>& payer_subject,
                            std::optional<int64_t> cursor, int limit);

  // The wallet's index by payer is kept off the issue path by the service's WalletIndexer
  // (receipt/wallet_indexer.h says why and how): an issue transaction appends one narrow row per
  // receipt to receipt_wallet_queue, and IndexWallet moves up to `max_rows` queued rows, sorted
  // by payer, into receipt_wallet in one transaction. ListForPayer reads both tables in one
  // snapshot, so a receipt is in the wallet from its commit on. Returns the number of rows moved.
  Result<size_t> IndexWallet(size_t max_rows);
  // Runs IndexWallet every `interval` (and at once again while it finds a full batch) on a
  // background thread until StopWalletIndexer() or destruction.
  void StartWalletIndexer(std::chrono::milliseconds interval);
  void StopWalletIndexer();

  // Claims `amount_fen` (>= 1) of a receipt for the claimant. kConflict naming the standing
  // claims when more than is left is asked for; kFailedPrecondition for a voided or destroyed
  // receipt; kNotFound for an unknown receipt.
  // Concurrent calls share transactions (group commit, above); the result is acknowledged only
  // after its transaction committed.
  Result<Claim> AddClaim(const ReceiptCode& code, const ReceiptNumber& number,
                         int64_t claimant_account, std::string_view claimant,
                         int64_t amount_fen, std::string_view reference);
  // Runs `requests` as one group, in order, in one transaction (what concurrent AddClaim callers
  // share; also for bulk callers and tests): one result per request, each as AddClaim would
  // answer it. Does not wait for the claim queue.
  std::vector<Result<Claim>> AddClaims(std::span<const ClaimRequest> requests);
  // Reverses the claimant's own standing claim. kNotFound if there is no such claim of this
  // receipt or it is another claimant's (the same answer); kFailedPrecondition if already reversed.
  Result<Claim> ReverseClaim(const ReceiptCode& code, const ReceiptNumber& number, int64_t claim_id,
                             int64_t claimant_account);

  // Voids (红冲) the issuer's receipt with a reason, optionally issuing `replacement` (linked both
  // ways) in the same transaction. kFailedPrecondition while a claim stands or if already voided;
  // kNotFound for an unknown receipt and for another issuer's (the same answer, so numbers of
  // other issuers cannot be probed); kPermissionDenied for an account that is no issuer.
  struct VoidResult {
    Receipt voided;
    std::optional<Receipt> replacement;
  };
  Result<VoidResult> Void(const ReceiptCode& code, const ReceiptNumber& number,
                          int64_t issuer_account, std::string_view reason,
                          const std::optional<NewReceipt>& replacement, uint64_t ledger_hint);

  // Finds (and remembers) the index of the receipt's receipt.issue leaf by scanning the ledger
  // from its hint. kUnavailable when no integrated leaf matches (not integrated yet — or the
  // stored receipt no longer matches its leaf: callers decide with the queue depth).
  Result<uint64_t> ResolveLeaf(const Receipt& r);
  // Recomputes everything a stored receipt claims: document decodes and agrees with the columns,
  // its hash is listed in its batch manifest whose two signatures verify, and the ledger leaf
  // commits to that hash. `leaf_index` must be the resolved leaf (nullopt: not checked).
  Result<Integrity> CheckIntegrity(const Receipt& r, std::optional<uint64_t> leaf_index);
  // The receipt's batch manifest, once its two signatures (the receipt's copies) verified, for
  // offline verifiers; nullptr when they do not verify. Cached like CheckIntegrity's.
  Result<std::shared_ptr<const std::string>> SignedManifest(const Receipt& r) {
    return VerifiedManifest(r.batch_id, r.issuer_signature, r.finance_signature);
  }

  // The QR text of a receipt (receipt_document.h), signed by the finance key on first use and
  // stored, so a receipt's QR never changes.
  Result<std::string> QrText(const Receipt& r);
  // Checks a QR text's signature. True iff the finance key signed it.
  bool QrSignatureValid(std::string_view payload, std::string_view raw_signature) const;

  Result<ReceiptStats> Stats(int days);

  // Destroys (核销) the documents of receipts issued before `before` (a China date) whose retention
  // has passed: document and payer name are deleted, code, number, hashes and leaf are kept, and
  // each chunk's list is recorded on the ledger (receipt.destroy). Receipts issued before
  // `before` but still within retention are counted in `kept`, not touched.
  struct DestroyResult {
    int64_t destroyed = 0;
    int64_t kept = 0;
  };
  Result<DestroyResult> Destroy(CivilDate before);

  const ReceiptServiceOptions& options() const { return options_; }
  // The public keys, raw (crypto/key.h), for clients checking manifests and QR texts offline:
  // the finance department's, and every issuer's (current and retired).
  const crypto::PublicKey& finance_public_key() const { return options_.finance_key->public_key(); }
  Result<std::vector<IssuerKeyInfo>> IssuerPublicKeys() { return options_.issuer_keys->PublicKeys(); }
  // A new current signing key for the issuer; the old one stays published (retired), so batches
  // it signed still verify. kNotFound for an unknown issuer.
  Result<IssuerKeyInfo> RotateIssuerKey(int64_t issuer_id) {
    return options_.issuer_keys->Rotate(issuer_id);
  }

 private:
  // --- shared by the files that define the class (receipt_service.cc) ---
  // Whether `s` is 1..max bytes of text without control characters or '|'.
  static bool ValidText(std::string_view s, size_t max);
  // The ledger entry of one receipt event (receipt.issue, receipt.claim, ...).
  static ledger::Entry MakeEntry(std::string type, const std::array<uint8_t, 32>& subject,
                                 const std::array<uint8_t, 32>& document, int64_t time_micros);

  // --- issuance and void (issuance.cc) ---
  // A number taken for one receipt of a batch.
  struct AssignedNumber {
    ReceiptCode code;
    ReceiptNumber number;
  };
  // A batch ready to be written: numbered, documents made and hashed, manifest signed.
  struct PreparedBatch {
    std::vector<Receipt> receipts;
    std::vector<std::string> payer_ids;  // full ID numbers, for the payers' notices
    std::string manifest, finance_sig;
    IssuerSignature issuer_sig;
  };
  // Numbers for `receipts` from `ranges` (advanced in place): the first range of the receipt's
  // code (or of its kind and `year`) with numbers left; an explicit number must be the next one.
  // `code_taken` says whether another issuer holds a code. `prefix` names the receipts in field
  // errors: "" (single), "/replacement" (void), or "/receipts" for a batch ("/receipts/<i>").
  static Status AssignNumbers(std::vector<RangeCursor>& ranges,
                              std::span<const NewReceipt> receipts, int year,
                              std::string_view prefix, bool batch,
                              const std::function<Result<bool>(const std::string&)>& code_taken,
                              std::vector<AssignedNumber>& out);
  // The CPU work of issuing (no writes): documents, their hashes, keyed payer hashes, the signed
  // manifest. The issuer's key is looked up in `tx`, or in a read snapshot when it is null.
  Result<PreparedBatch> Prepare(const Issuer& issuer, std::span<const NewReceipt> receipts,
                                std::span<const AssignedNumber> numbers,
                                std::span<const CheckCode> checks, int64_t now,
                                uint64_t ledger_hint, const std::optional<std::string>& replaces,
                                store::Tx* tx) const;
  // Writes a prepared batch: moves its ranges from `before` to `after` (conditionally; a range
  // moved meanwhile fails with kRangeRace), the batch row, the receipts and their ledger entries.
  static Status WriteBatch(store::Tx& tx, const Issuer& issuer, std::span<const RangeCursor> before,
                           std::span<const RangeCursor> after, PreparedBatch& batch, int64_t now,
                           uint64_t ledger_hint);
  // Numbers, prepares and writes receipts inside `tx` (a void's replacement).
  Result<std::vector<Receipt>> IssueInTx(store::Tx& tx, const Issuer& issuer,
                                         std::span<const NewReceipt> receipts,
                                         std::span<const CheckCode> checks, int64_t now,
                                         uint64_t ledger_hint,
                                         const std::optional<std::string>& replaces,
                                         std::string_view prefix, bool batch);

  // --- claims (claims.cc) ---
  // A claim with the time it arrived (what its row and ledger entry say).
  struct TimedClaim {
    const ClaimRequest* request;
    int64_t time_micros;
  };
  // Checks a claim's fields (no storage).
  static Status ValidateClaim(const ClaimRequest& r);
  // One claim inside a group's transaction: its conditional update, claim row and ledger entry.
  // A business refusal (404/409/412) is returned without failing `tx`; check tx.failed().
  Status ClaimInTx(store::Tx& tx, const ClaimRequest& r, Claim& claim);
  // One claim in its group's transaction (claims_): a refusal is its answer and fails nothing.
  Result<Claim> ClaimOne(store::Tx& tx, const TimedClaim& c);

  // --- integrity (integrity.cc) ---
  // The batch's manifest once its two signatures verified (read and checked on first use).
  // nullptr when the stored manifest's signatures do not verify.
  Result<std::shared_ptr<const std::string>> VerifiedManifest(int64_t batch_id,
                                                              const std::string& issuer_sig,
                                                              const std::string& finance_sig);

  store::Database& db_;
  ReceiptServiceOptions options_;
  // Number reservations per issuer, so batches are prepared outside the write transaction.
  NumberLanes lanes_;
  // Keeps the wallet index (IndexWallet, StartWalletIndexer).
  WalletIndexer wallet_indexer_;
  // The claim queue (group commit, store/group_commit.h): the first queued leads the next group.
  store::GroupCommit<TimedClaim, Claim> claims_;
  // Caches of immutable, already-checked data (bounded; cleared when full): verified batch
  // manifests (a changed row cannot make a receipt pass: receipts are checked against the copy
  // whose signatures verified) and ledger entries by index (the log is append-only; `tongban
  // audit` checks the stored log itself).
  std::mutex mu_;
  std::map<int64_t, std::shared_ptr<const std::string>> manifests_;
  std::map<uint64_t, std::string> leaf_entries_;
};

// "张*", "欧阳**": the first character (UTF-8) and one '*' per further character.
std::string MaskName(std::string_view name);

}  // namespace tongban::receipt
