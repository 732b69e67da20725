"""tests/gpu/gpu_env.py — the environment the GPU-side Python scripts (tests/gpu, bench/) run in.

The dynamic loader reads LD_LIBRARY_PATH only when a process starts, so a script calls
restart_with_mirt_env(build) first: it sets the library path (mirt's core, the CUDA libraries of
PyTorch's nvidia-* wheels first, so mirt and torch share one cuDNN/cuBLAS, then the CUDA toolkit's,
then the Debian libraries tests/gpu/stage.sh put in device-libs), the module path and the Python
package path, and starts the script again once; the second start finds the marker and returns.
"""
import glob
import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_MARKER = "MIRT_GPU_ENV"


def restart_with_mirt_env(build: str) -> None:
    """Restarts the running script with mirt's environment for the build folder `build` (a build or
    a staged folder); returns at once when already restarted."""
    if os.environ.get(_MARKER) == os.path.abspath(build):
        return
    build = os.path.abspath(build)
    dirs = [os.path.join(build, "core")]
    spec = importlib.util.find_spec("nvidia")
    for loc in (spec.submodule_search_locations if spec else []) or []:
        dirs += sorted(glob.glob(os.path.join(loc, "*", "lib")))
    dirs += ["/usr/local/cuda/lib64", os.path.join(build, "device-libs")]
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = ":".join(dirs + [p for p in env.get("LD_LIBRARY_PATH", "").split(":") if p])
    env["MIRT_MODULE_PATH"] = ":".join(os.path.join(build, d) for d in ("backends/cuda", "backends/cpu", "parsers/onnx"))
    env["MIRT_LIBRARY"] = os.path.join(build, "core", "libmirt.so")
    env["PYTHONPATH"] = ":".join([os.path.join(ROOT, "python")] + [p for p in env.get("PYTHONPATH", "").split(":") if p])
    env[_MARKER] = build
    env.setdefault("PYTHONUNBUFFERED", "1")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)
