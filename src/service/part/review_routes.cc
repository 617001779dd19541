// Review routes (好差评); see review_routes.h. Contracts: docs/service.md, /api/v1/openapi.json.
#include "service/part/review_routes.h"

#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "service/part/service_route_helpers.h"

namespace tongban::api {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using service::Rating;
using service::RatingAndTicket;
using service::RatingGroup;
using service::ReviewService;
using service::Ticket;
using service_routes::DepartmentJson;
using service_routes::ItemJson;
using service_routes::PersonOf;
using service_routes::StaffIfAny;
using service_routes::StaffOf;

namespace {

value WindowJson(std::string_view key, std::string_view zh, std::string_view en) {
  return object{{"key", key}, {"name_zh", zh}, {"name_en", en}};
}

object LevelFields(int level) {
  return object{{"level", level}, {"level_zh", service::LevelNameZh(level)}, {"level_en", service::LevelNameEn(level)}};
}

// The ticket as the citizen sees it: where it stands, its deadlines and the answer.
value CitizenTicketJson(const ReviewService& s, const Ticket& t) {
  return object{{"id", t.id},
                {"state", service::TicketStateName(t.state)},
                {"callback_due_date", t.callback_due_date.ToString()},
                {"callback_due_at", IsoSeconds(t.callback_due_at)},
                {"answer_due_date", t.answer_due_date.ToString()},
                {"answer_due_at", IsoSeconds(t.answer_due_at)},
                {"called_back_at", IsoSeconds(t.called_back_at)},
                {"answered_at", IsoSeconds(t.answered_at)},
                {"answer", t.answer},
                {"overdue", t.Overdue(s.NowSeconds())}};
}

object RatingJson(const ReviewRoutesOptions& o, const RatingAndTicket& x) {
  const Rating& r = x.rating;
  object j = LevelFields(r.level);
  j["id"] = r.id;
  j["case_id"] = r.case_id;
  j["case_number"] = r.case_number;
  j["task_id"] = r.task_id;
  j["item"] = ItemJson(o.reviews->catalogue(), r.item);
  j["department"] = DepartmentJson(*o.data_catalogue, r.department);
  j["window"] = WindowJson(r.window_key, r.window_zh, r.window_en);
  j["comment"] = r.comment;
  j["round"] = r.round;
  j["by"] = r.party;
  j["at"] = IsoSeconds(r.at);
  j["document"] = r.document;
  j["may_rate_again"] = x.may_rate_again;
  j["ticket"] = x.ticket ? CitizenTicketJson(*o.reviews, *x.ticket) : value(nullptr);
  return j;
}

// The ticket as its department sees it: the rating (with who rated, to call them back), every
// deadline and step text, escalations, and (`steps`) the steps with their ledger documents.
object StaffTicketJson(const ReviewRoutesOptions& o, const RatingAndTicket& x, bool steps) {
  const Rating& r = x.rating;
  const Ticket& t = *x.ticket;
  object rating = LevelFields(r.level);
  rating["id"] = r.id;
  rating["comment"] = r.comment;
  rating["round"] = r.round;
  rating["at"] = IsoSeconds(r.at);
  rating["window"] = WindowJson(r.window_key, r.window_zh, r.window_en);
  rating["rated_by"] = object{{"name", r.rater_name}, {"party", r.party}};
  object j{{"id", t.id},
           {"state", service::TicketStateName(t.state)},
           {"case_id", t.case_id},
           {"case_number", r.case_number},
           {"task_id", t.task_id},
           {"item", ItemJson(o.reviews->catalogue(), r.item)},
           {"department", DepartmentJson(*o.data_catalogue, t.department)},
           {"rating", std::move(rating)},
           {"opened_at", IsoSeconds(t.opened_at)},
           {"callback_due_date", t.callback_due_date.ToString()},
           {"callback_due_at", IsoSeconds(t.callback_due_at)},
           {"answer_due_date", t.answer_due_date.ToString()},
           {"answer_due_at", IsoSeconds(t.answer_due_at)},
           {"called_back_at", IsoSeconds(t.called_back_at)},
           {"verified_at", IsoSeconds(t.verified_at)},
           {"rectified_at", IsoSeconds(t.rectified_at)},
           {"answered_at", IsoSeconds(t.answered_at)},
           {"callback_note", t.callback_note},
           {"finding", t.finding},
           {"measures", t.measures},
           {"answer", t.answer},
           {"callback_escalated_at", IsoSeconds(t.callback_escalated_at)},
           {"answer_escalated_at", IsoSeconds(t.answer_escalated_at)},
           {"overdue", t.Overdue(o.reviews->NowSeconds())},
           {"handled_by", t.handled_by_name.empty() ? value(nullptr) : value(t.handled_by_name)}};
  if (steps) {
    array list;
    for (const service::TicketStep& s : t.steps) {
      list.push_back(object{{"action", s.action},
                            {"by", s.actor},
                            {"at", FormatIso8601Utc(FromUnixMicros(s.at_micros))},
                            {"document", s.document}});
    }
    j["steps"] = std::move(list);
  }
  return j;
}

object GroupJson(const RatingGroup& g) {
  array levels;
  for (int level = service::kLowestLevel; level <= service::kHighestLevel; ++level) {
    const int64_t n = g.levels[level - 1];
    object l = LevelFields(level);
    l["count"] = n;
    l["share"] = g.total ? static_cast<double>(n) / static_cast<double>(g.total) : 0.0;
    levels.push_back(std::move(l));
  }
  return object{{"levels", std::move(levels)},
                {"total", g.total},
                {"satisfied", g.satisfied()},
                {"bad", g.bad()},
                {"share_satisfied", g.share_satisfied()},
                {"tickets_answered_on_time", g.tickets_answered_on_time},
                {"tickets_answered_late", g.tickets_answered_late},
                {"tickets_open", g.tickets_open},
                {"tickets_open_overdue", g.tickets_open_overdue}};
}

constexpr std::string_view kNamedSchema = R"json({
  "type": "object", "additionalProperties": false, "required": ["code", "name_zh", "name_en"],
  "properties": {"code": {"type": "string"}, "name_zh": {"type": "string"}, "name_en": {"type": "string"}}
})json";

constexpr std::string_view kWindowSchema = R"json({
  "type": "object", "additionalProperties": false, "required": ["key", "name_zh", "name_en"],
  "description": "Who decided the rated task: a staff member (key staff:<account>) or the rules (key rules, 秒批)",
  "properties": {"key": {"type": "string", "examples": ["staff:12", "rules"]},
                 "name_zh": {"type": "string", "examples": ["陈静", "秒批"]},
                 "name_en": {"type": "string", "examples": ["陈静", "automatic"]}}
})json";

constexpr std::string_view kRatingSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["id", "case_id", "case_number", "task_id", "item", "department", "window", "level", "level_zh",
               "level_en", "comment", "round", "by", "at", "document", "may_rate_again", "ticket"],
  "properties": {
    "id": {"type": "integer"}, "case_id": {"type": "integer"},
    "case_number": {"type": "string", "examples": ["YJS20261207000042"]},
    "task_id": {"type": "integer"},
    "item": {"$ref": "#/components/schemas/ServiceReviewItem"},
    "department": {"$ref": "#/components/schemas/ServiceDepartment"},
    "window": {"$ref": "#/components/schemas/ServiceReviewWindow"},
    "level": {"type": "integer", "minimum": 1, "maximum": 5,
              "description": "5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意"},
    "level_zh": {"type": "string", "examples": ["非常满意"]}, "level_en": {"type": "string"},
    "comment": {"type": "string"},
    "round": {"enum": [1, 2], "description": "2: the one re-rating after the department answered"},
    "by": {"enum": ["applicant", "co_applicant"]},
    "at": {"type": ["string", "null"], "format": "date-time"},
    "document": {"type": "string", "description": "What the rating's ledger entry (service.rating) commits to: H(document)"},
    "may_rate_again": {"type": "boolean", "description": "The caller may rate this task once more now"},
    "ticket": {"oneOf": [{"type": "null"}, {"type": "object", "additionalProperties": false,
      "description": "The remediation ticket a rating at level 1 or 2 opened",
      "required": ["id", "state", "callback_due_date", "callback_due_at", "answer_due_date", "answer_due_at",
                   "called_back_at", "answered_at", "answer", "overdue"],
      "properties": {
        "id": {"type": "integer"},
        "state": {"enum": ["open", "called_back", "verified", "rectified", "answered"]},
        "callback_due_date": {"type": "string", "format": "date"},
        "callback_due_at": {"type": ["string", "null"], "format": "date-time"},
        "answer_due_date": {"type": "string", "format": "date"},
        "answer_due_at": {"type": ["string", "null"], "format": "date-time"},
        "called_back_at": {"type": ["string", "null"], "format": "date-time"},
        "answered_at": {"type": ["string", "null"], "format": "date-time"},
        "answer": {"type": "string", "description": "The department's answer, once answered"},
        "overdue": {"type": "boolean"}}}]}
  }
})json";

constexpr std::string_view kTicketSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["id", "state", "case_id", "case_number", "task_id", "item", "department", "rating", "opened_at",
               "callback_due_date", "callback_due_at", "answer_due_date", "answer_due_at", "called_back_at",
               "verified_at", "rectified_at", "answered_at", "callback_note", "finding", "measures", "answer",
               "callback_escalated_at", "answer_escalated_at", "overdue", "handled_by"],
  "properties": {
    "id": {"type": "integer"},
    "state": {"enum": ["open", "called_back", "verified", "rectified", "answered"]},
    "case_id": {"type": "integer"}, "case_number": {"type": "string"}, "task_id": {"type": "integer"},
    "item": {"$ref": "#/components/schemas/ServiceReviewItem"},
    "department": {"$ref": "#/components/schemas/ServiceDepartment"},
    "rating": {"type": "object", "additionalProperties": false,
      "required": ["id", "level", "level_zh", "level_en", "comment", "round", "at", "window", "rated_by"],
      "properties": {"id": {"type": "integer"}, "level": {"type": "integer", "minimum": 1, "maximum": 5},
                     "level_zh": {"type": "string"}, "level_en": {"type": "string"}, "comment": {"type": "string"},
                     "round": {"enum": [1, 2]}, "at": {"type": ["string", "null"], "format": "date-time"},
                     "window": {"$ref": "#/components/schemas/ServiceReviewWindow"},
                     "rated_by": {"type": "object", "additionalProperties": false, "required": ["name", "party"],
                                  "properties": {"name": {"type": "string", "examples": ["张伟"]},
                                                 "party": {"enum": ["applicant", "co_applicant"]}}}}},
    "opened_at": {"type": ["string", "null"], "format": "date-time"},
    "callback_due_date": {"type": "string", "format": "date", "description": "Call back (回访) by the end of this day, China time"},
    "callback_due_at": {"type": ["string", "null"], "format": "date-time"},
    "answer_due_date": {"type": "string", "format": "date", "description": "Answer (答复) by the end of this day, China time"},
    "answer_due_at": {"type": ["string", "null"], "format": "date-time"},
    "called_back_at": {"type": ["string", "null"], "format": "date-time"},
    "verified_at": {"type": ["string", "null"], "format": "date-time"},
    "rectified_at": {"type": ["string", "null"], "format": "date-time"},
    "answered_at": {"type": ["string", "null"], "format": "date-time"},
    "callback_note": {"type": "string"}, "finding": {"type": "string"}, "measures": {"type": "string"},
    "answer": {"type": "string"},
    "callback_escalated_at": {"type": ["string", "null"], "format": "date-time"},
    "answer_escalated_at": {"type": ["string", "null"], "format": "date-time"},
    "overdue": {"type": "boolean", "description": "Past a deadline it has not met"},
    "handled_by": {"type": ["string", "null"], "description": "Who took the latest step"},
    "steps": {"type": "array", "items": {"type": "object", "additionalProperties": false,
              "required": ["action", "by", "at", "document"],
              "properties": {"action": {"enum": ["open", "callback", "verify", "rectify", "answer", "escalate_callback",
                                                 "escalate_answer"]},
                             "by": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
                             "document": {"type": "string",
                                          "description": "What the step's ledger entry (service.remediation) commits to"}}}}
  }
})json";

constexpr std::string_view kGroupProperties = R"json(
    "levels": {"type": "array", "minItems": 5, "maxItems": 5, "items": {"type": "object", "additionalProperties": false,
               "required": ["level", "level_zh", "level_en", "count", "share"],
               "properties": {"level": {"type": "integer"}, "level_zh": {"type": "string"}, "level_en": {"type": "string"},
                              "count": {"type": "integer"}, "share": {"type": "number"}}}},
    "total": {"type": "integer"}, "satisfied": {"type": "integer", "description": "Levels 3-5"},
    "bad": {"type": "integer", "description": "Levels 1-2"},
    "share_satisfied": {"type": "number", "minimum": 0, "maximum": 1},
    "tickets_answered_on_time": {"type": "integer"}, "tickets_answered_late": {"type": "integer"},
    "tickets_open": {"type": "integer"}, "tickets_open_overdue": {"type": "integer"})json";

std::string GroupSchema(std::string_view key, std::string_view ref) {
  std::string required = R"("levels", "total", "satisfied", "bad", "share_satisfied", "tickets_answered_on_time",
    "tickets_answered_late", "tickets_open", "tickets_open_overdue")";
  std::string props(kGroupProperties);
  if (!key.empty()) {
    required = "\"" + std::string(key) + "\", " + required;
    props = "\"" + std::string(key) + "\": {\"$ref\": \"#/components/schemas/" + std::string(ref) + "\"}, " + props;
  }
  return R"({"type": "object", "additionalProperties": false, "required": [)" + required + R"(], "properties": {)" +
         props + "}}";
}

}  // namespace

void AddReviewRoutes(Router& router, const ReviewRoutesOptions& options) {
  const RouteAccess kCitizen = RouteAccess::Roles({"citizen"});
  const RouteAccess kStaff = RouteAccess::Roles({"staff"});
  router.AddSchema("ServiceReviewItem", std::string(kNamedSchema));
  router.AddSchema("ServiceReviewWindow", std::string(kWindowSchema));
  router.AddSchema("ServiceRating", std::string(kRatingSchema));
  router.AddSchema("ServiceRemediationTicket", std::string(kTicketSchema));
  const std::string kRating = R"json({"$ref": "#/components/schemas/ServiceRating"})json";
  const std::string kTicket = R"json({"$ref": "#/components/schemas/ServiceRemediationTicket"})json";

  router.Add(Route{"POST", "/api/v1/me/cases/{id}/ratings", "rateCaseTask",
                   "Rate a decided task (approved or rejected) of the caller's case: {task_id, level 1-5, "
                   "comment?} (5 非常满意 … 1 非常不满意; the comment at most 500 bytes). A rating is final: "
                   "there is no route to change or delete it. Levels 1 and 2 open a remediation ticket in the "
                   "task's department (call-back and answer deadlines in working days). 409 when the task was "
                   "rated already (except once more by the same person after the department answered) and "
                   "when the task is not decided; 404 for another's case.",
                   kCitizen,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a case id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"task_id", "level", "comment"}), req);
                     TB_ASSIGN_OR_PROBLEM(int64_t task_id, body.RequiredInt("task_id"), req);
                     if (task_id < 1) {
                       return ProblemResponse(Status::InvalidField("/task_id", "must be a task id of the case"),
                                              req.request_id);
                     }
                     TB_ASSIGN_OR_PROBLEM(int64_t level, body.RequiredInt("level"), req);
                     // The service owns the limits of the level and the comment.
                     TB_ASSIGN_OR_PROBLEM(auto comment, body.OptionalString("comment", 1 << 16), req);
                     const int clamped = level < 0 || level > 100 ? 0 : static_cast<int>(level);
                     TB_ASSIGN_OR_PROBLEM(RatingAndTicket rated,
                                          options.reviews->Rate(me, id, task_id, clamped, comment.value_or("")), req);
                     return JsonAnswer(201, RatingJson(options, rated));
                   },
                   "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({"type": "object", "additionalProperties": false, "required": ["task_id", "level"],
        "properties": {"task_id": {"type": "integer", "minimum": 1},
                       "level": {"type": "integer", "minimum": 1, "maximum": 5,
                                 "description": "5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意"},
                       "comment": {"type": "string", "maxLength": 500, "examples": ["窗口人员态度很好，一次办成"]}}})json")
      .Answers(kRating, 201);

  router.Add(Route{"GET", "/api/v1/me/cases/{id}/ratings", "listMyCaseRatings",
                   "The ratings of the caller's case (theirs and the other party's), oldest first, each with "
                   "its remediation ticket (where it stands, its deadlines, the department's answer) and "
                   "whether the caller may rate that task once more. 404 for another's case.",
                   kCitizen,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a case id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(auto list, options.reviews->MyRatings(me.subject_id, id), req);
                     array items;
                     for (const RatingAndTicket& x : list) items.push_back(RatingJson(options, x));
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceRating"}}}})json");

  router.Add(Route{"GET", "/api/v1/service/remediation", "listRemediationTickets",
                   "The caller's department's remediation tickets (差评整改) with their ratings and deadlines "
                   "(?filter=open, the default: not answered, soonest answer due first; overdue: past the "
                   "call-back or answer deadline; answered; all).",
                   kStaff,
                   [options](const HttpRequest& req, const PathParams&) {
                     auto filter = service::ParseTicketFilter(req.Query("filter").value_or("open"));
                     if (!filter) {
                       return ProblemResponse(Status::InvalidField("filter", "must be open, overdue, answered or all"),
                                              req.request_id);
                     }
                     TB_ASSIGN_OR_PROBLEM(auto staff, StaffIfAny(*options.identity, *options.data_catalogue, req),
                                          req);
                     if (!staff) return JsonAnswer(200, object{{"items", array{}}});
                     TB_ASSIGN_OR_PROBLEM(auto list, options.reviews->Tickets(*staff, *filter), req);
                     array items;
                     for (const RatingAndTicket& x : list) items.push_back(StaffTicketJson(options, x, false));
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceRemediationTicket"}}}})json");

  router.Add(Route{"GET", "/api/v1/service/remediation/{id}", "getRemediationTicket",
                   "One remediation ticket of the caller's department with its rating, deadlines, step texts "
                   "and steps (each with the document its ledger entry commits to). 404 otherwise.",
                   kStaff,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a ticket id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Staff staff,
                                          StaffOf(*options.identity, *options.data_catalogue, req,
                                                  Status::NotFound("ticket", std::to_string(id))),
                                          req);
                     TB_ASSIGN_OR_PROBLEM(RatingAndTicket x, options.reviews->GetTicket(staff, id), req);
                     return JsonAnswer(200, StaffTicketJson(options, x, true));
                   }})
      .Answers(kTicket);

  struct StepRoute {
    const char* path;
    const char* operation;
    const char* summary;
    Result<RatingAndTicket> (ReviewService::*act)(const service::Staff&, int64_t, std::string_view);
  };
  for (const StepRoute& s : {
           StepRoute{"callback", "callBackRemediationTicket",
                     "回访: the citizen was called back; {text} what they said (1-1000 bytes). The first step, "
                     "due by the end of the call-back day.",
                     &ReviewService::CallBack},
           StepRoute{"verify", "verifyRemediationTicket",
                     "核实: what the department found, {text} (1-1000 bytes). After the call-back.",
                     &ReviewService::Verify},
           StepRoute{"rectify", "rectifyRemediationTicket",
                     "整改: what the department changed, {text} (1-1000 bytes). After verifying.",
                     &ReviewService::Rectify},
           StepRoute{"answer", "answerRemediationTicket",
                     "答复: the answer to the citizen, {text} (1-1000 bytes), sent to their inbox; they may then "
                     "rate the task once more. After rectifying; due by the end of the answer day.",
                     &ReviewService::Answer},
       }) {
    router.Add(Route{"POST", std::string("/api/v1/service/remediation/{id}/") + s.path, s.operation,
                     std::string(s.summary) + " Steps go in order (409 otherwise); 404 for another department's ticket.",
                     kStaff,
                     [options, act = s.act](const HttpRequest& req, const PathParams& p) {
                       TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a ticket id"), req);
                       TB_ASSIGN_OR_PROBLEM(service::Staff staff,
                                            StaffOf(*options.identity, *options.data_catalogue, req,
                                                    Status::NotFound("ticket", std::to_string(id))),
                                            req);
                       TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"text"}), req);
                       TB_ASSIGN_OR_PROBLEM(std::string text, body.RequiredString("text", service::kMaxStepTextBytes), req);
                       TB_ASSIGN_OR_PROBLEM(RatingAndTicket x, (options.reviews->*act)(staff, id, text), req);
                       return JsonAnswer(200, StaffTicketJson(options, x, true));
                     }})
        .Accepts(R"json({"type": "object", "additionalProperties": false, "required": ["text"],
          "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 1000,
                                  "examples": ["已电话回访，申请人反映窗口等候时间过长"]}}})json")
        .Answers(kTicket);
  }

  router.Add(Route{"GET", "/api/v1/service/ratings/figures", "getRatingFigures",
                   "The rating figures (好差评) of every department, item and window (the staff member who "
                   "decided, or 秒批): the count and share of each level, the share satisfied (levels 3-5), bad "
                   "ratings (1-2), and remediation tickets answered on time, late, open and open past a "
                   "deadline; `overall` sums them.",
                   RouteAccess::Roles({"staff", "auditor", "admin"}),
                   [options](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(service::ReviewFigures f, options.reviews->Figures(), req);
                     array departments, items, windows;
                     for (const RatingGroup& g : f.departments) {
                       object j = GroupJson(g);
                       j["department"] = DepartmentJson(*options.data_catalogue, g.key);
                       departments.push_back(std::move(j));
                     }
                     for (const RatingGroup& g : f.items) {
                       object j = GroupJson(g);
                       j["item"] = ItemJson(options.reviews->catalogue(), g.key);
                       items.push_back(std::move(j));
                     }
                     for (const RatingGroup& g : f.windows) {
                       object j = GroupJson(g);
                       j["window"] = WindowJson(g.key, g.name_zh, g.name_en);
                       windows.push_back(std::move(j));
                     }
                     return JsonAnswer(200, object{{"overall", GroupJson(f.overall)},
                                                   {"departments", std::move(departments)},
                                                   {"items", std::move(items)},
                                                   {"windows", std::move(windows)}});
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false,
        "required": ["overall", "departments", "items", "windows"],
        "properties": {"overall": )json" +
               GroupSchema("", "") + R"json(,
          "departments": {"type": "array", "items": )json" +
               GroupSchema("department", "ServiceDepartment") + R"json(},
          "items": {"type": "array", "items": )json" +
               GroupSchema("item", "ServiceReviewItem") + R"json(},
          "windows": {"type": "array", "items": )json" +
               GroupSchema("window", "ServiceReviewWindow") + "}}}");
}

}  // namespace tongban::api
