// core/runtime/output_allocation.cpp — outputs whose buffers come from the user's output allocator
// (TensorRT's IOutputAllocator): asked for memory once the size is known, told the final shape.
#include "core/runtime/context.hpp"

#include "core/graph/known_values.hpp"

namespace mirt {

namespace {
constexpr uint64_t output_alignment = 256;  // what the memory plan gives every tensor
}

status context::set_output_allocator(std::string_view name, const mirt_output_allocator* allocator) {
  const graph& g = engine_->plan().network;
  const int t = engine_->find_io(name);
  if (t < 0 || !g.tensors[t].is_output || g.tensors[t].is_input)
    return make_error(MIRT_STATUS_NOT_FOUND, "'", name, "' is not an output of this engine");
  if (!allocator) {
    allocators_.erase(t);
  } else {
    if (allocator->struct_size < sizeof(mirt_output_allocator))
      return make_error(MIRT_STATUS_INVALID_ARGUMENT, "output '", name,
                        "': initialize the mirt_output_allocator with MIRT_OUTPUT_ALLOCATOR_INIT");
    if (!allocator->reallocate)
      return make_error(MIRT_STATUS_INVALID_ARGUMENT, "output '", name, "': the output allocator has no reallocate function");
    allocators_[t] = output_binding{*allocator, nullptr};  // a new allocator owns no memory yet
  }
  launches_dirty_ = true;
  return {};
}

result<void*> context::allocate_output(int t, uint64_t bytes) {
  output_binding& b = allocators_.at(t);
  const std::string& name = engine_->plan().network.tensors[t].name;
  void* memory = b.fns.reallocate(b.fns.user_data, name.c_str(), b.memory, bytes, output_alignment);
  if (!memory && bytes > 0)
    return make_error(MIRT_STATUS_OUT_OF_MEMORY, "the output allocator of output '", name, "' returned NULL for ",
                      bytes, " bytes");
  if (memory != b.memory) launches_dirty_ = true;
  b.memory = memory;
  return memory;
}

status context::allocate_known_outputs() {
  for (auto& [t, binding] : allocators_) {
    if (!shape_known(types_[t])) continue;  // asked for when the run knows the shape
    MIRT_RETURN_IF_ERROR(allocate_output(t, byte_size(to_desc(types_[t]))).error());
  }
  return {};
}

void context::notify_shapes(const std::vector<tensor_type>& types) const {
  for (const auto& [t, binding] : allocators_) {
    if (!binding.fns.notify_shape) continue;
    std::vector<int64_t> extents;
    for (const dim& d : types[t].shape) extents.push_back(d.value);
    binding.fns.notify_shape(binding.fns.user_data, engine_->plan().network.tensors[t].name.c_str(), extents.size(),
                             extents.data());
  }
}

}  // namespace mirt
