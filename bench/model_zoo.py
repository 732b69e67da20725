#!/usr/bin/env python3
"""Writes whole models with random weights (fixed seed) built with onnx.helper, for the model tests
(tests/models) and the CPU bench. Nothing is downloaded; opset 17, fp32.

    python3 bench/model_zoo.py NAME OUT.onnx [--layers N]

  resnet50     torchvision ResNet-50 v1.5 layout: 7x7/2 conv, max pool, bottleneck stages 3-4-6-3
               (1x1, 3x3 (stride here), 1x1 x4), 1x1/s projections, global average pool, Gemm 1000.
               BatchNorm folded into the convs, as torch.onnx.export does in eval mode; the last conv
               of each residual branch is scaled by 0.2 so activations stay O(1). 25.6 M params.
  mobilenetv2  torchvision MobileNetV2 (width 1.0): inverted residuals (1x1 expand, 3x3 depthwise
               (group = channels), 1x1 project) with BatchNormalization nodes kept and ReLU6 as
               Clip(0, 6); global average pool, Gemm 1000. 3.5 M params.
  vit_block    ViT-B/16 front end: 16x16/16 patch conv 768, class token, position embedding, LAYERS
               (default 1) pre-norm blocks (LayerNorm, 12-head attention, GELU MLP 3072), final
               LayerNorm, class-token head Gemm 1000.
  bert         BERT-base encoder stack: inputs hidden_states [batch, seq, 768] and attention_mask
               [batch, seq] int64 (turned into BERT's additive mask); LAYERS (default 12) post-norm
               layers (12 heads, GELU as Erf, FFN 3072). Embedding tables and pooler are left out.
Transformer weights are normal(0, 0.02) (BERT's initializer_range); convs use He init.
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Graph:
    """Collects nodes and initializers; every tensor name is unique."""

    def __init__(self, seed, linear_std=None):
        self.rng = np.random.default_rng(seed)
        self.linear_std = linear_std  # None: He init; BERT/ViT use normal(0, 0.02) as Hugging Face does
        self.nodes, self.inits = [], []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, prefix, value):
        n = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(value), n))
        return n

    def weight(self, prefix, shape, fan_in, gain=1.0, std=None):
        std = (2.0 / fan_in) ** 0.5 * gain if std is None else std
        return self.const(prefix, (self.rng.standard_normal(shape) * std).astype(np.float32))

    def op(self, op_type, inputs, prefix=None, **attrs):
        out = self.name(prefix or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x, cin, cout, k, stride=1, group=1, bias=True, pad=None, gain=1.0):
        w = self.weight("conv.weight", (cout, cin // group, k, k), cin // group * k * k, gain)
        ins = [x, w] + ([self.const("conv.bias", (0.01 * self.rng.standard_normal(cout)).astype(np.float32))] if bias else [])
        p = k // 2 if pad is None else pad
        return self.op("Conv", ins, "conv", kernel_shape=[k, k], strides=[stride, stride], pads=[p, p, p, p], group=group)

    def batchnorm(self, x, c):
        scale = (1 + 0.1 * self.rng.standard_normal(c)).astype(np.float32)
        shift = (0.1 * self.rng.standard_normal(c)).astype(np.float32)
        mean = (0.1 * self.rng.standard_normal(c)).astype(np.float32)
        var = self.rng.uniform(0.5, 1.5, c).astype(np.float32)
        return self.op("BatchNormalization", [x, self.const("bn.scale", scale), self.const("bn.bias", shift),
                                              self.const("bn.mean", mean), self.const("bn.var", var)], "bn", epsilon=1e-5)

    def linear(self, x, cin, cout):
        y = self.op("MatMul", [x, self.weight("linear.weight", (cin, cout), cin, std=self.linear_std)], "matmul")
        return self.op("Add", [y, self.const("linear.bias", (0.02 * self.rng.standard_normal(cout)).astype(np.float32))], "bias")

    def layernorm(self, x, c):
        gamma = (1 + 0.1 * self.rng.standard_normal(c)).astype(np.float32)
        beta = (0.1 * self.rng.standard_normal(c)).astype(np.float32)
        return self.op("LayerNormalization", [x, self.const("ln.weight", gamma), self.const("ln.bias", beta)], "ln",
                       axis=-1, epsilon=1e-5)

    def gelu(self, x):  # exact GELU as PyTorch exports it: x * 0.5 * (1 + erf(x / sqrt(2)))
        e = self.op("Erf", [self.op("Div", [x, self.const("sqrt2", np.float32(2 ** 0.5))])])
        return self.op("Mul", [self.op("Mul", [x, self.op("Add", [e, self.const("one", np.float32(1))])]),
                               self.const("half", np.float32(0.5))])

    def head(self, x, cin, classes=1000):
        w = self.weight("fc.weight", (classes, cin), cin)
        return self.op("Gemm", [x, w, self.const("fc.bias", np.zeros(classes, np.float32))], "fc", transB=1)

    def attention(self, x, hidden, heads, mask=None):
        """Multi-head self-attention on x [B, S, hidden]; mask: additive [B, 1, 1, S] or None."""
        d = hidden // heads
        split = self.const("heads_shape", np.array([0, 0, heads, d], np.int64))

        def heads_of(t, perm):
            return self.op("Transpose", [self.op("Reshape", [t, split])], perm=perm)

        q = heads_of(self.linear(x, hidden, hidden), [0, 2, 1, 3])   # B, H, S, d
        k = heads_of(self.linear(x, hidden, hidden), [0, 2, 3, 1])   # B, H, d, S
        v = heads_of(self.linear(x, hidden, hidden), [0, 2, 1, 3])
        scores = self.op("Div", [self.op("MatMul", [q, k]), self.const("sqrt_d", np.float32(d ** 0.5))])
        if mask is not None:
            scores = self.op("Add", [scores, mask])
        probs = self.op("Softmax", [scores], axis=-1)
        ctx = self.op("Transpose", [self.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = self.op("Reshape", [ctx, self.const("merge_shape", np.array([0, 0, hidden], np.int64))])
        return self.linear(ctx, hidden, hidden)

    def model(self, name, inputs, outputs):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        m = helper.make_model(graph, producer_name="mirt model_zoo", opset_imports=[helper.make_opsetid("", 17)])
        m.ir_version = 8
        onnx.checker.check_model(m)
        return m


def image_input():
    return [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 224, 224])]


def logits_output():
    return [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1000])]


def resnet50(layers=None):
    g = Graph(seed=50)
    x = g.op("Relu", [g.conv("input", 3, 64, 7, 2)])
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for stage, (width, blocks) in enumerate(zip([64, 128, 256, 512], [3, 4, 6, 3])):
        for b in range(blocks):
            stride = 2 if stage > 0 and b == 0 else 1
            y = g.op("Relu", [g.conv(x, cin, width, 1)])
            y = g.op("Relu", [g.conv(y, width, width, 3, stride)])
            y = g.conv(y, width, width * 4, 1, gain=0.2)  # a damped residual branch keeps activations O(1)
            shortcut = g.conv(x, cin, width * 4, 1, stride) if b == 0 else x
            x, cin = g.op("Relu", [g.op("Add", [y, shortcut])]), width * 4
    flat = g.op("Flatten", [g.op("GlobalAveragePool", [x])], axis=1)
    g.head(flat, 2048)
    g.nodes[-1].output[0] = "logits"
    return g.model("resnet50", image_input(), logits_output())


def mobilenetv2(layers=None):
    g = Graph(seed=2)
    zero, six = g.const("relu6.min", np.float32(0)), g.const("relu6.max", np.float32(6))
    relu6 = lambda t: g.op("Clip", [t, zero, six], "relu6")
    x = relu6(g.batchnorm(g.conv("input", 3, 32, 3, 2, bias=False), 32))
    cin = 32
    # (expansion, channels, repeats, first stride), torchvision's table
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride, hidden = (s if i == 0 else 1), cin * t
            y = x if t == 1 else relu6(g.batchnorm(g.conv(x, cin, hidden, 1, bias=False), hidden))
            y = relu6(g.batchnorm(g.conv(y, hidden, hidden, 3, stride, group=hidden, bias=False), hidden))
            y = g.batchnorm(g.conv(y, hidden, c, 1, bias=False), c)
            x = g.op("Add", [x, y], "residual") if stride == 1 and cin == c else y
            cin = c
    x = relu6(g.batchnorm(g.conv(x, cin, 1280, 1, bias=False), 1280))
    flat = g.op("Flatten", [g.op("GlobalAveragePool", [x])], axis=1)
    g.head(flat, 1280)
    g.nodes[-1].output[0] = "logits"
    return g.model("mobilenetv2", image_input(), logits_output())


def vit_block(layers=1):
    g, hidden, heads = Graph(seed=16, linear_std=0.02), 768, 12
    x = g.conv("input", 3, hidden, 16, 16, pad=0)  # [B, 768, 14, 14]
    x = g.op("Transpose", [g.op("Reshape", [x, g.const("flat_shape", np.array([0, hidden, -1], np.int64))])],
             perm=[0, 2, 1])  # [B, 196, 768]
    cls = g.const("cls_token", (0.02 * g.rng.standard_normal((1, 1, hidden))).astype(np.float32))
    batch = g.op("Slice", [g.op("Shape", ["input"]), g.const("s0", np.array([0], np.int64)), g.const("s1", np.array([1], np.int64))])
    cls_shape = g.op("Concat", [batch, g.const("cls_rest", np.array([1, hidden], np.int64))], axis=0)
    x = g.op("Concat", [g.op("Expand", [cls, cls_shape]), x], axis=1)  # [B, 197, 768]
    x = g.op("Add", [x, g.const("pos_embed", (0.02 * g.rng.standard_normal((1, 197, hidden))).astype(np.float32))])
    for _ in range(layers):
        x = g.op("Add", [x, g.attention(g.layernorm(x, hidden), hidden, heads)], "residual")
        mlp = g.linear(g.gelu(g.linear(g.layernorm(x, hidden), hidden, 4 * hidden)), 4 * hidden, hidden)
        x = g.op("Add", [x, mlp], "residual")
    x = g.layernorm(x, hidden)
    cls_out = g.op("Gather", [x, g.const("cls_index", np.array(0, np.int64))], axis=1)  # [B, 768]
    g.head(cls_out, hidden)
    g.nodes[-1].output[0] = "logits"
    return g.model("vit_block", image_input(), logits_output())


def bert(layers=12):
    g, hidden, heads = Graph(seed=768, linear_std=0.02), 768, 12
    # BERT's extended mask: (1 - mask) * -10000, shaped [B, 1, 1, S]
    m = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", g.const("axes", np.array([1, 2], np.int64))])], to=TensorProto.FLOAT)
    mask = g.op("Mul", [g.op("Sub", [g.const("one", np.float32(1)), m]), g.const("neg", np.float32(-10000))])
    x = "hidden_states"
    for _ in range(layers):
        x = g.layernorm(g.op("Add", [x, g.attention(x, hidden, heads, mask)], "residual"), hidden)
        ffn = g.linear(g.gelu(g.linear(x, hidden, 4 * hidden)), 4 * hidden, hidden)
        x = g.layernorm(g.op("Add", [x, ffn], "residual"), hidden)
    g.nodes[-1].output[0] = "last_hidden_state"
    return g.model("bert_encoder", [
        helper.make_tensor_value_info("hidden_states", TensorProto.FLOAT, ["batch", "sequence", hidden]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden])])


MODELS = {"resnet50": resnet50, "mobilenetv2": mobilenetv2, "vit_block": vit_block, "bert": bert}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("name", choices=sorted(MODELS))
    p.add_argument("out")
    p.add_argument("--layers", type=int, help="transformer layers (vit_block: default 1, bert: default 12)")
    args = p.parse_args()
    fn = MODELS[args.name]
    model = fn(args.layers) if args.layers else fn()
    onnx.save_model(model, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
