// ReviewRepo: the SQL of reviews (tables service_rating, service_remediation,
// service_remediation_step; migration part "service_review"), the same on SQLite and PostgreSQL.
// Ratings are append-only: there is an INSERT of a rating and no UPDATE or DELETE. Every
// function runs inside the caller's transaction; decisions are review_service.h's.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "service/review_record.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::service {

class ReviewRepo {
 public:
  static std::vector<store::Migration> Migrations();

  // kAlreadyExists when the task already has a rating of that round (the unique key).
  static Result<int64_t> InsertRating(store::Tx& tx, const Rating& r);
  // The ratings of a task or a case, oldest first, each with the id of the ticket it opened.
  static Result<std::vector<Rating>> RatingsOfTask(store::Tx& tx, int64_t task_id);
  static Result<std::vector<Rating>> RatingsOfCase(store::Tx& tx, int64_t case_id);
  static Result<std::optional<Rating>> GetRating(store::Tx& tx, int64_t id);

  static Result<int64_t> InsertTicket(store::Tx& tx, const Ticket& t);
  // Writes the mutable columns of `t` (state, step times and texts, escalations, handler).
  static Status UpdateTicket(store::Tx& tx, const Ticket& t);
  static Result<std::optional<Ticket>> GetTicket(store::Tx& tx, int64_t id);
  static Result<std::vector<Ticket>> TicketsOfCase(store::Tx& tx, int64_t case_id);
  // A department's tickets with their ratings, in one query: open and overdue soonest due first,
  // answered and all newest first. Without steps.
  static Result<std::vector<RatingAndTicket>> Tickets(store::Tx& tx, std::string_view department,
                                                      TicketFilter filter, int64_t now, int limit);
  // Tickets past their callback due without a callback, or past their answer due without an
  // answer, not yet escalated for that deadline; with their ratings, in one query.
  static Result<std::vector<RatingAndTicket>> Late(store::Tx& tx, int64_t now, int limit);

  static Result<int64_t> InsertStep(store::Tx& tx, int64_t ticket_id, const TicketStep& s);
  static Result<std::vector<TicketStep>> StepsOf(store::Tx& tx, int64_t ticket_id);

  // Counts of each level and the tickets' outcomes, per department, per item, per window.
  static Result<ReviewFigures> Figures(store::Tx& tx, int64_t now);
  // The same counts over every rating (one ungrouped query); all zero without ratings.
  static Result<RatingGroup> Overall(store::Tx& tx, int64_t now);
};

}  // namespace tongban::service
