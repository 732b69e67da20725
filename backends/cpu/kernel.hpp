// backends/cpu/kernel.hpp — the kernel base class and the op table entry every op family fills.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "backends/cpu/tensor.hpp"
#include "backends/support/kernel.hpp"

namespace mirt::cpu {

// A prepared node; scratch comes from the workspace (see onednn.hpp `scratch`).
using kernel = kernel_base<exec_args>;
using op_entry = support::op_entry<kernel>;
using supports_fn = op_entry::supports_fn;
using create_fn = op_entry::create_fn;

// Each op family appends its entries; op_table.cpp calls them in order (no static registration).
void add_elementwise_binary_ops(std::vector<op_entry>& table);
void add_elementwise_unary_ops(std::vector<op_entry>& table);
void add_conv_ops(std::vector<op_entry>& table);
void add_matmul_ops(std::vector<op_entry>& table);
void add_linear_ops(std::vector<op_entry>& table);  // ops/linear.cpp
void add_gemm_ops(std::vector<op_entry>& table);
void add_pool_ops(std::vector<op_entry>& table);
void add_normalization_ops(std::vector<op_entry>& table);
void add_embed_layer_norm_ops(std::vector<op_entry>& table);  // ops/embed_layer_norm.cpp
void add_softmax_ops(std::vector<op_entry>& table);
void add_shape_ops(std::vector<op_entry>& table);
void add_gather_ops(std::vector<op_entry>& table);
void add_slice_ops(std::vector<op_entry>& table);
void add_concat_split_ops(std::vector<op_entry>& table);
void add_transpose_ops(std::vector<op_entry>& table);
void add_reduce_ops(std::vector<op_entry>& table);
void add_cast_ops(std::vector<op_entry>& table);
void add_pad_ops(std::vector<op_entry>& table);
void add_loss_ops(std::vector<op_entry>& table);        // ops/loss.cpp
void add_trilu_ops(std::vector<op_entry>& table);       // ops/trilu.cpp
void add_reverse_sequence_ops(std::vector<op_entry>& table);  // ops/reverse_sequence.cpp
void add_det_ops(std::vector<op_entry>& table);         // ops/det.cpp
void add_max_unpool_ops(std::vector<op_entry>& table);  // ops/max_unpool.cpp
void add_one_hot_ops(std::vector<op_entry>& table);     // ops/one_hot.cpp
void add_cumulative_ops(std::vector<op_entry>& table);  // ops/cumulative.cpp
void add_hardmax_ops(std::vector<op_entry>& table);     // ops/hardmax.cpp
void add_attention_ops(std::vector<op_entry>& table);   // ops/attention.cpp
void add_fused_attention_ops(std::vector<op_entry>& table);  // ops/fused_attention.cpp
void add_quant_linear_ops(std::vector<op_entry>& table);   // ops/quant_linear.cpp
void add_quant_matmul_ops(std::vector<op_entry>& table);   // ops/quant_matmul.cpp
void add_quant_conv_ops(std::vector<op_entry>& table);     // ops/quant_conv.cpp
void add_grid_sample_ops(std::vector<op_entry>& table); // ops/grid_sample.cpp
void add_scatter_ops(std::vector<op_entry>& table);     // ops/scatter.cpp
void add_resize_ops(std::vector<op_entry>& table);      // ops/resize.cpp
void add_bitwise_predicate_ops(std::vector<op_entry>& table);  // ops/bitwise_predicates.cpp
void add_depth_space_ops(std::vector<op_entry>& table);        // ops/depth_space.cpp
void add_channel_norm_ops(std::vector<op_entry>& table);       // ops/channel_norms.cpp
void add_rotary_ops(std::vector<op_entry>& table);             // ops/rotary.cpp
void add_topk_ops(std::vector<op_entry>& table);               // ops/topk.cpp
void add_einsum_ops(std::vector<op_entry>& table);             // ops/einsum.cpp
void add_recurrent_ops(std::vector<op_entry>& table);          // ops/recurrent.cpp
void add_dft_ops(std::vector<op_entry>& table);                // ops/dft.cpp
void add_window_ops(std::vector<op_entry>& table);             // ops/windows.cpp
void add_col2im_center_crop_ops(std::vector<op_entry>& table); // ops/col2im_center_crop.cpp
void add_decode_state_ops(std::vector<op_entry>& table);       // ops/decode_state.cpp
void add_affine_grid_ops(std::vector<op_entry>& table);        // ops/affine_grid.cpp
void add_nonzero_compress_ops(std::vector<op_entry>& table);    // ops/nonzero_compress.cpp
void add_non_max_suppression_ops(std::vector<op_entry>& table); // ops/non_max_suppression.cpp
void add_unique_ops(std::vector<op_entry>& table);              // ops/unique.cpp
void add_image_decoder_ops(std::vector<op_entry>& table);       // ops/image_decoder.cpp
void add_random_ops(std::vector<op_entry>& table);              // ops/random.cpp
void add_tfidf_vectorizer_ops(std::vector<op_entry>& table);    // ops/tfidf_vectorizer.cpp
void add_linear_attention_ops(std::vector<op_entry>& table);    // ops/linear_attention.cpp
void add_roi_align_ops(std::vector<op_entry>& table);           // ops/roi_align.cpp
void add_fused_elementwise_ops(std::vector<op_entry>& table);   // ops/fused_elementwise.cpp
void add_ml_ops(std::vector<op_entry>& table);                  // ops/ml.cpp (ai.onnx.ml)
void add_deform_conv_ops(std::vector<op_entry>& table);          // ops/deform_conv.cpp
void add_tree_ensemble_ops(std::vector<op_entry>& table);        // ops/tree_ensemble.cpp (ai.onnx.ml)
void add_layout_ops(std::vector<op_entry>& table);              // ops/layout.cpp (mirt::Reformat)
void add_flex_attention_ops(std::vector<op_entry>& table);       // ops/flex_attention.cpp (ai.onnx.preview)

// All entries, built once.
const std::vector<op_entry>& op_table();
// Entries for op_type (possibly several tactics), best first.
inline std::vector<const op_entry*> find_ops(std::string_view op_type) { return support::find_ops(op_table(), op_type); }

}  // namespace mirt::cpu
