// tools/mirt/timing_report.hpp — latency statistics and the trtexec-style performance summary.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mirt::cli {

// One timed inference, in milliseconds since the timing began: start to end spans the enqueue and
// the synchronize after it; enqueue_ms is the host time of the enqueue call alone.
struct run_time {
  double start_ms = 0;
  double end_ms = 0;
  double enqueue_ms = 0;
  double latency_ms() const { return end_ms - start_ms; }
};

struct latency_stats {
  size_t count = 0;
  double min = 0, max = 0, mean = 0, median = 0;
  double p90 = 0, p95 = 0, p99 = 0;
};

// The nearest-rank percentile p (0 < p <= 100) of values sorted ascending: the smallest value with
// at least p% of the values at or below it. 0 for no values.
double percentile(const std::vector<double>& sorted, double p);
// The median of values sorted ascending (the mean of the two middle ones for an even count).
double median(const std::vector<double>& sorted);
// Statistics of latencies in any order.
latency_stats compute_latency_stats(std::vector<double> latencies_ms);

struct performance_summary {
  latency_stats latency;      // per run: enqueue + synchronize
  latency_stats enqueue;      // per run: the enqueue call alone
  // Set only for engines with device I/O: the run time again as "GPU Compute Time", and the copies
  // of all inputs (H2D) and all outputs (D2H), each timed with its synchronize, when measured.
  std::optional<latency_stats> compute, h2d, d2h;
  double walltime_s = 0;      // first start to last end
  double throughput_qps = 0;  // runs per second of walltime
};
// Latency, enqueue time, walltime and throughput of runs (the optional parts stay unset).
performance_summary summarize(const std::vector<run_time>& runs);

// v with four significant digits and no exponent ("400.0", "0.002950", "333200").
std::string format_number(double v);

// Prints "=== Performance summary ===" and its lines, as trtexec does.
void print_performance_summary(std::ostream& out, const performance_summary& summary);

// The --exportTimes JSON: [{"startMs":..,"endMs":..,"latencyMs":..,"enqueueMs":..}, ...].
std::string times_to_json(const std::vector<run_time>& runs);

}  // namespace mirt::cli
