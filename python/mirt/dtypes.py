"""mirt_dtype and its numpy counterparts.

numpy has no bfloat16: a BFLOAT16 tensor takes ml_dtypes.bfloat16 arrays when ml_dtypes is
installed, and always numpy.uint16 arrays holding the raw bfloat16 bits (mirt has no uint16, so
that is unambiguous). Outputs come back as ml_dtypes.bfloat16 when available, else uint16 bits.
"""
from __future__ import annotations

import enum

import numpy as np

from .errors import InvalidArgumentError

try:
    import ml_dtypes as _ml_dtypes

    _BFLOAT16 = np.dtype(_ml_dtypes.bfloat16)
except Exception:  # optional (absent or broken): without it bfloat16 travels as uint16 bits
    _BFLOAT16 = None


class DType(enum.IntEnum):
    """mirt_dtype: element types of tensors."""
    UNDEFINED = 0
    FLOAT32 = 1
    FLOAT16 = 2
    BFLOAT16 = 3
    INT8 = 4
    UINT8 = 5
    INT32 = 6
    INT64 = 7
    BOOL = 8
    FLOAT64 = 9

    @property
    def numpy(self) -> np.dtype:
        """The numpy dtype arrays of this type get (uint16 bits for BFLOAT16 without ml_dtypes)."""
        if self is DType.BFLOAT16:
            return _BFLOAT16 if _BFLOAT16 is not None else np.dtype(np.uint16)
        if self is DType.UNDEFINED:
            raise ValueError("DType.UNDEFINED has no numpy dtype")
        return _NUMPY[self]

    @property
    def itemsize(self) -> int:
        """Bytes per element (mirt_dtype_size)."""
        return 0 if self is DType.UNDEFINED else (2 if self is DType.BFLOAT16 else _NUMPY[self].itemsize)

    def accepts(self, dtype: np.dtype) -> bool:
        """Whether a numpy array of dtype may hold this tensor's data as is."""
        if self is DType.BFLOAT16:
            return dtype == np.dtype(np.uint16) or (_BFLOAT16 is not None and dtype == _BFLOAT16)
        return self is not DType.UNDEFINED and dtype == _NUMPY[self]

    def __str__(self) -> str:
        return self.name.lower()


_NUMPY = {
    DType.FLOAT32: np.dtype(np.float32), DType.FLOAT16: np.dtype(np.float16), DType.INT8: np.dtype(np.int8),
    DType.UINT8: np.dtype(np.uint8), DType.INT32: np.dtype(np.int32), DType.INT64: np.dtype(np.int64),
    DType.BOOL: np.dtype(np.bool_), DType.FLOAT64: np.dtype(np.float64),
}


def to_dtype(value: DType | str | np.dtype | type) -> DType:
    """A DType from a DType, its name ("float32"), or a numpy dtype (uint16 means bfloat16 bits)."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        try:
            return DType[value.upper()]
        except KeyError:
            pass
    try:
        npd = np.dtype(value)
    except TypeError:
        raise InvalidArgumentError(f"{value!r} is not a mirt dtype (one of {', '.join(str(d) for d in list(DType)[1:])})") from None
    for d, n in _NUMPY.items():
        if n == npd:
            return d
    if npd == np.dtype(np.uint16) or (_BFLOAT16 is not None and npd == _BFLOAT16):
        return DType.BFLOAT16
    raise InvalidArgumentError(f"numpy dtype {npd} has no mirt dtype (mirt has {', '.join(str(d) for d in list(DType)[1:])})")
