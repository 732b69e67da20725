// tests/backends/cpu/test_data_movement.cpp — shape and data-movement ops against index-math references.
#include <doctest/doctest.h>

#include <numeric>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

std::vector<float> iota_f(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0.f);
  return v;
}

std::vector<double> as_double(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("Reshape, Flatten, Squeeze, Unsqueeze and Identity keep the bytes, also in place") {
  const auto x = iota_f(24);
  for (const std::string op : {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"}) {
    op_call c{op, {f32({2, 3, 4}, x)}, {{MIRT_DTYPE_FLOAT32, {6, 4}}}};
    if (op == "Reshape") c.inputs.push_back(i64({2}, {6, 4}, true));
    CAPTURE(op);
    check_close(run_f32(c), as_double(x));
    c.in_place = true;
    check_close(run_f32(c), as_double(x));
  }
  op_result r = run({"Reshape", {i64({3}, {1, 2, 3}), i64({1}, {-1})}, {{MIRT_DTYPE_INT64, {3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{1, 2, 3});
}

TEST_CASE("Transpose follows perm, and reverses dims without one") {
  const shape_t s = {2, 3, 4, 5};
  const auto x = iota_f(numel(s));
  for (const std::vector<int64_t>& perm : {std::vector<int64_t>{0, 2, 3, 1}, {3, 1, 0, 2}, {1, 0, 2, 3}, {}}) {
    std::vector<int64_t> p = perm.empty() ? std::vector<int64_t>{3, 2, 1, 0} : perm;
    shape_t out;
    for (int64_t d : p) out.push_back(s[size_t(d)]);
    std::vector<double> expected(size_t(numel(s)));
    const auto st = strides_of(s);
    for (int64_t i = 0; i < numel(out); ++i) {
      const auto idx = unravel(i, out);
      int64_t src = 0;
      for (size_t d = 0; d < 4; ++d) src += idx[d] * st[size_t(p[d])];
      expected[size_t(i)] = x[size_t(src)];
    }
    op_call c{"Transpose", {f32(s, x)}, {{MIRT_DTYPE_FLOAT32, out}}};
    if (!perm.empty()) c.attrs.push_back(attr_ints("perm", perm));
    check_close(run_f32(c), expected);
  }
}

TEST_CASE("Concat joins along positive and negative axes, with an empty input") {
  const auto a = iota_f(6), b = iota_f(4);
  // axis 1: [2,3] + [2,2] -> [2,5]
  check_close(run_f32({"Concat", {f32({2, 3}, a), f32({2, 2}, b), f32({2, 0}, {})}, {{MIRT_DTYPE_FLOAT32, {2, 5}}}, {attr_i("axis", -1)}}),
              {0, 1, 2, 0, 1, 3, 4, 5, 2, 3});
  op_result r = run({"Concat", {i64({1, 2}, {1, 2}), i64({2, 2}, {3, 4, 5, 6})}, {{MIRT_DTYPE_INT64, {3, 2}}}, {attr_i("axis", 0)}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("Split uses the output extents, from a split input or equal pieces") {
  const auto x = iota_f(12);  // [2, 6]
  op_result r = run({"Split", {f32({2, 6}, x), i64({3}, {1, 2, 3})},
                     {{MIRT_DTYPE_FLOAT32, {2, 1}}, {MIRT_DTYPE_FLOAT32, {2, 2}}, {MIRT_DTYPE_FLOAT32, {2, 3}}},
                     {attr_i("axis", -1)}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<float>() == std::vector<float>{0, 6});
  CHECK(r.outputs[1].values<float>() == std::vector<float>{1, 2, 7, 8});
  CHECK(r.outputs[2].values<float>() == std::vector<float>{3, 4, 5, 9, 10, 11});
  r = run({"Split", {f32({2, 6}, x)}, {{MIRT_DTYPE_FLOAT32, {1, 6}}, {MIRT_DTYPE_FLOAT32, {1, 6}}}, {attr_i("num_outputs", 2)}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[1].values<float>() == std::vector<float>{6, 7, 8, 9, 10, 11});
}

TEST_CASE("Slice handles axes, negative indices, negative steps and clamping") {
  const shape_t s = {4, 5};
  const auto x = iota_f(20);
  struct slice_case {
    std::vector<int64_t> starts, ends, axes, steps;
    shape_t out;
    std::vector<float> expected;
  };
  const std::vector<slice_case> cases = {
      {{1, 0}, {3, 5}, {}, {}, {2, 5}, {5, 6, 7, 8, 9, 10, 11, 12, 13, 14}},
      {{-2}, {100}, {1}, {}, {4, 2}, {3, 4, 8, 9, 13, 14, 18, 19}},
      {{-1}, {-100}, {0}, {-1}, {4, 5}, {15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4}},
      {{10, 0}, {0, 5}, {0, 1}, {-2, 3}, {2, 2}, {15, 18, 5, 8}},
      {{1}, {1}, {1}, {}, {4, 0}, {}},
  };
  for (const auto& c : cases) {
    op_call call{"Slice", {f32(s, x), i64({int64_t(c.starts.size())}, c.starts), i64({int64_t(c.ends.size())}, c.ends)},
                 {{MIRT_DTYPE_FLOAT32, c.out}}};
    if (!c.axes.empty()) call.inputs.push_back(i64({int64_t(c.axes.size())}, c.axes));
    else if (!c.steps.empty()) call.inputs.push_back(omitted());
    if (!c.steps.empty()) call.inputs.push_back(i64({int64_t(c.steps.size())}, c.steps));
    CHECK(run_f32(call) == c.expected);
  }
  // int32 starts/ends.
  CHECK(run_f32({"Slice", {f32({5}, iota_f(5)), i32({1}, {1}), i32({1}, {4}), i32({1}, {0}), i32({1}, {2})},
                 {{MIRT_DTYPE_FLOAT32, {2}}}}) == std::vector<float>{1, 3});
}

TEST_CASE("Gather takes int32 and int64 indices, negative ones, along any axis") {
  const shape_t s = {3, 4};
  const auto x = iota_f(12);
  CHECK(run_f32({"Gather", {f32(s, x), i64({2}, {2, -3})}, {{MIRT_DTYPE_FLOAT32, {2, 4}}}}) ==
        std::vector<float>{8, 9, 10, 11, 0, 1, 2, 3});
  CHECK(run_f32({"Gather", {f32(s, x), i32({2, 2}, {3, 0, -1, 1})}, {{MIRT_DTYPE_FLOAT32, {3, 2, 2}}}, {attr_i("axis", -1)}}) ==
        std::vector<float>{3, 0, 3, 1, 7, 4, 7, 5, 11, 8, 11, 9});
  CHECK(run_f32({"Gather", {f32(s, x), i64({}, {1})}, {{MIRT_DTYPE_FLOAT32, {4}}}}) == std::vector<float>{4, 5, 6, 7});
  const op_result r = run({"Gather", {f32(s, x), i64({1}, {3})}, {{MIRT_DTYPE_FLOAT32, {1, 4}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("out of range") != std::string::npos);
}

TEST_CASE("Expand and Tile broadcast and repeat any dtype") {
  const auto x = iota_f(3);
  CHECK(run_f32({"Expand", {f32({3, 1}, x), i64({3}, {2, 1, 2})}, {{MIRT_DTYPE_FLOAT32, {2, 3, 2}}}}) ==
        std::vector<float>{0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2});
  CHECK(run_f32({"Tile", {f32({1, 3}, x), i64({2}, {2, 2})}, {{MIRT_DTYPE_FLOAT32, {2, 6}}}}) ==
        std::vector<float>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2});
  op_result r = run({"Tile", {i64({2, 1}, {7, 8}), i64({2}, {2, 3})}, {{MIRT_DTYPE_INT64, {4, 3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{7, 7, 7, 8, 8, 8, 7, 7, 7, 8, 8, 8});
}

TEST_CASE("Shape honours start and end, Size counts elements") {
  op_result r = run({"Shape", {f32({2, 3, 4, 5}, iota_f(120))}, {{MIRT_DTYPE_INT64, {4}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{2, 3, 4, 5});
  r = run({"Shape", {f32({2, 3, 4, 5}, iota_f(120))}, {{MIRT_DTYPE_INT64, {2}}}, {attr_i("start", -3), attr_i("end", -1)}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{3, 4});
  r = run({"Size", {f32({2, 3}, iota_f(6))}, {{MIRT_DTYPE_INT64, {}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{6});
}

TEST_CASE("ConstantOfShape fills with the value attribute or float zero") {
  CHECK(run_f32({"ConstantOfShape", {i64({2}, {2, 2})}, {{MIRT_DTYPE_FLOAT32, {2, 2}}}}) == std::vector<float>{0, 0, 0, 0});
  CHECK(run_f32({"ConstantOfShape", {i64({1}, {3})}, {{MIRT_DTYPE_FLOAT32, {3}}}, {attr_f("value", 1.5f)}}) ==
        std::vector<float>{1.5f, 1.5f, 1.5f});
  op_result r = run({"ConstantOfShape", {i64({1}, {2})}, {{MIRT_DTYPE_INT64, {2}}}, {attr_i("value", 1ll << 40)}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{1ll << 40, 1ll << 40});
}

TEST_CASE("Range counts from start by delta for float and int64, also downwards") {
  check_close(run_f32({"Range", {f32({}, {1}), f32({}, {2.2f}), f32({}, {0.3f})}, {{MIRT_DTYPE_FLOAT32, {4}}}}), {1, 1.3, 1.6, 1.9});
  op_result r = run({"Range", {i64({}, {10}), i64({}, {4}), i64({}, {-3})}, {{MIRT_DTYPE_INT64, {2}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{10, 7});
}

}  // TEST_SUITE

TEST_SUITE("cpu") {

TEST_CASE("Pad in constant, reflect, edge and wrap modes, with axes and negative pads") {
  const auto x = iota_f(6);  // [2, 3]: 0 1 2 / 3 4 5
  auto pad = [&](const std::string& mode, std::vector<int64_t> pads, shape_t out, std::vector<tensor_data> extra = {}) {
    op_call c{"Pad", {f32({2, 3}, x), i64({int64_t(pads.size())}, pads)}, {{MIRT_DTYPE_FLOAT32, out}}, {attr_s("mode", mode)}};
    for (auto& e : extra) c.inputs.push_back(e);
    return run_f32(c);
  };
  CHECK(pad("constant", {0, 1, 1, 0}, {3, 4}, {f32({}, {9})}) == std::vector<float>{9, 0, 1, 2, 9, 3, 4, 5, 9, 9, 9, 9});
  CHECK(pad("reflect", {0, 2, 0, 2}, {2, 7}) == std::vector<float>{2, 1, 0, 1, 2, 1, 0, 5, 4, 3, 4, 5, 4, 3});
  CHECK(pad("edge", {1, 1, 0, 0}, {3, 4}) == std::vector<float>{0, 0, 1, 2, 0, 0, 1, 2, 3, 3, 4, 5});
  CHECK(pad("wrap", {0, 1, 0, 2}, {2, 6}) == std::vector<float>{2, 0, 1, 2, 0, 1, 5, 3, 4, 5, 3, 4});
  CHECK(pad("constant", {0, -1, 0, 0}, {2, 2}) == std::vector<float>{1, 2, 4, 5});
  CHECK(pad("constant", {1, 1}, {2, 5}, {omitted(), i64({1}, {-1})}) == std::vector<float>{0, 0, 1, 2, 0, 0, 3, 4, 5, 0});
}

TEST_CASE("GatherElements picks along the axis with negative indices") {
  const auto x = iota_f(6);  // [2, 3]
  CHECK(run_f32({"GatherElements", {f32({2, 3}, x), i64({2, 2}, {2, 0, -1, 1})}, {{MIRT_DTYPE_FLOAT32, {2, 2}}}, {attr_i("axis", 1)}}) ==
        std::vector<float>{2, 0, 5, 4});
  CHECK(run_f32({"GatherElements", {f32({2, 3}, x), i32({1, 3}, {1, 0, 1})}, {{MIRT_DTYPE_FLOAT32, {1, 3}}}}) ==
        std::vector<float>{3, 1, 5});
}

TEST_CASE("Dropout at inference passes data through and reports an all-true mask") {
  const op_result r = run({"Dropout", {f32({3}, {1, 2, 3})}, {{MIRT_DTYPE_FLOAT32, {3}}, {MIRT_DTYPE_BOOL, {3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<float>() == std::vector<float>{1, 2, 3});
  CHECK(r.outputs[1].values<uint8_t>() == std::vector<uint8_t>{1, 1, 1});
}

TEST_CASE("Range of float16 and bfloat16 computes start + i * delta in float32 and rounds once") {
  // float16: 1, 1.25, ... below 2.2 (0x4066); every value is exact in float16.
  op_result r = run({"Range", {tensor_data::of<uint16_t>(MIRT_DTYPE_FLOAT16, {}, {0x3C00}), tensor_data::of<uint16_t>(MIRT_DTYPE_FLOAT16, {}, {0x4066}),
                               tensor_data::of<uint16_t>(MIRT_DTYPE_FLOAT16, {}, {0x3400})},
                     {{MIRT_DTYPE_FLOAT16, {5}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<uint16_t>() == std::vector<uint16_t>{0x3C00, 0x3D00, 0x3E00, 0x3F00, 0x4000});
  // bfloat16, downwards: 2, 1.5, 1 above 0.9 (0x3F66) by -0.5.
  r = run({"Range", {tensor_data::of<uint16_t>(MIRT_DTYPE_BFLOAT16, {}, {0x4000}), tensor_data::of<uint16_t>(MIRT_DTYPE_BFLOAT16, {}, {0x3F66}),
                     tensor_data::of<uint16_t>(MIRT_DTYPE_BFLOAT16, {}, {0xBF00})},
           {{MIRT_DTYPE_BFLOAT16, {3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<uint16_t>() == std::vector<uint16_t>{0x4000, 0x3FC0, 0x3F80});
}

TEST_CASE("ReverseSequence reverses each batch entry's first steps, batch-major or time-major, and checks lengths") {
  // batch_axis 0, time_axis 1: x [3 batch, 3 steps, 2]; lengths 3, 0, 2.
  std::vector<float> x(18);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  op_call call{"ReverseSequence", {f32({3, 3, 2}, x), i32({3}, {3, 0, 2})}, {{MIRT_DTYPE_FLOAT32, {3, 3, 2}}},
               {attr_i("batch_axis", 0), attr_i("time_axis", 1)}};
  check_close(run_f32(call), {4, 5, 2, 3, 0, 1, 6, 7, 8, 9, 10, 11, 14, 15, 12, 13, 16, 17});
  // Defaults (time_axis 0, batch_axis 1): x [3 steps, 2 batch]; lengths 1, 3.
  op_result r = run({"ReverseSequence", {i64({3, 2}, {0, 1, 2, 3, 4, 5}), i64({2}, {1, 3})}, {{MIRT_DTYPE_INT64, {3, 2}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<int64_t>() == std::vector<int64_t>{0, 5, 2, 3, 4, 1});
  r = run({"ReverseSequence", {i64({3, 2}, {0, 1, 2, 3, 4, 5}), i64({2}, {1, 4})}, {{MIRT_DTYPE_INT64, {3, 2}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("sequence_lens[1] is 4") != std::string::npos);
}

}  // TEST_SUITE
