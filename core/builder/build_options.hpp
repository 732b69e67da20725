// core/builder/build_options.hpp — what a builder config holds (mirt_builder_config's content).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mirt/builder.h"

namespace mirt {

struct shape_range {
  std::vector<int64_t> min, opt, max;
};

// One optimization profile: the shape range of each input with dynamic dims, by input name, and
// the value range of each shape tensor input (elementwise min/opt/max of its values).
struct profile_spec {
  std::map<std::string, shape_range> inputs;
  std::map<std::string, shape_range> values;
};

struct build_options {
  std::string backend;  // empty: the backend module with the highest score
  uint32_t precision_flags = 0;
  uint64_t memory_limit_bytes = 0;
  int32_t optimization_level = 3;
  mirt_progress_fn progress = nullptr;
  void* progress_user_data = nullptr;
  std::vector<profile_spec> profiles;
  std::string timing_cache_path;  // empty: no persistent timing cache
  int32_t device_id = 0;          // the backend device tactics are timed on
  // Per-layer precision constraints by layer name: float32, float16 or bfloat16.
  std::map<std::string, mirt_dtype> layer_precisions;
};

}  // namespace mirt
