"""Failures surface as MirtError subclasses carrying the C status's code and message, and bad
buffers are refused (or copied, for non-contiguous inputs) with a message naming the tensor."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import mirt
from conftest import ROOT, assert_close, build_cpu, gemm_network


@pytest.fixture
def ctx(rng):
    net, reference = gemm_network(rng)
    with build_cpu(net, [{"x": ((1, 4), (2, 4), (8, 4))}]) as plan, mirt.Engine(plan) as engine, \
            engine.create_context() as context:
        context.reference = reference
        yield context


def test_status_code_and_message_of_a_bad_attribute():
    net = mirt.Network()
    x = net.add_input("x", "float32", (2, 2))
    with pytest.raises(mirt.InvalidGraphError) as info:
        net.add_layer("Softmax", [x], {"axis": 1, "bogus": 3}, name="probs")
    assert info.value.code == mirt.StatusCode.INVALID_GRAPH
    assert "probs" in info.value.message and "bogus" in info.value.message
    with pytest.raises(mirt.InvalidGraphError, match="'probs'.*axis"):
        net.add_layer("Softmax", [x], {"axis": "one"}, name="probs")


def test_taken_names_and_missing_tensors():
    net = mirt.Network()
    net.add_input("x", "float32", (2,))
    with pytest.raises(mirt.AlreadyExistsError, match="'x'"):
        net.add_input("x", "float32", (2,))
    with pytest.raises(mirt.NotFoundError, match="'nope'") as info:
        net.find_tensor("nope")
    assert info.value.code == mirt.StatusCode.NOT_FOUND


def test_unknown_backend_and_damaged_plans(rng, tmp_path):
    net, _ = gemm_network(rng, batch_dim=2)
    with pytest.raises(mirt.NotFoundError, match="no_such_backend"):
        with mirt.BuilderConfig(backend="no_such_backend") as config:
            mirt.build(net, config)
    with build_cpu(net) as plan:
        data = bytearray(plan.data)
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(mirt.CorruptDataError):
        mirt.Engine(bytes(data))
    with pytest.raises(mirt.CorruptDataError):
        mirt.Engine(bytes(data[:40]))
    missing = tmp_path / "missing.plan"
    with pytest.raises(mirt.MirtIOError, match=str(missing)):
        mirt.Plan.load(missing)


def test_wrong_dtype_names_the_tensor_and_the_expected_dtype(ctx):
    with pytest.raises(mirt.InvalidArgumentError, match=r"input 'x': dtype float64, expected float32"):
        ctx.run({"x": np.zeros((2, 4))})
    with pytest.raises(mirt.InvalidArgumentError, match=r"output 'act': dtype int32, expected float32"):
        ctx.run({"x": np.zeros((2, 4), np.float32)}, outputs={"act": np.zeros((2, 3), np.int32)})


def test_wrong_shape_names_the_tensor_and_the_expected_shape(ctx):
    with pytest.raises(mirt.InvalidShapeError, match=r"input 'x': shape \(2, 5\), expected \(-1, 4\)"):
        ctx.run({"x": np.zeros((2, 5), np.float32)})
    with pytest.raises(mirt.InvalidShapeError, match=r"input 'x': shape \(8,\), expected \(-1, 4\)"):
        ctx.run({"x": np.zeros(8, np.float32)})
    with pytest.raises(mirt.InvalidShapeError, match=r"output 'act': shape \(3, 3\), expected \(2, 3\)"):
        ctx.run({"x": np.zeros((2, 4), np.float32)}, outputs={"act": np.zeros((3, 3), np.float32)})


def test_non_contiguous_inputs_are_copied_and_outputs_refused(ctx, rng):
    base = rng.standard_normal((6, 8)).astype(np.float32)
    strided = base[::2, ::2]  # (3, 4), not contiguous
    fortran = np.asfortranarray(base[:3, :4])
    assert not strided.flags.c_contiguous and not fortran.flags.c_contiguous
    assert_close(ctx.run({"x": strided})["act"], ctx.reference(np.ascontiguousarray(strided)))
    assert_close(ctx.run({"x": fortran})["act"], ctx.reference(np.ascontiguousarray(fortran)))
    out = np.zeros((3, 6), np.float32)[:, ::2]
    with pytest.raises(mirt.InvalidArgumentError, match=r"output 'act': the array is not C-contiguous"):
        ctx.run({"x": strided}, outputs={"act": out})
    with pytest.raises(mirt.InvalidArgumentError, match=r"output 'act': the array is not C-contiguous"):
        ctx.run({"x": strided}, outputs={"act": np.asfortranarray(np.zeros((3, 3), np.float32))})


class FakeCudaTensor:
    """Stands for a torch CUDA tensor: DLPack says CUDA device 0."""

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, stream=None):
        raise AssertionError("a CPU engine must not read a CUDA tensor")


def test_a_cuda_tensor_on_a_cpu_engine_is_refused(ctx):
    with pytest.raises(mirt.InvalidArgumentError, match=r"input 'x' is in CUDA:0 memory.*backend 'cpu'"):
        ctx.run({"x": FakeCudaTensor()})


def test_missing_and_unknown_names(ctx):
    with pytest.raises(mirt.InvalidArgumentError, match=r"missing input\(s\) \['x'\]"):
        ctx.run({})
    with pytest.raises(mirt.InvalidArgumentError, match=r"'y' is not an input of the engine; its inputs are \['x'\]"):
        ctx.run({"x": np.zeros((2, 4), np.float32), "y": np.zeros(1)})
    with pytest.raises(mirt.FailedPreconditionError):
        ctx.close()
        ctx.run({"x": np.zeros((2, 4), np.float32)})


def test_a_library_that_cannot_be_found_lists_the_paths_searched(tmp_path):
    """A copy of the package outside the source tree, with MIRT_LIBRARY pointing nowhere."""
    shutil.copytree(os.path.join(ROOT, "python", "mirt"), tmp_path / "mirt")
    env = dict(os.environ, MIRT_LIBRARY=str(tmp_path / "nowhere" / "libmirt.so"), PYTHONPATH=str(tmp_path))
    env.pop("MIRT_BUILD_DIR", None)
    env["LD_LIBRARY_PATH"] = ""
    code = "import mirt\ntry:\n    mirt.version()\nexcept mirt.LibraryNotFoundError as e:\n    print(e)\n"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    if "found but could not load" not in result.stdout and "searched" not in result.stdout:
        pytest.fail(f"no LibraryNotFoundError: {result.stdout!r}")
    assert str(tmp_path / "nowhere" / "libmirt.so") in result.stdout
    assert "/usr/local/lib/libmirt.so" in result.stdout
    assert "MIRT_LIBRARY" in result.stdout and "MIRT_BUILD_DIR" in result.stdout


def test_log_lines_reach_a_python_callback(rng):
    """The builder's info lines (memory plan per profile) arrive through mirt_set_log_callback."""
    lines = []
    mirt.set_log_callback(lambda level, source, message: lines.append((level, source, message)), mirt.LogLevel.INFO)
    try:
        net, _ = gemm_network(rng, batch_dim=2)
        build_cpu(net).close()
    finally:
        mirt.set_log_callback(None)
    assert any(source == "builder" and "activation arena" in message for _, source, message in lines), lines
    assert all(level <= mirt.LogLevel.INFO for level, _, _ in lines)


def test_closed_objects_say_which_object_was_closed(rng):
    net, _ = gemm_network(rng)
    plan = build_cpu(net, [{"x": ((1, 4), (2, 4), (8, 4))}])
    engine = mirt.Engine(plan)
    context = engine.create_context()
    for obj, what, use in [(context, "context", lambda: context.set_input_shape("x", (1, 4))),
                           (engine, "engine", lambda: engine.create_context()),
                           (plan, "plan", lambda: plan.data()),
                           (net, "network", lambda: net.add_input("y", "float32", (1,)))]:
        obj.close()
        obj.close()  # idempotent
        with pytest.raises(mirt.FailedPreconditionError, match=f"the {what} was closed"):
            use()
