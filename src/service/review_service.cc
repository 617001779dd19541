// ReviewService; see review_service.h.
#include "service/review_service.h"

#include <map>
#include <tuple>

#include <spdlog/spdlog.h>

#include "ledger/checkpoint.h"
#include "ledger/log_storage.h"

namespace tongban::service {

using boost::json::object;

namespace {

constexpr int kListLimit = 500;

// A step's or a comment's text: `required`, at most `max` bytes of UTF-8.
Status CheckText(std::string_view field, std::string_view text, size_t max, bool required) {
  if (required && text.empty()) return Status::InvalidField(std::string(field), "is required");
  if (text.size() > max) {
    return Status::InvalidField(std::string(field), "must be at most " + std::to_string(max) + " bytes");
  }
  if (!ledger::ValidUtf8(text)) return Status::InvalidField(std::string(field), "must be UTF-8 text");
  return Status::Ok();
}

// The step that follows `s`, as its action is named.
std::string_view NextAction(TicketState s) {
  switch (s) {
    case TicketState::kOpen: return "callback";
    case TicketState::kCalledBack: return "verify";
    case TicketState::kVerified: return "rectify";
    case TicketState::kRectified: return "answer";
    case TicketState::kAnswered: return "";
  }
  return "";
}

std::string Hex(crypto::HashAlgorithm hash, std::string_view text) {
  return crypto::ToHex(crypto::Hash(hash, text));
}

// Who handled a task, as its rating names them (Rating::window_*): the rules (秒批), the staff
// member who decided it or, when no one claimed it, its department.
struct Window {
  std::string key, zh, en;
};
Window WindowOf(const Task& task) {
  if (task.AutoDecided()) return {std::string(kAutomaticWindowKey), "秒批", "automatic"};
  if (task.claimed_by) {
    return {"staff:" + std::to_string(*task.claimed_by), task.claimed_by_name, task.claimed_by_name};
  }
  return {"department:" + task.department, task.department, task.department};
}

}  // namespace

ReviewService::ReviewService(store::Database& db, const Clock& clock, const ServiceCatalogue& catalogue,
                             ReviewServiceOptions options)
    : db_(db), clock_(clock), catalogue_(catalogue), options_(std::move(options)) {
  if (options_.calendar == nullptr) options_.calendar = &data::WorkingCalendar::Builtin();
}

std::pair<CivilDate, int64_t> ReviewService::DueIn(int days) const {
  const CivilDate due = calendar().AddWorkingDays(ChinaDate(clock_.Now()), days);
  return {due, ChinaDayEndUnix(due)};
}

Status ReviewService::Notify(store::Tx& tx, const Rating& r, int64_t account, std::string_view department,
                             std::string kind, std::string text_zh, std::string text_en, Outbox& out) {
  Notice n;
  n.account_id = account;
  n.department = std::string(department);
  n.case_id = r.case_id;
  n.case_number = r.case_number;
  n.kind = std::move(kind);
  n.text_zh = std::move(text_zh);
  n.text_en = std::move(text_en);
  n.at = NowSeconds();
  return RecordNotice(tx, n, account == 0 ? std::string_view() : std::string_view(r.subject), out.messages);
}

void ReviewService::Deliver(const Outbox& out) {
  if (options_.notifier == nullptr) return;
  for (const OutboundMessage& m : out.messages) options_.notifier->Send(m);
}

Status ReviewService::Record(store::Tx& tx, Ticket& t, const Rating& r, std::string_view action,
                             std::string_view actor, std::string_view text) {
  TicketStep s;
  s.action = std::string(action);
  s.actor = std::string(actor);
  s.at_micros = clock_.NowUnixMicros();
  // No personal data: the case number, the ticket and its rating, the step, a hash of its text.
  object doc{{"case", r.case_number}, {"task", r.task_id},       {"item", r.item},     {"department", r.department},
             {"ticket", t.id},        {"rating", r.id},          {"level", r.level},   {"round", r.round},
             {"action", s.action},    {"actor", s.actor},        {"at", s.at_micros}};
  if (!text.empty()) doc["text_hash"] = Hex(options_.hash, text);
  s.document = boost::json::serialize(doc);
  TB_ASSIGN_OR_RETURN(s.id, ReviewRepo::InsertStep(tx, t.id, s));
  TB_RETURN_IF_ERROR(ledger::EnqueueEntry(tx, ledger::DocumentEntry("service.remediation", options_.subject_hash(r.subject),
                                                                    options_.hash, s.document, s.at_micros))
                         .status());
  t.steps.push_back(std::move(s));
  return Status::Ok();
}

Result<Ticket> ReviewService::OpenTicket(store::Tx& tx, Rating& r, Outbox& box) {
  Ticket t;
  t.rating_id = r.id;
  t.case_id = r.case_id;
  t.task_id = r.task_id;
  t.department = r.department;
  t.state = TicketState::kOpen;
  t.opened_at = t.updated_at = r.at;
  std::tie(t.callback_due_date, t.callback_due_at) = DueIn(options_.callback_days);
  std::tie(t.answer_due_date, t.answer_due_at) = DueIn(options_.answer_days);
  TB_ASSIGN_OR_RETURN(t.id, ReviewRepo::InsertTicket(tx, t));
  r.ticket_id = t.id;
  TB_RETURN_IF_ERROR(Record(tx, t, r, "open", "system", ""));
  const auto [zh, en] = catalogue_.ItemNames(r.item);
  const std::string callback = t.callback_due_date.ToString(), answer = t.answer_due_date.ToString();
  TB_RETURN_IF_ERROR(Notify(tx, r, 0, r.department, "remediation_opened",
                            "办件 " + r.case_number + " 的「" + zh + "」收到" + std::string(LevelNameZh(r.level)) +
                                "评价，请于 " + callback + " 前回访、" + answer + " 前答复。",
                            "Case " + r.case_number + ": " + en + " was rated " + std::string(LevelNameEn(r.level)) +
                                "; call the citizen back by " + callback + " and answer by " + answer + ".",
                            box));
  TB_RETURN_IF_ERROR(Notify(tx, r, r.account_id, "", "remediation_opened",
                            "您对「" + zh + "」的评价已收到，承办部门将于 " + callback + " 前回访，" + answer +
                                " 前答复整改情况。",
                            "Thank you for rating " + en + ". The department will call you back by " + callback +
                                " and answer by " + answer + ".",
                            box));
  return t;
}

Result<RatingAndTicket> ReviewService::Rate(const Person& rater, int64_t case_id, int64_t task_id, int level,
                                            std::string_view comment) {
  if (level < kLowestLevel || level > kHighestLevel) {
    return Status::InvalidField("/level", "must be 1 (非常不满意, very dissatisfied) to 5 (非常满意, very satisfied)");
  }
  TB_RETURN_IF_ERROR(CheckText("/comment", comment, kMaxCommentBytes, false));
  RatingAndTicket out;
  Outbox box;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out = {};
    box = {};
    TB_ASSIGN_OR_RETURN(auto c, CaseRepo::GetCase(tx, case_id));
    // The applicant, or the co-applicant once they confirmed (from their own account); anyone
    // else as for a missing case.
    std::string party;
    if (c && !rater.subject_id.empty() && rater.subject_id == c->applicant_subject) {
      party = "applicant";
    } else if (c && !c->co_applicant_subject.empty() && rater.subject_id == c->co_applicant_subject &&
               c->co_applicant_account == rater.account_id) {
      party = "co_applicant";
    } else {
      return Status::NotFound("case", std::to_string(case_id));
    }
    TB_ASSIGN_OR_RETURN(auto task, CaseRepo::GetTask(tx, task_id));
    if (!task || task->case_id != c->id) return Status::NotFound("task", std::to_string(task_id));
    if (task->state != TaskState::kApproved && task->state != TaskState::kRejected) {
      return Status::FailedPrecondition("the task is " + std::string(TaskStateName(task->state)) +
                                        "; only a decided task (approved or rejected) can be rated");
    }
    TB_ASSIGN_OR_RETURN(auto earlier, ReviewRepo::RatingsOfTask(tx, task_id));
    int round = 1;
    if (!earlier.empty()) {
      const Rating& first = earlier.front();
      if (earlier.size() > 1) return Status::Conflict("already rated: the task was rated again after the answer");
      if (!first.ticket_id) return Status::Conflict("already rated: a rating is final");
      TB_ASSIGN_OR_RETURN(auto ticket, ReviewRepo::GetTicket(tx, *first.ticket_id));
      if (!ticket || !ticket->Answered()) {
        return Status::Conflict("already rated: you may rate again once the department has answered");
      }
      if (first.account_id != rater.account_id) {
        return Status::Conflict("already rated: only whoever rated may rate again");
      }
      round = 2;
    }
    const int64_t now = NowSeconds();
    Rating& r = out.rating;
    r.case_id = c->id;
    r.case_number = c->case_number;
    r.task_id = task->id;
    r.item = task->item;
    r.department = task->department;
    Window window = WindowOf(*task);
    r.window_key = std::move(window.key);
    r.window_zh = std::move(window.zh);
    r.window_en = std::move(window.en);
    r.level = level;
    r.comment = std::string(comment);
    r.account_id = rater.account_id;
    r.subject = rater.subject_id;
    r.party = party;
    r.rater_name = rater.name;
    r.at = now;
    r.round = round;
    const int64_t at_micros = clock_.NowUnixMicros();
    // No personal data in the document: the comment only as its hash.
    object doc{{"case", r.case_number}, {"task", r.task_id},   {"item", r.item},   {"department", r.department},
               {"window", r.window_key}, {"level", r.level},   {"round", r.round}, {"at", at_micros}};
    if (!r.comment.empty()) doc["comment_hash"] = Hex(options_.hash, r.comment);
    r.document = boost::json::serialize(doc);
    auto id = ReviewRepo::InsertRating(tx, r);
    if (!id.ok() && id.status().code() == ErrorCode::kAlreadyExists) return Status::Conflict("already rated");
    TB_ASSIGN_OR_RETURN(r.id, std::move(id));
    TB_RETURN_IF_ERROR(ledger::EnqueueEntry(tx, ledger::DocumentEntry("service.rating", options_.subject_hash(r.subject),
                                                                      options_.hash, r.document, at_micros))
                           .status());
    if (!r.Bad()) return Status::Ok();
    // A bad rating opens its ticket in the same transaction.
    TB_ASSIGN_OR_RETURN(Ticket t, OpenTicket(tx, r, box));
    out.ticket = std::move(t);
    return Status::Ok();
  }));
  Deliver(box);
  return out;
}

Result<std::vector<RatingAndTicket>> ReviewService::MyRatings(std::string_view subject, int64_t case_id) {
  std::vector<RatingAndTicket> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto c, CaseRepo::RefById(tx, case_id));
    const bool party = c && !subject.empty() &&
                       (subject == c->applicant_subject ||
                        (!c->co_applicant_subject.empty() && subject == c->co_applicant_subject));
    if (!party) return Status::NotFound("case", std::to_string(case_id));
    TB_ASSIGN_OR_RETURN(auto ratings, ReviewRepo::RatingsOfCase(tx, case_id));
    TB_ASSIGN_OR_RETURN(auto tickets, ReviewRepo::TicketsOfCase(tx, case_id));
    std::map<int64_t, Ticket> by_rating;
    for (Ticket& t : tickets) by_rating.emplace(t.rating_id, std::move(t));
    std::map<int64_t, int> rounds;  // task -> ratings
    for (const Rating& r : ratings) ++rounds[r.task_id];
    for (Rating& r : ratings) {
      RatingAndTicket x;
      if (auto it = by_rating.find(r.id); it != by_rating.end()) x.ticket = it->second;
      x.may_rate_again = r.round == 1 && r.subject == subject && x.ticket && x.ticket->Answered() &&
                         rounds[r.task_id] == 1;
      x.rating = std::move(r);
      out.push_back(std::move(x));
    }
    return Status::Ok();
  }));
  return out;
}

Result<RatingAndTicket> ReviewService::StaffTicket(store::Tx& tx, const Staff& staff, int64_t ticket_id) {
  TB_ASSIGN_OR_RETURN(auto t, ReviewRepo::GetTicket(tx, ticket_id));
  if (!t || t->department != staff.department) return Status::NotFound("ticket", std::to_string(ticket_id));
  TB_ASSIGN_OR_RETURN(auto r, ReviewRepo::GetRating(tx, t->rating_id));
  if (!r) return Status::Internal("ticket " + std::to_string(ticket_id) + " has no rating");
  TB_ASSIGN_OR_RETURN(t->steps, ReviewRepo::StepsOf(tx, t->id));
  RatingAndTicket out;
  out.rating = std::move(*r);
  out.ticket = std::move(*t);
  return out;
}

Result<std::vector<RatingAndTicket>> ReviewService::Tickets(const Staff& staff, TicketFilter filter) {
  std::vector<RatingAndTicket> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, ReviewRepo::Tickets(tx, staff.department, filter, NowSeconds(), kListLimit));
    return Status::Ok();
  }));
  return out;
}

Result<RatingAndTicket> ReviewService::GetTicket(const Staff& staff, int64_t ticket_id) {
  RatingAndTicket out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, StaffTicket(tx, staff, ticket_id));
    return Status::Ok();
  }));
  return out;
}

Result<RatingAndTicket> ReviewService::Step(const Staff& staff, int64_t ticket_id, TicketState from, TicketState to,
                                            std::string_view action, std::string_view text, const StepFn& apply) {
  TB_RETURN_IF_ERROR(CheckText("/text", text, kMaxStepTextBytes, true));
  RatingAndTicket out;
  Outbox box;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    box = {};
    TB_ASSIGN_OR_RETURN(out, StaffTicket(tx, staff, ticket_id));
    Ticket& t = *out.ticket;
    if (t.state != from) {
      if (t.Answered()) return Status::FailedPrecondition("the ticket is answered");
      return Status::FailedPrecondition("the ticket is " + std::string(TicketStateName(t.state)) + ": the next step is " +
                                        std::string(NextAction(t.state)) + ", not " + std::string(action));
    }
    const int64_t now = NowSeconds();
    t.state = to;
    t.handled_by = staff.account_id;
    t.handled_by_name = staff.name;
    t.updated_at = now;
    TB_RETURN_IF_ERROR(apply(tx, t, out.rating, now, box));
    TB_RETURN_IF_ERROR(ReviewRepo::UpdateTicket(tx, t));
    return Record(tx, t, out.rating, action, staff.department, text);
  }));
  Deliver(box);
  return out;
}

Result<RatingAndTicket> ReviewService::CallBack(const Staff& staff, int64_t ticket_id, std::string_view note) {
  return Step(staff, ticket_id, TicketState::kOpen, TicketState::kCalledBack, "callback", note,
              [&](store::Tx&, Ticket& t, const Rating&, int64_t now, Outbox&) {
                t.called_back_at = now;
                t.callback_note = std::string(note);
                return Status::Ok();
              });
}

Result<RatingAndTicket> ReviewService::Verify(const Staff& staff, int64_t ticket_id, std::string_view finding) {
  return Step(staff, ticket_id, TicketState::kCalledBack, TicketState::kVerified, "verify", finding,
              [&](store::Tx&, Ticket& t, const Rating&, int64_t now, Outbox&) {
                t.verified_at = now;
                t.finding = std::string(finding);
                return Status::Ok();
              });
}

Result<RatingAndTicket> ReviewService::Rectify(const Staff& staff, int64_t ticket_id, std::string_view measures) {
  return Step(staff, ticket_id, TicketState::kVerified, TicketState::kRectified, "rectify", measures,
              [&](store::Tx&, Ticket& t, const Rating&, int64_t now, Outbox&) {
                t.rectified_at = now;
                t.measures = std::string(measures);
                return Status::Ok();
              });
}

Result<RatingAndTicket> ReviewService::Answer(const Staff& staff, int64_t ticket_id, std::string_view answer) {
  return Step(staff, ticket_id, TicketState::kRectified, TicketState::kAnswered, "answer", answer,
              [&](store::Tx& tx, Ticket& t, const Rating& r, int64_t now, Outbox& box) {
                t.answered_at = now;
                t.answer = std::string(answer);
                const auto [zh, en] = catalogue_.ItemNames(r.item);
                std::string again_zh, again_en;
                if (r.round == 1) {
                  again_zh = "您可以再评价一次。";
                  again_en = " You may rate it once more.";
                }
                return Notify(tx, r, r.account_id, "", "rating_answered",
                              "您对「" + zh + "」的评价已有答复：" + std::string(answer) + again_zh,
                              "The department answered your rating of " + en + ": " + std::string(answer) + again_en,
                              box);
              });
}

Result<bool> ReviewService::EscalateDeadline(store::Tx& tx, Ticket& t, const Rating& r, Deadline d, int64_t now,
                                             Outbox& box) {
  const bool callback = d == Deadline::kCallback;
  std::optional<int64_t>& escalated = callback ? t.callback_escalated_at : t.answer_escalated_at;
  if (escalated || !(callback ? t.CallbackMissed(now) : t.AnswerMissed(now))) return false;
  escalated = now;
  t.updated_at = now;
  TB_RETURN_IF_ERROR(Record(tx, t, r, callback ? "escalate_callback" : "escalate_answer", "system", ""));
  const auto [zh, en] = catalogue_.ItemNames(r.item);
  const std::string due = (callback ? t.callback_due_date : t.answer_due_date).ToString();
  TB_RETURN_IF_ERROR(Notify(tx, r, 0, t.department, "remediation_escalated",
                            "办件 " + r.case_number + " 的「" + zh + "」差评整改已超过" + (callback ? "回访" : "答复") +
                                "时限（" + due + "），已上报部门负责人。",
                            "The remediation of a bad rating of " + en + " (case " + r.case_number + ") is past its " +
                                (callback ? "call-back" : "answer") + " deadline (" + due +
                                ") and goes to the department lead.",
                            box));
  return true;
}

Result<int64_t> ReviewService::EscalateLate(int limit) {
  int64_t done = 0;
  Outbox box;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    box = {};
    done = 0;
    const int64_t now = NowSeconds();
    TB_ASSIGN_OR_RETURN(auto late, ReviewRepo::Late(tx, now, limit));
    for (RatingAndTicket& x : late) {
      for (Deadline d : {Deadline::kCallback, Deadline::kAnswer}) {
        TB_ASSIGN_OR_RETURN(bool escalated, EscalateDeadline(tx, *x.ticket, x.rating, d, now, box));
        if (escalated) ++done;
      }
      TB_RETURN_IF_ERROR(ReviewRepo::UpdateTicket(tx, *x.ticket));
    }
    return Status::Ok();
  }));
  Deliver(box);
  return done;
}

void ReviewService::StartSweeps(std::chrono::milliseconds interval) {
  sweep_.Start(interval, [this] {
    auto r = EscalateLate(1000);
    if (!r.ok()) {
      ++sweep_errors_;
      spdlog::warn("service: remediation escalation sweep failed: {}", r.status().ToString());
    }
  });
}

void ReviewService::StopSweeps() { sweep_.Stop(); }

Result<ReviewFigures> ReviewService::Figures() {
  ReviewFigures f;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(f, ReviewRepo::Figures(tx, NowSeconds()));
    return Status::Ok();
  }));
  return f;
}

Result<RatingGroup> ReviewService::Overall() {
  RatingGroup g;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(g, ReviewRepo::Overall(tx, NowSeconds()));
    return Status::Ok();
  }));
  return g;
}

}  // namespace tongban::service
