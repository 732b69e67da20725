"""Routing mirt's log lines (mirt_set_log_callback, mirt/base.h) to a Python callable."""
from __future__ import annotations

import ctypes as C
import enum
from typing import Callable, Optional

from ._library import library


class LogLevel(enum.IntEnum):
    """mirt_log_level."""
    ERROR = 1
    WARNING = 2
    INFO = 3
    VERBOSE = 4


LOG_FN = C.CFUNCTYPE(None, C.c_void_p, C.c_int32, C.c_char_p, C.c_char_p)
_current = None  # the installed ctypes callback: it must stay alive until replaced


def set_log_callback(fn: Optional[Callable[[LogLevel, str, str], None]],
                     max_level: LogLevel = LogLevel.WARNING) -> None:
    """Routes log lines at or below max_level to fn(level, source, message); None restores the
    default (warnings and errors to stderr). Process-wide; fn may be called from any thread (it then
    takes the GIL). Exceptions raised by fn are swallowed: they must not unwind through C."""
    global _current
    lib = library()
    lib.mirt_set_log_callback.restype = None
    lib.mirt_set_log_callback.argtypes = [LOG_FN, C.c_void_p, C.c_int32]
    if fn is None:
        lib.mirt_set_log_callback(LOG_FN(), None, int(LogLevel.WARNING))
        _current = None
        return

    def trampoline(_user, level, source, message):
        try:
            fn(LogLevel(level), (source or b"").decode(errors="replace"), (message or b"").decode(errors="replace"))
        except BaseException:  # never unwind through C
            pass
    callback = LOG_FN(trampoline)
    lib.mirt_set_log_callback(callback, None, int(max_level))
    _current = callback  # replaced only after the library holds the new one
