// NotifyService; see notify_service.h.
#include "notify/notify_service.h"

#include <algorithm>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "core/mask.h"
#include "notify/outbox.h"
#include "notify/wakeup.h"

namespace tongban::notify {
namespace {

constexpr size_t kChunk = 400;  // ids per `IN (...)`

std::string Placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i == 0 ? "?" : ",?";
  return s;
}

// Runs `sql_head` + "(?,...)" + `sql_tail` for the ids in chunks, `lead` params first.
Status ExecIn(store::Tx& tx, const std::string& sql_head, const std::vector<int64_t>& ids,
              const std::vector<store::Param>& lead, const std::string& sql_tail = ")") {
  for (size_t i = 0; i < ids.size(); i += kChunk) {
    const size_t n = std::min(kChunk, ids.size() - i);
    std::vector<store::Param> params = lead;
    for (size_t j = 0; j < n; ++j) params.emplace_back(ids[i + j]);
    TB_RETURN_IF_ERROR(tx.Exec(sql_head + Placeholders(n) + sql_tail, params).status());
  }
  return Status::Ok();
}

// As ExecIn, for a statement ending in `RETURNING id`: the ids it returned.
Result<std::vector<int64_t>> QueryIdsIn(store::Tx& tx, const std::string& sql_head, const std::vector<int64_t>& ids,
                                        const std::vector<store::Param>& lead, const std::string& sql_tail) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < ids.size(); i += kChunk) {
    const size_t n = std::min(kChunk, ids.size() - i);
    std::vector<store::Param> params = lead;
    for (size_t j = 0; j < n; ++j) params.emplace_back(ids[i + j]);
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query(sql_head + Placeholders(n) + sql_tail, params));
    for (const store::Row& r : rows) out.push_back(r.Int64(0));
  }
  return out;
}

Vars ParseVars(std::string_view json) {
  Vars vars;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return vars;
  for (const auto& [k, value] : v.as_object()) {
    if (value.is_string()) vars.emplace_back(std::string(k), std::string(value.as_string()));
  }
  return vars;
}

std::vector<std::string> SplitChannels(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find(',', i);
    if (end == std::string_view::npos) end = text.size();
    if (end > i) out.emplace_back(text.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

std::map<std::string, std::vector<std::string>> ParseChannelMap(std::string_view json) {
  std::map<std::string, std::vector<std::string>> out;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, list] : v.as_object()) {
    std::vector<std::string>& channels = out[std::string(k)];
    if (!list.is_array()) continue;
    for (const auto& c : list.as_array()) {
      if (c.is_string()) channels.emplace_back(c.as_string());
    }
  }
  return out;
}

std::string ChannelMapJson(const std::map<std::string, std::vector<std::string>>& map) {
  boost::json::object o;
  for (const auto& [k, list] : map) {
    boost::json::array a;
    for (const auto& c : list) a.emplace_back(c);
    o[k] = std::move(a);
  }
  return boost::json::serialize(o);
}

bool IsEmail(std::string_view s) {
  const size_t at = s.find('@');
  return s.size() <= 254 && at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
         s.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos;
}

int64_t Backoff(const NotifyOptions& o, int64_t attempts) {
  int64_t wait = o.backoff_s;
  for (int64_t i = 1; i < attempts && wait < o.max_backoff_s; ++i) wait *= 2;
  return std::min(wait, o.max_backoff_s);
}

// Variables of a sensitive notice are erased once none of its deliveries is left to make.
constexpr const char* kEraseSensitive =
    "UPDATE notify_outbox SET vars = '{}' WHERE sensitive = 1 AND vars <> '{}' AND NOT EXISTS ("
    "SELECT 1 FROM notify_delivery d WHERE d.outbox_id = notify_outbox.id "
    "AND d.status IN ('pending', 'sending')) AND id IN (";

}  // namespace

bool IsMobileNumber(std::string_view s) {
  if (s.size() != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct NotifyService::Claimed {
  int64_t delivery_id = 0;
  int64_t outbox_id = 0;
  int64_t attempts = 0;  // including this one
  Message message;
};

NotifyService::NotifyService(store::Database& db, const Clock& clock, NotifyOptions options)
    : db_(db),
      clock_(clock),
      options_(std::move(options)),
      templates_(options_.templates != nullptr ? *options_.templates : Templates::Builtin()) {}

NotifyService::~NotifyService() { Stop(); }

int64_t NotifyService::Now() const { return clock_.NowUnixMicros() / 1'000'000; }

// Routes new outbox rows: one delivery per channel; the inbox delivered at once.
Result<int64_t> NotifyService::Route(int64_t now) {
  int64_t routed = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    routed = 0;
    TB_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT o.id, o.recipient, o.template_id, o.vars, o.sensitive, o.channels, "
                                 "o.address, o.created_at, p.phone, p.email, p.channels "
                                 "FROM notify_outbox o LEFT JOIN notify_person p ON p.subject = o.recipient "
                                 "WHERE o.routed = 0 ORDER BY o.id LIMIT ?",
                                 {options_.batch}));
    if (rows.empty()) return Status::Ok();
    std::vector<int64_t> ids, sensitive_ids;
    // The rows are collected, then written with one prepared batch per table (PostgreSQL pipelines
    // them instead of a round trip each; one batch open at a time).
    struct InboxRow {
      std::string recipient;
      int64_t outbox_id;
      std::string template_id;
      Rendered zh, en;
      int64_t created_at;
    };
    struct DeliveryRow {
      int64_t outbox_id;
      std::string channel, to, status, error;
    };
    std::vector<InboxRow> inbox_rows;
    std::vector<DeliveryRow> delivery_rows;
    for (const store::Row& r : rows) {
      const int64_t outbox_id = r.Int64(0);
      const std::string recipient(r.Text(1));
      const std::string template_id(r.Text(2));
      const bool sensitive = r.Int64(4) != 0;
      const std::string address(r.Text(6));
      const std::string phone = r.IsNull(8) ? "" : std::string(r.Text(8));
      const std::string email = r.IsNull(9) ? "" : std::string(r.Text(9));
      std::vector<std::string> channels = SplitChannels(r.Text(5));
      if (channels.empty() && !r.IsNull(10)) {
        auto chosen = ParseChannelMap(r.Text(10));
        if (auto it = chosen.find(template_id); it != chosen.end()) channels = it->second;
      }
      const Template* tpl = templates_.Find(template_id);
      if (channels.empty() && tpl != nullptr) channels = tpl->channels;
      for (const std::string& channel : channels) {
        std::string to, status = "pending", error;
        if (channel == "inbox") {
          if (sensitive) continue;  // never listed
          const Vars vars = ParseVars(r.Text(3));
          auto zh = templates_.Render(template_id, "zh", vars);
          auto en = templates_.Render(template_id, "en", vars);
          if (zh.ok() && en.ok()) {
            inbox_rows.push_back({recipient, outbox_id, template_id, std::move(*zh), std::move(*en), r.Int64(7)});
            status = "delivered";
          } else {
            status = "failed";
            error = zh.ok() ? en.status().message() : zh.status().message();
          }
        } else if (channel == "sms") {
          to = IsMobileNumber(address) ? address : phone;
          if (to.empty()) status = "skipped", error = "no mobile number on file";
        } else if (channel == "email") {
          to = IsEmail(address) ? address : email;
          if (to.empty()) status = "skipped", error = "no e-mail address on file";
        } else {
          continue;
        }
        delivery_rows.push_back({outbox_id, channel, std::move(to), std::move(status), std::move(error)});
      }
      ids.push_back(outbox_id);
      if (sensitive) sensitive_ids.push_back(outbox_id);
    }
    if (!inbox_rows.empty()) {
      TB_ASSIGN_OR_RETURN(auto batch, tx.PrepareBatch("INSERT INTO notify_inbox (recipient, outbox_id, template_id, "
                                                      "title_zh, body_zh, title_en, body_en, created_at) VALUES "
                                                      "(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (outbox_id) DO NOTHING"));
      for (const InboxRow& i : inbox_rows) {
        TB_RETURN_IF_ERROR(batch->Add({i.recipient, i.outbox_id, i.template_id, i.zh.title, i.zh.body, i.en.title,
                                       i.en.body, i.created_at}));
      }
      TB_RETURN_IF_ERROR(batch->Finish().status());
    }
    if (!delivery_rows.empty()) {
      TB_ASSIGN_OR_RETURN(auto batch, tx.PrepareBatch("INSERT INTO notify_delivery (outbox_id, channel, address, "
                                                      "status, attempts, next_attempt_at, last_error, delivered_at, "
                                                      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                                      "ON CONFLICT (outbox_id, channel) DO NOTHING"));
      for (const DeliveryRow& d : delivery_rows) {
        const bool done = d.status == "delivered";
        TB_RETURN_IF_ERROR(batch->Add({d.outbox_id, d.channel, d.to, d.status, done ? 1 : 0, now, d.error,
                                       done ? store::Param(now) : store::Param(nullptr), now}));
      }
      TB_RETURN_IF_ERROR(batch->Finish().status());
    }
    TB_RETURN_IF_ERROR(ExecIn(tx, "UPDATE notify_outbox SET routed = 1 WHERE id IN (", ids, {}));
    if (!sensitive_ids.empty()) TB_RETURN_IF_ERROR(ExecIn(tx, kEraseSensitive, sensitive_ids, {}));
    routed = static_cast<int64_t>(ids.size());
    return Status::Ok();
  }));
  return routed;
}

// Claims due SMS / e-mail deliveries: "sending", one more attempt, leased until now + lease_s.
Result<std::vector<NotifyService::Claimed>> NotifyService::Claim(int64_t now) {
  std::vector<Claimed> claimed;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    claimed.clear();
    TB_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT d.id, d.outbox_id, d.channel, d.address, d.attempts, o.event_id, "
                                 "o.template_id, o.vars, o.created_at, p.language "
                                 "FROM notify_delivery d JOIN notify_outbox o ON o.id = d.outbox_id "
                                 "LEFT JOIN notify_person p ON p.subject = o.recipient "
                                 "WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= ? "
                                 "ORDER BY d.next_attempt_at, d.id LIMIT ?",
                                 {now, options_.batch}));
    std::vector<int64_t> ids;
    for (const store::Row& r : rows) {
      Claimed c;
      c.delivery_id = r.Int64(0);
      c.outbox_id = r.Int64(1);
      c.attempts = r.Int64(4) + 1;
      Message& m = c.message;
      m.id = "tbn-" + std::to_string(c.delivery_id);
      m.channel = std::string(r.Text(2));
      m.to = std::string(r.Text(3));
      m.event_id = std::string(r.Text(5));
      m.template_id = std::string(r.Text(6));
      m.language = !r.IsNull(9) && r.Text(9) == "en" ? "en" : "zh";
      m.created_at = r.Int64(8);
      auto rendered = templates_.Render(m.template_id, m.language, ParseVars(r.Text(7)));
      if (!rendered.ok()) {
        TB_RETURN_IF_ERROR(tx.Exec("UPDATE notify_delivery SET status = 'failed', attempts = ?, last_error = ? "
                                   "WHERE id = ?",
                                   {c.attempts, rendered.status().message(), c.delivery_id})
                               .status());
        // A code that can never be sent is not kept either.
        TB_RETURN_IF_ERROR(ExecIn(tx, kEraseSensitive, {c.outbox_id}, {}));
        ++failed_total_;
        continue;
      }
      m.title = std::move(rendered->title);
      m.body = std::move(rendered->body);
      ids.push_back(c.delivery_id);
      claimed.push_back(std::move(c));
    }
    // Only rows still due are taken: under PostgreSQL's read committed another node's worker may
    // have claimed some since the SELECT (the UPDATE re-reads them), and those are left to it.
    TB_ASSIGN_OR_RETURN(std::vector<int64_t> taken,
                        QueryIdsIn(tx,
                                   "UPDATE notify_delivery SET status = 'sending', attempts = attempts + 1, "
                                   "next_attempt_at = ? WHERE status IN ('pending', 'sending') "
                                   "AND next_attempt_at <= ? AND id IN (",
                                   ids, {store::Param(now + options_.lease_s), store::Param(now)}, ") RETURNING id"));
    if (taken.size() != claimed.size()) {
      std::sort(taken.begin(), taken.end());
      std::erase_if(claimed, [&](const Claimed& c) {
        return !std::binary_search(taken.begin(), taken.end(), c.delivery_id);
      });
    }
    return Status::Ok();
  }));
  return claimed;
}

// Marks a sent batch delivered, or each message for a retry (or failed at max_attempts).
Status NotifyService::Mark(const std::vector<Claimed>& claimed, const Status& sent, int64_t now) {
  return db_.Transact([&](store::Tx& tx) -> Status {
    std::vector<int64_t> ids, outbox_ids;
    for (const Claimed& c : claimed) {
      outbox_ids.push_back(c.outbox_id);
      if (sent.ok()) {
        ids.push_back(c.delivery_id);
        continue;
      }
      const bool last = c.attempts >= options_.max_attempts;
      TB_RETURN_IF_ERROR(tx.Exec("UPDATE notify_delivery SET status = ?, next_attempt_at = ?, last_error = ? "
                                 "WHERE id = ? AND status = 'sending'",
                                 {last ? "failed" : "pending", now + Backoff(options_, c.attempts),
                                  sent.message().substr(0, 300), c.delivery_id})
                             .status());
    }
    if (!ids.empty()) {
      TB_RETURN_IF_ERROR(ExecIn(tx,
                                "UPDATE notify_delivery SET status = 'delivered', delivered_at = ?, last_error = '' "
                                "WHERE status = 'sending' AND id IN (",
                                ids, {store::Param(now)}));
    }
    return ExecIn(tx, kEraseSensitive, outbox_ids, {});
  });
}

Result<PassFigures> NotifyService::RunOnce(Gateway& gateway) {
  PassFigures f;
  TB_ASSIGN_OR_RETURN(f.routed, Route(Now()));
  TB_ASSIGN_OR_RETURN(std::vector<Claimed> claimed, Claim(Now()));
  f.claimed = static_cast<int64_t>(claimed.size());
  if (claimed.empty()) return f;
  std::vector<Message> messages;
  messages.reserve(claimed.size());
  for (const Claimed& c : claimed) messages.push_back(c.message);
  const Status sent = gateway.Send(messages);
  if (sent.ok() && options_.after_send) options_.after_send();
  TB_RETURN_IF_ERROR(Mark(claimed, sent, Now()));
  if (sent.ok()) {
    f.delivered = f.claimed;
    delivered_total_ += f.claimed;
  } else {
    for (const Claimed& c : claimed) (c.attempts >= options_.max_attempts ? f.failed : f.retried) += 1;
    failed_total_ += f.failed;
    spdlog::warn("notify: the gateway refused {} messages: {}", f.claimed, sent.message());
  }
  return f;
}

void NotifyService::Start(Gateway& gateway) {
  if (worker_.joinable()) return;
  stop_ = false;
  worker_ = std::thread([this, &gateway] {
    bool woken = false;
    while (!stop_) {
      const uint64_t serial = EnqueueSerial();
      Result<PassFigures> pass = Status::Internal("notify: no pass");
      try {
        pass = RunOnce(gateway);
      } catch (const std::exception& e) {
        // A gateway or parser throwing must not end the process: the claimed rows' lease runs
        // out and the next pass takes them again (same message ids).
        pass = Status::Internal(std::string("notify: worker pass threw: ") + e.what());
      }
      if (!pass.ok()) {
        spdlog::warn("notify: worker pass failed: {}", pass.status().ToString());
      } else if (pass->routed > 0 || pass->claimed > 0) {
        woken = false;
        continue;
      }
      if (stop_) break;
      // Just woken by an Enqueue whose transaction may not have committed yet: look again soon.
      const auto wait = woken ? std::chrono::milliseconds(10) : options_.poll;
      woken = WaitForEnqueue(serial, wait) != serial;
    }
  });
}

void NotifyService::Stop() {
  stop_ = true;
  WakeAll();
  if (worker_.joinable()) worker_.join();
}

Result<Preferences> NotifyService::GetPreferences(std::string_view subject) {
  Preferences p;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT language, phone, email, channels FROM notify_person "
                                              "WHERE subject = ?",
                                              {subject}));
    if (!row) return Status::Ok();
    p.language = std::string(row->Text(0));
    p.phone = std::string(row->Text(1));
    p.email = std::string(row->Text(2));
    p.channels = ParseChannelMap(row->Text(3));
    p.stored = true;
    return Status::Ok();
  }));
  return p;
}

Status NotifyService::PutPreferences(std::string_view subject, const Preferences& p) {
  std::vector<FieldError> errors;
  if (p.language != "zh" && p.language != "en") errors.push_back({"language", "zh or en"});
  if (!p.phone.empty() && !IsMobileNumber(p.phone)) errors.push_back({"phone", "an 11-digit mainland mobile number"});
  if (!p.email.empty() && !IsEmail(p.email)) errors.push_back({"email", "an e-mail address"});
  for (const auto& [id, channels] : p.channels) {
    const Template* t = templates_.Find(id);
    if (t == nullptr) {
      errors.push_back({"channels." + id, "no such notification"});
      continue;
    }
    for (const std::string& c : channels) {
      if (!IsChannel(c)) errors.push_back({"channels." + id, "unknown channel " + c});
      if (c == "inbox" && t->sensitive) errors.push_back({"channels." + id, "codes never go to the inbox"});
    }
  }
  if (!errors.empty()) {
    std::string message = "the preferences are not valid";
    return Status::InvalidArgument(std::move(message), std::move(errors));
  }
  const std::string channels = ChannelMapJson(p.channels);
  const int64_t now = Now();
  return db_.Transact([&](store::Tx& tx) -> Status {
    return tx.Exec("INSERT INTO notify_person (subject, language, phone, email, channels, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET language = excluded.language, "
                   "phone = excluded.phone, email = excluded.email, channels = excluded.channels, "
                   "updated_at = excluded.updated_at",
                   {subject, p.language, p.phone, p.email, channels, now})
        .status();
  });
}

Status NotifyService::RememberLogin(std::string_view subject, std::string_view login) {
  if (subject.empty()) return Status::Ok();
  {
    std::lock_guard lock(remembered_mu_);
    if (remembered_.contains(subject)) return Status::Ok();
  }
  if (IsMobileNumber(login)) {
    const int64_t now = Now();
    TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
      return tx.Exec("INSERT INTO notify_person (subject, language, phone, email, channels, updated_at) "
                     "VALUES (?, 'zh', ?, '', '{}', ?) ON CONFLICT (subject) DO NOTHING",
                     {subject, login, now})
          .status();
    }));
  }
  std::lock_guard lock(remembered_mu_);
  if (remembered_.size() > 100'000) remembered_.clear();
  remembered_.emplace(subject);
  return Status::Ok();
}

Result<InboxPage> NotifyService::Inbox(std::string_view subject, std::string_view language, int64_t before,
                                       int64_t limit) {
  InboxPage page;
  const bool en = language == "en";
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    page = InboxPage{};
    TB_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT id, template_id, title_zh, body_zh, title_en, body_en, created_at, read_at "
                                 "FROM notify_inbox WHERE recipient = ? AND id < ? ORDER BY id DESC LIMIT ?",
                                 {subject, before > 0 ? before : INT64_MAX, limit + 1}));
    for (const store::Row& r : rows) {
      if (static_cast<int64_t>(page.items.size()) == limit) {
        page.next_before = page.items.back().id;
        break;
      }
      page.items.push_back({.id = r.Int64(0),
                            .template_id = std::string(r.Text(1)),
                            .title = std::string(r.Text(en ? 4 : 2)),
                            .body = std::string(r.Text(en ? 5 : 3)),
                            .created_at = r.Int64(6),
                            .read_at = r.OptInt64(7)});
    }
    TB_ASSIGN_OR_RETURN(auto counts, tx.QueryRow("SELECT COUNT(*), COUNT(*) - COUNT(read_at) FROM notify_inbox "
                                                 "WHERE recipient = ?",
                                                 {subject}));
    page.total = counts->Int64(0);
    page.unread = counts->Int64(1);
    return Status::Ok();
  }));
  return page;
}

Status NotifyService::MarkRead(std::string_view subject, int64_t id) {
  const int64_t now = Now();
  return db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT read_at FROM notify_inbox WHERE id = ? AND recipient = ?",
                                              {id, subject}));
    if (!row) return Status::NotFound("inbox item", std::to_string(id));
    if (!row->IsNull(0)) return Status::Ok();
    return tx.Exec("UPDATE notify_inbox SET read_at = ? WHERE id = ?", {now, id}).status();
  });
}

Result<std::vector<DeliveryView>> NotifyService::Deliveries(std::string_view status, int64_t before, int64_t limit) {
  std::vector<DeliveryView> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    out.clear();
    TB_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT d.id, o.event_id, o.recipient, o.template_id, d.channel, d.status, "
                                 "d.attempts, d.next_attempt_at, d.last_error, d.delivered_at, d.created_at "
                                 "FROM notify_delivery d JOIN notify_outbox o ON o.id = d.outbox_id "
                                 "WHERE (? = '' OR d.status = ?) AND d.id < ? ORDER BY d.id DESC LIMIT ?",
                                 {status, status, before > 0 ? before : INT64_MAX, limit}));
    for (const store::Row& r : rows) {
      out.push_back({.id = r.Int64(0),
                     .event_id = std::string(r.Text(1)),
                     .recipient = MaskIdentifier(r.Text(2)),
                     .template_id = std::string(r.Text(3)),
                     .channel = std::string(r.Text(4)),
                     .status = std::string(r.Text(5)),
                     .attempts = r.Int64(6),
                     .next_attempt_at = r.Int64(7),
                     .last_error = std::string(r.Text(8)),
                     .delivered_at = r.OptInt64(9),
                     .created_at = r.Int64(10)});
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::map<std::string, int64_t>> NotifyService::CountByStatus() {
  std::map<std::string, int64_t> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    out.clear();
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT status, COUNT(*) FROM notify_delivery GROUP BY status"));
    for (const store::Row& r : rows) out[std::string(r.Text(0))] = r.Int64(1);
    return Status::Ok();
  }));
  return out;
}

}  // namespace tongban::notify
