// tools/mirt/shapes.hpp — parsing of trtexec-style command-line specs: shapes, name:file pairs, sizes.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mirt::cli {

// A spec the user mistyped; the message quotes the bad token.
class spec_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// One "name:1x3x224x224" entry.
struct shape_spec {
  std::string name;
  std::vector<int64_t> dims;  // empty for a scalar ("name:")
};

// Parses "name:1x3x224x224[,name2:...]". A name may hold ':' (the last ':' splits) or be quoted with
// single quotes ('in:0':1x3). Dims are non-negative integers joined by 'x'. Throws spec_error naming
// the bad token; a repeated name is an error too.
std::vector<shape_spec> parse_shape_specs(std::string_view text);

// One "name:path" entry of --loadInputs.
struct file_spec {
  std::string name;
  std::string path;
};
// Parses "name:file.bin[,name2:file2.bin]" (same name rules as parse_shape_specs).
std::vector<file_spec> parse_file_specs(std::string_view text);

// One "layer:fp16" entry of --layerPrecisions.
struct precision_spec {
  std::string layer;
  int dtype = 0;  // a mirt_dtype: float32, float16 or bfloat16
};
// Parses "layer:fp32[,layer2:fp16]" as trtexec's --layerPrecisions (same name rules as
// parse_shape_specs); precisions fp32, fp16, bf16 (or float32, float16, bfloat16).
std::vector<precision_spec> parse_precision_specs(std::string_view text);

// Parses a byte count: digits with an optional K, M or G suffix (powers of 1024), e.g. "512M".
uint64_t parse_byte_size(std::string_view text);

// "1x3x224x224"; dynamic dims (-1) show as '?'; a scalar shows as "scalar".
std::string format_dims(const std::vector<int64_t>& dims);

// Finds the spec of name, or NULL.
const shape_spec* find_shape(const std::vector<shape_spec>& specs, std::string_view name);

}  // namespace mirt::cli
