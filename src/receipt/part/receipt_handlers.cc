// Receipt endpoints; see receipt_handlers.h. The routes are in groups of readable size
// (receipt_*_routes.cc), sharing receipt_routes.h; this file wires them in order.
#include "receipt/part/receipt_handlers.h"

#include <memory>

#include "receipt/part/receipt_routes.h"

namespace tongban::api {

void AddReceiptRoutes(Router& router, ReceiptRoutesOptions opt) {
  const receipt_routes::Context ctx{
      *opt.service,    *opt.reader,
      *opt.sequencer,  *opt.identity,
      opt.ledger_wait, std::make_shared<receipt_routes::VerifyCache>(opt.verify_cache_ttl)};
  receipt_routes::AddIssueRoutes(router, ctx);
  receipt_routes::AddVerifyRoutes(router, ctx);
  receipt_routes::AddAdminRoutes(router, ctx);
  receipt_routes::AddReadRoutes(router, ctx);
  receipt_routes::AddClaimRoutes(router, ctx);
}

}  // namespace tongban::api
