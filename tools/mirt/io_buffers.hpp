// tools/mirt/io_buffers.hpp — the I/O buffers of `mirt exec`: host memory for every tensor, plus
// backend memory (through the public device-memory calls) for tensors the engine keeps on the device.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "mirt/mirt.hpp"

namespace mirt::cli {

// A 64-byte aligned host buffer.
class host_buffer {
 public:
  explicit host_buffer(uint64_t bytes);
  void* data() const { return memory_.get(); }
  uint64_t size() const { return size_; }

 private:
  std::unique_ptr<void, decltype(&std::free)> memory_{nullptr, &std::free};
  uint64_t size_ = 0;
};

// One I/O tensor of a context. Inputs are filled in `host`; outputs are read from `host`. For a
// tensor on the device, `device` is what the context is bound to and the copies move the data.
struct io_binding {
  io_tensor_info info;
  dims shape;
  uint64_t count = 0;  // elements
  uint64_t bytes = 0;
  std::unique_ptr<host_buffer> host;
  device_buffer device;  // empty for tensors in host memory; must go before the engine

  bool on_device() const { return static_cast<bool>(device); }
  // The address to bind with context::set_tensor_address.
  void* address() const { return on_device() ? device.get() : host->data(); }
};

// Sizes b from b.shape and b.info.dtype, allocates its host buffer and, when on_device, a buffer of
// the engine's backend (engine::alloc_device_memory).
void allocate_buffers(const engine& eng, io_binding& b, bool on_device);

// Whether any tensor of io lives on the device.
bool any_on_device(const std::vector<io_binding>& io);

// Copies every device input host -> device, then synchronizes the default stream. Returns the host
// time of the copies and the synchronize in ms (0 and no calls when no input is on the device).
double upload_inputs(const engine& eng, const std::vector<io_binding>& io);
// Copies every device output device -> host, then synchronizes; returns ms as upload_inputs does.
double download_outputs(const engine& eng, const std::vector<io_binding>& io);

}  // namespace mirt::cli
