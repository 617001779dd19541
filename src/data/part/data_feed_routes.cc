// The change feed's routes (数据高铁; data/feed.h): a consumer department follows the dataset of
// one of its approved agreements, with a cursor, by long poll (JSON) or Server-Sent Events.
//   GET /api/v1/data/agreements/{id}/changes?after=N&wait=S&limit=L   long poll: the next batch
//   GET /api/v1/data/agreements/{id}/feed   (Last-Event-ID or ?after=)  SSE: one event per change
// Both answer only the elements the agreement covers; every batch is traced before it leaves.
#include <boost/json.hpp>
#include <charconv>
#include <memory>

#include <spdlog/spdlog.h>

#include "api/json_answer.h"
#include "api/problem.h"
#include "data/feed.h"
#include "data/part/data_routes.h"

namespace tongban::api {
namespace {

using boost::json::object;
using boost::json::value;

Result<int64_t> IntValue(std::optional<std::string_view> text, std::string_view name, int64_t min, int64_t max,
                         int64_t fallback);

// A decimal integer in [min, max] from a query parameter; `fallback` when absent.
Result<int64_t> IntParam(const HttpRequest& req, std::string_view name, int64_t min, int64_t max,
                         int64_t fallback) {
  return IntValue(req.Query(name), name, min, max, fallback);
}

Result<int64_t> IntValue(std::optional<std::string_view> text, std::string_view name, int64_t min, int64_t max,
                         int64_t fallback) {
  if (!text) return fallback;
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < min || v > max) {
    return Status::InvalidField(std::string(name), "must be an integer " + std::to_string(min) + "-" +
                                                       std::to_string(max));
  }
  return v;
}

// The long poll's answer, its changes spliced in as the feed serialised them (FeedChange::json).
std::string BatchJson(int64_t agreement, const data::FeedBatch& b) {
  std::string out = "{\"agreement\":" + std::to_string(agreement) + ",\"changes\":[";
  for (const auto& c : b.changes()) {
    if (out.back() != '[') out += ',';
    out += c.json;
  }
  const object rest{{"next", b.next},
                    {"more", b.more},
                    {"ended", b.ended.empty() || b.ended == "cancelled" || b.ended == "stopping"
                                  ? value(nullptr)
                                  : value(b.ended)}};
  out += "],";
  out += boost::json::serialize(rest).substr(1);  // without its '{'
  return out;
}

// The long poll: answers when the next batch is committed, or empty at the deadline.
class LongPoll : public LaterResponse {
 public:
  LongPoll(data::DataFeed& feed, data::Actor consumer, int64_t agreement, int64_t after, int limit,
           std::chrono::seconds wait, std::string request_id)
      : feed_(feed), consumer_(std::move(consumer)), agreement_(agreement), after_(after), limit_(limit),
        wait_(wait), request_id_(std::move(request_id)) {}
  // Start and Cancel run on the connection's io thread (http_message.h): no lock needed.
  void Start(Reply reply) override {
    waiter_ = feed_.Wait(consumer_, agreement_, after_, limit_, std::chrono::steady_clock::now() + wait_,
                         [reply = std::move(reply), agreement = agreement_,
                          request_id = request_id_](Result<data::FeedBatch> b) {
                           if (!b.ok()) return reply(ProblemResponse(b.status(), request_id));
                           reply(JsonTextAnswer(200, BatchJson(agreement, *b)));
                         });
  }
  void Cancel() override { feed_.Cancel(waiter_); }

 private:
  data::DataFeed& feed_;
  data::Actor consumer_;
  int64_t agreement_, after_;
  int limit_;
  std::chrono::seconds wait_;
  std::string request_id_;
  uint64_t waiter_ = 0;
};

// Server-Sent Events: "id: <seq>" per change (a reconnecting EventSource sends it back as
// Last-Event-ID), a comment line as heartbeat, "event: end" when the agreement stops the feed.
class FeedStream : public LaterResponse, public std::enable_shared_from_this<FeedStream> {
 public:
  FeedStream(data::DataFeed& feed, data::Actor consumer, int64_t agreement, int64_t after,
             std::chrono::seconds heartbeat)
      : feed_(feed), consumer_(std::move(consumer)), agreement_(agreement), cursor_(after), heartbeat_(heartbeat) {}
  void Next(Deliver deliver) override {
    if (!started_) {
      started_ = true;
      // The reconnection delay, and the cursor the stream starts from.
      return deliver("retry: 2000\n: following agreement " + std::to_string(agreement_) + " after " +
                     std::to_string(cursor_) + "\n\n");
    }
    // Next and Cancel run on the connection's io thread (http_message.h): no lock needed.
    if (ended_ || cancelled_) return deliver(std::nullopt);
    waiter_ = feed_.Wait(consumer_, agreement_, cursor_, 500, std::chrono::steady_clock::now() + heartbeat_,
                         [self = shared_from_this(), deliver = std::move(deliver)](Result<data::FeedBatch> b) {
                           FeedStream* s = self.get();
                           // Runs on the feed's thread; Next is not called again before deliver.
                           if (!b.ok()) {
                             // Not the end of the feed (that is `ended`): close, and EventSource
                             // reconnects with Last-Event-ID. The cause stays in the log.
                             spdlog::warn(R"({{"msg":"data feed: a delivery failed","error":"{}"}})",
                                          b.status().ToString());
                             return deliver(std::nullopt);
                           }
                           if (b->ended == "cancelled" || b->ended == "stopping") return deliver(std::nullopt);
                           std::string out;
                           for (const auto& c : b->changes()) {
                             out += "id: ";
                             out += std::to_string(c.seq);
                             out += "\nevent: change\ndata: ";
                             out += c.json;
                             out += "\n\n";
                           }
                           if (!b->changes().empty()) s->cursor_ = b->next;
                           if (!b->ended.empty()) {
                             s->ended_ = true;
                             out += "event: end\ndata: " +
                                    boost::json::serialize(object{{"reason", b->ended}}) + "\n\n";
                           }
                           if (out.empty()) out = ": keep-alive\n\n";
                           deliver(std::move(out));
                         });
  }
  void Cancel() override {
    cancelled_ = true;
    feed_.Cancel(waiter_);
  }

 private:
  data::DataFeed& feed_;
  data::Actor consumer_;
  int64_t agreement_;
  int64_t cursor_;
  std::chrono::seconds heartbeat_;
  bool started_ = false;
  bool ended_ = false;
  bool cancelled_ = false;
  uint64_t waiter_ = 0;
};

constexpr std::string_view kChange = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["seq", "subject", "key", "version", "recorded_at", "source", "fields"],
  "properties": {
    "seq": {"type": "integer", "description": "The cursor after this change (commit order)"},
    "subject": {"type": "string", "description": "Citizen ID or USCC the record is about"},
    "key": {"type": "string"}, "version": {"type": "integer", "minimum": 1},
    "recorded_at": {"type": "string", "format": "date-time"},
    "source": {"type": "string", "description": "The owner department's key"},
    "fields": {"type": "object", "description": "Only the elements the agreement covers"}
  }
})json";

}  // namespace

void AddDataFeedRoutes(Router& router, const DataRoutesOptions& options) {
  const RouteAccess kDepartment = RouteAccess::Roles({"staff", "department_system"});
  router.AddSchema("DataChange", std::string(kChange));
  data::DataFeed* feed = options.feed;
  const std::chrono::seconds heartbeat = options.feed_heartbeat;

  // Who follows which agreement: the caller's department must be its consumer (404 otherwise).
  auto subscribe = [options](const HttpRequest& req, const PathParams& p) -> Result<std::pair<data::Actor, int64_t>> {
    TB_ASSIGN_OR_RETURN(int64_t id, PositiveIntParam(p.at("id"), "id", "must be an agreement id"));
    // A department outside the catalogue consumes no agreement: the same 404 as a missing one.
    TB_ASSIGN_OR_RETURN(data::Actor actor, data_routes::ActorOrMissing(*options.identity, options.service->catalogue(),
                                                                       req, Status::NotFound("agreement", std::to_string(id))));
    TB_RETURN_IF_ERROR(options.feed->CheckSubscription(actor, id).status());
    return std::make_pair(actor, id);
  };

  router.Add(Route{
      "GET", "/api/v1/data/agreements/{id}/changes", "pollDataChanges",
      "Long poll of the change feed of an approved agreement the caller's department consumes: the "
      "record versions after ?after= (the last `next`, 0 to start), only the covered elements, in "
      "commit order, at most ?limit= (1-1000, 100); waits up to ?wait= seconds (0-60, 25) for one. "
      "Resume from `next`: nothing is lost or repeated. Every delivered batch is traced on the ledger.",
      kDepartment,
      [subscribe, feed](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(auto sub, subscribe(req, p), req);
        TB_ASSIGN_OR_PROBLEM(int64_t after, IntParam(req, "after", 0, INT64_MAX, 0), req);
        TB_ASSIGN_OR_PROBLEM(int64_t limit, IntParam(req, "limit", 1, 1000, 100), req);
        TB_ASSIGN_OR_PROBLEM(int64_t wait, IntParam(req, "wait", 0, 60, 25), req);
        HttpResponse r;
        r.later = std::make_shared<LongPoll>(*feed, sub.first, sub.second, after, static_cast<int>(limit),
                                             std::chrono::seconds(wait), req.request_id);
        return r;
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["agreement", "changes", "next", "more", "ended"],
        "properties": {
          "agreement": {"type": "integer"},
          "changes": {"type": "array", "items": {"$ref": "#/components/schemas/DataChange"}},
          "next": {"type": "integer", "description": "?after= of the next poll"},
          "more": {"type": "boolean", "description": "More changes are waiting: poll again at once"},
          "ended": {"type": ["string", "null"], "description": "Why the agreement no longer allows the feed (revoked, expired); no more changes"}
        }
      })json");

  Route sse{
      "GET", "/api/v1/data/agreements/{id}/feed", "streamDataChanges",
      "The change feed as Server-Sent Events: one `change` event per record version (data: a "
      "DataChange; id: its seq), a comment as heartbeat, `end` when the agreement stops the feed. "
      "Resume with Last-Event-ID (EventSource does) or ?after=.",
      kDepartment,
      [subscribe, feed, heartbeat](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(auto sub, subscribe(req, p), req);
        // A reconnecting EventSource sends Last-Event-ID to the URL it first used, ?after= and
        // all: the header is where it is now.
        std::optional<std::string_view> last = req.Header("last-event-id");
        TB_ASSIGN_OR_PROBLEM(int64_t after,
                             last ? IntValue(last, "Last-Event-ID", 0, INT64_MAX, 0)
                                  : IntParam(req, "after", 0, INT64_MAX, 0),
                             req);
        HttpResponse r;
        r.content_type = "text/event-stream; charset=utf-8";
        r.later = std::make_shared<FeedStream>(*feed, sub.first, sub.second, after, heartbeat);
        r.streamed = true;
        return r;
      }};
  sse.response_type = "text/event-stream";
  router.Add(std::move(sse));
}

}  // namespace tongban::api
