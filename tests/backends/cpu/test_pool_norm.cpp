// tests/backends/cpu/test_pool_norm.cpp — pooling, normalizations and softmax against float64 loops.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

struct pool_case {
  shape_t x;
  std::vector<int64_t> kernel, strides, dilations, pads;
  bool ceil_mode = false, include_pad = false;
  std::string auto_pad = "NOTSET";
};

int64_t get(const std::vector<int64_t>& v, size_t i, int64_t d) { return i < v.size() ? v[i] : d; }

// Output shape and begin/end pads as ONNX defines them, then a direct float64 pool.
std::vector<double> ref_pool(const pool_case& c, const std::vector<float>& x, bool is_max, shape_t& y,
                             std::vector<int64_t>* argmax = nullptr) {
  const size_t sr = c.x.size() - 2;
  y = {c.x[0], c.x[1]};
  std::vector<int64_t> pl(sr), pr(sr);
  for (size_t i = 0; i < sr; ++i) {
    const int64_t in = c.x[2 + i], s = get(c.strides, i, 1), span = (c.kernel[i] - 1) * get(c.dilations, i, 1) + 1;
    int64_t out;
    if (c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
      out = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + span - in);
      pl[i] = c.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pr[i] = total - pl[i];
    } else {
      pl[i] = get(c.pads, i, 0);
      pr[i] = get(c.pads, sr + i, 0);
      const int64_t room = in + pl[i] + pr[i] - span;
      out = (c.ceil_mode ? (room + s - 1) / s : room / s) + 1;
      if (c.ceil_mode && (out - 1) * s >= in + pl[i]) --out;
    }
    y.push_back(out);
  }
  const shape_t xs(c.x.begin() + 2, c.x.end()), ys(y.begin() + 2, y.end()), ks(c.kernel.begin(), c.kernel.end());
  std::vector<double> r;
  for (int64_t p = 0; p < c.x[0] * c.x[1]; ++p)
    for (int64_t o = 0; o < numel(ys); ++o) {
      const auto oi = unravel(o, ys);
      double best = -INFINITY, sum = 0;
      int64_t count = 0, padded = 0, best_at = -1;
      for (int64_t k = 0; k < numel(ks); ++k) {
        const auto ki = unravel(k, ks);
        bool inside = true, in_pad = true;
        int64_t at = 0;
        for (size_t i = 0; i < sr; ++i) {
          const int64_t q = oi[i] * get(c.strides, i, 1) - pl[i] + ki[i] * get(c.dilations, i, 1);
          inside = inside && q >= 0 && q < xs[i];
          in_pad = in_pad && q >= -pl[i] && q < xs[i] + pr[i];
          at = at * xs[i] + q;
        }
        padded += in_pad;
        if (!inside) continue;
        const double v = x[size_t(p * numel(xs) + at)];
        if (v > best) {
          best = v;
          best_at = p * numel(xs) + at;
        }
        sum += v;
        ++count;
      }
      r.push_back(is_max ? best : sum / double(c.include_pad ? padded : count));
      if (argmax) argmax->push_back(best_at);
    }
  return r;
}

void check_pool(const pool_case& c, const std::string& op) {
  const auto x = random_floats(numel(c.x), -1, 1, 41);
  shape_t y;
  std::vector<int64_t> argmax;
  const auto expected = ref_pool(c, x, op == "MaxPool", y, &argmax);
  op_call call{op, {f32(c.x, x)}, {{MIRT_DTYPE_FLOAT32, y}}, {attr_ints("kernel_shape", c.kernel)}};
  if (op == "MaxPool") call.outputs.push_back({MIRT_DTYPE_INT64, y});
  if (!c.strides.empty()) call.attrs.push_back(attr_ints("strides", c.strides));
  if (!c.dilations.empty()) call.attrs.push_back(attr_ints("dilations", c.dilations));
  if (!c.pads.empty()) call.attrs.push_back(attr_ints("pads", c.pads));
  if (c.ceil_mode) call.attrs.push_back(attr_i("ceil_mode", 1));
  if (c.include_pad) call.attrs.push_back(attr_i("count_include_pad", 1));
  if (c.auto_pad != "NOTSET") call.attrs.push_back(attr_s("auto_pad", c.auto_pad));
  const op_result r = run(call);
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  check_close(r.outputs[0].values<float>(), expected, 1e-5);
  if (op == "MaxPool") {
    CHECK(r.outputs[1].values<int64_t>() == argmax);
    // Without Indices, MaxPool takes the oneDNN path where it can.
    call.outputs.pop_back();
    const op_result values_only = run(call);
    INFO(values_only.message);
    REQUIRE(values_only.code == MIRT_STATUS_OK);
    check_close(values_only.outputs[0].values<float>(), expected, 1e-5);
  }
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("MaxPool and AveragePool match the reference with pads, strides and dilations") {
  for (const std::string op : {"MaxPool", "AveragePool"}) {
    CAPTURE(op);
    pool_case a{{2, 3, 9, 8}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}};
    check_pool(a, op);
    pool_case b{{1, 2, 10, 9}, {2, 3}, {1, 2}, {2, 1}, {0, 1, 1, 0}};
    check_pool(b, op);
    pool_case c1{{1, 2, 11}, {4}, {3}, {}, {1, 2}};
    check_pool(c1, op);
    pool_case c3{{1, 1, 5, 6, 4}, {2, 3, 2}, {2, 1, 2}, {}, {0, 1, 1, 1, 1, 0}};
    check_pool(c3, op);
  }
}

TEST_CASE("pools honour ceil_mode and count_include_pad") {
  pool_case c{{1, 2, 8, 7}, {3, 3}, {2, 2}, {}, {1, 1, 1, 0}};
  c.ceil_mode = true;
  check_pool(c, "MaxPool");
  check_pool(c, "AveragePool");
  c.include_pad = true;
  check_pool(c, "AveragePool");
  c.ceil_mode = false;
  check_pool(c, "AveragePool");
}

TEST_CASE("pools honour auto_pad SAME_UPPER and SAME_LOWER") {
  for (const std::string mode : {"SAME_UPPER", "SAME_LOWER"}) {
    pool_case c{{1, 2, 7, 8}, {3, 2}, {2, 3}};
    c.auto_pad = mode;
    CAPTURE(mode);
    check_pool(c, "MaxPool");
    check_pool(c, "AveragePool");
  }
}

TEST_CASE("GlobalAveragePool and GlobalMaxPool reduce every spatial dim") {
  const auto x = random_floats(2 * 3 * 4 * 5, -1, 1, 42);
  std::vector<double> mean(6, 0), mx(6, -INFINITY);
  for (size_t i = 0; i < x.size(); ++i) {
    mean[i / 20] += x[i] / 20.0;
    mx[i / 20] = std::max(mx[i / 20], double(x[i]));
  }
  check_close(run_f32({"GlobalAveragePool", {f32({2, 3, 4, 5}, x)}, {{MIRT_DTYPE_FLOAT32, {2, 3, 1, 1}}}}), mean);
  check_close(run_f32({"GlobalMaxPool", {f32({2, 3, 4, 5}, x)}, {{MIRT_DTYPE_FLOAT32, {2, 3, 1, 1}}}}), mx);
}

TEST_CASE("BatchNormalization applies per-channel statistics") {
  const auto x = random_floats(2 * 3 * 4, -2, 2, 43), scale = random_floats(3, 0.5, 2, 44), b = random_floats(3, -1, 1, 45),
             mean = random_floats(3, -1, 1, 46), var = random_floats(3, 0.1f, 2, 47);
  std::vector<double> expected;
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t c = (i / 4) % 3;
    expected.push_back(scale[c] * (x[i] - double(mean[c])) / std::sqrt(double(var[c]) + 1e-3) + b[c]);
  }
  op_call call{"BatchNormalization",
               {f32({2, 3, 4}, x), f32({3}, scale, true), f32({3}, b, true), f32({3}, mean, true), f32({3}, var, true)},
               {{MIRT_DTYPE_FLOAT32, {2, 3, 4}}},
               {attr_f("epsilon", 1e-3f)}};
  check_close(run_f32(call), expected, 1e-5);
  call.in_place = true;
  check_close(run_f32(call), expected, 1e-5);
}

TEST_CASE("InstanceNormalization normalizes each (n, c) plane") {
  const auto x = random_floats(2 * 2 * 6, -2, 2, 48), scale = random_floats(2, 0.5, 2, 49), b = random_floats(2, -1, 1, 50);
  std::vector<double> expected(x.size());
  for (size_t p = 0; p < 4; ++p) {
    double m = 0, v = 0;
    for (size_t i = 0; i < 6; ++i) m += x[p * 6 + i] / 6.0;
    for (size_t i = 0; i < 6; ++i) v += (x[p * 6 + i] - m) * (x[p * 6 + i] - m) / 6.0;
    for (size_t i = 0; i < 6; ++i) expected[p * 6 + i] = scale[p % 2] * (x[p * 6 + i] - m) / std::sqrt(v + 1e-5) + b[p % 2];
  }
  check_close(run_f32({"InstanceNormalization", {f32({2, 2, 2, 3}, x), f32({2}, scale), f32({2}, b)}, {{MIRT_DTYPE_FLOAT32, {2, 2, 2, 3}}}}),
              expected, 1e-5);
}

TEST_CASE("LayerNormalization over trailing axes, with and without bias, and its Mean/InvStdDev outputs") {
  const shape_t s = {2, 3, 4};
  const auto x = random_floats(24, -2, 2, 51), scale = random_floats(12, 0.5, 2, 52), b = random_floats(12, -1, 1, 53);
  for (const int64_t axis : {-1, 1, -2}) {
    const size_t inner = axis == -1 ? 4 : 12;
    std::vector<double> expected(24), mean_ref, inv_ref;
    for (size_t o = 0; o < 24 / inner; ++o) {
      double m = 0, v = 0;
      for (size_t i = 0; i < inner; ++i) m += x[o * inner + i] / double(inner);
      for (size_t i = 0; i < inner; ++i) v += (x[o * inner + i] - m) * (x[o * inner + i] - m) / double(inner);
      mean_ref.push_back(m);
      inv_ref.push_back(1 / std::sqrt(v + 1e-5));
      for (size_t i = 0; i < inner; ++i) expected[o * inner + i] = (x[o * inner + i] - m) / std::sqrt(v + 1e-5) * scale[i] + b[i];
    }
    const shape_t ps = axis == -1 ? shape_t{4} : shape_t{3, 4};
    const shape_t stat = axis == -1 ? shape_t{2, 3, 1} : shape_t{2, 1, 1};
    CAPTURE(axis);
    op_call call{"LayerNormalization",
                 {f32(s, x), f32(ps, std::vector<float>(scale.begin(), scale.begin() + long(inner))),
                  f32(ps, std::vector<float>(b.begin(), b.begin() + long(inner)))},
                 {{MIRT_DTYPE_FLOAT32, s}, {MIRT_DTYPE_FLOAT32, stat}, {MIRT_DTYPE_FLOAT32, stat}},
                 {attr_i("axis", axis)}};
    const op_result r = run(call);
    REQUIRE(r.code == MIRT_STATUS_OK);
    check_close(r.outputs[0].values<float>(), expected, 1e-5);
    check_close(r.outputs[1].values<float>(), mean_ref, 1e-5);
    check_close(r.outputs[2].values<float>(), inv_ref, 1e-5);
  }
  // No bias: B omitted.
  std::vector<double> expected;
  for (size_t o = 0; o < 6; ++o) {
    double m = 0, v = 0;
    for (size_t i = 0; i < 4; ++i) m += x[o * 4 + i] / 4.0;
    for (size_t i = 0; i < 4; ++i) v += (x[o * 4 + i] - m) * (x[o * 4 + i] - m) / 4.0;
    for (size_t i = 0; i < 4; ++i) expected.push_back((x[o * 4 + i] - m) / std::sqrt(v + 1e-5) * scale[i]);
  }
  check_close(run_f32({"LayerNormalization", {f32(s, x), f32({4}, std::vector<float>(scale.begin(), scale.begin() + 4)), omitted()},
                       {{MIRT_DTYPE_FLOAT32, s}}}),
              expected, 1e-5);
}

TEST_CASE("Softmax and LogSoftmax along any axis, including negative and large values") {
  const shape_t s = {2, 3, 4};
  auto x = random_floats(24, -5, 5, 54);
  x[0] = 1000.f;  // must not overflow
  for (const int64_t axis : {-1, 0, 1, 2, -2}) {
    const size_t a = size_t(axis < 0 ? axis + 3 : axis);
    const auto st = strides_of(s);
    std::vector<double> sm(24), lsm(24);
    for (int64_t i = 0; i < 24; ++i) {
      const auto idx = unravel(i, s);
      double mx = -INFINITY, sum = 0;
      for (int64_t k = 0; k < s[a]; ++k) mx = std::max(mx, double(x[size_t(i + (k - idx[a]) * st[a])]));
      for (int64_t k = 0; k < s[a]; ++k) sum += std::exp(x[size_t(i + (k - idx[a]) * st[a])] - mx);
      sm[size_t(i)] = std::exp(x[size_t(i)] - mx) / sum;
      lsm[size_t(i)] = x[size_t(i)] - mx - std::log(sum);
    }
    CAPTURE(axis);
    check_close(run_f32({"Softmax", {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, s}}, {attr_i("axis", axis)}}), sm, 1e-5);
    check_close(run_f32({"LogSoftmax", {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, s}}, {attr_i("axis", axis)}}), lsm, 1e-5);
  }
}

TEST_CASE("MaxPool of int8 ignores padding even where every value is negative, and gives Indices") {
  // [1, 1, 2, 2] padded by 1 on every side, 2x2 windows, stride 1: [1, 1, 3, 3].
  op_call call{"MaxPool", {tensor_data::of<int8_t>(MIRT_DTYPE_INT8, {1, 1, 2, 2}, {-5, -3, -7, -1})},
               {{MIRT_DTYPE_INT8, {1, 1, 3, 3}}, {MIRT_DTYPE_INT64, {1, 1, 3, 3}}},
               {attr_ints("kernel_shape", {2, 2}), attr_ints("pads", {1, 1, 1, 1})}};
  const op_result r = run(call);
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int8_t>() == std::vector<int8_t>{-5, -3, -3, -5, -1, -1, -7, -1, -1});
  CHECK(r.outputs[1].values<int64_t>() == std::vector<int64_t>{0, 1, 1, 0, 3, 3, 2, 3, 3});
}

TEST_CASE("MaxUnpool writes values at MaxPool's indices, per plane, into the default or a given output shape") {
  // Two planes of [2, 2], kernel 2 stride 2: default output [1, 2, 4, 4]; plane 1's indices start at 16.
  std::vector<double> want(32, 0);
  want[0] = 1, want[3] = 2, want[9] = 3, want[15] = 4, want[16 + 5] = 5, want[16 + 6] = 6, want[16 + 8] = 7, want[16 + 14] = 8;
  op_call call{"MaxUnpool", {f32({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}), i64({1, 2, 2, 2}, {0, 3, 9, 15, 21, 22, 24, 30})},
               {{MIRT_DTYPE_FLOAT32, {1, 2, 4, 4}}}, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}};
  check_close(run_f32(call), want);
  // output_shape [1, 1, 5, 5]: index 5 of the default 4x4 is (1, 1), which is 6 in 5x5; 7, 13, 15 go to 8, 16, 18.
  std::vector<double> wide(25, 0);
  wide[6] = 1, wide[8] = 2, wide[16] = 3, wide[18] = 4;
  check_close(run_f32({"MaxUnpool", {f32({1, 1, 2, 2}, {1, 2, 3, 4}), i64({1, 1, 2, 2}, {5, 7, 13, 15}), i64({4}, {1, 1, 5, 5})},
                       {{MIRT_DTYPE_FLOAT32, {1, 1, 5, 5}}}, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}}),
              wide);
  call.inputs[1] = i64({1, 2, 2, 2}, {0, 3, 9, 32, 21, 22, 24, 30});
  const op_result r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("entry 3 is 32") != std::string::npos);
}

TEST_CASE("BatchNormalization in training mode uses the batch's statistics and updates the running ones, also in place") {
  // One channel of {1, 2, 3, 6}: mean 3, population variance 3.5; eps 0.5 makes the divisor 2,
  // so y = 2 * (x - 3) / 2 + 1 = x - 2. Running: 0.5 * 0.5 + 3 * 0.5 and 1 * 0.5 + 3.5 * 0.5.
  for (const bool in_place : {false, true}) {
    op_call call{"BatchNormalization", {f32({2, 1, 2}, {1, 2, 3, 6}), f32({1}, {2}), f32({1}, {1}), f32({1}, {0.5f}), f32({1}, {1})},
                 {{MIRT_DTYPE_FLOAT32, {2, 1, 2}}, {MIRT_DTYPE_FLOAT32, {1}}, {MIRT_DTYPE_FLOAT32, {1}}},
                 {attr_i("training_mode", 1), attr_f("epsilon", 0.5f), attr_f("momentum", 0.5f)}};
    call.in_place = in_place;
    const op_result r = run(call);
    INFO(r.message);
    REQUIRE(r.code == MIRT_STATUS_OK);
    check_close(r.outputs[0].values<float>(), {-1, 0, 1, 4});
    check_close(r.outputs[1].values<float>(), {1.75});
    check_close(r.outputs[2].values<float>(), {2.25});
  }
}

}  // TEST_SUITE
