// Prometheus text rendering and lock-light recording for Metrics.
#include "api/metrics.h"

#include <mutex>
#include <sstream>

namespace tongban::api {
namespace {

template <typename Map, typename Make>
auto& FindOrCreate(std::shared_mutex& mu, Map& map, const std::string& key, Make make) {
  {
    std::shared_lock lock(mu);
    auto it = map.find(key);
    if (it != map.end()) return *it->second;
  }
  std::unique_lock lock(mu);
  auto& slot = map[key];
  if (!slot) slot = make();
  return *slot;
}

}  // namespace

void Metrics::ObserveRequest(const std::string& route, const std::string& method, int status,
                             double seconds) {
  std::string base = "route=\"" + route + "\",method=\"" + method + "\"";
  auto& count = FindOrCreate(mu_, request_counts_, base + ",status=\"" + std::to_string(status) + "\"",
                             [] { return std::make_unique<std::atomic<int64_t>>(0); });
  count.fetch_add(1, std::memory_order_relaxed);
  auto& h = FindOrCreate(mu_, latencies_, base, [] { return std::make_unique<Histogram>(); });
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      h.buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_micros.fetch_add(static_cast<int64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::AddCounter(const std::string& name, const std::string& labels, int64_t delta) {
  std::atomic<int64_t>* c;
  {
    std::unique_lock lock(mu_);
    auto& slot = counters_[name][labels];
    if (!slot) slot = std::make_unique<std::atomic<int64_t>>(0);
    c = slot.get();
  }
  c->fetch_add(delta, std::memory_order_relaxed);
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::unique_lock lock(mu_);
  gauges_.push_back(Gauge{std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::Render() const {
  std::ostringstream out;
  std::shared_lock lock(mu_);
  out << "# HELP tongban_http_requests_total HTTP requests by route, method and status.\n"
      << "# TYPE tongban_http_requests_total counter\n";
  for (const auto& [labels, n] : request_counts_) {
    out << "tongban_http_requests_total{" << labels << "} " << n->load() << "\n";
  }
  out << "# HELP tongban_http_request_duration_seconds Request latency by route and method.\n"
      << "# TYPE tongban_http_request_duration_seconds histogram\n";
  for (const auto& [labels, h] : latencies_) {
    int64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h->buckets[i].load();
      out << "tongban_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i]
          << "\"} " << cumulative << "\n";
    }
    out << "tongban_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} "
        << h->count.load() << "\n";
    out << "tongban_http_request_duration_seconds_sum{" << labels << "} "
        << static_cast<double>(h->sum_micros.load()) / 1e6 << "\n";
    out << "tongban_http_request_duration_seconds_count{" << labels << "} " << h->count.load()
        << "\n";
  }
  for (const auto& [name, series] : counters_) {
    out << "# TYPE " << name << " counter\n";
    for (const auto& [labels, n] : series) {
      out << name;
      if (!labels.empty()) out << "{" << labels << "}";
      out << " " << n->load() << "\n";
    }
  }
  for (const auto& g : gauges_) {
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " gauge\n"
        << g.name << " " << g.read() << "\n";
  }
  return out.str();
}

}  // namespace tongban::api
