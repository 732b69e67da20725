#!/usr/bin/env python3
"""Writes the ONNX models of the example plugins (docs/plugins.md) into a folder:

  my_custom_op.onnx  x [batch, 5] -> Mul(x, 2) -> com.example::MyCustomOp(alpha=1.5, beta=-0.25) -> y
  l2_norm.onnx       x [3, 4, 6]  -> com.example::L2NormLastAxis(keepdims=1, eps=0.001)      -> y [3, 4, 1]
  frame_signal.onnx  x [batch, samples] -> com.example::FrameSignal(frame_length=16, frame_step=8)
                                         -> y [batch, frames, 16], frames = (samples - 16) // 8 + 1

Usage: make_example_models.py OUT_DIR   (needs the onnx Python package)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSETS = [helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)]


def my_custom_op_model():
    two = numpy_helper.from_array(np.array([2.0], dtype=np.float32), "two")
    nodes = [
        helper.make_node("Mul", ["x", "two"], ["x2"], name="double"),
        helper.make_node("MyCustomOp", ["x2"], ["y"], name="custom", domain="com.example", alpha=1.5, beta=-0.25),
    ]
    graph = helper.make_graph(nodes, "my_custom_op_example",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 5])], [two])
    return helper.make_model(graph, opset_imports=OPSETS, producer_name="mirt plugin example")


def l2_norm_model():
    node = helper.make_node("L2NormLastAxis", ["x"], ["y"], name="norm", domain="com.example", keepdims=1, eps=0.001)
    graph = helper.make_graph([node], "l2_norm_example",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4, 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4, 1])])
    return helper.make_model(graph, opset_imports=OPSETS, producer_name="mirt plugin example")


def frame_signal_model():
    node = helper.make_node("FrameSignal", ["x"], ["y"], name="frames", domain="com.example", frame_length=16,
                            frame_step=8)
    graph = helper.make_graph([node], "frame_signal_example",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "samples"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "frames", 16])])
    return helper.make_model(graph, opset_imports=OPSETS, producer_name="mirt plugin example")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    onnx.save(my_custom_op_model(), os.path.join(out, "my_custom_op.onnx"))
    onnx.save(l2_norm_model(), os.path.join(out, "l2_norm.onnx"))
    onnx.save(frame_signal_model(), os.path.join(out, "frame_signal.onnx"))


if __name__ == "__main__":
    main()
