// core/runtime/dynamic_run.cpp — runs a network whose shapes are known only as it runs (TensorRT's
// data-dependent shapes): NonZero-like layers size their outputs from the data they compute, and
// layers whose shapes depend on computed values (a Resize fed float scales, a Reshape of a computed
// shape) read those small tensors back to the host and are re-inferred there before they run.
#include <chrono>

#include "core/base/c_status.hpp"
#include "core/graph/known_values.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/runtime/context.hpp"

namespace mirt {

// What a kernel's allocate_output call reaches: the run's types and buffers.
struct context::output_sink {
  context* self = nullptr;
  int node = -1;
  std::vector<tensor_type>* types = nullptr;
  std::vector<void*>* at = nullptr;
  std::vector<bool> reported;  // per output of the node
};

namespace {

std::string layer_of(const node& n) { return cat(n.op_type, " '", n.name, "'"); }

}  // namespace

result<void*> context::dynamic_buffer(int t, uint64_t bytes) {
  if (allocators_.count(t)) return allocate_output(t, bytes);
  auto& own = run_buffers_[t];
  if (own.second < bytes || !own.first) {
    MIRT_ASSIGN_OR_RETURN(own.first, engine_->target().allocate(std::max<uint64_t>(bytes, 1),
                                                                cat("tensor '", engine_->plan().network.tensors[t].name, "'")));
    own.second = std::max<uint64_t>(bytes, 1);
  }
  return own.first.get();
}

result<bool> context::read_back_inputs(int n, std::vector<tensor_type>& types, const std::vector<void*>& at,
                                       void* stream) {
  const node& nd = engine_->plan().network.nodes[n];
  std::vector<std::pair<int, std::vector<std::byte>>> copies;
  for (int t : nd.inputs) {
    if (t < 0 || types[t].values || types[t].float_values || !can_track_values(types[t]) || !at[t]) continue;
    std::vector<std::byte> host(byte_size(to_desc(types[t])));
    MIRT_RETURN_IF_ERROR(engine_->target().copy(host.data(), at[t], host.size(), MIRT_COPY_KIND_DEVICE_TO_HOST, stream));
    copies.emplace_back(t, std::move(host));
  }
  if (copies.empty()) return false;
  MIRT_RETURN_IF_ERROR(engine_->target().synchronize(stream));
  for (auto& [t, host] : copies) set_known_values(types[t], host.data());
  return true;
}

status context::enqueue_dynamic(void* stream) {
  const graph& g = engine_->plan().network;
  MIRT_RETURN_IF_ERROR(check_io_bound());
  MIRT_RETURN_IF_ERROR(allocate_known_outputs());
  MIRT_RETURN_IF_ERROR(copy_shape_inputs(stream));
  MIRT_RETURN_IF_ERROR(apply_cache_window(stream));
  std::vector<tensor_type> types = types_;
  std::vector<void*> at(g.tensors.size(), nullptr);
  for (size_t t = 0; t < g.tensors.size(); ++t)
    if (shape_known(types_[t])) at[t] = address_of(static_cast<int>(t));

  // A kernel that computes an output's shape asks for its buffer here.
  auto allocate = [](void* allocator, size_t o, uint32_t rank, const int64_t* dims, void** out_data) -> mirt_status {
    auto* sink = static_cast<output_sink*>(allocator);
    const node& nd = sink->self->engine_->plan().network.nodes[sink->node];
    if (o >= nd.outputs.size() || !out_data || (rank && !dims) || rank > MIRT_MAX_RANK)
      return to_c_status(make_error(MIRT_STATUS_INVALID_ARGUMENT, layer_of(nd), ": allocate_output got output ", o,
                                    " of ", nd.outputs.size(), ", rank ", rank));
    const int t = nd.outputs[o];
    tensor_type& type = (*sink->types)[t];
    if (rank != type.shape.size())
      return to_c_status(make_error(MIRT_STATUS_INTERNAL, layer_of(nd), ": output ", o, " has rank ", rank,
                                    ", its inferred rank is ", type.shape.size()));
    for (uint32_t d = 0; d < rank; ++d) {
      if (dims[d] < 0 || (type.shape[d].known() && type.shape[d].value != dims[d]))
        return to_c_status(make_error(MIRT_STATUS_INTERNAL, layer_of(nd), ": output ", o, " reported shape ",
                                      to_string(std::vector<int64_t>(dims, dims + rank)), ", which does not fit ",
                                      to_string(type.shape)));
      type.shape[d].value = dims[d];
    }
    result<void*> buffer = sink->self->dynamic_buffer(t, byte_size(to_desc(type)));
    if (!buffer.ok()) return to_c_status(buffer.error());
    (*sink->at)[t] = *buffer;
    *out_data = *buffer;
    sink->reported[o] = true;
    return nullptr;
  };

  if (profiler_) MIRT_RETURN_IF_ERROR(engine_->target().synchronize(stream));
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const node& nd = g.nodes[n];
    const auto start = std::chrono::steady_clock::now();
    std::vector<mirt_tensor_desc> ins, outs;
    std::vector<const void*> in_data;
    std::vector<void*> out_data;
    output_sink sink{this, static_cast<int>(n), &types, &at, std::vector<bool>(nd.outputs.size(), true)};
    bool computes_shapes = false;
    if (pending_[n]) {
      // Re-infer from the inputs' run-time shapes; if that leaves an output unknown, its shape may
      // depend on small inputs' values: read them back and infer again.
      MIRT_RETURN_IF_ERROR(infer_node(g, static_cast<int>(n), types), "at run time");
      bool known = true;
      for (int t : nd.outputs) known = known && shape_known(types[t]);
      if (!known) {
        MIRT_ASSIGN_OR_RETURN(bool read, read_back_inputs(static_cast<int>(n), types, at, stream));
        if (read) MIRT_RETURN_IF_ERROR(infer_node(g, static_cast<int>(n), types), "at run time");
      }
      for (size_t o = 0; o < nd.outputs.size(); ++o) {
        const int t = nd.outputs[o];
        if (!types[t].rank_known)
          return make_error(MIRT_STATUS_INVALID_SHAPE, layer_of(nd), ": the rank of output ", o,
                            " is unknown at run time");
        if (!shape_known(types[t])) {
          // Only the kernel knows this shape: it reports it through allocate_output.
          sink.reported[o] = false;
          computes_shapes = true;
          at[t] = nullptr;
        } else if (!shape_known(types_[t])) {
          MIRT_ASSIGN_OR_RETURN(at[t], dynamic_buffer(t, byte_size(to_desc(types[t]))));
        }
      }
    }
    for (int t : nd.inputs) {
      ins.push_back(t >= 0 ? to_desc(types[t]) : mirt_tensor_desc{});
      in_data.push_back(t >= 0 ? at[t] : nullptr);
    }
    for (int t : nd.outputs) {
      outs.push_back(to_desc(types[t]));
      out_data.push_back(at[t]);
    }
    if (pending_[n] && !computes_shapes) {
      const size_t workspace = engine_->kernel_of(n).workspace_size(ins.data(), outs.data());
      if (workspace > workspace_size_) {
        MIRT_ASSIGN_OR_RETURN(workspace_, engine_->target().allocate(workspace, "a context's kernel workspace"));
        workspace_size_ = workspace;
      }
    }
    mirt_kernel_io io{sizeof(mirt_kernel_io), ins.size(), ins.data(), in_data.data(), outs.size(), outs.data(),
                      out_data.data(), workspace_.get(), workspace_size_, stream,
                      computes_shapes ? +allocate : nullptr, computes_shapes ? &sink : nullptr};
    MIRT_RETURN_IF_ERROR(engine_->kernel_of(n).execute(io, nd.name));
    for (size_t o = 0; o < nd.outputs.size(); ++o)
      if (!sink.reported[o])
        return make_error(MIRT_STATUS_INTERNAL, layer_of(nd), ": the kernel did not report the shape of output ", o,
                          " '", g.tensors[nd.outputs[o]].name, "', which depends on the data (allocate_output)");
    if (profiler_) {
      MIRT_RETURN_IF_ERROR(engine_->target().synchronize(stream));
      const float ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start).count();
      const plan_model& plan = engine_->plan();
      profiler_(profiler_data_, nd.name.c_str(), nd.op_type.c_str(),
                n < plan.kernels.size() ? plan.kernels[n].tactic_name.c_str() : "", ms);
    }
  }
  // The inputs are consumed once every layer has run (read-backs may read them late).
  if (input_consumed_event_) MIRT_RETURN_IF_ERROR(engine_->target().record_event(input_consumed_event_, stream));
  // Outputs that no layer writes: constants (their shapes are static).
  for (int t : g.outputs) {
    const tensor& x = g.tensors[t];
    if (x.producer >= 0 || x.is_input) continue;
    auto bound = allocators_.find(t);
    void* dst = bound != allocators_.end() ? bound->second.memory : addresses_[t];
    MIRT_RETURN_IF_ERROR(engine_->target().copy(dst, engine_->constant_address(t), byte_size(to_desc(types[t])),
                                                MIRT_COPY_KIND_DEVICE_TO_DEVICE, stream));
  }
  notify_shapes(types);
  return {};
}

}  // namespace mirt
