"""numpy arrays in and out for every dtype of mirt/base.h: Concat(x, constant) along axis 0 and a
Cast to float64, checked bit for bit against numpy."""
import numpy as np
import pytest

import mirt
from conftest import build_cpu

# ONNX TensorProto data type codes (Cast's `to`), see docs/ops.md.
ONNX_FLOAT64 = 11
ALL_DTYPES = [d for d in mirt.DType if d is not mirt.DType.UNDEFINED]


def sample(dtype: mirt.DType, shape, rng) -> np.ndarray:
    if dtype is mirt.DType.BOOL:
        return rng.integers(0, 2, shape).astype(np.bool_)
    if dtype in (mirt.DType.INT8, mirt.DType.UINT8, mirt.DType.INT32, mirt.DType.INT64):
        info = np.iinfo(dtype.numpy)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), shape, endpoint=True).astype(dtype.numpy)
    values = rng.uniform(-100, 100, shape).astype(np.float32)
    if dtype is mirt.DType.BFLOAT16 and dtype.numpy == np.uint16:  # no ml_dtypes: bits, rounded toward zero
        return (values.view(np.uint32) >> 16).astype(np.uint16)
    return values.astype(dtype.numpy)


def as_float64(array: np.ndarray, dtype: mirt.DType) -> np.ndarray:
    if dtype is mirt.DType.BFLOAT16 and array.dtype == np.uint16:
        return (array.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return array.astype(np.float64)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_every_dtype_goes_through_concat_and_cast(dtype, rng):
    const = sample(dtype, (2, 3), rng)
    net = mirt.Network(f"roundtrip_{dtype}")
    x = net.add_input("x", dtype, ("n", 3))
    joined = net.add_layer("Concat", [x, net.add_constant("c", const, dtype)], {"axis": 0}, name="joined")
    wide = net.add_layer("Cast", [joined], {"to": ONNX_FLOAT64}, name="wide")
    net.mark_output(joined, wide)
    with build_cpu(net, [{"x": ((1, 3), (4, 3), (16, 3))}]) as plan, mirt.Engine(plan) as engine:
        assert [t.dtype for t in engine.io_tensors] == [dtype, dtype, mirt.DType.FLOAT64]
        with engine.create_context() as ctx:
            for n in (1, 5):
                xv = sample(dtype, (n, 3), rng)
                out = ctx.run({"x": xv})
                expected = np.concatenate([xv, const])
                assert out["joined"].dtype == expected.dtype and out["joined"].shape == (n + 2, 3)
                assert out["joined"].tobytes() == expected.tobytes()
                np.testing.assert_array_equal(out["wide"], as_float64(expected, dtype))


def test_bfloat16_takes_raw_uint16_bits(rng):
    """uint16 arrays are bfloat16 bits whether or not ml_dtypes is installed."""
    net = mirt.Network()
    x = net.add_input("x", "bfloat16", (4,))
    net.mark_output(net.add_layer("Cast", [x], {"to": ONNX_FLOAT64}, name="y"))
    bits = np.array([0x3F80, 0xC000, 0x4049, 0x0000], dtype=np.uint16)  # 1, -2, 3.140625, 0
    with build_cpu(net) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        np.testing.assert_array_equal(ctx.run(bits)["y"], [1.0, -2.0, 3.140625, 0.0])


def test_outputs_written_into_given_arrays(rng):
    net = mirt.Network()
    x = net.add_input("x", "int32", (2, 2))
    net.mark_output(net.add_layer("Neg", [x], name="y"))
    out = np.full((2, 2), 7, np.int32)
    with build_cpu(net) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        result = ctx.run({"x": np.arange(4, dtype=np.int32).reshape(2, 2)}, outputs={"y": out})
        assert result["y"] is out
        np.testing.assert_array_equal(out, [[0, -1], [-2, -3]])
