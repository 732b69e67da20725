"""The DLPack reader that binds device tensors without copies, checked on numpy's own __dlpack__
(host memory; the CUDA path is tests/gpu/python_dlpack_test.py): address, shape, strides and
dtype read back for every dtype, and non-row-major layouts recognised."""
import numpy as np
import pytest

import mirt
from mirt import dlpack

ALL_DTYPES = [d for d in mirt.DType if d is not mirt.DType.UNDEFINED and d is not mirt.DType.BFLOAT16]


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_numpy_tensors_read_back_without_copies(dtype):
    arr = np.zeros((2, 3, 4), dtype=dtype.numpy)
    v = dlpack.view(arr, None)
    assert v.address == arr.ctypes.data
    assert v.device == (dlpack.CPU, 0) and dlpack.device_of(arr) == (dlpack.CPU, 0)
    assert v.shape == (2, 3, 4)
    assert v.matches(dtype), v.dtype_text()
    assert v.is_row_major()
    others = [d for d in ALL_DTYPES if d is not dtype]
    assert not any(v.matches(d) for d in others)


def test_strided_views_are_recognised():
    base = np.zeros((4, 6), np.float32)
    col = dlpack.view(base[:, 2:4], None)
    assert col.address == base[:, 2:4].ctypes.data and col.shape == (4, 2)
    assert col.strides == (6, 1) and not col.is_row_major() and col.row_major_strides() == (2, 1)
    assert not dlpack.view(base.T, None).is_row_major()
    assert dlpack.view(base[1:2], None).is_row_major()  # extent-1 dims may have any stride


def test_a_device_tensor_bound_to_a_host_engine_reports_its_device():
    from mirt import _binding
    info = mirt.TensorInfo("x", True, mirt.DType.FLOAT32, (-1, 4), mirt.TensorLocation.HOST)

    class Rocm:
        def __dlpack_device__(self):
            return (10, 1)

    with pytest.raises(mirt.InvalidArgumentError, match=r"input 'x' is in ROCm:1 memory"):
        _binding.host_array(info, Rocm(), "cpu")
    with pytest.raises(mirt.InvalidArgumentError, match=r"input 'x' is in CPU:0 memory, but engine backend 'cuda'"):
        _binding.device_view(info, np.zeros((2, 4), np.float32), None, (dlpack.CUDA,), "cuda")


class Wrapped:
    """A DLPack producer that is not a numpy array (so the run cannot take the host path)."""

    def __init__(self, array):
        self.array = array

    def __dlpack__(self, stream=None):
        assert stream is None
        return self.array.__dlpack__()

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()


def test_the_zero_copy_path_end_to_end_with_numpy_standing_in_for_device_memory(monkeypatch, rng):
    """Context.run's DLPack path (used for CUDA tensors) on the cpu engine, with host memory
    declared a device: outputs are written in place into the given tensors, inputs are bound
    without copies, and missing outputs need torch."""
    from mirt import context as context_module
    from conftest import assert_close, build_cpu, gemm_network
    net, reference = gemm_network(rng)
    with build_cpu(net, [{"x": ((1, 4), (2, 4), (8, 4))}]) as plan, mirt.Engine(plan) as engine, \
            engine.create_context() as ctx:
        monkeypatch.setattr(dlpack, "HOST_DEVICES", ())
        monkeypatch.setitem(context_module._BACKEND_DEVICES, "cpu", (dlpack.CPU,))
        monkeypatch.setattr(type(engine), "io_location", property(lambda self: mirt.TensorLocation.DEVICE))
        xv = rng.standard_normal((3, 4)).astype(np.float32)
        out = np.full((3, 3), np.nan, np.float32)
        result = ctx.run({"x": Wrapped(xv)}, outputs={"act": Wrapped(out)})
        assert result["act"].array is out
        assert_close(out, reference(xv))
        with pytest.raises(mirt.InvalidArgumentError, match=r"output 'act': no buffer given.*\(3, 3\)"):
            ctx.run({"x": Wrapped(xv)})
        with pytest.raises(mirt.InvalidShapeError, match=r"output 'act': shape \(2, 3\), expected \(3, 3\)"):
            ctx.run({"x": Wrapped(xv)}, outputs={"act": Wrapped(np.zeros((2, 3), np.float32))})
        with pytest.raises(mirt.InvalidArgumentError, match=r"input 'x': strides \(8, 2\) are not row-major"):
            ctx.run({"x": Wrapped(np.zeros((3, 8), np.float32)[:, ::2])}, outputs={"act": Wrapped(out)})
