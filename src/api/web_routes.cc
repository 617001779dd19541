// Serves the embedded web pages with content types and cache headers.
#include <string>

#include "api/embedded_files.h"

namespace tongban::api {
namespace {

std::string ContentTypeFor(std::string_view name) {
  auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

const EmbeddedFile* Find(std::string_view name) {
  for (const auto& f : EmbeddedFiles()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

HttpResponse Serve(const EmbeddedFile& f) {
  HttpResponse r = HttpResponse::Text(200, std::string(f.content), ContentTypeFor(f.name));
  r.WithHeader("Cache-Control", "no-cache");
  // Pages load only our own scripts and styles: no CDN, no inline script.
  r.WithHeader("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
               "base-uri 'none'; frame-ancestors 'none'");
  return r;
}

}  // namespace

void AddWebRoutes(Router& router) {
  // The pages: path, embedded file, operation id, summary. All public: the pages hold no data;
  // what they show comes from the API, which checks who is calling.
  struct Page {
    const char* path;
    const char* file;
    const char* operation;
    const char* summary;
  };
  static constexpr Page kPages[] = {
      {"/", "index.html", "getHome", "The landing page (zh/en)."},
      {"/api", "api.html", "getApiPage",
       "The human-readable API page (rendered from the OpenAPI document)."},
      {"/portal", "portal.html", "getPortalPage",
       "Citizen portal: wallet of licences and receipts, presentations, who verified them."},
      {"/console", "console.html", "getConsolePage",
       "Staff console: scan or paste a licence presentation or receipt QR and verify it."},
      {"/portal/account", "account.html", "getAccountPage",
       "Account and security: log in or reset the password with a one-time code, my sessions and "
       "devices (end one or all others), download my data with its progress."},
      {"/portal/attorneys", "attorneys.html", "getMyAttorneysPage",
       "My authorisations: give, see and withdraw powers of attorney, act for someone who authorised "
       "me (with a banner on every page), what others did for me."},
      {"/console/attorneys", "attorneys.html", "getConsoleAttorneysPage",
       "Window staff: an assisted power of attorney confirmed by the citizen's one-time code; an "
       "enterprise's agents (经办人)."},
      {"/portal/inbox", "inbox.html", "getMyInboxPage",
       "My messages: the inbox (newest first, unread count, read when opened) and my notification "
       "settings: language, phone, e-mail and the channels of each kind of notice."},
      {"/portal/data", "mydata.html", "getMyDataPage",
       "My data: my records by department, who read them (proofs checked in the browser), grants."},
      {"/console/data", "datalookup.html", "getDataLookupPage",
       "Staff look-up of a person's data under a sharing agreement or a case, with its sources."},
      {"/console/department", "department.html", "getDepartmentPage",
       "A department's sharing agreements: approve, reject, revoke, request."},
      {"/portal/services", "services.html", "getServicesPage",
       "One-thing services: apply (pre-filled form, licences from the wallet, uploads, co-applicant), "
       "confirm, supplement, my applications and their progress, the inbox."},
      {"/console/services", "tasks.html", "getServiceTasksPage",
       "A department's one-thing tasks: queue, case with sources and materials, claim, approve with "
       "staff fields, refuse, ask for more; figures."},
      {"/console/reviews", "reviews.html", "getServiceReviewsPage",
       "A department's appeals against automatic decisions (秒批) beside their explanation, reversed "
       "or upheld; remediation of bad ratings (好差评) step by step with deadlines; rating figures."},
      {"/verify", "verify.html", "getVerifyPage",
       "Public verification of a receipt or licence QR, with the ledger proof checked in the "
       "browser."},
      {"/explorer", "explorer.html", "getExplorerPage",
       "Ledger explorer: checkpoints, entries, inclusion and consistency proofs checked in the "
       "browser."},
  };
  for (const Page& page : kPages) {
    // Looked up once: the embedded table is immutable and lives for the whole program.
    const EmbeddedFile* f = Find(page.file);
    router.Add(Route{"GET", page.path, page.operation, page.summary, RouteAccess::Public(),
                     [f](const HttpRequest&, const PathParams&) {
                       return f ? Serve(*f) : HttpResponse::Text(404, "no pages built");
                     },
                     "text/html"});
  }
  router.Add(Route{"GET", "/static/{name}", "getStaticFile", "A file of the web pages.",
                   RouteAccess::Public(),
                   [](const HttpRequest&, const PathParams& p) {
                     const EmbeddedFile* f = Find(p.at("name"));
                     if (f == nullptr) {
                       return HttpResponse::Text(404, "not found");
                     }
                     return Serve(*f);
                   },
                   "text/html"});
}

}  // namespace tongban::api
