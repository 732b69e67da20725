"""Models whose weights pass 2 GiB keep them in ONNX external data files, which the parser maps and
reads at 64-bit offsets; a model file itself over 2 GiB (beyond protobuf's limit) is refused with a
message that says what to do. The big files are sparse: they take no disk space and are never read
whole, so the tests stay fast."""
import numpy as np
import pytest
from onnx import TensorProto, helper

import mirt
from conftest import build_cpu

GIB = 1 << 30


def sparse_file(path, size, chunks=()):
    """A file of `size` bytes, holes except for the (offset, bytes) chunks."""
    with open(path, "wb") as f:
        f.truncate(size)
        for offset, data in chunks:
            f.seek(offset)
            f.write(data)


def add_model(path, location, offset, shape):
    """y = x + w, w float32 of `shape` stored in `location` at `offset` (external data)."""
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=shape, data_location=TensorProto.EXTERNAL)
    for key, value in (("location", location), ("offset", str(offset)),
                       ("length", str(4 * int(np.prod(shape))))):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"])], "external",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    # Serialized directly: onnx.save would try to manage the external data itself.
    path.write_bytes(model.SerializeToString())


def test_external_data_past_4_gib_is_read_at_its_offset(tmp_path, rng):
    w = rng.uniform(-1, 1, (2, 3)).astype(np.float32)
    offset = 5 * GIB + 12_345  # needs more than 32 bits
    sparse_file(tmp_path / "weights.bin", 6 * GIB, [(offset, w.tobytes())])
    add_model(tmp_path / "model.onnx", "weights.bin", offset, [2, 3])
    net = mirt.parse_onnx(tmp_path / "model.onnx")
    x = rng.uniform(-1, 1, (2, 3)).astype(np.float32)
    with build_cpu(net) as plan, mirt.Engine(plan) as engine, engine.create_context() as ctx:
        y = ctx.run({"x": x})["y"]
    np.testing.assert_allclose(y, x.astype(np.float64) + w, rtol=1e-6)


def test_external_data_offset_past_the_end_of_a_big_file_names_the_range(tmp_path):
    sparse_file(tmp_path / "weights.bin", 3 * GIB)
    add_model(tmp_path / "model.onnx", "weights.bin", 3 * GIB - 8, [2, 3])
    with pytest.raises(mirt.CorruptDataError, match=f"is {3 * GIB} bytes.*{3 * GIB - 8}"):
        mirt.parse_onnx(tmp_path / "model.onnx")


def test_a_model_file_over_2_gib_is_refused_pointing_to_external_data(tmp_path):
    path = tmp_path / "huge.onnx"
    sparse_file(path, 2 * GIB + 64)
    with pytest.raises(mirt.UnsupportedError, match="2 GiB.*external") as info:
        mirt.parse_onnx(path)
    assert str(path) in info.value.message


def test_a_missing_model_file_or_a_folder_is_an_io_error_naming_it(tmp_path):
    with pytest.raises(mirt.MirtIOError, match="missing.onnx"):
        mirt.parse_onnx(tmp_path / "missing.onnx")
    with pytest.raises(mirt.MirtIOError, match=str(tmp_path)):
        mirt.parse_onnx(tmp_path)
