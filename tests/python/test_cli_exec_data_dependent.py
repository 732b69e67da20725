"""`mirt exec` (the trtexec-like benchmark) on a model whose outputs have data-dependent shapes: it
gives them an output allocator, runs, and --exportOutput writes the last run's shape and values,
checked against numpy; --useCudaGraph is refused naming the output."""
import json
import subprocess

import numpy as np
import pytest

from test_cli_run_data_dependent import cli, nonzero_model

pytest.importorskip("onnx")


def mirt_exec(*args):
    result = subprocess.run([cli(), "exec", "--backend", "cpu", *map(str, args)], capture_output=True, text=True,
                            timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_exec_sizes_data_dependent_outputs_each_run_and_exports_them(tmp_path, rng):
    nonzero_model(tmp_path / "nonzero.onnx")
    x = rng.uniform(-1, 1, (5, 7)).astype(np.float32)
    x.tofile(tmp_path / "x.bin")
    code, log = mirt_exec("--onnx", tmp_path / "nonzero.onnx", "--iterations", 3, "--loadInputs",
                          f"x:{tmp_path / 'x.bin'}", "--exportOutput", tmp_path / "out.json")
    assert code == 0, log
    assert "output idx: int64 2x? (data-dependent: sized by each run)" in log
    outputs = {o["name"]: o for o in json.loads((tmp_path / "out.json").read_text())}
    idx = np.array(np.nonzero(x > 0.25), dtype=np.int64)
    assert outputs["idx"]["dimensions"] == list(idx.shape)
    np.testing.assert_array_equal(np.array(outputs["idx"]["values"]).reshape(idx.shape), idx)
    picked = np.array(outputs["picked"]["values"], dtype=np.float64)
    np.testing.assert_allclose(picked, x[x > 0.25].astype(np.float64) * 2, rtol=1e-6)


def test_exec_refuses_a_cuda_graph_for_data_dependent_outputs(tmp_path):
    nonzero_model(tmp_path / "nonzero.onnx")
    code, log = mirt_exec("--onnx", tmp_path / "nonzero.onnx", "--useCudaGraph")
    assert code != 0
    assert "--useCudaGraph: output 'idx' has a data-dependent shape" in log, log
