/* tests/abi/layout_asserts.c — pins the size, alignment and field offsets of every public struct and the
 * size and values of every public enum, so that an ABI break fails the build.
 *
 * C11 (for _Static_assert and _Alignof), built separately from the C99 consumer. The numbers are those
 * of x86_64 (LP64, System V); on other targets the asserts are skipped and the test reports "skipped".
 *
 * How to change this file (STYLE.md, "Modules and registry" and "Commits and docs"):
 *   - A shipped field never moves: its MIRT_ASSERT_OFFSET line is never edited or removed.
 *   - A release that appends fields adds, below the struct's last group, a new
 *     "since x.y" comment, one MIRT_ASSERT_OFFSET per new field and a MIRT_ASSERT_GROUP_END for
 *     the group, then updates that struct's MIRT_ASSERT_SIZE. Earlier GROUP_END lines stay true.
 *   - mirt_string_view, mirt_attribute, mirt_tensor_desc and mirt_tactic_info are passed in arrays
 *     and have no struct_size: they are frozen; a change needs a new type.
 *   - The header change, CHANGELOG.md and this file go in the same commit.
 */
#include <stddef.h>
#include <stdio.h>

#include "mirt/mirt.h"
#include "mirt/backend.h"
#include "mirt/plugin.h"

#if defined(__x86_64__) && defined(__LP64__)

#define MIRT_ASSERT_SIZE(type, size, align)                                                   \
  _Static_assert(sizeof(type) == (size), "sizeof(" #type ") changed: that breaks the ABI"); \
  _Static_assert(_Alignof(type) == (align), "_Alignof(" #type ") changed: that breaks the ABI")
#define MIRT_ASSERT_OFFSET(type, field, offset) \
  _Static_assert(offsetof(type, field) == (offset), "offsetof(" #type ", " #field ") moved: that breaks the ABI")
/* The byte just past the last field of a group: what the library compares struct_size with. */
#define MIRT_ASSERT_GROUP_END(type, last_field, end)                                 \
  _Static_assert(offsetof(type, last_field) + sizeof(((type*)0)->last_field) == (end), \
                 "the group of " #type " ending at " #last_field " changed size: that breaks the ABI")
#define MIRT_ASSERT_ENUM(type, force32)                                                          \
  _Static_assert(sizeof(type) == 4, #type " is not 4 bytes");                                   \
  _Static_assert((long long)(force32) == 0x7FFFFFFFLL, #force32 " is not 0x7FFFFFFF")
#define MIRT_ASSERT_VALUE(name, value) _Static_assert((long long)(name) == (value), #name " changed value")

/* ---- Constants -------------------------------------------------------------------------------- */

MIRT_ASSERT_VALUE(MIRT_ABI_VERSION, 1);
MIRT_ASSERT_VALUE(MIRT_MAX_RANK, 8);
MIRT_ASSERT_VALUE(MIRT_DYNAMIC_DIM, -1);

/* ---- Enums: 4 bytes each (FORCE32), values never change --------------------------------------- */

MIRT_ASSERT_ENUM(mirt_status_code, MIRT_STATUS_CODE_FORCE32);
MIRT_ASSERT_VALUE(MIRT_STATUS_OK, 0);
MIRT_ASSERT_VALUE(MIRT_STATUS_INVALID_ARGUMENT, 1);
MIRT_ASSERT_VALUE(MIRT_STATUS_INVALID_GRAPH, 2);
MIRT_ASSERT_VALUE(MIRT_STATUS_INVALID_SHAPE, 3);
MIRT_ASSERT_VALUE(MIRT_STATUS_NOT_FOUND, 4);
MIRT_ASSERT_VALUE(MIRT_STATUS_UNSUPPORTED, 5);
MIRT_ASSERT_VALUE(MIRT_STATUS_INCOMPATIBLE_VERSION, 6);
MIRT_ASSERT_VALUE(MIRT_STATUS_CORRUPT_DATA, 7);
MIRT_ASSERT_VALUE(MIRT_STATUS_OUT_OF_MEMORY, 8);
MIRT_ASSERT_VALUE(MIRT_STATUS_IO_ERROR, 9);
MIRT_ASSERT_VALUE(MIRT_STATUS_MODULE_ERROR, 10);
MIRT_ASSERT_VALUE(MIRT_STATUS_DEVICE_ERROR, 11);
MIRT_ASSERT_VALUE(MIRT_STATUS_ALREADY_EXISTS, 12);
MIRT_ASSERT_VALUE(MIRT_STATUS_FAILED_PRECONDITION, 13);
MIRT_ASSERT_VALUE(MIRT_STATUS_INTERNAL, 14);

MIRT_ASSERT_ENUM(mirt_dtype, MIRT_DTYPE_FORCE32);
MIRT_ASSERT_VALUE(MIRT_DTYPE_UNDEFINED, 0);
MIRT_ASSERT_VALUE(MIRT_DTYPE_FLOAT32, 1);
MIRT_ASSERT_VALUE(MIRT_DTYPE_FLOAT16, 2);
MIRT_ASSERT_VALUE(MIRT_DTYPE_BFLOAT16, 3);
MIRT_ASSERT_VALUE(MIRT_DTYPE_INT8, 4);
MIRT_ASSERT_VALUE(MIRT_DTYPE_UINT8, 5);
MIRT_ASSERT_VALUE(MIRT_DTYPE_INT32, 6);
MIRT_ASSERT_VALUE(MIRT_DTYPE_INT64, 7);
MIRT_ASSERT_VALUE(MIRT_DTYPE_BOOL, 8);
MIRT_ASSERT_VALUE(MIRT_DTYPE_FLOAT64, 9);

MIRT_ASSERT_ENUM(mirt_tensor_location, MIRT_TENSOR_LOCATION_FORCE32);
MIRT_ASSERT_VALUE(MIRT_TENSOR_LOCATION_UNDEFINED, 0);
MIRT_ASSERT_VALUE(MIRT_TENSOR_LOCATION_HOST, 1);
MIRT_ASSERT_VALUE(MIRT_TENSOR_LOCATION_DEVICE, 2);

MIRT_ASSERT_ENUM(mirt_log_level, MIRT_LOG_LEVEL_FORCE32);
MIRT_ASSERT_VALUE(MIRT_LOG_LEVEL_UNDEFINED, 0);
MIRT_ASSERT_VALUE(MIRT_LOG_LEVEL_ERROR, 1);
MIRT_ASSERT_VALUE(MIRT_LOG_LEVEL_WARNING, 2);
MIRT_ASSERT_VALUE(MIRT_LOG_LEVEL_INFO, 3);
MIRT_ASSERT_VALUE(MIRT_LOG_LEVEL_VERBOSE, 4);

MIRT_ASSERT_ENUM(mirt_attribute_type, MIRT_ATTRIBUTE_TYPE_FORCE32);
MIRT_ASSERT_VALUE(MIRT_ATTRIBUTE_TYPE_UNDEFINED, 0);
MIRT_ASSERT_VALUE(MIRT_ATTRIBUTE_TYPE_INT, 1);
MIRT_ASSERT_VALUE(MIRT_ATTRIBUTE_TYPE_FLOAT, 2);
MIRT_ASSERT_VALUE(MIRT_ATTRIBUTE_TYPE_STRING, 3);
MIRT_ASSERT_VALUE(MIRT_ATTRIBUTE_TYPE_INTS, 4);
MIRT_ASSERT_VALUE(MIRT_ATTRIBUTE_TYPE_FLOATS, 5);
MIRT_ASSERT_VALUE(MIRT_ATTRIBUTE_TYPE_STRINGS, 6);

MIRT_ASSERT_ENUM(mirt_precision_flag, MIRT_PRECISION_FLAG_FORCE32);
MIRT_ASSERT_VALUE(MIRT_PRECISION_FLAG_NONE, 0);
MIRT_ASSERT_VALUE(MIRT_PRECISION_FLAG_TF32, 1);
MIRT_ASSERT_VALUE(MIRT_PRECISION_FLAG_FP16, 2);
MIRT_ASSERT_VALUE(MIRT_PRECISION_FLAG_BF16, 4);
MIRT_ASSERT_VALUE(MIRT_PRECISION_FLAG_INT8, 8);

MIRT_ASSERT_ENUM(mirt_profile_selector, MIRT_PROFILE_SELECTOR_FORCE32);
MIRT_ASSERT_VALUE(MIRT_PROFILE_SELECTOR_UNDEFINED, 0);
MIRT_ASSERT_VALUE(MIRT_PROFILE_SELECTOR_MIN, 1);
MIRT_ASSERT_VALUE(MIRT_PROFILE_SELECTOR_OPT, 2);
MIRT_ASSERT_VALUE(MIRT_PROFILE_SELECTOR_MAX, 3);

MIRT_ASSERT_ENUM(mirt_module_kind, MIRT_MODULE_KIND_FORCE32);
MIRT_ASSERT_VALUE(MIRT_MODULE_KIND_UNDEFINED, 0);
MIRT_ASSERT_VALUE(MIRT_MODULE_KIND_BACKEND, 1);
MIRT_ASSERT_VALUE(MIRT_MODULE_KIND_PARSER, 2);
MIRT_ASSERT_VALUE(MIRT_MODULE_KIND_PLUGIN_LIBRARY, 3);
MIRT_ASSERT_VALUE(MIRT_MODULE_KIND_CALIBRATOR, 4);
MIRT_ASSERT_VALUE(MIRT_MODULE_KIND_REFITTER, 5);

MIRT_ASSERT_ENUM(mirt_copy_kind, MIRT_COPY_KIND_FORCE32);
MIRT_ASSERT_VALUE(MIRT_COPY_KIND_UNDEFINED, 0);
MIRT_ASSERT_VALUE(MIRT_COPY_KIND_HOST_TO_DEVICE, 1);
MIRT_ASSERT_VALUE(MIRT_COPY_KIND_DEVICE_TO_HOST, 2);
MIRT_ASSERT_VALUE(MIRT_COPY_KIND_DEVICE_TO_DEVICE, 3);

MIRT_ASSERT_ENUM(mirt_dim_op, MIRT_DIM_OP_FORCE32);
MIRT_ASSERT_VALUE(MIRT_DIM_OP_SUM, 0);
MIRT_ASSERT_VALUE(MIRT_DIM_OP_SUB, 1);
MIRT_ASSERT_VALUE(MIRT_DIM_OP_PROD, 2);
MIRT_ASSERT_VALUE(MIRT_DIM_OP_FLOOR_DIV, 3);
MIRT_ASSERT_VALUE(MIRT_DIM_OP_CEIL_DIV, 4);
MIRT_ASSERT_VALUE(MIRT_DIM_OP_MAX, 5);
MIRT_ASSERT_VALUE(MIRT_DIM_OP_MIN, 6);

/* ---- Structs ---------------------------------------------------------------------------------- */

/* mirt_string_view (mirt/base.h) */
MIRT_ASSERT_SIZE(mirt_string_view, 16, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_string_view, data, 0);
MIRT_ASSERT_OFFSET(mirt_string_view, length, 8);
MIRT_ASSERT_GROUP_END(mirt_string_view, length, 16); /* end of the 0.1 group */

/* mirt_attribute (mirt/network.h) */
MIRT_ASSERT_SIZE(mirt_attribute, 56, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_attribute, name, 0);
MIRT_ASSERT_OFFSET(mirt_attribute, type, 16);
MIRT_ASSERT_OFFSET(mirt_attribute, count, 24);
MIRT_ASSERT_OFFSET(mirt_attribute, ints, 32);
MIRT_ASSERT_OFFSET(mirt_attribute, floats, 40);
MIRT_ASSERT_OFFSET(mirt_attribute, strings, 48);
MIRT_ASSERT_GROUP_END(mirt_attribute, strings, 56); /* end of the 0.1 group */

/* mirt_layer_desc (mirt/network.h) */
MIRT_ASSERT_SIZE(mirt_layer_desc, 136, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_layer_desc, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_layer_desc, op_type, 8);
MIRT_ASSERT_OFFSET(mirt_layer_desc, domain, 24);
MIRT_ASSERT_OFFSET(mirt_layer_desc, name, 40);
MIRT_ASSERT_OFFSET(mirt_layer_desc, num_inputs, 56);
MIRT_ASSERT_OFFSET(mirt_layer_desc, inputs, 64);
MIRT_ASSERT_OFFSET(mirt_layer_desc, num_attributes, 72);
MIRT_ASSERT_OFFSET(mirt_layer_desc, attributes, 80);
MIRT_ASSERT_OFFSET(mirt_layer_desc, num_outputs, 88);
MIRT_ASSERT_OFFSET(mirt_layer_desc, output_names, 96);
MIRT_ASSERT_GROUP_END(mirt_layer_desc, output_names, 104); /* end of the 0.1 group before plugins */
MIRT_ASSERT_OFFSET(mirt_layer_desc, plugin_version, 104);
MIRT_ASSERT_GROUP_END(mirt_layer_desc, plugin_version, 120); /* end of the 0.1 group before control flow */
MIRT_ASSERT_OFFSET(mirt_layer_desc, num_bodies, 120);
MIRT_ASSERT_OFFSET(mirt_layer_desc, bodies, 128);
MIRT_ASSERT_GROUP_END(mirt_layer_desc, bodies, 136); /* end of the 0.1 group */

/* mirt_body_attribute (mirt/network.h) */
MIRT_ASSERT_SIZE(mirt_body_attribute, 24, 8);
MIRT_ASSERT_OFFSET(mirt_body_attribute, name, 0);
MIRT_ASSERT_OFFSET(mirt_body_attribute, body, 16);

/* mirt_network_options (mirt/network.h) */
MIRT_ASSERT_SIZE(mirt_network_options, 24, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_network_options, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_network_options, name, 8);
MIRT_ASSERT_GROUP_END(mirt_network_options, name, 24); /* end of the 0.1 group */

/* mirt_builder_options (mirt/builder.h) */
MIRT_ASSERT_SIZE(mirt_builder_options, 88, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_builder_options, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_builder_options, backend, 8);
MIRT_ASSERT_OFFSET(mirt_builder_options, precision_flags, 24);
MIRT_ASSERT_OFFSET(mirt_builder_options, memory_limit_bytes, 32);
MIRT_ASSERT_OFFSET(mirt_builder_options, optimization_level, 40);
MIRT_ASSERT_OFFSET(mirt_builder_options, progress, 48);
MIRT_ASSERT_OFFSET(mirt_builder_options, progress_user_data, 56);
MIRT_ASSERT_GROUP_END(mirt_builder_options, progress_user_data, 64); /* end of the 0.1 group */
/* appended in 0.1 (timing cache) */
MIRT_ASSERT_OFFSET(mirt_builder_options, timing_cache_path, 64);
MIRT_ASSERT_GROUP_END(mirt_builder_options, timing_cache_path, 80);
/* appended in 0.1 (device selection) */
MIRT_ASSERT_OFFSET(mirt_builder_options, device_id, 80);
MIRT_ASSERT_GROUP_END(mirt_builder_options, device_id, 84);

/* mirt_engine_options (mirt/runtime.h) */
MIRT_ASSERT_SIZE(mirt_engine_options, 24, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_engine_options, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_engine_options, plan, 8);
MIRT_ASSERT_GROUP_END(mirt_engine_options, plan, 16); /* end of the 0.1 group */
/* appended in 0.1 (device selection) */
MIRT_ASSERT_OFFSET(mirt_engine_options, device_id, 16);
MIRT_ASSERT_GROUP_END(mirt_engine_options, device_id, 20);

/* mirt_tensor_info (mirt/runtime.h) */
MIRT_ASSERT_SIZE(mirt_tensor_info, 112, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_tensor_info, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_tensor_info, name, 8);
MIRT_ASSERT_OFFSET(mirt_tensor_info, is_input, 24);
MIRT_ASSERT_OFFSET(mirt_tensor_info, dtype, 28);
MIRT_ASSERT_OFFSET(mirt_tensor_info, rank, 32);
MIRT_ASSERT_OFFSET(mirt_tensor_info, dims, 40);
MIRT_ASSERT_OFFSET(mirt_tensor_info, location, 104);
MIRT_ASSERT_GROUP_END(mirt_tensor_info, location, 108); /* end of the 0.1 group */

/* mirt_context_options (mirt/runtime.h) */
MIRT_ASSERT_SIZE(mirt_context_options, 16, 4);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_context_options, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_context_options, profile, 4);
MIRT_ASSERT_GROUP_END(mirt_context_options, profile, 8); /* end of the 0.1 group */
/* appended in 0.1 (user-managed memory) */
MIRT_ASSERT_OFFSET(mirt_context_options, user_device_memory, 8);
MIRT_ASSERT_GROUP_END(mirt_context_options, user_device_memory, 12);
/* appended in 0.1 (profiler ranges) */
MIRT_ASSERT_OFFSET(mirt_context_options, nvtx, 12);
MIRT_ASSERT_GROUP_END(mirt_context_options, nvtx, 16);

/* mirt_output_allocator (mirt/runtime.h) */
MIRT_ASSERT_SIZE(mirt_output_allocator, 32, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_output_allocator, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_output_allocator, reallocate, 8);
MIRT_ASSERT_OFFSET(mirt_output_allocator, notify_shape, 16);
MIRT_ASSERT_OFFSET(mirt_output_allocator, user_data, 24);
MIRT_ASSERT_GROUP_END(mirt_output_allocator, user_data, 32); /* end of the 0.1 group */

/* mirt_module_info (mirt/registry.h) */
MIRT_ASSERT_SIZE(mirt_module_info, 88, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_module_info, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_module_info, name, 8);
MIRT_ASSERT_OFFSET(mirt_module_info, version, 24);
MIRT_ASSERT_OFFSET(mirt_module_info, description, 40);
MIRT_ASSERT_OFFSET(mirt_module_info, path, 56);
MIRT_ASSERT_OFFSET(mirt_module_info, kind, 72);
MIRT_ASSERT_OFFSET(mirt_module_info, abi_version, 76);
MIRT_ASSERT_OFFSET(mirt_module_info, compatible, 80);
MIRT_ASSERT_OFFSET(mirt_module_info, loaded, 84);
MIRT_ASSERT_GROUP_END(mirt_module_info, loaded, 88); /* end of the 0.1 group */

/* mirt_module_desc (mirt/module.h) */
MIRT_ASSERT_SIZE(mirt_module_desc, 56, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_module_desc, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_module_desc, abi_version, 4);
MIRT_ASSERT_OFFSET(mirt_module_desc, name, 8);
MIRT_ASSERT_OFFSET(mirt_module_desc, version, 16);
MIRT_ASSERT_OFFSET(mirt_module_desc, kind, 24);
MIRT_ASSERT_OFFSET(mirt_module_desc, description, 32);
MIRT_ASSERT_OFFSET(mirt_module_desc, score, 40);
MIRT_ASSERT_OFFSET(mirt_module_desc, vtable, 48);
MIRT_ASSERT_GROUP_END(mirt_module_desc, vtable, 56); /* end of the 0.1 group */

/* mirt_host_api (mirt/module.h) */
MIRT_ASSERT_SIZE(mirt_host_api, 136, 8);
MIRT_ASSERT_OFFSET(mirt_host_api, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_host_api, abi_version, 4);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_host_api, status_create, 8);
MIRT_ASSERT_OFFSET(mirt_host_api, log, 16);
MIRT_ASSERT_OFFSET(mirt_host_api, network_add_input, 24);
MIRT_ASSERT_OFFSET(mirt_host_api, network_add_constant, 32);
MIRT_ASSERT_OFFSET(mirt_host_api, network_add_layer, 40);
MIRT_ASSERT_OFFSET(mirt_host_api, network_mark_output, 48);
MIRT_ASSERT_OFFSET(mirt_host_api, network_find_tensor, 56);
MIRT_ASSERT_OFFSET(mirt_host_api, status_get_code, 64);
MIRT_ASSERT_OFFSET(mirt_host_api, status_get_message, 72);
MIRT_ASSERT_OFFSET(mirt_host_api, status_destroy, 80);
MIRT_ASSERT_GROUP_END(mirt_host_api, status_destroy, 88); /* end of the 0.1 group before control flow */
MIRT_ASSERT_OFFSET(mirt_host_api, network_create_body, 88);
MIRT_ASSERT_OFFSET(mirt_host_api, network_add_body_input, 96);
MIRT_ASSERT_OFFSET(mirt_host_api, network_destroy, 104);
MIRT_ASSERT_GROUP_END(mirt_host_api, network_destroy, 112); /* end of the 0.1 control-flow group */
/* since 0.1 (output checks) */
MIRT_ASSERT_OFFSET(mirt_host_api, network_infer_types, 112);
MIRT_ASSERT_OFFSET(mirt_host_api, tensor_get_dtype, 120);
MIRT_ASSERT_OFFSET(mirt_host_api, tensor_get_dims, 128);
MIRT_ASSERT_GROUP_END(mirt_host_api, tensor_get_dims, 136); /* end of the 0.1 group */

/* mirt_plugin_library_vtable (mirt/module.h) */
MIRT_ASSERT_SIZE(mirt_plugin_library_vtable, 16, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_plugin_library_vtable, struct_size, 0);
MIRT_ASSERT_GROUP_END(mirt_plugin_library_vtable, struct_size, 4); /* the reserved table */
MIRT_ASSERT_OFFSET(mirt_plugin_library_vtable, get_creators, 8);
MIRT_ASSERT_GROUP_END(mirt_plugin_library_vtable, get_creators, 16); /* end of the 0.1 group */

/* mirt_calibrator_vtable (mirt/module.h) */
MIRT_ASSERT_SIZE(mirt_calibrator_vtable, 4, 4);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_calibrator_vtable, struct_size, 0);
MIRT_ASSERT_GROUP_END(mirt_calibrator_vtable, struct_size, 4); /* end of the 0.1 group */

/* mirt_refitter_vtable (mirt/module.h) */
MIRT_ASSERT_SIZE(mirt_refitter_vtable, 4, 4);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_refitter_vtable, struct_size, 0);
MIRT_ASSERT_GROUP_END(mirt_refitter_vtable, struct_size, 4); /* end of the 0.1 group */

/* mirt_backend_vtable (mirt/backend.h) */
MIRT_ASSERT_SIZE(mirt_backend_vtable, 192, 8);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, struct_size, 0);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_backend_vtable, device_signature, 8);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, get_tactics, 16);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, kernel_create, 24);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, kernel_workspace_size, 32);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, kernel_execute, 40);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, kernel_destroy, 48);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, memory_alloc, 56);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, memory_free, 64);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, memory_copy, 72);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, stream_synchronize, 80);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, io_location, 88);
MIRT_ASSERT_GROUP_END(mirt_backend_vtable, io_location, 92); /* end of the 0.1 group */
/* appended in 0.1 (devices, events, cache control, profiler ranges) */
MIRT_ASSERT_OFFSET(mirt_backend_vtable, set_device, 96);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, event_record, 104);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, persisting_cache_max, 112);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, stream_set_persisting_window, 120);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, range_push, 128);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, range_pop, 136);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, is_device_memory, 144);
MIRT_ASSERT_GROUP_END(mirt_backend_vtable, is_device_memory, 152);
/* appended in 0.1 (tactic timing by the device's clock) */
MIRT_ASSERT_OFFSET(mirt_backend_vtable, time_calls, 152);
MIRT_ASSERT_GROUP_END(mirt_backend_vtable, time_calls, 160);
/* appended in 0.1 (graph replay) */
MIRT_ASSERT_OFFSET(mirt_backend_vtable, graph_record_begin, 160);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, graph_record_end, 168);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, graph_launch, 176);
MIRT_ASSERT_OFFSET(mirt_backend_vtable, graph_destroy, 184);
MIRT_ASSERT_GROUP_END(mirt_backend_vtable, graph_destroy, 192);

/* mirt_parser_vtable (mirt/parser.h) */
MIRT_ASSERT_SIZE(mirt_parser_vtable, 16, 8);
MIRT_ASSERT_OFFSET(mirt_parser_vtable, struct_size, 0);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_parser_vtable, parse, 8);
MIRT_ASSERT_GROUP_END(mirt_parser_vtable, parse, 16); /* end of the 0.1 group */

/* mirt_tensor_desc (mirt/backend.h) */
MIRT_ASSERT_SIZE(mirt_tensor_desc, 72, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_tensor_desc, dtype, 0);
MIRT_ASSERT_OFFSET(mirt_tensor_desc, rank, 4);
MIRT_ASSERT_OFFSET(mirt_tensor_desc, dims, 8);
MIRT_ASSERT_GROUP_END(mirt_tensor_desc, dims, 72); /* end of the 0.1 group */

/* mirt_node_info (mirt/backend.h) */
MIRT_ASSERT_SIZE(mirt_node_info, 120, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_node_info, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_node_info, name, 8);
MIRT_ASSERT_OFFSET(mirt_node_info, op_type, 24);
MIRT_ASSERT_OFFSET(mirt_node_info, domain, 40);
MIRT_ASSERT_OFFSET(mirt_node_info, num_inputs, 56);
MIRT_ASSERT_OFFSET(mirt_node_info, inputs, 64);
MIRT_ASSERT_OFFSET(mirt_node_info, constant_data, 72);
MIRT_ASSERT_OFFSET(mirt_node_info, num_outputs, 80);
MIRT_ASSERT_OFFSET(mirt_node_info, outputs, 88);
MIRT_ASSERT_OFFSET(mirt_node_info, num_attributes, 96);
MIRT_ASSERT_OFFSET(mirt_node_info, attributes, 104);
MIRT_ASSERT_OFFSET(mirt_node_info, precision_flags, 112);
MIRT_ASSERT_GROUP_END(mirt_node_info, precision_flags, 116); /* end of the 0.1 group */

/* mirt_kernel_io (mirt/backend.h) */
MIRT_ASSERT_SIZE(mirt_kernel_io, 96, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_kernel_io, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_kernel_io, num_inputs, 8);
MIRT_ASSERT_OFFSET(mirt_kernel_io, inputs, 16);
MIRT_ASSERT_OFFSET(mirt_kernel_io, input_data, 24);
MIRT_ASSERT_OFFSET(mirt_kernel_io, num_outputs, 32);
MIRT_ASSERT_OFFSET(mirt_kernel_io, outputs, 40);
MIRT_ASSERT_OFFSET(mirt_kernel_io, output_data, 48);
MIRT_ASSERT_OFFSET(mirt_kernel_io, workspace, 56);
MIRT_ASSERT_OFFSET(mirt_kernel_io, workspace_size, 64);
MIRT_ASSERT_OFFSET(mirt_kernel_io, stream, 72);
MIRT_ASSERT_GROUP_END(mirt_kernel_io, stream, 80); /* end of the 0.1 group */
/* since 0.1, appended: data-dependent outputs */
MIRT_ASSERT_OFFSET(mirt_kernel_io, allocate_output, 80);
MIRT_ASSERT_OFFSET(mirt_kernel_io, allocator, 88);
MIRT_ASSERT_GROUP_END(mirt_kernel_io, allocator, 96);

/* mirt_tactic_info (mirt/backend.h) */
MIRT_ASSERT_SIZE(mirt_tactic_info, 72, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_tactic_info, id, 0);
MIRT_ASSERT_OFFSET(mirt_tactic_info, name, 8);
MIRT_ASSERT_GROUP_END(mirt_tactic_info, name, 72); /* end of the 0.1 group */

/* mirt_plugin_field_spec (mirt/plugin.h) */
MIRT_ASSERT_SIZE(mirt_plugin_field_spec, 32, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_plugin_field_spec, name, 0);
MIRT_ASSERT_OFFSET(mirt_plugin_field_spec, type, 8);
MIRT_ASSERT_OFFSET(mirt_plugin_field_spec, length, 16);
MIRT_ASSERT_OFFSET(mirt_plugin_field_spec, required, 24);
MIRT_ASSERT_GROUP_END(mirt_plugin_field_spec, required, 28); /* end of the 0.1 group */

/* mirt_plugin_core_vtable (mirt/plugin.h) */
MIRT_ASSERT_SIZE(mirt_plugin_core_vtable, 48, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_plugin_core_vtable, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_plugin_core_vtable, name, 8);
MIRT_ASSERT_OFFSET(mirt_plugin_core_vtable, version, 16);
MIRT_ASSERT_OFFSET(mirt_plugin_core_vtable, plugin_namespace, 24);
MIRT_ASSERT_OFFSET(mirt_plugin_core_vtable, clone, 32);
MIRT_ASSERT_OFFSET(mirt_plugin_core_vtable, destroy, 40);
MIRT_ASSERT_GROUP_END(mirt_plugin_core_vtable, destroy, 48); /* end of the 0.1 group */

/* mirt_plugin_build_vtable (mirt/plugin.h) */
MIRT_ASSERT_SIZE(mirt_plugin_build_vtable, 64, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_plugin_build_vtable, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_plugin_build_vtable, num_outputs, 8);
MIRT_ASSERT_OFFSET(mirt_plugin_build_vtable, get_output_dtypes, 16);
MIRT_ASSERT_OFFSET(mirt_plugin_build_vtable, get_output_shapes, 24);
MIRT_ASSERT_OFFSET(mirt_plugin_build_vtable, supports_dtypes, 32);
MIRT_ASSERT_OFFSET(mirt_plugin_build_vtable, workspace_size, 40);
MIRT_ASSERT_OFFSET(mirt_plugin_build_vtable, configure, 48);
MIRT_ASSERT_GROUP_END(mirt_plugin_build_vtable, configure, 56); /* end of the 0.1 group */
/* since 0.1, appended: output shapes as expressions */
MIRT_ASSERT_OFFSET(mirt_plugin_build_vtable, get_output_shape_exprs, 56);
MIRT_ASSERT_GROUP_END(mirt_plugin_build_vtable, get_output_shape_exprs, 64); /* end of the appended group */

/* mirt_dim_expr_builder (mirt/plugin.h) */
MIRT_ASSERT_SIZE(mirt_dim_expr_builder, 40, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_dim_expr_builder, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_dim_expr_builder, self, 8);
MIRT_ASSERT_OFFSET(mirt_dim_expr_builder, constant, 16);
MIRT_ASSERT_OFFSET(mirt_dim_expr_builder, input_dim, 24);
MIRT_ASSERT_OFFSET(mirt_dim_expr_builder, operation, 32);
MIRT_ASSERT_GROUP_END(mirt_dim_expr_builder, operation, 40); /* end of the 0.1 group */

/* mirt_output_shape_expr (mirt/plugin.h): passed in arrays, frozen */
MIRT_ASSERT_SIZE(mirt_output_shape_expr, 72, 8);
MIRT_ASSERT_OFFSET(mirt_output_shape_expr, rank, 0);
MIRT_ASSERT_OFFSET(mirt_output_shape_expr, dims, 8);

/* mirt_plugin_runtime_vtable (mirt/plugin.h) */
MIRT_ASSERT_SIZE(mirt_plugin_runtime_vtable, 56, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_plugin_runtime_vtable, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_plugin_runtime_vtable, get_tactics, 8);
MIRT_ASSERT_OFFSET(mirt_plugin_runtime_vtable, kernel_create, 16);
MIRT_ASSERT_OFFSET(mirt_plugin_runtime_vtable, kernel_workspace_size, 24);
MIRT_ASSERT_OFFSET(mirt_plugin_runtime_vtable, kernel_execute, 32);
MIRT_ASSERT_OFFSET(mirt_plugin_runtime_vtable, kernel_destroy, 40);
MIRT_ASSERT_OFFSET(mirt_plugin_runtime_vtable, serialize_fields, 48);
MIRT_ASSERT_GROUP_END(mirt_plugin_runtime_vtable, serialize_fields, 56); /* end of the 0.1 group */

/* mirt_plugin (mirt/plugin.h) */
MIRT_ASSERT_SIZE(mirt_plugin, 40, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_plugin, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_plugin, self, 8);
MIRT_ASSERT_OFFSET(mirt_plugin, core, 16);
MIRT_ASSERT_OFFSET(mirt_plugin, build, 24);
MIRT_ASSERT_OFFSET(mirt_plugin, runtime, 32);
MIRT_ASSERT_GROUP_END(mirt_plugin, runtime, 40); /* end of the 0.1 group */

/* mirt_plugin_creator (mirt/plugin.h) */
MIRT_ASSERT_SIZE(mirt_plugin_creator, 72, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_plugin_creator, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_plugin_creator, name, 8);
MIRT_ASSERT_OFFSET(mirt_plugin_creator, version, 16);
MIRT_ASSERT_OFFSET(mirt_plugin_creator, plugin_namespace, 24);
MIRT_ASSERT_OFFSET(mirt_plugin_creator, description, 32);
MIRT_ASSERT_OFFSET(mirt_plugin_creator, num_fields, 40);
MIRT_ASSERT_OFFSET(mirt_plugin_creator, fields, 48);
MIRT_ASSERT_OFFSET(mirt_plugin_creator, create, 56);
MIRT_ASSERT_OFFSET(mirt_plugin_creator, user_data, 64);
MIRT_ASSERT_GROUP_END(mirt_plugin_creator, user_data, 72); /* end of the 0.1 group */

/* mirt_plugin_creator_info (mirt/plugin.h) */
MIRT_ASSERT_SIZE(mirt_plugin_creator_info, 32, 8);
/* since 0.1 */
MIRT_ASSERT_OFFSET(mirt_plugin_creator_info, struct_size, 0);
MIRT_ASSERT_OFFSET(mirt_plugin_creator_info, creator, 8);
MIRT_ASSERT_OFFSET(mirt_plugin_creator_info, library_path, 16);
MIRT_ASSERT_GROUP_END(mirt_plugin_creator_info, library_path, 32); /* end of the 0.1 group */


/* The _INIT macros set struct_size to the struct's size (not a constant expression, so checked here). */
static int init_sizes_match(void) {
  mirt_network_options network = MIRT_NETWORK_OPTIONS_INIT;
  mirt_layer_desc layer = MIRT_LAYER_DESC_INIT;
  mirt_builder_options builder = MIRT_BUILDER_OPTIONS_INIT;
  mirt_engine_options engine = MIRT_ENGINE_OPTIONS_INIT;
  mirt_tensor_info tensor = MIRT_TENSOR_INFO_INIT;
  mirt_context_options context = MIRT_CONTEXT_OPTIONS_INIT;
  mirt_module_info module = MIRT_MODULE_INFO_INIT;
  mirt_plugin_creator_info creator = MIRT_PLUGIN_CREATOR_INFO_INIT;
  int failed = 0;
  failed += network.struct_size != sizeof network;
  failed += layer.struct_size != sizeof layer;
  failed += builder.struct_size != sizeof builder;
  failed += builder.optimization_level != 3;
  failed += engine.struct_size != sizeof engine;
  failed += tensor.struct_size != sizeof tensor;
  failed += context.struct_size != sizeof context;
  failed += module.struct_size != sizeof module;
  failed += creator.struct_size != sizeof creator;
  return failed;
}

int main(void) {
  int failed = init_sizes_match();
  printf("layout asserts compiled (x86_64); _INIT macros: %d passed, %d failed\n", 10 - failed, failed);
  return failed == 0 ? 0 : 1;
}

#else

int main(void) {
  puts("layout asserts pin x86_64 numbers only; skipped on this target");
  return 77; /* meson: skipped */
}

#endif
