// The receipt part's SQL; see receipt_repo.h.
// Over ~700 lines on purpose: it is every statement of the part (and the three migration texts,
// ~115 lines), kept in one file so that the schema, each statement and its row mapping are read,
// reviewed and changed side by side; split, a column change would span files. The functions are
// short and grouped as in the header.
#include "receipt/receipt_repo.h"

#include <cstring>

#include "core/clock.h"
#include "receipt/receipt_document.h"

namespace tongban::receipt {
namespace {

using store::Param;

// Migration texts: never edit one that has shipped; add a version instead.
// Version 1: issuers, ranges, batches, receipts, claims, destruction records.
constexpr std::string_view kSchemaV1 = R"(
CREATE TABLE receipt_issuer (
  id {{id}},
  account_id {{int64}} NOT NULL UNIQUE,
  uscc {{text}} NOT NULL UNIQUE,
  name {{text}} NOT NULL,
  region_code {{text}} NOT NULL
);
CREATE TABLE receipt_range (
  id {{id}},
  issuer_id {{int64}} NOT NULL REFERENCES receipt_issuer (id),
  code {{text}} NOT NULL,
  first_number {{int64}} NOT NULL,
  last_number {{int64}} NOT NULL,
  next_number {{int64}} NOT NULL,
  CHECK (first_number >= 1 AND first_number <= last_number AND next_number >= first_number
         AND next_number <= last_number + 1)
);
CREATE INDEX receipt_range_code ON receipt_range (code, first_number);
CREATE TABLE receipt_batch (
  id {{id}},
  issuer_id {{int64}} NOT NULL,
  manifest {{text}} NOT NULL,
  issuer_sig {{blob}} NOT NULL,
  finance_sig {{blob}} NOT NULL,
  time_micros {{int64}} NOT NULL
);
CREATE TABLE receipt (
  id {{id}},
  code {{text}} NOT NULL,
  number {{int64}} NOT NULL,
  check_code {{text}} NOT NULL,
  kind {{text}} NOT NULL,
  issuer_id {{int64}} NOT NULL,
  batch_id {{int64}} NOT NULL,
  issue_micros {{int64}} NOT NULL,
  issue_day {{text}} NOT NULL,
  payer_subject {{blob}} NOT NULL,
  payer_key {{int64}} NOT NULL,
  payer_name {{text}} NOT NULL,
  total_fen {{int64}} NOT NULL,
  insurance_fen {{int64}} NOT NULL,
  self_fen {{int64}} NOT NULL,
  channel {{text}} NOT NULL,
  status {{text}} NOT NULL,
  claimed_fen {{int64}} NOT NULL,
  document {{text}},
  document_hash {{blob}} NOT NULL,
  ledger_hint {{int64}} NOT NULL,
  leaf_index {{int64}},
  qr_sig {{blob}},
  void_reason {{text}},
  void_micros {{int64}},
  replacement {{text}},
  replaces {{text}},
  destroyed_micros {{int64}},
  UNIQUE (code, number),
  CHECK (claimed_fen >= 0 AND claimed_fen <= total_fen)
);
CREATE INDEX receipt_payer ON receipt (payer_key, id);
CREATE INDEX receipt_day ON receipt (issue_day, issuer_id);
CREATE TABLE receipt_claim (
  id {{id}},
  receipt_id {{int64}} NOT NULL,
  claimant_account {{int64}} NOT NULL,
  claimant {{text}} NOT NULL,
  amount_fen {{int64}} NOT NULL CHECK (amount_fen > 0),
  reference {{text}} NOT NULL,
  time_micros {{int64}} NOT NULL,
  reversed_micros {{int64}},
  document {{text}} NOT NULL
);
CREATE INDEX receipt_claim_receipt ON receipt_claim (receipt_id, id);
CREATE TABLE receipt_destruction (
  id {{id}},
  time_micros {{int64}} NOT NULL,
  before_day {{text}} NOT NULL,
  count {{int64}} NOT NULL,
  list {{text}} NOT NULL
);
)";


// Version 2, the issuer key registry (issuer_keys.h): one row per key; at most one current key per
// issuer (the partial unique index). A key held elsewhere (HSM, the hospital, the old deployment
// key) has no private_sealed.
constexpr std::string_view kSchemaV2 = R"(
CREATE TABLE receipt_issuer_key (
  id {{id}},
  issuer_id {{int64}} NOT NULL REFERENCES receipt_issuer (id),
  key_id {{text}} NOT NULL,
  public_key {{blob}} NOT NULL,
  private_sealed {{blob}},
  is_current {{int64}} NOT NULL CHECK (is_current IN (0, 1)),
  created_micros {{int64}} NOT NULL,
  retired_micros {{int64}},
  UNIQUE (issuer_id, key_id)
);
CREATE UNIQUE INDEX receipt_issuer_key_current ON receipt_issuer_key (issuer_id) WHERE is_current = 1;
ALTER TABLE receipt_batch ADD COLUMN issuer_key_id {{text}};
)";

// The wallet's index by payer, kept by WalletIndexer off the issue path (wallet_indexer.h).
constexpr std::string_view kSchemaV3 = R"(
DROP INDEX receipt_payer;
CREATE TABLE receipt_wallet (
  payer_key {{int64}} NOT NULL,
  receipt_id {{int64}} NOT NULL,
  PRIMARY KEY (payer_key, receipt_id)
);
CREATE TABLE receipt_wallet_queue (
  id {{id}},
  payer_key {{int64}} NOT NULL,
  receipt_id {{int64}} NOT NULL
);
INSERT INTO receipt_wallet (payer_key, receipt_id) SELECT payer_key, id FROM receipt;
)";


std::string_view AsChars(std::span<const uint8_t> b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
template <size_t N>
std::string_view AsChars(const std::array<uint8_t, N>& a) {
  return std::string_view(reinterpret_cast<const char*>(a.data()), N);
}

// A 32-byte hash column; zero when the stored value has another length.
std::array<uint8_t, 32> Hash32(std::span<const uint8_t> b) {
  std::array<uint8_t, 32> out{};
  if (b.size() == 32) std::memcpy(out.data(), b.data(), 32);
  return out;
}

// The wallet's index key: the first 8 bytes of the payer hash as a signed integer (as the ledger
// keys leaf hashes). An 8-byte key keeps the index of random keys small, so inserts touch fewer
// pages; the full hash is compared on lookup.
int64_t PayerKey(const std::array<uint8_t, 32>& subject) {
  uint64_t k = 0;
  for (int i = 0; i < 8; ++i) k = (k << 8) | subject[i];
  return static_cast<int64_t>(k);
}

std::string ReceiptColumns() {
  return "SELECT r.id, r.code, r.number, r.check_code, r.kind, r.issue_micros, r.issuer_id, "
         "i.account_id, i.uscc, i.name, i.region_code, r.payer_subject, r.payer_name, "
         "r.total_fen, r.insurance_fen, r.self_fen, r.channel, r.status, r.claimed_fen, "
         "r.document, r.document_hash, b.issuer_sig, b.finance_sig, r.batch_id, r.qr_sig, "
         "r.ledger_hint, r.leaf_index, r.void_reason, r.void_micros, r.replacement, r.replaces, "
         "r.destroyed_micros, b.issuer_key_id "
         "FROM receipt r JOIN receipt_issuer i ON i.id = r.issuer_id "
         "JOIN receipt_batch b ON b.id = r.batch_id ";
}

Result<Receipt> ReceiptFromRow(const store::Row& row) {
  Receipt r;
  r.id = row.Int64(0);
  auto code = ReceiptCode::Parse(row.Text(1));
  auto number = ReceiptNumber::FromInt(row.Int64(2));
  auto check = CheckCode::Parse(row.Text(3));
  auto kind = ParseReceiptKind(row.Text(4));
  if (!code.ok() || !number.ok() || !check.ok() || !kind.ok()) {
    return Status::DataLoss("stored receipt is malformed")
        .WithDetail("receipt.id " + std::to_string(r.id));
  }
  r.code = *code;
  r.number = *number;
  r.check = *check;
  r.kind = *kind;
  r.issue_micros = row.Int64(5);
  r.issuer_id = row.Int64(6);
  r.issuer_account = row.Int64(7);
  r.issuer_uscc = std::string(row.Text(8));
  r.issuer_name = std::string(row.Text(9));
  r.issuer_region = std::string(row.Text(10));
  auto subject = row.Blob(11);
  if (subject.size() == 32) std::memcpy(r.payer_subject.data(), subject.data(), 32);
  r.payer_name = std::string(row.Text(12));
  r.total_fen = row.Int64(13);
  r.insurance_fen = row.Int64(14);
  r.self_fen = row.Int64(15);
  r.channel = std::string(row.Text(16));
  r.status = row.Text(17) == "voided" ? ReceiptStatus::kVoided : ReceiptStatus::kIssued;
  r.claimed_fen = row.Int64(18);
  r.document = row.OptText(19);
  auto dh = row.Blob(20);
  if (dh.size() == 32) std::memcpy(r.document_hash.data(), dh.data(), 32);
  r.issuer_signature = std::string(AsChars(row.Blob(21)));
  r.finance_signature = std::string(AsChars(row.Blob(22)));
  r.batch_id = row.Int64(23);
  r.qr_signature = std::string(AsChars(row.Blob(24)));
  r.ledger_hint = static_cast<uint64_t>(row.Int64(25));
  if (auto li = row.OptInt64(26)) r.leaf_index = static_cast<uint64_t>(*li);
  r.void_reason = row.OptText(27);
  r.void_micros = row.OptInt64(28);
  r.replacement = row.OptText(29);
  r.replaces = row.OptText(30);
  r.destroyed_micros = row.OptInt64(31);
  if (r.destroyed_micros) r.status = ReceiptStatus::kDestroyed;
  r.issuer_key_id = std::string(row.Text(32));
  return r;
}

// Items live only in the document (one source of truth, covered by the hash): decoded for a
// receipt read in full, not for wallet summaries.
void DecodeItems(Receipt& r) {
  if (!r.document) return;
  auto d = DecodeDocument(*r.document);
  if (d.ok()) r.items = std::move(d->receipt.items);
}

Claim ClaimFromRow(const store::Row& row) {
  Claim c;
  c.id = row.Int64(0);
  c.claimant_account = row.Int64(1);
  c.claimant = std::string(row.Text(2));
  c.amount_fen = row.Int64(3);
  c.reference = std::string(row.Text(4));
  c.time_micros = row.Int64(5);
  c.reversed_micros = row.OptInt64(6);
  return c;
}

constexpr std::string_view kClaimColumns =
    "SELECT id, claimant_account, claimant, amount_fen, reference, time_micros, reversed_micros "
    "FROM receipt_claim ";

}  // namespace

std::vector<store::Migration> ReceiptRepo::Migrations() {
  return {{.part = "receipt", .version = 1, .sql = std::string(kSchemaV1)},
          {.part = "receipt", .version = 2, .sql = std::string(kSchemaV2)},
          {.part = "receipt", .version = 3, .sql = std::string(kSchemaV3)}};
}

std::string ReceiptRepo::DayOf(int64_t micros) {
  return ChinaDate(FromUnixMicros(micros)).ToString();
}

// --- issuers and number ranges ---

Result<int64_t> ReceiptRepo::InsertIssuer(store::Tx& tx, int64_t account_id, std::string_view uscc,
                                          std::string_view name, std::string_view region_code) {
  return tx.InsertReturningId(
      "INSERT INTO receipt_issuer (account_id, uscc, name, "
      "region_code) VALUES (?, ?, ?, ?) RETURNING id",
      {account_id, uscc, name, region_code});
}

Result<bool> ReceiptRepo::IssuerExists(store::Tx& tx, int64_t issuer_id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT 1 FROM receipt_issuer WHERE id = ?",
                                            {issuer_id}));
  return row.has_value();
}

Result<std::optional<Issuer>> ReceiptRepo::IssuerByAccount(store::Tx& tx, int64_t account_id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, account_id, uscc, name, region_code FROM "
                                            "receipt_issuer WHERE account_id = ?",
                                            {account_id}));
  if (!row) return std::optional<Issuer>();
  return std::optional<Issuer>(Issuer{row->Int64(0), row->Int64(1), std::string(row->Text(2)),
                                      std::string(row->Text(3)), std::string(row->Text(4))});
}

Result<bool> ReceiptRepo::RangeOverlaps(store::Tx& tx, std::string_view code, int64_t first,
                                        int64_t last) {
  TB_ASSIGN_OR_RETURN(auto overlap, tx.QueryRow("SELECT id FROM receipt_range WHERE code = ? AND "
                                                "first_number <= ? AND last_number >= ?",
                                                {code, last, first}));
  return overlap.has_value();
}

Result<int64_t> ReceiptRepo::InsertRange(store::Tx& tx, int64_t issuer_id, std::string_view code,
                                         int64_t first, int64_t last) {
  return tx.InsertReturningId(
      "INSERT INTO receipt_range (issuer_id, code, first_number, "
      "last_number, next_number) VALUES (?, ?, ?, ?, ?) RETURNING id",
      {issuer_id, code, first, last, first});
}

Result<std::vector<NumberRange>> ReceiptRepo::RangesOf(store::Tx& tx, int64_t issuer_id) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, issuer_id, code, first_number, last_number, "
                                          "next_number FROM receipt_range WHERE issuer_id = ? "
                                          "ORDER BY id",
                                          {issuer_id}));
  std::vector<NumberRange> out;
  for (const auto& r : rows) {
    out.push_back(NumberRange{r.Int64(0), r.Int64(1), std::string(r.Text(2)), r.Int64(3),
                              r.Int64(4), r.Int64(5)});
  }
  return out;
}

Result<std::vector<RangeCursor>> ReceiptRepo::RangeCursorsOf(store::Tx& tx, int64_t issuer_id) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, code, last_number, next_number FROM "
                                          "receipt_range WHERE issuer_id = ? ORDER BY id",
                                          {issuer_id}));
  std::vector<RangeCursor> ranges;
  ranges.reserve(rows.size());
  for (const auto& r : rows) {
    ranges.push_back({r.Int64(0), std::string(r.Text(1)), r.Int64(2), r.Int64(3)});
  }
  return ranges;
}

Result<bool> ReceiptRepo::CodeTaken(store::Tx& tx, const std::string& code) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT 1 FROM receipt_range WHERE code = ?", {code}));
  return row.has_value();
}

Result<int64_t> ReceiptRepo::AdvanceRange(store::Tx& tx, int64_t range_id, int64_t from,
                                          int64_t to) {
  return tx.Exec("UPDATE receipt_range SET next_number = ? "
                 "WHERE id = ? AND next_number = ?",
                 {to, range_id, from});
}

// --- batches and receipts ---

Result<int64_t> ReceiptRepo::InsertBatch(store::Tx& tx, int64_t issuer_id,
                                         std::string_view manifest,
                                         const IssuerSignature& issuer_sig,
                                         std::string_view finance_sig, int64_t time_micros) {
  return tx.InsertReturningId("INSERT INTO receipt_batch (issuer_id, manifest, "
                              "issuer_sig, finance_sig, time_micros, issuer_key_id) "
                              "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                              {issuer_id, manifest, Param::Blob(issuer_sig.signature),
                               Param::Blob(finance_sig), time_micros, issuer_sig.key_id});
}

Result<int64_t> ReceiptRepo::MaxReceiptId(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(auto last_row, tx.QueryRow("SELECT COALESCE(MAX(id), 0) FROM receipt"));
  return last_row ? last_row->Int64(0) : 0;
}

Status ReceiptRepo::InsertReceipts(store::Tx& tx, int64_t issuer_id, int64_t batch_id, int64_t now,
                                   uint64_t ledger_hint, std::span<const Receipt> receipts) {
  const std::string day = DayOf(now);
  TB_ASSIGN_OR_RETURN(
      auto insert,
      tx.PrepareBatch("INSERT INTO receipt (code, number, check_code, kind, issuer_id, batch_id, "
                      "issue_micros, issue_day, payer_subject, payer_key, payer_name, total_fen, "
                      "insurance_fen, self_fen, channel, status, claimed_fen, document, "
                      "document_hash, ledger_hint, replaces) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const Receipt& r : receipts) {
    const std::string kind(ReceiptKindName(r.kind));
    TB_RETURN_IF_ERROR(insert->Add(
        {r.code.str(), r.number.value(), r.check.str(), kind, issuer_id, batch_id, now, day,
         Param::Blob(AsChars(r.payer_subject)), PayerKey(r.payer_subject), r.payer_name,
         r.total_fen, r.insurance_fen,
         r.self_fen, r.channel, "issued", 0, *r.document, Param::Blob(AsChars(r.document_hash)),
         static_cast<int64_t>(ledger_hint),
         r.replaces ? Param(*r.replaces) : Param(nullptr)}));
  }
  auto inserted = insert->Finish();
  if (!inserted.ok()) {
    if (inserted.status().code() == ErrorCode::kAlreadyExists) {
      return Status::Conflict("a receipt with one of these numbers already exists");
    }
    return inserted.status();
  }
  return Status::Ok();
}

Result<int64_t> ReceiptRepo::QueueForWallet(store::Tx& tx, int64_t after_id, int64_t batch_id) {
  // The batch's rows are the ones above the old maximum with its batch id (on PostgreSQL another
  // transaction may hold ids in between): an id range scan, not a scan of the table.
  return tx.Exec("INSERT INTO receipt_wallet_queue (payer_key, receipt_id) SELECT "
                 "payer_key, id FROM receipt WHERE id > ? AND batch_id = ? ORDER BY id",
                 {after_id, batch_id});
}

Result<std::optional<Receipt>> ReceiptRepo::FindReceipt(store::Tx& tx, const ReceiptCode& code,
                                                        const ReceiptNumber& number) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(ReceiptColumns() + "WHERE r.code = ? AND r.number = ?",
                                            {code.str(), number.value()}));
  if (!row) return std::optional<Receipt>();
  TB_ASSIGN_OR_RETURN(Receipt r, ReceiptFromRow(*row));
  DecodeItems(r);
  return std::optional<Receipt>(std::move(r));
}

Result<std::vector<Claim>> ReceiptRepo::ClaimsOf(store::Tx& tx, int64_t receipt_id) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kClaimColumns) +
                                              "WHERE receipt_id = ? ORDER BY id",
                                          {receipt_id}));
  std::vector<Claim> out;
  for (const auto& row : rows) out.push_back(ClaimFromRow(row));
  return out;
}

Result<ReceiptRepo::PayerReceipts> ReceiptRepo::ReceiptsOfPayer(
    store::Tx& tx, const std::array<uint8_t, 32>& subject, int64_t before_id, int limit) {
  // Indexed receipts and the ones still queued for the index: in one snapshot a receipt is in
  // exactly one of the two (WalletIndexer moves rows in one transaction).
  const int64_t key = PayerKey(subject);
  TB_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(ReceiptColumns() +
                   "WHERE r.id IN (SELECT receipt_id FROM receipt_wallet WHERE payer_key = ? AND "
                   "receipt_id < ? UNION ALL SELECT receipt_id FROM receipt_wallet_queue WHERE "
                   "payer_key = ? AND receipt_id < ?) AND r.payer_subject = ? "
                   "ORDER BY r.id DESC LIMIT ?",
               {key, before_id, key, before_id, Param::Blob(AsChars(subject)), limit + 1}));
  PayerReceipts out;
  for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(limit); ++i) {
    TB_ASSIGN_OR_RETURN(Receipt r, ReceiptFromRow(rows[i]));
    out.items.push_back(std::move(r));
  }
  out.more = rows.size() > static_cast<size_t>(limit);
  return out;
}

// --- the wallet index ---

Result<bool> ReceiptRepo::AnyQueuedForWallet(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT 1 FROM receipt_wallet_queue LIMIT 1"));
  return row.has_value();
}

Result<std::vector<ReceiptRepo::WalletQueueRow>> ReceiptRepo::QueuedForWallet(store::Tx& tx,
                                                                              int64_t limit) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, payer_key, receipt_id FROM "
                                          "receipt_wallet_queue ORDER BY id LIMIT ?",
                                          {limit}));
  std::vector<WalletQueueRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r.Int64(0), r.Int64(1), r.Int64(2)});
  return out;
}

Status ReceiptRepo::InsertWalletKeys(store::Tx& tx,
                                     std::span<const std::pair<int64_t, int64_t>> keys) {
  TB_ASSIGN_OR_RETURN(auto insert, tx.PrepareBatch("INSERT INTO receipt_wallet (payer_key, "
                                                   "receipt_id) VALUES (?, ?)"));
  for (const auto& [key, id] : keys) TB_RETURN_IF_ERROR(insert->Add({key, id}));
  return insert->Finish().status();
}

Result<int64_t> ReceiptRepo::DeleteQueuedForWallet(store::Tx& tx, int64_t first_id,
                                                   int64_t last_id) {
  return tx.Exec("DELETE FROM receipt_wallet_queue WHERE id >= ? AND "
                 "id <= ?",
                 {first_id, last_id});
}

// --- claims and reversals ---

Result<std::optional<ReceiptRepo::ClaimTarget>> ReceiptRepo::ClaimTargetOf(
    store::Tx& tx, const ReceiptCode& code, const ReceiptNumber& number) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, status, total_fen, claimed_fen, "
                                            "payer_subject, destroyed_micros FROM receipt "
                                            "WHERE code = ? AND number = ?",
                                            {code.str(), number.value()}));
  if (!row) return std::optional<ClaimTarget>();
  ClaimTarget t;
  t.receipt_id = row->Int64(0);
  t.issued = row->Text(1) == "issued";
  t.total_fen = row->Int64(2);
  t.claimed_fen = row->Int64(3);
  t.payer_subject = Hash32(row->Blob(4));
  t.destroyed = !row->IsNull(5);
  return std::optional<ClaimTarget>(t);
}

Result<int64_t> ReceiptRepo::AddClaimedFen(store::Tx& tx, int64_t receipt_id, int64_t amount_fen) {
  return tx.Exec("UPDATE receipt SET claimed_fen = claimed_fen + ? "
                 "WHERE id = ? AND status = 'issued' AND "
                 "destroyed_micros IS NULL AND claimed_fen + ? <= total_fen",
                 {amount_fen, receipt_id, amount_fen});
}

Result<int64_t> ReceiptRepo::InsertClaim(store::Tx& tx, int64_t receipt_id, const Claim& claim,
                                         std::string_view document) {
  return tx.InsertReturningId(
      "INSERT INTO receipt_claim (receipt_id, claimant_account, "
      "claimant, amount_fen, reference, time_micros, document) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {receipt_id, claim.claimant_account, claim.claimant, claim.amount_fen, claim.reference,
       claim.time_micros, document});
}

Result<std::optional<ReceiptRepo::ClaimOfReceipt>> ReceiptRepo::FindClaim(
    store::Tx& tx, int64_t claim_id, const ReceiptCode& code, const ReceiptNumber& number) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(
                                    "SELECT c.id, c.claimant_account, c.claimant, c.amount_fen, "
                                    "c.reference, c.time_micros, c.reversed_micros, r.id, "
                                    "r.payer_subject FROM receipt_claim c JOIN receipt r ON "
                                    "r.id = c.receipt_id WHERE c.id = ? AND r.code = ? AND "
                                    "r.number = ?",
                                    {claim_id, code.str(), number.value()}));
  if (!row) return std::optional<ClaimOfReceipt>();
  ClaimOfReceipt out;
  out.claim = ClaimFromRow(*row);
  out.receipt_id = row->Int64(7);
  out.payer_subject = Hash32(row->Blob(8));
  return std::optional<ClaimOfReceipt>(std::move(out));
}

Result<int64_t> ReceiptRepo::MarkClaimReversed(store::Tx& tx, int64_t claim_id, int64_t now) {
  return tx.Exec("UPDATE receipt_claim SET reversed_micros = ? "
                 "WHERE id = ? AND reversed_micros IS NULL",
                 {now, claim_id});
}

Status ReceiptRepo::SubtractClaimedFen(store::Tx& tx, int64_t receipt_id, int64_t amount_fen) {
  return tx.Exec("UPDATE receipt SET claimed_fen = claimed_fen - ? WHERE id = ?",
                 {amount_fen, receipt_id})
      .status();
}

// --- void ---

Result<int64_t> ReceiptRepo::MarkVoided(store::Tx& tx, int64_t receipt_id, std::string_view reason,
                                        int64_t now,
                                        const std::optional<std::string>& replacement) {
  return tx.Exec("UPDATE receipt SET status = 'voided', void_reason = ?, "
                 "void_micros = ?, replacement = ? WHERE id = ? AND "
                 "status = 'issued' AND claimed_fen = 0",
                 {reason, now, replacement ? Param(*replacement) : Param(nullptr), receipt_id});
}

// --- verification ---

Result<std::vector<ReceiptRepo::UnresolvedLeaf>> ReceiptRepo::UnresolvedLeavesOf(store::Tx& tx,
                                                                                 int64_t batch_id) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, payer_subject, document_hash, issue_micros "
                                          "FROM receipt WHERE batch_id = ? AND leaf_index IS NULL",
                                          {batch_id}));
  std::vector<UnresolvedLeaf> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    UnresolvedLeaf u;
    u.receipt_id = row.Int64(0);
    u.malformed = row.Blob(1).size() != 32 || row.Blob(2).size() != 32;
    if (!u.malformed) {
      std::memcpy(u.payer_subject.data(), row.Blob(1).data(), 32);
      std::memcpy(u.document_hash.data(), row.Blob(2).data(), 32);
    }
    u.issue_micros = row.Int64(3);
    out.push_back(u);
  }
  return out;
}

Status ReceiptRepo::SetLeafIndex(store::Tx& tx, int64_t receipt_id, uint64_t leaf_index) {
  return tx.Exec("UPDATE receipt SET leaf_index = ? WHERE id = ? AND leaf_index IS NULL",
                 {static_cast<int64_t>(leaf_index), receipt_id})
      .status();
}

Result<ReceiptRepo::BatchManifest> ReceiptRepo::BatchManifestOf(store::Tx& tx, int64_t batch_id) {
  // The issuer key the batch names, among the keys of the batch's own issuer (so a batch
  // naming another hospital's key finds none).
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT b.manifest, k.public_key FROM receipt_batch b "
                                            "LEFT JOIN receipt_issuer_key k ON k.issuer_id = "
                                            "b.issuer_id AND k.key_id = b.issuer_key_id "
                                            "WHERE b.id = ?",
                                            {batch_id}));
  BatchManifest out;
  out.manifest = row ? std::string(row->Text(0)) : "";
  if (row && !row->IsNull(1)) out.issuer_public_raw = std::string(AsChars(row->Blob(1)));
  return out;
}

Status ReceiptRepo::SetQrSignature(store::Tx& tx, int64_t receipt_id, std::string_view raw) {
  return tx.Exec("UPDATE receipt SET qr_sig = ? WHERE id = ? AND qr_sig IS NULL",
                 {Param::Blob(raw), receipt_id})
      .status();
}

Result<std::optional<std::string>> ReceiptRepo::QrSignature(store::Tx& tx, int64_t receipt_id) {
  TB_ASSIGN_OR_RETURN(auto row,
                      tx.QueryRow("SELECT qr_sig FROM receipt WHERE id = ?", {receipt_id}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(AsChars(row->Blob(0))));
}

// --- operator figures ---

Result<ReceiptStats> ReceiptRepo::Stats(store::Tx& tx, std::string_view since_day) {
  ReceiptStats s;
  TB_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryRow("SELECT COUNT(*), CAST(COALESCE(SUM(total_fen), 0) AS BIGINT), "
                  "CAST(COALESCE(SUM(CASE WHEN status = 'voided' THEN 1 ELSE 0 END), 0) AS BIGINT), "
                  "CAST(COALESCE(SUM(CASE WHEN destroyed_micros IS NULL THEN 0 ELSE 1 END), 0) "
                  "AS BIGINT) FROM receipt"));
  s.issued = row->Int64(0);
  s.issued_fen = row->Int64(1);
  s.voided = row->Int64(2);
  s.destroyed = row->Int64(3);
  TB_ASSIGN_OR_RETURN(
      row, tx.QueryRow("SELECT CAST(COALESCE(SUM(CASE WHEN reversed_micros IS NULL THEN 1 ELSE 0 "
                       "END), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN reversed_micros IS NULL "
                       "THEN 0 ELSE 1 END), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN "
                       "reversed_micros IS NULL THEN amount_fen ELSE 0 END), 0) AS BIGINT) "
                       "FROM receipt_claim"));
  s.claims = row->Int64(0);
  s.reversals = row->Int64(1);
  s.claimed_fen = row->Int64(2);
  TB_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT r.issuer_id, i.name, r.issue_day, COUNT(*), "
               "CAST(SUM(r.total_fen) AS BIGINT) FROM receipt r JOIN receipt_issuer i ON "
               "i.id = r.issuer_id WHERE r.issue_day >= ? GROUP BY r.issuer_id, i.name, "
               "r.issue_day ORDER BY r.issue_day DESC, r.issuer_id",
               {since_day}));
  for (const auto& d : rows) {
    s.per_issuer_day.push_back({d.Int64(0), std::string(d.Text(1)), std::string(d.Text(2)),
                                d.Int64(3), d.Int64(4)});
  }
  return s;
}

// --- destruction ---

Result<int64_t> ReceiptRepo::CountUndestroyed(store::Tx& tx, std::string_view since_day,
                                              std::string_view before_day) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*) FROM receipt WHERE issue_day < ? "
                                            "AND issue_day >= ? AND destroyed_micros IS NULL",
                                            {before_day, since_day}));
  return row ? row->Int64(0) : 0;
}

Result<std::vector<ReceiptRepo::DestructionCandidate>> ReceiptRepo::DueForDestruction(
    store::Tx& tx, std::string_view cutoff_day) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, code, number, document_hash FROM receipt "
                                          "WHERE issue_day < ? AND destroyed_micros IS NULL "
                                          "ORDER BY issue_day, id LIMIT 1000",
                                          {cutoff_day}));
  std::vector<DestructionCandidate> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    const auto hash = row.Blob(3);
    out.push_back({row.Int64(0), std::string(row.Text(1)), row.Int64(2),
                   std::vector<uint8_t>(hash.begin(), hash.end())});
  }
  return out;
}

Result<int64_t> ReceiptRepo::MarkDestroyed(store::Tx& tx, int64_t receipt_id, int64_t now) {
  return tx.Exec("UPDATE receipt SET document = NULL, payer_name = '', "
                 "destroyed_micros = ? WHERE id = ? AND "
                 "destroyed_micros IS NULL",
                 {now, receipt_id});
}

Status ReceiptRepo::InsertDestruction(store::Tx& tx, int64_t now, std::string_view before_day,
                                      int64_t count, std::string_view list) {
  return tx.Exec("INSERT INTO receipt_destruction (time_micros, before_day, count, "
                 "list) VALUES (?, ?, ?, ?)",
                 {now, before_day, count, list})
      .status();
}

// --- the issuer key registry ---

Result<std::optional<ReceiptRepo::IssuerName>> ReceiptRepo::IssuerNameOf(store::Tx& tx,
                                                                       int64_t issuer_id) {
  TB_ASSIGN_OR_RETURN(
      auto issuer,
      tx.QueryRow("SELECT uscc, name FROM receipt_issuer WHERE id = ?", {issuer_id}));
  if (!issuer) return std::optional<IssuerName>();
  return std::optional<IssuerName>(
      IssuerName{std::string(issuer->Text(0)), std::string(issuer->Text(1))});
}

Result<std::optional<std::string>> ReceiptRepo::CurrentIssuerKeyId(store::Tx& tx,
                                                                  int64_t issuer_id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT key_id FROM receipt_issuer_key WHERE "
                                            "issuer_id = ? AND is_current = 1",
                                            {issuer_id}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(row->Text(0)));
}

Status ReceiptRepo::InsertCurrentIssuerKey(store::Tx& tx, int64_t issuer_id,
                                           std::string_view key_id, std::string_view public_raw,
                                           std::string_view sealed, int64_t now) {
  return tx.Exec("INSERT INTO receipt_issuer_key (issuer_id, key_id, public_key, "
                 "private_sealed, is_current, created_micros) VALUES (?, ?, ?, ?, 1, ?)",
                 {issuer_id, key_id, Param::Blob(public_raw), Param::Blob(sealed), now})
      .status();
}

Status ReceiptRepo::InsertRetiredIssuerKey(store::Tx& tx, int64_t issuer_id,
                                           std::string_view key_id, std::string_view public_raw,
                                           int64_t now) {
  return tx.Exec("INSERT INTO receipt_issuer_key (issuer_id, key_id, public_key, "
                 "private_sealed, is_current, created_micros, retired_micros) "
                 "VALUES (?, ?, ?, NULL, 0, ?, ?)",
                 {issuer_id, key_id, Param::Blob(public_raw), now, now})
      .status();
}

Result<std::optional<ReceiptRepo::StoredIssuerKey>> ReceiptRepo::IssuerKey(
    store::Tx& tx, int64_t issuer_id, std::string_view key_id) {
  TB_ASSIGN_OR_RETURN(auto stored,
                      tx.QueryRow("SELECT public_key, private_sealed FROM "
                                  "receipt_issuer_key WHERE issuer_id = ? AND key_id = ?",
                                  {issuer_id, key_id}));
  if (!stored) return std::optional<StoredIssuerKey>();
  StoredIssuerKey out;
  out.public_raw = std::string(AsChars(stored->Blob(0)));
  if (!stored->IsNull(1)) out.private_sealed = std::string(AsChars(stored->Blob(1)));
  return std::optional<StoredIssuerKey>(std::move(out));
}

Result<bool> ReceiptRepo::IssuerHasKey(store::Tx& tx, int64_t issuer_id, std::string_view key_id) {
  TB_ASSIGN_OR_RETURN(auto have, tx.QueryRow("SELECT 1 FROM receipt_issuer_key WHERE "
                                             "issuer_id = ? AND key_id = ?",
                                             {issuer_id, key_id}));
  return have.has_value();
}

Status ReceiptRepo::RetireCurrentIssuerKey(store::Tx& tx, int64_t issuer_id, int64_t now) {
  return tx.Exec("UPDATE receipt_issuer_key SET is_current = 0, retired_micros = ? "
                 "WHERE issuer_id = ? AND is_current = 1",
                 {now, issuer_id})
      .status();
}

Result<std::vector<IssuerKeyInfo>> ReceiptRepo::IssuerPublicKeys(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT k.issuer_id, i.uscc, i.name, k.key_id, k.public_key, "
                               "k.is_current, k.created_micros, k.retired_micros FROM "
                               "receipt_issuer_key k JOIN receipt_issuer i ON i.id = k.issuer_id "
                               "ORDER BY k.issuer_id, k.created_micros, k.id"));
  std::vector<IssuerKeyInfo> out;
  for (const auto& r : rows) {
    out.push_back(IssuerKeyInfo{.issuer_id = r.Int64(0),
                                .uscc = std::string(r.Text(1)),
                                .name = std::string(r.Text(2)),
                                .key_id = std::string(r.Text(3)),
                                .public_raw = std::string(AsChars(r.Blob(4))),
                                .current = r.Int64(5) == 1,
                                .created_micros = r.Int64(6),
                                .retired_micros = r.OptInt64(7)});
  }
  return out;
}

Result<std::vector<int64_t>> ReceiptRepo::IssuersWithUnkeyedBatches(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(auto orphans, tx.Query("SELECT DISTINCT issuer_id FROM receipt_batch "
                                             "WHERE issuer_key_id IS NULL ORDER BY issuer_id"));
  std::vector<int64_t> out;
  out.reserve(orphans.size());
  for (const auto& row : orphans) out.push_back(row.Int64(0));
  return out;
}

Status ReceiptRepo::SetKeyOfUnkeyedBatches(store::Tx& tx, std::string_view key_id) {
  return tx.Exec("UPDATE receipt_batch SET issuer_key_id = ? WHERE issuer_key_id IS NULL",
                 {key_id})
      .status();
}

Result<std::vector<int64_t>> ReceiptRepo::IssuersWithoutCurrentKey(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(
      auto keyless,
      tx.Query("SELECT i.id FROM receipt_issuer i WHERE NOT EXISTS (SELECT 1 FROM "
               "receipt_issuer_key k WHERE k.issuer_id = i.id AND k.is_current = 1) "
               "ORDER BY i.id"));
  std::vector<int64_t> out;
  out.reserve(keyless.size());
  for (const auto& row : keyless) out.push_back(row.Int64(0));
  return out;
}

}  // namespace tongban::receipt
