"""The runtime and builder calls beyond run(): user-managed context memory, the per-layer profiler,
the input-consumed event, the persisting-cache limit, device ids, shape tensor value ranges and
per-layer precision constraints, through the Python package on the CPU backend."""
import numpy as np
import pytest

import mirt
from conftest import assert_close, build_cpu, gemm_network


def test_a_context_without_memory_refuses_to_run_until_given_a_large_enough_block(rng):
    net, reference = gemm_network(rng)
    profiles = [{"x": ((1, 4), (2, 4), (4, 4))}, {"x": ((1, 4), (32, 4), (256, 4))}]
    with build_cpu(net, profiles) as plan, mirt.Engine(plan) as engine:
        small, large = engine.device_memory_size_for_profile(0), engine.device_memory_size_for_profile(1)
        assert 0 < small < large == engine.device_memory_size
        with pytest.raises(mirt.InvalidArgumentError, match="profile"):
            engine.device_memory_size_for_profile(2)
        with engine.create_context(1, user_device_memory=True) as ctx:
            xv = rng.standard_normal((100, 4)).astype(np.float32)
            with pytest.raises(mirt.FailedPreconditionError, match=str(large)):
                ctx.run(xv)
            block = engine.alloc_device_memory(large)
            try:
                with pytest.raises(mirt.InvalidArgumentError, match=str(large)):
                    ctx.set_device_memory(block, small)
                ctx.set_device_memory(block, large)
                assert_close(ctx.run(xv)["act"], reference(xv))
            finally:
                ctx.close()
                engine.free_device_memory(block)


def test_the_profiler_sees_every_layer_of_each_run_and_its_errors_reach_the_caller(rng):
    net, reference = gemm_network(rng)
    with build_cpu(net, [{"x": ((1, 4), (2, 4), (4, 4))}]) as plan, mirt.Engine(plan) as engine:
        layers = [layer["name"] for layer in plan.describe()["layers"]]
        with engine.create_context() as ctx:
            seen = []
            ctx.set_profiler(lambda name, op, tactic, ms: seen.append((name, op, ms)))
            xv = rng.standard_normal((3, 4)).astype(np.float32)
            assert_close(ctx.run(xv)["act"], reference(xv))
            assert [name for name, _, _ in seen] == layers
            assert all(ms >= 0 for _, _, ms in seen)

            def broken(*_):
                raise RuntimeError("profiler broke")
            ctx.set_profiler(broken)
            with pytest.raises(RuntimeError, match="profiler broke"):
                ctx.run(xv)
            ctx.set_profiler(None)
            seen.clear()
            assert_close(ctx.run(xv)["act"], reference(xv))
            assert seen == []


def test_cpu_contexts_have_no_persisting_cache_or_graphs_and_leave_the_input_consumed_event_alone(rng):
    net, reference = gemm_network(rng)
    with build_cpu(net, [{"x": ((1, 4), (2, 4), (4, 4))}]) as plan, mirt.Engine(plan) as engine:
        with engine.create_context(nvtx=True) as ctx:
            ctx.set_persistent_cache_limit(0)
            with pytest.raises(mirt.InvalidArgumentError, match="1048576"):
                ctx.set_persistent_cache_limit(1 << 20)
            with pytest.raises(mirt.UnsupportedError, match="backend 'cpu' cannot record graphs"):
                ctx.set_graph_replay(True)
            ctx.set_graph_replay(False)
            event = np.zeros(1, np.int64)  # stands in for an event handle: the CPU backend never records it
            ctx.set_input_consumed_event(event.ctypes.data)
            xv = rng.standard_normal((2, 4)).astype(np.float32)
            assert_close(ctx.run(xv)["act"], reference(xv))
            assert event[0] == 0
            ctx.set_input_consumed_event(None)


def test_a_device_id_the_backend_lacks_is_refused_naming_it(rng):
    net, _ = gemm_network(rng)
    with pytest.raises(mirt.InvalidArgumentError, match="device 3"):
        build_cpu(net, [{"x": ((1, 4), (2, 4), (4, 4))}], device_id=3)
    with build_cpu(net, [{"x": ((1, 4), (2, 4), (4, 4))}]) as plan:
        with pytest.raises(mirt.InvalidArgumentError, match="device 1"):
            mirt.Engine(plan, device_id=1)
        with mirt.Engine(plan, device_id=0) as engine:
            assert engine.backend == "cpu"


def test_shape_tensor_values_have_ranges_per_profile_and_drive_the_output_shape(rng):
    net = mirt.Network()
    data = net.add_input("data", "float32", (2, 6))
    shape = net.add_input("shape", "int64", (2,))
    net.mark_output(net.add_layer("Reshape", [data, shape], name="reshaped"))
    with mirt.BuilderConfig(backend="cpu", optimization_level=0) as config:
        profile = config.add_profile()
        config.set_profile_shape_values(profile, "shape", (1, 1), (3, 4), (12, 12))
        with pytest.raises(mirt.InvalidShapeError, match="'shape'"):
            config.set_profile_shape_values(profile, "shape", (1,), (3, 4), (12, 12))
        plan = mirt.build(net, config)
    with plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        assert engine.is_shape_tensor("shape") and not engine.is_shape_tensor("data")
        assert engine.profile_shape_values("shape") == ((1, 1), (3, 4), (12, 12))
        values = rng.standard_normal((2, 6)).astype(np.float32)
        for target in ((3, 4), (12, 1), (6, 2)):
            out = ctx.run({"data": values, "shape": np.array(target, np.int64)})["reshaped"]
            np.testing.assert_array_equal(out, values.reshape(target))


def test_a_layer_precision_constraint_shows_in_the_plan_and_names_unknown_layers(rng):
    w = rng.uniform(-1, 1, (4, 3)).astype(np.float32)
    net = mirt.Network()
    x = net.add_input("x", "float32", (2, 4))
    mm = net.add_layer("MatMul", [x, net.add_constant("w", w)], name="mm")
    net.mark_output(net.add_layer("Relu", [mm], name="act"))
    with mirt.BuilderConfig(backend="cpu", optimization_level=0) as config:
        config.set_layer_precision("mm", mirt.DType.FLOAT16)
        with config.build(net) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
            precision = {layer["name"]: layer["precision"] for layer in plan.describe()["layers"]}
            assert precision["mm"] == "float16" and precision["act"] == "float32"
            xv = rng.standard_normal((2, 4)).astype(np.float32)
            reference = np.maximum(xv.astype(np.float64) @ w.astype(np.float64), 0)
            assert_close(ctx.run(xv)["act"], reference, rtol=1e-2, atol=1e-2)
        config.set_layer_precision("mm", None)
        config.set_layer_precision("act", mirt.DType.FLOAT16)  # the CPU backend's Relu has no float16 kernel
        with pytest.raises(mirt.UnsupportedError, match="'act'.*float16"):
            config.build(net)
        config.set_layer_precision("act", None)
        config.set_layer_precision("mm9", mirt.DType.FLOAT32)
        with pytest.raises(mirt.NotFoundError, match="'mm9'"):
            config.build(net)
