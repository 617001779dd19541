// Issuing receipts: POST /api/v1/receipts; see receipt_routes.h.

#include "api/json_body.h"
#include "receipt/part/receipt_routes.h"

namespace tongban::api::receipt_routes {

void AddIssueRoutes(Router& router, const Context& ctx) {
  receipt::ReceiptService& svc = ctx.svc;
  ledger::Sequencer& seq = ctx.seq;
  AddReceiptSchemas(router);
  router.Add(Route{
      "POST", "/api/v1/receipts", "issueReceipts",
      "Issue one receipt, or a batch {\"receipts\":[...]} of up to 1,000 (all or none); each "
      "becomes a ledger entry.",
      RouteAccess::Roles({"scope:receipt:issue"}),
      [&svc, &seq](const HttpRequest& req, const PathParams&) {
        boost::system::error_code ec;
        boost::json::parse_options po;
        po.max_depth = 16;
        // The DOM of a batch (~7,000 objects and strings) lives for this request only: a
        // monotonic arena makes building it cheap and freeing it one step (it cost as much as
        // parsing with the default allocator).
        boost::json::monotonic_resource arena;
        value body = boost::json::parse(req.body, ec, &arena, po);
        if (ec) {
          return Problem(Status::InvalidArgument("request body is not valid JSON: " + ec.message()),
                         req);
        }
        if (!body.is_object()) {
          return Problem(Status::InvalidArgument("request body must be a JSON object"), req);
        }
        std::vector<receipt::NewReceipt> in;
        const object& o = body.as_object();
        const bool batch = o.contains("receipts");
        if (batch) {
          if (Status s = RejectUnknownFields(o, {"receipts"}, ""); !s.ok()) return Problem(s, req);
          const value& list = o.at("receipts");
          if (!list.is_array() || list.as_array().empty() || list.as_array().size() > kMaxBatch) {
            return Problem(Status::InvalidField("/receipts", "must be an array of 1-1000 receipts"),
                           req);
          }
          for (size_t i = 0; i < list.as_array().size(); ++i) {
            auto r = ParseNewReceipt(list.as_array()[i], "/receipts/" + std::to_string(i));
            if (!r.ok()) return Problem(r.status(), req);
            in.push_back(std::move(r).value());
          }
        } else {
          auto r = ParseNewReceipt(body, "");
          if (!r.ok()) return Problem(r.status(), req);
          in.push_back(std::move(r).value());
        }
        auto issued = svc.Issue(req.principal->account_id, in, batch, seq.size());
        if (!issued.ok()) return Problem(issued.status(), req);
        if (!batch) return Json(201, FullJson(issued->front(), std::nullopt));
        array out;
        for (const Receipt& r : *issued) {
          out.push_back(object{{"code", r.code.str()},
                               {"number", r.number.ToString()},
                               {"check_code", r.check.str()},
                               {"total_fen", r.total_fen}});
        }
        return Json(201, object{{"count", issued->size()}, {"receipts", std::move(out)}});
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "description": "One receipt, or a batch of up to 1,000 issued all or none.",
        "oneOf": [
          {"$ref": "#/components/schemas/NewReceipt"},
          {
            "type": "object", "additionalProperties": false, "required": ["receipts"],
            "properties": {
              "receipts": {"type": "array", "minItems": 1, "maxItems": 1000,
                           "items": {"$ref": "#/components/schemas/NewReceipt"}}
            }
          }
        ]
      })json")
      .Answers(R"json({
        "description": "One receipt: the receipt in full (qr_text null: GET the receipt for it). A batch: each receipt's code, number, check code and total.",
        "oneOf": [
          {"$ref": "#/components/schemas/Receipt"},
          {
            "type": "object", "additionalProperties": false, "required": ["count", "receipts"],
            "properties": {
              "count": {"type": "integer", "minimum": 1, "maximum": 1000, "examples": [2]},
              "receipts": {
                "type": "array",
                "items": {
                  "type": "object", "additionalProperties": false,
                  "required": ["code", "number", "check_code", "total_fen"],
                  "properties": {
                    "code": {"type": "string", "pattern": "^[0-9]{2}040[12][0-9]{2}$",
                             "examples": ["33040126"]},
                    "number": {"type": "string", "pattern": "^[0-9]{10}$",
                               "examples": ["0000000001"]},
                    "check_code": {"type": "string", "pattern": "^[0-9A-HJ-NP-Z]{6}$",
                                   "examples": ["WVKPFZ"]},
                    "total_fen": {"type": "integer", "examples": [7200]}
                  }
                }
              }
            }
          }
        ]
      })json",
               201);
}

}  // namespace tongban::api::receipt_routes
