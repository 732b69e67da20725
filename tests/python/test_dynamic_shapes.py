"""Dynamic input dims with optimization profiles: ranges read back, runs at several sizes, a second
profile used by a second context, and shapes outside a profile refused."""
import numpy as np
import pytest

import mirt
from conftest import assert_close, build_cpu, gemm_network


def test_profiles_read_back_and_runs_at_every_size(rng):
    net, reference = gemm_network(rng)
    profiles = [{"x": ((1, 4), (4, 4), (8, 4))}, {"x": ((16, 4), (32, 4), (64, 4))}]
    with build_cpu(net, profiles) as plan, mirt.Engine(plan) as engine:
        assert engine.num_profiles == 2
        assert engine.tensor("x").shape == (-1, 4)
        assert engine.tensor("act").shape == (-1, 3)
        assert engine.profile_shape("x", 0) == ((1, 4), (4, 4), (8, 4))
        assert engine.profile_shape("x", 1).max == (64, 4)
        with engine.create_context(0) as small, engine.create_context(1) as large:
            for batch in (1, 3, 8):
                xv = rng.standard_normal((batch, 4)).astype(np.float32)
                out = small.run({"x": xv})["act"]
                assert out.shape == (batch, 3)
                assert_close(out, reference(xv))
                assert small.get_tensor_shape("act") == (batch, 3)
            xv = rng.standard_normal((40, 4)).astype(np.float32)
            assert_close(large.run(xv)["act"], reference(xv))
            with pytest.raises(mirt.InvalidShapeError, match=r"input 'x': dim 0 is 40, outside the range \[1, 8\]"):
                small.run(xv)


def test_symbolic_dims_are_shared_between_inputs(rng):
    net = mirt.Network()
    a = net.add_input("a", "float32", ("batch", 2))
    b = net.add_input("b", "float32", ("batch", 2))
    net.mark_output(net.add_layer("Add", [a, b], name="sum"))
    profiles = [{"a": ((1, 2), (2, 2), (4, 2)), "b": ((1, 2), (2, 2), (4, 2))}]
    with build_cpu(net, profiles) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        av, bv = rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal((3, 2)).astype(np.float32)
        np.testing.assert_array_equal(ctx.run({"a": av, "b": bv})["sum"], av + bv)


def test_a_dynamic_input_without_profile_fails_the_build(rng):
    net, _ = gemm_network(rng)
    with pytest.raises(mirt.MirtError, match="'x'"):
        build_cpu(net)


def test_low_level_calls_bind_buffers_once(rng):
    """set_input_shape / set_tensor_address / enqueue: bind once, run many times (as C does)."""
    net, reference = gemm_network(rng)
    with build_cpu(net, [{"x": ((2, 4), (2, 4), (2, 4))}]) as plan, mirt.Engine(plan) as engine, \
            engine.create_context() as ctx:
        xv, out = np.zeros((2, 4), np.float32), np.zeros((2, 3), np.float32)
        ctx.set_input_shape("x", xv.shape)
        ctx.set_tensor_address("x", xv.ctypes.data)
        ctx.set_tensor_address("act", out.ctypes.data)
        for _ in range(3):
            xv[...] = rng.standard_normal(xv.shape)
            ctx.enqueue()
            assert_close(out, reference(xv))


def test_builder_options_reach_the_plan(rng, tmp_path):
    """Precision flags are recorded in the plan; a timing cache is written by a build above level 0
    that times a layer with several tactics (Conv), and a damaged one fails the build naming the
    path; a progress callback can cancel a build."""
    net = mirt.Network()
    x = net.add_input("x", "float32", (1, 3, 8, 8))
    weights = net.add_constant("w", rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    net.mark_output(net.add_layer("Conv", [x, weights], {"pads": [1, 1, 1, 1]}, name="y"))
    cache = tmp_path / "timing.cache"
    phases = []
    with build_cpu(net, precision=mirt.Precision.TF32, optimization_level=1, timing_cache=cache,
                   progress=lambda phase, done, total: phases.append(phase)) as plan:
        assert plan.describe()["header"]["precision"]["flags"] == int(mirt.Precision.TF32)
    assert cache.exists() and phases
    cache.write_text("not a timing cache\n")
    with pytest.raises(mirt.InvalidArgumentError, match=str(cache)):
        build_cpu(net, optimization_level=1, timing_cache=cache)
    with pytest.raises(mirt.FailedPreconditionError):
        build_cpu(net, progress=lambda phase, done, total: True)
