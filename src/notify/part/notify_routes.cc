// The notification hub's routes; see notify_routes.h.
#include "notify/part/notify_routes.h"

#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"

namespace tongban::notify {

using api::HttpRequest;
using api::HttpResponse;
using api::PathParams;
using api::Route;
using api::RouteAccess;
using boost::json::array;
using boost::json::object;

namespace {

// The caller's subject, noting their login as a contact (notify_service.h RememberLogin).
Result<std::string> Me(NotifyService& service, identity::IdentityService& identity, const HttpRequest& req) {
  TB_ASSIGN_OR_RETURN(identity::Account a, identity.GetAccount(req.principal->account_id));
  if (a.subject_id.empty()) return Status::PermissionDenied("this account receives no notifications");
  TB_RETURN_IF_ERROR(service.RememberLogin(a.subject_id, a.login));
  return a.subject_id;
}

Result<int64_t> QueryInt(const HttpRequest& req, std::string_view name, int64_t fallback, int64_t max) {
  auto text = req.Query(name);
  if (!text) return fallback;
  TB_ASSIGN_OR_RETURN(int64_t v, api::PositiveIntParam(*text, name, "a positive integer"));
  return std::min(v, max);
}

object PreferencesJson(const Preferences& p, const Templates& templates) {
  object channels;
  array kinds;
  for (const auto& [id, t] : templates.all()) {
    auto chosen = p.channels.find(id);
    const std::vector<std::string>& list = chosen != p.channels.end() ? chosen->second : t.channels;
    array a;
    for (const auto& c : list) a.emplace_back(c);
    channels[id] = std::move(a);
    array defaults;
    for (const auto& c : t.channels) defaults.emplace_back(c);
    kinds.push_back(object{{"id", id},
                           {"title_zh", t.zh.title},
                           {"title_en", t.en.title},
                           {"default_channels", std::move(defaults)},
                           {"sensitive", t.sensitive}});
  }
  return object{{"language", p.language}, {"phone", p.phone},     {"email", p.email},
                {"channels", channels},   {"kinds", kinds}};
}

Result<Preferences> ParsePreferences(std::string_view body) {
  TB_ASSIGN_OR_RETURN(api::JsonBody b, api::JsonBody::Parse(body, {"language", "phone", "email", "channels"}));
  Preferences p;
  TB_ASSIGN_OR_RETURN(auto language, b.OptionalString("language", 8));
  TB_ASSIGN_OR_RETURN(auto phone, b.OptionalString("phone", 32));
  TB_ASSIGN_OR_RETURN(auto email, b.OptionalString("email", 254));
  p.language = language.value_or("zh");
  p.phone = phone.value_or("");
  p.email = email.value_or("");
  if (const auto* c = b.object().if_contains("channels"); c != nullptr && !c->is_null()) {
    if (!c->is_object()) return Status::InvalidField("/channels", "an object: notification id -> channel list");
    for (const auto& [id, list] : c->as_object()) {
      const std::string field = "/channels/" + std::string(id);
      if (!list.is_array()) return Status::InvalidField(field, "a list of channels");
      std::vector<std::string>& out = p.channels[std::string(id)];
      for (const auto& v : list.as_array()) {
        if (!v.is_string()) return Status::InvalidField(field, "a list of channels");
        out.emplace_back(v.as_string());
      }
    }
  }
  return p;
}

constexpr const char* kPreferencesSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["language", "phone", "email", "channels", "kinds"],
  "properties": {
    "language": {"type": "string", "enum": ["zh", "en"]},
    "phone": {"type": "string", "examples": ["13800138000"]},
    "email": {"type": "string"},
    "channels": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string", "enum": ["inbox", "sms", "email"]}}},
    "kinds": {"type": "array", "items": {
      "type": "object", "additionalProperties": false,
      "required": ["id", "title_zh", "title_en", "default_channels", "sensitive"],
      "properties": {
        "id": {"type": "string", "examples": ["receipt.issued"]},
        "title_zh": {"type": "string"}, "title_en": {"type": "string"},
        "default_channels": {"type": "array", "items": {"type": "string"}},
        "sensitive": {"type": "boolean"}
      }}}
  }
})json";

}  // namespace

void AddNotifyRoutes(api::Router& router, NotifyService& service, identity::IdentityService& identity) {
  const RouteAccess kPerson = RouteAccess::Roles({"citizen", "enterprise"});
  NotifyService* s = &service;
  identity::IdentityService* id = &identity;

  router.AddSchema("InboxItem", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["id", "template", "title", "body", "created_at", "read_at"],
    "properties": {
      "id": {"type": "integer"},
      "template": {"type": "string", "examples": ["receipt.issued"]},
      "title": {"type": "string", "examples": ["您收到一张电子票据"]},
      "body": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time"},
      "read_at": {"type": ["string", "null"], "format": "date-time"}
    }
  })json");

  router.Add(Route{"GET", "/api/v1/me/inbox", "listMyInbox",
                   "My inbox (站内信), newest first: ?limit (default 20, at most 100), ?before=<id> for the "
                   "next page, ?lang=zh|en. With the unread count. One-time codes are never listed.",
                   kPerson, [s, id](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(std::string me, Me(*s, *id, req), req);
                     TB_ASSIGN_OR_PROBLEM(int64_t limit, QueryInt(req, "limit", 20, 100), req);
                     TB_ASSIGN_OR_PROBLEM(int64_t before, QueryInt(req, "before", 0, INT64_MAX), req);
                     std::string lang(req.Query("lang").value_or(""));
                     if (lang.empty()) {
                       TB_ASSIGN_OR_PROBLEM(Preferences p, s->GetPreferences(me), req);
                       lang = p.language;
                     }
                     TB_ASSIGN_OR_PROBLEM(InboxPage page, s->Inbox(me, lang, before, limit), req);
                     array items;
                     for (const InboxItem& i : page.items) {
                       items.push_back(object{{"id", i.id},
                                              {"template", i.template_id},
                                              {"title", i.title},
                                              {"body", i.body},
                                              {"created_at", api::IsoSeconds(i.created_at)},
                                              {"read_at", api::IsoSeconds(i.read_at)}});
                     }
                     object out{{"items", std::move(items)}, {"unread", page.unread}, {"total", page.total}};
                     out["next_before"] = page.next_before ? boost::json::value(*page.next_before) : nullptr;
                     return api::JsonAnswer(200, out);
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["items", "unread", "total", "next_before"],
        "properties": {
          "items": {"type": "array", "items": {"$ref": "#/components/schemas/InboxItem"}},
          "unread": {"type": "integer"}, "total": {"type": "integer"},
          "next_before": {"type": ["integer", "null"]}
        }
      })json");

  router.Add(Route{"POST", "/api/v1/me/inbox/{id}/read", "markMyInboxItemRead",
                   "Mark one of my inbox items read (again: no change). Another person's item: 404.", kPerson,
                   [s, id](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(std::string me, Me(*s, *id, req), req);
                     TB_ASSIGN_OR_PROBLEM(int64_t item, api::PositiveIntParam(p.at("id"), "id", "an inbox item id"),
                                          req);
                     TB_RETURN_IF_PROBLEM(s->MarkRead(me, item), req);
                     TB_ASSIGN_OR_PROBLEM(InboxPage page, s->Inbox(me, "zh", 0, 1), req);
                     return api::JsonAnswer(200, object{{"id", item}, {"read", true}, {"unread", page.unread}});
                   }})
      .Accepts(R"json({"type": "object", "additionalProperties": false})json", Route::Body::kOptional)
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["id", "read", "unread"],
        "properties": {"id": {"type": "integer"}, "read": {"type": "boolean"}, "unread": {"type": "integer"}}
      })json");

  router.Add(Route{"GET", "/api/v1/me/notification-preferences", "getMyNotificationPreferences",
                   "My language, phone and e-mail for notifications and the channels (inbox, sms, email) of "
                   "each kind of notice; a citizen whose login is a mobile number has it as phone until set.",
                   kPerson, [s, id](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(std::string me, Me(*s, *id, req), req);
                     TB_ASSIGN_OR_PROBLEM(Preferences p, s->GetPreferences(me), req);
                     return api::JsonAnswer(200, PreferencesJson(p, Templates::Builtin()));
                   }})
      .Answers(kPreferencesSchema);

  router.Add(Route{"PUT", "/api/v1/me/notification-preferences", "putMyNotificationPreferences",
                   "Replace my notification preferences: language (zh|en), phone (mainland mobile), email, "
                   "channels {notice id: [inbox|sms|email]} (a kind left out keeps its defaults).",
                   kPerson, [s, id](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(std::string me, Me(*s, *id, req), req);
                     TB_ASSIGN_OR_PROBLEM(Preferences in, ParsePreferences(req.body), req);
                     TB_RETURN_IF_PROBLEM(s->PutPreferences(me, in), req);
                     TB_ASSIGN_OR_PROBLEM(Preferences p, s->GetPreferences(me), req);
                     return api::JsonAnswer(200, PreferencesJson(p, Templates::Builtin()));
                   }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "properties": {
          "language": {"type": "string", "enum": ["zh", "en"]},
          "phone": {"type": "string"}, "email": {"type": "string"},
          "channels": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
        }
      })json")
      .Answers(kPreferencesSchema);

  router.Add(Route{"GET", "/api/v1/admin/notifications", "listNotificationDeliveries",
                   "Deliveries of notices, newest first: ?status=pending|sending|delivered|failed|skipped, "
                   "?limit (default 50, at most 500), ?before=<id>. Status, attempts and last error; the "
                   "recipient masked; never a template variable or an address.",
                   RouteAccess::Roles({"admin"}), [s](const HttpRequest& req, const PathParams&) {
                     const std::string status(req.Query("status").value_or(""));
                     if (!status.empty() && status != "pending" && status != "sending" && status != "delivered" &&
                         status != "failed" && status != "skipped") {
                       return api::ProblemResponse(
                           Status::InvalidField("status", "pending, sending, delivered, failed or skipped"),
                           req.request_id);
                     }
                     TB_ASSIGN_OR_PROBLEM(int64_t limit, QueryInt(req, "limit", 50, 500), req);
                     TB_ASSIGN_OR_PROBLEM(int64_t before, QueryInt(req, "before", 0, INT64_MAX), req);
                     TB_ASSIGN_OR_PROBLEM(auto rows, s->Deliveries(status, before, limit), req);
                     TB_ASSIGN_OR_PROBLEM(auto counts, s->CountByStatus(), req);
                     array items;
                     for (const DeliveryView& d : rows) {
                       items.push_back(object{{"id", d.id},
                                              {"event_id", d.event_id},
                                              {"recipient", d.recipient},
                                              {"template", d.template_id},
                                              {"channel", d.channel},
                                              {"status", d.status},
                                              {"attempts", d.attempts},
                                              {"next_attempt_at", api::IsoSeconds(d.next_attempt_at)},
                                              {"last_error", d.last_error},
                                              {"delivered_at", api::IsoSeconds(d.delivered_at)},
                                              {"created_at", api::IsoSeconds(d.created_at)}});
                     }
                     object c;
                     for (const auto& [k, v] : counts) c[k] = v;
                     return api::JsonAnswer(200, object{{"items", std::move(items)}, {"counts", std::move(c)}});
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items", "counts"],
        "properties": {
          "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
          "items": {"type": "array", "items": {
            "type": "object", "additionalProperties": false,
            "required": ["id", "event_id", "recipient", "template", "channel", "status", "attempts",
                         "next_attempt_at", "last_error", "delivered_at", "created_at"],
            "properties": {
              "id": {"type": "integer"}, "event_id": {"type": "string"},
              "recipient": {"type": "string", "examples": ["3301****1234"]},
              "template": {"type": "string"},
              "channel": {"type": "string", "enum": ["inbox", "sms", "email"]},
              "status": {"type": "string", "enum": ["pending", "sending", "delivered", "failed", "skipped"]},
              "attempts": {"type": "integer"},
              "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
              "last_error": {"type": "string"},
              "delivered_at": {"type": ["string", "null"], "format": "date-time"},
              "created_at": {"type": ["string", "null"], "format": "date-time"}
            }}}
        }
      })json");
}

}  // namespace tongban::notify
