"""ctypes mirrors of the structs and enums in abi/include/mirt/*.h, and the signatures of the calls
the package uses. Layouts follow the headers field by field; tests/abi/layout_asserts.c pins them."""
from __future__ import annotations

import ctypes as C

MAX_RANK = 8
DYNAMIC_DIM = -1

# mirt_attribute_type
ATTRIBUTE_INT, ATTRIBUTE_FLOAT, ATTRIBUTE_STRING = 1, 2, 3
ATTRIBUTE_INTS, ATTRIBUTE_FLOATS, ATTRIBUTE_STRINGS = 4, 5, 6

# mirt_tensor_location
LOCATION_HOST, LOCATION_DEVICE = 1, 2

# mirt_copy_kind
COPY_HOST_TO_DEVICE, COPY_DEVICE_TO_HOST = 1, 2

# mirt_profile_selector
PROFILE_MIN, PROFILE_OPT, PROFILE_MAX = 1, 2, 3


class string_view(C.Structure):
    _fields_ = [("data", C.c_char_p), ("length", C.c_size_t)]


def sv(text: str | bytes) -> string_view:
    """A mirt_string_view over UTF-8 text. The bytes object stays alive with the view (_keep)."""
    b = text.encode() if isinstance(text, str) else bytes(text)
    view = string_view(b, len(b))
    view._keep = b
    return view


def sv_text(view: string_view) -> str:
    return C.string_at(view.data, view.length).decode() if view.length else ""


class network_options(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("name", string_view)]


class attribute(C.Structure):
    _fields_ = [("name", string_view), ("type", C.c_int32), ("count", C.c_size_t),
                ("ints", C.POINTER(C.c_int64)), ("floats", C.POINTER(C.c_float)),
                ("strings", C.POINTER(string_view))]


class layer_desc(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("op_type", string_view), ("domain", string_view),
                ("name", string_view), ("num_inputs", C.c_size_t), ("inputs", C.POINTER(C.c_void_p)),
                ("num_attributes", C.c_size_t), ("attributes", C.POINTER(attribute)),
                ("num_outputs", C.c_size_t), ("output_names", C.POINTER(string_view))]


PROGRESS_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_char_p, C.c_uint64, C.c_uint64)


class builder_options(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("backend", string_view), ("precision_flags", C.c_uint32),
                ("memory_limit_bytes", C.c_uint64), ("optimization_level", C.c_int32),
                ("progress", PROGRESS_FN), ("progress_user_data", C.c_void_p),
                ("timing_cache_path", string_view), ("device_id", C.c_int32)]


class engine_options(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("plan", C.c_void_p), ("device_id", C.c_int32)]


class tensor_info(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("name", string_view), ("is_input", C.c_int32),
                ("dtype", C.c_int32), ("rank", C.c_size_t), ("dims", C.c_int64 * MAX_RANK),
                ("location", C.c_int32)]


class context_options(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("profile", C.c_uint32), ("user_device_memory", C.c_int32),
                ("nvtx", C.c_int32)]


LAYER_TIME_FN = C.CFUNCTYPE(None, C.c_void_p, C.c_char_p, C.c_char_p, C.c_char_p, C.c_float)


REALLOCATE_FN = C.CFUNCTYPE(C.c_void_p, C.c_void_p, C.c_char_p, C.c_void_p, C.c_uint64, C.c_uint64)
NOTIFY_SHAPE_FN = C.CFUNCTYPE(None, C.c_void_p, C.c_char_p, C.c_size_t, C.POINTER(C.c_int64))


class output_allocator(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("reallocate", REALLOCATE_FN), ("notify_shape", NOTIFY_SHAPE_FN),
                ("user_data", C.c_void_p)]


class module_info(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("name", string_view), ("version", string_view),
                ("description", string_view), ("path", string_view), ("kind", C.c_int32),
                ("abi_version", C.c_uint32), ("compatible", C.c_int32), ("loaded", C.c_int32)]


def init(struct_type):
    """A struct with struct_size set, as the MIRT_<NAME>_INIT macros do."""
    s = struct_type()
    s.struct_size = C.sizeof(struct_type)
    return s


def dims_array(dims) -> C.Array:
    return (C.c_int64 * MAX_RANK)(*[int(d) for d in dims])


P = C.c_void_p
PP = C.POINTER(C.c_void_p)
SIZE = C.c_size_t
I64P = C.POINTER(C.c_int64)

# name: (result type, argument types). Fallible calls return a mirt_status (a pointer, NULL = ok).
SIGNATURES = {
    # base.h
    "mirt_version": (C.c_char_p, []),
    "mirt_version_number": (C.c_uint32, []),
    "mirt_abi_version": (C.c_uint32, []),
    "mirt_string_free": (None, [P]),
    "mirt_status_get_code": (C.c_int32, [P]),
    "mirt_status_get_message": (C.c_char_p, [P]),
    "mirt_status_code_name": (C.c_char_p, [C.c_int32]),
    "mirt_status_destroy": (None, [P]),
    "mirt_dtype_size": (SIZE, [C.c_int32]),
    "mirt_dtype_name": (C.c_char_p, [C.c_int32]),
    # network.h
    "mirt_network_create": (P, [C.POINTER(network_options), PP]),
    "mirt_network_destroy": (None, [P]),
    "mirt_network_add_input": (P, [P, string_view, C.c_int32, SIZE, I64P, C.POINTER(string_view), PP]),
    "mirt_network_add_constant": (P, [P, string_view, C.c_int32, SIZE, I64P, P, SIZE, PP]),
    "mirt_network_add_layer": (P, [P, C.POINTER(layer_desc), PP]),
    "mirt_network_mark_output": (P, [P, P]),
    "mirt_network_find_tensor": (P, [P, string_view, PP]),
    "mirt_network_num_inputs": (SIZE, [P]),
    "mirt_network_num_outputs": (SIZE, [P]),
    "mirt_network_num_layers": (SIZE, [P]),
    "mirt_network_get_input": (P, [P, SIZE]),
    "mirt_network_get_output": (P, [P, SIZE]),
    "mirt_tensor_get_name": (string_view, [P]),
    "mirt_tensor_get_dtype": (C.c_int32, [P]),
    "mirt_tensor_get_dims": (SIZE, [P, I64P]),
    # builder.h
    "mirt_builder_config_create": (P, [C.POINTER(builder_options), PP]),
    "mirt_builder_config_destroy": (None, [P]),
    "mirt_builder_config_add_profile": (P, [P, C.POINTER(SIZE)]),
    "mirt_builder_config_set_profile_shape": (P, [P, SIZE, string_view, SIZE, I64P, I64P, I64P]),
    "mirt_builder_config_set_profile_shape_values": (P, [P, SIZE, string_view, SIZE, I64P, I64P, I64P]),
    "mirt_builder_config_set_layer_precision": (P, [P, string_view, C.c_int32]),
    "mirt_builder_build": (P, [P, P, PP]),
    "mirt_plan_create_from_bytes": (P, [C.c_char_p, SIZE, PP]),
    "mirt_plan_load": (P, [string_view, PP]),
    "mirt_plan_save": (P, [P, string_view]),
    "mirt_plan_data": (P, [P]),
    "mirt_plan_size": (SIZE, [P]),
    "mirt_plan_destroy": (None, [P]),
    "mirt_plan_describe_json": (P, [P, PP]),
    # runtime.h
    "mirt_engine_create": (P, [C.POINTER(engine_options), PP]),
    "mirt_engine_destroy": (None, [P]),
    "mirt_engine_num_io_tensors": (SIZE, [P]),
    "mirt_engine_get_io_tensor": (P, [P, SIZE, C.POINTER(tensor_info)]),
    "mirt_engine_find_io_tensor": (P, [P, string_view, C.POINTER(tensor_info)]),
    "mirt_engine_num_profiles": (SIZE, [P]),
    "mirt_engine_get_profile_shape": (P, [P, SIZE, string_view, C.c_int32, C.POINTER(SIZE), I64P]),
    "mirt_engine_is_data_dependent": (P, [P, string_view, C.POINTER(C.c_int32)]),
    "mirt_engine_is_shape_tensor": (P, [P, string_view, C.POINTER(C.c_int32)]),
    "mirt_engine_get_profile_shape_values": (P, [P, SIZE, string_view, C.c_int32, SIZE, I64P, C.POINTER(SIZE)]),
    "mirt_engine_device_memory_size": (C.c_uint64, [P]),
    "mirt_engine_device_memory_size_for_profile": (P, [P, C.c_uint32, C.POINTER(C.c_uint64)]),
    "mirt_engine_backend_name": (string_view, [P]),
    "mirt_engine_alloc_device_memory": (P, [P, SIZE, PP]),
    "mirt_engine_free_device_memory": (None, [P, P]),
    "mirt_engine_copy_memory": (P, [P, P, P, SIZE, C.c_int32, P]),
    "mirt_engine_synchronize": (P, [P, P]),
    "mirt_context_create": (P, [P, C.POINTER(context_options), PP]),
    "mirt_context_destroy": (None, [P]),
    "mirt_context_set_input_shape": (P, [P, string_view, SIZE, I64P]),
    "mirt_context_get_tensor_shape": (P, [P, string_view, C.POINTER(SIZE), I64P]),
    "mirt_context_set_tensor_address": (P, [P, string_view, P]),
    "mirt_context_enqueue": (P, [P, P]),
    "mirt_context_set_output_allocator": (P, [P, string_view, C.POINTER(output_allocator)]),
    "mirt_context_set_device_memory": (P, [P, P, C.c_uint64]),
    "mirt_context_set_input_consumed_event": (P, [P, P]),
    "mirt_context_set_persistent_cache_limit": (P, [P, SIZE]),
    "mirt_context_set_graph_replay": (P, [P, C.c_int32]),
    "mirt_context_set_profiler": (P, [P, LAYER_TIME_FN, P]),
    # parser.h
    "mirt_parser_parse_file": (P, [P, string_view, string_view]),
    "mirt_onnx_parse_file": (P, [P, string_view]),
    "mirt_onnx_parse_bytes": (P, [P, C.c_char_p, SIZE]),
    # registry.h
    "mirt_registry_add_search_path": (P, [string_view]),
    "mirt_registry_load_library": (P, [string_view]),
    "mirt_registry_num_modules": (SIZE, []),
    "mirt_registry_get_module": (P, [SIZE, C.POINTER(module_info)]),
    "mirt_registry_search_paths": (P, [PP]),
    "mirt_module_kind_name": (C.c_char_p, [C.c_int32]),
}
