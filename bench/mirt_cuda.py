"""mirt_cuda.py — one ONNX model built by mirt for the "cuda" backend through the C ABI
(mirt_ctypes), run with torch CUDA tensors as its I/O buffers on a caller's stream."""

import ctypes as C
import os
import time

import torch

import mirt_ctypes as M

TORCH_DTYPES = {1: torch.float32, 2: torch.float16, 3: torch.bfloat16, 4: torch.int8, 5: torch.uint8, 6: torch.int32,
                7: torch.int64, 8: torch.bool, 9: torch.float64}
LOCATION_DEVICE = 2


class MirtCuda:
    """One ONNX model built for backend "cuda" at one batch size and precision, bound to torch CUDA
    tensors. run(stream) enqueues on a cudaStream_t (an int handle)."""

    def __init__(self, lib, model, shapes, precision_flags=0, opt_level=3, backend="cuda"):
        self.lib, L = lib, lib.lib
        P = C.c_void_p
        self._owned = []
        self.times = {}
        net = P()
        t0 = time.perf_counter()
        lib.check(L.mirt_network_create(None, C.byref(net)), "creating a network")
        self._owned.append((L.mirt_network_destroy, net))
        lib.check(L.mirt_onnx_parse_file(net, M.sv(model)), f"parsing {model}")
        self.times["parse_s"] = time.perf_counter() - t0
        opts = M.builder_options(C.sizeof(M.builder_options), M.sv(backend), precision_flags, 0, opt_level, None, None)
        cfg = P()
        lib.check(L.mirt_builder_config_create(C.byref(opts), C.byref(cfg)), "creating a builder config")
        self._owned.append((L.mirt_builder_config_destroy, cfg))
        profile = None
        for i in range(L.mirt_network_num_inputs(net)):
            t = L.mirt_network_get_input(net, i)
            name_sv, d = L.mirt_tensor_get_name(t), (C.c_int64 * M.MAX_RANK)()
            name = name_sv.data[:name_sv.length].decode()
            rank = L.mirt_tensor_get_dims(t, d)
            if all(x >= 0 for x in d[:rank]):
                continue
            if name not in shapes:
                raise M.MirtError(f"input '{name}' has dynamic dims {d[:rank]}; give its shape")
            if profile is None:
                index = C.c_size_t()
                lib.check(L.mirt_builder_config_add_profile(cfg, C.byref(index)), "adding a profile")
                profile = index.value
            shape = shapes[name]
            lib.check(L.mirt_builder_config_set_profile_shape(cfg, profile, M.sv(name), len(shape), M.dims_array(shape),
                                                              M.dims_array(shape), M.dims_array(shape)),
                      f"setting the profile of '{name}'")
        plan = P()
        t0 = time.perf_counter()
        lib.check(L.mirt_builder_build(net, cfg, C.byref(plan)), f"building {os.path.basename(model)}")
        self.times["build_s"] = time.perf_counter() - t0
        eopts = M.engine_options(C.sizeof(M.engine_options), plan)
        eng = P()
        t0 = time.perf_counter()
        try:
            lib.check(L.mirt_engine_create(C.byref(eopts), C.byref(eng)), "creating an engine")
        finally:
            L.mirt_plan_destroy(plan)
        self._owned.append((L.mirt_engine_destroy, eng))
        self.engine = eng
        self.ctx, self.inputs, self.outputs = self.new_context(shapes)
        self.times["engine_context_s"] = time.perf_counter() - t0
        self._enqueue = L.mirt_context_enqueue

    def new_context(self, shapes):
        """Another execution context on this engine, with its own torch I/O tensors bound once:
        (ctx, inputs, outputs). Destroyed by close(); run it with run(stream, ctx)."""
        lib, L, eng = self.lib, self.lib.lib, self.engine
        ctx = C.c_void_p()
        copts = M.context_options(C.sizeof(M.context_options), 0)
        lib.check(L.mirt_context_create(eng, C.byref(copts), C.byref(ctx)), "creating a context")
        self._owned.append((L.mirt_context_destroy, ctx))
        for name, shape in shapes.items():
            lib.check(L.mirt_context_set_input_shape(ctx, M.sv(name), len(shape), M.dims_array(shape)),
                      f"setting the shape of '{name}'")
        inputs, outputs = {}, {}
        for i in range(L.mirt_engine_num_io_tensors(eng)):
            info = M.tensor_info()
            info.struct_size = C.sizeof(M.tensor_info)
            lib.check(L.mirt_engine_get_io_tensor(eng, i, C.byref(info)), "describing an I/O tensor")
            name = info.name.data[:info.name.length].decode()
            if info.dtype not in TORCH_DTYPES:
                raise M.MirtError(f"I/O tensor '{name}' has dtype {info.dtype}, unknown to the harness")
            if info.location != LOCATION_DEVICE:
                raise M.MirtError(f"I/O tensor '{name}' has location {info.location}, expected device memory")
            rank, d = C.c_size_t(), (C.c_int64 * M.MAX_RANK)()
            lib.check(L.mirt_context_get_tensor_shape(ctx, M.sv(name), C.byref(rank), d), f"shape of '{name}'")
            buf = torch.empty(tuple(d[:rank.value]), dtype=TORCH_DTYPES[info.dtype], device="cuda")
            (inputs if info.is_input else outputs)[name] = buf
            lib.check(L.mirt_context_set_tensor_address(ctx, M.sv(name), C.c_void_p(buf.data_ptr())), f"binding '{name}'")
        return ctx, inputs, outputs

    def set_inputs(self, tensors):
        for name, t in tensors.items():
            dst = self.inputs[name]
            if tuple(dst.shape) != tuple(t.shape):
                raise M.MirtError(f"input '{name}': mirt wants {tuple(dst.shape)}, got {tuple(t.shape)}")
            dst.copy_(t.to(dst.dtype))

    def run(self, stream_handle, ctx=None):
        status = self._enqueue(self.ctx if ctx is None else ctx, C.c_void_p(stream_handle))
        if status:
            self.lib.check(status, "enqueue")

    def close(self):
        while self._owned:
            destroy, handle = self._owned.pop()
            destroy(handle)
