// Reading receipts: one in full, its QR code and printable page; the payer's wallet; see
// receipt_routes.h.

#include "receipt/part/receipt_page.h"
#include "receipt/part/receipt_routes.h"
#include "qr/qr_svg.h"
#include "receipt/receipt_document.h"

namespace tongban::api::receipt_routes {
namespace {

// The receipt's QR code (its signed TBR1 text) as SVG, for the QR route and the printable page.
Result<std::string> ReceiptQrSvg(receipt::ReceiptService& svc, const Receipt& r) {
  TB_ASSIGN_OR_RETURN(std::string text, svc.QrText(r));
  TB_ASSIGN_OR_RETURN(auto rendered, qr::RenderQrSvg(text));
  return std::move(rendered.svg);
}

}  // namespace

void AddReadRoutes(Router& router, const Context& ctx) {
  receipt::ReceiptService& svc = ctx.svc;
  identity::IdentityService& ids = ctx.ids;
  AddReceiptSchemas(router);
  // Loads a receipt the caller may read: the payer (citizen), its issuer, staff and auditors.
  // Anyone else's receipt answers exactly as a missing one (404, the same message), so receipt
  // numbers cannot be probed (issue 15).
  auto load_readable = [&svc, &ids](const HttpRequest& req,
                                    const PathParams& p) -> Result<Receipt> {
    TB_ASSIGN_OR_RETURN(auto key, PathKey(p));
    TB_ASSIGN_OR_RETURN(Receipt r, svc.Get(key.first, key.second));
    const identity::Principal& who = *req.principal;
    bool readable = true;
    if (who.role == identity::Role::kCitizen) {
      TB_ASSIGN_OR_RETURN(identity::Account account, ids.GetAccount(who.account_id));
      readable = !account.subject_id.empty() &&
                 svc.options().subject_hash(account.subject_id) == r.payer_subject;
    } else if (who.role == identity::Role::kDepartmentSystem) {
      readable = r.issuer_account == who.account_id;
    }
    if (!readable) return Status::NotFound("receipt", receipt::ReceiptKey(key.first, key.second));
    return r;
  };
  const RouteAccess readers =
      RouteAccess::Roles({"citizen", "staff", "auditor", "scope:receipt:issue"});
  router.Add(
      Route{"GET", "/api/v1/receipts/{code}/{number}", "getReceipt",
            "A receipt in full: items, totals in fen, status, claims, check code, QR text. For its "
            "payer, its issuing system, staff and auditors; 404 for anyone else, as for a "
            "missing receipt.",
            readers, [&svc, load_readable](const HttpRequest& req, const PathParams& p) {
              auto r = load_readable(req, p);
              if (!r.ok()) return Problem(r.status(), req);
              std::optional<std::string> qr;
              if (r->status != ReceiptStatus::kDestroyed) {
                auto q = svc.QrText(*r);
                if (!q.ok()) return Problem(q.status(), req);
                qr = *q;
              }
              return Json(200, FullJson(*r, qr));
            }})
      .ActsFor("receipts.view")
      .Answers(R"json({"$ref": "#/components/schemas/Receipt"})json");
  router.Add(
      Route{"GET", "/api/v1/receipts/{code}/{number}/qr.svg", "getReceiptQr",
            "The receipt's QR code (TBR1 text, signed by the finance department) as SVG; readers "
            "and 404 as for the receipt.",
            readers,
            [&svc, load_readable](const HttpRequest& req, const PathParams& p) {
              auto r = load_readable(req, p);
              if (!r.ok()) return Problem(r.status(), req);
              if (r->status == ReceiptStatus::kDestroyed) {
                return Problem(Status::FailedPrecondition("the receipt was destroyed"), req);
              }
              auto svg = ReceiptQrSvg(svc, *r);
              if (!svg.ok()) return Problem(svg.status(), req);
              HttpResponse resp = HttpResponse::Text(200, std::move(*svg), "image/svg+xml");
              resp.WithHeader("Cache-Control", "private, max-age=3600");
              return resp;
            },
            "image/svg+xml"});

  router.Add(
      Route{"GET", "/api/v1/receipts/{code}/{number}/print", "printReceipt",
            "The receipt as a printable page (HTML, Chinese), with its QR code; readers and 404 "
            "as for the receipt.",
            readers,
            [&svc, load_readable](const HttpRequest& req, const PathParams& p) {
              auto r = load_readable(req, p);
              if (!r.ok()) return Problem(r.status(), req);
              std::string svg;
              if (r->status != ReceiptStatus::kDestroyed) {
                auto s = ReceiptQrSvg(svc, *r);
                if (!s.ok()) return Problem(s.status(), req);
                svg = std::move(*s);
              }
              HttpResponse resp =
                  HttpResponse::Text(200, RenderReceiptPage(*r, svg), "text/html; charset=utf-8");
              resp.WithHeader("Cache-Control", "private, no-store");
              return resp;
            },
            "text/html"});

  router.Add(Route{
      "GET", "/api/v1/me/receipts", "listMyReceipts",
      "The caller's receipts (as payer), newest first; ?cursor= from next_cursor.",
      RouteAccess::Roles({"citizen"}), [&svc, &ids](const HttpRequest& req, const PathParams&) {
        std::optional<int64_t> cursor;
        if (auto c = req.Query("cursor")) {
          auto v = PositiveInt(*c, "cursor", "is not a cursor from next_cursor");
          if (!v.ok()) return Problem(v.status(), req);
          cursor = *v;
        }
        auto account = ids.GetAccount(req.principal->account_id);
        if (!account.ok()) return Problem(account.status(), req);
        if (account->subject_id.empty())
          return Json(200, object{{"items", array()}, {"next_cursor", nullptr}});
        auto page = svc.ListForPayer(svc.options().subject_hash(account->subject_id), cursor, 20);
        if (!page.ok()) return Problem(page.status(), req);
        array items;
        for (const Receipt& r : page->items) items.push_back(SummaryJson(r));
        return Json(200, object{{"items", std::move(items)},
                                {"next_cursor", page->next_cursor
                                                    ? value(std::to_string(*page->next_cursor))
                                                    : value(nullptr)}});
      }})
      .ActsFor("receipts.view")
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items", "next_cursor"],
        "properties": {
          "items": {"type": "array", "maxItems": 20,
                    "items": {"$ref": "#/components/schemas/ReceiptSummary"}},
          "next_cursor": {"type": ["string", "null"], "pattern": "^[0-9]+$",
                          "description": "?cursor= for the next page; null on the last"}
        }
      })json");
}

}  // namespace tongban::api::receipt_routes
