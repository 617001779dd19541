// Enqueue and the notify schema; see outbox.h.
#include "notify/outbox.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <boost/json.hpp>

#include "notify/templates.h"
#include "notify/wakeup.h"

namespace tongban::notify {
namespace {

std::mutex wake_mu;
std::condition_variable wake_cv;
std::atomic<uint64_t> enqueue_serial{0};
uint64_t wake_generation = 0;  // guarded by wake_mu: bumped by WakeAll

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

bool IsChannel(std::string_view channel) {
  for (std::string_view c : kChannels) {
    if (c == channel) return true;
  }
  return false;
}

uint64_t EnqueueSerial() { return enqueue_serial.load(std::memory_order_acquire); }

void NoteEnqueued() {
  {
    // Under the waiter's mutex, so the increment cannot fall between its check and its wait (a
    // lost wake-up would leave the notice for the next poll).
    std::lock_guard lock(wake_mu);
    enqueue_serial.fetch_add(1, std::memory_order_acq_rel);
  }
  wake_cv.notify_all();
}

uint64_t WaitForEnqueue(uint64_t seen, std::chrono::milliseconds max) {
  std::unique_lock lock(wake_mu);
  const uint64_t generation = wake_generation;
  wake_cv.wait_for(lock, max, [&] { return EnqueueSerial() != seen || wake_generation != generation; });
  return EnqueueSerial();
}

void WakeAll() {
  {
    std::lock_guard lock(wake_mu);
    ++wake_generation;
  }
  wake_cv.notify_all();
}

namespace {

constexpr std::string_view kInsert =
    "INSERT INTO notify_outbox (event_id, recipient, template_id, vars, sensitive, channels, address, created_at, "
    "routed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (event_id, recipient) DO NOTHING";

// The outbox row of `notice` once checked: (vars JSON, channels text, sensitive).
struct Checked {
  std::string vars;
  std::string channels;
  bool sensitive = false;
};

Result<Checked> Check(const Notice& notice) {
  if (notice.event_id.empty() || notice.event_id.size() > 200) {
    return Status::InvalidField("event_id", "must be 1 to 200 characters");
  }
  if (notice.recipient.empty() || notice.recipient.size() > 64) {
    return Status::InvalidField("recipient", "must be 1 to 64 characters");
  }
  if (!ValidName(notice.template_id)) {
    return Status::InvalidField("template_id", "must be a template name such as receipt.issued");
  }
  TB_RETURN_IF_ERROR(Templates::Builtin().Check(notice.template_id, notice.vars));
  Checked out;
  out.sensitive = notice.sensitive || Templates::Builtin().Find(notice.template_id)->sensitive;
  if (notice.address.size() > 254) return Status::InvalidField("address", "at most 254 characters");
  for (const std::string& c : notice.channels) {
    if (!IsChannel(c)) return Status::InvalidField("channels", "unknown channel (inbox, sms or email)");
    if (c == "inbox" && out.sensitive) {
      return Status::InvalidField("channels", "a sensitive notice never goes to the inbox");
    }
    if (!out.channels.empty()) out.channels += ',';
    out.channels += c;
  }
  boost::json::object vars;
  for (const auto& [k, v] : notice.vars) {
    if (!ValidName(k)) return Status::InvalidField("vars", "a variable name is a-z, 0-9, '.', '_' or '-'");
    vars[k] = v;
  }
  out.vars = boost::json::serialize(vars);
  return out;
}

}  // namespace

Status Enqueue(store::Tx& tx, const Notice& notice, int64_t now_seconds) {
  TB_ASSIGN_OR_RETURN(Checked c, Check(notice));
  TB_ASSIGN_OR_RETURN(const int64_t added,
                      tx.Exec(kInsert, {notice.event_id, notice.recipient, notice.template_id, c.vars,
                                        c.sensitive ? 1 : 0, c.channels, notice.address, now_seconds}));
  // A repeat (an acting request's daily notice, a sweep's) adds nothing: no reason to wake the worker.
  if (added > 0) NoteEnqueued();
  return Status::Ok();
}

Status EnqueueAll(store::Tx& tx, std::span<const Notice> notices, int64_t now_seconds) {
  if (notices.empty()) return Status::Ok();
  if (notices.size() == 1) return Enqueue(tx, notices[0], now_seconds);
  TB_ASSIGN_OR_RETURN(auto batch, tx.PrepareBatch(kInsert));
  for (const Notice& notice : notices) {
    TB_ASSIGN_OR_RETURN(Checked c, Check(notice));
    TB_RETURN_IF_ERROR(batch->Add({notice.event_id, notice.recipient, notice.template_id, c.vars,
                                   c.sensitive ? 1 : 0, c.channels, notice.address, now_seconds}));
  }
  TB_ASSIGN_OR_RETURN(const int64_t added, batch->Finish());
  if (added > 0) NoteEnqueued();
  return Status::Ok();
}

std::vector<store::Migration> Migrations() {
  return {
      {.part = "notify", .version = 1, .sql = R"(
        CREATE TABLE notify_outbox (
          id {{id}},
          event_id TEXT NOT NULL,
          recipient TEXT NOT NULL,
          template_id TEXT NOT NULL,
          vars TEXT NOT NULL,
          sensitive {{int64}} NOT NULL,
          channels TEXT NOT NULL,
          address TEXT NOT NULL,
          created_at {{int64}} NOT NULL,
          routed {{int64}} NOT NULL,
          UNIQUE (event_id, recipient)
        );
        CREATE INDEX notify_outbox_unrouted ON notify_outbox (id) WHERE routed = 0;
        CREATE TABLE notify_delivery (
          id {{id}},
          outbox_id {{int64}} NOT NULL,
          channel TEXT NOT NULL,
          address TEXT NOT NULL,
          status TEXT NOT NULL,
          attempts {{int64}} NOT NULL,
          next_attempt_at {{int64}} NOT NULL,
          last_error TEXT NOT NULL,
          delivered_at {{int64}},
          created_at {{int64}} NOT NULL,
          UNIQUE (outbox_id, channel)
        );
        CREATE INDEX notify_delivery_due ON notify_delivery (status, next_attempt_at, id);
        CREATE TABLE notify_inbox (
          id {{id}},
          recipient TEXT NOT NULL,
          outbox_id {{int64}} NOT NULL UNIQUE,
          template_id TEXT NOT NULL,
          title_zh TEXT NOT NULL,
          body_zh TEXT NOT NULL,
          title_en TEXT NOT NULL,
          body_en TEXT NOT NULL,
          created_at {{int64}} NOT NULL,
          read_at {{int64}}
        );
        CREATE INDEX notify_inbox_recipient ON notify_inbox (recipient, id);
        CREATE TABLE notify_person (
          subject TEXT PRIMARY KEY,
          language TEXT NOT NULL,
          phone TEXT NOT NULL,
          email TEXT NOT NULL,
          channels TEXT NOT NULL,
          updated_at {{int64}} NOT NULL
        );
      )"},
  };
}

}  // namespace tongban::notify
