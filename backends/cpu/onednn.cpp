// backends/cpu/onednn.cpp — the shared oneDNN engine and execution helper.
#include "backends/cpu/onednn.hpp"

#include <memory>

namespace mirt::cpu {

const dnnl::engine& onednn_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::primitive_attr base_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

void onednn_execute(const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd,
                    std::unordered_map<int, dnnl::memory> args) {
  const dnnl::memory::desc scratch_md = pd.scratchpad_desc();
  std::unique_ptr<uint8_t[]> scratch;
  if (scratch_md.get_size() > 0) {
    scratch.reset(new uint8_t[scratch_md.get_size() + 64]);
    void* aligned = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(scratch.get()) + 63) & ~uintptr_t(63));
    args[DNNL_ARG_SCRATCHPAD] = dnnl::memory(scratch_md, onednn_engine(), aligned);
  }
  dnnl::stream stream(onednn_engine());
  prim.execute(stream, args);
  stream.wait();
}

dnnl::memory::desc plain_desc(const dims& shape) {
  const dims strides = dense_strides(shape);
  return dnnl::memory::desc(dnnl::memory::dims(shape.begin(), shape.end()), dnnl::memory::data_type::f32,
                            dnnl::memory::dims(strides.begin(), strides.end()));
}

void onednn_fail(const dnnl::error& e, const char* doing) {
  fail(e.status == dnnl_unimplemented ? MIRT_STATUS_UNSUPPORTED : MIRT_STATUS_DEVICE_ERROR, "oneDNN failed while ",
       doing, ": ", e.what());
}

}  // namespace mirt::cpu
