// backends/cuda/kernel.hpp — the kernel base class and the op table entry every op family fills.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "backends/cuda/host.hpp"
#include "backends/cuda/tensor.hpp"
#include "backends/support/kernel.hpp"
#include "mirt/builder.h"

namespace mirt::cuda {

// A prepared node: device copies of its constant inputs, library handles and descriptors.
// execute() enqueues on args.stream (device pointers, concrete shapes) and may run concurrently
// from several host threads on different streams.
using kernel = kernel_base<exec_args>;
using op_entry = support::op_entry<kernel>;
using supports_fn = op_entry::supports_fn;
using create_fn = op_entry::create_fn;

// Each op family appends its entries; op_table.cpp calls them in order (no static registration).
void add_elementwise_ops(std::vector<op_entry>& table);
void add_matmul_ops(std::vector<op_entry>& table);
void add_small_m_gemm_ops(std::vector<op_entry>& table);  // MatMul, FusedMatMul of <= 128 rows
void add_conv_ops(std::vector<op_entry>& table);
void add_normalization_ops(std::vector<op_entry>& table);
void add_embed_layer_norm_ops(std::vector<op_entry>& table);  // mirt::EmbedLayerNormalization
void add_pool_ops(std::vector<op_entry>& table);
void add_data_movement_ops(std::vector<op_entry>& table);
void add_reduce_ops(std::vector<op_entry>& table);
void add_layout_ops(std::vector<op_entry>& table);
void add_data_dependent_ops(std::vector<op_entry>& table);
void add_fused_elementwise_ops(std::vector<op_entry>& table);
void add_recurrent_ops(std::vector<op_entry>& table);
void add_float_class_ops(std::vector<op_entry>& table);
void add_cumulative_ops(std::vector<op_entry>& table);
void add_resize_ops(std::vector<op_entry>& table);
void add_shape_fill_ops(std::vector<op_entry>& table);
void add_select_ops(std::vector<op_entry>& table);
void add_instance_norm_ops(std::vector<op_entry>& table);  // ops/group_norm.cpp: a group per channel
void add_conv_transpose_ops(std::vector<op_entry>& table);
void add_attention_ops(std::vector<op_entry>& table);  // ops/attention.cpp: mirt::FusedAttention
void add_group_norm_ops(std::vector<op_entry>& table);  // GroupNormalization, RMSNormalization
void add_index_ops(std::vector<op_entry>& table);  // DepthToSpace, SpaceToDepth, Trilu, OneHot
void add_scatter_ops(std::vector<op_entry>& table);  // GatherND, ScatterND, ScatterElements
void add_einsum_ops(std::vector<op_entry>& table);  // two-operand Einsum on cuBLASLt
void add_rotary_ops(std::vector<op_entry>& table);  // RotaryEmbedding
void add_onnx_attention_ops(std::vector<op_entry>& table);  // Attention (opset 23)
void add_quantize_ops(std::vector<op_entry>& table);  // QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear
void add_bitwise_ops(std::vector<op_entry>& table);  // BitwiseAnd/Or/Xor/Not, BitShift
void add_axis_norm_ops(std::vector<op_entry>& table);  // Hardmax, LpNormalization, LRN, MeanVarianceNormalization
void add_generator_ops(std::vector<op_entry>& table);  // EyeLike, Hann/Hamming/BlackmanWindow
void add_reverse_sequence_ops(std::vector<op_entry>& table);  // ReverseSequence
void add_sampling_ops(std::vector<op_entry>& table);  // GridSample, RoiAlign
void add_max_unpool_ops(std::vector<op_entry>& table);  // MaxUnpool
void add_ml_ops(std::vector<op_entry>& table);  // Binarizer, ArrayFeatureExtractor
void add_col2im_crop_ops(std::vector<op_entry>& table);  // Col2Im, CenterCropPad
void add_decode_state_ops(std::vector<op_entry>& table);  // CausalConvWithState, TensorScatter
void add_det_ops(std::vector<op_entry>& table);  // Det
void add_int_matmul_ops(std::vector<op_entry>& table);  // MatMulInteger, QLinearMatMul
void add_int_conv_ops(std::vector<op_entry>& table);  // ConvInteger, QLinearConv
void add_deform_conv_ops(std::vector<op_entry>& table);  // DeformConv
void add_nms_ops(std::vector<op_entry>& table);  // NonMaxSuppression
void add_loss_ops(std::vector<op_entry>& table);  // NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
void add_unique_ops(std::vector<op_entry>& table);  // Unique
void add_random_ops(std::vector<op_entry>& table);  // RandomUniform/Normal(Like), Bernoulli
void add_signal_ops(std::vector<op_entry>& table);  // DFT, STFT on cuFFT

const std::vector<op_entry>& op_table();
inline std::vector<const op_entry*> find_ops(std::string_view op_type) { return support::find_ops(op_table(), op_type); }
// Every present input is float32.
bool float_inputs(const node_view& node, std::string& why);

// A device-to-device copy of input 0 into output 0 (nothing when they share a buffer).
std::unique_ptr<kernel> make_copy_kernel();

// A device buffer owned by a kernel (weights copied at kernel_create). Freed on destruction.
class device_buffer {
 public:
  device_buffer() = default;
  device_buffer(const void* host, size_t bytes, const std::string& what);
  ~device_buffer();
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
  device_buffer(device_buffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_) { o.ptr_ = nullptr; }
  device_buffer& operator=(device_buffer&& o) noexcept;
  void* get() const { return ptr_; }
  size_t bytes() const { return bytes_; }
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// A constant input copied to the device, or the call's pointer when it is not constant.
inline const void* constant_or_input(const device_buffer& constant, const exec_args& args, size_t i) {
  return constant ? constant.get() : args.input(i).data;
}

}  // namespace mirt::cuda
