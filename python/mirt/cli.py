"""The `mirt` console entry: runs the mirt CLI binary (exec, inspect, modules) with the same
arguments. The binary is MIRT_CLI when set, else the one next to the loaded libmirt's build or
install (<build>/tools/mirt/mirt, <prefix>/bin/mirt), else the first `mirt` binary (not this
script) on PATH."""
from __future__ import annotations

import os
import sys

from ._library import library_path


def find_cli() -> tuple[str | None, list[str]]:
    """The CLI binary's path (or None) and every place looked at."""
    tried: list[str] = []
    env = os.environ.get("MIRT_CLI")
    if env:
        tried.append(env)
        if os.access(env, os.X_OK):
            return env, tried
    try:
        lib_dir = os.path.dirname(os.path.abspath(library_path()))
    except Exception:  # no library: look on PATH only
        lib_dir = None
    if lib_dir:
        root = os.path.dirname(lib_dir)
        for candidate in (os.path.join(root, "tools", "mirt", "mirt"), os.path.join(root, "bin", "mirt"),
                          os.path.join(os.path.dirname(root), "bin", "mirt")):
            tried.append(candidate)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate, tried
    me = os.path.realpath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(directory, "mirt")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK) and os.path.realpath(candidate) != me:
            with open(candidate, "rb") as f:
                if f.read(4) == b"\x7fELF":  # the binary, not a Python entry script like this one
                    return candidate, tried + ["PATH"]
    return None, tried + ["PATH"]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path, tried = find_cli()
    if path is None:
        print("mirt: cannot find the mirt CLI binary; looked at:\n  " + "\n  ".join(tried) +
              "\nSet MIRT_CLI to its path (a meson build has it at build/tools/mirt/mirt).", file=sys.stderr)
        return 127
    os.execv(path, [path] + args)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
