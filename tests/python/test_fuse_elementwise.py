"""The builder's elementwise fusion: groups of elementwise float layers over one input (GELU spelled
out, SiLU, activation chains) become one mirt::FusedElementwise layer, whose results match numpy
in float64; a group whose intermediate results are read elsewhere is cut where they escape."""
import math

import numpy as np
import pytest

import mirt
from conftest import assert_close, build_cpu


def layer_ops(plan):
    return [layer["op"] for layer in plan.describe()["layers"]]


def erf64(x):
    return np.vectorize(math.erf)(x)


def scalar(net, name, value):
    return net.add_constant(name, np.array(value, dtype=np.float32))


def run(net, x):
    with build_cpu(net) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        return layer_ops(plan), ctx.run({"x": x})


def test_gelu_spelled_out_becomes_one_layer(rng):
    net = mirt.Network()
    x = net.add_input("x", "float32", (4, 33))
    scaled = net.add_layer("Div", [x, scalar(net, "sqrt2", math.sqrt(2))], name="scaled")
    erf = net.add_layer("Erf", [scaled], name="erf")
    plus = net.add_layer("Add", [erf, scalar(net, "one", 1.0)], name="plus")
    times = net.add_layer("Mul", [x, plus], name="times")
    net.mark_output(net.add_layer("Mul", [times, scalar(net, "half", 0.5)], name="gelu"))
    xv = rng.standard_normal((4, 33)).astype(np.float32) * 3
    ops, out = run(net, xv)
    assert ops == ["FusedElementwise"]
    x64 = xv.astype(np.float64)
    assert_close(out["gelu"], x64 * 0.5 * (1 + erf64(x64 / math.sqrt(2))))


def test_silu_and_a_chain_after_it_fuse_but_not_a_second_input(rng):
    net = mirt.Network()
    x = net.add_input("x", "float32", ("n", 8))
    y = net.add_input("y", "float32", ("n", 8))
    sig = net.add_layer("Sigmoid", [x], name="sig")
    silu = net.add_layer("Mul", [x, sig], name="silu")
    scaled = net.add_layer("Mul", [silu, scalar(net, "two", 2.0)], name="scaled")
    shifted = net.add_layer("Sub", [scalar(net, "one", 1.0), scaled], name="shifted")  # constant first
    net.mark_output(net.add_layer("Add", [shifted, y], name="out"))  # a second tensor: not in the group
    with build_cpu(net, [{"x": ((1, 8), (2, 8), (4, 8)), "y": ((1, 8), (2, 8), (4, 8))}]) as plan, \
            mirt.Engine(plan) as engine, engine.create_context() as ctx:
        assert layer_ops(plan) == ["FusedElementwise", "Add"]
        xv, yv = rng.standard_normal((3, 8)).astype(np.float32), rng.standard_normal((3, 8)).astype(np.float32)
        x64 = xv.astype(np.float64)
        expected = 1 - 2 * x64 / (1 + np.exp(-x64)) + yv
        assert_close(ctx.run({"x": xv, "y": yv})["out"], expected)


def test_a_result_read_outside_the_group_cuts_it_there(rng):
    net = mirt.Network()
    x = net.add_input("x", "float32", (16,))
    relu = net.add_layer("Relu", [x], name="relu")
    scaled = net.add_layer("Mul", [relu, scalar(net, "three", 3.0)], name="scaled")  # also an output
    sqrt = net.add_layer("Sqrt", [scaled], name="sqrt")
    net.mark_output(scaled, net.add_layer("Neg", [sqrt], name="neg"))
    xv = rng.standard_normal(16).astype(np.float32)
    ops, out = run(net, xv)
    assert ops == ["FusedElementwise", "FusedElementwise"]  # relu+scaled, then sqrt+neg
    x64 = np.maximum(xv.astype(np.float64), 0) * 3
    assert_close(out["scaled"], x64)
    assert_close(out["neg"], -np.sqrt(x64))


def test_single_layers_and_broadcasting_operands_stay_as_they_are(rng):
    net = mirt.Network()
    x = net.add_input("x", "float32", (2, 5))
    relu = net.add_layer("Relu", [x], name="relu")
    row = net.add_constant("row", rng.standard_normal(5).astype(np.float32))
    net.mark_output(net.add_layer("Add", [relu, row], name="biased"))  # not a scalar: no group of two
    ops, _ = run(net, rng.standard_normal((2, 5)).astype(np.float32))
    assert ops == ["Relu", "Add"]


@pytest.mark.parametrize("program,why", [
    ({"ops": ["Relu", "Bogus"], "operands": [0, 0, 1, 0], "constants": []}, "Bogus"),
    ({"ops": ["Add"], "operands": [0, 5], "constants": []}, "operand"),
])
def test_a_bad_program_is_refused_naming_what_is_wrong(program, why):
    net = mirt.Network()
    x = net.add_input("x", "float32", (4,))
    attrs = {"ops": mirt.strings(program["ops"]), "operands": mirt.ints(program["operands"]),
             "constants": mirt.floats(program["constants"])}
    net.mark_output(net.add_layer("FusedElementwise", [x], attrs, name="prog", domain="mirt"))
    with pytest.raises(mirt.MirtError, match=why):
        build_cpu(net)
