"""`mirt run --mirt --onnxrt` on models whose outputs have data-dependent shapes (NonZero,
NonMaxSuppression): the CLI takes their memory from an output allocator and compares them with
ONNX Runtime's, shapes included."""
import os
import subprocess

import numpy as np
import pytest

from conftest import build_dir

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def cli() -> str:
    path = os.path.join(build_dir(), "tools", "mirt", "mirt")
    if not os.path.exists(path):
        pytest.fail(f"the mirt CLI is not built at {path}")
    return path


def mirt_run(model, *args):
    result = subprocess.run([cli(), "run", str(model), "--mirt", "--onnxrt", "--backend", "cpu", *map(str, args)],
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def save(graph, path, opset=17):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.save(model, path)


def nonzero_model(path):
    """idx = NonZero(x > 0.25) (int64 [2, n]); picked = GatherND(x, Transpose(idx)) * 2 (float [n])."""
    nodes = [
        helper.make_node("Greater", ["x", "threshold"], ["mask"]),
        helper.make_node("NonZero", ["mask"], ["idx"]),
        helper.make_node("Transpose", ["idx"], ["idx_t"], perm=[1, 0]),
        helper.make_node("GatherND", ["x", "idx_t"], ["g"]),
        helper.make_node("Mul", ["g", "two"], ["picked"]),
    ]
    graph = helper.make_graph(
        nodes, "nonzero", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, 7])],
        [helper.make_tensor_value_info("idx", TensorProto.INT64, [2, "n"]),
         helper.make_tensor_value_info("picked", TensorProto.FLOAT, ["n"])],
        initializer=[numpy_helper.from_array(np.array(0.25, np.float32), "threshold"),
                     numpy_helper.from_array(np.array(2, np.float32), "two")])
    save(graph, path)


def nms_model(path):
    """NonMaxSuppression over boxes/scores (inputs), then the kept boxes' scores by Gather."""
    nodes = [
        helper.make_node("NonMaxSuppression", ["boxes", "scores", "max_out", "iou", "score_min"], ["selected"],
                         center_point_box=0),
        helper.make_node("Gather", ["selected", "two"], ["box_idx"], axis=1),
        helper.make_node("Gather", ["boxes", "box_idx"], ["kept"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "nms",
        [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, 40, 4]),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 2, 40])],
        [helper.make_tensor_value_info("selected", TensorProto.INT64, ["k", 3]),
         helper.make_tensor_value_info("kept", TensorProto.FLOAT, [1, "k", 4])],
        initializer=[numpy_helper.from_array(np.array([30], np.int64), "max_out"),
                     numpy_helper.from_array(np.array([0.3], np.float32), "iou"),
                     numpy_helper.from_array(np.array([0.1], np.float32), "score_min"),
                     numpy_helper.from_array(np.array(2, np.int64), "two")])
    save(graph, path)


def nms_inputs(path, rng):
    corner = rng.uniform(0, 10, (1, 40, 2)).astype(np.float32)
    size = rng.uniform(1, 4, (1, 40, 2)).astype(np.float32)
    np.savez(path, boxes=np.concatenate([corner, corner + size], axis=2),
             scores=rng.uniform(0, 1, (1, 2, 40)).astype(np.float32))


def test_nonzero_outputs_are_compared_with_onnxruntime(tmp_path):
    nonzero_model(tmp_path / "nz.onnx")
    rc, out = mirt_run(tmp_path / "nz.onnx", "--save-outputs", tmp_path / "out.npz")
    assert rc == 0, out
    assert "PASSED | output 'idx'" in out and "PASSED | output 'picked'" in out, out
    assert "PASSED | all 2 output(s) matched" in out, out
    # The generated inputs are uniform in [-1, 1]: about 3/8 of the 35 elements pass the threshold,
    # so the outputs are neither empty nor full, and mirt's saved outputs say what numpy says.
    saved = np.load(tmp_path / "out.npz")
    n = saved["picked"].shape[0]
    assert 0 < n < 35 and saved["idx"].shape == (2, n), saved["idx"].shape
    assert saved["idx"].dtype == np.int64


def test_nonzero_with_loaded_inputs_matches_numpy(tmp_path, rng):
    nonzero_model(tmp_path / "nz.onnx")
    x = rng.uniform(-1, 1, (5, 7)).astype(np.float32)
    np.savez(tmp_path / "in.npz", x=x)
    rc, out = mirt_run(tmp_path / "nz.onnx", "--load-inputs", tmp_path / "in.npz", "--save-outputs", tmp_path / "out.npz")
    assert rc == 0, out
    saved = np.load(tmp_path / "out.npz")
    np.testing.assert_array_equal(saved["idx"], np.stack(np.nonzero(x > 0.25)))
    np.testing.assert_array_equal(saved["picked"], x[x > 0.25] * 2)


def test_nonmaxsuppression_outputs_are_compared_with_onnxruntime(tmp_path, rng):
    nms_model(tmp_path / "nms.onnx")
    nms_inputs(tmp_path / "in.npz", rng)
    rc, out = mirt_run(tmp_path / "nms.onnx", "--load-inputs", tmp_path / "in.npz", "--save-outputs", tmp_path / "out.npz")
    assert rc == 0, out
    assert "PASSED | output 'selected'" in out and "PASSED | output 'kept'" in out, out
    assert "PASSED | all 2 output(s) matched" in out, out
    k = np.load(tmp_path / "out.npz")["selected"].shape[0]
    assert 2 <= k < 60, k  # at least one box per class, fewer than max_out per class


# A stand-in for onnxrt_runner.py that runs the real one, then drops the last column of 'idx'.
DROPPING_RUNNER = """
import os, subprocess, sys
import numpy as np
rc = subprocess.run([sys.executable, os.environ["REAL_ONNXRT_RUNNER"]] + sys.argv[1:]).returncode
if rc:
    sys.exit(rc)
with np.load(sys.argv[3]) as npz:
    arrays = {k: npz[k] for k in npz.files}
arrays["idx"] = arrays["idx"][:, :-1]
np.savez(sys.argv[3], **arrays)
"""


def test_a_data_dependent_output_of_another_size_fails_the_comparison(tmp_path):
    """The shape is compared too: a reference with one index fewer must fail, naming the output."""
    nonzero_model(tmp_path / "nz.onnx")
    (tmp_path / "dropping_runner.py").write_text(DROPPING_RUNNER)
    env = dict(os.environ, MIRT_ONNXRT_RUNNER=str(tmp_path / "dropping_runner.py"),
               REAL_ONNXRT_RUNNER=os.path.join(build_dir(), "tools", "mirt", "onnxrt_runner.py"))
    result = subprocess.run([cli(), "run", str(tmp_path / "nz.onnx"), "--mirt", "--onnxrt", "--backend", "cpu"],
                            capture_output=True, text=True, timeout=300, env=env)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "FAILED | output 'idx' | shapes differ" in out, out
    assert "PASSED | output 'picked'" in out, out
