// The working-day calendar; see calendar.h.
#include "data/calendar.h"

#include <boost/json.hpp>
#include <cstdlib>

namespace tongban::data {

// Generated at build time from data/public-data/calendar.json (cmake/embed_text.cmake).
std::string_view EmbeddedCalendarJson();

namespace {

using boost::json::object;
using boost::json::value;

// "2026-02-15" in `year`, or nullopt.
std::optional<CivilDate> ParseDate(const value* v, int year) {
  if (v == nullptr || !v->is_string()) return std::nullopt;
  auto d = ParseCivilDate(v->as_string());
  if (!d || d->year != year) return std::nullopt;
  return d;
}

}  // namespace

int DayOfWeek(CivilDate date) {
  const int64_t days = DaysFromCivil(date);  // 1970-01-01 was a Thursday (4)
  return static_cast<int>(((days + 4) % 7 + 7) % 7);
}

Result<WorkingCalendar> WorkingCalendar::Parse(std::string_view json, std::string_view file) {
  const std::string at = std::string(file) + ": ";
  auto bad = [&](const std::string& field, std::string_view why) {
    return Status::InvalidArgument(at + field + ": " + std::string(why), {{field, std::string(why)}});
  };
  boost::system::error_code ec;
  value doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object()) return bad("(document)", "must be a JSON object");
  const object& root = doc.as_object();
  for (const auto& kv : root) {
    if (kv.key() != "format" && kv.key() != "description" && kv.key() != "years") {
      return bad(std::string(kv.key()), "is not a field of the calendar (format, description, years)");
    }
  }
  const value* format = root.if_contains("format");
  if (format == nullptr || !format->is_int64() || format->as_int64() != 1) return bad("format", "must be 1");
  const value* years = root.if_contains("years");
  if (years == nullptr || !years->is_object() || years->as_object().empty()) {
    return bad("years", "must be an object of years (\"2026\": {...})");
  }
  WorkingCalendar cal;
  for (const auto& kv : years->as_object()) {
    const std::string y(kv.key());
    const std::string where = "years." + y;
    if (y.size() != 4 || y.find_first_not_of("0123456789") != std::string::npos || y < "1949") {
      return bad(where, "must be a year of four digits");
    }
    if (!kv.value().is_object()) return bad(where, "must be an object");
    const object& o = kv.value().as_object();
    Year year;
    year.year = std::atoi(y.c_str());
    const std::string in_year = "must be a date YYYY-MM-DD in " + y;
    for (const auto& f : o) {
      if (f.key() != "source" && f.key() != "provisional" && f.key() != "holidays" &&
          f.key() != "working_weekends") {
        return bad(where + "." + std::string(f.key()),
                   "is not a field of a year (source, provisional, holidays, working_weekends)");
      }
    }
    if (const value* s = o.if_contains("source")) {
      if (!s->is_string()) return bad(where + ".source", "must be a string");
      year.source = s->as_string();
    }
    if (const value* p = o.if_contains("provisional")) {
      if (!p->is_bool()) return bad(where + ".provisional", "must be true or false");
      year.provisional = p->as_bool();
    }
    const value* holidays = o.if_contains("holidays");
    if (holidays == nullptr || !holidays->is_array()) return bad(where + ".holidays", "must be an array");
    for (size_t i = 0; i < holidays->as_array().size(); ++i) {
      const std::string hw = where + ".holidays[" + std::to_string(i) + "]";
      const value& h = holidays->as_array()[i];
      if (!h.is_object()) return bad(hw, "must be an object {name, from, to}");
      Holiday holiday;
      const value* name = h.as_object().if_contains("name");
      if (name == nullptr || !name->is_string() || name->as_string().empty()) {
        return bad(hw + ".name", "must be a non-empty string");
      }
      holiday.name = name->as_string();
      auto from = ParseDate(h.as_object().if_contains("from"), year.year);
      if (!from) return bad(hw + ".from", in_year);
      auto to = ParseDate(h.as_object().if_contains("to"), year.year);
      if (!to) return bad(hw + ".to", in_year);
      const int64_t first = DaysFromCivil(*from), last = DaysFromCivil(*to);
      if (last < first) return bad(hw + ".to", "must not be before from");
      if (last - first > 30) return bad(hw + ".to", "a holiday lasts at most 31 days");
      holiday.from = *from;
      holiday.to = *to;
      for (int64_t d = first; d <= last; ++d) cal.holidays_.insert(CivilFromDays(d));
      year.holidays.push_back(std::move(holiday));
    }
    const value* weekends = o.if_contains("working_weekends");
    if (weekends == nullptr || !weekends->is_array()) {
      return bad(where + ".working_weekends", "must be an array of dates");
    }
    for (size_t i = 0; i < weekends->as_array().size(); ++i) {
      const std::string ww = where + ".working_weekends[" + std::to_string(i) + "]";
      auto d = ParseDate(&weekends->as_array()[i], year.year);
      if (!d) return bad(ww, in_year);
      const int dow = DayOfWeek(*d);
      if (dow != 0 && dow != 6) return bad(ww, "must be a Saturday or a Sunday (调休上班)");
      year.working_weekends.insert(*d);
      cal.working_.insert(*d);
    }
    cal.years_.emplace(year.year, std::move(year));
  }
  // A day cannot be both off and an adjusted working day.
  for (const auto& [y, year] : cal.years_) {
    for (const CivilDate& d : year.working_weekends) {
      if (cal.holidays_.contains(d)) {
        return bad("years." + std::to_string(y) + ".working_weekends",
                   d.ToString() + " lies inside a holiday");
      }
    }
  }
  return cal;
}

const WorkingCalendar& WorkingCalendar::Builtin() {
  static const WorkingCalendar* builtin = [] {
    auto parsed = Parse(EmbeddedCalendarJson(), "data/public-data/calendar.json");
    if (!parsed.ok()) std::abort();  // a build-time file; tests/data/objection_test.cc parses it
    return new WorkingCalendar(std::move(parsed).value());
  }();
  return *builtin;
}

bool WorkingCalendar::IsWorkingDay(CivilDate date) const {
  if (working_.contains(date)) return true;
  if (holidays_.contains(date)) return false;
  const int dow = DayOfWeek(date);
  return dow != 0 && dow != 6;
}

int WorkingCalendar::CountWorkingDays(CivilDate from, CivilDate through) const {
  int n = 0;
  for (int64_t d = DaysFromCivil(from) + 1; d <= DaysFromCivil(through); ++d) {
    if (IsWorkingDay(CivilFromDays(d))) ++n;
  }
  return n;
}

CivilDate WorkingCalendar::AddWorkingDays(CivilDate from, int n) const {
  int64_t day = DaysFromCivil(from);
  for (int counted = 0; counted < n;) {
    ++day;
    if (IsWorkingDay(CivilFromDays(day))) ++counted;
  }
  return CivilFromDays(day);
}

}  // namespace tongban::data
