// WorkingCalendar: which days are working days (工作日) in mainland China, as data — Monday to
// Friday, except the public holidays of each year, plus the weekend days moved to be working days
// (调休上班). What objection deadlines ("N working days", docs/data.md) count in. The State
// Council publishes each year's arrangement in November; data/public-data/calendar.json is
// embedded into the binary and the operator updates it (or points [data] calendar_file at their
// own copy) every year. A year the file does not list counts Monday to Friday only.
//
// File format (JSON, docs/data.md):
//   {"format": 1, "description": "...",
//    "years": {"2026": {"source": "...", "provisional": false,
//                       "holidays": [{"name": "春节", "from": "2026-02-15", "to": "2026-02-23"}],
//                       "working_weekends": ["2026-02-14", "2026-02-28"]}}}
// Every date lies in its year; `from` <= `to`; a holiday lasts at most 31 days; a working weekend
// day is a Saturday or Sunday and not inside a holiday.
//
// Thread-safety: immutable after Parse; share it freely.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace tongban::data {

// 0 = Sunday ... 6 = Saturday. REQUIRES: date.IsValid().
int DayOfWeek(CivilDate date);

class WorkingCalendar {
 public:
  struct Holiday {
    std::string name;
    CivilDate from, to;  // inclusive
  };
  struct Year {
    int year = 0;
    std::string source;
    bool provisional = false;  // estimated before the State Council's notice
    std::vector<Holiday> holidays;
    std::set<CivilDate> working_weekends;
  };

  // Parses and checks a calendar document. kInvalidArgument naming `file` and the entry at fault
  // ("calendar.json: years.2026.holidays[1].to: must be a date YYYY-MM-DD in 2026").
  static Result<WorkingCalendar> Parse(std::string_view json, std::string_view file = "calendar.json");
  // The calendar built into the binary (data/public-data/calendar.json). Parsed once.
  static const WorkingCalendar& Builtin();

  // REQUIRES: date.IsValid().
  bool IsWorkingDay(CivilDate date) const;
  // The day on which the `n`-th working day after `from` ends (`from` itself not counted; n = 0
  // gives `from`). 5 working days after Tuesday 2026-09-22 is Wednesday 2026-09-30 (25th-27th
  // 中秋节); after Wednesday 2026-09-30 it is Tuesday 2026-10-13 (1st-7th 国庆节, Saturday the
  // 10th a working day). REQUIRES: from.IsValid(), 0 <= n <= 3660.
  CivilDate AddWorkingDays(CivilDate from, int n) const;
  // The working days after `from` up to and including `through` (0 when through <= from).
  // REQUIRES: both valid.
  int CountWorkingDays(CivilDate from, CivilDate through) const;

  // Whether the file lists `year` (and so knows its holidays).
  bool Covers(int year) const { return years_.contains(year); }
  const std::map<int, Year>& years() const { return years_; }

 private:
  std::map<int, Year> years_;
  std::set<CivilDate> holidays_;  // every day off of every listed holiday
  std::set<CivilDate> working_;   // every working weekend day
};

}  // namespace tongban::data
