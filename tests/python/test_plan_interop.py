"""Plans cross the language boundary: one built and saved in Python runs in the C++ `mirt` CLI (a
user of the C ABI), and one built by the CLI from ONNX runs in Python. Also ONNX parsing from a
file and from bytes, and the `mirt` console entry."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import mirt
from conftest import ROOT, assert_close, build_cpu, build_dir, gemm_network

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def cli() -> str:
    path = os.path.join(build_dir(), "tools", "mirt", "mirt")
    if not os.path.exists(path):
        pytest.fail(f"the mirt CLI is not built at {path}")
    return path


def run_cli(*args) -> str:
    result = subprocess.run([cli(), *map(str, args)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def onnx_model(path, rng):
    """y = Tanh(x @ W + b), x [batch, 5] float32."""
    w = rng.uniform(-1, 1, (5, 2)).astype(np.float32)
    b = rng.uniform(-1, 1, (2,)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["pre"]),
         helper.make_node("Tanh", ["pre"], ["y"])],
        "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])],
        initializer=[numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, path)
    return lambda x: np.tanh(x.astype(np.float64) @ w.astype(np.float64) + b)


def test_a_plan_saved_in_python_runs_in_the_cli(rng, tmp_path):
    net, reference = gemm_network(rng)
    with build_cpu(net, [{"x": ((1, 4), (3, 4), (8, 4))}]) as plan:
        plan.save(tmp_path / "py.plan")
        assert (tmp_path / "py.plan").read_bytes() == plan.data
    xv = rng.standard_normal((3, 4)).astype(np.float32)
    xv.tofile(tmp_path / "x.bin")
    run_cli("exec", "--loadEngine", tmp_path / "py.plan", "--shapes", "x:3x4", "--loadInputs",
            f"x:{tmp_path / 'x.bin'}", "--iterations", 1, "--warmUp", 0, "--duration", 0,
            "--exportOutput", tmp_path / "out.json")
    outputs = {o["name"]: o for o in json.loads((tmp_path / "out.json").read_text())}
    assert outputs["act"]["dimensions"] == [3, 3]
    assert_close(np.array(outputs["act"]["values"]).reshape(3, 3), reference(xv))


def test_a_plan_built_by_the_cli_runs_in_python(rng, tmp_path):
    reference = onnx_model(tmp_path / "tiny.onnx", rng)
    run_cli("exec", "--onnx", tmp_path / "tiny.onnx", "--backend", "cpu", "--minShapes", "x:1x5", "--shapes",
            "x:4x5", "--maxShapes", "x:16x5", "--saveEngine", tmp_path / "cli.plan", "--skipInference")
    with mirt.Engine(tmp_path / "cli.plan") as engine, engine.create_context() as ctx:
        assert engine.backend == "cpu"
        assert engine.profile_shape("x") == ((1, 5), (4, 5), (16, 5))
        for batch in (1, 11):
            xv = rng.standard_normal((batch, 5)).astype(np.float32)
            assert_close(ctx.run({"x": xv})["y"], reference(xv))


@pytest.mark.parametrize("source", ["file", "bytes"])
def test_onnx_parsed_from_python(rng, tmp_path, source):
    path = tmp_path / "tiny.onnx"
    reference = onnx_model(path, rng)
    with mirt.parse_onnx(path if source == "file" else path.read_bytes()) as net:
        assert [t.name for t in net.inputs] == ["x"] and [t.name for t in net.outputs] == ["y"]
        assert net.inputs[0].shape == (-1, 5)
        with build_cpu(net, [{"x": ((1, 5), (2, 5), (4, 5))}]) as plan, mirt.Engine(plan) as engine, \
                engine.create_context() as ctx:
            xv = rng.standard_normal((4, 5)).astype(np.float32)
            assert_close(ctx.run(xv)["y"], reference(xv))
            assert [t["name"] for t in plan.describe()["inputs"]] == ["x"]


def test_a_damaged_onnx_file_names_the_problem(tmp_path):
    (tmp_path / "bad.onnx").write_bytes(b"not a model")
    with pytest.raises(mirt.MirtError) as info:
        mirt.parse_onnx(tmp_path / "bad.onnx")
    assert info.value.code in (mirt.StatusCode.CORRUPT_DATA, mirt.StatusCode.INVALID_GRAPH)
    with pytest.raises(mirt.MirtIOError, match="missing.onnx"):
        mirt.parse_onnx(tmp_path / "missing.onnx")


def test_the_console_entry_forwards_to_the_cli():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"), MIRT_LIBRARY=mirt.library_path())
    result = subprocess.run([sys.executable, "-m", "mirt.cli", "modules"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "cpu" in result.stdout and "onnx" in result.stdout
    assert [m.name for m in mirt.modules() if m.name == "cpu"] == ["cpu"]
