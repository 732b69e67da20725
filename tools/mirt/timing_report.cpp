// tools/mirt/timing_report.cpp — turns per-run times into the statistics exec prints and exports.
#include "timing_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <ostream>

#include <nlohmann/json.hpp>

namespace mirt::cli {

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double n = static_cast<double>(sorted.size());
  // The tiny slack keeps p * n that should be an integer (90% of 10) from rounding up a rank.
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * n - 1e-9));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

double median(const std::vector<double>& sorted) {
  if (sorted.empty()) return 0;
  const size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

latency_stats compute_latency_stats(std::vector<double> latencies_ms) {
  latency_stats s;
  s.count = latencies_ms.size();
  if (latencies_ms.empty()) return s;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  s.min = latencies_ms.front();
  s.max = latencies_ms.back();
  s.mean = std::accumulate(latencies_ms.begin(), latencies_ms.end(), 0.0) / static_cast<double>(s.count);
  s.median = median(latencies_ms);
  s.p90 = percentile(latencies_ms, 90);
  s.p95 = percentile(latencies_ms, 95);
  s.p99 = percentile(latencies_ms, 99);
  return s;
}

performance_summary summarize(const std::vector<run_time>& runs) {
  performance_summary summary;
  std::vector<double> latencies, enqueues;
  latencies.reserve(runs.size());
  enqueues.reserve(runs.size());
  for (const run_time& r : runs) {
    latencies.push_back(r.latency_ms());
    enqueues.push_back(r.enqueue_ms);
  }
  summary.latency = compute_latency_stats(std::move(latencies));
  summary.enqueue = compute_latency_stats(std::move(enqueues));
  if (!runs.empty()) {
    summary.walltime_s = (runs.back().end_ms - runs.front().start_ms) / 1000.0;
    if (summary.walltime_s > 0) summary.throughput_qps = static_cast<double>(runs.size()) / summary.walltime_s;
  }
  return summary;
}

std::string format_number(double v) {
  if (v == 0 || !std::isfinite(v)) return v == 0 ? "0" : std::to_string(v);
  // Four significant digits without an exponent; at most six decimals (a nanosecond in ms).
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  const int decimals = std::clamp(3 - magnitude, 0, 6);
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

namespace {

void print_stats(std::ostream& out, const char* label, const latency_stats& l) {
  out << label << ": min = " << format_number(l.min) << " ms, max = " << format_number(l.max)
      << " ms, mean = " << format_number(l.mean) << " ms, median = " << format_number(l.median)
      << " ms, percentile(90%) = " << format_number(l.p90) << " ms, percentile(95%) = " << format_number(l.p95)
      << " ms, percentile(99%) = " << format_number(l.p99) << " ms\n";
}

}  // namespace

void print_performance_summary(std::ostream& out, const performance_summary& s) {
  out << "=== Performance summary ===\n";
  out << "Throughput: " << format_number(s.throughput_qps) << " qps\n";
  print_stats(out, "Latency", s.latency);
  print_stats(out, "Enqueue Time", s.enqueue);
  if (s.h2d) print_stats(out, "H2D Latency", *s.h2d);
  if (s.compute) print_stats(out, "GPU Compute Time", *s.compute);
  if (s.d2h) print_stats(out, "D2H Latency", *s.d2h);
  out << "Total Host Walltime: " << format_number(s.walltime_s) << " s\n";
  out << "Timed inferences: " << s.latency.count << "\n";
}

std::string times_to_json(const std::vector<run_time>& runs) {
  nlohmann::json array = nlohmann::json::array();
  for (const run_time& r : runs)
    array.push_back({{"startMs", r.start_ms}, {"endMs", r.end_ms}, {"latencyMs", r.latency_ms()}, {"enqueueMs", r.enqueue_ms}});
  return array.dump(2);
}

}  // namespace mirt::cli
