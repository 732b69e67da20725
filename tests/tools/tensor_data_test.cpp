// tests/tools/tensor_data_test.cpp — exec's deterministic input fill, dtype conversions and progress text.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "progress_bar.hpp"
#include "tensor_data.hpp"

using namespace mirt::cli;

TEST_CASE("fill_deterministic repeats for a seed and stays in range") {
  std::vector<float> a(1000), b(1000), c(1000);
  fill_deterministic(a.data(), MIRT_DTYPE_FLOAT32, a.size(), 7);
  fill_deterministic(b.data(), MIRT_DTYPE_FLOAT32, b.size(), 7);
  fill_deterministic(c.data(), MIRT_DTYPE_FLOAT32, c.size(), 8);
  CHECK(a == b);
  CHECK(a != c);
  float lo = 1, hi = -1;
  for (float v : a) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  CHECK(lo >= -1.0f);
  CHECK(hi <= 1.0f);
  CHECK(lo < -0.9f);
  CHECK(hi > 0.9f);

  std::vector<int64_t> ints(200);
  fill_deterministic(ints.data(), MIRT_DTYPE_INT64, ints.size(), 1);
  for (int64_t v : ints) CHECK((v >= 0 && v <= 3));
  std::vector<uint8_t> bools(200);
  fill_deterministic(bools.data(), MIRT_DTYPE_BOOL, bools.size(), 1);
  for (uint8_t v : bools) CHECK(v <= 1);
}

TEST_CASE("half and bfloat16 conversions round to nearest even") {
  CHECK(float_to_half(1.0f) == 0x3C00);
  CHECK(float_to_half(-2.0f) == 0xC000);
  CHECK(float_to_half(65504.0f) == 0x7BFF);
  CHECK(float_to_half(1e6f) == 0x7C00);
  CHECK(float_to_half(5.960464477539063e-8f) == 0x0001);
  CHECK(float_to_half(1.0f + 1.0f / 2048) == 0x3C00);  // a tie rounds to the even mantissa
  CHECK(half_to_float(0x3555) == doctest::Approx(0.33325195f));
  CHECK(half_to_float(0x0001) == doctest::Approx(5.960464477539063e-8f));
  CHECK(half_to_float(float_to_half(0.1f)) == doctest::Approx(0.1f).epsilon(1e-3));
  CHECK(float_to_bfloat16(1.0f) == 0x3F80);
  CHECK(bfloat16_to_float(0x4049) == doctest::Approx(3.140625f));
}

TEST_CASE("values_to_json widens each dtype") {
  const std::vector<uint16_t> half = {0x3C00, 0xC000};
  const auto j = values_to_json(half.data(), MIRT_DTYPE_FLOAT16, half.size());
  CHECK(j.dump() == "[1.0,-2.0]");
  const std::vector<uint8_t> bools = {0, 1};
  CHECK(values_to_json(bools.data(), MIRT_DTYPE_BOOL, 2).dump() == "[false,true]");
  CHECK(element_count({2, 3, 4}) == 24);
  CHECK(element_count({}) == 1);
  CHECK_THROWS_AS(element_count({-1, 3}), std::invalid_argument);
}

TEST_CASE("progress_bar renders phase and counts") {
  CHECK(progress_bar::render("select_kernels", 5, 10, 10) == "[#####     ] 50% select_kernels 5/10");
  CHECK(progress_bar::render("fold", 3, 0, 4) == "[....] fold 3");
}
