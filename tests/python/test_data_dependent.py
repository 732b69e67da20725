"""Outputs with data-dependent shapes: run() sizes them from each run, the low-level calls take an
output allocator, and an allocator that fails names the output."""
import ctypes as C

import numpy as np
import pytest

import mirt
from conftest import build_cpu


def nonzero_gather_network():
    """y = Gather(x, NonZero(x)): x float32 [6], y [1, count of non-zero x]."""
    net = mirt.Network("nonzero_gather")
    x = net.add_input("x", "float32", (6,))
    nz = net.add_layer("NonZero", [x], name="nz")
    net.mark_output(net.add_layer("Gather", [x, nz], name="y"))
    return net


def test_run_sizes_a_data_dependent_output_from_each_run(rng):
    with build_cpu(nonzero_gather_network()) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        assert engine.is_data_dependent("y")
        assert not engine.is_data_dependent("x")
        assert ctx.get_tensor_shape("y") == (1, -1)
        for kept in (4, 1, 0, 6):
            xv = np.zeros(6, np.float32)
            xv[rng.permutation(6)[:kept]] = rng.uniform(1, 2, kept)
            y = ctx.run({"x": xv})["y"]
            np.testing.assert_array_equal(y, xv[np.nonzero(xv)][None, :])


def test_low_level_output_allocator_gets_size_and_shape():
    with build_cpu(nonzero_gather_network()) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        xv = np.array([0, 3, 0, 5, 0, 7], np.float32)
        ctx.set_tensor_address("x", xv.ctypes.data)
        with pytest.raises(mirt.FailedPreconditionError, match="'y'"):
            ctx.enqueue()
        buffers, seen = [], {}

        def reallocate(name, current, size, alignment):
            buffers.append(np.zeros(max(size, 1) + alignment, np.uint8))
            seen["size"] = size
            seen["address"] = (buffers[-1].ctypes.data + alignment - 1) // alignment * alignment
            return seen["address"]

        ctx.set_output_allocator("y", reallocate, lambda name, shape: seen.update(name=name, shape=shape))
        ctx.enqueue()
        address = seen.pop("address")
        assert seen == {"size": 12, "name": "y", "shape": (1, 3)}
        np.testing.assert_array_equal(np.ctypeslib.as_array((C.c_float * 3).from_address(address)), [3, 5, 7])

        ctx.set_output_allocator("y", lambda *args: 0)
        with pytest.raises(mirt.MirtError, match="output allocator of output 'y' returned NULL for 12 bytes"):
            ctx.enqueue()
