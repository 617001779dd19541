// `tongban receipts destroy`; see receipt_commands.h. Wiring only: ReceiptService does the work.
#include "cli/receipt_commands.h"

#include <cstdio>

#include "cli/app.h"
#include "cli/config.h"
#include "core/clock.h"

namespace tongban::cli {

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
