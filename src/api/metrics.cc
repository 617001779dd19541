// Prometheus text rendering and lock-light recording for Metrics.
#include "api/metrics.h"

#include <mutex>
#include <sstream>

namespace tongban::api {
void Metrics::ObserveRequest(std::string_view route, std::string_view method, int status,
                             double seconds) {
  Series* series = nullptr;
  std::pair<std::string_view, std::string_view> key(route, method);
  {
    std::shared_lock lock(mu_);
    auto it = series_.find(key);
    if (it != series_.end()) series = it->second.get();
  }
  if (series == nullptr) {
    std::unique_lock lock(mu_);
    auto& slot = series_[SeriesKey(route, method)];
    if (!slot) slot = std::make_unique<Series>();
    series = slot.get();
  }
  if (status >= 0 && status < 600) series->by_status[status].fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      series->buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  series->count.fetch_add(1, std::memory_order_relaxed);
  series->sum_micros.fetch_add(static_cast<int64_t>(seconds * 1e6), std::memory_order_relaxed);
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
  for (const auto& [key, series] : series_) {
    for (size_t status = 0; status < series->by_status.size(); ++status) {
      int64_t n = series->by_status[status].load();
      if (n == 0) continue;
      out << "tongban_http_requests_total{route=\"" << key.first << "\",method=\"" << key.second
          << "\",status=\"" << status << "\"} " << n << "\n";
    }
  }
  out << "# HELP tongban_http_request_duration_seconds Request latency by route and method.\n"
      << "# TYPE tongban_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : series_) {
    std::string labels = "route=\"" + key.first + "\",method=\"" + key.second + "\"";
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
