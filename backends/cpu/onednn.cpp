// backends/cpu/onednn.cpp — the shared oneDNN engine, per-thread streams and per-call scratch.
#include "backends/cpu/onednn.hpp"

#include <cstdlib>
#include <memory>

namespace mirt::cpu {

const dnnl::engine& onednn_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& onednn_stream() {
  thread_local dnnl::stream stream(onednn_engine());
  return stream;
}

dnnl::primitive_attr base_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

size_t scratchpad_bytes(const dnnl::primitive_desc_base& pd) {
  const size_t n = pd.scratchpad_desc().get_size();
  return n == 0 ? 0 : scratch_round(n);
}

namespace {

// The calling thread's fallback scratch, 64-byte aligned; grows, never shrinks.
uint8_t* thread_scratch(size_t bytes) {
  struct buffer {
    uint8_t* p = nullptr;
    size_t size = 0;
    ~buffer() { std::free(p); }
  };
  thread_local buffer b;
  if (b.size < bytes) {
    const size_t size = scratch_round(std::max(bytes, b.size * 2));
    void* p = std::aligned_alloc(64, size);
    if (p == nullptr) throw std::bad_alloc();
    std::free(b.p);
    b.p = static_cast<uint8_t*>(p);
    b.size = size;
  }
  return b.p;
}

}  // namespace

scratch::scratch(const exec_args& args, size_t total) {
  if (total == 0) return;
  // The workspace need not be aligned (the constant folder passes a byte vector): align inside it.
  if (args.workspace != nullptr) {
    const uintptr_t p = reinterpret_cast<uintptr_t>(args.workspace);
    const uintptr_t aligned = (p + 63) & ~uintptr_t(63);
    if (aligned - p + total <= args.workspace_size) {
      base_ = reinterpret_cast<uint8_t*>(aligned);
      size_ = total;
      return;
    }
  }
  base_ = thread_scratch(total);
  size_ = total;
}

void* scratch::take(size_t bytes) {
  const size_t n = scratch_round(bytes);
  if (n == 0) return nullptr;
  if (used_ + n > size_) fail(MIRT_STATUS_INTERNAL, "scratch overrun: ", used_ + n, " of ", size_, " bytes");
  void* p = base_ + used_;
  used_ += n;
  return p;
}

void onednn_execute(const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd, scratch& ws,
                    std::unordered_map<int, dnnl::memory> args) {
  const dnnl::memory::desc scratch_md = pd.scratchpad_desc();
  if (scratch_md.get_size() > 0) args[DNNL_ARG_SCRATCHPAD] = dnnl::memory(scratch_md, onednn_engine(), ws.take(scratch_md.get_size()));
  dnnl::stream& stream = onednn_stream();
  prim.execute(stream, args);
  stream.wait();
}

dnnl::memory::desc plain_desc(const dims& shape) {
  const dims strides = dense_strides(shape);
  return dnnl::memory::desc(dnnl::memory::dims(shape.begin(), shape.end()), dnnl::memory::data_type::f32,
                            dnnl::memory::dims(strides.begin(), strides.end()));
}

dnnl::memory::desc nhwc_desc(const dims& shape) {
  return dnnl::memory::desc(dnnl::memory::dims(shape.begin(), shape.end()), dnnl::memory::data_type::f32,
                            dnnl::memory::format_tag::nhwc);
}

void onednn_fail(const dnnl::error& e, const char* doing) {
  fail(e.status == dnnl_unimplemented ? MIRT_STATUS_UNSUPPORTED : MIRT_STATUS_DEVICE_ERROR, "oneDNN failed while ",
       doing, ": ", e.what());
}

}  // namespace mirt::cpu
