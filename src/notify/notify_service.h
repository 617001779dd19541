// NotifyService: the notification hub's delivery side and the person's side of it. The worker
// routes each new outbox row (outbox.h) to its channels — the notice's own, else the person's
// preference for that template, else the template's defaults — writing one delivery row per
// channel; the inbox channel is delivered at once (a row the portal lists), SMS and e-mail are
// claimed in a transaction (status "sending", a lease), handed to the Gateway in a batch, and
// marked "delivered" after, or retried with exponential back-off up to max_attempts ("failed").
// A crash between send and mark leaves the row "sending"; once its lease passes it is sent again
// with the same message id: at-least-once sending, exactly-once effect at a receiver that drops
// repeated ids (docs/notifications.md). Sensitive notices never reach the inbox; their variables
// are erased once no delivery is left to make.
// Thread-safety: thread-safe; one worker thread per service (Start/Stop).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "notify/gateway.h"
#include "notify/templates.h"
#include "store/database.h"

namespace tongban::notify {

struct NotifyOptions {
  int64_t max_attempts = 8;     // a delivery failing this many times is "failed"
  int64_t backoff_s = 5;        // wait after the first failure, doubling
  int64_t max_backoff_s = 3600;
  int64_t batch = 500;          // rows routed / claimed per pass, messages per Send
  int64_t lease_s = 60;         // a "sending" row is claimed again after this
  std::chrono::milliseconds poll{500};
  const Templates* templates = nullptr;  // nullptr: Templates::Builtin()
  // Tests only: runs right after the gateway accepted a batch, before it is marked (the crash
  // test aborts the process here).
  std::function<void()> after_send;
};

// A person's contact and choices. `channels`: per template id, the channels chosen.
struct Preferences {
  std::string language = "zh";  // "zh" or "en"
  std::string phone;            // mainland mobile number, or empty
  std::string email;
  std::map<std::string, std::vector<std::string>> channels;
  bool stored = false;          // false: nothing on file yet (the defaults)
};

struct InboxItem {
  int64_t id = 0;
  std::string template_id;
  std::string title;
  std::string body;
  int64_t created_at = 0;
  std::optional<int64_t> read_at;
};

struct InboxPage {
  std::vector<InboxItem> items;  // newest first
  int64_t unread = 0;
  int64_t total = 0;
  std::optional<int64_t> next_before;  // pass as `before` for the next page
};

// One delivery as the admin list shows it: never a variable, never the address; recipient masked.
struct DeliveryView {
  int64_t id = 0;
  std::string event_id;
  std::string recipient;  // masked
  std::string template_id;
  std::string channel;
  std::string status;     // pending, sending, delivered, failed, skipped
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;
  std::string last_error;
  std::optional<int64_t> delivered_at;
  int64_t created_at = 0;
};

// What one pass did.
struct PassFigures {
  int64_t routed = 0;     // outbox rows routed to channels
  int64_t claimed = 0;    // SMS / e-mail messages handed to the gateway
  int64_t delivered = 0;  // of those, accepted
  int64_t retried = 0;
  int64_t failed = 0;
};

bool IsMobileNumber(std::string_view s);

class NotifyService {
 public:
  NotifyService(store::Database& db, const Clock& clock, NotifyOptions options);
  ~NotifyService();
  NotifyService(const NotifyService&) = delete;
  NotifyService& operator=(const NotifyService&) = delete;

  // One pass of the worker: route new notices, claim due deliveries, send them, mark them.
  Result<PassFigures> RunOnce(Gateway& gateway);
  // The worker thread: passes while there is work, else waits for an Enqueue in this process or
  // `poll`. Stop leaves no thread behind.
  void Start(Gateway& gateway);
  void Stop();

  // The person's preferences (defaults when none are on file).
  Result<Preferences> GetPreferences(std::string_view subject);
  // Replaces them. kInvalidArgument with field reasons (language, phone, email, channels).
  Status PutPreferences(std::string_view subject, const Preferences& preferences);
  // Notes a person's login: when it is a mobile number and nothing is on file, it becomes their
  // phone (the contact of a citizen who never set one). Cheap when already noted.
  Status RememberLogin(std::string_view subject, std::string_view login);

  // The person's inbox, newest first, `limit` items with id < `before` (0: from the newest).
  Result<InboxPage> Inbox(std::string_view subject, std::string_view language, int64_t before, int64_t limit);
  // Marks the person's item read. kNotFound when it is not theirs (or does not exist).
  Status MarkRead(std::string_view subject, int64_t id);

  // Deliveries for the admin list, newest first; `status` empty for all.
  Result<std::vector<DeliveryView>> Deliveries(std::string_view status, int64_t before, int64_t limit);
  // Deliveries per status (for /metrics and the admin page).
  Result<std::map<std::string, int64_t>> CountByStatus();

  int64_t delivered_total() const { return delivered_total_.load(); }
  int64_t failed_total() const { return failed_total_.load(); }

 private:
  struct Claimed;
  int64_t Now() const;
  Result<int64_t> Route(int64_t now);
  Result<std::vector<Claimed>> Claim(int64_t now);
  Status Mark(const std::vector<Claimed>& claimed, const Status& sent, int64_t now);

  store::Database& db_;
  const Clock& clock_;
  NotifyOptions options_;
  const Templates& templates_;

  std::mutex remembered_mu_;
  std::set<std::string, std::less<>> remembered_;  // subjects RememberLogin already handled

  std::atomic<bool> stop_{false};
  std::thread worker_;
  std::atomic<int64_t> delivered_total_{0};
  std::atomic<int64_t> failed_total_{0};
};

}  // namespace tongban::notify
