// add-checkpoint over HTTP; see witness_handlers.h.
#include "api/witness_handlers.h"

#include <spdlog/spdlog.h>

namespace tongban::api {

void AddWitnessRoutes(Router& router, ledger::Witness& witness) {
  Route add{"POST", "/add-checkpoint", "addCheckpoint",
            "C2SP tlog-witness: cosign a checkpoint that is consistent with the last one cosigned.",
            RouteAccess::Public(),
            [&witness](const HttpRequest& req, const PathParams&) {
              ledger::WitnessReply reply = witness.AddCheckpoint(req.body);
              if (!reply.status.ok()) {
                spdlog::info(R"({{"rid":"{}","event":"witness_refused","status":{},"reason":"{}"}})",
                             req.request_id, reply.http_status,
                             std::string(ErrorCodeName(reply.status.code())));
              }
              HttpResponse r;
              r.status = reply.http_status;
              r.content_type = reply.content_type.empty() ? "text/plain; charset=utf-8"
                                                          : reply.content_type;
              r.body = std::move(reply.body);
              return r;
            },
            "text/plain"};
  add.request_type = "text/plain";
  router.Add(std::move(add));
}

}  // namespace tongban::api
