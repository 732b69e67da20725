// backends/cpu/op_table.cpp — op type → kernel factories, in one explicit registration list.
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {

const std::vector<op_entry>& op_table() {
  // Built on first use; function-local statics initialize thread-safely.
  static const std::vector<op_entry> table = [] {
    std::vector<op_entry> t;
    add_elementwise_binary_ops(t);
    add_elementwise_unary_ops(t);
    add_conv_ops(t);
    add_linear_ops(t);  // before MatMul's general kernel: the first tactic is the best guess
    add_matmul_ops(t);
    add_gemm_ops(t);
    add_pool_ops(t);
    add_normalization_ops(t);
    add_embed_layer_norm_ops(t);
    add_softmax_ops(t);
    add_shape_ops(t);
    add_gather_ops(t);
    add_slice_ops(t);
    add_concat_split_ops(t);
    add_transpose_ops(t);
    add_reduce_ops(t);
    add_cast_ops(t);
    add_pad_ops(t);
    add_loss_ops(t);
    add_trilu_ops(t);
    add_reverse_sequence_ops(t);
    add_det_ops(t);
    add_max_unpool_ops(t);
    add_one_hot_ops(t);
    add_cumulative_ops(t);
    add_hardmax_ops(t);
    add_attention_ops(t);
    add_fused_attention_ops(t);
    add_quant_linear_ops(t);
    add_quant_matmul_ops(t);
    add_quant_conv_ops(t);
    add_grid_sample_ops(t);
    add_scatter_ops(t);
    add_resize_ops(t);
    add_bitwise_predicate_ops(t);
    add_depth_space_ops(t);
    add_channel_norm_ops(t);
    add_rotary_ops(t);
    add_topk_ops(t);
    add_einsum_ops(t);
    add_recurrent_ops(t);
    add_dft_ops(t);
    add_window_ops(t);
    add_col2im_center_crop_ops(t);
    add_decode_state_ops(t);
    add_affine_grid_ops(t);
    add_nonzero_compress_ops(t);
    add_fused_elementwise_ops(t);
    add_non_max_suppression_ops(t);
    add_unique_ops(t);
    add_image_decoder_ops(t);
    add_random_ops(t);
    add_tfidf_vectorizer_ops(t);
    add_linear_attention_ops(t);
    add_roi_align_ops(t);
    add_ml_ops(t);
    add_deform_conv_ops(t);
    add_tree_ensemble_ops(t);
    add_layout_ops(t);
    add_flex_attention_ops(t);
    return t;
  }();
  return table;
}

}  // namespace mirt::cpu
