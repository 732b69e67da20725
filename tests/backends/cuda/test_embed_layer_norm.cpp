// tests/backends/cuda/test_embed_layer_norm.cpp — mirt::EmbedLayerNormalization on the cuda backend
// against the cpu backend: float32 tight (1e-5: both accumulate the row's statistics, cpu in
// double, cuda in float32), float16 and bfloat16 on the same rounded inputs within 4e-3 and 2e-2
// (as SkipLayerNormalization: (row + addend - mean) / std carries the inputs' rounding, then one
// rounding of the output). int32 and int64 indices, negative ones, an Addend of [1, S, H], of
// [S, H] and none; an out-of-range index reads a row of zeros, or fails with
// MIRT_CUDA_CHECK_INDICES=1; rows the warp kernel does not take are refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16;
constexpr int64_t V = 50;  // table rows

// Indices [b, s] in [-V, V), both signs, reproducible per seed.
std::vector<int64_t> ids(int64_t b, int64_t s, uint32_t seed) {
  std::vector<int64_t> v(size_t(b * s));
  for (size_t i = 0; i < v.size(); ++i) v[i] = int64_t((i * 7919 + seed * 104729) % (2 * V)) - V;
  return v;
}

tensor_data indices(bool int64, int64_t b, int64_t s, const std::vector<int64_t>& v) {
  if (int64) return i64({b, s}, v);
  return i32({b, s}, std::vector<int32_t>(v.begin(), v.end()));
}

// EmbedLayerNormalization over ids [b, s] of a [V, h] table; addend_shape empty: no Addend.
op_call embed_call(bool int64, int64_t b, int64_t s, int64_t h, const shape_t& addend_shape, bool with_bias, uint32_t seed) {
  op_call call{"EmbedLayerNormalization",
               {indices(int64, b, s, ids(b, s, seed)), rand_f32({V, h}, seed + 1, -2, 2, true),
                addend_shape.empty() ? omitted() : rand_f32(addend_shape, seed + 2, -1, 1, true), rand_f32({h}, seed + 3, -1, 1, true),
                with_bias ? rand_f32({h}, seed + 4, -1, 1, true) : omitted()},
               {{F32, {b, s, h}}},
               {attr_f("epsilon", 1e-12f)}};
  if (!with_bias) call.inputs.pop_back();
  return call;
}

}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("EmbedLayerNormalization matches the cpu backend in float32, float16 and bfloat16") {
  CUDA_TEST_REQUIRE_GPU();
  struct shape_case {
    bool int64;
    int64_t b, s, h;
    shape_t addend;
    bool bias;
  };
  const shape_case cases[] = {
      {true, 3, 7, 768, {1, 7, 768}, true},   // BERT's: position and token type rows summed, [1, S, H]
      {false, 2, 9, 768, {9, 768}, true},     // int32 indices, an Addend of [S, H]
      {true, 2, 5, 1024, {1024}, false},      // the widest row, one addend row, no B
      {false, 4, 3, 40, {}, true},            // a row narrower than a warp's vectors, no Addend
      {true, 1, 128, 256, {128, 256}, true},  // batch 1
  };
  for (const shape_case& c : cases) {
    CAPTURE(c.h);
    CAPTURE(c.int64);
    const op_call call = embed_call(c.int64, c.b, c.s, c.h, c.addend, c.bias, uint32_t(c.h + c.s));
    compare_with_cpu(call, 1e-5);
    compare_rounded_with_cpu(call, F16, 4e-3);
    compare_rounded_with_cpu(call, BF16, 2e-2);
  }
  // BERT-base at batch 32 in float16: 4096 rows, more than one wave of warps.
  compare_rounded_with_cpu(embed_call(true, 32, 128, 768, {1, 128, 768}, true, 7), F16, 4e-3);
}

TEST_CASE("EmbedLayerNormalization reads an out-of-range index as a row of zeros, or fails naming it with MIRT_CUDA_CHECK_INDICES=1") {
  CUDA_TEST_REQUIRE_GPU();
  const int64_t b = 2, s = 4, h = 64;
  std::vector<int64_t> v = ids(b, s, 3);
  for (int64_t& k : v) k = k < 0 ? k + V : k;  // the padded table below would shift negative ones
  v[5] = V;  // one past the last row
  op_call call = embed_call(true, b, s, h, {s, h}, true, 11);
  call.inputs[0] = i64({b, s}, v);
  // The cpu reference: the same table with a row of zeros appended, which index V then reads.
  op_call padded = call;
  std::vector<float> table = call.inputs[1].values<float>();
  table.resize(size_t((V + 1) * h), 0.f);
  padded.inputs[1] = f32({V + 1, h}, table, true);
  const op_result cpu = run_cpu(padded), gpu = run_cuda(call);
  REQUIRE(cpu.code == MIRT_STATUS_OK);
  INFO("cuda: ", gpu.message);
  REQUIRE(gpu.code == MIRT_STATUS_OK);
  const std::vector<float> expected = cpu.outputs[0].values<float>(), got = gpu.outputs[0].values<float>();
  REQUIRE(got.size() == expected.size());
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::abs(double(got[i]) - expected[i]) / std::max(1.0, std::abs(double(expected[i]))));
  CHECK(worst < 1e-5);  // as compare_with_cpu's float32 tolerance
  // The cpu backend itself fails on it.
  const op_result cpu_bad = run_cpu(call);
  CHECK(cpu_bad.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(cpu_bad.message.find("index 50 at position 5 is out of range") != std::string::npos);

  setenv("MIRT_CUDA_CHECK_INDICES", "1", 1);
  const op_result checked = run_cuda(call);
  unsetenv("MIRT_CUDA_CHECK_INDICES");
  CHECK(checked.code == MIRT_STATUS_INVALID_ARGUMENT);
  INFO(checked.message);
  CHECK(checked.message.find("index 50 at position 5 is out of range for axis 0 of extent 50") != std::string::npos);
}

TEST_CASE("EmbedLayerNormalization refuses rows the warp kernel does not take, so the builder keeps the layers") {
  CUDA_TEST_REQUIRE_GPU();
  for (const int64_t h : {36, 1032}) {  // not a multiple of 8; more than 1024
    CAPTURE(h);
    const op_result refused = run_cuda(embed_call(true, 2, 3, h, {3, h}, true, 5));
    CHECK(refused.code != MIRT_STATUS_OK);
  }
}

}  // TEST_SUITE
