"""Reading DLPack tensors (any object with __dlpack__ / __dlpack_device__: torch, cupy, jax, numpy)
without copying them, for binding their memory as mirt I/O buffers.

Only the legacy "dltensor" capsule is read, and it is never consumed: the capsule (and with it the
producer's tensor) stays alive while the view is referenced, and the producer's own capsule
destructor releases it afterwards.
"""
from __future__ import annotations

import ctypes as C
from dataclasses import dataclass

from .dtypes import DType

# DLDeviceType values used here.
CPU, CUDA, CUDA_HOST, CUDA_MANAGED = 1, 2, 3, 13
DEVICE_NAMES = {1: "CPU", 2: "CUDA", 3: "CUDA host (pinned)", 4: "OpenCL", 7: "Vulkan", 8: "Metal",
                10: "ROCm", 11: "ROCm host", 13: "CUDA managed", 14: "oneAPI"}
HOST_DEVICES = (CPU, CUDA_HOST)

# (DLDataTypeCode, bits) of each mirt dtype; lanes are 1.
_CODES = {DType.FLOAT32: (2, 32), DType.FLOAT16: (2, 16), DType.BFLOAT16: (4, 16), DType.INT8: (0, 8),
          DType.UINT8: (1, 8), DType.INT32: (0, 32), DType.INT64: (0, 64), DType.BOOL: (6, 8),
          DType.FLOAT64: (2, 64)}
_CODE_NAMES = {0: "int", 1: "uint", 2: "float", 4: "bfloat", 5: "complex", 6: "bool"}


class _Device(C.Structure):
    _fields_ = [("device_type", C.c_int32), ("device_id", C.c_int32)]


class _DataType(C.Structure):
    _fields_ = [("code", C.c_uint8), ("bits", C.c_uint8), ("lanes", C.c_uint16)]


class _DLTensor(C.Structure):
    _fields_ = [("data", C.c_void_p), ("device", _Device), ("ndim", C.c_int32), ("dtype", _DataType),
                ("shape", C.POINTER(C.c_int64)), ("strides", C.POINTER(C.c_int64)), ("byte_offset", C.c_uint64)]


class _ManagedTensor(C.Structure):
    _fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", C.c_void_p), ("deleter", C.c_void_p)]


_get_pointer = C.pythonapi.PyCapsule_GetPointer
_get_pointer.restype, _get_pointer.argtypes = C.c_void_p, [C.py_object, C.c_char_p]
_is_valid = C.pythonapi.PyCapsule_IsValid
_is_valid.restype, _is_valid.argtypes = C.c_int, [C.py_object, C.c_char_p]


def device_of(obj) -> tuple[int, int] | None:
    """(DLDeviceType, device id) of an object with __dlpack_device__, else None."""
    fn = getattr(obj, "__dlpack_device__", None)
    if fn is None:
        return None
    dev_type, dev_id = fn()
    return int(dev_type), int(dev_id)


def device_name(device: tuple[int, int]) -> str:
    return f"{DEVICE_NAMES.get(device[0], f'DLPack device type {device[0]}')}:{device[1]}"


def dtype_name(code: int, bits: int, lanes: int) -> str:
    name = f"{_CODE_NAMES.get(code, f'code{code}_')}{bits}"
    return name if lanes == 1 else f"{name}x{lanes}"


@dataclass
class View:
    """A DLPack tensor's memory: address (data + byte_offset), device, dtype, shape and strides (in
    elements; None when compact row-major). `capsule` keeps the producer's memory alive."""
    address: int
    device: tuple[int, int]
    dtype: tuple[int, int, int]
    shape: tuple[int, ...]
    strides: tuple[int, ...] | None
    capsule: object

    def matches(self, dtype: DType) -> bool:
        return (self.dtype[0], self.dtype[1]) == _CODES[dtype] and self.dtype[2] == 1

    def dtype_text(self) -> str:
        return dtype_name(*self.dtype)

    def is_row_major(self) -> bool:
        """Whether the memory is dense row-major (strides of extent-1 dims do not matter)."""
        if self.strides is None:
            return True
        expected = 1
        for extent, stride in zip(reversed(self.shape), reversed(self.strides)):
            if extent != 1 and stride != expected:
                return False
            expected *= extent
        return True

    def row_major_strides(self) -> tuple[int, ...]:
        out, step = [], 1
        for extent in reversed(self.shape):
            out.append(step)
            step *= extent
        return tuple(reversed(out))


def view(obj, stream: int | None) -> View:
    """Calls obj.__dlpack__(stream=stream) and reads the tensor it describes (nothing is copied).
    stream: the consumer's stream for CUDA producers (1: the legacy default stream), None otherwise."""
    capsule = obj.__dlpack__(stream=stream) if stream is not None else obj.__dlpack__()
    if not _is_valid(capsule, b"dltensor"):
        raise TypeError(f"{type(obj).__name__}.__dlpack__ did not return an unconsumed 'dltensor' capsule")
    managed = _ManagedTensor.from_address(_get_pointer(capsule, b"dltensor"))
    t = managed.dl_tensor
    shape = tuple(t.shape[i] for i in range(t.ndim))
    strides = tuple(t.strides[i] for i in range(t.ndim)) if t.strides else None
    return View((t.data or 0) + t.byte_offset, (t.device.device_type, t.device.device_id),
                (t.dtype.code, t.dtype.bits, t.dtype.lanes), shape, strides, capsule)
