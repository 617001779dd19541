// Clock helpers: unix micros, civil dates (via <chrono> calendar types), ISO-8601 UTC.
#include "core/clock.h"

#include <cstdio>

namespace tongban {
namespace {

using std::chrono::duration_cast;
using std::chrono::floor;
using std::chrono::microseconds;
using std::chrono::sys_days;

std::chrono::year_month_day Ymd(CivilDate d) {
  return std::chrono::year{d.year} / std::chrono::month{static_cast<unsigned>(d.month)} /
         std::chrono::day{static_cast<unsigned>(d.day)};
}

// Parses exactly `n` ASCII digits at text[pos]; returns -1 if any is not a digit.
int Digits(std::string_view text, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

int64_t ToUnixMicros(TimePoint t) { return floor<microseconds>(t.time_since_epoch()).count(); }

TimePoint FromUnixMicros(int64_t micros) {
  return TimePoint(duration_cast<TimePoint::duration>(microseconds(micros)));
}

bool CivilDate::IsValid() const {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  return Ymd(*this).ok();
}

std::string CivilDate::ToString() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

int64_t DaysFromCivil(CivilDate date) { return sys_days(Ymd(date)).time_since_epoch().count(); }

CivilDate CivilFromDays(int64_t days) {
  std::chrono::year_month_day ymd{sys_days(std::chrono::days(days))};
  return CivilDate{static_cast<int>(ymd.year()),
                   static_cast<int>(static_cast<unsigned>(ymd.month())),
                   static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

CivilDate UtcDate(TimePoint t) {
  return CivilFromDays(floor<std::chrono::days>(t).time_since_epoch().count());
}

CivilDate ChinaDate(TimePoint t) { return UtcDate(t + std::chrono::hours(8)); }

std::optional<CivilDate> ParseCivilDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto digits = [&](size_t at, size_t n) {
    int x = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      x = x * 10 + (s[i] - '0');
    }
    return x;
  };
  CivilDate d{digits(0, 4), digits(5, 2), digits(8, 2)};
  if (d.month < 1 || d.day < 1 || !d.IsValid()) return std::nullopt;
  return d;
}

int64_t ChinaDayStartUnix(CivilDate d) { return DaysFromCivil(d) * 86400 - 8 * 3600; }

int64_t ChinaDayEndUnix(CivilDate d) { return ChinaDayStartUnix(d) + 86400; }

std::string FormatIso8601Utc(TimePoint t) {
  auto day = floor<std::chrono::days>(t);
  CivilDate d = CivilFromDays(day.time_since_epoch().count());
  int64_t secs = floor<std::chrono::seconds>(t - day).count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

Result<TimePoint> ParseIso8601Utc(std::string_view text, std::string_view field) {
  auto bad = [&](std::string reason) {
    return Status::InvalidField(std::string(field), std::move(reason));
  };
  constexpr std::string_view kShape = "expected YYYY-MM-DDTHH:MM:SSZ";
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return bad(std::string(kShape));
  }
  CivilDate date{Digits(text, 0, 4), Digits(text, 5, 2), Digits(text, 8, 2)};
  int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (date.year < 0 || date.month < 0 || date.day < 0 || hour < 0 || minute < 0 || second < 0) {
    return bad(std::string(kShape));
  }
  if (!date.IsValid()) return bad("no such date " + date.ToString());
  if (hour > 23 || minute > 59 || second > 59) return bad("time of day out of range");
  int64_t micros = 0;
  if (text.size() > 20) {
    // ".f" to ".ffffff" between the seconds and the 'Z'.
    std::string_view frac = text.substr(19, text.size() - 20);
    if (frac.size() < 2 || frac.size() > 7 || frac[0] != '.') {
      return bad("fraction must be '.' and 1 to 6 digits before 'Z'");
    }
    int f = Digits(frac, 1, frac.size() - 1);
    if (f < 0) return bad("fraction must be '.' and 1 to 6 digits before 'Z'");
    micros = f;
    for (size_t i = frac.size() - 1; i < 6; ++i) micros *= 10;
  }
  int64_t secs = DaysFromCivil(date) * 86400 + hour * 3600 + minute * 60 + second;
  return FromUnixMicros(secs * 1'000'000 + micros);
}

}  // namespace tongban
