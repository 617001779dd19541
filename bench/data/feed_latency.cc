// Change-feed latency over HTTP (issue 17's benchmark): N Server-Sent Events subscribers follow one
// agreement of a running `tongban` while a pusher sends R record versions per second in NDJSON
// pushes of B; each pushed record carries its send time (microseconds, in its address), and each
// subscriber takes, for every change event, the time from that push being sent to the event
// arriving on its socket: the push's HTTP round trip, validation and commit, the feed's
// transaction, and the write. Prints p50 / p99 / max and what arrived.
//
//   feed_latency PORT TOKEN PUSH_KEY AGREEMENT CURSOR [subscribers=100] [rate=5000] [seconds=10] [batch=50]
//
// Plain sockets and poll(): one thread reads every subscriber, one pushes. Not a test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/citizen_id.h"

namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("connect");
    std::exit(2);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void WriteAll(int fd, const std::string& s) {
  size_t at = 0;
  while (at < s.size()) {
    ssize_t n = ::write(fd, s.data() + at, s.size() - at);
    if (n <= 0) {
      std::perror("write");
      std::exit(2);
    }
    at += static_cast<size_t>(n);
  }
}

// Reads one HTTP response on a keep-alive connection (Content-Length bodies only).
std::string ReadResponse(int fd) {
  std::string buf;
  char tmp[8192];
  size_t body_at = std::string::npos, length = 0;
  while (true) {
    if (body_at == std::string::npos) {
      body_at = buf.find("\r\n\r\n");
      if (body_at != std::string::npos) {
        body_at += 4;
        auto cl = buf.find("Content-Length: ");
        length = cl == std::string::npos ? 0 : std::strtoul(buf.c_str() + cl + 16, nullptr, 10);
      }
    }
    if (body_at != std::string::npos && buf.size() >= body_at + length) return buf;
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n <= 0) {
      std::fprintf(stderr, "push connection closed\n");
      std::exit(2);
    }
    buf.append(tmp, static_cast<size_t>(n));
  }
}

std::string PersonId(int64_t n) {
  char first17[32];
  std::snprintf(first17, sizeof first17, "3301051985%02u%02u%03u", static_cast<unsigned>(1 + n % 12),
                static_cast<unsigned>(1 + (n / 12) % 28), static_cast<unsigned>((n / 336) % 1000));
  return std::string(first17) + tongban::CitizenId::ComputeCheckChar(first17);
}

struct Subscriber {
  int fd = -1;
  std::string buf;
  bool headed = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s PORT TOKEN PUSH_KEY AGREEMENT CURSOR [subscribers] [rate] [seconds] [batch]\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string token = argv[2], push_key = argv[3], agreement = argv[4], cursor = argv[5];
  const int subscribers = argc > 6 ? std::atoi(argv[6]) : 100;
  const int rate = argc > 7 ? std::atoi(argv[7]) : 5000;
  const int seconds = argc > 8 ? std::atoi(argv[8]) : 10;
  const int batch = argc > 9 ? std::atoi(argv[9]) : 50;

  std::vector<Subscriber> subs(static_cast<size_t>(subscribers));
  for (Subscriber& s : subs) {
    s.fd = Connect(port);
    WriteAll(s.fd, "GET /api/v1/data/agreements/" + agreement + "/feed?after=" + cursor +
                       " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\nAuthorization: Bearer " +
                       token + "\r\n\r\n");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  std::atomic<bool> pushing{true};
  std::atomic<int64_t> pushed{0};
  std::thread pusher([&] {
    const int push_fd = Connect(port);
    const auto interval = std::chrono::microseconds(1'000'000LL * batch / rate);
    auto next = std::chrono::steady_clock::now();
    const auto end = next + std::chrono::seconds(seconds);
    const int64_t run = NowMicros();
    int64_t n = 0;
    while (std::chrono::steady_clock::now() < end) {
      std::string body;
      const int64_t sent = NowMicros();
      for (int i = 0; i < batch; ++i, ++n) {
        const std::string id = PersonId(n);
        body += "{\"subject\":\"" + id + "\",\"key\":\"HJ-FEED-" + std::to_string(run) + "-" + std::to_string(n) +
                "\",\"version\":1,\"fields\":{\"name\":\"林晓\",\"sex\":\"男\",\"ethnicity\":\"汉\","
                "\"birth_date\":\"1985-01-01\",\"household_address\":\"浙江省杭州市拱墅区湖墅南路 " +
                std::to_string(sent) + " 号\",\"household_head_id\":\"" + id + "\",\"relation_to_head\":\"户主\"}}\n";
      }
      WriteAll(push_fd, "POST /api/v1/data/datasets/household_registration/records/bulk HTTP/1.1\r\nHost: bench\r\n"
                        "Content-Type: application/x-ndjson\r\nAuthorization: Bearer " + push_key +
                            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
      std::string r = ReadResponse(push_fd);
      if (r.rfind("HTTP/1.1 200", 0) != 0 || r.find("\"rejected\":[]") == std::string::npos) {
        std::fprintf(stderr, "push refused: %.300s\n", r.c_str());
        std::exit(2);
      }
      pushed += batch;
      next += interval;
      std::this_thread::sleep_until(next);
    }
    pushing = false;
    ::close(push_fd);
  });

  std::vector<int64_t> latencies;
  latencies.reserve(static_cast<size_t>(rate) * seconds * subscribers);
  std::vector<pollfd> fds(subs.size());
  for (size_t i = 0; i < subs.size(); ++i) fds[i] = {subs[i].fd, POLLIN, 0};
  auto quiet_since = std::chrono::steady_clock::now();
  char tmp[65536];
  const std::string marker = "湖墅南路 ";
  while (true) {
    int ready = ::poll(fds.data(), fds.size(), 100);
    const int64_t now = NowMicros();
    if (ready <= 0) {
      if (!pushing && std::chrono::steady_clock::now() - quiet_since > std::chrono::seconds(2)) break;
      continue;
    }
    quiet_since = std::chrono::steady_clock::now();
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      ssize_t n = ::read(fds[i].fd, tmp, sizeof tmp);
      if (n <= 0) {
        std::fprintf(stderr, "subscriber %zu closed\n", i);
        fds[i].fd = -1;
        continue;
      }
      Subscriber& s = subs[i];
      s.buf.append(tmp, static_cast<size_t>(n));
      if (!s.headed) {
        auto h = s.buf.find("\r\n\r\n");
        if (h == std::string::npos) continue;
        if (s.buf.rfind("HTTP/1.1 200", 0) != 0) {
          std::fprintf(stderr, "subscribe refused: %.300s\n", s.buf.c_str());
          return 2;
        }
        s.buf.erase(0, h + 4);
        s.headed = true;
      }
      size_t at = 0;
      while (true) {
        size_t end = s.buf.find("\n\n", at);
        if (end == std::string::npos) break;
        size_t m = s.buf.find(marker, at);
        if (m != std::string::npos && m < end) {
          latencies.push_back(now - std::strtoll(s.buf.c_str() + m + marker.size(), nullptr, 10));
        }
        at = end + 2;
      }
      s.buf.erase(0, at);
    }
  }
  pusher.join();
  for (Subscriber& s : subs) ::close(s.fd);
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))] / 1000.0;
  };
  const int64_t expected = pushed.load() * subscribers;
  std::printf("feed latency: %d subscribers, %lld versions pushed at %d/s for %d s in pushes of %d\n", subscribers,
              static_cast<long long>(pushed.load()), rate, seconds, batch);
  std::printf("  events received %zu of %lld expected (%.1f%%)\n", latencies.size(), static_cast<long long>(expected),
              expected ? 100.0 * static_cast<double>(latencies.size()) / static_cast<double>(expected) : 0.0);
  std::printf("  push sent -> event on subscriber socket: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(0.50), pct(0.99),
              latencies.empty() ? 0.0 : latencies.back() / 1000.0);
  return latencies.size() == static_cast<size_t>(expected) ? 0 : 1;
}
