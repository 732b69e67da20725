// tools/mirt/tensor_data.hpp — host buffers for exec: deterministic fill, file load, JSON export.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mirt/base.h"

namespace mirt::cli {

// product(dims); 1 for a scalar. Throws std::invalid_argument for a negative (unresolved) dim.
uint64_t element_count(const std::vector<int64_t>& dims);

// Fills count elements of dtype at data with values from a fixed-seed generator: floats uniform in
// [-1, 1], integers 0..3, bools 0/1. The same seed gives the same bytes on every machine.
void fill_deterministic(void* data, mirt_dtype dtype, uint64_t count, uint64_t seed);

// Reads exactly size bytes of path into data. Throws std::runtime_error naming the path and both
// sizes when the file is shorter or longer.
void load_binary_file(const std::string& path, void* data, uint64_t size);

// The count elements of dtype at data as a JSON array of numbers (half types widened to float).
nlohmann::json values_to_json(const void* data, mirt_dtype dtype, uint64_t count);

// The count elements of dtype at data widened to double (for comparisons).
std::vector<double> values_to_doubles(const void* data, mirt_dtype dtype, uint64_t count);

// Converts count elements from one dtype to another (same dtype: a copy). Throws std::invalid_argument
// naming what when an integer or bool target cannot hold a value exactly (e.g. int64 -> int32).
void convert_values(const void* src, mirt_dtype src_dtype, void* dst, mirt_dtype dst_dtype, uint64_t count,
                    const std::string& what);

// IEEE half and bfloat16 conversions (round to nearest even).
uint16_t float_to_half(float f);
float half_to_float(uint16_t h);
uint16_t float_to_bfloat16(float f);
float bfloat16_to_float(uint16_t b);

}  // namespace mirt::cli
