"""A small ctypes harness over libmirt's C ABI (abi/include/mirt/*.h), for benchmarks.

It parses an ONNX file, builds a plan for one backend with one optimization profile, creates an
engine and a context, binds numpy buffers once, and then runs the context: the timed call is
mirt_context_enqueue() alone, as close to the library as Python gets (one ctypes call, ~1 us).
Only what bench/ needs; not an API.
"""
import ctypes as C

import numpy as np

MAX_RANK = 8
DTYPE_FLOAT32 = 1
# mirt_dtype -> numpy dtype, for binding I/O buffers (mirt/base.h)
NUMPY_DTYPES = {1: np.float32, 2: np.float16, 4: np.int8, 5: np.uint8, 6: np.int32, 7: np.int64, 8: np.bool_,
                9: np.float64}


class string_view(C.Structure):
    _fields_ = [("data", C.c_char_p), ("length", C.c_size_t)]


def sv(text):
    b = text.encode()
    return string_view(b, len(b))


class builder_options(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("backend", string_view), ("precision_flags", C.c_uint32),
                ("memory_limit_bytes", C.c_uint64), ("optimization_level", C.c_int32),
                ("progress", C.c_void_p), ("progress_user_data", C.c_void_p)]


class engine_options(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("plan", C.c_void_p)]


class tensor_info(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("name", string_view), ("is_input", C.c_int32), ("dtype", C.c_int32),
                ("rank", C.c_size_t), ("dims", C.c_int64 * MAX_RANK), ("location", C.c_int32)]


class context_options(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("profile", C.c_uint32)]


class MirtError(RuntimeError):
    pass


class Library:
    def __init__(self, path):
        # The cpu module's oneDNN runs on libgomp. When the registry unloads the module (last engine
        # destroyed, or exit) libgomp goes with it while its worker threads live, and they crash
        # (bench/README.md, "Known problems"). Holding our own reference keeps libgomp mapped.
        try:
            self._gomp = C.CDLL("libgomp.so.1", mode=C.RTLD_GLOBAL)
        except OSError:
            self._gomp = None
        lib = C.CDLL(path)
        P = C.c_void_p
        sigs = {
            "mirt_version": (C.c_char_p, []),
            "mirt_status_get_message": (C.c_char_p, [P]),
            "mirt_status_get_code": (C.c_int, [P]),
            "mirt_status_code_name": (C.c_char_p, [C.c_int]),
            "mirt_status_destroy": (None, [P]),
            "mirt_network_create": (P, [P, C.POINTER(P)]),
            "mirt_network_destroy": (None, [P]),
            "mirt_onnx_parse_file": (P, [P, string_view]),
            "mirt_network_num_inputs": (C.c_size_t, [P]),
            "mirt_network_get_input": (P, [P, C.c_size_t]),
            "mirt_tensor_get_name": (string_view, [P]),
            "mirt_tensor_get_dims": (C.c_size_t, [P, C.POINTER(C.c_int64)]),
            "mirt_builder_config_create": (P, [C.POINTER(builder_options), C.POINTER(P)]),
            "mirt_builder_config_destroy": (None, [P]),
            "mirt_builder_config_add_profile": (P, [P, C.POINTER(C.c_size_t)]),
            "mirt_builder_config_set_profile_shape": (P, [P, C.c_size_t, string_view, C.c_size_t,
                                                          C.POINTER(C.c_int64), C.POINTER(C.c_int64),
                                                          C.POINTER(C.c_int64)]),
            "mirt_builder_build": (P, [P, P, C.POINTER(P)]),
            "mirt_plan_destroy": (None, [P]),
            "mirt_engine_create": (P, [C.POINTER(engine_options), C.POINTER(P)]),
            "mirt_engine_destroy": (None, [P]),
            "mirt_engine_num_io_tensors": (C.c_size_t, [P]),
            "mirt_engine_get_io_tensor": (P, [P, C.c_size_t, C.POINTER(tensor_info)]),
            "mirt_context_create": (P, [P, C.POINTER(context_options), C.POINTER(P)]),
            "mirt_context_destroy": (None, [P]),
            "mirt_context_set_input_shape": (P, [P, string_view, C.c_size_t, C.POINTER(C.c_int64)]),
            "mirt_context_get_tensor_shape": (P, [P, string_view, C.POINTER(C.c_size_t), C.POINTER(C.c_int64)]),
            "mirt_context_set_tensor_address": (P, [P, string_view, P]),
            "mirt_context_enqueue": (P, [P, P]),
            "mirt_context_set_graph_replay": (P, [P, C.c_int32]),
        }
        for name, (res, args) in sigs.items():
            f = getattr(lib, name)
            f.restype, f.argtypes = res, args
        self.lib = lib
        self.version = lib.mirt_version().decode()

    def check(self, status, doing):
        if status:
            code = self.lib.mirt_status_get_code(status)
            msg = self.lib.mirt_status_get_message(status).decode()
            self.lib.mirt_status_destroy(status)
            raise MirtError(f"{doing}: {msg} [{self.lib.mirt_status_code_name(code).decode()}]")


def dims_array(dims):
    return (C.c_int64 * MAX_RANK)(*dims)


class Runner:
    """One model built for `backend`, bound to numpy buffers. shapes: {input name: run shape}; inputs
    with dynamic dims get one profile, min/max from ranges {name: (min, max)} or else the run shape.
    run() enqueues once (the CPU backend is synchronous)."""

    def __init__(self, lib, model, shapes, ranges=None, backend="cpu", opt_level=3):
        self.lib, L = lib, lib.lib
        P = C.c_void_p
        self._owned = []  # (destroy function, handle), destroyed in reverse
        net = P()
        lib.check(L.mirt_network_create(None, C.byref(net)), "creating a network")
        self._owned.append((L.mirt_network_destroy, net))
        lib.check(L.mirt_onnx_parse_file(net, sv(model)), f"parsing {model}")
        opts = builder_options(C.sizeof(builder_options), sv(backend), 0, 0, opt_level, None, None)
        cfg = P()
        lib.check(L.mirt_builder_config_create(C.byref(opts), C.byref(cfg)), "creating a builder config")
        self._owned.append((L.mirt_builder_config_destroy, cfg))
        profile = None
        for i in range(L.mirt_network_num_inputs(net)):
            t = L.mirt_network_get_input(net, i)
            name_sv, d = L.mirt_tensor_get_name(t), (C.c_int64 * MAX_RANK)()
            name = name_sv.data[:name_sv.length].decode()
            rank = L.mirt_tensor_get_dims(t, d)
            if all(x >= 0 for x in d[:rank]):
                continue
            if name not in shapes:
                raise MirtError(f"input '{name}' has dynamic dims {d[:rank]}; give its shape")
            if profile is None:
                index = C.c_size_t()
                lib.check(L.mirt_builder_config_add_profile(cfg, C.byref(index)), "adding a profile")
                profile = index.value
            shape = shapes[name]
            lo, hi = (ranges or {}).get(name, (shape, shape))
            lib.check(L.mirt_builder_config_set_profile_shape(cfg, profile, sv(name), len(shape), dims_array(lo),
                                                              dims_array(shape), dims_array(hi)),
                      f"setting the profile of '{name}'")
        plan = P()
        lib.check(L.mirt_builder_build(net, cfg, C.byref(plan)), f"building {model}")
        eopts = engine_options(C.sizeof(engine_options), plan)
        eng = P()
        try:
            lib.check(L.mirt_engine_create(C.byref(eopts), C.byref(eng)), "creating an engine")
        finally:
            L.mirt_plan_destroy(plan)
        self._owned.append((L.mirt_engine_destroy, eng))
        ctx = P()
        copts = context_options(C.sizeof(context_options), 0)
        lib.check(L.mirt_context_create(eng, C.byref(copts), C.byref(ctx)), "creating a context")
        self._owned.append((L.mirt_context_destroy, ctx))
        self.ctx = ctx
        for name, shape in shapes.items():
            lib.check(L.mirt_context_set_input_shape(ctx, sv(name), len(shape), dims_array(shape)),
                      f"setting the shape of '{name}'")
        self.inputs, self.outputs = {}, {}
        for i in range(L.mirt_engine_num_io_tensors(eng)):
            info = tensor_info()
            info.struct_size = C.sizeof(tensor_info)
            lib.check(L.mirt_engine_get_io_tensor(eng, i, C.byref(info)), "describing an I/O tensor")
            name = info.name.data[:info.name.length].decode()
            if info.dtype not in NUMPY_DTYPES:
                raise MirtError(f"I/O tensor '{name}' has mirt dtype {info.dtype}, which numpy cannot hold")
            rank, d = C.c_size_t(), (C.c_int64 * MAX_RANK)()
            lib.check(L.mirt_context_get_tensor_shape(ctx, sv(name), C.byref(rank), d), f"shape of '{name}'")
            buf = np.zeros(tuple(d[:rank.value]), dtype=NUMPY_DTYPES[info.dtype])
            (self.inputs if info.is_input else self.outputs)[name] = buf
            lib.check(L.mirt_context_set_tensor_address(ctx, sv(name), buf.ctypes.data_as(C.c_void_p)),
                      f"binding '{name}'")
        self._enqueue = L.mirt_context_enqueue

    def set_input(self, name, value):
        np.copyto(self.inputs[name], value, casting="same_kind")  # int64 ids into an input narrowed to int32

    def run(self):
        status = self._enqueue(self.ctx, None)
        if status:
            self.lib.check(status, "enqueue")

    def close(self):
        while self._owned:
            destroy, handle = self._owned.pop()
            destroy(handle)
