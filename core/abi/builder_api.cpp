// core/abi/builder_api.cpp — the C ABI of mirt/builder.h.
#include <cstring>
#include <fstream>

#include "core/abi/handles.hpp"
#include "core/base/buffers.hpp"
#include "core/base/c_status.hpp"
#include "core/builder/builder.hpp"
#include "core/plan/plan_describe.hpp"
#include "core/plan/plan_reader.hpp"

using mirt::cat;
using mirt::to_c_status;
using mirt::to_view;

namespace {

mirt_status invalid(const std::string& message) { return to_c_status({MIRT_STATUS_INVALID_ARGUMENT, message}); }

// Whether the caller's options struct (of its struct_size) includes field: old callers pass
// shorter structs, and the fields they lack keep their defaults.
#define HAS_FIELD(options, type, field) \
  ((options)->struct_size >= offsetof(type, field) + sizeof(static_cast<type*>(nullptr)->field))

}  // namespace

extern "C" {

MIRT_EXPORT mirt_status mirt_builder_config_create(const mirt_builder_options* options,
                                                   mirt_builder_config** out_config) {
  MIRT_C_GUARD_BEGIN
  if (!out_config) return invalid("mirt_builder_config_create: out_config is NULL");
  auto config = std::make_unique<mirt_builder_config>();
  if (options) {
    mirt::build_options& o = config->options;
    if (HAS_FIELD(options, mirt_builder_options, backend)) o.backend = std::string(to_view(options->backend));
    if (HAS_FIELD(options, mirt_builder_options, precision_flags)) o.precision_flags = options->precision_flags;
    if (HAS_FIELD(options, mirt_builder_options, memory_limit_bytes)) o.memory_limit_bytes = options->memory_limit_bytes;
    if (HAS_FIELD(options, mirt_builder_options, optimization_level)) {
      if (options->optimization_level < 0 || options->optimization_level > 5)
        return invalid(cat("mirt_builder_config_create: optimization_level is ", options->optimization_level,
                           ", expected 0 to 5"));
      o.optimization_level = options->optimization_level;
    }
    if (HAS_FIELD(options, mirt_builder_options, progress_user_data)) {
      o.progress = options->progress;
      o.progress_user_data = options->progress_user_data;
    }
    if (HAS_FIELD(options, mirt_builder_options, timing_cache_path))
      o.timing_cache_path = std::string(to_view(options->timing_cache_path));
    if (HAS_FIELD(options, mirt_builder_options, device_id)) {
      if (options->device_id < 0)
        return invalid(cat("mirt_builder_config_create: device_id is ", options->device_id, ", expected 0 or more"));
      o.device_id = options->device_id;
    }
  }
  *out_config = config.release();
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT void mirt_builder_config_destroy(mirt_builder_config* config) { delete config; }

MIRT_EXPORT mirt_status mirt_builder_config_add_profile(mirt_builder_config* config, size_t* out_index) {
  MIRT_C_GUARD_BEGIN
  if (!config) return invalid("mirt_builder_config_add_profile: config is NULL");
  config->options.profiles.emplace_back();
  if (out_index) *out_index = config->options.profiles.size() - 1;
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_builder_config_set_profile_shape(mirt_builder_config* config, size_t profile,
                                                              mirt_string_view input_name, size_t rank,
                                                              const int64_t* min_dims, const int64_t* opt_dims,
                                                              const int64_t* max_dims) {
  MIRT_C_GUARD_BEGIN
  if (!config) return invalid("mirt_builder_config_set_profile_shape: config is NULL");
  if (profile >= config->options.profiles.size())
    return invalid(cat("mirt_builder_config_set_profile_shape: profile ", profile, " does not exist (the config has ",
                       config->options.profiles.size(), "; add one with mirt_builder_config_add_profile)"));
  if (rank > MIRT_MAX_RANK || (rank && (!min_dims || !opt_dims || !max_dims)))
    return invalid(cat("mirt_builder_config_set_profile_shape: input '", to_view(input_name), "': rank ", rank,
                       " needs three non-NULL dims arrays and rank <= ", MIRT_MAX_RANK));
  mirt::shape_range range{{min_dims, min_dims + rank}, {opt_dims, opt_dims + rank}, {max_dims, max_dims + rank}};
  for (size_t d = 0; d < rank; ++d)
    if (range.min[d] < 0 || range.min[d] > range.opt[d] || range.opt[d] > range.max[d])
      return to_c_status({MIRT_STATUS_INVALID_SHAPE,
                          cat("profile ", profile, ": input '", to_view(input_name), "' dim ", d,
                              " needs 0 <= min <= opt <= max, got ", range.min[d], "/", range.opt[d], "/",
                              range.max[d])});
  config->options.profiles[profile].inputs[std::string(to_view(input_name))] = std::move(range);
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_builder_config_set_profile_shape_values(mirt_builder_config* config, size_t profile,
                                                                     mirt_string_view input_name, size_t count,
                                                                     const int64_t* min_values,
                                                                     const int64_t* opt_values,
                                                                     const int64_t* max_values) {
  MIRT_C_GUARD_BEGIN
  if (!config) return invalid("mirt_builder_config_set_profile_shape_values: config is NULL");
  if (profile >= config->options.profiles.size())
    return invalid(cat("mirt_builder_config_set_profile_shape_values: profile ", profile,
                       " does not exist (the config has ", config->options.profiles.size(),
                       "; add one with mirt_builder_config_add_profile)"));
  if (count && (!min_values || !opt_values || !max_values))
    return invalid(cat("mirt_builder_config_set_profile_shape_values: input '", to_view(input_name), "': ", count,
                       " values need three non-NULL arrays"));
  mirt::shape_range range;
  if (count)
    range = {{min_values, min_values + count}, {opt_values, opt_values + count}, {max_values, max_values + count}};
  for (size_t i = 0; i < count; ++i)
    if (range.min[i] > range.opt[i] || range.opt[i] > range.max[i])
      return to_c_status({MIRT_STATUS_INVALID_SHAPE,
                          cat("profile ", profile, ": shape tensor input '", to_view(input_name), "' value ", i,
                              " needs min <= opt <= max, got ", range.min[i], "/", range.opt[i], "/", range.max[i])});
  config->options.profiles[profile].values[std::string(to_view(input_name))] = std::move(range);
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_builder_config_set_layer_precision(mirt_builder_config* config,
                                                                mirt_string_view layer_name, mirt_dtype dtype) {
  MIRT_C_GUARD_BEGIN
  if (!config) return invalid("mirt_builder_config_set_layer_precision: config is NULL");
  const std::string name(to_view(layer_name));
  if (dtype == MIRT_DTYPE_UNDEFINED) {
    config->options.layer_precisions.erase(name);
    return nullptr;
  }
  if (dtype != MIRT_DTYPE_FLOAT32 && dtype != MIRT_DTYPE_FLOAT16 && dtype != MIRT_DTYPE_BFLOAT16)
    return invalid(cat("mirt_builder_config_set_layer_precision: layer '", name, "': dtype ",
                       mirt_dtype_name(dtype), " is not float32, float16 or bfloat16"));
  config->options.layer_precisions[name] = dtype;
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_builder_build(const mirt_network* network, const mirt_builder_config* config,
                                           mirt_plan** out_plan) {
  MIRT_C_GUARD_BEGIN
  if (!network || !out_plan) return invalid("mirt_builder_build: network and out_plan must not be NULL");
  mirt::build_options defaults;
  auto bytes = mirt::build_plan(network->graph, config ? config->options : defaults);
  if (!bytes.ok()) return to_c_status(bytes.error());
  *out_plan = new mirt_plan{std::move(bytes).value()};
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_plan_create_from_bytes(const void* data, size_t size, mirt_plan** out_plan) {
  MIRT_C_GUARD_BEGIN
  if (!out_plan || (!data && size)) return invalid("mirt_plan_create_from_bytes: data and out_plan must not be NULL");
  auto plan = std::make_unique<mirt_plan>();
  plan->bytes.resize(size);
  if (size) std::memcpy(plan->bytes.data(), data, size);
  *out_plan = plan.release();
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_plan_load(mirt_string_view path, mirt_plan** out_plan) {
  MIRT_C_GUARD_BEGIN
  if (!out_plan) return invalid("mirt_plan_load: out_plan is NULL");
  std::string file(to_view(path));
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) return to_c_status({MIRT_STATUS_IO_ERROR, cat("cannot open plan file '", file, "'")});
  auto plan = std::make_unique<mirt_plan>();
  plan->bytes.resize(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(plan->bytes.data()), static_cast<std::streamsize>(plan->bytes.size())))
    return to_c_status({MIRT_STATUS_IO_ERROR, cat("cannot read plan file '", file, "'")});
  *out_plan = plan.release();
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_plan_save(const mirt_plan* plan, mirt_string_view path) {
  MIRT_C_GUARD_BEGIN
  if (!plan) return invalid("mirt_plan_save: plan is NULL");
  std::string file(to_view(path));
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return to_c_status({MIRT_STATUS_IO_ERROR, cat("cannot open '", file, "' for writing")});
  out.write(reinterpret_cast<const char*>(plan->bytes.data()), static_cast<std::streamsize>(plan->bytes.size()));
  if (!out) return to_c_status({MIRT_STATUS_IO_ERROR, cat("cannot write the plan to '", file, "'")});
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT const void* mirt_plan_data(const mirt_plan* plan) { return plan ? plan->bytes.data() : nullptr; }
MIRT_EXPORT size_t mirt_plan_size(const mirt_plan* plan) { return plan ? plan->bytes.size() : 0; }
MIRT_EXPORT void mirt_plan_destroy(mirt_plan* plan) { delete plan; }

MIRT_EXPORT mirt_status mirt_plan_describe_json(const mirt_plan* plan, char** out_json) {
  MIRT_C_GUARD_BEGIN
  if (!plan || !out_json) return invalid("mirt_plan_describe_json: plan and out_json must not be NULL");
  const size_t size = plan->bytes.size();
  auto model = mirt::read_plan(mirt::copy_aligned(plan->bytes.data(), size), size);
  if (!model.ok()) return to_c_status(model.error());
  char* out = mirt::malloc_c_string(mirt::describe_plan_json(*model, size));
  if (!out) return to_c_status({MIRT_STATUS_OUT_OF_MEMORY, "cannot allocate the plan description"});
  *out_json = out;
  return nullptr;
  MIRT_C_GUARD_END
}

}  // extern "C"
