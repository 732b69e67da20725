/* mirt/backend.h — the kernel interface a backend module implements (DESIGN.md §4).
 *
 * At build time the builder shows the backend each node (mirt_node_info: op, attributes, input and
 * output types and shapes, -1 where dynamic, and the data of constant inputs) and asks for its
 * tactics. It records the chosen tactic in the plan. At run time the engine creates one kernel per
 * node from the same node info and tactic, and contexts execute it with concrete shapes.
 *
 * Concurrency: kernel_execute may run concurrently on one kernel from several contexts; any
 * per-call scratch must come from the workspace. Ops whose schema allows it (elementwise) may be
 * given an output buffer equal to an input buffer and must handle that.
 */
#ifndef MIRT_BACKEND_H
#define MIRT_BACKEND_H

#include "mirt/base.h"
#include "mirt/module.h"
#include "mirt/network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Type and shape of one tensor. dims[i] is -1 where unknown (build time only). */
typedef struct mirt_tensor_desc {
  mirt_dtype dtype; /* UNDEFINED marks an omitted optional input */
  uint32_t rank;
  int64_t dims[MIRT_MAX_RANK];
} mirt_tensor_desc;

/* One node of the graph as a backend sees it. All pointers are valid during the call only. */
typedef struct mirt_node_info {
  uint32_t struct_size;
  mirt_string_view name;
  mirt_string_view op_type;
  mirt_string_view domain;
  size_t num_inputs;
  const mirt_tensor_desc* inputs;
  const void* const* constant_data; /* num_inputs entries; row-major data of constant inputs, else NULL */
  size_t num_outputs;
  const mirt_tensor_desc* outputs;
  size_t num_attributes;
  const mirt_attribute* attributes;
  uint32_t precision_flags; /* mirt_precision_flag bits allowed for this node */
} mirt_node_info;

/* A candidate implementation of a node. */
typedef struct mirt_tactic_info {
  uint64_t id;   /* backend-defined, stable across versions of the module */
  char name[64]; /* shown by `mirt inspect`, e.g. "onednn_conv_nchw" */
} mirt_tactic_info;

/* A backend's runtime object for one node. */
typedef struct mirt_kernel mirt_kernel;

/* Buffers and concrete shapes of one execution. */
typedef struct mirt_kernel_io {
  uint32_t struct_size;
  size_t num_inputs;
  const mirt_tensor_desc* inputs;
  const void* const* input_data; /* NULL for omitted optional inputs */
  size_t num_outputs;
  const mirt_tensor_desc* outputs;
  void* const* output_data;
  void* workspace;
  size_t workspace_size;
  void* stream; /* backend stream; NULL for the default */
  /* since 0.1, appended (data-dependent outputs); read only when struct_size covers them.
   * For an output whose shape depends on the values computed (NonZero, Unique, ...), outputs[i]
   * has -1 dims and output_data[i] is NULL: once the kernel knows the shape (a device backend may
   * synchronize its stream to learn it) it calls allocate_output(allocator, i, rank, dims, &data)
   * for the buffer, then writes it. A non-NULL status from it is the kernel's to return from
   * kernel_execute (ownership passes with it). NULL when no output of this execution is
   * data-dependent; a kernel then checks the shape it computes against outputs[i]. */
  mirt_status (*allocate_output)(void* allocator, size_t output_index, uint32_t rank, const int64_t* dims,
                                 void** out_data);
  void* allocator;
} mirt_kernel_io;

typedef struct mirt_backend_vtable {
  uint32_t struct_size;
  /* since 0.1 */
  /* (optional) A short signature of the device ("x86_64", "sm_90"); default "". A plan records it; an engine refuses a plan
   * whose signature its backend does not accept (naming both). Static storage. */
  const char* (*device_signature)(void);
  /* Tactics for node, best first. Writes at most capacity entries and the total to out_count.
   * A node the backend cannot run gives out_count 0 and a status (UNSUPPORTED) saying why. */
  mirt_status (*get_tactics)(const mirt_node_info* node, mirt_tactic_info* out_tactics, uint32_t capacity,
                             uint32_t* out_count);
  /* Creates the kernel of node with tactic (one returned by get_tactics for the same node). */
  mirt_status (*kernel_create)(const mirt_node_info* node, uint64_t tactic, mirt_kernel** out_kernel);
  /* (optional) Workspace bytes kernel needs for these concrete shapes. Default: 0. */
  size_t (*kernel_workspace_size)(const mirt_kernel* kernel, const mirt_tensor_desc* inputs,
                                  const mirt_tensor_desc* outputs);
  mirt_status (*kernel_execute)(const mirt_kernel* kernel, const mirt_kernel_io* io);
  void (*kernel_destroy)(mirt_kernel* kernel);
  /* Device memory. alloc returns memory aligned to at least 64 bytes. */
  mirt_status (*memory_alloc)(size_t size, void** out_ptr);
  void (*memory_free)(void* ptr);
  mirt_status (*memory_copy)(void* dst, const void* src, size_t size, mirt_copy_kind kind, void* stream);
  /* (optional) Waits for all work on stream. Default: no-op. */
  mirt_status (*stream_synchronize)(void* stream);
  /* Where I/O buffers live for this backend. */
  mirt_tensor_location io_location;
  /* appended in 0.1 (devices, events, cache control, profiler ranges); all (optional) */
  /* Makes device device_id current on the calling thread. The host calls it at the start of each
   * entry point that reaches the backend (build, engine creation, context creation, enqueue, the
   * memory calls), so the calls that follow on that thread use that device. Fails with
   * INVALID_ARGUMENT naming the id and the device count when there is no such device.
   * Default: one device, id 0. */
  mirt_status (*set_device)(int32_t device_id);
  /* Records event (a backend event, e.g. a cudaEvent_t) on stream. Default: no events (a
   * backend that runs synchronously: its work is done when the call returns). */
  mirt_status (*event_record)(void* event, void* stream);
  /* Bytes of cache the current device can set aside for persisting accesses (0: none).
   * Default: 0. */
  size_t (*persisting_cache_max)(void);
  /* Sets aside limit bytes of persisting cache on the current device and makes stream's accesses
   * to [base, base + size) persist in it (limit 0: back to normal caching). */
  mirt_status (*stream_set_persisting_window)(void* stream, void* base, size_t size, size_t limit);
  /* Opens and closes a named range on stream for profilers (NVTX ranges on CUDA); name is valid
   * during the call only. Default: none. */
  void (*range_push)(const char* name, void* stream);
  void (*range_pop)(void* stream);
  /* Whether ptr is memory this backend's kernels can address as I/O of location DEVICE: 1 yes,
   * 0 no (host memory), -1 unknown. Default: unknown. */
  int32_t (*is_device_memory)(const void* ptr);
  /* appended in 0.1 (tactic timing by the device's clock); (optional) */
  /* The device time of one call of run(user), in milliseconds (*out_ms), for the builder's tactic
   * timing: the backend keeps the device busy while the host issues `calls` calls of run back to
   * back on stream, and measures them by the device's clock (CUDA events on CUDA), so that host-side
   * launch costs do not count. run is called on the calling thread and returns NULL or a status;
   * a status ends the timing and is returned as this call's result (ownership passes back to the
   * caller). Called by one thread at a time for a stream. Default: the builder synchronizes after
   * each call and reads the host clock. */
  mirt_status (*time_calls)(mirt_status (*run)(void* user), void* user, void* stream, int32_t calls, float* out_ms);
  /* appended in 0.1 (graph replay, mirt_context_set_graph_replay); all four or none (optional) */
  /* Starts recording, instead of running, the work the calling thread issues on stream (CUDA
   * stream capture in thread-local mode on CUDA). Fails without side effects where stream cannot
   * record (UNSUPPORTED for the default stream on CUDA). */
  mirt_status (*graph_record_begin)(void* stream);
  /* Ends the recording on stream; nothing recorded has run yet. On success *out_graph is an
   * executable graph of it, owned by the caller (graph_destroy). previous (NULL or a graph this
   * backend made) may be updated in place and returned instead of a new one; when it is not
   * returned it stays the caller's. A recording a call broke (a synchronization, a call that
   * cannot be recorded) fails with a status saying why, and the stream is back to normal. */
  mirt_status (*graph_record_end)(void* stream, void* previous, void** out_graph);
  /* Runs graph on stream, as the recorded calls would have run. */
  mirt_status (*graph_launch)(void* graph, void* stream);
  void (*graph_destroy)(void* graph);
} mirt_backend_vtable;

#ifdef __cplusplus
}
#endif

#endif /* MIRT_BACKEND_H */
