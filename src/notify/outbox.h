// The notification hub's one interface for the other parts: a Notice written to the outbox inside
// the transaction of the event that causes it, so the two commit or roll back together. The notify
// worker (notify/notify_service.h) later routes it to the recipient's channels (inbox, sms, email)
// and delivers it with retries; docs/notifications.md.
//
//   TB_RETURN_IF_ERROR(notify::Enqueue(tx, {.event_id = "receipt.issued:" + code,
//                                           .recipient = payer_id,
//                                           .template_id = "receipt.issued",
//                                           .vars = {{"issuer", issuer}, {"amount", yuan}}},
//                                      now_seconds));
//
// Thread-safety: Enqueue runs on the thread of its Tx; it may be called from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::notify {

struct Notice {
  std::string event_id;     // unique per causing event, e.g. "receipt.issued:<code>"
  std::string recipient;    // the person told: subject ID (citizen ID number or USCC)
  std::string template_id;  // "receipt.issued", "license.verified", "license.expiring",
                            // "attorney.used", "attorney.created", "otp.code", "data.export.ready"
  std::vector<std::pair<std::string, std::string>> vars;  // template variables
  bool sensitive = false;   // one-time codes: never listed in the inbox; vars erased once delivered
  std::vector<std::string> channels;  // empty: per the recipient's preferences; {"sms"} forces
  std::string address;      // explicit phone / e-mail when the recipient has no contact on file
};

// Writes `notice` to the outbox inside the caller's transaction, so it commits or rolls back with
// the event that caused it. Idempotent: (event_id, recipient) is delivered once, a repeat ignored.
// Errors: kInvalidArgument (empty event_id / recipient / template_id, an unknown channel, the
// inbox asked for a sensitive notice, over-long fields); the database's errors.
Status Enqueue(store::Tx& tx, const Notice& notice, int64_t now_seconds);

// Enqueue for many notices at once (a receipt batch): one prepared statement, the same rules.
Status EnqueueAll(store::Tx& tx, std::span<const Notice> notices, int64_t now_seconds);

// The channels a notice may go to.
inline constexpr std::string_view kChannels[] = {"inbox", "sms", "email"};
bool IsChannel(std::string_view channel);

// The notify part's schema (outbox, deliveries, inbox, people's contacts and preferences).
std::vector<store::Migration> Migrations();

// Counts Enqueue calls in this process; the worker waits on it to wake early (wakeup.h).
uint64_t EnqueueSerial();

}  // namespace tongban::notify
