#!/usr/bin/env python3
"""Writes samples/sample_cnn.onnx: a small CNN classifier for mirt's examples and parser tests.

input "input" [batch, 3, 32, 32] -> Conv(3->16, 3x3, pad 1) + Relu -> MaxPool 2x2
  -> Conv(16->32, 3x3, pad 1) + BatchNormalization + Relu -> GlobalAveragePool -> Flatten
  -> Gemm(32->10) -> Softmax -> output "probs" [batch, 10]

Weights come from a fixed seed, so the file is byte-for-byte reproducible:
    python3 samples/make_sample_cnn.py [output.onnx]
Needs: pip install onnx numpy
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def make_model(seed=2024):
    rng = np.random.default_rng(seed)

    def weight(name, *shape, scale=None):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        s = scale if scale is not None else (2.0 / fan_in) ** 0.5
        return numpy_helper.from_array((rng.standard_normal(shape) * s).astype(np.float32), name)

    initializers = [
        weight("conv1.weight", 16, 3, 3, 3),
        weight("conv1.bias", 16, scale=0.01),
        weight("conv2.weight", 32, 16, 3, 3),
        weight("conv2.bias", 32, scale=0.01),
        numpy_helper.from_array((1.0 + 0.1 * rng.standard_normal(32)).astype(np.float32), "bn2.scale"),
        numpy_helper.from_array((0.1 * rng.standard_normal(32)).astype(np.float32), "bn2.bias"),
        numpy_helper.from_array((0.1 * rng.standard_normal(32)).astype(np.float32), "bn2.mean"),
        numpy_helper.from_array(rng.uniform(0.5, 1.5, 32).astype(np.float32), "bn2.var"),
        weight("fc.weight", 10, 32),
        weight("fc.bias", 10, scale=0.01),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["conv1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["conv1"], ["relu1"], name="relu1"),
        helper.make_node("MaxPool", ["relu1"], ["pool1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["pool1", "conv2.weight", "conv2.bias"], ["conv2"], name="conv2",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("BatchNormalization", ["conv2", "bn2.scale", "bn2.bias", "bn2.mean", "bn2.var"], ["bn2"],
                         name="bn2", epsilon=1e-5),
        helper.make_node("Relu", ["bn2"], ["relu2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["relu2"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "sample_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 32, 32])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 10])],
        initializers)
    model = helper.make_model(graph, producer_name="mirt samples", producer_version="0.1.0",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                              "sample_cnn.onnx")
    onnx.save_model(make_model(), path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
