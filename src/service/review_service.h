// ReviewService: reviews of services (好差评) with a closed remediation loop (差评整改).
//
//   rate        after a task of their case is decided (approved or rejected; by staff or by the
//               rules, 秒批), the case's applicant or its confirmed co-applicant rates it once: a
//               level 1-5 (非常不满意 ... 非常满意) and a comment. The rating is for the task's item,
//               department and window (the staff member who decided it, or 秒批) and is final:
//               nothing changes or deletes it.
//   ticket      a rating at level 1 or 2 opens a remediation ticket in the task's department, in
//               the same transaction: call the citizen back (回访) by the end of the
//               `callback_days`-th working day, then verify (核实), rectify (整改) and answer
//               (答复) by the end of the `answer_days`-th working day (data::WorkingCalendar).
//               The department and the citizen are notified.
//   steps       staff of the ticket's department only, in order, each with a text; the answer is
//               sent to the citizen (inbox and notifier).
//   re-rate     once the ticket is answered, the citizen who rated may rate the task once more
//               (round 2); a bad re-rating opens a ticket of its own, and there is no third round.
//   escalate    a ticket past its callback deadline without a callback, or past its answer
//               deadline without an answer, is escalated to the department's lead once per
//               deadline (a department notice, a mark on the ticket).
//   figures     per department, item and window: each level's count, the share satisfied (3-5),
//               bad ratings, tickets answered on time, late, open and overdue.
//
// Every rating and every ticket step is a ledger entry (service.rating / service.remediation,
// keyed subject hash of the rater) committing to a document without personal data (case number,
// task, item, department, level, round, hashes of the texts), written in the step's transaction.
//
// Objects that are not the caller's (another's case, another department's ticket) answer exactly
// as missing ones (kNotFound). Decisions here, SQL in review_repo.cc. Thread-safe; the database,
// clock, catalogue, calendar and notifier outlive it.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/periodic.h"
#include "core/status.h"
#include "crypto/hash.h"
#include "data/calendar.h"
#include "service/case_record.h"
#include "service/case_service.h"
#include "service/catalogue.h"
#include "service/notifier.h"
#include "service/review_record.h"
#include "service/review_repo.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::service {

struct ReviewServiceOptions {
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;  // the ledger suite's hash
  std::function<std::array<uint8_t, 32>(std::string_view)> subject_hash;
  const data::WorkingCalendar* calendar = nullptr;  // null: data::WorkingCalendar::Builtin()
  Notifier* notifier = nullptr;                     // null: none (the inbox only)
  int callback_days = 1;                            // working days to call the citizen back (1-30)
  int answer_days = 5;                              // working days to answer them (callback_days-60)
};

// Longest comment of a rating and longest text of a ticket step, in bytes (UTF-8).
inline constexpr size_t kMaxCommentBytes = 500;
inline constexpr size_t kMaxStepTextBytes = 1000;

class ReviewService {
 public:
  // REQUIRES: the service part's own migrations (CaseService::Migrations) run first.
  static std::vector<store::Migration> Migrations() { return ReviewRepo::Migrations(); }

  ReviewService(store::Database& db, const Clock& clock, const ServiceCatalogue& catalogue,
                ReviewServiceOptions options);
  ~ReviewService() { StopSweeps(); }
  ReviewService(const ReviewService&) = delete;
  ReviewService& operator=(const ReviewService&) = delete;

  const ServiceCatalogue& catalogue() const { return catalogue_; }
  const data::WorkingCalendar& calendar() const { return *options_.calendar; }

  // The rater's rating of task `task_id` of case `case_id`, with the ticket it opened.
  // kNotFound: not the case's applicant or confirmed co-applicant (as a missing case), or the task
  // is not the case's; kFailedPrecondition: the task is not decided (approved or rejected);
  // kConflict: already rated (a second rating only after the department answered the ticket of
  // the first, by the same person, once); kInvalidArgument with "/level" (not 1-5) or "/comment"
  // (over 500 bytes, or not UTF-8).
  Result<RatingAndTicket> Rate(const Person& rater, int64_t case_id, int64_t task_id, int level,
                               std::string_view comment);
  // The ratings of a case of the person's (applicant or named co-applicant), oldest first, each
  // with its ticket (state, deadlines, the answer) and whether `subject` may rate it again now.
  // kNotFound for another's case.
  Result<std::vector<RatingAndTicket>> MyRatings(std::string_view subject, int64_t case_id);

  // The department's tickets with their ratings (at most 500): open and overdue soonest due first,
  // answered and all newest first.
  Result<std::vector<RatingAndTicket>> Tickets(const Staff& staff, TicketFilter filter);
  // One ticket of the staff member's department with its rating and steps; kNotFound otherwise.
  Result<RatingAndTicket> GetTicket(const Staff& staff, int64_t ticket_id);
  // The steps, in order: open -> CallBack -> Verify -> Rectify -> Answer. kNotFound (another
  // department's), kFailedPrecondition (not the next step), kInvalidArgument "/text" (empty, over
  // 1000 bytes, or not UTF-8). Answer sends the answer to the citizen.
  Result<RatingAndTicket> CallBack(const Staff& staff, int64_t ticket_id, std::string_view note);
  Result<RatingAndTicket> Verify(const Staff& staff, int64_t ticket_id, std::string_view finding);
  Result<RatingAndTicket> Rectify(const Staff& staff, int64_t ticket_id, std::string_view measures);
  Result<RatingAndTicket> Answer(const Staff& staff, int64_t ticket_id, std::string_view answer);

  // Escalates up to `limit` late tickets, once per missed deadline. Returns how many escalations.
  Result<int64_t> EscalateLate(int limit = 1000);
  void StartSweeps(std::chrono::milliseconds interval);
  void StopSweeps();
  int64_t sweep_errors() const { return sweep_errors_.load(); }

  Result<ReviewFigures> Figures();
  // ReviewFigures::overall alone (one query).
  Result<RatingGroup> Overall();

  int64_t NowSeconds() const { return clock_.NowUnixMicros() / 1'000'000; }

 private:
  struct Outbox {
    std::vector<OutboundMessage> messages;
  };
  // A step on a ticket: in one transaction, the staff member's ticket (kNotFound otherwise) in
  // state `from`, moved to `to` by `apply`, with its step row, ledger entry and notices.
  using StepFn = std::function<Status(store::Tx&, Ticket&, const Rating&, int64_t now, Outbox&)>;
  Result<RatingAndTicket> Step(const Staff& staff, int64_t ticket_id, TicketState from, TicketState to,
                               std::string_view action, std::string_view text, const StepFn& apply);
  // The staff member's ticket with its rating; kNotFound for another department's.
  Result<RatingAndTicket> StaffTicket(store::Tx& tx, const Staff& staff, int64_t ticket_id);
  // Opens the ticket of bad rating `r` (inserted) in the same transaction: its deadlines, its
  // "open" step, notices to the department and the rater. Sets r.ticket_id.
  Result<Ticket> OpenTicket(store::Tx& tx, Rating& r, Outbox& box);
  // Escalates deadline `d` of `t` if it is missed at `now` and not escalated yet: marks the ticket
  // (the caller writes it), records the step and notifies the department. Whether it escalated.
  enum class Deadline { kCallback, kAnswer };
  Result<bool> EscalateDeadline(store::Tx& tx, Ticket& t, const Rating& r, Deadline d, int64_t now, Outbox& box);
  // Writes the step row and its ledger entry.
  Status Record(store::Tx& tx, Ticket& t, const Rating& r, std::string_view action, std::string_view actor,
                std::string_view text);
  Status Notify(store::Tx& tx, const Rating& r, int64_t account, std::string_view department, std::string kind,
                std::string text_zh, std::string text_en, Outbox& out);
  void Deliver(const Outbox& out);
  // The end of the China day `days` working days after today, and that day.
  std::pair<CivilDate, int64_t> DueIn(int days) const;

  store::Database& db_;
  const Clock& clock_;
  const ServiceCatalogue& catalogue_;
  ReviewServiceOptions options_;

  Periodic sweep_;
  std::atomic<int64_t> sweep_errors_{0};
};

}  // namespace tongban::service
