"""Python exceptions for mirt_status failures (mirt/base.h).

Every failing C call raises a MirtError subclass that carries the status code and the status
message unchanged, so a Python user sees the same culprit (tensor, layer, path) a C user does.
Checks made in Python before a call (an array of the wrong dtype, say) raise the same classes.
"""
from __future__ import annotations

import enum


class StatusCode(enum.IntEnum):
    """mirt_status_code: the kind of a failure."""
    OK = 0
    INVALID_ARGUMENT = 1      # a parameter has a value the call cannot take
    INVALID_GRAPH = 2         # the network breaks a rule: cycle, dangling input, bad attribute
    INVALID_SHAPE = 3         # a shape does not fit an op, a profile or a buffer
    NOT_FOUND = 4             # a named tensor, module, file or profile does not exist
    UNSUPPORTED = 5           # valid, but no installed module implements it
    INCOMPATIBLE_VERSION = 6  # plan or module from another mirt/ABI version
    CORRUPT_DATA = 7          # a plan or model that is truncated or damaged
    OUT_OF_MEMORY = 8         # an allocation failed; the message says how much
    IO_ERROR = 9              # a file could not be read or written
    MODULE_ERROR = 10         # a module could not be loaded or misbehaved
    DEVICE_ERROR = 11         # the backend's device reported a failure
    ALREADY_EXISTS = 12       # a name is taken (module, tensor, plugin creator)
    FAILED_PRECONDITION = 13  # the object is not in a state for this call (e.g. no shapes set)
    INTERNAL = 14             # a bug in mirt; please report it with the message


class MirtError(Exception):
    """A mirt failure: `code` (StatusCode) and `message` (the status message, naming the culprit)."""

    code: StatusCode = StatusCode.INTERNAL

    def __init__(self, message: str, code: StatusCode | int | None = None):
        if code is not None:
            try:
                self.code = StatusCode(code)
            except ValueError:  # a code newer than this package
                self.code = StatusCode.INTERNAL
        self.message = message
        super().__init__(f"{self.code.name}: {message}")


class InvalidArgumentError(MirtError, ValueError):
    code = StatusCode.INVALID_ARGUMENT


class InvalidGraphError(MirtError, ValueError):
    code = StatusCode.INVALID_GRAPH


class InvalidShapeError(MirtError, ValueError):
    code = StatusCode.INVALID_SHAPE


class NotFoundError(MirtError, LookupError):
    code = StatusCode.NOT_FOUND


class UnsupportedError(MirtError):
    code = StatusCode.UNSUPPORTED


class IncompatibleVersionError(MirtError):
    code = StatusCode.INCOMPATIBLE_VERSION


class CorruptDataError(MirtError):
    code = StatusCode.CORRUPT_DATA


class OutOfMemoryError(MirtError, MemoryError):
    code = StatusCode.OUT_OF_MEMORY


class MirtIOError(MirtError, OSError):
    code = StatusCode.IO_ERROR


class ModuleError(MirtError):
    code = StatusCode.MODULE_ERROR


class DeviceError(MirtError):
    code = StatusCode.DEVICE_ERROR


class AlreadyExistsError(MirtError):
    code = StatusCode.ALREADY_EXISTS


class FailedPreconditionError(MirtError):
    code = StatusCode.FAILED_PRECONDITION


class InternalError(MirtError):
    code = StatusCode.INTERNAL


class LibraryNotFoundError(NotFoundError, OSError):
    """libmirt.so could not be found or loaded; the message lists the paths searched."""


_BY_CODE = {cls.code: cls for cls in (
    InvalidArgumentError, InvalidGraphError, InvalidShapeError, NotFoundError, UnsupportedError,
    IncompatibleVersionError, CorruptDataError, OutOfMemoryError, MirtIOError, ModuleError, DeviceError,
    AlreadyExistsError, FailedPreconditionError, InternalError)}


def error_for(code: int, message: str) -> MirtError:
    """The exception for a status code (MirtError itself for codes this package does not know)."""
    cls = _BY_CODE.get(code, MirtError)
    return cls(message, code)
