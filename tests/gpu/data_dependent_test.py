#!/usr/bin/env python3
"""tests/gpu/data_dependent_test.py BUILD — outputs with data-dependent shapes on the cuda backend
(NonZero and Compress kernels, the runtime's output allocators and its re-inference of the layers
downstream), through the Python package, against numpy.

Checks: NonZero over float32 (with -0.0 and NaN), float16, int64 and bool inputs; NonZero followed
by a Transpose and a Cast (layers sized only at run time); Compress along an axis and flattened,
with a condition longer than the axis whose tail is false; a condition selecting past the axis is
refused naming the entry; successive runs with fewer and more selected elements (the allocator
grows and shrinks the output); the engine reports the outputs as data-dependent. Each result also
equals the cpu backend's. Prints one line per check and "N passed, N failed"; exit status 0 when
all passed. Run from the repository root; tests/gpu/run.sh runs it.
"""
import os
import sys
import traceback

from gpu_env import restart_with_mirt_env

if len(sys.argv) != 2:
    sys.exit("usage: tests/gpu/data_dependent_test.py BUILD")
restart_with_mirt_env(sys.argv[1])

import numpy as np  # noqa: E402

import mirt  # noqa: E402

RNG = np.random.default_rng(20261126)
ONNX_FLOAT32 = 1


def sparse(shape, dtype, density=0.3):
    values = RNG.standard_normal(shape) * (RNG.random(shape) < density)
    return values.astype(dtype)


def engines(net):
    """The network built for cuda and for cpu."""
    built = []
    for backend in ("cuda", "cpu"):
        with mirt.BuilderConfig(backend=backend, optimization_level=0) as config:
            built.append(mirt.Engine(mirt.build(net, config)))
    return built


def run_both(net, feeds_list, reference):
    cuda, cpu = engines(net)
    with cuda, cpu, cuda.create_context() as on_gpu, cpu.create_context() as on_cpu:
        for name in [t.name for t in cuda.outputs]:
            assert cuda.is_data_dependent(name), f"cuda engine: output '{name}' is not reported as data-dependent"
        for feeds in feeds_list:
            got, want = on_gpu.run(feeds), reference(feeds)
            host = on_cpu.run(feeds)
            for name, expected in want.items():
                assert got[name].shape == expected.shape, f"{name}: shape {got[name].shape}, numpy {expected.shape}"
                assert got[name].dtype == expected.dtype, f"{name}: dtype {got[name].dtype}, numpy {expected.dtype}"
                np.testing.assert_array_equal(got[name], expected, err_msg=name)
                np.testing.assert_array_equal(got[name], host[name], err_msg=f"{name} vs the cpu backend")


def nonzero_network(dtype, shape):
    net = mirt.Network()
    x = net.add_input("x", dtype, shape)
    net.mark_output(net.add_layer("NonZero", [x], name="where"))
    return net


def check_nonzero_float32():
    x = sparse((3, 4, 5), np.float32)
    x[0, 0, 0], x[1, 2, 3], x[2, 3, 4] = -0.0, np.nan, 7.0
    fewer, more = np.zeros_like(x), sparse((3, 4, 5), np.float32, 0.9)
    fewer[1, 1, 1] = 2.0
    run_both(nonzero_network("float32", (3, 4, 5)), [{"x": x}, {"x": fewer}, {"x": more}, {"x": np.zeros_like(x)}],
             lambda f: {"where": np.array(np.nonzero(f["x"]), dtype=np.int64).reshape(3, -1)})


def check_nonzero_other_dtypes():
    for dtype, values in (("float16", sparse((64,), np.float16)), ("int64", (sparse((6, 7), np.float32) * 10).astype(np.int64)),
                          ("bool", RNG.random((2, 3, 4, 5)) < 0.5)):
        run_both(nonzero_network(dtype, values.shape), [{"x": values}],
                 lambda f: {"where": np.array(np.nonzero(f["x"]), dtype=np.int64).reshape(f["x"].ndim, -1)})


def check_layers_after_nonzero():
    net = mirt.Network()
    x = net.add_input("x", "float32", (8, 16))
    where = net.add_layer("NonZero", [x], name="where")
    pairs = net.add_layer("Transpose", [where], {"perm": [1, 0]}, name="pairs")
    net.mark_output(net.add_layer("Cast", [pairs], {"to": ONNX_FLOAT32}, name="pairs_f32"))
    feeds = [{"x": sparse((8, 16), np.float32, d)} for d in (0.2, 0.7, 0.05)]
    run_both(net, feeds, lambda f: {"pairs_f32": np.array(np.nonzero(f["x"])).T.astype(np.float32)})


def compress_network(axis, shape, condition_length):
    net = mirt.Network()
    x = net.add_input("x", "float32", shape)
    keep = net.add_input("keep", "bool", (condition_length,))
    net.mark_output(net.add_layer("Compress", [x, keep], {} if axis is None else {"axis": axis}, name="kept"))
    return net


def check_compress():
    x = RNG.standard_normal((4, 6, 3)).astype(np.float32)
    for axis, length in ((1, 6), (1, 9), (-1, 3), (None, 72)):
        extent = x.size if axis is None else x.shape[axis]
        feeds = []
        for density in (0.5, 0.0, 1.0):
            keep = RNG.random(length) < density
            keep[extent:] = False
            feeds.append({"x": x, "keep": keep})
        run_both(compress_network(axis, x.shape, length), feeds,
                 lambda f, axis=axis: {"kept": np.compress(f["keep"], f["x"], axis=axis)})


def check_compress_refuses_entries_past_the_axis():
    x = RNG.standard_normal((4, 6)).astype(np.float32)
    keep = np.zeros(8, dtype=bool)
    keep[[1, 7]] = True
    cuda, cpu = engines(compress_network(1, x.shape, 8))
    cpu.close()
    with cuda, cuda.create_context() as ctx:
        try:
            ctx.run({"x": x, "keep": keep})
        except mirt.InvalidArgumentError as error:
            assert "entry 7" in str(error) and "'kept'" in str(error), f"message: {error}"
            return
    raise AssertionError("a condition selecting entry 7 of an axis of 6 ran")


def main():
    checks = [check_nonzero_float32, check_nonzero_other_dtypes, check_layers_after_nonzero, check_compress,
              check_compress_refuses_entries_past_the_axis]
    passed = failed = 0
    for check in checks:
        try:
            check()
            print(f"PASS {check.__name__}")
            passed += 1
        except Exception:
            print(f"FAIL {check.__name__}\n{traceback.format_exc()}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
