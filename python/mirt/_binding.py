"""Checks and converts the buffers a caller passes to Context.run() into addresses mirt can bind.

Rules (docs/python.md, "Buffers"):
- host engines (cpu) take numpy arrays or anything np.asarray() accepts, and host DLPack objects;
  a tensor in device memory (e.g. a torch CUDA tensor) is refused, naming the tensor and device.
- dtype must equal the tensor's (no silent casts); shape must fit the tensor's rank and static dims.
- a non-contiguous or Fortran-ordered input array is COPIED to a row-major one (numpy only; mirt
  reads dense row-major buffers); a non-contiguous output array or DLPack tensor is REFUSED (a
  copy would hide the results, or break "no copies").
"""
from __future__ import annotations

import numpy as np

from . import dlpack
from .dtypes import DType
from .errors import InvalidArgumentError, InvalidShapeError
from .runtime import TensorInfo


def kind(info: TensorInfo) -> str:
    return "input" if info.is_input else "output"


def expected_shape_text(info: TensorInfo) -> str:
    return "(" + ", ".join(str(d) for d in info.shape) + ("," if len(info.shape) == 1 else "") + ")"


def check_shape(info: TensorInfo, shape: tuple[int, ...], exact: tuple[int, ...] | None = None) -> None:
    """Raises InvalidShapeError naming the tensor when shape does not fit (exact: the shape required)."""
    if exact is not None:
        if tuple(shape) != tuple(exact):
            raise InvalidShapeError(f"{kind(info)} '{info.name}': shape {tuple(shape)}, expected {tuple(exact)}")
        return
    if len(shape) != len(info.shape) or any(d >= 0 and d != s for d, s in zip(info.shape, shape)):
        raise InvalidShapeError(f"{kind(info)} '{info.name}': shape {tuple(shape)}, expected "
                                f"{expected_shape_text(info)} (-1: any extent in the profile's range)")


def check_dtype_numpy(info: TensorInfo, dtype: np.dtype) -> None:
    if not info.dtype.accepts(dtype):
        also = " or uint16 bfloat16 bits" if info.dtype is DType.BFLOAT16 else ""
        raise InvalidArgumentError(f"{kind(info)} '{info.name}': dtype {dtype}, expected {info.dtype} "
                                   f"(numpy {info.dtype.numpy}{also}); mirt does not cast")


def host_array(info: TensorInfo, value, backend: str) -> np.ndarray:
    """An input's value as a row-major numpy array of the right dtype and rank (copied when not
    contiguous). Refuses device memory."""
    device = dlpack.device_of(value) if not isinstance(value, np.ndarray) else None
    if device is not None and device[0] not in dlpack.HOST_DEVICES:
        raise InvalidArgumentError(f"{kind(info)} '{info.name}' is in {dlpack.device_name(device)} memory, but "
                                   f"this run binds host memory (engine backend '{backend}'): pass host arrays, "
                                   f"or device tensors for every I/O tensor of a device engine")
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    check_dtype_numpy(info, arr.dtype)
    check_shape(info, arr.shape)
    return np.ascontiguousarray(arr)


def host_output(info: TensorInfo, value, shape: tuple[int, ...]) -> np.ndarray:
    """A caller's output array, checked: numpy, dtype, exact shape, row-major and writable."""
    if not isinstance(value, np.ndarray):
        raise InvalidArgumentError(f"output '{info.name}': {type(value).__name__} given; outputs on a host run "
                                   f"are numpy arrays")
    check_dtype_numpy(info, value.dtype)
    check_shape(info, value.shape, exact=shape)
    if not value.flags.c_contiguous:
        raise InvalidArgumentError(f"output '{info.name}': the array is not C-contiguous (strides {value.strides}); "
                                   f"mirt writes dense row-major buffers: pass np.empty({shape}, ...) or None")
    if not value.flags.writeable:
        raise InvalidArgumentError(f"output '{info.name}': the array is read-only")
    return value


def device_view(info: TensorInfo, value, stream: int | None, accepted_devices: tuple[int, ...] | None,
                backend: str, shape: tuple[int, ...] | None = None) -> dlpack.View:
    """A DLPack device tensor checked for device, dtype, shape (exact when given) and row-major
    layout. accepted_devices None: any non-host device."""
    device = dlpack.device_of(value)
    if device is None or not hasattr(value, "__dlpack__"):
        raise InvalidArgumentError(f"{kind(info)} '{info.name}': {type(value).__name__} is not a DLPack tensor; "
                                   f"this run binds device memory (engine backend '{backend}'): pass objects with "
                                   f"__dlpack__ (e.g. torch CUDA tensors) for every I/O tensor, or host arrays "
                                   f"for all of them")
    if device[0] in dlpack.HOST_DEVICES or (accepted_devices is not None and device[0] not in accepted_devices):
        raise InvalidArgumentError(f"{kind(info)} '{info.name}' is in {dlpack.device_name(device)} memory, but "
                                   f"engine backend '{backend}' keeps I/O in its device memory")
    v = dlpack.view(value, stream)
    if not v.matches(info.dtype):
        raise InvalidArgumentError(f"{kind(info)} '{info.name}': dtype {v.dtype_text()}, expected {info.dtype}; "
                                   f"mirt does not cast")
    check_shape(info, v.shape, exact=shape)
    if not v.is_row_major():
        raise InvalidArgumentError(f"{kind(info)} '{info.name}': strides {v.strides} are not row-major "
                                   f"{v.row_major_strides()}; device tensors are bound without copies, so pass a "
                                   f"contiguous one (e.g. tensor.contiguous())")
    return v
