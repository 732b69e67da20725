"""Execution contexts (mirt_context): shapes, buffers and runs of one engine on one thread."""
from __future__ import annotations

import ctypes as C
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from . import _binding, _capi, dlpack
from ._handle import OwnedHandle
from ._library import check, library
from .errors import InvalidArgumentError
from .runtime import Engine, TensorInfo, TensorLocation

# DLPack device types each device backend's memory may come as (others: any non-host device).
_BACKEND_DEVICES = {"cuda": (dlpack.CUDA, dlpack.CUDA_MANAGED)}


def _stream_handle(stream: Any) -> int | None:
    """A backend stream handle from None, an int (cudaStream_t), or an object with .cuda_stream
    (torch.cuda.Stream) or .ptr (cupy)."""
    if stream is None or isinstance(stream, int):
        return stream
    for attr in ("cuda_stream", "ptr"):
        if hasattr(stream, attr):
            return int(getattr(stream, attr))
    raise InvalidArgumentError(f"stream: {type(stream).__name__} is not a stream handle (int, torch.cuda.Stream)")


class Context(OwnedHandle):
    """An execution context (mirt_context) on an engine, using one optimization profile. It
    allocates its profile's activation memory, unless user_device_memory is set: then the caller
    gives it a block with set_device_memory() before the first run. nvtx wraps each layer's launch
    in a profiler range named after the layer (Nsight Systems; CUDA backend). Use one context per
    thread. Closing the engine closes its contexts."""

    _handle: int | None = None  # set first, so __del__ works after a failed __init__
    _what = "context"

    def _may_close_at_exit(self) -> bool:
        # A context the engine already closed (with its own handle) has nothing left to free.
        return bool(self._handle and self.engine._handle)

    def __init__(self, engine: Engine, profile: int = 0, user_device_memory: bool = False, nvtx: bool = False):
        opts = _capi.init(_capi.context_options)
        opts.profile = profile
        opts.user_device_memory = int(bool(user_device_memory))
        opts.nvtx = int(bool(nvtx))
        handle = C.c_void_p()
        check(library().mirt_context_create(engine._live(), C.byref(opts), C.byref(handle)))
        self._handle: int | None = handle.value
        self.engine, self.profile = engine, profile
        self._staging: dict[str, tuple[int, int]] = {}  # name -> (device address, bytes) for host runs
        self._allocators: dict[str, Any] = {}  # name -> what keeps an output allocator's callbacks alive
        self._profiler: Any = None  # keeps the profiler's C callback alive while it is set
        self._profiler_errors: list[BaseException] = []
        engine._contexts.add(self)

    def close(self) -> None:
        """Frees the context (mirt_context_destroy) and its staging buffers. Idempotent."""
        if self._handle:
            for address, _ in self._staging.values():
                self.engine.free_device_memory(address)
            self._staging.clear()
            for holder in self._allocators.values():
                holder.release()
            self._allocators.clear()
            library().mirt_context_destroy(self._handle)
            self._handle = None




    # ---- The C calls, one to one ----------------------------------------------------------------

    def set_input_shape(self, name: str, shape: Sequence[int]) -> None:
        """Sets the shape of an input for the next runs. InvalidShapeError names the tensor, dim,
        value and the profile's range when a dim falls outside it, or the static extent it must equal."""
        check(library().mirt_context_set_input_shape(self._live(), _capi.sv(name), len(shape),
                                                     _capi.dims_array(shape)))

    def get_tensor_shape(self, name: str) -> tuple[int, ...]:
        """The current shape of an I/O tensor (outputs: inferred from the input shapes set so far).
        FailedPreconditionError names the inputs whose shape is not set yet."""
        rank, dims = C.c_size_t(), (C.c_int64 * _capi.MAX_RANK)()
        check(library().mirt_context_get_tensor_shape(self._live(), _capi.sv(name), C.byref(rank), dims))
        return tuple(dims[:rank.value])

    def set_tensor_address(self, name: str, address: int) -> None:
        """Binds a buffer (dense row-major, in the tensor's location) for the next runs. The context
        does not own it: keep it alive and large enough for every run that uses it."""
        check(library().mirt_context_set_tensor_address(self._live(), _capi.sv(name), address))

    def set_output_allocator(self, name: str, reallocate: Callable[[str, int, int, int], int] | None,
                             notify_shape: Callable[[str, tuple[int, ...]], None] | None = None) -> None:
        """Sets (or, with reallocate None, removes) the output allocator of an output
        (mirt_context_set_output_allocator). On each enqueue the context calls
        reallocate(name, current_address, size, alignment) for the output's buffer (return an
        address in the tensor's location, 0 to fail; the allocator owns the memory) and
        notify_shape(name, shape) with the run's shape. Outputs whose shape is data-dependent
        (Engine.is_data_dependent) need one for enqueue(); run() sets its own."""
        self._set_allocator(name, _CallbackAllocator(reallocate, notify_shape) if reallocate else None)

    def _set_allocator(self, name: str, holder: Any) -> None:
        check(library().mirt_context_set_output_allocator(self._live(), _capi.sv(name),
                                                          C.byref(holder.table) if holder else None))
        old = self._allocators.pop(name, None)
        if old:
            old.release()
        if holder:
            self._allocators[name] = holder

    def set_device_memory(self, address: int, size: int) -> None:
        """Gives the context the device memory its runs use (TensorRT's setDeviceMemory): size bytes
        at address, 64-byte aligned, at least engine.device_memory_size_for_profile(profile) (e.g.
        from engine.alloc_device_memory). The caller keeps it valid until the context is closed or
        given another block, and until enqueued runs finish. InvalidArgumentError names the sizes
        when it is too small."""
        check(library().mirt_context_set_device_memory(self._live(), address, size))

    def set_input_consumed_event(self, event: Any) -> None:
        """Sets (or with None removes) an event (a cudaEvent_t handle as an int, or an object with
        .cuda_event like torch.cuda.Event) that each enqueue records once the inputs are no longer
        read, so they may be refilled while the run goes on. The CPU backend never records it: its
        inputs are consumed when enqueue returns."""
        if event is not None and not isinstance(event, int):
            event = int(getattr(event, "cuda_event"))
        check(library().mirt_context_set_input_consumed_event(self._live(), event))

    def set_persistent_cache_limit(self, size: int) -> None:
        """Sets aside size bytes of the device's persisting L2 cache for this context's activations
        (0 turns it off). InvalidArgumentError names both sizes when size exceeds the device's
        maximum (0 on the CPU backend)."""
        check(library().mirt_context_set_persistent_cache_limit(self._live(), size))

    def set_graph_replay(self, enable: bool) -> None:
        """Records the run once into a device graph (a CUDA graph) and replays it on later enqueues
        while shapes and tensor addresses stay the same, skipping the host's per-layer work; runs
        that cannot be recorded run plainly (with a warning). UnsupportedError on backends without
        graphs (the CPU backend)."""
        check(library().mirt_context_set_graph_replay(self._live(), 1 if enable else 0))

    def set_profiler(self, on_layer: Callable[[str, str, str, float], None] | None) -> None:
        """Sets (or with None removes) a per-layer profiler: on_layer(layer, op_type, tactic, ms) is
        called for each layer during each enqueue, on the enqueuing thread. It synchronizes after
        every layer: a profiling mode, not for production runs or CUDA graph capture. An exception
        on_layer raises is re-raised by enqueue() once the run is done."""
        if on_layer is None:
            check(library().mirt_context_set_profiler(self._live(), _capi.LAYER_TIME_FN(), None))
            self._profiler = None
            return

        def trampoline(_user, layer, op_type, tactic, ms):
            try:
                on_layer(layer.decode(), op_type.decode(), (tactic or b"").decode(), float(ms))
            except BaseException as error:  # never unwind through C: enqueue() raises it after the run
                self._profiler_errors.append(error)
        callback = _capi.LAYER_TIME_FN(trampoline)
        check(library().mirt_context_set_profiler(self._live(), callback, None))
        self._profiler = callback

    def enqueue(self, stream: Any = None) -> None:
        """Runs the network on a backend stream (None: the backend default; cpu runs synchronously).
        FailedPreconditionError names any input whose shape or I/O tensor whose address is missing."""
        check(library().mirt_context_enqueue(self._live(), _stream_handle(stream)))
        if self._profiler_errors:
            error, self._profiler_errors = self._profiler_errors[0], []
            raise error

    # ---- Runs with arrays -------------------------------------------------------------------------

    def run(self, inputs: Mapping[str, Any] | Any, outputs: Mapping[str, Any] | None = None,
            stream: Any = None) -> dict[str, Any]:
        """Sets the input shapes from the given arrays, binds every I/O buffer, runs, and returns
        {output name: array}. inputs: {name: array}, or one array for a one-input engine.
        outputs: optional {name: array} to write into; missing ones are allocated.

        Host arrays (numpy, or anything np.asarray takes) work on every backend; on a device engine
        they are staged through device buffers and the call returns when the results are on the
        host. DLPack device tensors (torch CUDA tensors, ...) are bound without copies and the run is
        enqueued on `stream` (int cudaStream_t or torch.cuda.Stream; None: the default stream) and
        not waited for; outputs not given are allocated with torch when the inputs are torch tensors.
        Bad buffers raise InvalidArgumentError / InvalidShapeError naming the tensor and what was
        expected (docs/python.md, "Buffers")."""
        io = {t.name: t for t in self.engine.io_tensors}
        if not isinstance(inputs, Mapping):
            if len(self.engine.inputs) != 1:
                raise InvalidArgumentError(f"run() got one array, but the engine has inputs "
                                           f"{[t.name for t in self.engine.inputs]}: pass a dict")
            inputs = {self.engine.inputs[0].name: inputs}
        outputs = dict(outputs or {})
        for name, given, want_input in [(n, inputs, True) for n in inputs] + [(n, outputs, False) for n in outputs]:
            if name not in io or io[name].is_input != want_input:
                names = [t.name for t in (self.engine.inputs if want_input else self.engine.outputs)]
                raise InvalidArgumentError(f"'{name}' is not an {'input' if want_input else 'output'} of the "
                                           f"engine; its {'inputs' if want_input else 'outputs'} are {names}")
        missing = [t.name for t in self.engine.inputs if t.name not in inputs]
        if missing:
            raise InvalidArgumentError(f"run() is missing input(s) {missing}")
        values = list(inputs.values()) + list(outputs.values())
        on_device = self.engine.io_location is TensorLocation.DEVICE
        if on_device and any(_is_device(v) for v in values):
            return self._run_device(inputs, outputs, _stream_handle(stream))
        return self._run_host(inputs, outputs, _stream_handle(stream), on_device)

    def _run_host(self, inputs, outputs, stream, staged: bool) -> dict[str, np.ndarray]:
        backend = self.engine.backend
        arrays = {t.name: _binding.host_array(t, inputs[t.name], backend) for t in self.engine.inputs}
        shape_inputs = self.engine.shape_tensor_inputs
        for name, arr in arrays.items():
            self.set_input_shape(name, arr.shape)
            if name in shape_inputs:  # read on the host, whatever the backend, before shapes are inferred
                self.set_tensor_address(name, arr.ctypes.data)
        dynamic = {}  # outputs whose shape the run decides: an allocator of ours takes them
        for t in self.engine.outputs:
            shape = self.get_tensor_shape(t.name)
            if any(d < 0 for d in shape):
                if t.name in outputs:
                    raise InvalidArgumentError(f"output '{t.name}' has a data-dependent shape {shape}; run() "
                                               f"allocates it, so pass no buffer for it")
                dynamic[t.name] = _RunAllocator(t, self.engine if staged else None)
                self._set_allocator(t.name, dynamic[t.name])
                continue
            if t.name in self._allocators:
                self._set_allocator(t.name, None)
            arrays[t.name] = (_binding.host_output(t, outputs[t.name], shape) if t.name in outputs
                              else np.empty(shape, dtype=t.dtype.numpy))
        if not staged:
            for name, arr in arrays.items():
                self.set_tensor_address(name, arr.ctypes.data)
            self.enqueue(stream)
        else:
            for name, arr in arrays.items():
                if name in shape_inputs:
                    continue
                address = self._staging_buffer(name, arr.nbytes)
                self.set_tensor_address(name, address)
                if name in inputs and arr.nbytes:
                    self.engine.copy_memory(address, arr.ctypes.data, arr.nbytes, True, stream)
            self.enqueue(stream)
            for t in self.engine.outputs:
                arr = arrays.get(t.name)
                if arr is not None and arr.nbytes:
                    self.engine.copy_memory(arr.ctypes.data, self._staging[t.name][0], arr.nbytes, False, stream)
            self.engine.synchronize(stream)
        for name, holder in dynamic.items():
            arrays[name] = holder.result(stream)
        return {t.name: arrays[t.name] for t in self.engine.outputs}

    def _staging_buffer(self, name: str, nbytes: int) -> int:
        address, size = self._staging.get(name, (0, 0))
        if size < max(nbytes, 1):
            if address:
                self.engine.free_device_memory(address)
                del self._staging[name]
            address = self.engine.alloc_device_memory(max(nbytes, 1))
            self._staging[name] = (address, max(nbytes, 1))
        return address

    def _run_device(self, inputs, outputs, stream) -> dict[str, Any]:
        backend = self.engine.backend
        devices = _BACKEND_DEVICES.get(backend)
        # DLPack: a CUDA consumer names its stream; 1 is the legacy default stream (NULL), 0 is not allowed.
        dl_stream = (stream or 1) if devices and dlpack.CUDA in devices else stream
        views, host_values = {}, []
        for t in self.engine.inputs:
            if t.name in self.engine.shape_tensor_inputs:  # read on the host, whatever the backend
                value = inputs[t.name]
                host = _binding.host_array(t, value.cpu() if hasattr(value, "cpu") else value, backend)
                host_values.append(host)  # alive until the run has read it
                self.set_input_shape(t.name, host.shape)
                self.set_tensor_address(t.name, host.ctypes.data)
                continue
            views[t.name] = _binding.device_view(t, inputs[t.name], dl_stream, devices, backend)
            self.set_input_shape(t.name, views[t.name].shape)
        results = {}
        for t in self.engine.outputs:
            shape = self.get_tensor_shape(t.name)
            value = outputs[t.name] if t.name in outputs else _allocate_like(t, shape, inputs, stream)
            views[t.name] = _binding.device_view(t, value, dl_stream, devices, backend, shape)
            results[t.name] = value
        for name, v in views.items():
            self.set_tensor_address(name, v.address)
        self.enqueue(stream)
        return results


def _is_device(value: Any) -> bool:
    device = dlpack.device_of(value) if not isinstance(value, np.ndarray) else None
    return device is not None and device[0] not in dlpack.HOST_DEVICES


def _allocate_like(info: TensorInfo, shape: tuple[int, ...], inputs: Mapping[str, Any], stream: int | None) -> Any:
    """An output tensor for a device run, made by the inputs' own library (torch only). It is
    allocated on the run's stream, so torch's caching allocator does not hand its memory to other
    streams' work before the run has finished with it."""
    for value in inputs.values():
        if type(value).__module__.split(".")[0] == "torch":
            import torch
            dtype = getattr(torch, str(info.dtype))  # DType names are torch's
            if stream is None or value.device.type != "cuda":
                return torch.empty(shape, dtype=dtype, device=value.device)
            with torch.cuda.stream(torch.cuda.ExternalStream(stream, device=value.device)):
                return torch.empty(shape, dtype=dtype, device=value.device)
    raise InvalidArgumentError(f"output '{info.name}': no buffer given, and mirt can only allocate device outputs "
                               f"for torch inputs: pass outputs={{'{info.name}': a tensor of shape {shape} and dtype "
                               f"{info.dtype} on the device}}")


class _CallbackAllocator:
    """A user's reallocate/notify_shape pair as a mirt_output_allocator (kept alive with the context)."""

    def __init__(self, reallocate, notify_shape):
        def _reallocate(_user, name, current, size, alignment):
            try:
                return reallocate(name.decode(), current or 0, size, alignment) or None
            except Exception:  # noqa: BLE001 - an exception must not cross into C; NULL fails the run
                return None

        def _notify(_user, name, rank, dims):
            if notify_shape:
                notify_shape(name.decode(), tuple(dims[i] for i in range(rank)))

        self.callbacks = (_capi.REALLOCATE_FN(_reallocate), _capi.NOTIFY_SHAPE_FN(_notify))
        self.table = _capi.init(_capi.output_allocator)
        self.table.reallocate, self.table.notify_shape = self.callbacks

    def release(self) -> None:
        pass


class _RunAllocator(_CallbackAllocator):
    """run()'s allocator for a data-dependent output: a numpy buffer (host backends) or device memory
    of the engine (copied back after the run), grown on demand, and the shape the run reports."""

    def __init__(self, info: TensorInfo, engine: Engine | None):
        self.info, self.engine = info, engine
        self.buffer: np.ndarray | None = None
        self.device: tuple[int, int] = (0, 0)  # address, bytes
        self.shape: tuple[int, ...] | None = None
        super().__init__(self._reallocate, self._notify)

    def _reallocate(self, _name: str, _current: int, size: int, _alignment: int) -> int:
        size = max(size, 1)
        if self.engine is None:
            if self.buffer is None or self.buffer.nbytes < size:
                self.buffer = np.empty(size + 255, np.uint8)  # over-allocated, to align the start
            return (self.buffer.ctypes.data + 255) // 256 * 256
        if self.device[1] < size:
            self.release()
            self.device = (self.engine.alloc_device_memory(size), size)
        return self.device[0]

    def _notify(self, _name: str, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def result(self, stream: int | None) -> np.ndarray:
        if self.shape is None:
            raise InvalidArgumentError(f"output '{self.info.name}': the run reported no shape")
        out = np.empty(self.shape, dtype=self.info.dtype.numpy)
        if not out.nbytes:
            return out
        if self.engine is None:
            start = (self.buffer.ctypes.data + 255) // 256 * 256 - self.buffer.ctypes.data
            out.view(np.uint8).reshape(-1)[:] = self.buffer[start:start + out.nbytes]
        else:
            self.engine.copy_memory(out.ctypes.data, self.device[0], out.nbytes, False, stream)
            self.engine.synchronize(stream)
        return out

    def release(self) -> None:
        if self.engine is not None and self.device[0]:
            self.engine.free_device_memory(self.device[0])
            self.device = (0, 0)
