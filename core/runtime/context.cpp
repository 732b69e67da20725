// core/runtime/context.cpp — shape checks against the profile, shape inference, and the run loop.
#include "core/runtime/context.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <numeric>

#include "core/graph/known_values.hpp"
#include "core/graph/shape_inference.hpp"
#include "core/runtime/shape_tensor_inputs.hpp"

namespace mirt {

namespace {

std::vector<int> execution_order(const graph& g) {
  std::vector<int> order(g.nodes.size());
  std::iota(order.begin(), order.end(), 0);
  return order;
}

}  // namespace

result<std::unique_ptr<context>> context::create(std::shared_ptr<const engine> e, uint32_t profile,
                                                  bool user_memory, bool nvtx) {
  const plan_model& plan = e->plan();
  if (profile >= plan.profiles.size())
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "profile ", profile, " does not exist; the plan has ",
                      plan.profiles.size());
  MIRT_ASSIGN_OR_RETURN(const profile_memory* needs, e->memory_of(profile));
  auto c = std::unique_ptr<context>(new context());
  c->engine_ = e;
  c->profile_ = profile;
  c->planned_bytes_ = needs->planned_bytes;
  c->workspace_size_ = needs->workspace;
  const char* env = std::getenv("MIRT_NVTX");
  c->nvtx_ = nvtx || (env != nullptr && std::string_view(env) == "1");
  if (!user_memory) {
    MIRT_ASSIGN_OR_RETURN(c->arena_, e->target().allocate(needs->arena, "a context's activation memory"));
    if (c->workspace_size_) {
      MIRT_ASSIGN_OR_RETURN(c->workspace_, e->target().allocate(c->workspace_size_, "a context's kernel workspace"));
    }
  } else if (needs->total() == 0) {
    static std::byte nothing[64];  // no tensor lives in the arena: there is nothing to give
    c->arena_ = std::shared_ptr<void>(nothing, [](void*) {});
  }
  for (const profile_input& in : plan.profiles[profile].inputs) {
    if (in.is_shape_tensor()) c->shape_inputs_.push_back(&in);
    // Inputs without dynamic dims need no set_input_shape call.
    if (in.min == in.max) c->input_shapes_[in.tensor] = in.min;
  }
  return c;
}

status context::set_device_memory(void* memory, uint64_t size) {
  MIRT_ASSIGN_OR_RETURN(const profile_memory* needs, engine_->memory_of(profile_));
  if (!memory)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "the device memory block is NULL; the context needs ",
                      needs->total(), " bytes (mirt_engine_device_memory_size)");
  if (reinterpret_cast<uintptr_t>(memory) % 64 != 0)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "the device memory block at ", memory,
                      " is not 64-byte aligned (mirt_engine_alloc_device_memory's blocks are)");
  if (size < needs->total())
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "the device memory block has ", size, " bytes, but profile ",
                      profile_, " needs ", needs->total(), " (", needs->arena, " of activations",
                      needs->workspace ? cat(" and ", needs->workspace, " of kernel workspace") : std::string(),
                      "; mirt_engine_device_memory_size)");
  auto* base = static_cast<std::byte*>(memory);
  arena_ = std::shared_ptr<void>(base, [](void*) {});
  // A workspace grown past the planned one (shape tensor values) stays the context's own.
  if (needs->workspace && workspace_size_ == needs->workspace)
    workspace_ = std::shared_ptr<void>(base + needs->workspace_offset(), [](void*) {});
  launches_dirty_ = true;
  return {};
}

status context::set_input_shape(std::string_view name, const std::vector<int64_t>& shape) {
  const graph& g = engine_->plan().network;
  int t = engine_->find_io(name);
  if (t < 0 || !g.tensors[t].is_input)
    return make_error(MIRT_STATUS_NOT_FOUND, "'", name, "' is not an input of this engine");
  const profile_input* range = nullptr;
  for (const profile_input& in : engine_->plan().profiles[profile_].inputs)
    if (in.tensor == t) range = &in;
  if (shape.size() != range->min.size())
    return make_error(MIRT_STATUS_INVALID_SHAPE, "input '", name, "': shape ", to_string(shape), " has rank ",
                      shape.size(), ", expected ", range->min.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < range->min[d] || shape[d] > range->max[d]) {
      if (range->min[d] == range->max[d])
        return make_error(MIRT_STATUS_INVALID_SHAPE, "input '", name, "': dim ", d, " is ", shape[d],
                          " but must be ", range->min[d]);
      return make_error(MIRT_STATUS_INVALID_SHAPE, "input '", name, "': dim ", d, " is ", shape[d],
                        ", outside the range [", range->min[d], ", ", range->max[d], "] of optimization profile ",
                        profile_);
    }
  }
  auto& current = input_shapes_[t];
  if (current != shape) {
    current = shape;
    shapes_dirty_ = launches_dirty_ = true;
  }
  return {};
}

status context::refresh_shape_values() {
  const graph& g = engine_->plan().network;
  for (const profile_input* in : shape_inputs_) {
    auto given = addresses_.find(in->tensor);
    MIRT_ASSIGN_OR_RETURN(std::vector<int64_t> values,
                          read_shape_values(g, *in, profile_, given == addresses_.end() ? nullptr : given->second));
    auto& current = input_values_[in->tensor];
    if (current != values) {
      current = std::move(values);
      shapes_dirty_ = launches_dirty_ = true;
    }
  }
  return {};
}

status context::fit_memory() {
  const graph& g = engine_->plan().network;
  const memory_plan& plan = engine_->plan().profiles[profile_].memory;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    const uint64_t bytes = byte_size(to_desc(types_[t]));
    if (plan.tensor_offsets[t] < 0 || bytes <= planned_bytes_[t]) continue;
    if (shape_inputs_.empty())
      return make_error(MIRT_STATUS_INVALID_SHAPE, "tensor '", g.tensors[t].name, "' needs ", bytes,
                        " bytes at shape ", to_string(types_[t].shape), ", more than the ", planned_bytes_[t],
                        " planned for profile ", profile_);
    auto& own = own_buffers_[static_cast<int>(t)];
    if (own.second >= bytes) continue;
    MIRT_ASSIGN_OR_RETURN(own.first, engine_->target().allocate(bytes, cat("tensor '", g.tensors[t].name, "'")));
    own.second = bytes;
  }
  if (shape_inputs_.empty()) return {};
  size_t workspace = 0;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (!operands_known(g.nodes[n], types_)) continue;
    std::vector<mirt_tensor_desc> ins, outs;
    for (int t : g.nodes[n].inputs) ins.push_back(t >= 0 ? to_desc(types_[t]) : mirt_tensor_desc{});
    for (int t : g.nodes[n].outputs) outs.push_back(to_desc(types_[t]));
    workspace = std::max(workspace, engine_->kernel_of(n).workspace_size(ins.data(), outs.data()));
  }
  if (workspace > workspace_size_) {
    MIRT_ASSIGN_OR_RETURN(workspace_, engine_->target().allocate(workspace, "a context's kernel workspace"));
    workspace_size_ = workspace;
  }
  for (const profile_input* in : shape_inputs_) {
    const uint64_t bytes = byte_size(to_desc(types_[in->tensor]));
    if (engine_->target().io_location() == MIRT_TENSOR_LOCATION_HOST || bytes == 0) continue;
    auto& copy = shape_input_copies_[in->tensor];
    if (copy) continue;
    MIRT_ASSIGN_OR_RETURN(copy, engine_->target().allocate(bytes, "a shape tensor input's device copy"));
  }
  return {};
}

status context::refresh_shapes() {
  MIRT_RETURN_IF_ERROR(refresh_shape_values());
  if (!shapes_dirty_) return {};
  const graph& g = engine_->plan().network;
  std::string missing;
  for (int t : g.inputs)
    if (!input_shapes_.count(t)) missing += (missing.empty() ? "'" : ", '") + g.tensors[t].name + "'";
  if (!missing.empty())
    return make_error(MIRT_STATUS_FAILED_PRECONDITION, "set the shape of input ", missing,
                      " first (mirt_context_set_input_shape)");
  MIRT_ASSIGN_OR_RETURN(types_, infer_types(g, execution_order(g), input_shapes_, input_values_));
  pending_.assign(g.nodes.size(), false);
  dynamic_ = false;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    pending_[n] = !operands_known(g.nodes[n], types_);
    dynamic_ = dynamic_ || pending_[n];
  }
  MIRT_RETURN_IF_ERROR(fit_memory());
  shapes_dirty_ = false;
  return {};
}

result<std::vector<int64_t>> context::tensor_shape(std::string_view name) {
  int t = engine_->find_io(name);
  if (t < 0) return make_error(MIRT_STATUS_NOT_FOUND, "'", name, "' is not an input or output of this engine");
  MIRT_RETURN_IF_ERROR(refresh_shapes());
  std::vector<int64_t> out;
  for (const dim& d : types_[t].shape) out.push_back(d.value);
  return out;
}

status context::set_tensor_address(std::string_view name, void* address) {
  int t = engine_->find_io(name);
  if (t < 0) return make_error(MIRT_STATUS_NOT_FOUND, "'", name, "' is not an input or output of this engine");
  if (!address) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "tensor '", name, "': the address is NULL");
  // Shape tensor inputs are read on the host; every other I/O tensor lives in the backend's location.
  const backend& target = engine_->target();
  if (target.io_location() == MIRT_TENSOR_LOCATION_DEVICE && !engine_->is_shape_tensor(t) &&
      target.is_device_memory(address) == 0)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "tensor '", name, "': ", address,
                      " is host memory, but backend '", target.name(),
                      "' needs device memory for it (its location is DEVICE): allocate it with "
                      "mirt_engine_alloc_device_memory (or the backend's allocator) and copy the data there");
  auto [at, added] = addresses_.try_emplace(t, address);
  if (added || at->second != address) launches_dirty_ = true;  // the same address again changes nothing
  at->second = address;
  return {};
}

void* context::address_of(int t) {
  const tensor& x = engine_->plan().network.tensors[t];
  if (x.constant >= 0) return const_cast<void*>(engine_->constant_address(t));
  if (auto copy = shape_input_copies_.find(t); copy != shape_input_copies_.end()) return copy->second.get();
  if (auto bound = allocators_.find(t); bound != allocators_.end()) return bound->second.memory;
  auto given = addresses_.find(t);
  if (given != addresses_.end()) return given->second;
  if (auto own = own_buffers_.find(t); own != own_buffers_.end()) return own->second.first.get();
  const memory_plan& memory = engine_->plan().profiles[profile_].memory;
  if (size_t(t) < memory.input_aliases.size() && memory.input_aliases[t] >= 0) return address_of(memory.input_aliases[t]);
  int64_t offset = memory.tensor_offsets[t];
  return offset >= 0 ? static_cast<std::byte*>(arena_.get()) + offset : nullptr;
}

status context::check_io_bound() const {
  const graph& g = engine_->plan().network;
  std::string missing, unallocated;
  for (int t : engine_->io_tensors()) {
    if (allocators_.count(t)) continue;
    if (!shape_known(types_[t]))
      unallocated += (unallocated.empty() ? "'" : ", '") + g.tensors[t].name + "' (" + to_string(types_[t].shape) + ")";
    else if (!addresses_.count(t) && byte_size(to_desc(types_[t])) > 0)
      missing += (missing.empty() ? "'" : ", '") + g.tensors[t].name + "'";
  }
  if (!unallocated.empty())
    return make_error(MIRT_STATUS_FAILED_PRECONDITION, "output ", unallocated,
                      " has a data-dependent shape, known only while the network runs; give it an output allocator "
                      "(mirt_context_set_output_allocator)");
  if (!missing.empty())
    return make_error(MIRT_STATUS_FAILED_PRECONDITION, "no address is set for tensor ", missing,
                      " (mirt_context_set_tensor_address)");
  return {};
}

status context::copy_shape_inputs(void* stream) {
  // Shape tensor inputs live in host memory; device backends get their values copied in.
  for (const auto& [t, copy] : shape_input_copies_)
    MIRT_RETURN_IF_ERROR(engine_->target().copy(copy.get(), addresses_.at(t), byte_size(to_desc(types_[t])),
                                                MIRT_COPY_KIND_HOST_TO_DEVICE, stream));
  return {};
}

status context::refresh_launches() {
  MIRT_RETURN_IF_ERROR(refresh_shapes());
  if (!launches_dirty_) return {};
  const graph& g = engine_->plan().network;
  MIRT_RETURN_IF_ERROR(check_io_bound());
  launches_.assign(g.nodes.size(), {});
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    launch& l = launches_[n];
    for (int t : g.nodes[n].inputs) {
      l.inputs.push_back(t >= 0 ? to_desc(types_[t]) : mirt_tensor_desc{});
      l.input_data.push_back(t >= 0 ? address_of(t) : nullptr);
    }
    for (int t : g.nodes[n].outputs) {
      l.outputs.push_back(to_desc(types_[t]));
      l.output_data.push_back(address_of(t));
    }
  }
  launches_dirty_ = false;
  ++launches_generation_;
  return {};
}

status context::set_persistent_cache_limit(size_t bytes) {
  MIRT_RETURN_IF_ERROR(engine_->target().use_device());
  const size_t max = engine_->target().persisting_cache_max();
  if (bytes > max)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "a persistent cache limit of ", bytes,
                      " bytes exceeds the device's maximum of ", max, " bytes (backend '", engine_->target().name(),
                      "', device ", engine_->target().device_id(), ")");
  if (bytes != cache_limit_) launches_dirty_ = true;  // a recorded graph keeps the window it was recorded with
  cache_limit_ = bytes;
  return {};
}

status context::apply_cache_window(void* stream) {
  const cache_window wanted{stream, arena_.get(), cache_limit_};
  if (wanted.limit == 0 && applied_window_.limit == 0) return {};
  if (wanted.stream == applied_window_.stream && wanted.base == applied_window_.base && wanted.limit == applied_window_.limit)
    return {};
  MIRT_ASSIGN_OR_RETURN(const profile_memory* needs, engine_->memory_of(profile_));
  MIRT_RETURN_IF_ERROR(engine_->target().set_persisting_window(stream, wanted.base, needs->arena, wanted.limit));
  applied_window_ = wanted;
  return {};
}

status context::enqueue(void* stream) {
  MIRT_RETURN_IF_ERROR(engine_->target().use_device());
  if (!arena_) {
    MIRT_ASSIGN_OR_RETURN(const profile_memory* needs, engine_->memory_of(profile_));
    return make_error(MIRT_STATUS_FAILED_PRECONDITION, "the context was created without device memory; give it ",
                      needs->total(), " bytes with mirt_context_set_device_memory first");
  }
  MIRT_RETURN_IF_ERROR(refresh_shapes());
  if (dynamic_) {
    if (replay_) stop_replay("the network's shapes depend on its data");
    return enqueue_dynamic(stream);
  }
  MIRT_RETURN_IF_ERROR(allocate_known_outputs());
  MIRT_RETURN_IF_ERROR(refresh_launches());
  MIRT_RETURN_IF_ERROR(copy_shape_inputs(stream));
  MIRT_RETURN_IF_ERROR(apply_cache_window(stream));
  if (replay_) {
    const std::string obstacle = replay_obstacle(stream);
    if (!obstacle.empty()) stop_replay(obstacle);
  }
  MIRT_RETURN_IF_ERROR(replay_ ? run_replayed(stream) : run_layers(stream));
  notify_shapes(types_);
  return {};
}

status context::run_layers(void* stream) {
  const graph& g = engine_->plan().network;
  const backend& target = engine_->target();
  const bool ranges = nvtx_ && target.has_ranges();
  // The inputs are consumed once the last layer that reads one has run (before any, when none does).
  const int last_reader = engine_->last_input_reader();
  if (input_consumed_event_ && last_reader < 0) MIRT_RETURN_IF_ERROR(target.record_event(input_consumed_event_, stream));
  // With a profiler, each layer is timed between two synchronizations of the stream.
  if (profiler_) MIRT_RETURN_IF_ERROR(engine_->target().synchronize(stream));
  for (size_t n = 0; n < launches_.size(); ++n) {
    const launch& l = launches_[n];
    mirt_kernel_io io{sizeof(mirt_kernel_io), l.inputs.size(), l.inputs.data(), l.input_data.data(),
                      l.outputs.size(), l.outputs.data(), l.output_data.data(), workspace_.get(), workspace_size_,
                      stream};
    const auto start = std::chrono::steady_clock::now();
    if (ranges) target.range_push(g.nodes[n].name.c_str(), stream);
    const status run = engine_->kernel_of(n).execute(io, g.nodes[n].name);
    if (ranges) target.range_pop(stream);
    MIRT_RETURN_IF_ERROR(run);
    if (input_consumed_event_ && static_cast<int>(n) == last_reader)
      MIRT_RETURN_IF_ERROR(target.record_event(input_consumed_event_, stream));
    if (profiler_) {
      MIRT_RETURN_IF_ERROR(engine_->target().synchronize(stream));
      const float ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start).count();
      const plan_model& plan = engine_->plan();
      profiler_(profiler_data_, g.nodes[n].name.c_str(), g.nodes[n].op_type.c_str(),
                n < plan.kernels.size() ? plan.kernels[n].tactic_name.c_str() : "", ms);
    }
  }
  // Outputs that no layer writes: constants and pass-through inputs.
  for (int t : g.outputs) {
    const tensor& x = g.tensors[t];
    if (x.producer >= 0 || x.is_input) continue;  // an input marked as output already holds its data
    auto bound = allocators_.find(t);
    void* dst = bound != allocators_.end() ? bound->second.memory : addresses_[t];
    MIRT_RETURN_IF_ERROR(engine_->target().copy(dst, engine_->constant_address(t), byte_size(to_desc(types_[t])),
                                                MIRT_COPY_KIND_DEVICE_TO_DEVICE, stream));
  }
  return {};
}

}  // namespace mirt
