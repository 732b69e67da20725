// tests/backends/cuda/test_ops_decode_ml.cpp — CausalConvWithState, TensorScatter, Det, Binarizer,
// ArrayFeatureExtractor, BitCast, the two losses and NonMaxSuppression on the cuda backend against
// the cpu backend: float32 within 1e-4, float64 1e-9, float16 2e-3, bfloat16 1.6e-2 (relative to
// max(1, |cpu|)); data movement and integer outputs bit-exact. Each case skips itself without a GPU.
#include <doctest/doctest.h>

#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F64 = MIRT_DTYPE_FLOAT64, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16,
                     I32 = MIRT_DTYPE_INT32, I64 = MIRT_DTYPE_INT64;
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("CausalConvWithState (bias, past state, silu, the next state) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = rand_f32({2, 3, 7}, 1, -2, 2), w = rand_f32({3, 1, 4}, 2), b = rand_f32({3}, 3), past = rand_f32({2, 3, 3}, 4);
  for (const char* act : {"none", "silu"}) {
    CAPTURE(act);
    compare_float_dtypes({"CausalConvWithState", {x, w, b, past}, {{F32, {2, 3, 7}}, {F32, {2, 3, 3}}}, {attr_s("activation", act)}});
    compare_float_dtypes({"CausalConvWithState", {x, w}, {{F32, {2, 3, 7}}, {F32, {2, 3, 3}}}, {attr_s("activation", act)}});
    compare_float_dtypes({"CausalConvWithState", {rand_f32({1, 2, 2}, 5), rand_f32({2, 1, 5}, 6), omitted(), rand_f32({1, 2, 4}, 7)},
                        {{F32, {1, 2, 2}}, {F32, {1, 2, 4}}}, {attr_s("activation", act)}});
  }
}

TEST_CASE("TensorScatter (linear and circular, default write indices, any dtype) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data cache = rand_f32({2, 3, 8, 4}, 10), update = rand_f32({2, 3, 3, 4}, 11);
  compare_typed({"TensorScatter", {cache, update, i64({2}, {1, 5})}, {{F32, {2, 3, 8, 4}}}}, F32, 0);
  compare_typed({"TensorScatter", {cache, update, i32({2}, {6, 2})}, {{F32, {2, 3, 8, 4}}}, {attr_s("mode", "circular")}}, F32, 0);
  compare_typed({"TensorScatter", {cache, update}, {{F32, {2, 3, 8, 4}}}}, F16, 0);
  compare_typed({"TensorScatter", {rand_f32({2, 8, 3}, 12), rand_f32({2, 2, 3}, 13), i64({2}, {7, 0})}, {{F32, {2, 8, 3}}},
                 {attr_i("axis", 1), attr_s("mode", "circular")}},
                F64, 0);
  std::vector<int64_t> big(2 * 5 * 2), small(2 * 1 * 2);
  for (size_t i = 0; i < big.size(); ++i) big[i] = int64_t(i) * 77 - 5;
  for (size_t i = 0; i < small.size(); ++i) small[i] = -int64_t(i) - 1000;
  compare_typed({"TensorScatter", {i64({2, 5, 2}, big), i64({2, 1, 2}, small), i64({2}, {4, 0})}, {{I64, {2, 5, 2}}}, {attr_i("axis", 1)}},
                F32, 0);
}

TEST_CASE("Det (batches of 1x1 to 5x5, a singular matrix) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_float_dtypes({"Det", {rand_f32({3, 4, 4}, 20)}, {{F32, {3}}}});
  compare_float_dtypes({"Det", {rand_f32({2, 2}, 21)}, {{F32, {}}}});
  compare_float_dtypes({"Det", {rand_f32({2, 1, 1}, 22)}, {{F32, {2}}}});
  compare_float_dtypes({"Det", {rand_f32({2, 3, 5, 5}, 23)}, {{F32, {2, 3}}}});
  compare_float_dtypes({"Det", {f32({2, 3, 3}, {1, 2, 3, 2, 4, 6, 0, 1, 5, 0, 0, 1, 0, 1, 0, 1, 0, 0})}, {{F32, {2}}}});
}

TEST_CASE("Binarizer, ArrayFeatureExtractor and BitCast match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = rand_f32({3, 70}, 30, -2, 2);
  compare_typed({"Binarizer", {x}, {{F32, {3, 70}}}}, F32, 0);
  compare_typed({"Binarizer", {x}, {{F32, {3, 70}}}, {attr_f("threshold", 0.7f)}}, F64, 0);
  compare_typed({"Binarizer", {i64({6}, {-3, 0, 1, 2, 5, -1})}, {{I64, {6}}}, {attr_f("threshold", 1.f)}}, F32, 0);
  compare_typed({"Binarizer", {i32({6}, {-3, 0, 1, 2, 5, -1})}, {{I32, {6}}}}, F32, 0);
  const tensor_data t = rand_f32({3, 4, 5}, 31);
  compare_typed({"ArrayFeatureExtractor", {t, i64({3}, {4, 0, 2})}, {{F32, {3, 4, 3}}}}, F32, 0);
  compare_typed({"ArrayFeatureExtractor", {t, i32({2}, {1, 1})}, {{F32, {3, 4, 2}}}}, F16, 0);
  compare_typed({"ArrayFeatureExtractor", {i64({6}, {10, 11, 12, 13, 14, 15}), i64({2}, {5, 0})}, {{I64, {2}}}}, F32, 0);
  compare_typed({"BitCast", {x}, {{I32, {3, 70}}}, {attr_i("to", 6)}}, F32, 0);
  compare_typed({"BitCast", {i64({4}, {1, -1, 1LL << 52, 7})}, {{F64, {4}}}, {attr_i("to", 11)}}, F32, 0);
}

TEST_CASE("NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (reductions, weights, ignore_index, log_prob) match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = rand_f32({2, 5, 3, 4}, 40, -3, 1), weight = rand_f32({5}, 41, 0.2f, 2);
  std::vector<int64_t> labels(24);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = int64_t(i * 7 % 5);
  const tensor_data target = i64({2, 3, 4}, labels);
  for (const char* op : {"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"})
    for (const char* reduction : {"none", "sum", "mean"}) {
      CAPTURE(op);
      CAPTURE(reduction);
      const shape_t out = std::string(reduction) == "none" ? shape_t{2, 3, 4} : shape_t{};
      std::vector<out_spec> outs = {{F32, out}};
      if (std::string(op) == "SoftmaxCrossEntropyLoss") outs.push_back({F32, {2, 5, 3, 4}});
      compare_float_dtypes({op, {x, target}, outs, {attr_s("reduction", reduction)}});
      compare_float_dtypes({op, {x, target, weight}, outs, {attr_s("reduction", reduction), attr_i("ignore_index", 3)}});
      std::vector<out_spec> outs2 = {{F32, std::string(reduction) == "none" ? shape_t{3} : shape_t{}}};
      compare_float_dtypes({op, {rand_f32({3, 5}, 42, -3, 0), i32({3}, {0, 4, 2}), weight}, outs2, {attr_s("reduction", reduction)}});
    }
}

TEST_CASE("NonMaxSuppression (corner and center boxes, thresholds, batches and classes, ties, max_output_boxes) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const std::vector<float> corner = {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, -0.1f, 1, 0.9f, 0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100, 1, 101};
  const std::vector<float> center = {0.5f, 0.5f, 1, 1, 0.5f, 0.6f, 1, 1, 0.5f, 0.4f, 1, 1, 0.5f, 10.5f, 1, 1, 0.5f, 10.6f, 1, 1, 0.5f, 100.5f, 1, 1};
  const tensor_data scores = f32({1, 1, 6}, {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f});
  const tensor_data three = i64({1}, {3}), iou = f32({1}, {0.5f}), zero = f32({1}, {0.f});
  for (mirt_dtype dt : {F32, F16, F64}) {
    CAPTURE(int(dt));
    compare_typed({"NonMaxSuppression", {f32({1, 6, 4}, corner), scores, three, iou, zero}, {{I64, {3, 3}}}}, dt, 0);
    compare_typed({"NonMaxSuppression", {f32({1, 6, 4}, center), scores, three, iou, zero}, {{I64, {3, 3}}}, {attr_i("center_point_box", 1)}},
                  dt, 0);
    compare_typed({"NonMaxSuppression", {f32({1, 6, 4}, corner), scores, three, iou, f32({1}, {0.4f})}, {{I64, {2, 3}}}}, dt, 0);
  }
  std::vector<float> boxes2(corner), scores2;
  boxes2.insert(boxes2.end(), corner.begin(), corner.end());
  for (int k = 0; k < 4; ++k) scores2.insert(scores2.end(), {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f});
  compare_typed({"NonMaxSuppression", {f32({2, 6, 4}, boxes2), f32({2, 2, 6}, scores2), i64({1}, {2}), iou}, {{I64, {8, 3}}}}, F32, 0);
  compare_typed({"NonMaxSuppression", {f32({1, 6, 4}, corner), scores}, {{I64, {0, 3}}}}, F32, 0);  // no max_output_boxes: none
  std::vector<float> apart;
  for (int i = 0; i < 5; ++i) apart.insert(apart.end(), {0, float(10 * i), 1, float(10 * i + 1)});
  compare_typed({"NonMaxSuppression", {f32({1, 5, 4}, apart), f32({1, 1, 5}, {0.5f, 0.5f, 0.5f, 0.5f, 0.5f}), three}, {{I64, {3, 3}}}}, F32, 0);
  // 300 random boxes in a 100 x 100 field: far more than 10 survive, so exactly 10 are kept.
  std::vector<float> many = rand_f32({300, 4}, 90, 0, 100).values<float>();
  for (size_t i = 0; i < many.size(); i += 4) many[i + 2] = many[i] + 5, many[i + 3] = many[i + 1] + 5;
  compare_typed({"NonMaxSuppression", {f32({1, 300, 4}, many), rand_f32({1, 1, 300}, 91, 0, 1), i64({1}, {10}), f32({1}, {0.3f})},
                 {{I64, {10, 3}}}},
                F32, 0);
}

}  // TEST_SUITE

