// core/graph/schemas/schemas.hpp — one add_*_schemas() per op family file in this folder.
#pragma once

#include "core/graph/op_schema.hpp"

namespace mirt {

void add_elementwise_schemas(schema_table& table);    // elementwise.cpp: broadcast binary, unary, Clip, Where
void add_conv_schemas(schema_table& table);           // conv.cpp: Conv, ConvTranspose
void add_pool_schemas(schema_table& table);           // pool.cpp: MaxPool, AveragePool, Global*Pool
void add_matmul_schemas(schema_table& table);         // matmul.cpp: MatMul, Gemm
void add_normalization_schemas(schema_table& table);  // normalization.cpp: *Normalization, Softmax, Dropout
void add_reshape_schemas(schema_table& table);        // reshape.cpp: Reshape, Flatten, (Un)Squeeze, Transpose, ...
void add_shape_value_schemas(schema_table& table);    // shape_values.cpp: Shape, Size, Cast, ConstantOfShape, ...
void add_concat_split_schemas(schema_table& table);   // concat_split.cpp: Concat, Split
void add_slice_pad_schemas(schema_table& table);      // slice_pad.cpp: Slice, Pad
void add_gather_schemas(schema_table& table);         // gather.cpp: Gather, GatherElements
void add_reduce_schemas(schema_table& table);         // reduce.cpp: Reduce*, ArgMax, ArgMin
void add_loss_schemas(schema_table& table);          // loss.cpp: NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
void add_same_shape_schemas(schema_table& table);    // same_shape.cpp: Trilu, CumSum, CumProd, Hardmax
void add_attention_schemas(schema_table& table);     // attention.cpp: Attention, RotaryEmbedding, LinearAttention
void add_sampling_schemas(schema_table& table);      // sampling.cpp: GridSample, RoiAlign
void add_resize_schemas(schema_table& table);        // resize.cpp: Resize
void add_einsum_schemas(schema_table& table);        // einsum.cpp: Einsum
void add_control_flow_schemas(schema_table& table);  // control_flow.cpp: If, Loop, Scan
void add_quant_schemas(schema_table& table);         // quant.cpp: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear
void add_quant_integer_schemas(schema_table& table);  // quant_integer.cpp: MatMulInteger, ConvInteger, QLinear*
void add_recurrent_schemas(schema_table& table);     // recurrent.cpp: RNN, GRU, LSTM
void add_signal_schemas(schema_table& table);        // signal.cpp: DFT, STFT, *Window, MelWeightMatrix
void add_col2im_center_crop_schemas(schema_table& table);  // col2im_center_crop.cpp: Col2Im, CenterCropPad
void add_decode_state_schemas(schema_table& table);  // decode_state.cpp: CausalConvWithState, TensorScatter
void add_affine_grid_schemas(schema_table& table);     // affine_grid.cpp: AffineGrid
void add_data_dependent_schemas(schema_table& table);  // data_dependent.cpp: NonZero, NonMaxSuppression, Unique, Compress
void add_ml_schemas(schema_table& table);             // ml.cpp: Binarizer, ArrayFeatureExtractor (ai.onnx.ml)
void add_deform_conv_schemas(schema_table& table);     // deform_conv.cpp: DeformConv
void add_tree_ensemble_schemas(schema_table& table);   // tree_ensemble.cpp: TreeEnsemble (ai.onnx.ml)
void add_flex_attention_schemas(schema_table& table);  // flex_attention.cpp: FlexAttention (ai.onnx.preview)
void add_random_schemas(schema_table& table);          // random.cpp: RandomUniform/Normal(Like), Bernoulli, Multinomial
void add_text_schemas(schema_table& table);           // text.cpp: TfIdfVectorizer
void add_fused_elementwise_schemas(schema_table& table);  // fused_elementwise.cpp: mirt::FusedElementwise
void add_all_standard_schemas(schema_table& table);   // all.cpp: calls every add_*_schemas

}  // namespace mirt
