// My sessions and devices; see session_directory.h.
#include "identity/session_directory.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace tongban::identity {

std::string_view EmbeddedIpRegions();  // generated from data/identity/ip_regions.csv

namespace {

constexpr std::string_view kUnknownRegion = "未知";

// The 128-bit form of an address (IPv4 as ::ffff:a.b.c.d); nullopt when not an address.
std::optional<std::array<uint8_t, 16>> ParseAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  std::array<uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool InPrefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& net, int bits) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (net[i] & mask)) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The major version after `marker` ("Chrome/" -> "120"), empty when none.
std::string MajorAfter(std::string_view ua, std::string_view marker) {
  size_t at = ua.find(marker);
  if (at == std::string_view::npos) return "";
  std::string out;
  for (size_t i = at + marker.size(); i < ua.size() && out.size() < 4; ++i) {
    if (ua[i] < '0' || ua[i] > '9') break;
    out.push_back(ua[i]);
  }
  return out;
}

}  // namespace

Result<RegionTable> RegionTable::Parse(std::string_view csv) {
  RegionTable table;
  size_t line_no = 0;
  while (!csv.empty()) {
    size_t end = csv.find('\n');
    std::string_view line = Trim(csv.substr(0, end));
    csv = end == std::string_view::npos ? std::string_view() : csv.substr(end + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.starts_with("cidr,")) continue;
    size_t comma = line.find(',');
    size_t slash = line.find('/');
    if (comma == std::string_view::npos || slash == std::string_view::npos || slash > comma) {
      return Status::InvalidArgument("ip_regions line " + std::to_string(line_no) +
                                     ": expected \"cidr,region\"");
    }
    auto net = ParseAddress(Trim(line.substr(0, slash)));
    std::string bits_text(Trim(line.substr(slash + 1, comma - slash - 1)));
    std::string region(Trim(line.substr(comma + 1)));
    if (!net || bits_text.empty() || bits_text.size() > 3 || region.empty() ||
        !std::all_of(bits_text.begin(), bits_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Status::InvalidArgument("ip_regions line " + std::to_string(line_no) +
                                     ": bad address, prefix or region");
    }
    int bits = std::stoi(bits_text);
    const bool v4 = line.substr(0, slash).find(':') == std::string_view::npos;
    if (v4) bits += 96;
    if (bits > 128 || (v4 && bits > 128)) {
      return Status::InvalidArgument("ip_regions line " + std::to_string(line_no) +
                                     ": prefix too long");
    }
    table.ranges_.push_back(Range{*net, bits, std::move(region)});
  }
  // Longest prefix first: the first match is the most specific.
  std::stable_sort(table.ranges_.begin(), table.ranges_.end(),
                   [](const Range& a, const Range& b) { return a.bits > b.bits; });
  return table;
}

const RegionTable& RegionTable::Builtin() {
  static const RegionTable table = [] {
    auto parsed = Parse(EmbeddedIpRegions());
    return parsed.ok() ? std::move(*parsed) : RegionTable();
  }();
  return table;
}

std::string RegionTable::Lookup(std::string_view address) const {
  auto a = ParseAddress(address);
  if (!a) return std::string(kUnknownRegion);
  for (const Range& r : ranges_) {
    if (InPrefix(*a, r.net, r.bits)) return r.region;
  }
  return std::string(kUnknownRegion);
}

std::string ShortDevice(std::string_view ua) {
  if (ua.empty()) return "未知设备";
  std::string browser;
  if (ua.find("MicroMessenger/") != std::string_view::npos) {
    browser = "微信";
  } else if (ua.find("Edg/") != std::string_view::npos) {
    browser = "Edge " + MajorAfter(ua, "Edg/");
  } else if (ua.find("Firefox/") != std::string_view::npos) {
    browser = "Firefox " + MajorAfter(ua, "Firefox/");
  } else if (ua.find("Chrome/") != std::string_view::npos) {
    browser = "Chrome " + MajorAfter(ua, "Chrome/");
  } else if (ua.find("Safari/") != std::string_view::npos) {
    browser = "Safari " + MajorAfter(ua, "Version/");
  } else {
    // A tool: its product token, e.g. "curl/8.5.0" -> "curl 8". Printable ASCII only: the
    // header's other bytes need not be UTF-8 at all (PostgreSQL refuses invalid UTF-8).
    size_t slash = ua.find('/');
    std::string_view product = ua.substr(0, std::min<size_t>(slash, 24));
    for (char c : product) {
      if (c >= 0x20 && c < 0x7f) browser.push_back(c);
    }
    if (!browser.empty() && slash != std::string_view::npos) {
      browser += " " + MajorAfter(ua, std::string(product) + "/");
    }
  }
  while (!browser.empty() && browser.back() == ' ') browser.pop_back();
  std::string os;
  if (ua.find("Android") != std::string_view::npos) {
    os = "Android";
  } else if (ua.find("iPhone") != std::string_view::npos) {
    os = "iPhone";
  } else if (ua.find("iPad") != std::string_view::npos) {
    os = "iPad";
  } else if (ua.find("Windows") != std::string_view::npos) {
    os = "Windows";
  } else if (ua.find("Mac OS X") != std::string_view::npos) {
    os = "macOS";
  } else if (ua.find("HarmonyOS") != std::string_view::npos) {
    os = "HarmonyOS";
  } else if (ua.find("Linux") != std::string_view::npos) {
    os = "Linux";
  }
  if (browser.empty() && os.empty()) return "未知设备";
  // Built only of printable ASCII taken from the header and the whole UTF-8 labels above (at
  // most 24 + 1 + 4 + 3 + 9 bytes): valid UTF-8, never cut inside a character.
  return os.empty() ? browser : browser.empty() ? os : browser + " · " + os;
}

std::vector<store::Migration> SessionDirectory::Migrations() {
  store::Migration v1;
  v1.part = "identity_sessions";
  v1.version = 1;
  v1.sql = R"(
ALTER TABLE sessions ADD COLUMN device TEXT;
ALTER TABLE sessions ADD COLUMN region TEXT;
ALTER TABLE sessions ADD COLUMN last_used_at {{int64}};
ALTER TABLE sessions ADD COLUMN stepped_up_at {{int64}};
CREATE INDEX sessions_account ON sessions(account_id);
)";
  return {v1};
}

SessionDirectory::SessionDirectory(store::Database& db, const Clock& clock,
                                   IdentityService& identity, const RegionTable& regions,
                                   int64_t throttle_seconds)
    : db_(db),
      clock_(clock),
      identity_(identity),
      regions_(regions),
      throttle_seconds_(throttle_seconds) {}

int64_t SessionDirectory::NowSeconds() const { return clock_.NowUnixMicros() / 1'000'000; }

void SessionDirectory::Seen(int64_t session_id, std::string_view user_agent,
                            std::string_view address) {
  const int64_t now = NowSeconds();
  Shard& shard = shards_[static_cast<uint64_t>(session_id) % kShards];
  {
    std::lock_guard lock(shard.mu);
    auto it = shard.uses.find(session_id);
    // Noted recently with its device (a refresh notes the time alone): nothing to do.
    if (it != shard.uses.end() && now - it->second.at < throttle_seconds_ &&
        !it->second.device.empty()) {
      return;
    }
  }
  // Noted again: the device label and region are worked out outside the lock.
  Use use{now, ShortDevice(user_agent), regions_.Lookup(address), true};
  std::lock_guard lock(shard.mu);
  shard.uses[session_id] = std::move(use);
}

void SessionDirectory::Refreshed(int64_t session_id) {
  const int64_t now = NowSeconds();
  Shard& shard = shards_[static_cast<uint64_t>(session_id) % kShards];
  std::lock_guard lock(shard.mu);
  Use& use = shard.uses[session_id];  // a new entry has no device or region: the table's stay
  use.at = now;
  use.dirty = true;
}

Status SessionDirectory::Flush() {
  std::vector<std::pair<int64_t, Use>> dirty;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    const int64_t forget_before = NowSeconds() - throttle_seconds_;
    for (auto it = shard.uses.begin(); it != shard.uses.end();) {
      if (it->second.dirty) {
        dirty.emplace_back(it->first, it->second);
        it->second.dirty = false;
      }
      // Past the throttle an entry no longer saves a write: forget it (bounded memory).
      if (!it->second.dirty && it->second.at < forget_before) {
        it = shard.uses.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (dirty.empty()) return Status::Ok();
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    for (const auto& [id, use] : dirty) {
      TB_RETURN_IF_ERROR(tx.Exec("UPDATE sessions SET last_used_at = ?, device = COALESCE(NULLIF(?, "
                                 "''), device), region = COALESCE(NULLIF(?, ''), region) WHERE "
                                 "id = ? AND (last_used_at IS NULL OR last_used_at <= ?)",
                                 {use.at, use.device, use.region, id, use.at})
                             .status());
    }
    return Status::Ok();
  });
  if (!s.ok() && s.code() != ErrorCode::kUnavailable) {
    // Not a passing conflict: one row may be at fault. Each row on its own, so a bad one can
    // never hold back the rest (forever, as it would be noted again for every flush); a row
    // refused for itself is dropped — its session keeps its last use from the table.
    s = Status::Ok();
    for (auto it = dirty.begin(); it != dirty.end();) {
      const auto& [id, use] = *it;
      Status one = db_.Transact([&](store::Tx& tx) -> Status {
        return tx.Exec("UPDATE sessions SET last_used_at = ?, device = COALESCE(NULLIF(?, ''), "
                       "device), region = COALESCE(NULLIF(?, ''), region) WHERE id = ? AND "
                       "(last_used_at IS NULL OR last_used_at <= ?)",
                       {use.at, use.device, use.region, id, use.at})
            .status();
      });
      if (one.ok() || one.code() != ErrorCode::kUnavailable) {
        it = dirty.erase(it);
      } else {
        if (s.ok()) s = one;
        ++it;
      }
    }
  }
  if (!s.ok()) {
    // Noted again for the next flush.
    for (auto& [id, use] : dirty) {
      Shard& shard = shards_[static_cast<uint64_t>(id) % kShards];
      std::lock_guard lock(shard.mu);
      auto [it, inserted] = shard.uses.try_emplace(id, use);
      if (!inserted && it->second.at <= use.at) it->second = use;
      it->second.dirty = true;
    }
  }
  return s;
}

Result<std::vector<SessionInfo>> SessionDirectory::List(int64_t account_id,
                                                        int64_t current_session) {
  std::vector<SessionInfo> out;
  const int64_t now = NowSeconds();
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT id, device, region, created_at, last_used_at, "
                                 "stepped_up_at FROM sessions WHERE account_id = ? AND "
                                 "revoked_at IS NULL AND expires_at > ? ORDER BY id DESC",
                                 {account_id, now}));
    for (const auto& r : rows) {
      SessionInfo info;
      info.id = r.Int64(0);
      info.device = r.OptText(1).value_or("");
      info.region = r.OptText(2).value_or("");
      info.created_at = r.Int64(3);
      info.last_used_at = r.OptInt64(4).value_or(info.created_at);
      info.stepped_up = !r.IsNull(5);
      info.current = info.id == current_session;
      out.push_back(std::move(info));
    }
    return Status::Ok();
  }));
  for (SessionInfo& info : out) {
    Shard& shard = shards_[static_cast<uint64_t>(info.id) % kShards];
    std::lock_guard lock(shard.mu);
    auto it = shard.uses.find(info.id);
    if (it != shard.uses.end() && it->second.at >= info.last_used_at) {
      info.last_used_at = it->second.at;
      if (!it->second.device.empty()) info.device = it->second.device;
      if (!it->second.region.empty()) info.region = it->second.region;
    }
    if (info.device.empty()) info.device = "未知设备";
    if (info.region.empty()) info.region = std::string(kUnknownRegion);
  }
  std::stable_sort(out.begin(), out.end(), [](const SessionInfo& a, const SessionInfo& b) {
    return a.last_used_at > b.last_used_at;
  });
  return out;
}

Status SessionDirectory::End(int64_t account_id, int64_t session_id) {
  bool mine = false;
  const int64_t now = NowSeconds();
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id FROM sessions WHERE id = ? AND "
                                              "account_id = ? AND revoked_at IS NULL AND "
                                              "expires_at > ?",
                                              {session_id, account_id, now}));
    mine = row.has_value();
    return Status::Ok();
  }));
  if (!mine) return Status::NotFound("session", std::to_string(session_id));
  return identity_.Logout(session_id);
}

Result<int64_t> SessionDirectory::EndOthers(int64_t account_id, int64_t keep_session) {
  std::vector<int64_t> ids;
  const int64_t now = NowSeconds();
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id FROM sessions WHERE account_id = ? AND "
                                            "revoked_at IS NULL AND expires_at > ? AND id <> ?",
                                            {account_id, now, keep_session}));
    for (const auto& r : rows) ids.push_back(r.Int64(0));
    return Status::Ok();
  }));
  for (int64_t id : ids) TB_RETURN_IF_ERROR(identity_.Logout(id));
  return static_cast<int64_t>(ids.size());
}

Status SessionDirectory::MarkSteppedUp(int64_t session_id) {
  return db_.Transact([&](store::Tx& tx) -> Status {
    return tx.Exec("UPDATE sessions SET stepped_up_at = ? WHERE id = ?", {NowSeconds(), session_id})
        .status();
  });
}

}  // namespace tongban::identity
