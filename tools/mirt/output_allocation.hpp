// tools/mirt/output_allocation.hpp — memory for outputs of data-dependent shape (NonZero,
// NonMaxSuppression, ...): an output allocator that the context asks for each run's buffer, which
// keeps the memory and the shape it was told, so that the tools can read such outputs back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io_buffers.hpp"
#include "mirt/mirt.hpp"

namespace mirt::cli {

// One output's allocator. Set it with context::set_output_allocator(name, table()); the object must
// stay at the same address (hold it by unique_ptr) and outlive the enqueues that use it.
class grown_output {
 public:
  grown_output(const engine& eng, std::string name, bool on_device);
  grown_output(const grown_output&) = delete;
  grown_output& operator=(const grown_output&) = delete;

  const mirt_output_allocator* table() const { return &table_; }
  const std::string& name() const { return name_; }
  // The shape notify_shape gave during the last enqueue; throws when none came (naming the output).
  const dims& shape() const;
  // Copies the last run's size() bytes into dst (from the device when the output lives there).
  void read(void* dst) const;
  uint64_t size() const { return size_; }

 private:
  static void* reallocate(void* self, const char* tensor_name, void* current, uint64_t size, uint64_t alignment) noexcept;
  static void notify_shape(void* self, const char* tensor_name, size_t rank, const int64_t* dims) noexcept;

  const engine* eng_;
  std::string name_;
  bool on_device_;
  mirt_output_allocator table_ = MIRT_OUTPUT_ALLOCATOR_INIT;
  std::unique_ptr<host_buffer> host_;
  device_buffer device_;
  uint64_t capacity_ = 0;  // usable bytes from aligned_
  void* aligned_ = nullptr;
  uint64_t size_ = 0;  // bytes of the last reallocate
  dims shape_;
  bool notified_ = false;
};

// Sets a grown_output on every output of ctx whose shape is data-dependent (engine::is_data_dependent);
// returns them, in I/O order.
std::vector<std::unique_ptr<grown_output>> allocate_data_dependent_outputs(const engine& eng, context& ctx);

// The allocator of output `name` among grown, or nullptr when that output has a shape of its own.
const grown_output* find_grown(const std::vector<std::unique_ptr<grown_output>>& grown, const std::string& name);

// Gives b (an output `grown` holds) the last run's shape and a host buffer holding its data.
void read_grown_output(const engine& eng, io_binding& b, const grown_output& grown);

}  // namespace mirt::cli
