// Clock: the one seam through which code reads the current time, plus small UTC date helpers.
//
// Code that needs "now" (deadlines, expiry, "a birth date must be in the past") takes a
// `const Clock&` instead of calling std::chrono::system_clock directly, so tests can use a
// FakeClock. There is no global clock and no settable global "now".
//
// Times are UTC. A TimePoint is std::chrono::system_clock::time_point (microsecond precision is
// what we store: unix micros). A CivilDate is a proleptic Gregorian calendar date.
//
// Thread-safety: SystemClock and FakeClock are thread-safe (FakeClock's reads and its Set/Advance
// may race freely; each read sees one consistent value). The free functions are pure.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban {

using TimePoint = std::chrono::system_clock::time_point;

// Microseconds since 1970-01-01T00:00:00Z (negative before it), truncated toward minus infinity.
int64_t ToUnixMicros(TimePoint t);
TimePoint FromUnixMicros(int64_t micros);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  int64_t NowUnixMicros() const { return ToUnixMicros(Now()); }
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to. For tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : micros_(ToUnixMicros(start)) {}
  explicit FakeClock(int64_t start_unix_micros = 0) : micros_(start_unix_micros) {}

  TimePoint Now() const override { return FromUnixMicros(micros_.load()); }
  void Set(TimePoint t) { micros_.store(ToUnixMicros(t)); }
  void SetUnixMicros(int64_t micros) { micros_.store(micros); }
  void Advance(std::chrono::microseconds d) { micros_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> micros_;
};

// A calendar date (proleptic Gregorian). Not necessarily valid: see IsValid().
struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  // True if the date exists in the calendar (e.g. false for 1999-02-30), for years 1..9999.
  bool IsValid() const;
  // "2026-11-24"
  std::string ToString() const;
  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

// Days since 1970-01-01 (negative before it). REQUIRES: date.IsValid().
int64_t DaysFromCivil(CivilDate date);
CivilDate CivilFromDays(int64_t days);

// The UTC calendar date of a time point.
CivilDate UtcDate(TimePoint t);
// The calendar date in China Standard Time (UTC+8, no daylight saving) of a time point: the date
// printed on pages and used for local-date rules such as "a birth date is not in the future".
CivilDate ChinaDate(TimePoint t);

// "2026-11-24" (exactly YYYY-MM-DD, a date of the calendar) to a date; nullopt for anything else.
std::optional<CivilDate> ParseCivilDate(std::string_view text);
// Unix seconds at which China date `d` begins (UTC+8, no daylight saving): the start of a local
// day, and the end of the day before. REQUIRES: d.IsValid().
int64_t ChinaDayStartUnix(CivilDate d);
// Unix seconds at which China date `d` ends (the next day's start): a deadline "by the end of d".
int64_t ChinaDayEndUnix(CivilDate d);

// "2026-11-24T08:25:19Z": whole seconds, sub-second part truncated. Years 0..9999.
std::string FormatIso8601Utc(TimePoint t);

// Parses "YYYY-MM-DDTHH:MM:SSZ" with an optional fraction of 1 to 6 digits before the 'Z'
// ("2026-11-24T08:25:19.250Z"). Only UTC ('Z') is accepted; no offsets, no lower-case 't'/'z',
// no leap second 60. Errors are InvalidField(field, reason).
Result<TimePoint> ParseIso8601Utc(std::string_view text, std::string_view field = "time");

}  // namespace tongban
