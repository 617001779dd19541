// Metrics: a small Prometheus registry — counters, gauges and latency histograms, with labels —
// rendered in the text exposition format for /metrics.
// Thread-safe: recording takes a shared lock and an atomic add; creating a new label set takes
// an exclusive lock once.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tongban::api {

// A reading taken at most once per `ttl` and shared by the gauges derived from it, so one scrape
// runs one query for several gauges. A failed read (nullopt) is not cached. Thread-safe.
template <typename T>
class CachedReading {
 public:
  CachedReading(std::chrono::steady_clock::duration ttl, std::function<std::optional<T>()> read)
      : ttl_(ttl), read_(std::move(read)) {}

  std::optional<T> Get() {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (!value_ || now - at_ > ttl_) {
      value_ = read_();
      at_ = now;
    }
    return value_;
  }

 private:
  const std::chrono::steady_clock::duration ttl_;
  const std::function<std::optional<T>()> read_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point at_{};
  std::optional<T> value_;
};

class Metrics {
 public:
  // Latency buckets in seconds (upper bounds).
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  // Counts one request and its latency under {route, method, status}. Allocation-free once the
  // (route, method) series exists.
  void ObserveRequest(std::string_view route, std::string_view method, int status,
                      double seconds);
  // Adds to a named counter with one label string (already formatted: `kind="x"`), or none.
  void AddCounter(const std::string& name, const std::string& labels, int64_t delta = 1);
  // A gauge computed at scrape time (ledger size, queue depth, open connections).
  void AddGauge(std::string name, std::string help, std::function<double()> read);

  // Prometheus text format 0.0.4.
  std::string Render() const;

 private:
  struct Series {  // one (route, method)
    std::array<std::atomic<int64_t>, 600> by_status{};  // index: HTTP status 0..599
    std::array<std::atomic<int64_t>, kBuckets.size()> buckets{};
    std::atomic<int64_t> count{0};
    std::atomic<int64_t> sum_micros{0};
  };
  using SeriesKey = std::pair<std::string, std::string>;
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  mutable std::shared_mutex mu_;
  std::map<SeriesKey, std::unique_ptr<Series>, KeyLess> series_;
  std::map<std::string, std::map<std::string, std::unique_ptr<std::atomic<int64_t>>>> counters_;
  std::vector<Gauge> gauges_;
};

}  // namespace tongban::api
