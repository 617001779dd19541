// Tests for Clock, FakeClock and the UTC date helpers.
#include "core/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace tongban {
namespace {

TEST(FakeClock, SetAndAdvance) {
  FakeClock clock(1'000'000);
  EXPECT_EQ(clock.NowUnixMicros(), 1'000'000);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_EQ(clock.NowUnixMicros(), 3'000'000);
  clock.SetUnixMicros(-5);
  EXPECT_EQ(clock.NowUnixMicros(), -5);
  clock.Set(FromUnixMicros(42));
  EXPECT_EQ(ToUnixMicros(clock.Now()), 42);
}

TEST(SystemClock, IsAfter2025) {
  SystemClock clock;
  EXPECT_GT(clock.NowUnixMicros(), int64_t{1'735'689'600} * 1'000'000);
}

TEST(CivilDate, DaysRoundTrip) {
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11017);
  EXPECT_EQ(DaysFromCivil({1969, 12, 31}), -1);
  EXPECT_EQ(CivilFromDays(-1), (CivilDate{1969, 12, 31}));
  EXPECT_EQ(CivilFromDays(20781), (CivilDate{2026, 11, 24}));
  for (int64_t d = -800000; d < 800000; d += 997) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(d)), d);
  }
}

TEST(CivilDate, Validity) {
  EXPECT_TRUE((CivilDate{2000, 2, 29}).IsValid());
  EXPECT_FALSE((CivilDate{1900, 2, 29}).IsValid());
  EXPECT_FALSE((CivilDate{1999, 2, 30}).IsValid());
  EXPECT_FALSE((CivilDate{2024, 4, 31}).IsValid());
  EXPECT_FALSE((CivilDate{2024, 0, 1}).IsValid());
  EXPECT_FALSE((CivilDate{2024, 13, 1}).IsValid());
  EXPECT_FALSE((CivilDate{0, 1, 1}).IsValid());
  EXPECT_EQ((CivilDate{1949, 10, 1}).ToString(), "1949-10-01");
  EXPECT_LT((CivilDate{1999, 12, 31}), (CivilDate{2000, 1, 1}));
}

TEST(Iso8601, FormatAndParse) {
  Result<TimePoint> t = ParseIso8601Utc("2026-11-24T08:25:19Z");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(ToUnixMicros(*t), int64_t{1795508719} * 1'000'000);
  EXPECT_EQ(FormatIso8601Utc(*t), "2026-11-24T08:25:19Z");
  EXPECT_EQ(FormatIso8601Utc(FromUnixMicros(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601Utc(FromUnixMicros(-1)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatIso8601Utc(FromUnixMicros(1'999'999)), "1970-01-01T00:00:01Z");
  EXPECT_EQ(UtcDate(*t), (CivilDate{2026, 11, 24}));
}

TEST(Iso8601, Fractions) {
  EXPECT_EQ(ToUnixMicros(*ParseIso8601Utc("1970-01-01T00:00:00.5Z")), 500000);
  EXPECT_EQ(ToUnixMicros(*ParseIso8601Utc("1970-01-01T00:00:00.000001Z")), 1);
  EXPECT_EQ(ToUnixMicros(*ParseIso8601Utc("1970-01-01T00:00:01.250Z")), 1'250'000);
}

TEST(Iso8601, RejectsMalformed) {
  for (const char* bad :
       {"", "2026-11-24", "2026-11-24T08:25:19", "2026-11-24T08:25:19+08:00",
        "2026-11-24 08:25:19Z", "2026-11-24t08:25:19z", "2026-02-30T00:00:00Z",
        "2026-11-24T24:00:00Z", "2026-11-24T23:60:00Z", "2026-11-24T23:59:60Z",
        "2026-11-24T08:25:19.Z", "2026-11-24T08:25:19.1234567Z", "2026-11-24T08:25:19,5Z",
        "+026-11-24T08:25:19Z", "2026-1a-24T08:25:19Z", "２026-11-24T08:25:19Z"}) {
    Result<TimePoint> r = ParseIso8601Utc(bad, "issued_at");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().fields().at(0).field, "issued_at");
    }
  }
}

TEST(CivilDate, ParseAcceptsOnlyExactCalendarDates) {
  EXPECT_EQ(ParseCivilDate("2026-11-24"), (CivilDate{2026, 11, 24}));
  EXPECT_EQ(ParseCivilDate("2024-02-29"), (CivilDate{2024, 2, 29}));
  for (std::string_view bad : {"", "2026-1-24", "2026-11-24 ", " 2026-11-24", "2026/11/24", "2026-02-30",
                               "2026-13-01", "2026-00-10", "2026-11-00", "20261124xx", "２０２６-11-24",
                               "2026-11-2x", "+026-11-24", "2025-02-29"}) {
    EXPECT_FALSE(ParseCivilDate(bad).has_value()) << bad;
  }
}

TEST(ChinaDate, DayStartAndEndAreUtcPlusEightMidnights) {
  // 2026-12-07 starts at 2026-12-06T16:00:00Z and ends 24 hours later.
  EXPECT_EQ(ChinaDayStartUnix({2026, 12, 7}), 1'796'572'800);
  EXPECT_EQ(ChinaDayEndUnix({2026, 12, 7}), 1'796'572'800 + 86400);
  EXPECT_EQ(ChinaDate(FromUnixMicros(int64_t{1'796'572'800} * 1'000'000)), (CivilDate{2026, 12, 7}));
  EXPECT_EQ(ChinaDate(FromUnixMicros((int64_t{1'796'572'800} - 1) * 1'000'000)), (CivilDate{2026, 12, 6}));
}

TEST(ChinaDate, IsUtcPlusEight) {
  EXPECT_EQ(ChinaDate(*ParseIso8601Utc("2026-11-24T15:59:59Z")), (CivilDate{2026, 11, 24}));
  EXPECT_EQ(ChinaDate(*ParseIso8601Utc("2026-11-24T16:00:00Z")), (CivilDate{2026, 11, 25}));
}

TEST(FakeClock, ConcurrentAdvanceAndReadsAreSafe) {
  FakeClock clock(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) {
        clock.Advance(std::chrono::microseconds(1));
        (void)clock.Now();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(clock.NowUnixMicros(), 4000);
}

}  // namespace
}  // namespace tongban
