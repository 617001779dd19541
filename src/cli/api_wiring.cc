// Route wiring; see api_wiring.h.
#include "cli/api_wiring.h"

#include <chrono>
#include <memory>
#include <mutex>

#include "api/api_key_handlers.h"
#include "api/auth_handlers.h"
#include "api/embedded_files.h"
#include "api/ledger_handlers.h"
#include "api/license_handlers.h"
#include "api/receipt_handlers.h"

namespace tongban::cli {

void WireApi(App& app, api::Dispatcher& dispatcher) {
  const Config& config = app.config();
  api::AddWebRoutes(dispatcher.router());
  api::AddAuthRoutes(dispatcher.router(), app.identity());
  api::AddApiKeyRoutes(dispatcher.router(), app.identity());
  api::AddLedgerRoutes(dispatcher.router(), app.log_reader(),
                       api::LedgerRoutesOptions{
                           .verifier_key = app.ledger_verifier_key(),
                           .latest_note = [&app] { return app.publisher().LatestNote(); }});
  api::AddReceiptRoutes(dispatcher.router(),
                        api::ReceiptRoutesOptions{.service = &app.receipts(),
                                                  .reader = &app.log_reader(),
                                                  .sequencer = &app.sequencer(),
                                                  .identity = &app.identity()});
  api::AddLicenseRoutes(dispatcher.router(), app.licenses(), app.identity(),
                        api::LicenseLedgerOptions{.reader = &app.log_reader(),
                                                  .sequencer = &app.sequencer()});
  dispatcher.AddSystemRoutes();
  dispatcher.set_authoriser(api::MakeAuthoriser(app.identity()));
  dispatcher.set_idempotency(&app.idempotency());
  auto bucket = [](int64_t rate) {
    return api::RateLimit{static_cast<double>(rate), 2.0 * static_cast<double>(rate)};
  };
  dispatcher.SetRateLimits(bucket(config.server.rate_limit_per_address),
                           bucket(config.server.rate_limit_per_api_key));
  dispatcher.AddReadinessProbe("database", [&app] {
    return app.db().Read([](store::Tx& tx) { return tx.QueryRow("SELECT 1").status(); });
  });
  dispatcher.AddReadinessProbe("sequencer", [&app] {
    auto queue = app.log_reader().Queue();
    if (!queue.ok()) return queue.status();
    if (queue->oldest_time_micros &&
        app.clock().NowUnixMicros() - *queue->oldest_time_micros > 30'000'000) {
      return Status::Unavailable("ledger sequencer is more than 30 s behind");
    }
    return Status::Ok();
  });
  auto& metrics = dispatcher.metrics();
  metrics.AddGauge("tongban_login_backoff_refusals_total",
                   "Logins refused because the account is backing off after failures (429).",
                   [&app] { return double(app.identity().login_guard().backoff_refusals()); });
  metrics.AddGauge("tongban_login_busy_refusals_total",
                   "Logins refused because too many password checks were waiting (503).",
                   [&app] { return double(app.identity().login_guard().busy_refusals()); });
  metrics.AddGauge("tongban_ledger_size", "Leaves integrated into the ledger.",
                   [&app] { return static_cast<double>(app.sequencer().size()); });
  // The queue's depth and age: one query per scrape for both gauges.
  auto queue = std::make_shared<api::CachedReading<ledger::QueueStats>>(
      std::chrono::milliseconds(100), [&app]() -> std::optional<ledger::QueueStats> {
        auto q = app.log_reader().Queue();
        if (!q.ok()) return std::nullopt;
        return *q;
      });
  metrics.AddGauge("tongban_ledger_queue_depth", "Ledger entries queued, not yet integrated.",
                   [queue] {
                     auto q = queue->Get();
                     return q ? static_cast<double>(q->depth) : -1.0;
                   });
  metrics.AddGauge("tongban_ledger_lag_seconds", "Age of the oldest queued ledger entry.",
                   [&app, queue] {
                     auto q = queue->Get();
                     if (!q || !q->oldest_time_micros) return 0.0;
                     return static_cast<double>(app.clock().NowUnixMicros() -
                                                *q->oldest_time_micros) / 1e6;
                   });
  metrics.AddGauge("tongban_ledger_published_size", "Size of the published (cosigned) checkpoint.",
                   [&app] { return static_cast<double>(app.publisher().stats().published_size); });
  metrics.AddGauge("tongban_ledger_witness_quorum_failures_total",
                   "Witness rounds with fewer cosignatures than the quorum.",
                   [&app] { return static_cast<double>(app.publisher().stats().quorum_failures); });
  metrics.AddGauge("tongban_ledger_batch_failures_total", "Sequencer batches rolled back.",
                   [&app] { return static_cast<double>(app.sequencer().stats().failures); });
  // Receipt figures: one query set, cached for 5 s and shared by the gauges of one scrape.
  auto figures = std::make_shared<api::CachedReading<receipt::ReceiptStats>>(
      std::chrono::seconds(5), [&app]() -> std::optional<receipt::ReceiptStats> {
        auto s = app.receipts().Stats(1);
        if (!s.ok()) return std::nullopt;
        return std::move(s).value();
      });
  auto receipt_gauge = [figures](int64_t receipt::ReceiptStats::*field) {
    return [figures, field] {
      auto s = figures->Get();
      return s ? static_cast<double>((*s).*field) : -1.0;
    };
  };
  metrics.AddGauge("tongban_receipts_issued", "Receipts issued (all time).",
                   receipt_gauge(&receipt::ReceiptStats::issued));
  metrics.AddGauge("tongban_receipts_voided", "Receipts voided (红冲).",
                   receipt_gauge(&receipt::ReceiptStats::voided));
  metrics.AddGauge("tongban_receipts_destroyed", "Receipt documents destroyed after retention.",
                   receipt_gauge(&receipt::ReceiptStats::destroyed));
  metrics.AddGauge("tongban_receipt_claims", "Standing (unreversed) reimbursement claims.",
                   receipt_gauge(&receipt::ReceiptStats::claims));
  metrics.AddGauge("tongban_receipt_claimed_fen", "Fen claimed by standing claims.",
                   receipt_gauge(&receipt::ReceiptStats::claimed_fen));
  metrics.AddGauge("tongban_receipt_paper_saved_grams",
                   "Paper not printed: receipts issued x grams per receipt (docs/receipt.md).",
                   receipt_gauge(&receipt::ReceiptStats::paper_saved_grams));
}

}  // namespace tongban::cli
