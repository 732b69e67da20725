"""Finds and loads libmirt.so and turns mirt_status results into exceptions.

Search order (the first that exists wins):
  1. MIRT_LIBRARY: the path of libmirt.so, or a folder holding it;
  2. a meson build folder of the source tree this package sits in (<repo>/build/core), or the
     folder named by MIRT_BUILD_DIR;
  3. the install prefixes: this Python's prefix, /usr/local and /usr (lib, lib64 and the Debian
     multiarch lib folder), then the system loader's own search (ldconfig).
When the library comes from a meson build folder and MIRT_MODULE_PATH is not set, the build's module
folders (backends/*, parsers/*) are put on MIRT_MODULE_PATH, as `meson devenv` does, before the
registry first reads it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import sys
import sysconfig
import threading

from . import _capi
from .errors import LibraryNotFoundError, error_for

LIBRARY_NAME = "libmirt.so"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SOURCE_ROOT = os.path.dirname(os.path.dirname(_PACKAGE_DIR))  # <repo> when run from python/mirt

_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_path: str | None = None


def _candidates() -> list[str]:
    paths = []
    env = os.environ.get("MIRT_LIBRARY")
    if env:
        paths.append(os.path.join(env, LIBRARY_NAME) if os.path.isdir(env) else env)
    build_dirs = [os.environ["MIRT_BUILD_DIR"]] if os.environ.get("MIRT_BUILD_DIR") else []
    build_dirs.append(os.path.join(_SOURCE_ROOT, "build"))
    paths += [os.path.join(b, "core", LIBRARY_NAME) for b in build_dirs]
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    for prefix in dict.fromkeys([sys.prefix, "/usr/local", "/usr"]):
        for lib in ("lib", "lib64", os.path.join("lib", multiarch)):
            paths.append(os.path.join(prefix, lib, LIBRARY_NAME))
    return paths


def _build_dir_of(library_path: str) -> str | None:
    """The meson build folder that holds library_path (it has meson-info/), or None."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(library_path)))
    return root if os.path.isdir(os.path.join(root, "meson-info")) else None


def _use_build_modules(build_dir: str) -> None:
    if os.environ.get("MIRT_MODULE_PATH"):
        return
    manifests = glob.glob(os.path.join(build_dir, "backends", "*", "*.mirt-module.json")) + \
        glob.glob(os.path.join(build_dir, "parsers", "*", "*.mirt-module.json"))
    folders = sorted({os.path.dirname(m) for m in manifests})
    if folders:
        os.environ["MIRT_MODULE_PATH"] = ":".join(folders)


def _declare(lib: ctypes.CDLL) -> None:
    for name, (restype, argtypes) in _capi.SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes


def library() -> ctypes.CDLL:
    """The loaded libmirt (loaded on first use). Raises LibraryNotFoundError naming every path tried."""
    global _lib, _path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried, errors = [], []
        found = [p for p in _candidates() if (tried.append(p) or os.path.isfile(p))]
        system = ctypes.util.find_library("mirt")
        tried.append("the system loader's search path (ldconfig, LD_LIBRARY_PATH)")
        for path in found + ([system] if system else []):
            try:
                lib = ctypes.CDLL(path)
                _declare(lib)
            except (OSError, AttributeError) as e:
                errors.append(f"{path}: {e}")
                continue
            build_dir = _build_dir_of(path) if os.path.isabs(path) else None
            if build_dir:
                _use_build_modules(build_dir)
            _lib, _path = lib, path
            return lib
        message = "cannot find libmirt.so; searched:\n  " + "\n  ".join(tried)
        if errors:
            message += "\nfound but could not load:\n  " + "\n  ".join(errors)
        message += ("\nSet MIRT_LIBRARY to the library (e.g. MIRT_LIBRARY=$PWD/build/core/libmirt.so after "
                    "`meson setup build && ninja -C build`), MIRT_BUILD_DIR to a meson build folder, or "
                    "install mirt (`meson install -C build`).")
        raise LibraryNotFoundError(message)


def library_path() -> str:
    """The path libmirt was loaded from."""
    library()
    return _path or ""


def check(status: int | None) -> None:
    """Raises the MirtError for a non-NULL mirt_status (and destroys the status)."""
    if not status:
        return
    lib = library()
    code = lib.mirt_status_get_code(status)
    message = (lib.mirt_status_get_message(status) or b"").decode(errors="replace")
    lib.mirt_status_destroy(status)
    raise error_for(code, message)


def take_string(ptr: ctypes.c_void_p) -> str:
    """Copies a char* that mirt returned through an out parameter, then frees it."""
    if not ptr.value:
        return ""
    try:
        return ctypes.string_at(ptr.value).decode()
    finally:
        library().mirt_string_free(ptr)
