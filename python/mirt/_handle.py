"""The lifetime every mirt object shares: an owned C handle, freed by close(), a context manager,
and a finalizer that closes what the user forgot."""
from __future__ import annotations

from .errors import FailedPreconditionError


class OwnedHandle:
    """Base of the classes that own one C handle. Subclasses set ``_handle`` and ``_what`` (the
    name used in "the <what> was closed") and implement close(), which must be idempotent."""

    _handle: int | None = None
    _what = "object"

    def close(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if self._may_close_at_exit():
                self.close()
        except Exception:  # at interpreter exit the library may already be gone
            pass

    def _may_close_at_exit(self) -> bool:
        return bool(self._handle)

    def _live(self) -> int:
        """The handle, or FailedPreconditionError when the object was closed."""
        if not self._handle:
            raise FailedPreconditionError(f"the {self._what} was closed")
        return self._handle
