// core/graph/schemas/all.cpp — the standard op set: every family's schemas, in one explicit list.
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

void add_all_standard_schemas(schema_table& table) {
  add_elementwise_schemas(table);
  add_conv_schemas(table);
  add_pool_schemas(table);
  add_matmul_schemas(table);
  add_fused_elementwise_schemas(table);
  add_normalization_schemas(table);
  add_reshape_schemas(table);
  add_shape_value_schemas(table);
  add_concat_split_schemas(table);
  add_slice_pad_schemas(table);
  add_gather_schemas(table);
  add_reduce_schemas(table);
  add_loss_schemas(table);
  add_same_shape_schemas(table);
  add_attention_schemas(table);
  add_quant_schemas(table);
  add_quant_integer_schemas(table);
  add_sampling_schemas(table);
  add_resize_schemas(table);
  add_einsum_schemas(table);
  add_recurrent_schemas(table);
  add_signal_schemas(table);
  add_col2im_center_crop_schemas(table);
  add_decode_state_schemas(table);
  add_affine_grid_schemas(table);
  add_control_flow_schemas(table);
  add_data_dependent_schemas(table);
  add_text_schemas(table);
  add_ml_schemas(table);
  add_deform_conv_schemas(table);
  add_tree_ensemble_schemas(table);
  add_flex_attention_schemas(table);
  add_random_schemas(table);
}

}  // namespace mirt
