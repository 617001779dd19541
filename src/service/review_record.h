// The records of reviews of services (好差评): a citizen's rating of a decided task (five levels
// and a comment), and the remediation ticket (差评整改) a bad rating opens — called back (回访),
// verified (核实), rectified (整改), answered — with its deadlines and the steps it went through
// (each with the document its ledger entry commits to). Value types; review_service.h decides,
// review_repo.h stores. Ratings are append-only: nothing changes or deletes one.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace tongban::service {

// The national 好差评 levels: 5 非常满意 ... 1 非常不满意. 3-5 count as satisfied; 1-2 are bad
// and open a ticket.
inline constexpr int kLowestLevel = 1;
inline constexpr int kHighestLevel = 5;
inline constexpr int kLastBadLevel = 2;
inline bool IsBadLevel(int level) { return level >= kLowestLevel && level <= kLastBadLevel; }
inline bool IsSatisfiedLevel(int level) { return level > kLastBadLevel && level <= kHighestLevel; }
// "非常满意" / "very satisfied" ...; "" outside 1..5.
std::string_view LevelNameZh(int level);
std::string_view LevelNameEn(int level);

// Who handled the rated task, as the figures group it: the staff member who decided it, or the
// rules (秒批).
inline constexpr std::string_view kAutomaticWindowKey = "rules";

struct Rating {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string case_number;
  int64_t task_id = 0;
  std::string item;        // item code
  std::string department;  // public data department key of the task
  std::string window_key;  // "staff:<account id>" of the decider, or "rules" (kAutomaticWindowKey)
  std::string window_zh;   // the decider's name, or 秒批
  std::string window_en;   // the decider's name, or automatic
  int level = 0;           // 1..5
  std::string comment;     // UTF-8, at most 500 bytes; may be empty
  int64_t account_id = 0;  // the rater's account
  std::string subject;     // the rater's citizen ID number (personal data: never in a document)
  std::string party;       // "applicant" or "co_applicant"
  std::string rater_name;
  int64_t at = 0;          // unix seconds
  int round = 1;           // 1, or 2: the one re-rating after the ticket of round 1 was answered
  std::optional<int64_t> ticket_id;  // the ticket it opened (levels 1-2)
  std::string document;    // what its ledger entry (service.rating) commits to

  bool Bad() const { return IsBadLevel(level); }
};

// open -> called_back -> verified -> rectified -> answered, in that order.
enum class TicketState { kOpen, kCalledBack, kVerified, kRectified, kAnswered };
std::string_view TicketStateName(TicketState s);
std::optional<TicketState> ParseTicketState(std::string_view s);

// One step of a ticket, as its ledger entry (service.remediation) commits to it.
struct TicketStep {
  int64_t id = 0;
  std::string action;  // open, callback, verify, rectify, answer, escalate_callback, escalate_answer
  std::string actor;   // a department key, or "system"
  int64_t at_micros = 0;
  std::string document;
};

struct Ticket {
  int64_t id = 0;
  int64_t rating_id = 0;
  int64_t case_id = 0;
  int64_t task_id = 0;
  std::string department;
  TicketState state = TicketState::kOpen;
  int64_t opened_at = 0;
  CivilDate callback_due_date, answer_due_date;  // China dates: due by their end (working days)
  int64_t callback_due_at = 0, answer_due_at = 0;  // unix seconds: the ends of those days
  std::optional<int64_t> called_back_at, verified_at, rectified_at, answered_at;
  std::string callback_note;  // 回访: what the citizen said
  std::string finding;        // 核实: what the department found
  std::string measures;       // 整改: what it changed
  std::string answer;         // 答复: what the citizen is told
  // Escalated to the department's lead, once per deadline missed.
  std::optional<int64_t> callback_escalated_at, answer_escalated_at;
  std::optional<int64_t> handled_by;  // the staff account of the latest step
  std::string handled_by_name;
  int64_t updated_at = 0;
  std::vector<TicketStep> steps;  // oldest first, filled by the getters that say so

  bool Answered() const { return state == TicketState::kAnswered; }
  // At `now` (unix seconds), past the end of the call-back day without a call-back, or of the
  // answer day without an answer (the same tests as review_repo.cc's SQL).
  bool CallbackMissed(int64_t now) const { return !Answered() && !called_back_at && now >= callback_due_at; }
  bool AnswerMissed(int64_t now) const { return !Answered() && now >= answer_due_at; }
  // Past a deadline it has not met.
  bool Overdue(int64_t now) const { return CallbackMissed(now) || AnswerMissed(now); }
};

// A rating with the ticket it opened, as the citizen and the department see them.
struct RatingAndTicket {
  Rating rating;
  std::optional<Ticket> ticket;
  bool may_rate_again = false;  // MyRatings: the caller may re-rate this task now
};

// What the department's remediation list shows.
enum class TicketFilter { kOpen, kOverdue, kAnswered, kAll };
std::optional<TicketFilter> ParseTicketFilter(std::string_view s);

// Rating figures of one department, item or window.
struct RatingGroup {
  std::string key;               // department key, item code or window key
  std::string name_zh, name_en;  // windows only (departments and items are named from catalogues)
  std::array<int64_t, 5> levels{};  // levels[0] counts level 1 ... levels[4] level 5
  int64_t total = 0;
  int64_t tickets_answered_on_time = 0, tickets_answered_late = 0, tickets_open = 0, tickets_open_overdue = 0;

  int64_t satisfied() const { return levels[2] + levels[3] + levels[4]; }
  int64_t bad() const { return levels[0] + levels[1]; }
  // Share of ratings at levels 3-5; 0 without ratings.
  double share_satisfied() const { return total ? static_cast<double>(satisfied()) / static_cast<double>(total) : 0; }
};

struct ReviewFigures {
  RatingGroup overall;  // every rating (no key)
  std::vector<RatingGroup> departments, items, windows;
};

}  // namespace tongban::service
