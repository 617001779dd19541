// The receipt part's SQL and rules; see receipt_service.h. Statements keep to the subset SQLite
// and PostgreSQL share; sums are CAST to BIGINT so both drivers return integers.
#include "receipt/receipt_service.h"

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <cstring>
#include <map>

#include "core/base64.h"
#include "core/citizen_id.h"
#include "core/money.h"
#include "core/uscc.h"
#include "crypto/signature.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "receipt/receipt_document.h"

namespace tongban::receipt {
namespace {

using store::Param;

// The wallet's index by payer, kept by IndexWallet() off the issue path (receipt_service.h).
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

constexpr size_t kMaxBatch = 1000;
// A batch's ranges moved between its reservation and its write (another process, or a number
// taken outside the issuer's lane): the batch is numbered again.
constexpr std::string_view kRangeRace = "number range changed concurrently; retry";
// Whether any issuer holds a range of `code`.
Result<bool> CodeTaken(store::Tx& tx, const std::string& code) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT 1 FROM receipt_range WHERE code = ?", {code}));
  return row.has_value();
}
bool IsRangeRace(const Status& s) {
  return s.code() == ErrorCode::kUnavailable && s.message() == kRangeRace;
}
constexpr size_t kMaxItems = 200;

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

std::string_view AsChars(std::span<const uint8_t> b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
template <size_t N>
std::string_view AsChars(const std::array<uint8_t, N>& a) {
  return std::string_view(reinterpret_cast<const char*>(a.data()), N);
}

bool ValidText(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == '|') return false;
  }
  return true;
}

std::string Field(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  out.append("/").append(name);
  return out;
}

std::string ChinaDay(int64_t micros) { return ChinaDate(FromUnixMicros(micros)).ToString(); }

// Unix micros of 00:00 China time (UTC+8) on `d`.
int64_t ChinaMidnightMicros(CivilDate d) {
  return (DaysFromCivil(d) * 86400 - 8 * 3600) * int64_t{1'000'000};
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
    return Status::DataLoss("stored receipt is malformed").WithDetail("receipt.id " + std::to_string(r.id));
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

Result<std::vector<Claim>> ClaimsOf(store::Tx& tx, int64_t receipt_id) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kClaimColumns) +
                                              "WHERE receipt_id = ? ORDER BY id",
                                          {receipt_id}));
  std::vector<Claim> out;
  for (const auto& row : rows) out.push_back(ClaimFromRow(row));
  return out;
}

Result<std::optional<Receipt>> FindInTx(store::Tx& tx, const ReceiptCode& code,
                                        const ReceiptNumber& number) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(ReceiptColumns() + "WHERE r.code = ? AND r.number = ?",
                                            {code.str(), number.value()}));
  if (!row) return std::optional<Receipt>();
  TB_ASSIGN_OR_RETURN(Receipt r, ReceiptFromRow(*row));
  DecodeItems(r);
  return std::optional<Receipt>(std::move(r));
}

ledger::Entry MakeEntry(std::string type, const std::array<uint8_t, 32>& subject,
                        const std::array<uint8_t, 32>& document, int64_t time_micros) {
  ledger::Entry e;
  e.type = std::move(type);
  e.subject = subject;
  e.document = document;
  e.time_micros = time_micros;
  return e;
}

std::string FenText(int64_t fen) { return Fen(fen).ToYuanString(); }

// The wallet's index key: the first 8 bytes of the payer hash as a signed integer (as the ledger
// keys leaf hashes). An 8-byte key keeps the index of random keys small, so inserts touch fewer
// pages; the full hash is compared on lookup.
int64_t PayerKey(const std::array<uint8_t, 32>& subject) {
  uint64_t k = 0;
  for (int i = 0; i < 8; ++i) k = (k << 8) | subject[i];
  return static_cast<int64_t>(k);
}

}  // namespace

std::string MaskName(std::string_view name) {
  if (name.empty()) return "";
  size_t first = 1;
  unsigned char c = static_cast<unsigned char>(name[0]);
  if (c >= 0xF0) first = 4;
  else if (c >= 0xE0) first = 3;
  else if (c >= 0xC0) first = 2;
  first = std::min(first, name.size());
  std::string out(name.substr(0, first));
  for (size_t i = first; i < name.size(); ++i) {
    // Count UTF-8 lead bytes (not continuation bytes 10xxxxxx).
    if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) out.push_back('*');
  }
  if (out.size() == first) out.push_back('*');
  return out;
}

std::vector<store::Migration> ReceiptService::Migrations() {
  return {{.part = "receipt", .version = 1, .sql = std::string(kSchemaV1)},
          IssuerKeysMigration(),
          {.part = "receipt", .version = 3, .sql = std::string(kSchemaV3)}};
}

ReceiptService::ReceiptService(store::Database& db, ReceiptServiceOptions options)
    : db_(db), options_(std::move(options)) {
  assert(options_.clock != nullptr && options_.subject_hash && options_.issuer_keys &&
         options_.finance_key);
}

Result<Issuer> ReceiptService::RegisterIssuer(int64_t account_id, std::string_view uscc,
                                              std::string_view name, std::string_view region_code) {
  TB_ASSIGN_OR_RETURN(Uscc code, Uscc::Parse(uscc, "/uscc"));
  TB_ASSIGN_OR_RETURN(RegionCode region, RegionCode::Parse(region_code, "/region_code"));
  if (!ValidText(name, 128)) return Status::InvalidField("/name", "must be 1-128 bytes of text");
  Issuer issuer{0, account_id, code.RevealFullCode(), std::string(name), region.ToString()};
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(issuer.id, tx.InsertReturningId(
                                       "INSERT INTO receipt_issuer (account_id, uscc, name, "
                                       "region_code) VALUES (?, ?, ?, ?) RETURNING id",
                                       {account_id, issuer.uscc, issuer.name, issuer.region_code}));
    TB_RETURN_IF_ERROR(options_.issuer_keys->EnsureKey(tx, issuer.id).status());
    return Status::Ok();
  }));
  return issuer;
}

Result<NumberRange> ReceiptService::AssignRange(int64_t issuer_id, std::string_view code_text,
                                                int64_t first, int64_t last) {
  TB_ASSIGN_OR_RETURN(ReceiptCode code, ReceiptCode::Parse(code_text, "/code"));
  if (first < 1 || last > ReceiptNumber::kMax || first > last) {
    return Status::InvalidField("/first_number", "need 1 <= first <= last <= 9999999999");
  }
  NumberRange range{0, issuer_id, code.str(), first, last, first};
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto issuer, tx.QueryRow("SELECT 1 FROM receipt_issuer WHERE id = ?",
                                                 {issuer_id}));
    if (!issuer) return Status::NotFound("receipt issuer", std::to_string(issuer_id));
    TB_ASSIGN_OR_RETURN(auto overlap, tx.QueryRow("SELECT id FROM receipt_range WHERE code = ? AND "
                                                  "first_number <= ? AND last_number >= ?",
                                                  {range.code, last, first}));
    if (overlap) return Status::Conflict("numbers overlap an assigned range of code " + range.code);
    TB_ASSIGN_OR_RETURN(range.id, tx.InsertReturningId(
                                      "INSERT INTO receipt_range (issuer_id, code, first_number, "
                                      "last_number, next_number) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                      {issuer_id, range.code, first, last, first}));
    return Status::Ok();
  }));
  return range;
}

Result<Issuer> ReceiptService::IssuerForAccount(int64_t account_id) {
  Issuer issuer;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, account_id, uscc, name, region_code FROM "
                                              "receipt_issuer WHERE account_id = ?",
                                              {account_id}));
    if (!row) return Status::NotFound("receipt issuer for this account");
    issuer = Issuer{row->Int64(0), row->Int64(1), std::string(row->Text(2)),
                    std::string(row->Text(3)), std::string(row->Text(4))};
    return Status::Ok();
  }));
  return issuer;
}

Result<std::vector<NumberRange>> ReceiptService::Ranges(int64_t issuer_id) {
  std::vector<NumberRange> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, issuer_id, code, first_number, last_number, "
                                            "next_number FROM receipt_range WHERE issuer_id = ? "
                                            "ORDER BY id",
                                            {issuer_id}));
    out.clear();
    for (const auto& r : rows) {
      out.push_back(NumberRange{r.Int64(0), r.Int64(1), std::string(r.Text(2)), r.Int64(3),
                                r.Int64(4), r.Int64(5)});
    }
    return Status::Ok();
  }));
  return out;
}

Status ReceiptService::Validate(const NewReceipt& in, std::string_view prefix) const {
  std::vector<FieldError> errors;
  auto add = [&](std::string_view name, std::string reason) {
    errors.push_back({Field(prefix, name), std::move(reason)});
  };
  if (in.code) {
    auto code = ReceiptCode::Parse(*in.code, Field(prefix, "code"));
    if (!code.ok()) {
      Status st = code.status();
      errors.insert(errors.end(), st.fields().begin(), st.fields().end());
    } else if (code->kind() != in.kind) {
      add("kind", "does not match the kind digits of the code");
    }
  }
  if (in.number && (*in.number < 1 || *in.number > ReceiptNumber::kMax)) {
    add("number", "must be 1-9999999999");
  }
  auto id = CitizenId::Parse(in.payer_id_number, *options_.clock, Field(prefix, "payer_id_number"));
  if (!id.ok()) {
    Status st = id.status();
    errors.insert(errors.end(), st.fields().begin(), st.fields().end());
  }
  if (!ValidText(in.payer_name, 64)) add("payer_name", "must be 1-64 bytes of text without '|'");
  if (in.items.empty() || in.items.size() > kMaxItems) add("items", "must have 1-200 items");
  int64_t sum = 0;
  bool sum_ok = true;
  for (size_t i = 0; i < in.items.size(); ++i) {
    const ReceiptItem& item = in.items[i];
    std::string p = "items/" + std::to_string(i) + "/";
    if (!ValidText(item.category, 32)) add(p + "category", "must be 1-32 bytes of text without '|'");
    if (!ValidText(item.name, 128)) add(p + "name", "must be 1-128 bytes of text without '|'");
    if (item.quantity < 1 || item.quantity > 1'000'000) add(p + "quantity", "must be 1-1000000");
    if (item.unit_fen < 1 || item.unit_fen > 10'000'000'000) {
      add(p + "unit_fen", "must be a positive amount in fen, at most 100,000,000 yuan");
    }
    if (item.amount_fen < 1) {
      add(p + "amount_fen", "must be a positive amount in fen");
      sum_ok = false;
      continue;
    }
    if (item.quantity >= 1 && item.quantity <= 1'000'000 && item.unit_fen >= 1 &&
        item.unit_fen <= 10'000'000'000 && item.quantity * item.unit_fen != item.amount_fen) {
      add(p + "amount_fen", "must equal quantity x unit_fen (" +
                                std::to_string(item.quantity * item.unit_fen) + ")");
    }
    if (item.amount_fen > 10'000'000'000'000 || sum > 10'000'000'000'000) sum_ok = false;
    else sum += item.amount_fen;
  }
  if (in.total_fen < 1) {
    add("total_fen", "must be a positive amount in fen");
  } else if (sum_ok && !in.items.empty() && sum != in.total_fen) {
    add("total_fen", "items add up to " + std::to_string(sum) + " fen, not " +
                         std::to_string(in.total_fen));
  }
  if (in.insurance_fen < 0) add("insurance_fen", "must not be negative");
  if (in.self_fen < 0) add("self_fen", "must not be negative");
  if (in.insurance_fen >= 0 && in.self_fen >= 0 && in.total_fen >= 1 &&
      in.insurance_fen + in.self_fen != in.total_fen) {
    add("self_fen", "insurance_fen + self_fen must equal total_fen");
  }
  if (std::find(kPaymentChannels.begin(), kPaymentChannels.end(), in.channel) ==
      kPaymentChannels.end()) {
    add("channel", "must be one of cash, bank_card, wechat, alipay, medical_insurance, other");
  }
  if (errors.empty()) return Status::Ok();
  std::string message = errors.front().field + ": " + errors.front().reason;
  return Status::InvalidArgument(std::move(message), std::move(errors));
}

Result<std::vector<Receipt>> ReceiptService::Issue(int64_t issuer_account,
                                                   std::span<const NewReceipt> receipts, bool batch,
                                                   uint64_t ledger_hint) {
  if (receipts.empty() || receipts.size() > kMaxBatch) {
    return Status::InvalidField("/receipts", "must hold 1-1000 receipts");
  }
  const std::string prefix = batch ? "/receipts" : "";
  for (size_t i = 0; i < receipts.size(); ++i) {
    TB_RETURN_IF_ERROR(Validate(receipts[i], batch ? prefix + "/" + std::to_string(i) : ""));
  }
  auto issuer = IssuerForAccount(issuer_account);
  if (!issuer.ok()) {
    if (issuer.status().code() == ErrorCode::kNotFound) {
      return Status::PermissionDenied("unknown issuer: this account has no receipt number ranges");
    }
    return issuer.status();
  }
  const std::vector<CheckCode> checks = CheckCode::Generate(receipts.size());
  const int64_t now = options_.clock->NowUnixMicros() / 1'000'000 * 1'000'000;
  const int year = ChinaDate(FromUnixMicros(now)).year;
  auto load = [&]() -> Result<std::vector<RangeCursor>> {
    std::vector<RangeCursor> ranges;
    TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(ranges, LoadRanges(tx, issuer->id));
      return Status::Ok();
    }));
    return ranges;
  };
  auto code_taken = [&](const std::string& code) -> Result<bool> {
    bool taken = false;
    TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(taken, CodeTaken(tx, code));
      return Status::Ok();
    }));
    return taken;
  };
  // Numbers are reserved in the issuer's lane; the documents, hashes and signatures are made with
  // no lock held; the write transaction only moves the ranges and writes rows (number_lanes.h).
  constexpr int kLaneAttempts = 3;
  for (int attempt = 1; attempt <= kLaneAttempts; ++attempt) {
    std::vector<AssignedNumber> numbers;
    TB_ASSIGN_OR_RETURN(NumberLanes::Ticket ticket,
                        lanes_.Reserve(issuer->id, load, [&](std::vector<RangeCursor>& ranges) {
                          return AssignNumbers(ranges, receipts, year, prefix, batch, code_taken,
                                               numbers);
                        }));
    TB_ASSIGN_OR_RETURN(PreparedBatch prepared, Prepare(*issuer, receipts, numbers, checks, now,
                                                        ledger_hint, std::nullopt, nullptr));
    if (!ticket.WaitTurn()) continue;  // the lane was reset: reserve again
    Status s = db_.Transact([&](store::Tx& tx) -> Status {
      return WriteBatch(tx, *issuer, ticket.before(), ticket.after(), prepared, now, ledger_hint);
    });
    if (s.ok()) {
      ticket.Commit();
      return std::move(prepared.receipts);
    }
    // The ticket resets the lane as it goes: later reservations of the issuer start over.
    if (!IsRangeRace(s)) return s;
  }
  // Numbers keep being taken under the lane's feet (another process issues for this issuer too):
  // number inside the write transaction, which cannot race.
  std::vector<Receipt> out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, IssueInTx(tx, *issuer, receipts, checks, now, ledger_hint,
                                       std::nullopt, prefix, batch));
    return Status::Ok();
  }));
  lanes_.Reset(issuer->id);
  return out;
}

Result<std::vector<RangeCursor>> ReceiptService::LoadRanges(store::Tx& tx, int64_t issuer_id) {
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

Status ReceiptService::AssignNumbers(std::vector<RangeCursor>& ranges,
                                     std::span<const NewReceipt> receipts, int year,
                                     std::string_view field_prefix, bool batch,
                                     const std::function<Result<bool>(const std::string&)>& code_taken,
                                     std::vector<AssignedNumber>& out) {
  auto prefix = [&](size_t i) {
    return std::string(field_prefix) + (batch ? "/" + std::to_string(i) : std::string());
  };
  out.clear();
  out.reserve(receipts.size());
  std::vector<std::optional<ReceiptCode>> codes(ranges.size());
  for (size_t k = 0; k < ranges.size(); ++k) {
    if (auto code = ReceiptCode::Parse(ranges[k].code); code.ok()) codes[k] = *code;
  }
  for (size_t i = 0; i < receipts.size(); ++i) {
    const NewReceipt& in = receipts[i];
    RangeCursor* range = nullptr;
    const ReceiptCode* range_code = nullptr;
    bool code_known = false;
    for (size_t k = 0; k < ranges.size(); ++k) {
      if (!codes[k]) continue;
      bool match = in.code ? ranges[k].code == *in.code
                           : codes[k]->kind() == in.kind && codes[k]->year() == year;
      if (!match) continue;
      code_known = true;
      if (ranges[k].next <= ranges[k].last) {
        range = &ranges[k];
        range_code = &*codes[k];
        break;
      }
    }
    if (range == nullptr) {
      if (in.code && !code_known) {
        TB_ASSIGN_OR_RETURN(bool taken, code_taken(*in.code));
        if (taken) {
          return Status::PermissionDenied("code " + *in.code +
                                          " belongs to another issuer's number range");
        }
        return Status::Unprocessable("no number range of this code is assigned to the issuer",
                                     {{prefix(i) + "/code", "no number range assigned"}});
      }
      if (!code_known) {
        return Status::Unprocessable(
            "the issuer has no number range for " + std::string(ReceiptKindName(in.kind)) +
                " receipts of " + std::to_string(year),
            {{prefix(i) + "/kind", "no number range assigned"}});
      }
      return Status::Conflict("the issuer's number range is used up: ask for a new range");
    }
    if (in.number) {
      if (*in.number < range->next) {
        return Status::Conflict("receipt number " + ReceiptNumber::FromInt(*in.number)->ToString() +
                                " of code " + range->code + " was already issued");
      }
      if (*in.number > range->next) {
        return Status::Unprocessable(
            "receipt numbers are sequential: the next number is " +
                ReceiptNumber::FromInt(range->next)->ToString(),
            {{prefix(i) + "/number", "would leave a gap in the number range"}});
      }
    }
    TB_ASSIGN_OR_RETURN(ReceiptNumber number, ReceiptNumber::FromInt(range->next));
    out.push_back({*range_code, number});
    range->next++;
  }
  return Status::Ok();
}

Result<ReceiptService::PreparedBatch> ReceiptService::Prepare(
    const Issuer& issuer, std::span<const NewReceipt> receipts,
    std::span<const AssignedNumber> numbers, std::span<const CheckCode> checks, int64_t now,
    uint64_t ledger_hint, const std::optional<std::string>& replaces, store::Tx* tx) const {
  PreparedBatch batch;
  std::vector<Receipt>& out = batch.receipts;
  out.reserve(receipts.size());
  for (size_t i = 0; i < receipts.size(); ++i) {
    const NewReceipt& in = receipts[i];
    Receipt r;
    r.code = numbers[i].code;
    r.number = numbers[i].number;
    r.check = checks[i];
    r.kind = r.code.kind();
    r.issue_micros = now;
    r.issuer_id = issuer.id;
    r.issuer_account = issuer.account_id;
    r.issuer_uscc = issuer.uscc;
    r.issuer_name = issuer.name;
    r.issuer_region = issuer.region_code;
    auto id = CitizenId::Parse(in.payer_id_number, *options_.clock);
    if (!id.ok()) return id.status();
    r.payer_subject = options_.subject_hash(id->RevealFullNumber());
    r.payer_name = in.payer_name;
    r.items = in.items;
    r.total_fen = in.total_fen;
    r.insurance_fen = in.insurance_fen;
    r.self_fen = in.self_fen;
    r.channel = in.channel;
    r.replaces = replaces;
    r.ledger_hint = ledger_hint;
    r.document = EncodeDocument(r, options_.subject_hash("name:" + in.payer_name));
    r.document_hash = crypto::Hash(options_.hash, *r.document);
    out.push_back(std::move(r));
  }
  // One signed manifest for the batch.
  batch.manifest = "tongban-receipt-batch/1\nissuer: " + issuer.uscc +
                   "\ntime: " + FormatIso8601Utc(FromUnixMicros(now)) +
                   "\ncount: " + std::to_string(out.size()) + "\n";
  batch.manifest.reserve(batch.manifest.size() + out.size() * 96);
  for (const Receipt& r : out) {
    batch.manifest += ManifestLine(r.code, r.number, r.document_hash);
  }
  auto sign = [&](store::Tx& t) -> Status {
    TB_ASSIGN_OR_RETURN(batch.issuer_sig, options_.issuer_keys->Sign(t, issuer.id, batch.manifest));
    return Status::Ok();
  };
  TB_RETURN_IF_ERROR(tx != nullptr ? sign(*tx) : db_.Read(sign));
  TB_ASSIGN_OR_RETURN(batch.finance_sig, options_.finance_key->Sign(batch.manifest));
  return batch;
}

Status ReceiptService::WriteBatch(store::Tx& tx, const Issuer& issuer,
                                  std::span<const RangeCursor> before,
                                  std::span<const RangeCursor> after, PreparedBatch& batch,
                                  int64_t now, uint64_t ledger_hint) {
  // 1. Numbers: each range the batch took numbers from moves from its `before` to its `after`
  //    position, only if nobody moved it meanwhile (no gaps, no reuse: the numbers commit with
  //    the receipts).
  for (size_t k = 0; k < after.size(); ++k) {
    if (k < before.size() && after[k].next == before[k].next) continue;
    const int64_t from = k < before.size() ? before[k].next : -1;
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE receipt_range SET next_number = ? "
                                           "WHERE id = ? AND next_number = ?",
                                           {after[k].next, after[k].id, from}));
    if (n != 1) return Status::Unavailable(std::string(kRangeRace));
  }
  // 2. The signed manifest.
  TB_ASSIGN_OR_RETURN(int64_t batch_id,
                      tx.InsertReturningId("INSERT INTO receipt_batch (issuer_id, manifest, "
                                           "issuer_sig, finance_sig, time_micros, issuer_key_id) "
                                           "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                           {issuer.id, batch.manifest,
                                            Param::Blob(batch.issuer_sig.signature),
                                            Param::Blob(batch.finance_sig), now,
                                            batch.issuer_sig.key_id}));
  // 3. The receipts, their wallet queue rows and their ledger entries.
  TB_ASSIGN_OR_RETURN(auto last_row, tx.QueryRow("SELECT COALESCE(MAX(id), 0) FROM receipt"));
  const int64_t last_id = last_row ? last_row->Int64(0) : 0;
  const std::string day = ChinaDay(now);
  TB_ASSIGN_OR_RETURN(
      auto insert,
      tx.PrepareBatch("INSERT INTO receipt (code, number, check_code, kind, issuer_id, batch_id, "
                      "issue_micros, issue_day, payer_subject, payer_key, payer_name, total_fen, "
                      "insurance_fen, self_fen, channel, status, claimed_fen, document, "
                      "document_hash, ledger_hint, replaces) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  std::vector<ledger::Entry> entries;
  entries.reserve(batch.receipts.size());
  for (Receipt& r : batch.receipts) {
    r.batch_id = batch_id;
    r.issuer_signature = batch.issuer_sig.signature;
    r.issuer_key_id = batch.issuer_sig.key_id;
    r.finance_signature = batch.finance_sig;
    const std::string kind(ReceiptKindName(r.kind));
    TB_RETURN_IF_ERROR(insert->Add(
        {r.code.str(), r.number.value(), r.check.str(), kind, issuer.id, batch_id, now, day,
         Param::Blob(AsChars(r.payer_subject)), PayerKey(r.payer_subject), r.payer_name,
         r.total_fen, r.insurance_fen,
         r.self_fen, r.channel, "issued", 0, *r.document, Param::Blob(AsChars(r.document_hash)),
         static_cast<int64_t>(ledger_hint),
         r.replaces ? Param(*r.replaces) : Param(nullptr)}));
    entries.push_back(MakeEntry("receipt.issue", r.payer_subject, r.document_hash, now));
  }
  auto inserted = insert->Finish();
  if (!inserted.ok()) {
    if (inserted.status().code() == ErrorCode::kAlreadyExists) {
      return Status::Conflict("a receipt with one of these numbers already exists");
    }
    return inserted.status();
  }
  // The batch's rows are the ones above the old maximum with its batch id (on PostgreSQL another
  // transaction may hold ids in between): an id range scan, not a scan of the table.
  TB_ASSIGN_OR_RETURN(int64_t queued,
                      tx.Exec("INSERT INTO receipt_wallet_queue (payer_key, receipt_id) SELECT "
                              "payer_key, id FROM receipt WHERE id > ? AND batch_id = ? ORDER BY id",
                              {last_id, batch_id}));
  if (queued != static_cast<int64_t>(batch.receipts.size())) {
    return Status::Internal("receipt wallet queue").WithDetail(
        "queued " + std::to_string(queued) + " of " + std::to_string(batch.receipts.size()));
  }
  return ledger::EnqueueEntries(tx, entries);
}

Result<std::vector<Receipt>> ReceiptService::IssueInTx(store::Tx& tx, const Issuer& issuer,
                                                       std::span<const NewReceipt> receipts,
                                                       std::span<const CheckCode> checks,
                                                       int64_t now, uint64_t ledger_hint,
                                                       const std::optional<std::string>& replaces,
                                                       std::string_view field_prefix, bool batch) {
  TB_ASSIGN_OR_RETURN(std::vector<RangeCursor> before, LoadRanges(tx, issuer.id));
  std::vector<RangeCursor> after = before;
  std::vector<AssignedNumber> numbers;
  auto code_taken = [&](const std::string& code) { return CodeTaken(tx, code); };
  const int year = ChinaDate(FromUnixMicros(now)).year;
  TB_RETURN_IF_ERROR(AssignNumbers(after, receipts, year, field_prefix, batch, code_taken, numbers));
  TB_ASSIGN_OR_RETURN(PreparedBatch prepared,
                      Prepare(issuer, receipts, numbers, checks, now, ledger_hint, replaces, &tx));
  TB_RETURN_IF_ERROR(WriteBatch(tx, issuer, before, after, prepared, now, ledger_hint));
  return std::move(prepared.receipts);
}

Result<Receipt> ReceiptService::Get(const ReceiptCode& code, const ReceiptNumber& number) {
  Receipt out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto r, FindInTx(tx, code, number));
    if (!r) return Status::NotFound("receipt", ReceiptKey(code, number));
    TB_ASSIGN_OR_RETURN(r->claims, ClaimsOf(tx, r->id));
    out = std::move(*r);
    return Status::Ok();
  }));
  return out;
}

Result<ReceiptService::Page> ReceiptService::ListForPayer(const std::array<uint8_t, 32>& subject,
                                                          std::optional<int64_t> cursor, int limit) {
  Page page;
  limit = std::clamp(limit, 1, 100);
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    // Indexed receipts and the ones still queued for the index: in one snapshot a receipt is in
    // exactly one of the two (IndexWallet moves rows in one transaction).
    const int64_t key = PayerKey(subject);
    const int64_t before = cursor.value_or(INT64_MAX);
    TB_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(ReceiptColumns() +
                     "WHERE r.id IN (SELECT receipt_id FROM receipt_wallet WHERE payer_key = ? AND "
                     "receipt_id < ? UNION ALL SELECT receipt_id FROM receipt_wallet_queue WHERE "
                     "payer_key = ? AND receipt_id < ?) AND r.payer_subject = ? "
                     "ORDER BY r.id DESC LIMIT ?",
                 {key, before, key, before, Param::Blob(AsChars(subject)), limit + 1}));
    page.items.clear();
    for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(limit); ++i) {
      TB_ASSIGN_OR_RETURN(Receipt r, ReceiptFromRow(rows[i]));
      page.items.push_back(std::move(r));
    }
    page.next_cursor.reset();
    if (rows.size() > static_cast<size_t>(limit)) page.next_cursor = page.items.back().id;
    return Status::Ok();
  }));
  return page;
}

Result<size_t> ReceiptService::IndexWallet(size_t max_rows) {
  // Look in a read snapshot first, so an idle indexer never takes the write lock.
  bool any = false;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT 1 FROM receipt_wallet_queue LIMIT 1"));
    any = row.has_value();
    return Status::Ok();
  }));
  if (!any) return size_t{0};
  size_t moved = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    moved = 0;
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, payer_key, receipt_id FROM "
                                            "receipt_wallet_queue ORDER BY id LIMIT ?",
                                            {static_cast<int64_t>(max_rows)}));
    if (rows.empty()) return Status::Ok();
    // Sorted by key: neighbouring inserts land on the same index pages.
    std::vector<std::pair<int64_t, int64_t>> keys;
    keys.reserve(rows.size());
    for (const auto& r : rows) keys.emplace_back(r.Int64(1), r.Int64(2));
    std::sort(keys.begin(), keys.end());
    TB_ASSIGN_OR_RETURN(auto insert, tx.PrepareBatch("INSERT INTO receipt_wallet (payer_key, "
                                                     "receipt_id) VALUES (?, ?)"));
    for (const auto& [key, id] : keys) TB_RETURN_IF_ERROR(insert->Add({key, id}));
    TB_RETURN_IF_ERROR(insert->Finish().status());
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("DELETE FROM receipt_wallet_queue WHERE id >= ? AND "
                                           "id <= ?",
                                           {rows.front().Int64(0), rows.back().Int64(0)}));
    if (n != static_cast<int64_t>(rows.size())) {
      return Status::Unavailable("receipt wallet queue changed during indexing; retry");
    }
    moved = rows.size();
    return Status::Ok();
  }));
  return moved;
}

void ReceiptService::StartWalletIndexer(std::chrono::milliseconds interval) {
  std::lock_guard lock(indexer_mu_);
  if (indexer_.joinable()) return;
  indexer_stop_ = false;
  indexer_ = std::thread([this, interval] {
    std::unique_lock lock(indexer_mu_);
    while (!indexer_stop_) {
      lock.unlock();
      constexpr size_t kRows = 50'000;
      auto moved = IndexWallet(kRows);
      lock.lock();
      if (moved.ok() && *moved == kRows) continue;  // more may be waiting
      indexer_cv_.wait_for(lock, interval, [&] { return indexer_stop_; });
    }
  });
}

void ReceiptService::StopWalletIndexer() {
  {
    std::lock_guard lock(indexer_mu_);
    indexer_stop_ = true;
  }
  indexer_cv_.notify_all();
  if (indexer_.joinable()) indexer_.join();
}

ReceiptService::~ReceiptService() { StopWalletIndexer(); }

struct ReceiptService::ClaimWaiter {
  const ClaimRequest* request = nullptr;
  int64_t time_micros = 0;
  std::optional<Result<Claim>> result;  // set by the leader that ran it
  bool done = false;                    // guarded by claim_mu_
  std::condition_variable cv;
};

Status ReceiptService::ValidateClaim(const ClaimRequest& r) {
  if (r.amount_fen < 1) return Status::InvalidField("/amount_fen", "must be a positive amount in fen");
  if (r.reference.size() > 64 || (!r.reference.empty() && !ValidText(r.reference, 64))) {
    return Status::InvalidField("/reference", "must be at most 64 bytes of text");
  }
  return Status::Ok();
}

Result<Claim> ReceiptService::AddClaim(const ReceiptCode& code, const ReceiptNumber& number,
                                       int64_t claimant_account, std::string_view claimant,
                                       int64_t amount_fen, std::string_view reference) {
  ClaimRequest request{code, number, claimant_account, std::string(claimant), amount_fen,
                       std::string(reference)};
  TB_RETURN_IF_ERROR(ValidateClaim(request));
  ClaimWaiter self;
  self.request = &request;
  self.time_micros = options_.clock->NowUnixMicros();
  std::unique_lock lock(claim_mu_);
  claim_queue_.push_back(&self);
  while (!self.done && claim_queue_.front() != &self) self.cv.wait(lock);
  if (self.done) return std::move(*self.result);
  // The leader: the claims queued up to now (itself first), at most claim_group_max of them.
  const size_t n = std::min(claim_queue_.size(),
                            static_cast<size_t>(std::max(1, options_.claim_group_max)));
  std::vector<ClaimWaiter*> group(claim_queue_.begin(), claim_queue_.begin() + n);
  lock.unlock();
  std::vector<const ClaimRequest*> requests;
  std::vector<int64_t> times;
  requests.reserve(n);
  times.reserve(n);
  for (ClaimWaiter* w : group) {
    requests.push_back(w->request);
    times.push_back(w->time_micros);
  }
  std::vector<Result<Claim>> results = RunClaimGroup(requests, times);
  for (size_t i = 1; i < n; ++i) group[i]->result.emplace(std::move(results[i]));
  lock.lock();
  claim_queue_.erase(claim_queue_.begin(), claim_queue_.begin() + static_cast<ptrdiff_t>(n));
  // Notified under the lock: a waiter cannot see `done` and go away before this loop is over.
  for (size_t i = 1; i < n; ++i) {
    group[i]->done = true;
    group[i]->cv.notify_one();
  }
  if (!claim_queue_.empty()) claim_queue_.front()->cv.notify_one();  // the next leader
  return std::move(results[0]);
}

std::vector<Result<Claim>> ReceiptService::AddClaims(std::span<const ClaimRequest> requests) {
  std::vector<std::optional<Result<Claim>>> out(requests.size());
  std::vector<const ClaimRequest*> valid;
  std::vector<int64_t> times;
  std::vector<size_t> at;
  const int64_t now = options_.clock->NowUnixMicros();
  for (size_t i = 0; i < requests.size(); ++i) {
    if (Status s = ValidateClaim(requests[i]); !s.ok()) {
      out[i].emplace(s);
      continue;
    }
    valid.push_back(&requests[i]);
    times.push_back(now);
    at.push_back(i);
  }
  if (!valid.empty()) {
    std::vector<Result<Claim>> results = RunClaimGroup(valid, times);
    for (size_t k = 0; k < at.size(); ++k) out[at[k]].emplace(std::move(results[k]));
  }
  std::vector<Result<Claim>> flat;
  flat.reserve(out.size());
  for (auto& r : out) flat.push_back(std::move(*r));
  return flat;
}

std::vector<Result<Claim>> ReceiptService::RunClaimGroup(
    std::span<const ClaimRequest* const> requests, std::span<const int64_t> times) {
  const size_t n = requests.size();
  std::vector<std::optional<Result<Claim>>> out(n);
  bool all_ran = false;       // the function reached its end: a failure after it was at COMMIT
  bool retryable = false;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    all_ran = false;
    retryable = false;  // of this attempt
    for (size_t i = 0; i < n; ++i) {
      Claim claim;
      claim.time_micros = times[i];
      Status one = ClaimInTx(tx, *requests[i], claim);
      if (tx.failed()) {
        retryable = tx.retryable();
        return one.ok() ? Status::Internal("claim transaction failed") : one;
      }
      if (one.ok()) {
        out[i].emplace(std::move(claim));
      } else {
        out[i].emplace(std::move(one));
      }
    }
    all_ran = true;
    return Status::Ok();
  });
  std::vector<Result<Claim>> results;
  results.reserve(n);
  if (s.ok()) {
    for (auto& r : out) results.push_back(std::move(*r));
    return results;
  }
  if (all_ran || n == 1 || retryable) {
    // COMMIT failed (nothing acknowledged; with a lost acknowledgement the outcome is unknown,
    // so the claims must not be run again), or retries ran out: every claim gets the error.
    for (size_t i = 0; i < n; ++i) results.emplace_back(s);
    return results;
  }
  // A statement failed the group (not retryable): run each claim alone, so one claim's error
  // does not fail the others.
  for (size_t i = 0; i < n; ++i) {
    auto one = RunClaimGroup(std::span(&requests[i], 1), std::span(&times[i], 1));
    results.push_back(std::move(one.front()));
  }
  return results;
}

Status ReceiptService::ClaimInTx(store::Tx& tx, const ClaimRequest& r, Claim& claim) {
  const ReceiptCode& code = r.code;
  const ReceiptNumber& number = r.number;
  const int64_t amount_fen = r.amount_fen;
  claim.id = 0;
  claim.claimant_account = r.claimant_account;
  claim.claimant = r.claimant;
  claim.amount_fen = amount_fen;
  claim.reference = r.reference;
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, status, total_fen, claimed_fen, "
                                            "payer_subject, destroyed_micros FROM receipt "
                                            "WHERE code = ? AND number = ?",
                                            {code.str(), number.value()}));
  if (!row) return Status::NotFound("receipt", ReceiptKey(code, number));
  const int64_t id = row->Int64(0);
  if (row->Text(1) != "issued") return Status::FailedPrecondition("the receipt is voided");
  if (!row->IsNull(5)) return Status::FailedPrecondition("the receipt was destroyed");
  TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE receipt SET claimed_fen = claimed_fen + ? "
                                         "WHERE id = ? AND status = 'issued' AND "
                                         "destroyed_micros IS NULL AND claimed_fen + ? <= total_fen",
                                         {amount_fen, id, amount_fen}));
  if (n == 0) {
    TB_ASSIGN_OR_RETURN(auto claims, ClaimsOf(tx, id));
    std::string named;
    for (const Claim& c : claims) {
      if (c.reversed_micros) continue;
      named += (named.empty() ? "" : "; ") + c.claimant + " claimed " + FenText(c.amount_fen) +
               " yuan at " + FormatIso8601Utc(FromUnixMicros(c.time_micros)) + " (claim " +
               std::to_string(c.id) + ")";
    }
    return Status::Conflict("claim of " + FenText(amount_fen) + " yuan exceeds the " +
                            FenText(row->Int64(2) - row->Int64(3)) + " yuan left of " +
                            FenText(row->Int64(2)) + "; earlier claims: " + named);
  }
  std::array<uint8_t, 32> subject{};
  auto s = row->Blob(4);
  if (s.size() == 32) std::memcpy(subject.data(), s.data(), 32);
  std::string document = "tongban-receipt-claim/1\ncode: " + code.str() +
                         "\nnumber: " + number.ToString() + "\nclaimant: " + claim.claimant +
                         "\namount_fen: " + std::to_string(amount_fen) + "\nreference: " +
                         claim.reference + "\ntime: " +
                         FormatIso8601Utc(FromUnixMicros(claim.time_micros)) + "\n";
  TB_ASSIGN_OR_RETURN(claim.id, tx.InsertReturningId(
                                    "INSERT INTO receipt_claim (receipt_id, claimant_account, "
                                    "claimant, amount_fen, reference, time_micros, document) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {id, r.claimant_account, claim.claimant, amount_fen,
                                     claim.reference, claim.time_micros, document}));
  return ledger::EnqueueEntry(tx, MakeEntry("receipt.claim", subject,
                                            crypto::Hash(options_.hash, document),
                                            claim.time_micros))
      .status();
}

Result<Claim> ReceiptService::ReverseClaim(const ReceiptCode& code, const ReceiptNumber& number,
                                           int64_t claim_id, int64_t claimant_account) {
  Claim claim;
  const int64_t now = options_.clock->NowUnixMicros();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(
                                      "SELECT c.id, c.claimant_account, c.claimant, c.amount_fen, "
                                      "c.reference, c.time_micros, c.reversed_micros, r.id, "
                                      "r.payer_subject FROM receipt_claim c JOIN receipt r ON "
                                      "r.id = c.receipt_id WHERE c.id = ? AND r.code = ? AND "
                                      "r.number = ?",
                                      {claim_id, code.str(), number.value()}));
    if (!row || row->Int64(1) != claimant_account) {
      return Status::NotFound("claim of this claimant", std::to_string(claim_id));
    }
    claim = ClaimFromRow(*row);
    if (claim.reversed_micros) return Status::FailedPrecondition("the claim is already reversed");
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE receipt_claim SET reversed_micros = ? "
                                           "WHERE id = ? AND reversed_micros IS NULL",
                                           {now, claim_id}));
    if (n != 1) return Status::FailedPrecondition("the claim is already reversed");
    TB_RETURN_IF_ERROR(tx.Exec("UPDATE receipt SET claimed_fen = claimed_fen - ? WHERE id = ?",
                               {claim.amount_fen, row->Int64(7)})
                           .status());
    claim.reversed_micros = now;
    std::array<uint8_t, 32> subject{};
    auto s = row->Blob(8);
    if (s.size() == 32) std::memcpy(subject.data(), s.data(), 32);
    std::string document = "tongban-receipt-claim-reversal/1\ncode: " + code.str() +
                           "\nnumber: " + number.ToString() + "\nclaim: " +
                           std::to_string(claim_id) + "\namount_fen: " +
                           std::to_string(claim.amount_fen) + "\ntime: " +
                           FormatIso8601Utc(FromUnixMicros(now)) + "\n";
    return ledger::EnqueueEntry(tx, MakeEntry("receipt.claim-reversal", subject,
                                              crypto::Hash(options_.hash, document), now))
        .status();
  }));
  return claim;
}

Result<ReceiptService::VoidResult> ReceiptService::Void(const ReceiptCode& code,
                                                        const ReceiptNumber& number,
                                                        int64_t issuer_account,
                                                        std::string_view reason,
                                                        const std::optional<NewReceipt>& replacement,
                                                        uint64_t ledger_hint) {
  if (!ValidText(reason, 200)) return Status::InvalidField("/reason", "must be 1-200 bytes of text");
  if (replacement) TB_RETURN_IF_ERROR(Validate(*replacement, "/replacement"));
  auto issuer = IssuerForAccount(issuer_account);
  if (!issuer.ok()) {
    if (issuer.status().code() == ErrorCode::kNotFound) {
      return Status::PermissionDenied("unknown issuer: this account has no receipt number ranges");
    }
    return issuer.status();
  }
  std::vector<CheckCode> checks = {CheckCode::Generate()};
  const int64_t now = options_.clock->NowUnixMicros() / 1'000'000 * 1'000'000;
  VoidResult result;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, FindInTx(tx, code, number));
    // Another issuer's receipt answers as a missing one (issue 15).
    if (!found || found->issuer_id != issuer->id) {
      return Status::NotFound("receipt", ReceiptKey(code, number));
    }
    if (found->status == ReceiptStatus::kVoided) {
      return Status::FailedPrecondition("the receipt is already voided");
    }
    if (found->status == ReceiptStatus::kDestroyed) {
      return Status::FailedPrecondition("the receipt was destroyed");
    }
    if (found->claimed_fen > 0) {
      return Status::FailedPrecondition(
          "a claim of the receipt stands: the claimant must reverse it before the receipt is voided");
    }
    std::optional<std::string> replacement_key;
    result.replacement.reset();
    if (replacement) {
      TB_ASSIGN_OR_RETURN(auto issued,
                          IssueInTx(tx, *issuer, std::span(&*replacement, 1), checks, now,
                                    ledger_hint, ReceiptKey(code, number), "/replacement", false));
      result.replacement = std::move(issued.front());
      replacement_key = ReceiptKey(result.replacement->code, result.replacement->number);
    }
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE receipt SET status = 'voided', void_reason = ?, "
                                           "void_micros = ?, replacement = ? WHERE id = ? AND "
                                           "status = 'issued' AND claimed_fen = 0",
                                           {reason, now,
                                            replacement_key ? Param(*replacement_key) : Param(nullptr),
                                            found->id}));
    if (n != 1) return Status::Conflict("the receipt changed concurrently");
    found->status = ReceiptStatus::kVoided;
    found->void_reason = std::string(reason);
    found->void_micros = now;
    found->replacement = replacement_key;
    std::string document = "tongban-receipt-void/1\ncode: " + code.str() + "\nnumber: " +
                           number.ToString() + "\nreason: " + std::string(reason) + "\ntime: " +
                           FormatIso8601Utc(FromUnixMicros(now)) + "\n" +
                           (replacement_key ? "replacement: " + *replacement_key + "\n" : "");
    TB_RETURN_IF_ERROR(ledger::EnqueueEntry(tx, MakeEntry("receipt.void", found->payer_subject,
                                                          crypto::Hash(options_.hash, document), now))
                           .status());
    result.voided = std::move(*found);
    return Status::Ok();
  }));
  // The replacement took a number outside the issuer's lane: reservations in flight start over.
  if (replacement) lanes_.Reset(issuer->id);
  return result;
}

Result<uint64_t> ReceiptService::ResolveLeaf(const Receipt& r) {
  if (r.leaf_index) return *r.leaf_index;
  // The receipts of one batch were queued together, so their leaves lie together: one scan
  // resolves every unresolved receipt of the batch (the asked-for one always among them).
  // Key: the entry bytes after version and index (time, subject, document, type).
  auto tail_of = [](const std::array<uint8_t, 32>& subject, const std::array<uint8_t, 32>& document,
                    int64_t time) -> Result<std::string> {
    TB_ASSIGN_OR_RETURN(std::string e,
                        ledger::EncodeEntry(MakeEntry("receipt.issue", subject, document, time)));
    return e.substr(9);
  };
  TB_ASSIGN_OR_RETURN(std::string own_tail, tail_of(r.payer_subject, r.document_hash, r.issue_micros));
  std::map<std::string, int64_t> wanted;  // tail -> receipt id
  wanted[own_tail] = r.id;
  constexpr uint64_t kChunk = 4096;
  constexpr uint64_t kMaxScan = 4'000'000;
  std::vector<std::pair<int64_t, uint64_t>> found;  // receipt id, leaf index
  std::optional<uint64_t> own;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, payer_subject, document_hash, issue_micros "
                                            "FROM receipt WHERE batch_id = ? AND leaf_index IS NULL",
                                            {r.batch_id}));
    for (const auto& row : rows) {
      std::array<uint8_t, 32> subject{}, document{};
      if (row.Blob(1).size() != 32 || row.Blob(2).size() != 32) continue;
      std::memcpy(subject.data(), row.Blob(1).data(), 32);
      std::memcpy(document.data(), row.Blob(2).data(), 32);
      TB_ASSIGN_OR_RETURN(std::string t, tail_of(subject, document, row.Int64(3)));
      wanted.emplace(std::move(t), row.Int64(0));
    }
    TB_ASSIGN_OR_RETURN(ledger::LogState state, ledger::ReadLogState(tx));
    found.clear();
    own.reset();
    for (uint64_t begin = r.ledger_hint; begin < state.size && begin < r.ledger_hint + kMaxScan;
         begin += kChunk) {
      TB_ASSIGN_OR_RETURN(auto entries,
                          ledger::ReadEntries(tx, begin, std::min(begin + kChunk, state.size)));
      for (const auto& e : entries) {
        if (e.entry.size() != own_tail.size() + 9) continue;
        auto it = wanted.find(e.entry.substr(9));
        if (it == wanted.end()) continue;
        found.emplace_back(it->second, e.index);
        if (it->first == own_tail) own = e.index;
        wanted.erase(it);
      }
      if (wanted.empty() || (own && found.size() >= rows.size())) break;
      if (own && begin + kChunk >= r.ledger_hint + 2 * kChunk) break;  // the batch's leaves lie together
    }
    return Status::Ok();
  }));
  if (!own) return Status::Unavailable("the receipt is not on the ledger yet");
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    for (const auto& [id, index] : found) {
      TB_RETURN_IF_ERROR(
          tx.Exec("UPDATE receipt SET leaf_index = ? WHERE id = ? AND leaf_index IS NULL",
                  {static_cast<int64_t>(index), id})
              .status());
    }
    return Status::Ok();
  }));
  return *own;
}

Result<std::shared_ptr<const std::string>> ReceiptService::VerifiedManifest(
    int64_t batch_id, const std::string& issuer_sig, const std::string& finance_sig) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = manifests_.find(batch_id);
    if (it != manifests_.end()) return it->second;
  }
  std::string manifest, stored_issuer_sig, stored_finance_sig;
  std::optional<crypto::PublicKey> issuer_key;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    // The issuer key the batch names, among the keys of the batch's own issuer (so a batch
    // naming another hospital's key finds none).
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT b.manifest, k.public_key FROM receipt_batch b "
                                              "LEFT JOIN receipt_issuer_key k ON k.issuer_id = "
                                              "b.issuer_id AND k.key_id = b.issuer_key_id "
                                              "WHERE b.id = ?",
                                              {batch_id}));
    manifest = row ? std::string(row->Text(0)) : "";
    if (row && !row->IsNull(1)) {
      auto key = crypto::PublicKey::FromRaw(options_.issuer_keys->algorithm(), AsChars(row->Blob(1)));
      if (key.ok()) issuer_key = *key;
    }
    return Status::Ok();
  }));
  if (!issuer_key || !issuer_key->Verify(manifest, issuer_sig) ||
      !options_.finance_key->public_key().Verify(manifest, finance_sig)) {
    return std::shared_ptr<const std::string>();
  }
  auto verified = std::make_shared<const std::string>(std::move(manifest));
  std::lock_guard<std::mutex> lock(mu_);
  if (manifests_.size() >= 4096) manifests_.clear();
  manifests_[batch_id] = verified;
  return verified;
}

Result<Integrity> ReceiptService::CheckIntegrity(const Receipt& r, std::optional<uint64_t> leaf_index) {
  Integrity out;
  out.leaf_index = leaf_index;
  auto fail = [&](std::string why) {
    out.intact = false;
    out.problem = std::move(why);
    return out;
  };
  if (leaf_index) {
    std::optional<std::string> bytes;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = leaf_entries_.find(*leaf_index);
      if (it != leaf_entries_.end()) bytes = it->second;
    }
    if (!bytes) {
      TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
        TB_ASSIGN_OR_RETURN(auto entries, ledger::ReadEntries(tx, *leaf_index, *leaf_index + 1));
        if (!entries.empty()) bytes = std::move(entries.front().entry);
        return Status::Ok();
      }));
      if (bytes) {
        std::lock_guard<std::mutex> lock(mu_);
        if (leaf_entries_.size() >= 100000) leaf_entries_.clear();
        leaf_entries_[*leaf_index] = *bytes;
      }
    }
    auto leaf = bytes ? ledger::ParseEntry(*bytes) : Result<ledger::Entry>(Status::NotFound("leaf"));
    if (!leaf.ok()) return fail("the ledger leaf of the receipt is missing or malformed");
    if (leaf->type != "receipt.issue" || leaf->subject != r.payer_subject ||
        leaf->document != r.document_hash || leaf->time_micros != r.issue_micros) {
      return fail("the stored receipt does not match its ledger leaf");
    }
  }
  TB_ASSIGN_OR_RETURN(auto manifest,
                      VerifiedManifest(r.batch_id, r.issuer_signature, r.finance_signature));
  if (!manifest) return fail("the batch signatures do not verify");
  const std::string line = ManifestLine(r.code, r.number, r.document_hash);
  if (manifest->find("\n" + line) == std::string::npos) {
    return fail("the receipt is not listed in its signed batch");
  }
  if (r.status == ReceiptStatus::kDestroyed) {
    out.intact = true;  // the document is gone; hash, batch and leaf still agree
    return out;
  }
  if (!r.document) return fail("the receipt document is missing");
  if (crypto::Hash(options_.hash, *r.document) != r.document_hash) {
    return fail("the receipt document does not match its hash");
  }
  auto decoded = DecodeDocument(*r.document);
  if (!decoded.ok()) return fail("the receipt document is malformed");
  const Receipt& d = decoded->receipt;
  if (d.code != r.code || d.number != r.number || d.check != r.check || d.kind != r.kind ||
      d.issue_micros != r.issue_micros || d.issuer_uscc != r.issuer_uscc ||
      d.issuer_name != r.issuer_name || d.issuer_region != r.issuer_region ||
      d.payer_subject != r.payer_subject || d.total_fen != r.total_fen ||
      d.insurance_fen != r.insurance_fen || d.self_fen != r.self_fen || d.channel != r.channel ||
      d.replaces != r.replaces ||
      decoded->payer_name_mac != options_.subject_hash("name:" + r.payer_name)) {
    return fail("the stored receipt does not match its signed document");
  }
  out.intact = true;
  return out;
}

Result<std::string> ReceiptService::QrText(const Receipt& r) {
  const std::string payload = QrPayload(r);
  std::string raw = r.qr_signature;
  if (raw.size() != crypto::kRawSignatureSize) {
    TB_ASSIGN_OR_RETURN(std::string sig, options_.finance_key->Sign(payload));
    if (crypto::UsesDerSignatures(options_.finance_key->algorithm())) {
      TB_ASSIGN_OR_RETURN(raw, crypto::DerSignatureToRaw(sig));
    } else {
      raw = std::move(sig);
    }
    // First writer wins: every later reader sees the same QR.
    TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
      TB_RETURN_IF_ERROR(tx.Exec("UPDATE receipt SET qr_sig = ? WHERE id = ? AND qr_sig IS NULL",
                                 {Param::Blob(raw), r.id})
                             .status());
      TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT qr_sig FROM receipt WHERE id = ?", {r.id}));
      if (row) raw = std::string(AsChars(row->Blob(0)));
      return Status::Ok();
    }));
  }
  return payload + "." + Base64UrlEncode(raw);
}

bool ReceiptService::QrSignatureValid(std::string_view payload, std::string_view raw) const {
  return options_.finance_key->public_key().VerifyRaw(payload, raw);
}

Result<ReceiptStats> ReceiptService::Stats(int days) {
  ReceiptStats s;
  const CivilDate today = ChinaDate(options_.clock->Now());
  const std::string since = CivilFromDays(DaysFromCivil(today) - std::max(days, 1) + 1).ToString();
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
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
                 {since}));
    s.per_issuer_day.clear();
    for (const auto& d : rows) {
      s.per_issuer_day.push_back({d.Int64(0), std::string(d.Text(1)), std::string(d.Text(2)),
                                  d.Int64(3), d.Int64(4)});
    }
    return Status::Ok();
  }));
  s.paper_saved_grams = s.issued * kPaperGramsPerReceipt;
  return s;
}

Result<ReceiptService::DestroyResult> ReceiptService::Destroy(CivilDate before) {
  if (!before.IsValid()) return Status::InvalidField("before", "is not a calendar date");
  const CivilDate today = ChinaDate(options_.clock->Now());
  CivilDate limit{today.year - options_.retention_years, today.month, today.day};
  if (!limit.IsValid()) limit.day = 28;  // 29 February
  const int64_t before_micros = ChinaMidnightMicros(before);
  const int64_t cutoff = std::min(before_micros, ChinaMidnightMicros(limit));
  const std::string cutoff_day = ChinaDay(cutoff);
  DestroyResult result;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*) FROM receipt WHERE issue_day < ? "
                                              "AND issue_day >= ? AND destroyed_micros IS NULL",
                                              {before.ToString(), cutoff_day}));
    result.kept = row ? row->Int64(0) : 0;
    return Status::Ok();
  }));
  while (true) {
    int64_t done = 0;
    const int64_t now = options_.clock->NowUnixMicros();
    TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
      done = 0;
      // issue_day is the China date of issue_micros and the cutoff a China midnight, so the
      // indexed day comparison selects exactly issue_micros < cutoff.
      TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, code, number, document_hash FROM receipt "
                                              "WHERE issue_day < ? AND destroyed_micros IS NULL "
                                              "ORDER BY issue_day, id LIMIT 1000",
                                              {cutoff_day}));
      if (rows.empty()) return Status::Ok();
      std::string list = "tongban-receipt-destruction/1\nbefore: " + before.ToString() +
                         "\ntime: " + FormatIso8601Utc(FromUnixMicros(now)) + "\n";
      for (const auto& row : rows) {
        TB_ASSIGN_OR_RETURN(auto number, ReceiptNumber::FromInt(row.Int64(2)));
        list += std::string(row.Text(1)) + "/" + number.ToString() + " " +
                crypto::ToHex(row.Blob(3)) + "\n";
        TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE receipt SET document = NULL, payer_name = '', "
                                               "destroyed_micros = ? WHERE id = ? AND "
                                               "destroyed_micros IS NULL",
                                               {now, row.Int64(0)}));
        if (n != 1) return Status::Unavailable("receipt changed concurrently; retry");
      }
      TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO receipt_destruction (time_micros, before_day, count, "
                                 "list) VALUES (?, ?, ?, ?)",
                                 {now, before.ToString(), static_cast<int64_t>(rows.size()), list})
                             .status());
      TB_RETURN_IF_ERROR(ledger::EnqueueEntry(
                             tx, MakeEntry("receipt.destroy", options_.subject_hash("receipt-destruction"),
                                           crypto::Hash(options_.hash, list), now))
                             .status());
      done = static_cast<int64_t>(rows.size());
      return Status::Ok();
    }));
    if (done == 0) break;
    result.destroyed += done;
  }
  return result;
}

}  // namespace tongban::receipt
