/* mirt/builder.h — the build phase: a network plus a builder config become a serialized plan.
 *
 * The builder validates the network, infers shapes and types over each optimization profile, folds
 * constants, removes dead layers, asks the target backend for kernels (tactics), plans activation
 * memory and writes the plan (see docs/plan-format.md).
 *
 * Threading: a config is used by one thread at a time; mirt_builder_build() may run on several
 * threads at once with different configs.
 */
#ifndef MIRT_BUILDER_H
#define MIRT_BUILDER_H

#include "mirt/base.h"
#include "mirt/network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Precisions the builder may use in addition to FP32. Bits of mirt_builder_options.precision_flags. */
typedef enum mirt_precision_flag {
  MIRT_PRECISION_FLAG_NONE = 0,
  MIRT_PRECISION_FLAG_TF32 = 1 << 0,
  MIRT_PRECISION_FLAG_FP16 = 1 << 1,
  MIRT_PRECISION_FLAG_BF16 = 1 << 2,
  MIRT_PRECISION_FLAG_INT8 = 1 << 3,
  MIRT_PRECISION_FLAG_FORCE32 = 0x7FFFFFFF
} mirt_precision_flag;

/* Progress of a build: pass name, work done so far and total (total 0 when unknown).
 * Return non-zero to cancel the build (it then fails with FAILED_PRECONDITION). */
typedef int (*mirt_progress_fn)(void* user_data, const char* phase, uint64_t done, uint64_t total);

typedef struct mirt_builder_options {
  uint32_t struct_size;
  mirt_string_view backend;    /* target backend module name ("cpu"); empty picks the highest score */
  uint32_t precision_flags;    /* mirt_precision_flag bits; 0 is FP32 only */
  uint64_t memory_limit_bytes; /* activation + workspace limit; 0 is unlimited */
  /* 0..5 as in TensorRT; 3 is the default. 0 builds fast: each layer takes its backend's first
   * (best-guess) kernel. Above 0, layers with several kernels (tactics) have each timed on the
   * device at the opt shapes of profile 0, and the fastest goes into the plan. */
  int32_t optimization_level;
  mirt_progress_fn progress;   /* optional */
  void* progress_user_data;
  /* Optional path of a persistent timing cache (empty: none). Above optimization level 0 the
   * builder reads it if the file exists, takes the recorded tactic for every layer whose key it
   * holds (backend name and version, device signature, precision flags, op, attributes, operand
   * dtypes and shapes) without timing it, and writes the file back with the new timings once the
   * kernels are chosen. So builds with one cache choose the same tactics. A file that is not a
   * timing cache fails the build with INVALID_ARGUMENT naming the path and line; it is never
   * silently ignored. Builds sharing a path may run at once: the file is replaced by a rename,
   * and the last writer's entries win. */
  mirt_string_view timing_cache_path;
  /* appended in 0.1 (device selection) */
  /* The backend device the build times tactics on and reads the device signature of (a CUDA
   * device id); 0 is the first. A build fails with INVALID_ARGUMENT naming the id and the device
   * count when there is no such device. */
  int32_t device_id;
} mirt_builder_options;
#define MIRT_BUILDER_OPTIONS_INIT {sizeof(mirt_builder_options), {NULL, 0}, 0, 0, 3, NULL, NULL, {NULL, 0}, 0}

/* A builder config: options plus optimization profiles. */
typedef struct mirt_builder_config mirt_builder_config;

/* Creates a config from options (NULL for defaults). The caller frees it with
 * mirt_builder_config_destroy(). */
MIRT_API mirt_status mirt_builder_config_create(const mirt_builder_options* options,
                                                mirt_builder_config** out_config);
MIRT_API void mirt_builder_config_destroy(mirt_builder_config* config);

/* Adds an empty optimization profile and returns its index. A network with dynamic input dims needs
 * at least one profile; each profile gives min/opt/max for every input that has a dynamic dim. */
MIRT_API mirt_status mirt_builder_config_add_profile(mirt_builder_config* config, size_t* out_index);

/* Sets the shape range of input `input_name` in profile `profile`. min <= opt <= max elementwise;
 * static dims must equal the network's. Checked again at build time, naming input and dim. */
MIRT_API mirt_status mirt_builder_config_set_profile_shape(mirt_builder_config* config, size_t profile,
                                                           mirt_string_view input_name, size_t rank,
                                                           const int64_t* min_dims, const int64_t* opt_dims,
                                                           const int64_t* max_dims);

/* Sets the value range of shape tensor input `input_name` in profile `profile` (TensorRT's
 * setShapeValues): an int32 or int64 input of fixed shape, at most 64 elements, whose values feed
 * shape operands (Reshape's shape, Reduce's axes, Slice's starts, Tile's repeats, Expand's shape,
 * Pad's pads, ConstantOfShape's input, ...). count is its element count; min/opt/max give each
 * element's range (min <= opt <= max). The built engine reads such an input's values on the host
 * (see mirt_engine_is_shape_tensor) and infers the shapes that depend on them when a context runs.
 * An input whose values no shape depends on is built as an ordinary input (the values are
 * dropped). The arrays are copied; count 0 (an empty tensor) accepts NULL arrays.
 * Returns INVALID_ARGUMENT for a NULL config or array, or an unknown profile; INVALID_SHAPE when
 * some min > opt > max. The input's dtype, shape and count are checked at build time, naming it.
 * Thread safety: as the config (one thread at a time). */
MIRT_API mirt_status mirt_builder_config_set_profile_shape_values(mirt_builder_config* config, size_t profile,
                                                                  mirt_string_view input_name, size_t count,
                                                                  const int64_t* min_values,
                                                                  const int64_t* opt_values,
                                                                  const int64_t* max_values);

/* Constrains the precision of layer `layer_name` (TensorRT's ILayer::setPrecision with
 * kOBEY_PRECISION_CONSTRAINTS): MIRT_DTYPE_FLOAT32 keeps it in float32 whatever the precision flags;
 * MIRT_DTYPE_FLOAT16 or MIRT_DTYPE_BFLOAT16 runs it in that type, flags or not. The builder puts
 * Cast layers around it where its neighbours run in another type; a constrained layer is fused with
 * no differently constrained neighbour. MIRT_DTYPE_UNDEFINED removes the constraint. The name is
 * copied; names are those of the network's layers (mirt_layer_desc.name). INVALID_ARGUMENT for a
 * NULL config or another dtype. At build time: NOT_FOUND names a layer the network lacks;
 * UNSUPPORTED names the layer when the backend has no kernel for it in that type.
 * Thread safety: as the config (one thread at a time). */
MIRT_API mirt_status mirt_builder_config_set_layer_precision(mirt_builder_config* config, mirt_string_view layer_name,
                                                             mirt_dtype dtype);

/* A serialized plan: bytes owned by the plan object. A plan is immutable once created; any number of
 * threads may read it (mirt_plan_data, mirt_plan_save, mirt_engine_create) at once. */
typedef struct mirt_plan mirt_plan;

/* Builds network with config into a plan. The network is not changed and may be destroyed after.
 * Returns INVALID_GRAPH / INVALID_SHAPE naming the layer for a network that breaks an op's rules,
 * UNSUPPORTED naming the layer when the backend has no kernel for it, NOT_FOUND when the backend
 * module is not installed (the message lists where the registry looked). */
MIRT_API mirt_status mirt_builder_build(const mirt_network* network, const mirt_builder_config* config,
                                        mirt_plan** out_plan);

/* Wraps a copy of size bytes at data as a plan (checked only when an engine is created from it). */
MIRT_API mirt_status mirt_plan_create_from_bytes(const void* data, size_t size, mirt_plan** out_plan);
/* Reads a plan file. IO_ERROR names the path. */
MIRT_API mirt_status mirt_plan_load(mirt_string_view path, mirt_plan** out_plan);
/* Writes the plan's bytes to path. IO_ERROR names the path and the reason. */
MIRT_API mirt_status mirt_plan_save(const mirt_plan* plan, mirt_string_view path);
/* The plan's bytes, valid until the plan is destroyed. */
MIRT_API const void* mirt_plan_data(const mirt_plan* plan);
MIRT_API size_t mirt_plan_size(const mirt_plan* plan);
MIRT_API void mirt_plan_destroy(mirt_plan* plan);

/* Describes a plan (header, I/O, profiles, layers and their kernels, weights, memory plan) as JSON,
 * after the same checks an engine makes (so a corrupt plan gives the same error).
 * out_json: receives a NUL-terminated string the caller frees with mirt_string_free(). */
MIRT_API mirt_status mirt_plan_describe_json(const mirt_plan* plan, char** out_json);

#ifdef __cplusplus
}
#endif

#endif /* MIRT_BUILDER_H */
