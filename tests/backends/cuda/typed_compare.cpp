// tests/backends/cuda/typed_compare.cpp — conversions to and from float64, float16 and bfloat16
// (the CUDA headers' host conversions, round to nearest even) and the comparison.
#include "tests/backends/cuda/typed_compare.hpp"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace cuda_test {
namespace {

bool is_float(mirt_dtype d) {
  return d == MIRT_DTYPE_FLOAT32 || d == MIRT_DTYPE_FLOAT64 || d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16;
}

tensor_data convert(const tensor_data& t, mirt_dtype to) {
  const std::vector<float> v = t.values<float>();
  if (to == MIRT_DTYPE_FLOAT64) return tensor_data::of(to, t.shape, std::vector<double>(v.begin(), v.end()), t.constant);
  std::vector<uint16_t> bits(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    bits[i] = to == MIRT_DTYPE_FLOAT16 ? static_cast<__half_raw>(__float2half_rn(v[i])).x
                                       : static_cast<__nv_bfloat16_raw>(__float2bfloat16_rn(v[i])).x;
  return tensor_data::of(to, t.shape, bits, t.constant);
}

}  // namespace

std::vector<double> as_doubles(const tensor_data& t) {
  std::vector<double> out;
  if (t.dtype == MIRT_DTYPE_FLOAT64) return t.values<double>();
  if (t.dtype == MIRT_DTYPE_FLOAT32) {
    for (float f : t.values<float>()) out.push_back(f);
    return out;
  }
  for (uint16_t b : t.values<uint16_t>()) {
    if (t.dtype == MIRT_DTYPE_FLOAT16) {
      __half_raw raw;
      raw.x = b;
      out.push_back(__half2float(__half(raw)));
    } else {
      __nv_bfloat16_raw raw;
      raw.x = b;
      out.push_back(__bfloat162float(__nv_bfloat16(raw)));
    }
  }
  return out;
}

op_call as_dtype(const op_call& call, mirt_dtype dtype) {
  op_call c = call;
  if (dtype == MIRT_DTYPE_FLOAT32) return c;
  for (tensor_data& t : c.inputs)
    if (t.dtype == MIRT_DTYPE_FLOAT32) t = convert(t, dtype);
  for (out_spec& o : c.outputs)
    if (o.dtype == MIRT_DTYPE_FLOAT32) o.dtype = dtype;
  return c;
}

namespace {

// Runs cpu_call and gpu_call, REQUIREs success and CHECKs every float output of the cuda run within
// rel_tol of the cpu's (relative to max(1, |cpu|); NaN and infinities must match; the two may
// differ in float dtype), other outputs bit-exact.
void run_and_compare(const op_call& cpu_call, const op_call& gpu_call, double rel_tol) {
  const op_result cpu = run_cpu(cpu_call);
  {
    INFO("cpu backend, op ", cpu_call.op, ": ", cpu.message);
    REQUIRE(cpu.code == MIRT_STATUS_OK);
  }
  const op_result gpu = run_cuda(gpu_call);
  INFO("cuda backend, op ", gpu_call.op, " (tactic ", gpu.tactic, "): ", gpu.message);
  REQUIRE(gpu.code == MIRT_STATUS_OK);
  REQUIRE(gpu.outputs.size() == cpu.outputs.size());
  for (size_t o = 0; o < cpu.outputs.size(); ++o) {
    INFO("output ", o);
    if (!is_float(cpu.outputs[o].dtype)) {
      CHECK(cpu.outputs[o].bytes == gpu.outputs[o].bytes);
      continue;
    }
    const std::vector<double> cv = as_doubles(cpu.outputs[o]), gv = as_doubles(gpu.outputs[o]);
    REQUIRE(cv.size() == gv.size());
    double worst = 0;
    size_t worst_at = 0;
    bool special_mismatch = false;
    for (size_t i = 0; i < cv.size(); ++i) {
      if (!std::isfinite(cv[i]) || !std::isfinite(gv[i])) {
        special_mismatch = special_mismatch || !(cv[i] == gv[i] || (std::isnan(cv[i]) && std::isnan(gv[i])));
        continue;
      }
      const double err = std::fabs(gv[i] - cv[i]) / std::max(1.0, std::fabs(cv[i]));
      if (err > worst) worst = err, worst_at = i;
    }
    CHECK_FALSE(special_mismatch);
    INFO("worst relative error ", worst, " at index ", worst_at, ": cuda ", gv.empty() ? 0 : gv[worst_at], ", cpu ",
         cv.empty() ? 0 : cv[worst_at]);
    CHECK(worst <= rel_tol);
  }
}

}  // namespace

void compare_typed(const op_call& call, mirt_dtype dtype, double rel_tol) {
  const op_call c = as_dtype(call, dtype);
  CAPTURE(int(dtype));
  op_call cpu_call = c;
  cpu_call.tactic.clear();  // tactic names are the cuda backend's
  run_and_compare(cpu_call, c, rel_tol);
}

void compare_rounded_with_cpu(const op_call& call, mirt_dtype reduced, double rel_tol) {
  const op_call gpu_call = as_dtype(call, reduced);
  CAPTURE(int(reduced));
  op_call cpu_call = call;
  cpu_call.tactic.clear();
  for (size_t i = 0; i < call.inputs.size(); ++i) {
    if (call.inputs[i].dtype != MIRT_DTYPE_FLOAT32) continue;
    const std::vector<double> rounded = as_doubles(gpu_call.inputs[i]);
    cpu_call.inputs[i] =
        tensor_data::of(MIRT_DTYPE_FLOAT32, call.inputs[i].shape, std::vector<float>(rounded.begin(), rounded.end()), call.inputs[i].constant);
  }
  run_and_compare(cpu_call, gpu_call, rel_tol);
}

void compare_float_dtypes(const op_call& call) {
  compare_typed(call, MIRT_DTYPE_FLOAT32, 1e-4);
  compare_typed(call, MIRT_DTYPE_FLOAT64, 1e-9);
  compare_typed(call, MIRT_DTYPE_FLOAT16, 2e-3);
  compare_typed(call, MIRT_DTYPE_BFLOAT16, 1.6e-2);
}

}  // namespace cuda_test
