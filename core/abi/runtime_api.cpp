// core/abi/runtime_api.cpp — the C ABI of mirt/runtime.h.
#include <cstring>

#include "core/abi/handles.hpp"
#include "core/base/c_status.hpp"

using mirt::cat;
using mirt::to_c_status;
using mirt::to_view;

namespace {

mirt_status invalid(const std::string& message) { return to_c_status({MIRT_STATUS_INVALID_ARGUMENT, message}); }

std::string io_names(const mirt::engine& e) {
  std::string names;
  for (int t : e.io_tensors()) names += (names.empty() ? "'" : ", '") + e.plan().network.tensors[t].name + "'";
  return names;
}

mirt_status describe(const mirt::engine& e, int t, mirt_tensor_info* out) {
  if (!out || out->struct_size < sizeof(mirt_tensor_info))
    return invalid("mirt_tensor_info: initialize it with MIRT_TENSOR_INFO_INIT");
  const mirt::tensor& x = e.plan().network.tensors[t];
  mirt_tensor_info info = MIRT_TENSOR_INFO_INIT;
  info.name = mirt::to_c_view(x.name);
  info.is_input = x.is_input ? 1 : 0;
  info.dtype = x.dtype;
  info.rank = x.shape.size();
  for (size_t d = 0; d < x.shape.size(); ++d) info.dims[d] = x.shape[d].value;
  info.location = e.target().io_location();
  *out = info;
  return nullptr;
}

std::vector<int64_t> dims_of(size_t rank, const int64_t* dims) { return {dims, dims + rank}; }

}  // namespace

extern "C" {

MIRT_EXPORT mirt_status mirt_engine_create(const mirt_engine_options* options, mirt_engine** out_engine) {
  MIRT_C_GUARD_BEGIN
  if (!options || !out_engine || !options->plan)
    return invalid("mirt_engine_create: options, options->plan and out_engine must not be NULL");
  int32_t device = 0;
  if (options->struct_size >= offsetof(mirt_engine_options, device_id) + sizeof(options->device_id))
    device = options->device_id;
  auto e = mirt::engine::load(options->plan->bytes.data(), options->plan->bytes.size(), device);
  if (!e.ok()) return to_c_status(e.error());
  *out_engine = new mirt_engine{std::move(e).value()};
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT void mirt_engine_destroy(mirt_engine* engine) { delete engine; }

MIRT_EXPORT size_t mirt_engine_num_io_tensors(const mirt_engine* engine) {
  return engine ? engine->engine->io_tensors().size() : 0;
}

MIRT_EXPORT mirt_status mirt_engine_get_io_tensor(const mirt_engine* engine, size_t index, mirt_tensor_info* out_info) {
  MIRT_C_GUARD_BEGIN
  if (!engine) return invalid("mirt_engine_get_io_tensor: engine is NULL");
  const auto& io = engine->engine->io_tensors();
  if (index >= io.size())
    return invalid(cat("mirt_engine_get_io_tensor: index ", index, " is out of range; the engine has ", io.size(),
                       " I/O tensors"));
  return describe(*engine->engine, io[index], out_info);
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_engine_find_io_tensor(const mirt_engine* engine, mirt_string_view name,
                                                   mirt_tensor_info* out_info) {
  MIRT_C_GUARD_BEGIN
  if (!engine) return invalid("mirt_engine_find_io_tensor: engine is NULL");
  int t = engine->engine->find_io(to_view(name));
  if (t < 0)
    return to_c_status({MIRT_STATUS_NOT_FOUND, cat("the engine has no I/O tensor '", to_view(name),
                                                   "'; it has ", io_names(*engine->engine))});
  return describe(*engine->engine, t, out_info);
  MIRT_C_GUARD_END
}

MIRT_EXPORT size_t mirt_engine_num_profiles(const mirt_engine* engine) {
  return engine ? engine->engine->plan().profiles.size() : 0;
}

MIRT_EXPORT mirt_status mirt_engine_get_profile_shape(const mirt_engine* engine, size_t profile,
                                                      mirt_string_view input_name, mirt_profile_selector which,
                                                      size_t* out_rank, int64_t* out_dims) {
  MIRT_C_GUARD_BEGIN
  if (!engine || !out_rank || !out_dims)
    return invalid("mirt_engine_get_profile_shape: engine, out_rank and out_dims must not be NULL");
  const mirt::plan_model& plan = engine->engine->plan();
  if (profile >= plan.profiles.size())
    return invalid(cat("mirt_engine_get_profile_shape: profile ", profile, " does not exist; the engine has ",
                       plan.profiles.size()));
  if (which < MIRT_PROFILE_SELECTOR_MIN || which > MIRT_PROFILE_SELECTOR_MAX)
    return invalid(cat("mirt_engine_get_profile_shape: selector ", static_cast<int>(which), " is not MIN, OPT or MAX"));
  for (const mirt::profile_input& in : plan.profiles[profile].inputs) {
    if (plan.network.tensors[in.tensor].name != to_view(input_name)) continue;
    const std::vector<int64_t>& dims = which == MIRT_PROFILE_SELECTOR_MIN ? in.min
                                       : which == MIRT_PROFILE_SELECTOR_OPT ? in.opt
                                                                            : in.max;
    std::copy(dims.begin(), dims.end(), out_dims);
    *out_rank = dims.size();
    return nullptr;
  }
  return to_c_status({MIRT_STATUS_NOT_FOUND, cat("'", to_view(input_name), "' is not an input of this engine")});
  MIRT_C_GUARD_END
}

namespace {

// A yes/no question about I/O tensor `name` (engine::is_shape_tensor, ...), answered as 1 or 0.
mirt_status ask_io_tensor(const mirt_engine* engine, mirt_string_view name, int32_t* out, const char* call,
                          bool (mirt::engine::*question)(int) const) {
  if (!engine || !out) return invalid(cat(call, ": engine and the out pointer must not be NULL"));
  int t = engine->engine->find_io(to_view(name));
  if (t < 0)
    return to_c_status({MIRT_STATUS_NOT_FOUND, cat("the engine has no I/O tensor '", to_view(name), "'; it has ",
                                                   io_names(*engine->engine))});
  *out = ((*engine->engine).*question)(t) ? 1 : 0;
  return nullptr;
}

}  // namespace

MIRT_EXPORT mirt_status mirt_engine_is_shape_tensor(const mirt_engine* engine, mirt_string_view name,
                                                    int32_t* out_is_shape_tensor) {
  MIRT_C_GUARD_BEGIN
  return ask_io_tensor(engine, name, out_is_shape_tensor, "mirt_engine_is_shape_tensor", &mirt::engine::is_shape_tensor);
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_engine_is_data_dependent(const mirt_engine* engine, mirt_string_view name,
                                                     int32_t* out_is_data_dependent) {
  MIRT_C_GUARD_BEGIN
  return ask_io_tensor(engine, name, out_is_data_dependent, "mirt_engine_is_data_dependent",
                       &mirt::engine::is_data_dependent);
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_engine_get_profile_shape_values(const mirt_engine* engine, size_t profile,
                                                             mirt_string_view input_name, mirt_profile_selector which,
                                                             size_t capacity, int64_t* out_values, size_t* out_count) {
  MIRT_C_GUARD_BEGIN
  if (!engine || !out_count || (capacity && !out_values))
    return invalid("mirt_engine_get_profile_shape_values: engine, out_count and out_values must not be NULL");
  const mirt::plan_model& plan = engine->engine->plan();
  if (profile >= plan.profiles.size())
    return invalid(cat("mirt_engine_get_profile_shape_values: profile ", profile, " does not exist; the engine has ",
                       plan.profiles.size()));
  if (which < MIRT_PROFILE_SELECTOR_MIN || which > MIRT_PROFILE_SELECTOR_MAX)
    return invalid(cat("mirt_engine_get_profile_shape_values: selector ", static_cast<int>(which),
                       " is not MIN, OPT or MAX"));
  for (const mirt::profile_input& in : plan.profiles[profile].inputs) {
    if (plan.network.tensors[in.tensor].name != to_view(input_name)) continue;
    if (!in.is_shape_tensor())
      return invalid(cat("mirt_engine_get_profile_shape_values: input '", to_view(input_name),
                         "' is not a shape tensor"));
    const std::vector<int64_t>& values = which == MIRT_PROFILE_SELECTOR_MIN ? in.min_values
                                         : which == MIRT_PROFILE_SELECTOR_OPT ? in.opt_values
                                                                              : in.max_values;
    if (capacity && capacity < values.size())
      return invalid(cat("mirt_engine_get_profile_shape_values: input '", to_view(input_name), "' has ",
                         values.size(), " values, more than the capacity of ", capacity));
    if (capacity) std::copy(values.begin(), values.end(), out_values);
    *out_count = values.size();
    return nullptr;
  }
  return to_c_status({MIRT_STATUS_NOT_FOUND, cat("'", to_view(input_name), "' is not an input of this engine")});
  MIRT_C_GUARD_END
}

MIRT_EXPORT uint64_t mirt_engine_device_memory_size(const mirt_engine* engine) {
  if (!engine) return 0;
  uint64_t size = 0;
  for (uint32_t p = 0; p < engine->engine->plan().profiles.size(); ++p) {
    auto m = engine->engine->memory_of(p);
    if (m.ok()) size = std::max(size, (*m)->total());
  }
  return size;
}

MIRT_EXPORT mirt_status mirt_engine_device_memory_size_for_profile(const mirt_engine* engine, uint32_t profile,
                                                                   uint64_t* out_size) {
  MIRT_C_GUARD_BEGIN
  if (!engine || !out_size)
    return invalid("mirt_engine_device_memory_size_for_profile: engine and out_size must not be NULL");
  auto m = engine->engine->memory_of(profile);
  if (!m.ok()) return to_c_status(m.error());
  *out_size = (*m)->total();
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_string_view mirt_engine_backend_name(const mirt_engine* engine) {
  if (!engine) return {nullptr, 0};
  return mirt::to_c_view(engine->engine->plan().backend_name);
}

MIRT_EXPORT mirt_status mirt_engine_alloc_device_memory(const mirt_engine* engine, size_t size, void** out_ptr) {
  MIRT_C_GUARD_BEGIN
  if (!engine || !out_ptr) return invalid("mirt_engine_alloc_device_memory: engine and out_ptr must not be NULL");
  return to_c_status(engine->engine->target().allocate_raw(size, out_ptr));
  MIRT_C_GUARD_END
}

MIRT_EXPORT void mirt_engine_free_device_memory(const mirt_engine* engine, void* ptr) {
  if (engine) engine->engine->target().free_raw(ptr);
}

MIRT_EXPORT mirt_status mirt_engine_copy_memory(const mirt_engine* engine, void* dst, const void* src, size_t size,
                                                mirt_copy_kind kind, void* stream) {
  MIRT_C_GUARD_BEGIN
  if (!engine || ((!dst || !src) && size)) return invalid("mirt_engine_copy_memory: engine, dst and src must not be NULL");
  if (kind < MIRT_COPY_KIND_HOST_TO_DEVICE || kind > MIRT_COPY_KIND_DEVICE_TO_DEVICE)
    return invalid(cat("mirt_engine_copy_memory: kind ", static_cast<int>(kind), " is not a mirt_copy_kind"));
  return to_c_status(engine->engine->target().copy(dst, src, size, kind, stream));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_engine_synchronize(const mirt_engine* engine, void* stream) {
  MIRT_C_GUARD_BEGIN
  if (!engine) return invalid("mirt_engine_synchronize: engine is NULL");
  return to_c_status(engine->engine->target().synchronize(stream));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_create(mirt_engine* engine, const mirt_context_options* options,
                                            mirt_context** out_context) {
  MIRT_C_GUARD_BEGIN
  if (!engine || !out_context) return invalid("mirt_context_create: engine and out_context must not be NULL");
  uint32_t profile = 0;
  bool user_memory = false;
  if (options && options->struct_size >= offsetof(mirt_context_options, profile) + sizeof(options->profile))
    profile = options->profile;
  if (options && options->struct_size >= offsetof(mirt_context_options, user_device_memory) +
                                             sizeof(options->user_device_memory))
    user_memory = options->user_device_memory != 0;
  const bool nvtx = options && options->struct_size >= offsetof(mirt_context_options, nvtx) + sizeof(options->nvtx) &&
                    options->nvtx != 0;
  auto c = mirt::context::create(engine->engine, profile, user_memory, nvtx);
  if (!c.ok()) return to_c_status(c.error());
  *out_context = new mirt_context{std::move(c).value()};
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT void mirt_context_destroy(mirt_context* context) { delete context; }

MIRT_EXPORT mirt_status mirt_context_set_input_shape(mirt_context* context, mirt_string_view name, size_t rank,
                                                     const int64_t* dims) {
  MIRT_C_GUARD_BEGIN
  if (!context || (rank && !dims)) return invalid("mirt_context_set_input_shape: context and dims must not be NULL");
  if (rank > MIRT_MAX_RANK) return invalid(cat("mirt_context_set_input_shape: rank ", rank, " exceeds ", MIRT_MAX_RANK));
  return to_c_status(context->context->set_input_shape(to_view(name), dims_of(rank, dims)));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_get_tensor_shape(const mirt_context* context, mirt_string_view name,
                                                      size_t* out_rank, int64_t* out_dims) {
  MIRT_C_GUARD_BEGIN
  if (!context || !out_rank || !out_dims)
    return invalid("mirt_context_get_tensor_shape: context, out_rank and out_dims must not be NULL");
  auto shape = context->context->tensor_shape(to_view(name));
  if (!shape.ok()) return to_c_status(shape.error());
  std::copy(shape->begin(), shape->end(), out_dims);
  *out_rank = shape->size();
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_set_tensor_address(mirt_context* context, mirt_string_view name, void* address) {
  MIRT_C_GUARD_BEGIN
  if (!context) return invalid("mirt_context_set_tensor_address: context is NULL");
  return to_c_status(context->context->set_tensor_address(to_view(name), address));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_set_device_memory(mirt_context* context, void* memory, uint64_t size) {
  MIRT_C_GUARD_BEGIN
  if (!context) return invalid("mirt_context_set_device_memory: context is NULL");
  return to_c_status(context->context->set_device_memory(memory, size));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_set_input_consumed_event(mirt_context* context, void* event) {
  MIRT_C_GUARD_BEGIN
  if (!context) return invalid("mirt_context_set_input_consumed_event: context is NULL");
  context->context->set_input_consumed_event(event);
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_set_persistent_cache_limit(mirt_context* context, size_t bytes) {
  MIRT_C_GUARD_BEGIN
  if (!context) return invalid("mirt_context_set_persistent_cache_limit: context is NULL");
  return to_c_status(context->context->set_persistent_cache_limit(bytes));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_set_graph_replay(mirt_context* context, int32_t enable) {
  MIRT_C_GUARD_BEGIN
  if (!context) return invalid("mirt_context_set_graph_replay: context is NULL");
  return to_c_status(context->context->set_graph_replay(enable != 0));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_enqueue(mirt_context* context, void* stream) {
  MIRT_C_GUARD_BEGIN
  if (!context) return invalid("mirt_context_enqueue: context is NULL");
  return to_c_status(context->context->enqueue(stream));
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_set_profiler(mirt_context* context, mirt_layer_time_fn fn, void* user_data) {
  MIRT_C_GUARD_BEGIN
  if (!context) return invalid("mirt_context_set_profiler: context is NULL");
  context->context->set_profiler(fn, user_data);
  return nullptr;
  MIRT_C_GUARD_END
}

MIRT_EXPORT mirt_status mirt_context_set_output_allocator(mirt_context* context, mirt_string_view name,
                                                          const mirt_output_allocator* allocator) {
  MIRT_C_GUARD_BEGIN
  if (!context) return invalid("mirt_context_set_output_allocator: context is NULL");
  return to_c_status(context->context->set_output_allocator(to_view(name), allocator));
  MIRT_C_GUARD_END
}

}  // extern "C"
