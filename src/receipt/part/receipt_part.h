// ReceiptPart: medical e-receipts as a part of the program (part/part.h). Config section
// [receipt]; the finance department's key (created at first start), the issuers' keys in the
// platform's custody sealed with a key derived from the ledger's secret; the receipt routes; the
// wallet indexer (a worker); `tongban verify-receipt` and `tongban receipts destroy`; the demo
// hospitals, insurer and finance bureau with their receipts. Needs the ledger part earlier in the
// list. Thread-safety: as part/part.h; service() is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "part/part.h"
#include "receipt/part/receipt_commands.h"
#include "receipt/receipt_service.h"

namespace tongban::ledger {
class LedgerPart;
}

namespace tongban::receipt {

struct ReceiptConfig {
  // 会计档案: accounting vouchers are kept 30 years; `tongban receipts destroy` refuses younger.
  int64_t retention_years = 30;
  // The deployment-wide issuer key of versions before per-issuer keys: only read, when present,
  // so batches it signed stay verifiable (each issuer now has its own keys, in the database).
  std::string issuer_key_file = "keys/receipt-issuer.key";
  // The finance department's batch-manifest and QR signing key (the suite's algorithm; created
  // on first start if missing).
  std::string finance_key_file = "keys/receipt-finance.key";
};

class ReceiptPart : public part::Part {
 public:
  std::string_view name() const override { return "receipt"; }
  std::string DefaultConfig(const part::InitChoices& choices) const override;
  Status Configure(part::ConfigSection& section) override;
  std::vector<store::Migration> Migrations() const override { return ReceiptService::Migrations(); }
  Status Open(const part::PartContext& context) override;
  void AddRoutes(api::Router& router) override;
  void AddMetrics(api::Metrics& metrics) override;
  Status LoadDemo(part::DemoData& demo) override;
  void AddCommands(part::Commands& commands) override;
  Status Start() override;
  Status Stop() override;

  const ReceiptConfig& config() const { return config_; }
  // REQUIRES: Open succeeded.
  ReceiptService& service() { return *service_; }

 private:
  ReceiptConfig config_;
  ledger::LedgerPart* ledger_ = nullptr;
  identity::IdentityService* identity_ = nullptr;
  const Clock* clock_ = nullptr;
  std::unique_ptr<ReceiptService> service_;
  VerifyReceiptOptions verify_options_;
  ReceiptsDestroyOptions destroy_options_;
};

}  // namespace tongban::receipt
