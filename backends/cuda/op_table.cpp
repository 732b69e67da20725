// backends/cuda/op_table.cpp — op type → kernel factories, in one explicit registration list.
#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"

namespace mirt::cuda {

const std::vector<op_entry>& op_table() {
  static const std::vector<op_entry> table = [] {
    std::vector<op_entry> t;
    add_elementwise_ops(t);
    add_matmul_ops(t);
    add_conv_ops(t);
    add_normalization_ops(t);
    add_pool_ops(t);
    add_data_movement_ops(t);
    add_reduce_ops(t);
    return t;
  }();
  return table;
}

std::vector<const op_entry*> find_ops(std::string_view op_type) {
  std::vector<const op_entry*> found;
  for (const op_entry& e : op_table())
    if (e.op_type == op_type) found.push_back(&e);
  return found;
}

uint64_t tactic_id(const char* tactic_name) {
  uint64_t h = 1469598103934665603ull;
  for (const char* p = tactic_name; *p; ++p) h = (h ^ uint8_t(*p)) * 1099511628211ull;
  return h;
}

bool input_dtype_in(const node_view& node, size_t i, std::initializer_list<mirt_dtype> allowed, std::string& why) {
  const mirt_dtype dt = node.input_dtype(i);
  for (mirt_dtype a : allowed)
    if (a == dt) return true;
  why = cat("input ", i, " has dtype ", dtype_name(dt), ", supported: ");
  bool first = true;
  for (mirt_dtype a : allowed) {
    why += (first ? "" : ", ");
    why += dtype_name(a);
    first = false;
  }
  return false;
}

bool float_inputs(const node_view& node, std::string& why) {
  for (size_t i = 0; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32}, why)) return false;
  return true;
}

device_buffer::device_buffer(const void* host, size_t bytes, const std::string& what) : bytes_(bytes) {
  if (bytes == 0) return;
  cuda_check(cudaMalloc(&ptr_, bytes), "allocating ", bytes, " bytes for ", what);
  const cudaError_t e = cudaMemcpy(ptr_, host, bytes, cudaMemcpyHostToDevice);
  if (e != cudaSuccess) {
    cudaFree(ptr_);
    ptr_ = nullptr;
    cuda_check(e, "copying ", what, " to the device");
  }
}

device_buffer::~device_buffer() {
  if (ptr_ != nullptr) cudaFree(ptr_);
}

device_buffer& device_buffer::operator=(device_buffer&& o) noexcept {
  if (this != &o) {
    if (ptr_ != nullptr) cudaFree(ptr_);
    ptr_ = o.ptr_;
    bytes_ = o.bytes_;
    o.ptr_ = nullptr;
  }
  return *this;
}

}  // namespace mirt::cuda
