"""The process-wide module registry (mirt/registry.h): backends, parsers and plugins.

Modules are found in the install's module folder and in MIRT_MODULE_PATH (read when the registry is
first used), loaded on first use. All calls are thread-safe."""
from __future__ import annotations

import ctypes as C
import os
from dataclasses import dataclass

from . import _capi
from ._library import check, library, take_string


@dataclass(frozen=True)
class ModuleInfo:
    """A known module (mirt_module_info)."""
    name: str
    version: str
    description: str
    path: str
    kind: str
    abi_version: int
    compatible: bool
    loaded: bool


def modules() -> list[ModuleInfo]:
    """Every known module (none is loaded by listing)."""
    lib, out = library(), []
    for i in range(lib.mirt_registry_num_modules()):
        raw = _capi.init(_capi.module_info)
        check(lib.mirt_registry_get_module(i, C.byref(raw)))
        out.append(ModuleInfo(_capi.sv_text(raw.name), _capi.sv_text(raw.version), _capi.sv_text(raw.description),
                              _capi.sv_text(raw.path), (lib.mirt_module_kind_name(raw.kind) or b"").decode(),
                              raw.abi_version, bool(raw.compatible), bool(raw.loaded)))
    return out


def add_search_path(folder: str | os.PathLike) -> None:
    """Adds a folder of modules (after those known). NotFoundError names a missing folder."""
    check(library().mirt_registry_add_search_path(_capi.sv(os.fspath(folder))))


def load_library(path: str | os.PathLike) -> None:
    """Loads a module library now (plugins). ModuleError carries the loader's message."""
    check(library().mirt_registry_load_library(_capi.sv(os.fspath(path))))


def search_paths() -> list[str]:
    """The folders searched so far."""
    out = C.c_void_p()
    check(library().mirt_registry_search_paths(C.byref(out)))
    return [p for p in take_string(out).split("\n") if p]
