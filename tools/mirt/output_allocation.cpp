// tools/mirt/output_allocation.cpp — output allocators of the CLI for outputs of data-dependent shape.
#include "output_allocation.hpp"

#include <cstring>
#include <stdexcept>

#include "shapes.hpp"

namespace mirt::cli {

grown_output::grown_output(const engine& eng, std::string name, bool on_device)
    : eng_(&eng), name_(std::move(name)), on_device_(on_device) {
  table_.reallocate = &grown_output::reallocate;
  table_.notify_shape = &grown_output::notify_shape;
  table_.user_data = this;
}

void* grown_output::reallocate(void* self, const char*, void* current, uint64_t size, uint64_t alignment) noexcept {
  auto* g = static_cast<grown_output*>(self);
  g->notified_ = false;
  g->size_ = size;
  if (current != nullptr && current == g->aligned_ && size <= g->capacity_) return current;
  // Over-allocate by the alignment, so that any alignment the backend asks for can be met.
  const uint64_t align = alignment == 0 ? 1 : alignment;
  const uint64_t bytes = size + align;
  try {
    uintptr_t base = 0;
    if (g->on_device_) {
      g->device_ = g->eng_->alloc_device_memory(bytes);
      base = reinterpret_cast<uintptr_t>(g->device_.get());
    } else {
      g->host_ = std::make_unique<host_buffer>(bytes);
      base = reinterpret_cast<uintptr_t>(g->host_->data());
    }
    const uintptr_t aligned = (base + align - 1) / align * align;
    g->aligned_ = reinterpret_cast<void*>(aligned);
    g->capacity_ = bytes - (aligned - base);
  } catch (const std::exception&) {
    g->aligned_ = nullptr, g->capacity_ = 0;  // the enqueue fails with OUT_OF_MEMORY naming the output
  }
  return g->aligned_;
}

void grown_output::notify_shape(void* self, const char*, size_t rank, const int64_t* dims) noexcept {
  auto* g = static_cast<grown_output*>(self);
  g->shape_.assign(dims, dims + rank);
  g->notified_ = true;
}

const dims& grown_output::shape() const {
  if (!notified_) throw std::runtime_error("output '" + name_ + "': the context did not report its shape (notify_shape) during the run");
  return shape_;
}

void grown_output::read(void* dst) const {
  if (size_ == 0) return;
  if (on_device_) {
    eng_->copy_memory(dst, aligned_, size_, MIRT_COPY_KIND_DEVICE_TO_HOST);
    eng_->synchronize();
  } else {
    std::memcpy(dst, aligned_, size_);
  }
}

std::vector<std::unique_ptr<grown_output>> allocate_data_dependent_outputs(const engine& eng, context& ctx) {
  std::vector<std::unique_ptr<grown_output>> out;
  for (size_t i = 0; i < eng.num_io_tensors(); ++i) {
    const io_tensor_info info = eng.io_tensor(i);
    if (info.is_input || !eng.is_data_dependent(info.name)) continue;
    out.push_back(std::make_unique<grown_output>(eng, info.name, info.location == MIRT_TENSOR_LOCATION_DEVICE));
    ctx.set_output_allocator(info.name, out.back()->table());
  }
  return out;
}

const grown_output* find_grown(const std::vector<std::unique_ptr<grown_output>>& grown, const std::string& name) {
  for (const auto& g : grown)
    if (g->name() == name) return g.get();
  return nullptr;
}

void read_grown_output(const engine& eng, io_binding& b, const grown_output& grown) {
  b.shape = grown.shape();
  allocate_buffers(eng, b, false);
  if (b.bytes != grown.size())
    throw std::runtime_error("output '" + b.info.name + "': the output allocator was asked for " +
                             std::to_string(grown.size()) + " bytes, but its shape " + format_dims(b.shape) +
                             " holds " + std::to_string(b.bytes));
  grown.read(b.host->data());
}

}  // namespace mirt::cli
