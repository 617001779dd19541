// The notification hub's throughput on SQLite (synchronous=full) and, when TONGBAN_TEST_PG names a
// server, on PostgreSQL (a fresh schema), Google Benchmark:
//
//   OutboxInsert/1000     notify::EnqueueAll of 1,000 notices in one transaction: the raw outbox
//                         insert rate, the floor of what a sender's transaction pays
//   Deliver/<batch>       messages/s through the outbox to a local webhook receiver: 10,000 SMS
//                         notices already enqueued (not timed), then NotifyService::RunOnce until
//                         none is left — route to channels, claim, render zh, POST signed batches of
//                         <batch> to the receiver (WebhookGateway, HMAC-SHA256, one connection per
//                         POST), mark delivered
//
// The receiver is a minimal HTTP/1.1 server on 127.0.0.1 in this process (a thread, blocking
// sockets) that counts the message ids it gets. Figures: docs/benchmarks.md ("Notifications").
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "core/clock.h"
#include "notify/notify_service.h"
#include "notify/outbox.h"
#include "notify/part/webhook_gateway.h"
#include "store/migration.h"
#include "testing/databases.h"

namespace tongban::notify {
namespace {

// Accepts connections and answers 200 to each POST, counting `"id":"tbn-` in the bodies.
class Receiver {
 public:
  Receiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 64);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  int port() const { return port_; }
  int64_t messages() const { return messages_.load(); }

 private:
  void Serve() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buf[65536];
      size_t body_at = std::string::npos, length = 0;
      for (;;) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
        if (body_at == std::string::npos) {
          size_t end = in.find("\r\n\r\n");
          if (end == std::string::npos) continue;
          body_at = end + 4;
          size_t cl = in.find("Content-Length: ");
          if (cl == std::string::npos) cl = in.find("content-length: ");
          length = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
        }
        if (in.size() >= body_at + length) break;
      }
      int64_t count = 0;
      for (size_t p = in.find("\"id\":\"tbn-"); p != std::string::npos; p = in.find("\"id\":\"tbn-", p + 1)) ++count;
      messages_ += count;
      static constexpr char kReply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
      (void)::write(c, kReply, sizeof kReply - 1);
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int64_t> messages_{0};
  std::thread thread_;
};

using tongban::testing::Backend;

struct World {
  std::filesystem::path dir;
  std::unique_ptr<tongban::testing::TestDatabase> pg;  // PostgreSQL: a schema dropped at exit
  store::Database* db = nullptr;
  std::unique_ptr<store::Database> sqlite;
  SystemClock clock;
  Receiver receiver;
  int64_t next_event = 0;

  explicit World(Backend b) {
    if (b == Backend::kPostgres) {
      pg = tongban::testing::OpenTestDatabase(b);
      if (!pg) return;
      db = pg->get();
    } else {
      dir = std::filesystem::temp_directory_path() / ("tongban_notify_bench_" + std::to_string(::getpid()));
      std::filesystem::create_directories(dir);
      sqlite = store::Database::Open("sqlite://" + (dir / "n.db").string() + "?synchronous=full").value();
      db = sqlite.get();
    }
    if (!store::Migrate(*db, Migrations()).ok()) std::abort();
  }
  // `n` SMS notices (receipt.issued to synthetic people), 1,000 per transaction.
  void Enqueue(int64_t n) {
    for (int64_t done = 0; done < n; done += 1000) {
      std::vector<Notice> notices;
      for (int64_t i = 0; i < std::min<int64_t>(1000, n - done); ++i) {
        const std::string id = std::to_string(++next_event);
        notices.push_back({.event_id = "receipt.issued:bench-" + id,
                           .recipient = "3301061985031" + std::to_string(10000 + next_event % 90000),
                           .template_id = "receipt.issued",
                           .vars = {{"issuer", "杭州市示范第一医院"}, {"amount", "72.00"}, {"code", "33040126-" + id}},
                           .channels = {"sms"},
                           .address = "138" + std::to_string(10000000 + next_event % 89999999)});
      }
      Status s = db->Transact([&](store::Tx& tx) { return EnqueueAll(tx, notices, clock.NowUnixMicros() / 1'000'000); });
      if (!s.ok()) std::abort();
    }
  }
};

// One world per backend (created on first use); nullptr when PostgreSQL is not configured.
World* TheWorld(Backend b) {
  static World* worlds[2] = {nullptr, nullptr};
  World*& w = worlds[b == Backend::kSqlite ? 0 : 1];
  if (w == nullptr) w = new World(b);
  return w->db != nullptr ? w : nullptr;
}

void OutboxInsert(benchmark::State& state, Backend b) {
  World* world = TheWorld(b);
  if (world == nullptr) return state.SkipWithError("TONGBAN_TEST_PG not set");
  World& w = *world;
  for (auto _ : state) w.Enqueue(state.range(0));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  // Route what was inserted away so Deliver starts from an empty outbox.
  NotifyService drain(*w.db, w.clock, NotifyOptions{.batch = 5000});
  WebhookGateway gateway("http://127.0.0.1:" + std::to_string(w.receiver.port()) + "/notify",
                         std::string(32, 'k'), std::chrono::seconds(10), w.clock);
  for (;;) {
    auto p = drain.RunOnce(gateway);
    if (!p.ok() || (p->routed == 0 && p->claimed == 0)) break;
  }
}

void Deliver(benchmark::State& state, Backend b) {
  World* world = TheWorld(b);
  if (world == nullptr) return state.SkipWithError("TONGBAN_TEST_PG not set");
  World& w = *world;
  const int64_t n = 10'000;
  NotifyService service(*w.db, w.clock, NotifyOptions{.batch = state.range(0)});
  WebhookGateway gateway("http://127.0.0.1:" + std::to_string(w.receiver.port()) + "/notify",
                         std::string(32, 'k'), std::chrono::seconds(10), w.clock);
  int64_t delivered = 0;
  const int64_t received_before = w.receiver.messages();
  for (auto _ : state) {
    state.PauseTiming();
    w.Enqueue(n);
    state.ResumeTiming();
    for (;;) {
      auto p = service.RunOnce(gateway);
      if (!p.ok()) return state.SkipWithError(p.status().ToString().c_str());
      delivered += p->delivered;
      if (p->routed == 0 && p->claimed == 0) break;
    }
  }
  state.SetItemsProcessed(delivered);
  state.counters["received"] = static_cast<double>(w.receiver.messages() - received_before);
}

BENCHMARK_CAPTURE(OutboxInsert, sqlite, Backend::kSqlite)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(Deliver, sqlite, Backend::kSqlite)->Arg(500)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK_CAPTURE(OutboxInsert, postgres, Backend::kPostgres)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(Deliver, postgres, Backend::kPostgres)->Arg(500)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
}  // namespace tongban::notify

BENCHMARK_MAIN();
