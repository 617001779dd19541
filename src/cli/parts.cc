// The parts list; see parts.h.
#include "cli/parts.h"

#include "data/part/data_part.h"
#include "identity/part/identity_part.h"
#include "ledger/part/ledger_part.h"
#include "license/part/license_part.h"
#include "notify/part/notify_part.h"
#include "receipt/part/receipt_part.h"
#include "service/part/service_part.h"

namespace tongban::cli {

std::vector<std::unique_ptr<part::Part>> MakeParts() {
  std::vector<std::unique_ptr<part::Part>> parts;
  parts.push_back(std::make_unique<identity::IdentityPart>());
  parts.push_back(std::make_unique<notify::NotifyPart>());
  parts.push_back(std::make_unique<ledger::LedgerPart>());
  parts.push_back(std::make_unique<receipt::ReceiptPart>());
  parts.push_back(std::make_unique<license::LicensePart>());
  parts.push_back(std::make_unique<data::DataPart>());
  parts.push_back(std::make_unique<service::ServicePart>());
  return parts;
}

}  // namespace tongban::cli
