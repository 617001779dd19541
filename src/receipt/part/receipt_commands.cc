// `tongban verify-receipt` and `tongban receipts destroy`; see receipt_commands.h. Wiring only:
// receipt/offline_receipt.h and ReceiptService do the work.
#include "receipt/part/receipt_commands.h"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "ledger/part/ledger_part.h"
#include "receipt/offline_receipt.h"
#include "part/key_files.h"
#include "receipt/part/receipt_part.h"

namespace tongban::receipt {

int RunVerifyReceipt(const VerifyReceiptOptions& options) {
  auto answer = part::ReadTextFile(options.answer);
  auto keys = part::ReadTextFile(options.keys);
  if (!answer.ok() || !keys.ok()) {
    std::fprintf(stderr, "tongban verify-receipt: cannot read %s\n",
                 (!answer.ok() ? options.answer : options.keys).string().c_str());
    return 1;
  }
  std::string log_key = options.log_key;
  std::error_code ec;
  if (std::filesystem::is_regular_file(log_key, ec)) {
    auto text = part::ReadTextFile(log_key);
    if (!text.ok()) {
      std::fprintf(stderr, "tongban verify-receipt: cannot read %s\n", log_key.c_str());
      return 1;
    }
    log_key = *text;
  }
  while (!log_key.empty() && std::isspace(static_cast<unsigned char>(log_key.back()))) {
    log_key.pop_back();
  }
  std::optional<std::string_view> qr;
  if (options.qr) qr = *options.qr;
  const receipt::OfflineReceiptReport report = receipt::VerifyReceiptOffline(
      {.answer = *answer, .keys = *keys, .log_key = log_key, .qr = qr});
  for (const auto& c : report.checks) {
    std::printf("%s %s: %s\n", c.ok ? "OK" : "FAIL", c.name.c_str(), c.detail.c_str());
  }
  if (report.ok()) {
    std::printf("OK: the receipt is on the ledger, and the issuer and the finance department "
                "signed it (server status: %s)\n",
                report.status.c_str());
    return 0;
  }
  std::printf("FAILED: the receipt does not verify offline\n");
  return 1;
}

int RunReceiptsDestroy(const part::Commands& commands, const ReceiptsDestroyOptions& options) {
  auto fail = [](const Status& s) { return part::FailCommand("receipts destroy", s); };
  // "YYYY-MM-DD" through the strict ISO parser: midnight UTC of that day gives the date back.
  auto t = ParseIso8601Utc(options.before + "T00:00:00Z", "--before");
  if (!t.ok()) return fail(Status::InvalidField("--before", "must be a date YYYY-MM-DD"));
  const CivilDate before = UtcDate(*t);
  auto program = commands.Open(options.config);
  if (!program.ok()) return fail(program.status());
  auto receipts = (*program)->parts().Require<ReceiptPart>("receipts destroy", "receipt");
  if (!receipts.ok()) return fail(receipts.status());
  auto result = (*receipts)->service().Destroy(before);
  if (!result.ok()) return fail(result.status());
  // Integrate the destruction records now (no server may be running to do it).
  if (Status s = (*program)->Stop(); !s.ok()) return fail(s);
  std::printf("destroyed %lld receipt documents issued before %s (hashes and ledger leaves kept; "
              "recorded on the ledger as receipt.destroy)\n",
              static_cast<long long>(result->destroyed), before.ToString().c_str());
  if (result->kept > 0) {
    std::printf("kept %lld receipts issued before %s that are still within the %lld-year "
                "retention\n",
                static_cast<long long>(result->kept), before.ToString().c_str(),
                static_cast<long long>((*receipts)->config().retention_years));
  }
  return 0;
}

void AddReceiptCommands(part::Commands& commands, VerifyReceiptOptions& verify,
                        ReceiptsDestroyOptions& destroy) {
  CLI::App* verify_cmd = commands.Add(
      nullptr, "verify-receipt",
      "Check a medical e-receipt offline: ledger proof, document, signed batch manifest, QR",
      [&verify] { return RunVerifyReceipt(verify); });
  verify_cmd->add_option("--answer", verify.answer,
                         "The JSON of GET /api/v1/receipts/verify?…&manifest=1")
      ->required();
  verify_cmd->add_option("--keys", verify.keys, "The JSON of GET /api/v1/receipts/keys")->required();
  verify_cmd->add_option("--log-key", verify.log_key,
                         "The ledger's verifier key string, or a file with it")
      ->required();
  verify_cmd->add_option("--qr", verify.qr,
                         "A scanned QR text TBR1.… (its finance signature is checked too)");

  CLI::App* group = commands.AddGroup("receipts", "Medical e-receipt administration");
  const part::Commands* c = &commands;
  CLI::App* destroy_cmd = commands.Add(
      group, "destroy",
      "Destroy (核销) receipt documents past retention; hashes and ledger leaves stay",
      [c, &destroy] { return RunReceiptsDestroy(*c, destroy); });
  part::Commands::AddConfigOption(destroy_cmd, destroy.config);
  destroy_cmd->add_option("--before", destroy.before,
                          "Destroy receipts issued before this date (YYYY-MM-DD, China time)")
      ->required();
}

}  // namespace tongban::receipt
