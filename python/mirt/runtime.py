"""The runtime phase (mirt/runtime.h): a plan becomes an engine; contexts run it.

Threading: an engine is immutable and may be shared by any number of threads. A context is used by
one thread at a time; create one context per thread (they share the engine's weights and kernels).
ctypes releases the GIL during every C call, so contexts on several threads run in parallel.
"""
from __future__ import annotations

import ctypes as C
import enum
import os
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from . import _capi
from ._handle import OwnedHandle
from ._library import check, library
from .builder import Plan
from .dtypes import DType

if TYPE_CHECKING:
    from .context import Context


class TensorLocation(enum.IntEnum):
    """mirt_tensor_location: where a tensor's buffer lives."""
    UNDEFINED = 0
    HOST = 1    # host memory
    DEVICE = 2  # the backend's device memory


@dataclass(frozen=True)
class TensorInfo:
    """An engine I/O tensor (mirt_tensor_info). shape has -1 where dynamic."""
    name: str
    is_input: bool
    dtype: DType
    shape: tuple[int, ...]
    location: TensorLocation


class ProfileShape(NamedTuple):
    """The min/opt/max shape of an input in one optimization profile."""
    min: tuple[int, ...]
    opt: tuple[int, ...]
    max: tuple[int, ...]


def _info(raw: _capi.tensor_info) -> TensorInfo:
    return TensorInfo(_capi.sv_text(raw.name), bool(raw.is_input), DType(raw.dtype), tuple(raw.dims[:raw.rank]),
                      TensorLocation(raw.location))


class Engine(OwnedHandle):
    """An engine (mirt_engine): the immutable, shareable form of a plan. Creating it checks the
    plan's header (magic, format and mirt version, size, checksum), loads the plan's backend module
    and creates its kernels. Raises CorruptDataError with the byte offset for a damaged plan,
    IncompatibleVersionError naming both versions, NotFoundError naming the backend and the folders
    searched.

    plan: a Plan, the plan's bytes, or the path of a plan file. The bytes are copied, so the plan may
    be closed afterwards. close() (or leaving a `with` block) closes the engine's contexts first.
    device_id: the backend device (CUDA device id) the engine and its contexts live on;
    InvalidArgumentError names the id and the device count when there is no such device."""

    _handle: int | None = None  # set first, so __del__ works after a failed __init__
    _what = "engine"

    def __init__(self, plan: Plan | bytes | bytearray | str | os.PathLike, device_id: int = 0):
        own = not isinstance(plan, Plan)
        if isinstance(plan, (bytes, bytearray, memoryview)):
            plan = Plan.from_bytes(plan)
        elif own:
            plan = Plan.load(plan)
        try:
            opts = _capi.init(_capi.engine_options)
            opts.plan = plan._live()
            opts.device_id = int(device_id)
            handle = C.c_void_p()
            check(library().mirt_engine_create(C.byref(opts), C.byref(handle)))
        finally:
            if own:
                plan.close()
        self._handle: int | None = handle.value
        self._contexts: "weakref.WeakSet" = weakref.WeakSet()
        self._io = [self._describe(i) for i in range(library().mirt_engine_num_io_tensors(self._handle))]
        self.backend: str = _capi.sv_text(library().mirt_engine_backend_name(self._handle))
        self.shape_tensor_inputs = frozenset(t.name for t in self.inputs if self.is_shape_tensor(t.name))

    def _describe(self, index: int) -> TensorInfo:
        raw = _capi.init(_capi.tensor_info)
        check(library().mirt_engine_get_io_tensor(self._handle, index, C.byref(raw)))
        return _info(raw)

    def close(self) -> None:
        """Closes every context of the engine, then frees it (mirt_engine_destroy). Idempotent."""
        for ctx in list(getattr(self, "_contexts", ())):
            ctx.close()
        if self._handle:
            library().mirt_engine_destroy(self._handle)
            self._handle = None

    @property
    def io_tensors(self) -> list[TensorInfo]:
        """Inputs in the order added, then outputs in the order marked."""
        return list(self._io)

    @property
    def inputs(self) -> list[TensorInfo]:
        return [t for t in self._io if t.is_input]

    @property
    def outputs(self) -> list[TensorInfo]:
        return [t for t in self._io if not t.is_input]

    def tensor(self, name: str) -> TensorInfo:
        """The I/O tensor called name; NotFoundError lists the engine's I/O names."""
        raw = _capi.init(_capi.tensor_info)
        check(library().mirt_engine_find_io_tensor(self._live(), _capi.sv(name), C.byref(raw)))
        return _info(raw)

    def is_data_dependent(self, name: str) -> bool:
        """Whether an output's shape is known only while the network runs (NonZero, Unique, ...):
        run() sizes it from the run; the low-level calls need set_output_allocator()."""
        out = C.c_int32()
        check(library().mirt_engine_is_data_dependent(self._live(), _capi.sv(name), C.byref(out)))
        return bool(out.value)

    def is_shape_tensor(self, name: str) -> bool:
        """Whether an input is a shape tensor: its values feed shapes, so the engine reads it on the
        host at each run (set its range with BuilderConfig.set_profile_shape_values). The names of
        all such inputs are in shape_tensor_inputs."""
        out = C.c_int32()
        check(library().mirt_engine_is_shape_tensor(self._live(), _capi.sv(name), C.byref(out)))
        return bool(out.value)

    def profile_shape_values(self, input_name: str, profile: int = 0) -> ProfileShape:
        """The min/opt/max values of a shape tensor input in a profile."""
        values = []
        for which in (_capi.PROFILE_MIN, _capi.PROFILE_OPT, _capi.PROFILE_MAX):
            count = C.c_size_t()
            check(library().mirt_engine_get_profile_shape_values(self._live(), profile, _capi.sv(input_name), which,
                                                                 0, None, C.byref(count)))
            out = (C.c_int64 * max(count.value, 1))()
            check(library().mirt_engine_get_profile_shape_values(self._live(), profile, _capi.sv(input_name), which,
                                                                 count.value, out, C.byref(count)))
            values.append(tuple(out[:count.value]))
        return ProfileShape(*values)

    @property
    def num_profiles(self) -> int:
        """Number of optimization profiles in the plan (at least 1)."""
        return library().mirt_engine_num_profiles(self._live())

    def profile_shape(self, input_name: str, profile: int = 0) -> ProfileShape:
        """The min/opt/max shape of an input in a profile."""
        shapes = []
        for which in (_capi.PROFILE_MIN, _capi.PROFILE_OPT, _capi.PROFILE_MAX):
            rank, dims = C.c_size_t(), (C.c_int64 * _capi.MAX_RANK)()
            check(library().mirt_engine_get_profile_shape(self._live(), profile, _capi.sv(input_name), which,
                                                          C.byref(rank), dims))
            shapes.append(tuple(dims[:rank.value]))
        return ProfileShape(*shapes)

    @property
    def device_memory_size(self) -> int:
        """Device memory one context needs at most, over all profiles (bytes): activations plus
        kernel workspace, the block a Context(user_device_memory=True) takes."""
        return library().mirt_engine_device_memory_size(self._live())

    def device_memory_size_for_profile(self, profile: int) -> int:
        """Device memory a context of one profile needs (bytes); InvalidArgumentError for an
        unknown profile."""
        size = C.c_uint64()
        check(library().mirt_engine_device_memory_size_for_profile(self._live(), profile, C.byref(size)))
        return size.value

    @property
    def io_location(self) -> TensorLocation:
        """Where the engine's I/O buffers live (DEVICE for the cuda backend, HOST for cpu)."""
        return self._io[0].location if self._io else TensorLocation.HOST

    # Device memory of the engine's backend (host memory for cpu): thin wrappers, thread-safe.
    def alloc_device_memory(self, size: int) -> int:
        """size bytes of the backend's memory, 64-byte aligned; free with free_device_memory()."""
        ptr = C.c_void_p()
        check(library().mirt_engine_alloc_device_memory(self._live(), size, C.byref(ptr)))
        return ptr.value or 0

    def free_device_memory(self, address: int) -> None:
        library().mirt_engine_free_device_memory(self._live(), address)

    def copy_memory(self, dst: int, src: int, size: int, to_device: bool, stream: int | None = None) -> None:
        """Copies size bytes host -> device (to_device) or device -> host, ordered on stream."""
        kind = _capi.COPY_HOST_TO_DEVICE if to_device else _capi.COPY_DEVICE_TO_HOST
        check(library().mirt_engine_copy_memory(self._live(), dst, src, size, kind, stream))

    def synchronize(self, stream: int | None = None) -> None:
        """Waits until all work enqueued on stream (None: the default stream) has finished."""
        check(library().mirt_engine_synchronize(self._live(), stream))

    def create_context(self, profile: int = 0, user_device_memory: bool = False, nvtx: bool = False) -> "Context":
        """A new execution context using optimization profile `profile` (see Context)."""
        from .context import Context
        return Context(self, profile, user_device_memory=user_device_memory, nvtx=nvtx)

    def __repr__(self) -> str:
        return f"mirt.Engine(backend={self.backend!r}, io={[t.name for t in self._io]})"
