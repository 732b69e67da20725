"""mirt for Python: a thin layer over mirt's C ABI (abi/include/mirt/*.h) through ctypes.

    import mirt, numpy as np
    net = mirt.Network("tiny")
    x = net.add_input("x", "float32", ("batch", 4))
    w = net.add_constant("w", np.ones((3, 4), np.float32))
    y = net.add_layer("Gemm", [x, w], {"transB": 1}, name="y")
    net.mark_output(y)
    config = mirt.BuilderConfig(backend="cpu", profiles=[{"x": ((1, 4), (2, 4), (8, 4))}])
    with mirt.build(net, config) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        out = ctx.run({"x": np.ones((2, 4), np.float32)})["y"]

Everything here calls the C library; nothing is implemented twice. See docs/python.md.
"""
from __future__ import annotations

from ._library import library, library_path
from .builder import BuilderConfig, Plan, Precision, build
from .context import Context
from .dtypes import DType
from .errors import (AlreadyExistsError, CorruptDataError, DeviceError, FailedPreconditionError,
                     IncompatibleVersionError, InternalError, InvalidArgumentError, InvalidGraphError,
                     InvalidShapeError, LibraryNotFoundError, MirtError, MirtIOError, ModuleError, NotFoundError,
                     OutOfMemoryError, StatusCode, UnsupportedError)
from .log import LogLevel, set_log_callback
from .network import Attribute, Network, Tensor, floats, ints, parse_onnx, strings
from .registry import ModuleInfo, modules
from .runtime import Engine, ProfileShape, TensorInfo, TensorLocation

__version__ = "0.1.0"
DYNAMIC_DIM = -1
MAX_RANK = 8


def version() -> str:
    """The version of the loaded libmirt ("MAJOR.MINOR.PATCH"); plans are tied to it."""
    return library().mirt_version().decode()


def abi_version() -> int:
    """MIRT_ABI_VERSION of the loaded libmirt."""
    return library().mirt_abi_version()


__all__ = [
    "AlreadyExistsError", "Attribute", "BuilderConfig", "Context", "CorruptDataError", "DType", "DYNAMIC_DIM",
    "DeviceError", "Engine", "FailedPreconditionError", "IncompatibleVersionError", "InternalError",
    "InvalidArgumentError", "InvalidGraphError", "InvalidShapeError", "LibraryNotFoundError", "LogLevel", "MAX_RANK",
    "MirtError", "MirtIOError", "ModuleError", "ModuleInfo", "Network", "NotFoundError", "OutOfMemoryError", "Plan",
    "Precision", "ProfileShape", "StatusCode", "Tensor", "TensorInfo", "TensorLocation", "UnsupportedError",
    "abi_version", "build", "floats", "ints", "library", "library_path", "modules", "parse_onnx", "set_log_callback",
    "strings",
    "version",
]
