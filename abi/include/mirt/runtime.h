/* mirt/runtime.h — the runtime phase: a plan becomes an engine; contexts run it.
 *
 * Threading: an engine is immutable and may be shared by any number of threads. An execution
 * context is used by one thread at a time; create one context per thread (they share the engine's
 * weights and kernels). Objects keep the backend module they came from loaded while they live.
 */
#ifndef MIRT_RUNTIME_H
#define MIRT_RUNTIME_H

#include "mirt/base.h"
#include "mirt/builder.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mirt_engine mirt_engine;
typedef struct mirt_context mirt_context;

typedef struct mirt_engine_options {
  uint32_t struct_size;
  const mirt_plan* plan; /* the plan to load; its bytes are copied, so it may be freed after */
  /* appended in 0.1 (device selection) */
  /* The backend device (a CUDA device id) the engine's weights, kernels and contexts live on; 0 is
   * the first. Every call on the engine and its contexts makes it current on the calling thread
   * first (cudaSetDevice). INVALID_ARGUMENT names the id and the device count when there is no such
   * device (a backend without devices, like the CPU backend, has only id 0). */
  int32_t device_id;
} mirt_engine_options;
#define MIRT_ENGINE_OPTIONS_INIT {sizeof(mirt_engine_options), NULL, 0}

/* Creates an engine from a plan: checks the header (magic, format and mirt version, size,
 * checksum), loads the plan's backend module on first use, and creates its kernels.
 * Returns CORRUPT_DATA with the byte offset for a truncated or damaged plan,
 * INCOMPATIBLE_VERSION naming both versions, NOT_FOUND naming the backend and the folders searched.
 * The caller frees the engine with mirt_engine_destroy(). */
MIRT_API mirt_status mirt_engine_create(const mirt_engine_options* options, mirt_engine** out_engine);
/* Frees engine. Every context created from it must be destroyed first. NULL is a no-op. */
MIRT_API void mirt_engine_destroy(mirt_engine* engine);

typedef struct mirt_tensor_info {
  uint32_t struct_size;
  mirt_string_view name;   /* valid while the engine lives */
  int32_t is_input;        /* 1 for inputs, 0 for outputs */
  mirt_dtype dtype;
  size_t rank;
  int64_t dims[MIRT_MAX_RANK]; /* -1 where dynamic */
  mirt_tensor_location location;
} mirt_tensor_info;
#define MIRT_TENSOR_INFO_INIT {sizeof(mirt_tensor_info), {NULL, 0}, 0, MIRT_DTYPE_UNDEFINED, 0, {0}, MIRT_TENSOR_LOCATION_UNDEFINED}

/* Number of I/O tensors: inputs in the order added, then outputs in the order marked. */
MIRT_API size_t mirt_engine_num_io_tensors(const mirt_engine* engine);
/* Describes I/O tensor `index`. out_info must be initialized with MIRT_TENSOR_INFO_INIT.
 * INVALID_ARGUMENT when index is out of range. */
MIRT_API mirt_status mirt_engine_get_io_tensor(const mirt_engine* engine, size_t index, mirt_tensor_info* out_info);
/* Describes the I/O tensor called name; NOT_FOUND lists the engine's I/O names. */
MIRT_API mirt_status mirt_engine_find_io_tensor(const mirt_engine* engine, mirt_string_view name,
                                                mirt_tensor_info* out_info);

typedef enum mirt_profile_selector {
  MIRT_PROFILE_SELECTOR_UNDEFINED = 0,
  MIRT_PROFILE_SELECTOR_MIN = 1,
  MIRT_PROFILE_SELECTOR_OPT = 2,
  MIRT_PROFILE_SELECTOR_MAX = 3,
  MIRT_PROFILE_SELECTOR_FORCE32 = 0x7FFFFFFF
} mirt_profile_selector;

/* Number of optimization profiles in the plan (at least 1). */
MIRT_API size_t mirt_engine_num_profiles(const mirt_engine* engine);
/* The min/opt/max shape of input `input_name` in profile `profile`; writes rank dims to out_dims
 * (room for MIRT_MAX_RANK) and the rank to out_rank. */
MIRT_API mirt_status mirt_engine_get_profile_shape(const mirt_engine* engine, size_t profile,
                                                   mirt_string_view input_name, mirt_profile_selector which,
                                                   size_t* out_rank, int64_t* out_dims);
/* Whether I/O tensor `name` is a shape tensor input (TensorRT's isShapeInferenceIO): its values
 * feed shape operands, the context reads them from HOST memory (the address set with
 * mirt_context_set_tensor_address, whatever the backend's location) whenever it infers shapes
 * (mirt_context_get_tensor_shape, mirt_context_enqueue), and the shapes that depend on them are
 * inferred on the host. out_is_shape_tensor: 1 or 0. NOT_FOUND lists the engine's I/O names.
 * Thread-safe. */
MIRT_API mirt_status mirt_engine_is_shape_tensor(const mirt_engine* engine, mirt_string_view name,
                                                 int32_t* out_is_shape_tensor);
/* The min/opt/max values of shape tensor input `input_name` in profile `profile`: writes up to
 * capacity values to out_values and the element count to out_count (so a call with capacity 0
 * asks for the count). INVALID_ARGUMENT when the input is not a shape tensor or capacity is too
 * small (the message gives the count). Thread-safe. */
MIRT_API mirt_status mirt_engine_get_profile_shape_values(const mirt_engine* engine, size_t profile,
                                                          mirt_string_view input_name, mirt_profile_selector which,
                                                          size_t capacity, int64_t* out_values, size_t* out_count);
/* Whether I/O tensor `name` has a data-dependent shape (TensorRT's "data-dependent shape"): an
 * output some of whose dims (-1 in mirt_tensor_info) no input shape or shape tensor value fixes,
 * because they depend on the values the network computes (NonZero, NonMaxSuppression, Unique,
 * Compress, a Resize whose scales are a float input, ...). Such an output's shape is known only
 * while mirt_context_enqueue runs, so the context needs an output allocator for it
 * (mirt_context_set_output_allocator); mirt_context_get_tensor_shape reports -1 for those dims.
 * out_is_data_dependent: 1 or 0 (0 for inputs). NOT_FOUND lists the engine's I/O names. Thread-safe. */
MIRT_API mirt_status mirt_engine_is_data_dependent(const mirt_engine* engine, mirt_string_view name,
                                                   int32_t* out_is_data_dependent);
/* Device memory one context needs at most (bytes), over the plan's profiles: the activation memory
 * of the plan's memory plan plus the kernels' workspace at the profile's max shapes (the block a
 * context created with user_device_memory takes, see mirt_context_set_device_memory). */
MIRT_API uint64_t mirt_engine_device_memory_size(const mirt_engine* engine);
/* The same for one optimization profile (TensorRT's getDeviceMemorySizeForProfile): writes the
 * bytes a context of profile `profile` needs to out_size. INVALID_ARGUMENT for an unknown profile.
 * Thread-safe. */
MIRT_API mirt_status mirt_engine_device_memory_size_for_profile(const mirt_engine* engine, uint32_t profile,
                                                                uint64_t* out_size);
/* Name of the backend the plan targets ("cpu"); valid while the engine lives. */
MIRT_API mirt_string_view mirt_engine_backend_name(const mirt_engine* engine);

/* Device memory of the engine's backend, for I/O buffers whose mirt_tensor_info.location is DEVICE
 * (host memory for the CPU backend). These let a program run any backend without linking its
 * runtime (e.g. CUDA). Thread-safe.
 * mirt_engine_alloc_device_memory: size bytes, 64-byte aligned; free with mirt_engine_free_device_memory
 *   on the same engine (or an engine of the same backend). OUT_OF_MEMORY says how much was asked. */
MIRT_API mirt_status mirt_engine_alloc_device_memory(const mirt_engine* engine, size_t size, void** out_ptr);
/* Frees memory from mirt_engine_alloc_device_memory. NULL is a no-op. */
MIRT_API void mirt_engine_free_device_memory(const mirt_engine* engine, void* ptr);
/* Copies size bytes between host and device memory, ordered on stream (NULL: the default stream). */
MIRT_API mirt_status mirt_engine_copy_memory(const mirt_engine* engine, void* dst, const void* src, size_t size,
                                             mirt_copy_kind kind, void* stream);
/* Waits until all work enqueued on stream (NULL: the default stream) has finished. */
MIRT_API mirt_status mirt_engine_synchronize(const mirt_engine* engine, void* stream);

typedef struct mirt_context_options {
  uint32_t struct_size;
  uint32_t profile; /* optimization profile this context uses */
  /* appended in 0.1 (user-managed memory) */
  /* Non-zero: the context allocates no activation memory or workspace (TensorRT's
   * createExecutionContextWithoutDeviceMemory); the caller gives it a block with
   * mirt_context_set_device_memory before the first run. */
  int32_t user_device_memory;
  /* appended in 0.1 (profiler ranges) */
  /* Non-zero: each layer's launch is wrapped in a profiler range named after the layer (NVTX on
   * the CUDA backend, seen by Nsight Systems; nothing on backends without ranges). The environment
   * variable MIRT_NVTX=1 turns it on for every context created while it is set. */
  int32_t nvtx;
} mirt_context_options;
#define MIRT_CONTEXT_OPTIONS_INIT {sizeof(mirt_context_options), 0, 0, 0}

/* Creates an execution context on engine (options may be NULL). It allocates the activation memory
 * and kernel workspace of its profile, unless options->user_device_memory is set.
 * Free with mirt_context_destroy() before the engine. */
MIRT_API mirt_status mirt_context_create(mirt_engine* engine, const mirt_context_options* options,
                                         mirt_context** out_context);
MIRT_API void mirt_context_destroy(mirt_context* context);

/* Sets the shape of input `name` for the next runs. INVALID_SHAPE names the tensor, dim, value and
 * the profile's range when a dim falls outside it, or the static extent it must equal. */
MIRT_API mirt_status mirt_context_set_input_shape(mirt_context* context, mirt_string_view name, size_t rank,
                                                  const int64_t* dims);
/* The current shape of I/O tensor `name` (outputs: inferred from the input shapes set so far and
 * the values of shape tensor inputs, read now from their host addresses).
 * FAILED_PRECONDITION names the inputs whose shape is not set yet, or a shape tensor input whose
 * address is not set; INVALID_SHAPE names a shape tensor input and element whose value is outside
 * the profile's range, or the layer whose shape rules its values break. */
MIRT_API mirt_status mirt_context_get_tensor_shape(const mirt_context* context, mirt_string_view name,
                                                   size_t* out_rank, int64_t* out_dims);
/* Sets the buffer of I/O tensor `name` for the next runs: dense row-major, at least
 * product(shape) * dtype size bytes, in the tensor's location. The context does not own it.
 * INVALID_ARGUMENT names the tensor when the location is DEVICE and the backend sees host memory
 * (a host pointer where a device pointer is needed). */
MIRT_API mirt_status mirt_context_set_tensor_address(mirt_context* context, mirt_string_view name, void* address);

/* Gives the context the device memory its runs use (TensorRT's setDeviceMemory): size bytes at
 * memory, in the backend's device memory (host memory for the CPU backend), 64-byte aligned, at
 * least mirt_engine_device_memory_size_for_profile(context's profile) bytes. The context does not
 * own it: the caller keeps it valid, and unused by anything else, until the context is destroyed or
 * given another block, and until the runs enqueued with it have finished. A context that allocated
 * its own memory frees it on this call; a call between runs swaps blocks (the runs already enqueued
 * on a device stream keep using the old one: synchronize first). INVALID_ARGUMENT names the sizes when the block is too small,
 * and says so for a NULL or misaligned block. Buffers the context sizes at run time (tensors whose
 * size depends on shape tensor values beyond the plan) stay its own allocations.
 * Not thread-safe against other calls on the same context. */
MIRT_API mirt_status mirt_context_set_device_memory(mirt_context* context, void* memory, uint64_t size);

/* Sets (non-NULL) or removes (NULL) the context's input-consumed event (TensorRT's
 * setInputConsumedEvent): a backend event (a cudaEvent_t of the engine's device on the CUDA
 * backend) that each mirt_context_enqueue records on its stream once no later layer reads the
 * network's inputs, so the caller may refill the input buffers after the event completes,
 * while the rest of the run goes on. Backends without events run synchronously (the CPU backend):
 * there the event is never touched, and the inputs are consumed when mirt_context_enqueue returns.
 * The context does not own the event. Not thread-safe against other calls on the same context. */
MIRT_API mirt_status mirt_context_set_input_consumed_event(mirt_context* context, void* event);

/* Sets aside `bytes` of the device's persisting L2 cache for this context's activation memory
 * (TensorRT's setPersistentCacheLimit): each later enqueue sets the device's persisting-cache limit
 * (cudaLimitPersistingL2CacheSize, device-wide) and an access-policy window over the activation
 * memory on its stream (not the default stream). 0 turns it off again. INVALID_ARGUMENT names both
 * sizes when bytes exceeds the device's maximum (0 on backends without such a cache, like the CPU
 * backend). Not thread-safe against other calls on the same context. */
MIRT_API mirt_status mirt_context_set_persistent_cache_limit(mirt_context* context, size_t bytes);

/* Turns graph replay on (enable 1) or off (0) (ONNX Runtime's enable_cuda_graph): each enqueue
 * records the run into a device graph (a CUDA graph on the CUDA backend) the first time, and later
 * enqueues with the same input shapes and tensor addresses launch that graph, which skips the
 * host's per-layer launch work; a change of shapes or addresses records again. The outputs are
 * those of a plain run. Runs that cannot be recorded run plainly, and the context keeps running
 * plainly after it logs a warning saying why: a run on the default stream, a network whose shapes
 * depend on data, a profiler or an input-consumed event set, a layer that synchronizes or draws
 * random numbers anew each run. UNSUPPORTED (naming the backend) when the backend has no graphs
 * (the CPU backend). Not thread-safe against other calls on the same context. */
MIRT_API mirt_status mirt_context_set_graph_replay(mirt_context* context, int32_t enable);

/* Runs the network on stream (a backend stream, e.g. a cudaStream_t; NULL for the backend default;
 * the CPU backend runs synchronously). FAILED_PRECONDITION names any input whose shape or any I/O
 * tensor whose address is missing, or says that a context created with user_device_memory has no
 * memory yet (naming the bytes it needs). */
MIRT_API mirt_status mirt_context_enqueue(mirt_context* context, void* stream);

/* Output allocation (TensorRT's IOutputAllocator). During mirt_context_enqueue, once the context
 * knows the shape of an output that has an allocator, it calls reallocate for the output's buffer
 * and, after the layer that produces it has run, notify_shape with its final shape.
 *   reallocate(user_data, tensor_name, current_memory, size, alignment): return memory of at least
 *     size bytes (size may be 0), aligned to at least alignment bytes, in the tensor's location
 *     (mirt_tensor_info.location: for DEVICE, e.g. from mirt_engine_alloc_device_memory).
 *     current_memory is what it returned last time for this tensor on this context (NULL the first
 *     time), so it may return it again when it is large enough. The allocator owns the memory: the
 *     context never frees it. Returning NULL for a size above 0 fails the enqueue (OUT_OF_MEMORY,
 *     naming the output and the size).
 *   notify_shape(user_data, tensor_name, rank, dims): the output's shape for this run; the data are
 *     complete once the stream is synchronized (at return, for the CPU backend). May be NULL.
 * Both are called on the thread that calls mirt_context_enqueue; tensor_name and dims are valid during
 * the call only. */
typedef void* (*mirt_reallocate_output_fn)(void* user_data, const char* tensor_name, void* current_memory,
                                           uint64_t size, uint64_t alignment);
typedef void (*mirt_notify_shape_fn)(void* user_data, const char* tensor_name, size_t rank, const int64_t* dims);

typedef struct mirt_output_allocator {
  uint32_t struct_size;
  mirt_reallocate_output_fn reallocate; /* required */
  mirt_notify_shape_fn notify_shape;    /* optional */
  void* user_data;                      /* passed to both; not owned by the context */
} mirt_output_allocator;
#define MIRT_OUTPUT_ALLOCATOR_INIT {sizeof(mirt_output_allocator), NULL, NULL, NULL}

/* Sets (allocator non-NULL; its fields are copied) or removes (NULL) the output allocator of output
 * `name`. While one is set, the context takes the output's buffer from it on every enqueue instead
 * of the address set with mirt_context_set_tensor_address. Outputs with a data-dependent shape
 * (mirt_engine_is_data_dependent) need one: enqueue fails with FAILED_PRECONDITION naming them
 * otherwise. NOT_FOUND when name is not an output; INVALID_ARGUMENT when reallocate is NULL.
 * Not thread-safe against a concurrent enqueue on the same context. */
MIRT_API mirt_status mirt_context_set_output_allocator(mirt_context* context, mirt_string_view name,
                                                       const mirt_output_allocator* allocator);

/* Per-layer timing: called once per layer, in execution order, during each mirt_context_enqueue,
 * with the layer's name, its op type, the kernel (tactic) it runs and its time in milliseconds. */
typedef void (*mirt_layer_time_fn)(void* user_data, const char* layer_name, const char* op_type,
                                   const char* tactic, float milliseconds);

/* Sets (fn non-NULL) or removes (fn NULL) the context's profiler. While one is set, enqueue
 * synchronizes the stream before the first layer and after every layer and times each on the host
 * clock, so the run becomes synchronous and layers never overlap: a profiling mode that costs a
 * synchronization per layer, not for production runs (and not for CUDA graph capture). fn is called
 * on the thread that calls enqueue; the strings are valid during the call only. The context does not
 * own user_data. Not thread-safe against a concurrent enqueue on the same context. */
MIRT_API mirt_status mirt_context_set_profiler(mirt_context* context, mirt_layer_time_fn fn, void* user_data);

#ifdef __cplusplus
}
#endif

#endif /* MIRT_RUNTIME_H */
