#!/usr/bin/env python3
"""Writes samples/sample_transformer_block.onnx: one small pre-norm transformer encoder block.

input "x" [batch, seq, 64] (batch and seq dynamic), hidden 64, 4 heads of 16, MLP 64 -> 128 -> 64:
  h = x + Wo(attention(LayerNorm(x)))        attention: Q/K/V = MatMul + Add, Reshape/Transpose to
                                             heads, MatMul, Div by sqrt(16), Softmax, MatMul,
                                             Transpose/Reshape back
  y = h + W2(GELU(W1(LayerNorm(h))))         GELU from Erf: 0.5 * a * (1 + erf(a / sqrt(2)))
output "y" [batch, seq, 64]. Opset 17 (LayerNormalization; Gelu itself needs opset 20).

Weights come from a fixed seed:  python3 samples/make_sample_transformer.py [output.onnx]
Needs: pip install onnx numpy
"""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
HIDDEN, HEADS, MLP = 64, 4, 128
HEAD_DIM = HIDDEN // HEADS


def make_model(seed=2024):
    rng = np.random.default_rng(seed)
    inits = []

    def tensor(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def linear(prefix, n_in, n_out):
        w = tensor(f"{prefix}.weight", (rng.standard_normal((n_in, n_out)) / math.sqrt(n_in)).astype(np.float32))
        b = tensor(f"{prefix}.bias", (0.01 * rng.standard_normal(n_out)).astype(np.float32))
        return w, b

    nodes = []

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def dense(prefix, x, n_in, n_out):
        w, b = linear(prefix, n_in, n_out)
        return node("Add", [node("MatMul", [x, w], f"{prefix}/matmul"), b], f"{prefix}/add")

    def layer_norm(prefix, x):
        g = tensor(f"{prefix}.weight", (1.0 + 0.05 * rng.standard_normal(HIDDEN)).astype(np.float32))
        b = tensor(f"{prefix}.bias", (0.05 * rng.standard_normal(HIDDEN)).astype(np.float32))
        return node("LayerNormalization", [x, g, b], f"{prefix}/layernorm", axis=-1, epsilon=1e-5)

    heads_shape = tensor("heads_shape", np.array([0, 0, HEADS, HEAD_DIM], dtype=np.int64))
    hidden_shape = tensor("hidden_shape", np.array([0, 0, HIDDEN], dtype=np.int64))
    scale = tensor("attn_scale", np.array(math.sqrt(HEAD_DIM), dtype=np.float32))
    half = tensor("half", np.array(0.5, dtype=np.float32))
    one = tensor("one", np.array(1.0, dtype=np.float32))
    sqrt2 = tensor("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))

    # attention
    a = layer_norm("ln1", "x")
    q = node("Reshape", [dense("attn.q", a, HIDDEN, HIDDEN), heads_shape], "attn.q/reshape")
    k = node("Reshape", [dense("attn.k", a, HIDDEN, HIDDEN), heads_shape], "attn.k/reshape")
    v = node("Reshape", [dense("attn.v", a, HIDDEN, HIDDEN), heads_shape], "attn.v/reshape")
    q = node("Transpose", [q], "attn.q/transpose", perm=[0, 2, 1, 3])  # [b, h, s, d]
    k = node("Transpose", [k], "attn.k/transpose", perm=[0, 2, 3, 1])  # [b, h, d, s]
    v = node("Transpose", [v], "attn.v/transpose", perm=[0, 2, 1, 3])  # [b, h, s, d]
    scores = node("Div", [node("MatMul", [q, k], "attn/scores"), scale], "attn/scaled")
    probs = node("Softmax", [scores], "attn/softmax", axis=-1)
    ctx = node("MatMul", [probs, v], "attn/context")  # [b, h, s, d]
    ctx = node("Transpose", [ctx], "attn/context_transpose", perm=[0, 2, 1, 3])  # [b, s, h, d]
    ctx = node("Reshape", [ctx, hidden_shape], "attn/context_reshape")
    h = node("Add", ["x", dense("attn.out", ctx, HIDDEN, HIDDEN)], "residual1")

    # MLP
    m = dense("mlp.fc1", layer_norm("ln2", h), HIDDEN, MLP)
    erf = node("Erf", [node("Div", [m, sqrt2], "mlp/gelu_div")], "mlp/gelu_erf")
    gelu = node("Mul", [node("Mul", [m, half], "mlp/gelu_half"), node("Add", [erf, one], "mlp/gelu_add")],
                "mlp/gelu")
    m = dense("mlp.fc2", gelu, MLP, HIDDEN)
    nodes.append(helper.make_node("Add", [h, m], ["y"], name="residual2"))

    graph = helper.make_graph(
        nodes, "sample_transformer_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", HIDDEN])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "seq", HIDDEN])],
        inits)
    model = helper.make_model(graph, producer_name="mirt samples", producer_version="0.1.0",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                              "sample_transformer_block.onnx")
    onnx.save_model(make_model(), path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
