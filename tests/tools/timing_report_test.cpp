// tests/tools/timing_report_test.cpp — latency statistics against hand-computed values.
#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "timing_report.hpp"

using namespace mirt::cli;

TEST_CASE("percentile is nearest-rank") {
  const std::vector<double> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  // rank = ceil(p/100 * n): 90% of 10 is rank 9, 95% is rank 10 (9.5 up), 50% is rank 5.
  CHECK(percentile(ten, 90) == 9);
  CHECK(percentile(ten, 95) == 10);
  CHECK(percentile(ten, 99) == 10);
  CHECK(percentile(ten, 50) == 5);
  CHECK(percentile(ten, 100) == 10);
  CHECK(percentile(ten, 1) == 1);
  CHECK(percentile({42}, 99) == 42);
  CHECK(percentile({}, 90) == 0);

  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i * 0.5);
  CHECK(percentile(hundred, 90) == doctest::Approx(45.0));
  CHECK(percentile(hundred, 95) == doctest::Approx(47.5));
  CHECK(percentile(hundred, 99) == doctest::Approx(49.5));
}

TEST_CASE("median averages the middle pair of an even count") {
  CHECK(median({1, 2, 3}) == 2);
  CHECK(median({1, 2, 3, 10}) == 2.5);
  CHECK(median({}) == 0);
}

TEST_CASE("compute_latency_stats sorts its input") {
  // Hand-computed: sorted 1 2 2 3 4 5 7 8 9 20 -> mean 61/10, median (4+5)/2, p90 rank 9, p95/p99 rank 10.
  const latency_stats s = compute_latency_stats({9, 2, 20, 4, 1, 8, 3, 7, 5, 2});
  CHECK(s.count == 10);
  CHECK(s.min == 1);
  CHECK(s.max == 20);
  CHECK(s.mean == doctest::Approx(6.1));
  CHECK(s.median == doctest::Approx(4.5));
  CHECK(s.p90 == 9);
  CHECK(s.p95 == 20);
  CHECK(s.p99 == 20);
}

TEST_CASE("summarize gives throughput over host walltime") {
  // Four runs of 2, 3, 2 and 3 ms back to back over 10 ms: 400 qps.
  const std::vector<run_time> runs = {{0, 2}, {2, 5}, {5, 7}, {7, 10}};
  const performance_summary s = summarize(runs);
  CHECK(s.walltime_s == doctest::Approx(0.010));
  CHECK(s.throughput_qps == doctest::Approx(400.0));
  CHECK(s.latency.mean == doctest::Approx(2.5));
  CHECK(s.latency.median == doctest::Approx(2.5));

  std::ostringstream text;
  print_performance_summary(text, s);
  CHECK(text.str().find("=== Performance summary ===") != std::string::npos);
  CHECK(text.str().find("Throughput: 400.0 qps") != std::string::npos);
  CHECK(text.str().find("percentile(99%) = 3.000 ms") != std::string::npos);
  CHECK(text.str().find("Total Host Walltime: 0.01000 s") != std::string::npos);
}

TEST_CASE("summarize reports enqueue time; device timings print only when set") {
  const std::vector<run_time> runs = {{0, 2, 0.5}, {2, 5, 1.5}};
  performance_summary s = summarize(runs);
  CHECK(s.enqueue.count == 2);
  CHECK(s.enqueue.min == 0.5);
  CHECK(s.enqueue.max == 1.5);
  CHECK(s.enqueue.mean == doctest::Approx(1.0));
  CHECK_FALSE(s.compute);
  CHECK_FALSE(s.h2d);
  CHECK_FALSE(s.d2h);

  std::ostringstream host;
  print_performance_summary(host, s);
  CHECK(host.str().find("Enqueue Time: min = 0.5000 ms, max = 1.500 ms") != std::string::npos);
  CHECK(host.str().find("GPU Compute Time") == std::string::npos);
  CHECK(host.str().find("H2D Latency") == std::string::npos);
  CHECK(host.str().find("D2H Latency") == std::string::npos);

  s.compute = s.latency;
  s.h2d = compute_latency_stats({0.25, 0.75});
  s.d2h = compute_latency_stats({0.125});
  std::ostringstream device;
  print_performance_summary(device, s);
  const std::string text = device.str();
  CHECK(text.find("GPU Compute Time: min = 2.000 ms, max = 3.000 ms") != std::string::npos);
  CHECK(text.find("H2D Latency: min = 0.2500 ms, max = 0.7500 ms, mean = 0.5000 ms") != std::string::npos);
  CHECK(text.find("D2H Latency: min = 0.1250 ms") != std::string::npos);
  // trtexec's order: Latency, Enqueue Time, H2D Latency, GPU Compute Time, D2H Latency.
  CHECK(text.find("Latency: min") < text.find("Enqueue Time"));
  CHECK(text.find("Enqueue Time") < text.find("H2D Latency"));
  CHECK(text.find("H2D Latency") < text.find("GPU Compute Time"));
  CHECK(text.find("GPU Compute Time") < text.find("D2H Latency"));
}

TEST_CASE("format_number keeps four significant digits without an exponent") {
  CHECK(format_number(0) == "0");
  CHECK(format_number(400) == "400.0");
  CHECK(format_number(333245.7) == "333246");
  CHECK(format_number(0.0029504) == "0.002950");
  CHECK(format_number(0.000000913) == "0.000001");
  CHECK(format_number(12.34567) == "12.35");
}

TEST_CASE("times_to_json writes startMs, endMs, latencyMs and enqueueMs") {
  const auto j = nlohmann::json::parse(times_to_json({{1.5, 4.0, 0.5}}));
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 1);
  CHECK(j[0]["startMs"].get<double>() == 1.5);
  CHECK(j[0]["endMs"].get<double>() == 4.0);
  CHECK(j[0]["latencyMs"].get<double>() == 2.5);
  CHECK(j[0]["enqueueMs"].get<double>() == 0.5);
}
