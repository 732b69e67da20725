// backends/cuda/op_table.cpp — op type → kernel factories, in one explicit registration list.
#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"

namespace mirt::cuda {

const std::vector<op_entry>& op_table() {
  static const std::vector<op_entry> table = [] {
    std::vector<op_entry> t;
    add_elementwise_ops(t);
    add_matmul_ops(t);
    add_small_m_gemm_ops(t);
    add_conv_ops(t);
    add_normalization_ops(t);
    add_embed_layer_norm_ops(t);
    add_pool_ops(t);
    add_data_movement_ops(t);
    add_reduce_ops(t);
    add_layout_ops(t);
    add_data_dependent_ops(t);
    add_fused_elementwise_ops(t);
    add_recurrent_ops(t);
    add_float_class_ops(t);
    add_cumulative_ops(t);
    add_resize_ops(t);
    add_shape_fill_ops(t);
    add_select_ops(t);
    add_instance_norm_ops(t);
    add_conv_transpose_ops(t);
    add_attention_ops(t);
    add_group_norm_ops(t);
    add_index_ops(t);
    add_scatter_ops(t);
    add_einsum_ops(t);
    add_rotary_ops(t);
    add_onnx_attention_ops(t);
    add_quantize_ops(t);
    add_bitwise_ops(t);
    add_axis_norm_ops(t);
    add_generator_ops(t);
    add_reverse_sequence_ops(t);
    add_sampling_ops(t);
    add_max_unpool_ops(t);
    add_ml_ops(t);
    add_col2im_crop_ops(t);
    add_decode_state_ops(t);
    add_det_ops(t);
    add_int_matmul_ops(t);
    add_int_conv_ops(t);
    add_deform_conv_ops(t);
    add_nms_ops(t);
    add_loss_ops(t);
    add_unique_ops(t);
    add_random_ops(t);
    add_signal_ops(t);
    return t;
  }();
  return table;
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
