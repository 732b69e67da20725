"""The build phase (mirt/builder.h): a network plus a builder config become a serialized plan.

The builder validates the network, infers shapes and types over each optimization profile, folds
constants, removes dead layers, asks the target backend for kernels (tactics), plans activation
memory and writes the plan (docs/plan-format.md).
Threading: a config is used by one thread at a time; build() may run on several threads at once
with different configs.
"""
from __future__ import annotations

import ctypes as C
import enum
import json
import os
from typing import Callable, Mapping, Sequence

from . import _capi
from ._handle import OwnedHandle
from ._library import check, library, take_string
from .dtypes import DType
from .errors import InvalidShapeError
from .network import Network

ShapeRange = tuple[Sequence[int], Sequence[int], Sequence[int]]


def _int64_array(values: Sequence[int]) -> C.Array:
    """values as a C int64 array (of length 1 at least, so an empty tensor passes a valid pointer)."""
    return (C.c_int64 * max(len(values), 1))(*[int(v) for v in values])


class Precision(enum.IntFlag):
    """mirt_precision_flag: precisions the builder may use in addition to FP32."""
    NONE = 0
    TF32 = 1 << 0
    FP16 = 1 << 1
    BF16 = 1 << 2
    INT8 = 1 << 3


class BuilderConfig(OwnedHandle):
    """Builder options plus optimization profiles (mirt_builder_config).

    backend: target backend module name ("cpu", "cuda"); "" picks the installed one with the highest score.
    precision: Precision flags; NONE is FP32 only.
    memory_limit: activation + workspace limit in bytes; 0 is unlimited.
    optimization_level: 0..5 as in TensorRT (default 3). 0 builds fast: each layer takes its
      backend's first kernel. Above 0, layers with several kernels have each timed on the device at
      the opt shapes of profile 0, and the fastest goes into the plan.
    progress: optional progress(phase, done, total) -> bool; return True to cancel the build (it
      then fails with FailedPreconditionError). Called on the building thread.
    profiles: optional list of {input name: (min, opt, max)} dicts, added as with add_profile().
    timing_cache: optional path of a persistent timing cache: above level 0 the builder takes the
      recorded tactic of every layer whose key it holds, untimed, and writes new timings back; a
      file that is not a timing cache fails the build (InvalidArgumentError naming path and line).
    device_id: the backend device (CUDA device id) the build times tactics on; InvalidArgumentError
      at build time names the id and the device count when there is no such device.
    """

    _handle: int | None = None  # set first, so __del__ works after a failed __init__
    _what = "builder config"

    def __init__(self, backend: str = "", precision: Precision | int = Precision.NONE, memory_limit: int = 0,
                 optimization_level: int = 3, progress: Callable[[str, int, int], bool | None] | None = None,
                 profiles: Sequence[Mapping[str, ShapeRange]] = (), timing_cache: str | os.PathLike | None = None,
                 device_id: int = 0):
        opts = _capi.init(_capi.builder_options)
        opts.backend = _capi.sv(backend)
        opts.precision_flags = int(precision)
        opts.memory_limit_bytes = int(memory_limit)
        opts.optimization_level = int(optimization_level)
        opts.device_id = int(device_id)
        if timing_cache is not None:
            opts.timing_cache_path = _capi.sv(os.fspath(timing_cache))
        if progress is not None:
            def trampoline(_user, phase, done, total):
                try:
                    return 1 if progress(phase.decode(), done, total) else 0
                except BaseException:  # never unwind through C; cancel instead
                    return 1
            # The callback must outlive every build with this config (docs/abi/ownership.md).
            self._progress = _capi.PROGRESS_FN(trampoline)
            opts.progress = self._progress
        handle = C.c_void_p()
        check(library().mirt_builder_config_create(C.byref(opts), C.byref(handle)))
        self._handle: int | None = handle.value
        self.backend = backend
        for p in profiles:
            self.add_profile(p)

    def close(self) -> None:
        """Frees the config (mirt_builder_config_destroy). Idempotent."""
        if self._handle:
            library().mirt_builder_config_destroy(self._handle)
            self._handle = None

    def add_profile(self, shapes: Mapping[str, ShapeRange] | None = None) -> int:
        """Adds an optimization profile and returns its index. A network with dynamic input dims
        needs at least one; each gives min/opt/max for every input with a dynamic dim. shapes:
        {input name: (min, opt, max)}, set as with set_profile_shape()."""
        index = C.c_size_t()
        check(library().mirt_builder_config_add_profile(self._live(), C.byref(index)))
        for name, (lo, opt, hi) in (shapes or {}).items():
            self.set_profile_shape(index.value, name, lo, opt, hi)
        return index.value

    def set_profile_shape(self, profile: int, input_name: str, min: Sequence[int], opt: Sequence[int],
                          max: Sequence[int]) -> None:
        """Sets the shape range of an input in a profile: min <= opt <= max elementwise; static dims
        must equal the network's. Checked again at build time, naming input and dim."""
        if not len(min) == len(opt) == len(max):
            raise InvalidShapeError(f"profile {profile}, input '{input_name}': min, opt and max have ranks "
                                    f"{len(min)}, {len(opt)} and {len(max)}; they must be equal")
        check(library().mirt_builder_config_set_profile_shape(
            self._live(), profile, _capi.sv(input_name), len(min), _capi.dims_array(min), _capi.dims_array(opt),
            _capi.dims_array(max)))

    def set_profile_shape_values(self, profile: int, input_name: str, min: Sequence[int], opt: Sequence[int],
                                 max: Sequence[int]) -> None:
        """Sets the value range of a shape tensor input (an int32/int64 input of fixed shape, at
        most 64 elements, whose values feed shape operands such as Reshape's shape) in a profile:
        one min/opt/max per element. The engine then reads that input on the host at each run
        (Engine.is_shape_tensor). Checked again at build time, naming the input."""
        if not len(min) == len(opt) == len(max):
            raise InvalidShapeError(f"profile {profile}, shape input '{input_name}': min, opt and max have "
                                    f"{len(min)}, {len(opt)} and {len(max)} values; they must be equal")
        check(library().mirt_builder_config_set_profile_shape_values(
            self._live(), profile, _capi.sv(input_name), len(min), _int64_array(min), _int64_array(opt),
            _int64_array(max)))

    def set_layer_precision(self, layer_name: str, dtype: DType | None) -> None:
        """Constrains a layer's precision whatever the precision flags (TensorRT's setPrecision with
        OBEY_PRECISION_CONSTRAINTS): DType.FLOAT32 keeps it in float32; FLOAT16 or BFLOAT16 runs it in
        that type. None removes the constraint. At build time NotFoundError names a layer the network
        lacks, UnsupportedError a layer the backend has no kernel for in that type."""
        code = DType.UNDEFINED if dtype is None else DType(dtype)
        check(library().mirt_builder_config_set_layer_precision(self._live(), _capi.sv(layer_name), int(code)))

    def build(self, network: Network) -> "Plan":
        """Builds network into a plan (see build())."""
        return build(network, self)


class Plan(OwnedHandle):
    """A serialized plan (mirt_plan): immutable bytes that any number of threads may read."""

    _handle: int | None = None  # set first, so __del__ works after a failed __init__
    _what = "plan"

    def __init__(self, handle: int):
        self._handle: int | None = handle

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> "Plan":
        """Wraps a copy of data as a plan (checked only when an engine is created from it)."""
        data = bytes(data)
        handle = C.c_void_p()
        check(library().mirt_plan_create_from_bytes(data, len(data), C.byref(handle)))
        return cls(handle.value)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Plan":
        """Reads a plan file. MirtIOError names the path."""
        handle = C.c_void_p()
        check(library().mirt_plan_load(_capi.sv(os.fspath(path)), C.byref(handle)))
        return cls(handle.value)

    def save(self, path: str | os.PathLike) -> None:
        """Writes the plan's bytes to path. MirtIOError names the path and the reason."""
        check(library().mirt_plan_save(self._live(), _capi.sv(os.fspath(path))))

    @property
    def data(self) -> bytes:
        """A copy of the plan's bytes."""
        lib = library()
        return C.string_at(lib.mirt_plan_data(self._live()), lib.mirt_plan_size(self._live()))

    def __len__(self) -> int:
        return library().mirt_plan_size(self._live())

    def describe(self) -> dict:
        """The plan described (mirt_plan_describe_json: header, I/O, profiles, layers and kernels,
        weights, memory plan) as a dict, after the checks an engine makes."""
        out = C.c_void_p()
        check(library().mirt_plan_describe_json(self._live(), C.byref(out)))
        return json.loads(take_string(out))

    def close(self) -> None:
        """Frees the plan (mirt_plan_destroy). Engines made from it keep their own copy."""
        if self._handle:
            library().mirt_plan_destroy(self._handle)
            self._handle = None





def build(network: Network, config: BuilderConfig | None = None) -> Plan:
    """Builds network with config (defaults when None) into a plan (mirt_builder_build). The network
    is not changed. Raises InvalidGraphError / InvalidShapeError naming the layer for a network that
    breaks an op's rules, UnsupportedError naming the layer when the backend has no kernel for it,
    NotFoundError when the backend module is not installed (the message lists where the registry
    looked)."""
    own = config is None
    config = config or BuilderConfig()
    try:
        handle = C.c_void_p()
        check(library().mirt_builder_build(network._live(), config._live(), C.byref(handle)))
        return Plan(handle.value)
    finally:
        if own:
            config.close()
