// Issuing receipts and voiding them (红冲): ReceiptService::Validate, Issue and Void with their
// steps — numbering from the issuer's ranges (AssignNumbers, through the issuer's NumberLanes),
// the CPU work outside the write transaction (Prepare: documents, hashes, the signed batch
// manifest), and the write (WriteBatch: ranges moved conditionally, batch row, receipts, wallet
// queue rows, ledger entries, in one transaction). A void's replacement is issued inside the
// void's own transaction (IssueInTx). See receipt_service.h; SQL: receipt_repo.cc.
#include "receipt/receipt_service.h"

#include <algorithm>

#include "core/citizen_id.h"
#include "core/clock.h"
#include "core/money.h"
#include "crypto/hash.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "notify/outbox.h"
#include "receipt/receipt_document.h"
#include "receipt/receipt_repo.h"

namespace tongban::receipt {
namespace {

constexpr size_t kMaxBatch = 1000;
// A batch's ranges moved between its reservation and its write (another process, or a number
// taken outside the issuer's lane): the batch is numbered again.
constexpr std::string_view kRangeRace = "number range changed concurrently; retry";
bool IsRangeRace(const Status& s) {
  return s.code() == ErrorCode::kUnavailable && s.message() == kRangeRace;
}
constexpr size_t kMaxItems = 200;

std::string Field(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  out.append("/").append(name);
  return out;
}

}  // namespace

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
      TB_ASSIGN_OR_RETURN(ranges, ReceiptRepo::RangeCursorsOf(tx, issuer->id));
      return Status::Ok();
    }));
    return ranges;
  };
  auto code_taken = [&](const std::string& code) -> Result<bool> {
    bool taken = false;
    TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(taken, ReceiptRepo::CodeTaken(tx, code));
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
    if (options_.notify_payers) batch.payer_ids.push_back(id->RevealFullNumber());
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
    TB_ASSIGN_OR_RETURN(int64_t n, ReceiptRepo::AdvanceRange(tx, after[k].id, from, after[k].next));
    if (n != 1) return Status::Unavailable(std::string(kRangeRace));
  }
  // 2. The signed manifest.
  TB_ASSIGN_OR_RETURN(int64_t batch_id,
                      ReceiptRepo::InsertBatch(tx, issuer.id, batch.manifest, batch.issuer_sig,
                                               batch.finance_sig, now));
  // 3. The receipts, their wallet queue rows and their ledger entries.
  TB_ASSIGN_OR_RETURN(int64_t last_id, ReceiptRepo::MaxReceiptId(tx));
  std::vector<ledger::Entry> entries;
  entries.reserve(batch.receipts.size());
  for (Receipt& r : batch.receipts) {
    r.batch_id = batch_id;
    r.issuer_signature = batch.issuer_sig.signature;
    r.issuer_key_id = batch.issuer_sig.key_id;
    r.finance_signature = batch.finance_sig;
    entries.push_back(MakeEntry("receipt.issue", r.payer_subject, r.document_hash, now));
  }
  TB_RETURN_IF_ERROR(
      ReceiptRepo::InsertReceipts(tx, issuer.id, batch_id, now, ledger_hint, batch.receipts));
  TB_ASSIGN_OR_RETURN(int64_t queued, ReceiptRepo::QueueForWallet(tx, last_id, batch_id));
  if (queued != static_cast<int64_t>(batch.receipts.size())) {
    return Status::Internal("receipt wallet queue").WithDetail(
        "queued " + std::to_string(queued) + " of " + std::to_string(batch.receipts.size()));
  }
  if (!batch.payer_ids.empty()) {
    // Each payer told in their inbox, committed with the receipts (notify/outbox.h); the ids are
    // there when options.notify_payers is set (Prepare).
    std::vector<notify::Notice> notices;
    notices.reserve(batch.receipts.size());
    for (size_t i = 0; i < batch.receipts.size() && i < batch.payer_ids.size(); ++i) {
      const Receipt& r = batch.receipts[i];
      const std::string code = r.code.str() + "-" + r.number.ToString();
      notices.push_back({.event_id = "receipt.issued:" + code,
                         .recipient = batch.payer_ids[i],
                         .template_id = "receipt.issued",
                         .vars = {{"issuer", issuer.name}, {"amount", Fen(r.total_fen).ToYuanString()}, {"code", code}}});
    }
    TB_RETURN_IF_ERROR(notify::EnqueueAll(tx, notices, now / 1'000'000));
  }
  return ledger::EnqueueEntries(tx, entries);
}

Result<std::vector<Receipt>> ReceiptService::IssueInTx(store::Tx& tx, const Issuer& issuer,
                                                       std::span<const NewReceipt> receipts,
                                                       std::span<const CheckCode> checks,
                                                       int64_t now, uint64_t ledger_hint,
                                                       const std::optional<std::string>& replaces,
                                                       std::string_view field_prefix, bool batch) {
  TB_ASSIGN_OR_RETURN(std::vector<RangeCursor> before, ReceiptRepo::RangeCursorsOf(tx, issuer.id));
  std::vector<RangeCursor> after = before;
  std::vector<AssignedNumber> numbers;
  auto code_taken = [&](const std::string& code) { return ReceiptRepo::CodeTaken(tx, code); };
  const int year = ChinaDate(FromUnixMicros(now)).year;
  TB_RETURN_IF_ERROR(AssignNumbers(after, receipts, year, field_prefix, batch, code_taken, numbers));
  TB_ASSIGN_OR_RETURN(PreparedBatch prepared,
                      Prepare(issuer, receipts, numbers, checks, now, ledger_hint, replaces, &tx));
  TB_RETURN_IF_ERROR(WriteBatch(tx, issuer, before, after, prepared, now, ledger_hint));
  return std::move(prepared.receipts);
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
    TB_ASSIGN_OR_RETURN(auto found, ReceiptRepo::FindReceipt(tx, code, number));
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
    TB_ASSIGN_OR_RETURN(int64_t n,
                        ReceiptRepo::MarkVoided(tx, found->id, reason, now, replacement_key));
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

}  // namespace tongban::receipt
