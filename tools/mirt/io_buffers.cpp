// tools/mirt/io_buffers.cpp — allocates the I/O buffers of `mirt exec` and copies them to and from the device.
#include "io_buffers.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include "tensor_data.hpp"

namespace mirt::cli {

host_buffer::host_buffer(uint64_t bytes) : size_(bytes) {
  const uint64_t rounded = (bytes + 63) / 64 * 64 + 64;
  memory_.reset(std::aligned_alloc(64, rounded));
  if (!memory_) throw std::runtime_error("cannot allocate " + std::to_string(bytes) + " bytes of host memory");
}

void allocate_buffers(const engine& eng, io_binding& b, bool on_device) {
  b.count = element_count(b.shape);
  b.bytes = b.count * dtype_size(b.info.dtype);
  b.host = std::make_unique<host_buffer>(b.bytes);
  b.device = on_device ? eng.alloc_device_memory(b.bytes) : device_buffer();
}

bool any_on_device(const std::vector<io_binding>& io) {
  for (const io_binding& b : io)
    if (b.on_device()) return true;
  return false;
}

namespace {

using clock_type = std::chrono::steady_clock;

double copy_all(const engine& eng, const std::vector<io_binding>& io, bool inputs) {
  const auto t0 = clock_type::now();
  bool copied = false;
  for (const io_binding& b : io) {
    if (!b.on_device() || b.info.is_input != inputs) continue;
    if (inputs)
      eng.copy_memory(b.device.get(), b.host->data(), b.bytes, MIRT_COPY_KIND_HOST_TO_DEVICE);
    else
      eng.copy_memory(b.host->data(), b.device.get(), b.bytes, MIRT_COPY_KIND_DEVICE_TO_HOST);
    copied = true;
  }
  if (!copied) return 0;
  eng.synchronize();
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

}  // namespace

double upload_inputs(const engine& eng, const std::vector<io_binding>& io) { return copy_all(eng, io, true); }
double download_outputs(const engine& eng, const std::vector<io_binding>& io) { return copy_all(eng, io, false); }

}  // namespace mirt::cli
