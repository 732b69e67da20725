"""`mirt fold` (Polygraphy's `surgeon sanitize --fold-constants`): nodes that compute only from
initializers, and Shape of a statically shaped value, become initializers computed by mirt; random
ops and what reads the graph's inputs stay; the folded model gives ONNX Runtime the original's
outputs. A model whose weights live in an external file is refused naming the initializer."""
import subprocess

import numpy as np
import pytest

from test_cli_run_data_dependent import cli

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def mirt_fold(*args):
    result = subprocess.run([cli(), "fold", *map(str, args)], capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def foldable_model(path, rng):
    """y = Reshape(x @ (w1 + w2), [Shape(x)[0], -1]) + 0 * RandomUniform; c = Cast(w1) * 2 is an output too."""
    w1 = rng.uniform(-1, 1, (3, 4)).astype(np.float32)
    w2 = rng.uniform(-1, 1, (3, 4)).astype(np.float32)
    nodes = [
        helper.make_node("Add", ["w1", "w2"], ["w"], name="weights"),
        helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
        helper.make_node("Shape", ["x"], ["x_shape"], name="shape"),
        helper.make_node("Gather", ["x_shape", "zero"], ["rows"], axis=0, name="rows"),
        helper.make_node("Concat", ["rows", "minus_one"], ["new_shape"], axis=0, name="new_shape"),
        helper.make_node("Reshape", ["h", "new_shape"], ["flat"], name="reshape"),
        helper.make_node("RandomUniform", [], ["noise"], shape=[2, 4], dtype=TensorProto.FLOAT, name="noise"),
        helper.make_node("Mul", ["noise", "nought"], ["silent"], name="silence"),
        helper.make_node("Add", ["flat", "silent"], ["y"], name="out"),
        helper.make_node("Mul", ["w1", "two"], ["c"], name="doubled"),
    ]
    inits = [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2"),
             numpy_helper.from_array(np.array([0], np.int64), "zero"),
             numpy_helper.from_array(np.array([-1], np.int64), "minus_one"),
             numpy_helper.from_array(np.array(0, np.float32), "nought"), numpy_helper.from_array(np.array(2, np.float32), "two")]
    graph = helper.make_graph(nodes, "foldable", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
                               helper.make_tensor_value_info("c", TensorProto.FLOAT, None)], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path)


def ort_outputs(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})


def test_fold_replaces_constant_nodes_and_keeps_the_outputs(tmp_path, rng):
    foldable_model(tmp_path / "model.onnx", rng)
    code, log = mirt_fold(tmp_path / "model.onnx", "-o", tmp_path / "folded.onnx")
    assert code == 0, log
    assert "folded 5 of 10 nodes" in log, log
    folded = onnx.load(tmp_path / "folded.onnx")
    ops = [n.op_type for n in folded.graph.node]
    # w1 + w2, Shape, Gather, Concat and the doubled output are gone; the random draw stays.
    assert sorted(ops) == sorted(["MatMul", "Reshape", "RandomUniform", "Mul", "Add", "Identity"]), ops
    assert {t.name for t in folded.graph.initializer} >= {"w", "new_shape", "c_folded"}
    x = rng.uniform(-1, 1, (2, 3)).astype(np.float32)
    for got, want in zip(ort_outputs(tmp_path / "folded.onnx", x), ort_outputs(tmp_path / "model.onnx", x)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_fold_refuses_external_weights_naming_the_initializer(tmp_path, rng):
    foldable_model(tmp_path / "model.onnx", rng)
    model = onnx.load(tmp_path / "model.onnx")
    onnx.save(model, tmp_path / "external.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
              location="weights.bin", size_threshold=0)
    code, log = mirt_fold(tmp_path / "external.onnx", "-o", tmp_path / "folded.onnx")
    assert code != 0
    assert "external file" in log and "'w1'" in log, log


def test_fold_of_a_file_that_is_not_onnx_names_it(tmp_path):
    (tmp_path / "junk.onnx").write_bytes(b"\x00 not a model")
    code, log = mirt_fold(tmp_path / "junk.onnx", "-o", tmp_path / "folded.onnx")
    assert code != 0
    assert "junk.onnx" in log and "not an ONNX model" in log, log
