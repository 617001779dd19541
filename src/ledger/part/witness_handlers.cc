// add-checkpoint over HTTP; see witness_handlers.h.
#include "ledger/part/witness_handlers.h"

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
              if (reply.http_status == 503) r.WithHeader("Retry-After", "1");
              return r;
            },
            "text/plain"};
  add.request_type = "text/plain";
  router.Add(std::move(add))
      .Accepts(R"json({
        "type": "string",
        "description": "C2SP tlog-witness request: `old <size>`, one base64 consistency-proof hash per line, a blank line, then the signed checkpoint note"
      })json")
      .Answers(R"json({
        "type": "string",
        "description": "The witness's cosignature line(s) for the checkpoint (C2SP tlog-cosignature); 409 answers the witness's size as text/x.tlog.size"
      })json");
  router.Add(Route{"GET", "/{origin_hash}/checkpoint", "getWitnessedCheckpoint",
                   "The latest checkpoint cosigned for the log whose origin has this SHA-256 (hex).",
                   RouteAccess::Public(),
                   [&witness](const HttpRequest&, const PathParams& p) {
                     auto note = witness.LatestCheckpoint(p.at("origin_hash"));
                     if (!note.ok()) {
                       return HttpResponse::Text(HttpStatusFor(note.status().code()),
                                                 note.status().message() + "\n");
                     }
                     HttpResponse r = HttpResponse::Text(200, *note);
                     r.WithHeader("Cache-Control", "no-cache");
                     return r;
                   },
                   "text/plain"})
      .Answers(R"json({"type": "string", "description": "The latest cosigned checkpoint, a C2SP signed note"})json");
}

}  // namespace tongban::api
