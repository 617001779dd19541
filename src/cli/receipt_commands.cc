// `tongban verify-receipt` and `tongban receipts destroy`; see receipt_commands.h. Wiring only:
// receipt/offline_receipt.h and ReceiptService do the work.
#include "cli/receipt_commands.h"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/app.h"
#include "cli/config.h"
#include "core/clock.h"
#include "receipt/offline_receipt.h"

namespace tongban::cli {
namespace {

std::optional<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int RunVerifyReceipt(const VerifyReceiptOptions& options) {
  auto answer = ReadWholeFile(options.answer);
  auto keys = ReadWholeFile(options.keys);
  if (!answer || !keys) {
    std::fprintf(stderr, "tongban verify-receipt: cannot read %s\n",
                 (!answer ? options.answer : options.keys).string().c_str());
    return 1;
  }
  std::string log_key = options.log_key;
  std::error_code ec;
  if (std::filesystem::is_regular_file(log_key, ec)) {
    auto text = ReadWholeFile(log_key);
    if (!text) {
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

int RunReceiptsDestroy(const ReceiptsDestroyOptions& options) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "tongban: %s\n", s.ToString().c_str());
    return 1;
  };
  // "YYYY-MM-DD" through the strict ISO parser: midnight UTC of that day gives the date back.
  auto t = ParseIso8601Utc(options.before + "T00:00:00Z", "--before");
  if (!t.ok()) return fail(Status::InvalidField("--before", "must be a date YYYY-MM-DD"));
  const CivilDate before = UtcDate(*t);
  auto config = LoadConfig(options.config);
  if (!config.ok()) return fail(config.status());
  auto app = App::Open(*config);
  if (!app.ok()) return fail(app.status());
  auto result = (*app)->receipts().Destroy(before);
  if (!result.ok()) return fail(result.status());
  // Integrate the destruction records now (no server may be running to do it).
  if (Status s = (*app)->sequencer().Stop(); !s.ok()) return fail(s);
  std::printf("destroyed %lld receipt documents issued before %s (hashes and ledger leaves kept; "
              "recorded on the ledger as receipt.destroy)\n",
              static_cast<long long>(result->destroyed), before.ToString().c_str());
  if (result->kept > 0) {
    std::printf("kept %lld receipts issued before %s that are still within the %lld-year "
                "retention\n",
                static_cast<long long>(result->kept), before.ToString().c_str(),
                static_cast<long long>(config->receipt.retention_years));
  }
  return 0;
}

}  // namespace tongban::cli
