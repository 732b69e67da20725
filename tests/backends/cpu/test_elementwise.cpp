// tests/backends/cpu/test_elementwise.cpp — binary, comparison, logic, variadic, Where and unary ops.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

double ref_binary(const std::string& op, double a, double b, bool fmod_attr = false) {
  if (op == "Add") return a + b;
  if (op == "Sub") return a - b;
  if (op == "Mul") return a * b;
  if (op == "Div") return a / b;
  if (op == "Pow") return std::pow(a, b);
  if (op == "Max") return std::max(a, b);
  if (op == "Min") return std::min(a, b);
  if (op == "PRelu") return a < 0 ? a * b : a;
  if (op == "Mod") {
    double r = std::fmod(a, b);
    if (!fmod_attr && r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
  return NAN;
}

std::vector<double> ref_broadcast(const std::string& op, const std::vector<float>& a, const shape_t& sa,
                                  const std::vector<float>& b, const shape_t& sb, const shape_t& out) {
  std::vector<double> r(size_t(numel(out)));
  for (int64_t i = 0; i < numel(out); ++i)
    r[size_t(i)] = ref_binary(op, a[size_t(broadcast_index(sa, out, i))], b[size_t(broadcast_index(sb, out, i))]);
  return r;
}

const std::vector<std::pair<shape_t, shape_t>> k_broadcast_cases = {
    {{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {4}},    {{2, 3, 4}, {3, 1}}, {{1, 3, 1}, {2, 1, 5}},
    {{}, {2, 3}},           {{2, 1, 4}, {1}},    {{5}, {3, 1}},       {{2, 3, 4, 5}, {1, 3, 1, 5}},
};

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("float binary ops match the reference for every broadcast pattern") {
  for (const std::string op : {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Mod"}) {
    for (const auto& [sa, sb] : k_broadcast_cases) {
      const shape_t out = broadcast(sa, sb);
      const bool positive = op == "Pow";
      auto a = random_floats(numel(sa), positive ? 0.1f : -3, 3, 1);
      auto b = random_floats(numel(sb), positive ? -2 : 0.5f, 2, 2);
      std::vector<attr> attrs;
      if (op == "Mod") attrs.push_back(attr_i("fmod", 1));
      CAPTURE(op);
      CAPTURE(out.size());
      std::vector<double> expected(size_t(numel(out)));
      for (int64_t i = 0; i < numel(out); ++i)
        expected[size_t(i)] = ref_binary(op, a[size_t(broadcast_index(sa, out, i))], b[size_t(broadcast_index(sb, out, i))], true);
      check_close(run_f32({op, {f32(sa, a), f32(sb, b)}, {{MIRT_DTYPE_FLOAT32, out}}, attrs}), expected, 1e-5);
    }
  }
}

TEST_CASE("binary ops reject a layer whose inputs differ in dtype, naming it") {
  op_call c{"Add", {f32({2}, {1, 2}), i32({2}, {1, 2})}, {{MIRT_DTYPE_FLOAT32, {2}}}};
  c.name = "mixed_add";
  const op_result r = run(c);
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("mixed_add") != std::string::npos);
}

TEST_CASE("Add runs in place when its output is input 0's buffer, also with a broadcast second input") {
  auto a = random_floats(24, -1, 1, 3), b = random_floats(4, -1, 1, 4);
  op_call c{"Add", {f32({2, 3, 4}, a), f32({4}, b)}, {{MIRT_DTYPE_FLOAT32, {2, 3, 4}}}};
  c.in_place = true;
  check_close(run_f32(c), ref_broadcast("Add", a, {2, 3, 4}, b, {4}, {2, 3, 4}));
}

TEST_CASE("PRelu broadcasts the slope onto the input") {
  auto x = random_floats(2 * 3 * 4, -2, 2, 5), slope = random_floats(3, 0, 1, 6);
  check_close(run_f32({"PRelu", {f32({2, 3, 4}, x), f32({3, 1}, slope)}, {{MIRT_DTYPE_FLOAT32, {2, 3, 4}}}}),
              ref_broadcast("PRelu", x, {2, 3, 4}, slope, {3, 1}, {2, 3, 4}));
}

TEST_CASE_TEMPLATE("integer binary ops are exact, with Python-style Mod and truncating Div", T, int32_t, int64_t) {
  const mirt_dtype dt = sizeof(T) == 4 ? MIRT_DTYPE_INT32 : MIRT_DTYPE_INT64;
  const std::vector<T> a = {7, -7, 7, -7, 9, 0}, b = {3, 3, -3, -3, 2, 5};
  auto run_op = [&](const std::string& op, std::vector<attr> attrs = {}) {
    op_result r = run({op, {tensor_data::of(dt, {6}, a), tensor_data::of(dt, {6}, b)}, {{dt, {6}}}, attrs});
    REQUIRE(r.code == MIRT_STATUS_OK);
    return r.outputs[0].values<T>();
  };
  CHECK(run_op("Add") == std::vector<T>{10, -4, 4, -10, 11, 5});
  CHECK(run_op("Sub") == std::vector<T>{4, -10, 10, -4, 7, -5});
  CHECK(run_op("Mul") == std::vector<T>{21, -21, -21, 21, 18, 0});
  CHECK(run_op("Div") == std::vector<T>{2, -2, -2, 2, 4, 0});
  CHECK(run_op("Mod") == std::vector<T>{1, 2, -2, -1, 1, 0});
  CHECK(run_op("Mod", {attr_i("fmod", 1)}) == std::vector<T>{1, -1, 1, -1, 1, 0});
  CHECK(run_op("Max") == std::vector<T>{7, 3, 7, -3, 9, 5});
  CHECK(run_op("Min") == std::vector<T>{3, -7, -3, -7, 2, 0});
  CHECK(run_op("Pow") == std::vector<T>{343, -343, 0, 0, 81, 0});
}

TEST_CASE("comparisons broadcast and give bool") {
  auto a = random_floats(6, -1, 1, 8), b = random_floats(3, -1, 1, 9);
  a[0] = b[0];  // one equal pair
  const std::map<std::string, std::function<bool(double, double)>> refs = {
      {"Equal", [](double x, double y) { return x == y; }}, {"Less", [](double x, double y) { return x < y; }},
      {"LessOrEqual", [](double x, double y) { return x <= y; }}, {"Greater", [](double x, double y) { return x > y; }},
      {"GreaterOrEqual", [](double x, double y) { return x >= y; }}};
  for (const auto& [op, f] : refs) {
    op_result r = run({op, {f32({2, 3}, a), f32({3}, b)}, {{MIRT_DTYPE_BOOL, {2, 3}}}});
    REQUIRE(r.code == MIRT_STATUS_OK);
    const auto got = r.outputs[0].values<uint8_t>();
    for (int i = 0; i < 6; ++i) CHECK(got[size_t(i)] == uint8_t(f(a[size_t(i)], b[size_t(i % 3)])));
  }
  op_result r = run({"Equal", {i64({3}, {1, 2, 3}), i64({1}, {2})}, {{MIRT_DTYPE_BOOL, {3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<uint8_t>() == std::vector<uint8_t>{0, 1, 0});
}

TEST_CASE("And, Or, Xor and Not follow their truth tables with broadcasting") {
  const auto a = boolean({2, 2}, {0, 0, 1, 1}), b = boolean({2}, {0, 1});
  auto logic = [&](const std::string& op) {
    op_result r = run({op, {a, b}, {{MIRT_DTYPE_BOOL, {2, 2}}}});
    REQUIRE(r.code == MIRT_STATUS_OK);
    return r.outputs[0].values<uint8_t>();
  };
  CHECK(logic("And") == std::vector<uint8_t>{0, 0, 0, 1});
  CHECK(logic("Or") == std::vector<uint8_t>{0, 1, 1, 1});
  CHECK(logic("Xor") == std::vector<uint8_t>{0, 1, 1, 0});
  op_result r = run({"Not", {a}, {{MIRT_DTYPE_BOOL, {2, 2}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<uint8_t>() == std::vector<uint8_t>{1, 1, 0, 0});
}

TEST_CASE("variadic Sum, Max, Min and Mean fold any number of broadcast inputs") {
  const shape_t s0 = {2, 1, 4}, s1 = {3, 1}, s2 = {4}, out = {2, 3, 4};
  auto a = random_floats(8, -1, 1, 10), b = random_floats(3, -1, 1, 11), c = random_floats(4, -1, 1, 12);
  for (const std::string op : {"Sum", "Max", "Min", "Mean"}) {
    std::vector<double> expected(size_t(numel(out)));
    for (int64_t i = 0; i < numel(out); ++i) {
      const double x = a[size_t(broadcast_index(s0, out, i))], y = b[size_t(broadcast_index(s1, out, i))],
                   z = c[size_t(broadcast_index(s2, out, i))];
      expected[size_t(i)] = op == "Sum"   ? x + y + z
                            : op == "Max" ? std::max({x, y, z})
                            : op == "Min" ? std::min({x, y, z})
                                          : (x + y + z) / 3;
    }
    CAPTURE(op);
    check_close(run_f32({op, {f32(s0, a), f32(s1, b), f32(s2, c)}, {{MIRT_DTYPE_FLOAT32, out}}}), expected);
  }
  check_close(run_f32({"Sum", {f32({4}, c)}, {{MIRT_DTYPE_FLOAT32, {4}}}}), {c[0], c[1], c[2], c[3]});
}

TEST_CASE("Where selects with three-way broadcasting for float and int64") {
  auto x = random_floats(6, -1, 1, 13);
  op_result r = run({"Where", {boolean({2, 1}, {1, 0}), f32({2, 3}, x), f32({}, {9.f})}, {{MIRT_DTYPE_FLOAT32, {2, 3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  check_close(r.outputs[0].values<float>(), {x[0], x[1], x[2], 9, 9, 9});
  r = run({"Where", {boolean({3}, {1, 0, 1}), i64({1}, {5}), i64({2, 1}, {-1, -2})}, {{MIRT_DTYPE_INT64, {2, 3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{5, -1, 5, 5, -2, 5});
}

TEST_CASE("float unary ops match their float64 definitions, also in place") {
  const double pi = 3.14159265358979323846;
  const std::map<std::string, std::function<double(double)>> refs = {
      {"Relu", [](double x) { return x > 0 ? x : 0; }},
      {"Sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"Tanh", [](double x) { return std::tanh(x); }},
      {"Erf", [](double x) { return std::erf(x); }},
      {"Gelu", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {"Exp", [](double x) { return std::exp(x); }},
      {"Neg", [](double x) { return -x; }},
      {"Abs", [](double x) { return std::fabs(x); }},
      {"Floor", [](double x) { return std::floor(x); }},
      {"Ceil", [](double x) { return std::ceil(x); }},
      {"Sign", [](double x) { return double((x > 0) - (x < 0)); }},
      {"Sin", [](double x) { return std::sin(x); }},
      {"Cos", [](double x) { return std::cos(x); }},
      {"Tan", [](double x) { return std::tan(x); }},
      {"Atan", [](double x) { return std::atan(x); }},
      {"Sinh", [](double x) { return std::sinh(x); }},
      {"Cosh", [](double x) { return std::cosh(x); }},
      {"Asinh", [](double x) { return std::asinh(x); }},
      {"Softplus", [](double x) { return std::log(1 + std::exp(x)); }},
      {"Softsign", [](double x) { return x / (1 + std::fabs(x)); }},
      {"LeakyRelu", [](double x) { return x < 0 ? 0.01 * x : x; }},
      {"Elu", [](double x) { return x < 0 ? std::exp(x) - 1 : x; }},
      {"Selu", [](double x) { return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (std::exp(x) - 1)); }},
      {"HardSigmoid", [](double x) { return std::clamp(0.2 * x + 0.5, 0.0, 1.0); }},
      {"HardSwish", [](double x) { return x * std::clamp(x / 6 + 0.5, 0.0, 1.0); }},
      {"Mish", [](double x) { return x * std::tanh(std::log(1 + std::exp(x))); }},
      {"Celu", [](double x) { return std::max(0.0, x) + std::min(0.0, std::exp(x) - 1); }},
      {"ThresholdedRelu", [](double x) { return x > 1 ? x : 0; }},
      {"Identity", [](double x) { return x; }},
      {"Round", [](double x) { return std::nearbyint(x); }},
  };
  auto x = random_floats(64, -4, 4, 14);
  x[0] = 0.5f;
  x[1] = 1.5f;
  x[2] = -2.5f;  // Round ties to even
  (void)pi;
  for (const auto& [op, f] : refs) {
    std::vector<double> expected;
    for (float v : x) expected.push_back(f(v));
    CAPTURE(op);
    op_call c{op, {f32({4, 16}, x)}, {{MIRT_DTYPE_FLOAT32, {4, 16}}}};
    check_close(run_f32(c), expected, 2e-5);
    c.in_place = true;
    check_close(run_f32(c), expected, 2e-5);
  }
}

TEST_CASE("domain-limited unary ops match on their domains") {
  const std::map<std::string, std::pair<std::function<double(double)>, std::pair<float, float>>> refs = {
      {"Log", {[](double x) { return std::log(x); }, {0.01f, 5}}},
      {"Sqrt", {[](double x) { return std::sqrt(x); }, {0, 5}}},
      {"Reciprocal", {[](double x) { return 1 / x; }, {0.5f, 5}}},
      {"Asin", {[](double x) { return std::asin(x); }, {-0.99f, 0.99f}}},
      {"Acos", {[](double x) { return std::acos(x); }, {-0.99f, 0.99f}}},
      {"Atanh", {[](double x) { return std::atanh(x); }, {-0.9f, 0.9f}}},
      {"Acosh", {[](double x) { return std::acosh(x); }, {1, 5}}},
  };
  for (const auto& [op, ref] : refs) {
    auto x = random_floats(32, ref.second.first, ref.second.second, 15);
    std::vector<double> expected;
    for (float v : x) expected.push_back(ref.first(v));
    CAPTURE(op);
    check_close(run_f32({op, {f32({32}, x)}, {{MIRT_DTYPE_FLOAT32, {32}}}}), expected, 2e-5);
  }
}

TEST_CASE("unary attributes: LeakyRelu alpha, Elu alpha, HardSigmoid alpha/beta, Gelu tanh, Celu alpha") {
  auto x = random_floats(16, -3, 3, 16);
  auto check = [&](const std::string& op, std::vector<attr> attrs, std::function<double(double)> f) {
    std::vector<double> expected;
    for (float v : x) expected.push_back(f(v));
    CAPTURE(op);
    check_close(run_f32({op, {f32({16}, x)}, {{MIRT_DTYPE_FLOAT32, {16}}}, attrs}), expected, 2e-5);
  };
  check("LeakyRelu", {attr_f("alpha", 0.3f)}, [](double v) { return v < 0 ? 0.3 * v : v; });
  check("Elu", {attr_f("alpha", 2.f)}, [](double v) { return v < 0 ? 2 * (std::exp(v) - 1) : v; });
  check("HardSigmoid", {attr_f("alpha", 0.5f), attr_f("beta", 0.25f)},
        [](double v) { return std::clamp(0.5 * v + 0.25, 0.0, 1.0); });
  check("Gelu", {attr_s("approximate", "tanh")}, [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / 3.14159265358979323846) * (v + 0.044715 * v * v * v)));
  });
  check("Celu", {attr_f("alpha", 2.f)}, [](double v) { return std::max(0.0, v) + std::min(0.0, 2 * (std::exp(v / 2) - 1)); });
  check("ThresholdedRelu", {attr_f("alpha", 0.5f)}, [](double v) { return v > 0.5 ? v : 0; });
}

TEST_CASE("Clip takes optional min and max inputs, for float and int64") {
  auto x = random_floats(10, -3, 3, 17);
  std::vector<double> lo_hi, lo_only;
  for (float v : x) {
    lo_hi.push_back(std::min(std::max(double(v), -1.0), 0.5));
    lo_only.push_back(std::max(double(v), -1.0));
  }
  check_close(run_f32({"Clip", {f32({10}, x), f32({}, {-1}), f32({}, {0.5f})}, {{MIRT_DTYPE_FLOAT32, {10}}}}), lo_hi);
  check_close(run_f32({"Clip", {f32({10}, x), f32({}, {-1}), omitted()}, {{MIRT_DTYPE_FLOAT32, {10}}}}), lo_only);
  op_result r = run({"Clip", {i64({4}, {-5, 0, 5, 10}), omitted(), i64({}, {6})}, {{MIRT_DTYPE_INT64, {4}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{-5, 0, 5, 6});
}

TEST_CASE("integer Relu, Abs, Neg and Sign work on int32") {
  auto one = [&](const std::string& op) {
    op_result r = run({op, {i32({4}, {-3, 0, 2, -1})}, {{MIRT_DTYPE_INT32, {4}}}});
    REQUIRE(r.code == MIRT_STATUS_OK);
    return r.outputs[0].values<int32_t>();
  };
  CHECK(one("Relu") == std::vector<int32_t>{0, 0, 2, 0});
  CHECK(one("Abs") == std::vector<int32_t>{3, 0, 2, 1});
  CHECK(one("Neg") == std::vector<int32_t>{3, 0, -2, 1});
  CHECK(one("Sign") == std::vector<int32_t>{-1, 0, 1, -1});
}

}  // TEST_SUITE
