// Download my data: routes and the background job; see my_data_export.h.
#include "identity/part/my_data_export.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <exception>

#include "api/json_answer.h"
#include "api/problem.h"
#include "identity/part/auth_handlers.h"
#include "notify/outbox.h"

namespace tongban::identity {
namespace {

using api::HttpRequest;
using api::HttpResponse;
using api::PathParams;
using api::ProblemResponse;
using api::Route;
using api::RouteAccess;

constexpr int kMaxPages = 200;  // per route: 200 pages of a list are far more than a person has
// A running job with no step for this long lost its builder (a crash, a stop): queued again.
constexpr int64_t kStaleSeconds = 300;

const std::vector<std::string> kPeople = {"citizen", "enterprise", "staff", "auditor", "admin"};

boost::json::object StatusJson(const DataExport& e) {
  return boost::json::object{{"id", e.id},
                             {"status", e.status},
                             {"progress", e.progress},
                             {"created_at", api::IsoSeconds(e.created_at)},
                             {"finished_at", api::IsoSeconds(e.finished_at)},
                             {"downloaded_at", api::IsoSeconds(e.downloaded_at)},
                             {"expires_at", api::IsoSeconds(e.expires_at)}};
}

constexpr std::string_view kStatusSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["id", "status", "progress", "created_at", "finished_at", "downloaded_at",
               "expires_at"],
  "properties": {
    "id": {"type": "integer"},
    "status": {"enum": ["queued", "running", "ready", "downloaded", "failed", "expired"]},
    "progress": {"type": "integer", "minimum": 0, "maximum": 100, "description": "Percent"},
    "created_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
    "downloaded_at": {"type": ["string", "null"], "format": "date-time"},
    "expires_at": {"type": "string", "format": "date-time",
                   "description": "Not downloaded by then: erased"}
  }
})json";

}  // namespace

MyDataExportJob::MyDataExportJob(store::Database& db, const Clock& clock,
                                 IdentityService& identity)
    : db_(db), clock_(clock), identity_(identity), exports_(db, clock) {}

Result<std::string> MyDataExportJob::Build(const DataExport& job) {
  TB_ASSIGN_OR_RETURN(Account account, identity_.GetAccount(job.account_id));
  Principal principal;
  principal.account_id = account.id;
  principal.role = account.role;
  const std::vector<MyDataSection> sections = identity_.my_data().All();
  size_t total = 0;
  for (const auto& s : sections) total += s.routes.size();
  size_t done = 0;
  boost::json::array out_sections;
  for (const MyDataSection& section : sections) {
    boost::json::array parts;
    for (const std::string& path : section.routes) {
      boost::json::object part{{"route", path}};
      api::Router::Match match = router_ ? router_->Find("GET", path) : api::Router::Match{};
      if (match.kind != api::Router::MatchKind::kFound || match.route->access.is_public) {
        ++done;
        continue;  // not in this program (a part not built or not configured)
      }
      boost::json::array items;
      boost::json::value whole;
      int status = 200;
      std::optional<std::string> cursor;
      // The route's own access rule, as the dispatcher would apply it to the person's request:
      // a route the person may not call is not called for them here either.
      if (!api::Authorise(principal, match.route->access).ok()) {
        status = 403;
      } else {
        try {
          for (int page = 0; page < kMaxPages; ++page) {
            HttpRequest req;
            req.method = "GET";
            req.path = path;
            req.target = path;
            if (cursor) {
              req.query["cursor"] = *cursor;
              req.target += "?cursor=" + *cursor;
            }
            req.request_id = "export-" + std::to_string(job.id);
            req.remote_address = "127.0.0.1";
            req.principal = principal;
            req.route_pattern = match.route->pattern;
            HttpResponse r = match.route->handler(req, match.params);
            status = r.status;
            if (r.later || r.content_type.find("json") == std::string::npos) {
              status = 0;
              break;
            }
            boost::system::error_code ec;
            boost::json::value v = boost::json::parse(r.body, ec);
            if (ec) {
              status = 0;
              break;
            }
            const boost::json::value* list =
                v.is_object() ? v.as_object().if_contains("items") : nullptr;
            if (r.status != 200 || list == nullptr || !list->is_array()) {
              whole = std::move(v);
              break;
            }
            for (const auto& item : list->as_array()) items.push_back(item);
            const boost::json::value* next = v.as_object().if_contains("next_cursor");
            if (next == nullptr || next->is_null()) break;
            cursor = next->is_string() ? std::string(next->as_string())
                                       : boost::json::serialize(*next);
          }
        } catch (const std::exception& e) {
          // One route failing must not take the job (or the process: the worker has no catch)
          // down: its part says so, the rest of the copy is still built.
          spdlog::warn(R"({{"msg":"data export route failed","export_id":{},"route":"{}",)"
                       R"("error":"{}"}})",
                       job.id, path, e.what());
          status = 500;
          items.clear();
          whole = nullptr;
        } catch (...) {
          status = 500;
          items.clear();
          whole = nullptr;
        }
      }
      part["status"] = status;
      if (whole.is_null()) {
        part["items"] = std::move(items);
      } else {
        part["answer"] = std::move(whole);
      }
      parts.push_back(std::move(part));
      ++done;
      if (total > 0) {
        TB_RETURN_IF_ERROR(
            exports_.SetProgress(job.id, std::min<int64_t>(99, int64_t(done * 100 / total))));
      }
    }
    spdlog::info(R"({{"msg":"data export section read","export_id":{},"section":"{}"}})", job.id,
                 section.name);
    out_sections.push_back(boost::json::object{{"name", section.name},
                                               {"title_zh", section.title_zh},
                                               {"title_en", section.title_en},
                                               {"parts", std::move(parts)}});
  }
  boost::json::object doc{
      {"format", "tongban.my-data.v1"},
      {"generated_at", api::IsoSeconds(clock_.NowUnixMicros() / 1'000'000)},
      {"account", boost::json::object{{"display_name", account.display_name},
                                      {"login", account.login},
                                      {"role", RoleName(account.role)}}},
      {"sections", std::move(out_sections)}};
  return boost::json::serialize(doc);
}

Result<int64_t> MyDataExportJob::RunQueued() {
  std::lock_guard lock(run_mu_);
  int64_t built = 0;
  for (;;) {
    TB_ASSIGN_OR_RETURN(std::optional<DataExport> job, exports_.ClaimNext());
    if (!job) break;
    // Any error (or exception) ends the job as failed, never left running: the person may ask
    // again at once.
    Status s;
    try {
      s = BuildAndFinish(*job);
    } catch (const std::exception& e) {
      s = Status::Internal(std::string("exception: ") + e.what());
    } catch (...) {
      s = Status::Internal("exception");
    }
    if (s.ok()) {
      ++built;
    } else {
      TB_RETURN_IF_ERROR(exports_.Fail(job->id, std::string(s.message())));
    }
  }
  return built;
}

Status MyDataExportJob::BuildAndFinish(const DataExport& job) {
  TB_ASSIGN_OR_RETURN(std::string content, Build(job));
  TB_ASSIGN_OR_RETURN(Account account, identity_.GetAccount(job.account_id));
  return exports_.Finish(
      job.id, content, [&account](store::Tx& tx, const DataExport& e) -> Status {
        notify::Notice notice;
        notice.event_id = "data.export.ready:" + std::to_string(e.id);
        notice.recipient = account.subject_id.empty() ? account.login : account.subject_id;
        notice.template_id = "data.export.ready";
        notice.vars = {{"expires", FormatIso8601Utc(FromUnixMicros(e.expires_at * 1'000'000))}};
        return notify::Enqueue(tx, notice, e.finished_at.value_or(e.created_at));
      });
}

Status MyDataExportJob::Start(int64_t interval_ms) {
  // Expired copies are looked for about once a minute, not at every poll.
  const int64_t expire_every = std::max<int64_t>(1, 60'000 / std::max<int64_t>(interval_ms, 1));
  // Jobs left running by a builder that stopped (this node before a restart, or another) are
  // queued again, now and then about once a minute.
  auto requeued = exports_.RequeueStale(kStaleSeconds);
  if (!requeued.ok()) {
    spdlog::warn(R"({{"msg":"stale data exports not queued again","error":"{}"}})",
                 requeued.status().message());
  }
  worker_.Start(std::chrono::milliseconds(interval_ms), [this, expire_every, tick = int64_t{0}]() mutable {
    // core/periodic.h catches nothing: an exception here would end the process.
    try {
      auto built = RunQueued();
      if (!built.ok()) {
        spdlog::warn(R"({{"msg":"data export job failed","error":"{}"}})",
                     built.status().message());
      }
      if (tick++ % expire_every == 0) {
        auto stale = exports_.RequeueStale(kStaleSeconds);
        auto expired = exports_.ExpireOld();
        if (!stale.ok() || !expired.ok()) {
          spdlog::warn(R"({{"msg":"data export upkeep failed","error":"{}"}})",
                       (!stale.ok() ? stale.status() : expired.status()).message());
        }
      }
    } catch (const std::exception& e) {
      spdlog::error(R"({{"msg":"data export job failed","error":"{}"}})", e.what());
    } catch (...) {
      spdlog::error(R"({{"msg":"data export job failed","error":"exception"}})");
    }
  });
  return Status::Ok();
}

Status MyDataExportJob::Stop() {
  worker_.Stop();
  return Status::Ok();
}

void MyDataExportJob::AddRoutes(api::Router& router) {
  router_ = &router;
  DataExports* exports = &exports_;
  router.Add(Route{
      "POST", "/api/v1/me/data-export", "requestMyDataExport",
      "Ask for a copy of everything the platform holds about me (PIPL arts. 44-45): built in the "
      "background (progress in %), downloadable once within 24 hours. One at a time: while one "
      "is under way, or ready and not downloaded, that one is answered.",
      RouteAccess::Roles(kPeople), [exports](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(DataExport e, exports->Request(req.principal->account_id), req);
        return api::JsonAnswer(202, StatusJson(e));
      }})
      .Answers(std::string(kStatusSchema), 202);
  router.Add(Route{
      "GET", "/api/v1/me/data-export/{id}", "getMyDataExport",
      "The status and progress of my data export. Another person's: 404.",
      RouteAccess::Roles(kPeople), [exports](const HttpRequest& req, const PathParams& params) {
        TB_ASSIGN_OR_PROBLEM(int64_t id,
                             api::PositiveIntParam(params.at("id"), "id", "an export id"), req);
        TB_ASSIGN_OR_PROBLEM(DataExport e, exports->Get(req.principal->account_id, id), req);
        return api::JsonAnswer(200, StatusJson(e));
      }})
      .Answers(std::string(kStatusSchema));
  router.Add(Route{
      "GET", "/api/v1/me/data-export/{id}/download", "downloadMyDataExport",
      "My data as one JSON document, once: it is erased as it is handed over (409 after, and "
      "before it is ready). Another person's: 404.",
      RouteAccess::Roles(kPeople), [exports](const HttpRequest& req, const PathParams& params) {
        TB_ASSIGN_OR_PROBLEM(int64_t id,
                             api::PositiveIntParam(params.at("id"), "id", "an export id"), req);
        TB_ASSIGN_OR_PROBLEM(std::string content,
                             exports->Download(req.principal->account_id, id), req);
        HttpResponse r = api::JsonTextAnswer(200, std::move(content));
        r.WithHeader("Content-Disposition",
                     "attachment; filename=\"tongban-my-data-" + std::to_string(id) + ".json\"");
        return r;
      }})
      .Blocks()
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["format", "generated_at", "account", "sections"],
        "properties": {
          "format": {"const": "tongban.my-data.v1"},
          "generated_at": {"type": "string", "format": "date-time"},
          "account": {"type": "object"},
          "sections": {"type": "array", "items": {
            "type": "object", "additionalProperties": false,
            "required": ["name", "title_zh", "title_en", "parts"],
            "properties": {
              "name": {"type": "string", "examples": ["receipts"]},
              "title_zh": {"type": "string"}, "title_en": {"type": "string"},
              "parts": {"type": "array", "items": {"type": "object",
                "description": "route, status, and items (a list, all pages) or answer"}}
            }}}
        }
      })json");
}

}  // namespace tongban::identity
