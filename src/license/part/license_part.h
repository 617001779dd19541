// LicensePart: e-licences as a part of the program (part/part.h). Config section [license]: the
// issuer key (ES256 under intl, SM2 under gm; created at first start) and the trust list of other
// regions' issuers (docs/license.md); the licence, wallet and verification routes; at every start
// licences past expiry are marked expired and spent presentations purged; `tongban
// verify-license`; the demo wallets and the registry system that issues business licences. Needs
// the ledger part earlier in the list. Thread-safety: as part/part.h; service() is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/periodic.h"
#include "license/license_service.h"
#include "license/part/license_commands.h"
#include "part/part.h"

namespace tongban::ledger {
class LedgerPart;
}

namespace tongban::license {

struct LicenseConfig {
  std::string issuer_key_file = "keys/license-issuer.pem";
  // Other regions' issuers whose presentations verify here; absent file = only this node's.
  std::string trust_list_file = "license-trust.json";
  // `iss` of this node's licences, where its status list is served; empty = https://<host of
  // the ledger origin>/api/v1/licenses.
  std::string issuer_url;
};

class LicensePart : public part::Part {
 public:
  std::string_view name() const override { return "license"; }
  std::string DefaultConfig(const part::InitChoices& choices) const override;
  Status Configure(part::ConfigSection& section) override;
  std::vector<store::Migration> Migrations() const override { return LicenseService::Migrations(); }
  Status Open(const part::PartContext& context) override;
  void AddRoutes(api::Router& router) override;
  Status LoadDemo(part::DemoData& demo) override;
  void AddCommands(part::Commands& commands) override;
  Status Start() override;
  Status Stop() override;

  const LicenseConfig& config() const { return config_; }
  // REQUIRES: Open succeeded.
  LicenseService& service() { return *service_; }

 private:
  LicenseConfig config_;
  ledger::LedgerPart* ledger_ = nullptr;
  identity::IdentityService* identity_ = nullptr;
  std::unique_ptr<LicenseService> service_;
  VerifyLicenseOptions verify_options_;
  Periodic expiring_sweep_;  // NotifyExpiring, daily; last, so stopped first
};

}  // namespace tongban::license
