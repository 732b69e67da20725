// core/runtime/context.hpp — an execution context: input shapes, buffers, activation memory, runs.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/runtime/engine.hpp"
#include "mirt/runtime.h"

namespace mirt {

class context {
 public:
  // user_memory: allocate no activation memory or workspace; set_device_memory gives them.
  // nvtx: a profiler range around each layer's launch (also on with environment MIRT_NVTX=1).
  static result<std::unique_ptr<context>> create(std::shared_ptr<const engine> e, uint32_t profile,
                                                 bool user_memory = false, bool nvtx = false);

  status set_input_shape(std::string_view name, const std::vector<int64_t>& shape);
  result<std::vector<int64_t>> tensor_shape(std::string_view name);
  status set_tensor_address(std::string_view name, void* address);
  status enqueue(void* stream);
  // Runs use memory (the caller's, at least engine memory_of(profile)->total() bytes) from now on.
  status set_device_memory(void* memory, uint64_t size);
  // Recorded on the stream once no later layer reads the inputs (NULL: none).
  void set_input_consumed_event(void* event) { input_consumed_event_ = event; }
  // Persisting cache bytes for the activation memory (0: none); checked against the device's maximum.
  status set_persistent_cache_limit(size_t bytes);
  // Per-layer timing (mirt_context_set_profiler); NULL fn removes it.
  void set_profiler(mirt_layer_time_fn fn, void* user_data) { profiler_ = fn, profiler_data_ = user_data; }
  // Sets (non-NULL) or removes the output allocator of output `name` (mirt_context_set_output_allocator).
  status set_output_allocator(std::string_view name, const mirt_output_allocator* allocator);

  // Graph replay (mirt_context_set_graph_replay); UNSUPPORTED where the backend has no graphs.
  status set_graph_replay(bool enable);

  const engine& owner() const { return *engine_; }

  context() = default;
  context(const context&) = delete;  // it owns its recorded graph
  context& operator=(const context&) = delete;
  ~context() { drop_graph(); }

 private:
  // One node's launch, ready to go: concrete descs and addresses.
  struct launch {
    std::vector<mirt_tensor_desc> inputs, outputs;
    std::vector<const void*> input_data;
    std::vector<void*> output_data;
  };

  status refresh_shapes();
  // Reads every shape tensor input's values from its host address; marks shapes dirty on a change.
  status refresh_shape_values();
  // Private buffers for arena tensors that outgrow their planned bytes, and a larger workspace.
  status fit_memory();
  status refresh_launches();
  void* address_of(int t);
  // Applies the persisting-cache window to stream when the limit, stream or memory changed.
  status apply_cache_window(void* stream);
  status run_layers(void* stream);
  // I/O tensors that need an address (or, for data-dependent outputs, an allocator) and have none.
  status check_io_bound() const;
  status copy_shape_inputs(void* stream);

  // ---- Graph replay (graph_replay.cpp) ----
  // Runs the layers through the backend's graph: launches the recorded one, records one, or (the
  // first run after launches change, which may set up kernels' lazy state) runs plainly.
  status run_replayed(void* stream);
  // Why runs on stream cannot be recorded ("" when they can).
  std::string replay_obstacle(void* stream) const;
  // Turns replay off for good (until set_graph_replay), with a warning saying why.
  void stop_replay(const std::string& why);
  void drop_graph();

  // ---- Data-dependent shapes (dynamic_run.cpp) ----
  struct output_binding {
    mirt_output_allocator fns{};
    void* memory = nullptr;  // what reallocate returned last
  };
  struct output_sink;  // what a kernel's allocate_output call reaches
  // Runs a network with data-dependent shapes: each pending node is re-inferred from its inputs'
  // run-time shapes (reading small inputs back to the host when its shape depends on their values),
  // sized, and run; a node whose output shape only its kernel knows sizes it through the callback.
  status enqueue_dynamic(void* stream);
  // Reads node n's small inputs whose values are unknown back to the host; true when it read any.
  result<bool> read_back_inputs(int n, std::vector<tensor_type>& types, const std::vector<void*>& at, void* stream);
  // The buffer of tensor t (a data-dependent one) at `bytes`: from its allocator, else the context's.
  result<void*> dynamic_buffer(int t, uint64_t bytes);
  // Output t's buffer from its allocator for this run.
  result<void*> allocate_output(int t, uint64_t bytes);
  // Takes every allocator-bound output with a known shape from its allocator (before a run).
  status allocate_known_outputs();
  void notify_shapes(const std::vector<tensor_type>& types) const;

  std::shared_ptr<const engine> engine_;
  uint32_t profile_ = 0;
  std::unordered_map<int, std::vector<int64_t>> input_shapes_;
  std::unordered_map<int, void*> addresses_;
  std::vector<const profile_input*> shape_inputs_;  // this profile's shape tensor inputs
  std::unordered_map<int, std::vector<int64_t>> input_values_;  // their current values
  // Device copies of shape tensor inputs for backends whose I/O is not host memory.
  std::unordered_map<int, std::shared_ptr<void>> shape_input_copies_;
  // Tensors whose shape (through shape tensor values) needs more bytes than planned, with sizes.
  std::unordered_map<int, std::pair<std::shared_ptr<void>, uint64_t>> own_buffers_;
  std::vector<tensor_type> types_;
  std::vector<uint64_t> planned_bytes_;  // arena bytes reserved per tensor
  std::vector<launch> launches_;
  bool shapes_dirty_ = true;
  bool launches_dirty_ = true;
  std::shared_ptr<void> arena_;
  std::shared_ptr<void> workspace_;
  size_t workspace_size_ = 0;
  void* input_consumed_event_ = nullptr;
  bool nvtx_ = false;
  size_t cache_limit_ = 0;
  struct cache_window {
    void* stream = nullptr;
    void* base = nullptr;
    size_t limit = 0;
  } applied_window_;
  bool dynamic_ = false;       // some shape is known only while the network runs
  std::vector<bool> pending_;  // per node: an operand's shape is data-dependent, re-inferred at run time
  std::unordered_map<int, output_binding> allocators_;
  // Buffers of intermediate tensors with data-dependent shapes, with their sizes.
  std::unordered_map<int, std::pair<std::shared_ptr<void>, uint64_t>> run_buffers_;
  mirt_layer_time_fn profiler_ = nullptr;
  void* profiler_data_ = nullptr;
  // Graph replay: launches_ is rebuilt under a new generation; the graph and the plain warm-up run
  // belong to the generation they saw.
  bool replay_ = false;
  void* graph_ = nullptr;  // the backend's executable graph
  uint64_t launches_generation_ = 0, graph_generation_ = 0, warm_generation_ = 0;
};

}  // namespace mirt
