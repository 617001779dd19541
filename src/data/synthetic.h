// SyntheticCounty: a synthetic population for the demo and the benchmarks — people with valid
// citizen ID numbers (GB 11643 check characters) spread over the real GB/T 2260 districts of a
// city, realistic Chinese names, households, marriages, births, schooling, social and medical
// insurance, housing fund accounts, property and its purchase, disability certificates, and
// enterprises with valid USCCs (GB 32100) with their registration and tax records — as NDJSON
// lines per dataset of the built-in catalogue (data/public-data/catalogue.json), ready for
// DataService::Push by each dataset's owner department.
//
// No real person's data: every name is drawn from common surnames and given-name characters, every
// number is generated. Deterministic for a seed (and `today`); record keys carry a tag of the seed
// and sizes, so counties of other seeds or sizes can share a database (their ID numbers may, rarely,
// coincide: one county per database is what the tests check). ID numbers are unique by
// construction (a counter per district, birth date and sex, not a set of every number), so a
// population of millions streams household by household in bounded memory (about 2 MB of
// counters plus the enterprises' USCCs).
//
// Not thread-safe (one generator per thread).
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/region.h"

namespace tongban::data {

struct SyntheticOptions {
  int64_t people = 10'000;
  int64_t enterprises = 0;  // 0: one per 20 people, at least 500
  uint64_t seed = 20261207;
  RegionCode city = RegionCode::FromInt(330100);  // its districts hold the people (杭州市)
  CivilDate today{2026, 12, 7};                   // no date generated is later
};

// NDJSON lines (without the newline) by dataset code.
using SyntheticBatch = std::map<std::string, std::vector<std::string>>;

class SyntheticCounty {
 public:
  explicit SyntheticCounty(SyntheticOptions options);

  // The enterprises' records (enterprise_registration, tax_payment), `max` enterprises at most;
  // empty when every enterprise has been generated. Call until empty before NextPeople: people's
  // employers are drawn from them.
  SyntheticBatch NextEnterprises(int64_t max);
  // The records of the next households, about `max_people` people (a household is never split);
  // empty when every person has been generated.
  SyntheticBatch NextPeople(int64_t max_people);

  int64_t people_generated() const { return generated_; }
  int64_t enterprises_generated() const { return static_cast<int64_t>(employers_.size()); }
  const SyntheticOptions& options() const { return options_; }

 private:
  struct Person {
    std::string id;
    std::string name;
    bool male = true;
    CivilDate birth;
    size_t district = 0;  // index into districts_
  };
  Person MakePerson(bool male, int age, const std::string& surname, size_t district);
  std::string GivenName(bool male);
  std::string Street(size_t district);
  CivilDate DateBetween(CivilDate from, CivilDate to);
  CivilDate Clamp(CivilDate d) const;  // not later than today
  int Age(const Person& p) const;

  SyntheticOptions options_;
  std::mt19937_64 rng_;
  int64_t today_days_ = 0;
  std::string city_name_;
  std::vector<RegionCode> districts_;
  std::vector<std::string> district_names_;
  // ID sequence codes handed out per (district, birth day, sex): unique numbers by construction.
  std::vector<uint16_t> id_slots_;
  std::vector<std::string> employers_;  // USCCs
  std::set<std::string> usccs_;         // the same, for uniqueness
  std::string tag_;        // 4 characters in every record key, from the seed and sizes
  int64_t tag_hash_ = 0;   // where the ID sequence codes start, from the same
  int64_t generated_ = 0;
  int64_t household_seq_ = 0;
};

}  // namespace tongban::data
