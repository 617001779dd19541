// SessionDirectory: "my sessions and devices" — the sessions a person can see (device, place,
// created, last used, the one they are using) and end, one or all others.
//
// What a session is seen with is noted on authenticated requests WITHOUT a database write on the
// hot path: Seen() keeps the latest use of each session in memory (throttled: a session already
// noted within `throttle_seconds` costs one map lookup) and Flush() — a periodic worker of the
// identity part — writes the noted uses to the sessions table. List() merges what is not flushed
// yet, so a session shows its device at once.
//
// The place is a region name from a CIDR table (RegionTable; the built-in one is
// data/identity/ip_regions.csv): never a full address, in the database or in a log.
// Thread-safe. `db`, `clock` and `identity` must outlive the directory.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "identity/identity_service.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::identity {

// CIDR -> region name. Lines "cidr,region" (IPv4 or IPv6), '#' comments; the longest prefix wins.
class RegionTable {
 public:
  static Result<RegionTable> Parse(std::string_view csv);
  // data/identity/ip_regions.csv, embedded in the binary.
  static const RegionTable& Builtin();
  // The region of `address` ("127.0.0.1", "::1", "::ffff:10.0.0.1"), "未知" when none matches.
  std::string Lookup(std::string_view address) const;
  size_t size() const { return ranges_.size(); }

 private:
  struct Range {
    std::array<uint8_t, 16> net{};  // IPv4 as ::ffff:a.b.c.d
    int bits = 0;                   // prefix length over the 128-bit form
    std::string region;
  };
  std::vector<Range> ranges_;
};

// A short device label from a User-Agent: "Chrome 120 · Android", "Safari · iPhone",
// "curl 8.5", at most 64 bytes of printable text; "未知设备" for none.
std::string ShortDevice(std::string_view user_agent);

struct SessionInfo {
  int64_t id = 0;
  std::string device;   // ShortDevice of the latest use
  std::string region;   // region of the latest use
  int64_t created_at = 0;
  int64_t last_used_at = 0;  // created_at when never used since
  bool stepped_up = false;   // a one-time code was given in this session
  bool current = false;      // the session of the caller
};

class SessionDirectory {
 public:
  // Part "identity_sessions": device, region, last_used_at, stepped_up_at on sessions.
  static std::vector<store::Migration> Migrations();

  SessionDirectory(store::Database& db, const Clock& clock, IdentityService& identity,
                   const RegionTable& regions, int64_t throttle_seconds = 60);

  // An authenticated request of `session_id`. In memory only; cheap when noted recently.
  void Seen(int64_t session_id, std::string_view user_agent, std::string_view address);
  // A refresh of `session_id` (IdentityService::OnRefresh): its last use is now; the device and
  // region stay those of its last request. In memory, as Seen.
  void Refreshed(int64_t session_id);
  // Writes the uses noted since the last flush. Called periodically and at stop.
  Status Flush();

  // The live sessions of `account_id`, newest use first; `current_session` marked.
  Result<std::vector<SessionInfo>> List(int64_t account_id, int64_t current_session);
  // Ends one of the account's live sessions; kNotFound for another person's, an unknown or an
  // ended one (the same answer).
  Status End(int64_t account_id, int64_t session_id);
  // Ends every live session of the account but `keep_session` (0: all). Returns how many.
  Result<int64_t> EndOthers(int64_t account_id, int64_t keep_session);
  // Records that a one-time code was given in this session (step-up).
  Status MarkSteppedUp(int64_t session_id);

 private:
  struct Use {
    int64_t at = 0;
    std::string device;
    std::string region;
    bool dirty = false;
  };
  static constexpr size_t kShards = 16;
  // One cache line each, so that threads noting sessions of different shards do not contend.
  struct alignas(64) Shard {
    std::mutex mu;
    std::unordered_map<int64_t, Use> uses;
  };
  int64_t NowSeconds() const;

  store::Database& db_;
  const Clock& clock_;
  IdentityService& identity_;
  const RegionTable& regions_;
  const int64_t throttle_seconds_;
  std::array<Shard, kShards> shards_;
};

}  // namespace tongban::identity
