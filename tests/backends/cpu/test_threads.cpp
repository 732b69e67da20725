// tests/backends/cpu/test_threads.cpp — the cpu backend's own loops on several threads
// (backends/cpu/parallel.hpp): parallel_for's split, and kernels run with a pool of 4 against
// float64 references and, bit for bit, against the same kernel on one thread. Each pool of several
// threads is started by a thread of its own that ends when the work is done: OpenMP workers belong
// to the thread that starts them and end with it, so none is left idle at exit (LeakSanitizer's
// exit scan crashes while libgomp workers live: tools/test.sh runs the sanitizer build with one).
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "backends/cpu/parallel.hpp"
#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

// Runs f (which must not throw) on a new thread whose OpenMP pool has n threads (the harness runs
// kernels on the calling thread), and waits for it.
template <class F>
void with_pool(int n, F&& f) {
  std::thread t([&] {
    omp_set_num_threads(n);
    f();
  });
  t.join();
}

// The op on 1 thread and on 4; both outputs equal bit for bit, and within tol of `expected`.
void check_threaded(const op_call& call, const std::vector<double>& expected, double tol) {
  op_result one, four;
  with_pool(1, [&] { one = run(call); });
  with_pool(4, [&] { four = run(call); });
  INFO(call.op, ": ", one.message, four.message);
  REQUIRE(one.code == MIRT_STATUS_OK);
  REQUIRE(four.code == MIRT_STATUS_OK);
  CHECK(four.outputs[0].bytes == one.outputs[0].bytes);
  check_close(four.outputs[0].values<float>(), expected, tol);
}

std::vector<double> map(const std::vector<float>& x, double (*f)(double)) {
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = f(x[i]);
  return y;
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("parallel_for splits a large loop over the pool's threads and keeps a small one on the caller") {
  const int64_t n = 8 * mirt::cpu::k_grain_cheap + 5;
  std::vector<int> hits(size_t(n), 0);
  std::set<int> threads;
  std::vector<int64_t> begins;
  std::atomic<int> calls{0};
  with_pool(4, [&] {
    mirt::cpu::parallel_for(
        n, mirt::cpu::k_grain_cheap,
        [&](int64_t begin, int64_t end) {
          ++calls;
#pragma omp critical(test_threads)
          {
            threads.insert(omp_get_thread_num());
            begins.push_back(begin);
          }
          for (int64_t i = begin; i < end; ++i) ++hits[size_t(i)];
        },
        1024);
  });
  CHECK(calls == 4);
  CHECK(threads.size() == 4);
  CHECK(std::all_of(begins.begin(), begins.end(), [](int64_t b) { return b % 1024 == 0; }));  // aligned chunks
  CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));               // each item once

  calls = 0;
  threads.clear();
  begins.clear();
  int64_t last_end = 0;
  with_pool(4, [&] {
    mirt::cpu::parallel_for(mirt::cpu::k_grain_cheap, mirt::cpu::k_grain_cheap, [&](int64_t begin, int64_t end) {
      ++calls;
      threads.insert(omp_get_thread_num());
      begins.push_back(begin);
      last_end = end;
    });
  });
  CHECK(calls == 1);  // below two grains: one call, on the caller
  CHECK(threads == std::set<int>{0});
  CHECK(begins == std::vector<int64_t>{0});
  CHECK(last_end == mirt::cpu::k_grain_cheap);
}

TEST_CASE("parallel_for keeps the pool's threads when fewer chunks than threads have work") {
  // libgomp ends the pool threads that a smaller team leaves out and creates new ones for the next
  // larger team: a 2-chunk loop between two 4-thread loops must not replace 2 of the 4 threads.
  std::set<pid_t> before, after;
  std::atomic<int> small_calls{0};
  with_pool(4, [&] {
    const auto record = [](std::set<pid_t>& ids) {
      mirt::cpu::parallel_for(4 * mirt::cpu::k_grain_cheap, mirt::cpu::k_grain_cheap, [&](int64_t, int64_t) {
#pragma omp critical(test_threads)
        ids.insert(gettid());
      });
    };
    record(before);
    mirt::cpu::parallel_for(2 * mirt::cpu::k_grain_cheap, mirt::cpu::k_grain_cheap, [&](int64_t, int64_t) { ++small_calls; });
    record(after);
  });
  CHECK(small_calls == 2);
  CHECK(before.size() == 4);
  CHECK(after == before);
}

TEST_CASE("parallel_for rethrows a chunk's exception on the calling thread") {
  std::string caught;
  with_pool(4, [&] {
    try {
      mirt::cpu::parallel_for(1 << 20, 1024, [](int64_t begin, int64_t) {
        if (begin > 0) throw std::runtime_error("chunk failed");
      });
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
  });
  CHECK(caught == "chunk failed");
}

TEST_CASE("elementwise kernels on 4 threads: float64 references, and the 1-thread bits") {
  SUBCASE("Add with a broadcast operand") {
    const shape_t a = {4, 130, 257}, b = {130, 1};
    const std::vector<float> x = random_floats(numel(a), -2, 2, 51), y = random_floats(numel(b), -2, 2, 52);
    std::vector<double> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) want[i] = double(x[i]) + y[(i / 257) % 130];
    check_threaded({"Add", {f32(a, x), f32(b, y)}, {{MIRT_DTYPE_FLOAT32, a}}}, want, 1e-6);
  }
  SUBCASE("Sin (a scalar function per element)") {
    const std::vector<float> x = random_floats(70001, -6, 6, 53);
    check_threaded({"Sin", {f32({70001}, x)}, {{MIRT_DTYPE_FLOAT32, {70001}}}}, map(x, [](double v) { return std::sin(v); }),
                   1e-6);
  }
  SUBCASE("Erf (a vector loop)") {
    const std::vector<float> x = random_floats(100003, -4, 4, 54);
    check_threaded({"Erf", {f32({100003}, x)}, {{MIRT_DTYPE_FLOAT32, {100003}}}}, map(x, [](double v) { return std::erf(v); }),
                   1e-6);
  }
  SUBCASE("FusedElementwise (SiLU: x * Sigmoid(x))") {
    const int64_t n = 300007;
    const std::vector<float> x = random_floats(n, -8, 8, 55);
    const attr ops{"ops", MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, {"Sigmoid", "Mul"}};
    check_threaded({"FusedElementwise", {f32({n}, x)}, {{MIRT_DTYPE_FLOAT32, {n}}}, {ops, attr_ints("operands", {0, 0, 0, 1})}},
                   map(x, [](double v) { return v / (1 + std::exp(-v)); }), 1e-6);
  }
  SUBCASE("Transpose") {
    const shape_t s = {64, 48, 40}, t = {40, 64, 48};
    const std::vector<float> x = random_floats(numel(s), -1, 1, 56);
    std::vector<double> want(x.size());
    for (int64_t i = 0; i < 64; ++i)
      for (int64_t j = 0; j < 48; ++j)
        for (int64_t k = 0; k < 40; ++k) want[size_t((k * 64 + i) * 48 + j)] = x[size_t((i * 48 + j) * 40 + k)];
    check_threaded({"Transpose", {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, t}}, {attr_ints("perm", {2, 0, 1})}}, want, 0);
  }
}

TEST_CASE("row kernels on 4 threads: float64 references, and the 1-thread bits") {
  SUBCASE("LayerNormalization over the last axis") {
    const int64_t rows = 512, n = 768;
    const std::vector<float> x = random_floats(rows * n, -3, 3, 61), scale = random_floats(n, 0.5f, 1.5f, 62),
                             bias = random_floats(n, -1, 1, 63);
    std::vector<double> want(x.size());
    for (int64_t r = 0; r < rows; ++r) {
      double mean = 0, var = 0;
      for (int64_t i = 0; i < n; ++i) mean += x[size_t(r * n + i)];
      mean /= double(n);
      for (int64_t i = 0; i < n; ++i) var += (x[size_t(r * n + i)] - mean) * (x[size_t(r * n + i)] - mean);
      const double inv = 1 / std::sqrt(var / double(n) + 1e-5);
      for (int64_t i = 0; i < n; ++i)
        want[size_t(r * n + i)] = (x[size_t(r * n + i)] - mean) * inv * scale[size_t(i)] + bias[size_t(i)];
    }
    check_threaded({"LayerNormalization", {f32({rows, n}, x), f32({n}, scale), f32({n}, bias)}, {{MIRT_DTYPE_FLOAT32, {rows, n}}}},
                   want, 1e-5);
  }
  SUBCASE("SkipLayerNormalization") {
    const int64_t rows = 256, n = 768;
    const std::vector<float> x = random_floats(rows * n, -3, 3, 72), skip = random_floats(rows * n, -1, 1, 73),
                             scale = random_floats(n, 0.5f, 1.5f, 74), bias = random_floats(n, -1, 1, 75);
    std::vector<double> want(x.size());
    for (int64_t r = 0; r < rows; ++r) {
      double mean = 0, var = 0;
      for (int64_t i = 0; i < n; ++i) mean += double(x[size_t(r * n + i)]) + skip[size_t(r * n + i)];
      mean /= double(n);
      for (int64_t i = 0; i < n; ++i) {
        const double d = double(x[size_t(r * n + i)]) + skip[size_t(r * n + i)] - mean;
        var += d * d;
      }
      const double inv = 1 / std::sqrt(var / double(n) + 1e-5);
      for (int64_t i = 0; i < n; ++i)
        want[size_t(r * n + i)] =
            (double(x[size_t(r * n + i)]) + skip[size_t(r * n + i)] - mean) * inv * scale[size_t(i)] + bias[size_t(i)];
    }
    check_threaded({"SkipLayerNormalization", {f32({rows, n}, x), f32({rows, n}, skip), f32({n}, scale), f32({n}, bias)},
                    {{MIRT_DTYPE_FLOAT32, {rows, n}}}},
                   want, 1e-5);
  }
  SUBCASE("FusedAttention (query rows of all heads split over threads)") {
    const int64_t b_n = 1, sq = 64, h_n = 4, d = 32, skv = 48;
    const std::vector<float> q = random_floats(b_n * sq * h_n * d, -1, 1, 76), k = random_floats(b_n * skv * h_n * d, -1, 1, 77),
                             v = random_floats(b_n * skv * h_n * d, -1, 1, 78);
    const double scale = 0.125;
    std::vector<double> want(size_t(b_n * sq * h_n * d), 0.0);
    for (int64_t h = 0; h < h_n; ++h)
      for (int64_t i = 0; i < sq; ++i) {
        std::vector<double> p(static_cast<size_t>(skv));
        double m = -INFINITY, sum = 0;
        for (int64_t j = 0; j < skv; ++j) {
          double dot = 0;
          for (int64_t e = 0; e < d; ++e) dot += double(q[size_t((i * h_n + h) * d + e)]) * k[size_t((j * h_n + h) * d + e)];
          p[size_t(j)] = dot * scale;
          m = std::max(m, p[size_t(j)]);
        }
        for (double& x : p) sum += (x = std::exp(x - m));
        for (int64_t j = 0; j < skv; ++j)
          for (int64_t e = 0; e < d; ++e) want[size_t((i * h_n + h) * d + e)] += p[size_t(j)] / sum * v[size_t((j * h_n + h) * d + e)];
      }
    check_threaded({"FusedAttention", {f32({b_n, sq, h_n, d}, q), f32({b_n, skv, h_n, d}, k), f32({b_n, skv, h_n, d}, v)},
                    {{MIRT_DTYPE_FLOAT32, {b_n, sq, h_n, d}}}, {attr_f("scale", float(scale))}},
                   want, 1e-5);
  }
  SUBCASE("Softmax over the last axis") {
    const int64_t rows = 12 * 128, n = 128;
    const std::vector<float> x = random_floats(rows * n, -10, 10, 64);
    std::vector<double> want(x.size());
    for (int64_t r = 0; r < rows; ++r) {
      double m = -INFINITY, sum = 0;
      for (int64_t i = 0; i < n; ++i) m = std::max(m, double(x[size_t(r * n + i)]));
      for (int64_t i = 0; i < n; ++i) sum += std::exp(x[size_t(r * n + i)] - m);
      for (int64_t i = 0; i < n; ++i) want[size_t(r * n + i)] = std::exp(x[size_t(r * n + i)] - m) / sum;
    }
    check_threaded({"Softmax", {f32({rows, n}, x)}, {{MIRT_DTYPE_FLOAT32, {rows, n}}}, {attr_i("axis", -1)}}, want, 1e-6);
  }
  SUBCASE("BatchNormalization (inference)") {
    const shape_t s = {2, 64, 56, 56};
    const int64_t c = 64, inner = 56 * 56;
    const std::vector<float> x = random_floats(numel(s), -2, 2, 65), scale = random_floats(c, 0.5f, 2, 66),
                             bias = random_floats(c, -1, 1, 67), mean = random_floats(c, -1, 1, 68),
                             var = random_floats(c, 0.1f, 2, 69);
    std::vector<double> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const size_t ch = (i / size_t(inner)) % size_t(c);
      want[i] = (x[i] - double(mean[ch])) / std::sqrt(double(var[ch]) + 1e-5) * scale[ch] + bias[ch];
    }
    check_threaded({"BatchNormalization", {f32(s, x), f32({c}, scale), f32({c}, bias), f32({c}, mean), f32({c}, var)},
                    {{MIRT_DTYPE_FLOAT32, s}}},
                   want, 1e-5);
  }
  SUBCASE("GlobalAveragePool") {
    const shape_t s = {1, 256, 28, 28};
    const std::vector<float> x = random_floats(numel(s), -1, 1, 70);
    std::vector<double> want(256, 0.0);
    for (size_t i = 0; i < x.size(); ++i) want[i / 784] += x[i] / 784.0;
    check_threaded({"GlobalAveragePool", {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, {1, 256, 1, 1}}}}, want, 1e-6);
  }
  SUBCASE("AveragePool, the reference loop (3x3, stride 1, pads 1, pads counted)") {
    const int64_t c = 64, h = 56;
    const shape_t s = {1, c, h, h};
    const std::vector<float> x = random_floats(numel(s), -1, 1, 71);
    std::vector<double> want(x.size(), 0.0);
    for (int64_t p = 0; p < c; ++p)
      for (int64_t i = 0; i < h; ++i)
        for (int64_t j = 0; j < h; ++j) {
          double sum = 0;
          for (int64_t di = -1; di <= 1; ++di)
            for (int64_t dj = -1; dj <= 1; ++dj)
              if (i + di >= 0 && i + di < h && j + dj >= 0 && j + dj < h) sum += x[size_t((p * h + i + di) * h + j + dj)];
          want[size_t((p * h + i) * h + j)] = sum / 9;
        }
    op_call call{"AveragePool", {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, s}},
                 {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1}), attr_i("count_include_pad", 1)}};
    call.tactic = "ref_pool";
    check_threaded(call, want, 1e-6);
  }
}

}  // TEST_SUITE
