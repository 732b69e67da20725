// tests/backends/cpu/image_decode_support.hpp — running the cpu backend's ImageDecoder on encoded
// bytes, shared by the tests of each image format.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/backends/cpu/harness.hpp"

namespace cpu_test {

using bytes_t = std::vector<uint8_t>;

// ImageDecoder (layer "camera/decode") on `data`, its uint8 output declared as out_shape.
inline op_result decode(const bytes_t& data, const shape_t& out_shape, const std::string& format = "RGB") {
  return run({"ImageDecoder", {tensor_data::of(MIRT_DTYPE_UINT8, {int64_t(data.size())}, data)}, {{MIRT_DTYPE_UINT8, out_shape}},
              {attr_s("pixel_format", format)}, "camera/decode"});
}

// The decoded pixels; REQUIREs success at out_shape.
inline bytes_t decoded(const bytes_t& data, const shape_t& out_shape, const std::string& format = "RGB") {
  const op_result r = decode(data, out_shape, format);
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  REQUIRE(r.outputs.at(0).shape == out_shape);
  return r.outputs.at(0).values<uint8_t>();
}

}  // namespace cpu_test
