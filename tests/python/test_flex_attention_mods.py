"""FlexAttention (ai.onnx.preview) with score_mod and prob_mod subgraphs: the ONNX parser writes the
node out as standard layers with the subgraphs inlined, so mirt computes the operator's definition
(checked against numpy in float64, grouped-query heads included); malformed subgraphs and too old an
opset are refused naming the node and the attribute."""
import numpy as np
import pytest
from onnx import TensorProto, helper

import mirt
from conftest import assert_close, build_cpu


def soft_cap(cap):
    """score_mod: cap * tanh(scores / cap), with cap an initializer of the subgraph."""
    return helper.make_graph(
        [helper.make_node("Div", ["s", "cap"], ["t"]), helper.make_node("Tanh", ["t"], ["u"]),
         helper.make_node("Mul", ["u", "cap"], ["s_out"])],
        "soft_cap", [helper.make_tensor_value_info("s", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("s_out", TensorProto.FLOAT, None)],
        [helper.make_tensor("cap", TensorProto.FLOAT, [], [cap])])


def halve():
    """prob_mod: 0.5 * probs (the scalar a Constant node of the subgraph)."""
    return helper.make_graph(
        [helper.make_node("Constant", [], ["h"], value=helper.make_tensor("h", TensorProto.FLOAT, [], [0.5])),
         helper.make_node("Mul", ["p", "h"], ["p_out"])],
        "halve", [helper.make_tensor_value_info("p", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("p_out", TensorProto.FLOAT, None)])


def model(q_shape, kv_shape, opset=26, **attributes):
    node = helper.make_node("FlexAttention", ["Q", "K", "V"], ["Y"], domain="ai.onnx.preview", name="attn", **attributes)
    graph = helper.make_graph(
        [node], "flex", [helper.make_tensor_value_info("Q", TensorProto.FLOAT, q_shape),
                         helper.make_tensor_value_info("K", TensorProto.FLOAT, kv_shape),
                         helper.make_tensor_value_info("V", TensorProto.FLOAT, kv_shape)],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset), helper.make_opsetid("ai.onnx.preview", 1)],
                             ir_version=10).SerializeToString()


def reference(q, k, v, scale, cap=None, prob_scale=1.0):
    q, k, v = (x.astype(np.float64) for x in (q, k, v))
    group = q.shape[1] // k.shape[1]
    k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)
    s = scale * q @ np.swapaxes(k, 2, 3)
    if cap is not None:
        s = cap * np.tanh(s / cap)
    p = np.exp(s - s.max(axis=3, keepdims=True))
    return prob_scale * (p / p.sum(axis=3, keepdims=True)) @ v


def run(onnx_bytes, q, k, v):
    net = mirt.parse_onnx(onnx_bytes)
    with build_cpu(net) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        return ctx.run({"Q": q, "K": k, "V": v})["Y"]


@pytest.mark.parametrize("heads", [(2, 2), (4, 2)])
def test_score_mod_and_prob_mod_match_the_definition(rng, heads):
    hq, hkv = heads
    q = rng.uniform(-2, 2, (2, hq, 5, 8)).astype(np.float32)
    k = rng.uniform(-2, 2, (2, hkv, 7, 8)).astype(np.float32)
    v = rng.uniform(-1, 1, (2, hkv, 7, 8)).astype(np.float32)
    y = run(model(q.shape, k.shape, score_mod=soft_cap(1.5), prob_mod=halve()), q, k, v)
    assert_close(y, reference(q, k, v, 1 / np.sqrt(8), cap=1.5, prob_scale=0.5))
    # The scale attribute replaces 1 / sqrt(E); a cap this small changes every score.
    y = run(model(q.shape, k.shape, scale=0.7, score_mod=soft_cap(0.5)), q, k, v)
    assert_close(y, reference(q, k, v, 0.7, cap=0.5))


def test_a_modifier_of_two_inputs_is_refused_naming_node_and_attribute():
    two = helper.make_graph([helper.make_node("Add", ["a", "b"], ["c"])], "two",
                            [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("a", "b")],
                            [helper.make_tensor_value_info("c", TensorProto.FLOAT, None)])
    with pytest.raises(mirt.InvalidGraphError, match="'attn'.*'score_mod' has 2 inputs"):
        mirt.parse_onnx(model([1, 2, 3, 4], [1, 2, 3, 4], score_mod=two))


def test_an_opset_before_15_is_refused_saying_what_it_needs():
    with pytest.raises(mirt.UnsupportedError, match="opset 15 or newer.*imports opset 14"):
        mirt.parse_onnx(model([1, 2, 3, 4], [1, 2, 3, 4], opset=14, score_mod=soft_cap(2.0)))
