#!/usr/bin/env python3
"""Writes a ResNet-18-shaped ONNX model with random weights (fixed seed) for bench/bench_cpu.py.

input "input" [batch, 3, 224, 224] -> 7x7/2 conv 64 + Relu -> 3x3/2 MaxPool -> 4 stages of 2 basic
blocks (64, 128, 256, 512 channels; 3x3 convs, 1x1/2 projection at the start of stages 2-4,
residual Add + Relu) -> GlobalAveragePool -> Flatten -> Gemm 512->1000 -> output "logits".
BatchNormalization is already folded into the conv weights and biases, as torch.onnx.export does
for a model in eval mode, so the graph is Conv/Relu/Add/MaxPool/GlobalAveragePool/Flatten/Gemm.
11.7 M parameters (47 MB); about 1.8 GFLOP (multiply-adds) per image.

    python3 bench/make_resnet18.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def make_model(seed=18):
    rng = np.random.default_rng(seed)
    inits, nodes = [], []

    def conv(x, name, cin, cout, k, stride, relu):
        w = (rng.standard_normal((cout, cin, k, k)) * (2.0 / (cin * k * k)) ** 0.5).astype(np.float32)
        b = (0.01 * rng.standard_normal(cout)).astype(np.float32)
        inits.extend([numpy_helper.from_array(w, name + ".weight"), numpy_helper.from_array(b, name + ".bias")])
        p = k // 2
        nodes.append(helper.make_node("Conv", [x, name + ".weight", name + ".bias"], [name], name=name,
                                      kernel_shape=[k, k], strides=[stride, stride], pads=[p, p, p, p]))
        if not relu:
            return name
        nodes.append(helper.make_node("Relu", [name], [name + ".relu"], name=name + ".relu"))
        return name + ".relu"

    x = conv("input", "conv1", 3, 64, 7, 2, True)
    nodes.append(helper.make_node("MaxPool", [x], ["pool1"], name="pool1", kernel_shape=[3, 3], strides=[2, 2],
                                  pads=[1, 1, 1, 1]))
    x, cin = "pool1", 64
    for stage, cout in enumerate([64, 128, 256, 512], start=1):
        for block in range(2):
            name = f"layer{stage}.{block}"
            stride = 2 if stage > 1 and block == 0 else 1
            y = conv(x, name + ".conv1", cin, cout, 3, stride, True)
            y = conv(y, name + ".conv2", cout, cout, 3, 1, False)
            shortcut = conv(x, name + ".downsample", cin, cout, 1, stride, False) if stride != 1 or cin != cout else x
            nodes.append(helper.make_node("Add", [y, shortcut], [name + ".add"], name=name + ".add"))
            nodes.append(helper.make_node("Relu", [name + ".add"], [name + ".out"], name=name + ".out"))
            x, cin = name + ".out", cout
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["gap"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1))
    fc_w = (rng.standard_normal((1000, 512)) * (1.0 / 512) ** 0.5).astype(np.float32)
    inits.extend([numpy_helper.from_array(fc_w, "fc.weight"),
                  numpy_helper.from_array(np.zeros(1000, np.float32), "fc.bias")])
    nodes.append(helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1))
    graph = helper.make_graph(
        nodes, "resnet18_like",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 224, 224])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1000])], inits)
    model = helper.make_model(graph, producer_name="mirt bench", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    onnx.save_model(make_model(), sys.argv[1])
