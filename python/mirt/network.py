"""The network definition (mirt/network.h): inputs, constants, layers (ops) and outputs.

Ops enter through one generic call, Network.add_layer(): an op type (ONNX operator names and
semantics, e.g. "Conv", "Gemm", "Relu"), a domain ("" for the standard set, or a plugin's domain),
named typed attributes and input tensors. docs/ops.md lists the ops and their attributes.
Threading: a network is used by one thread at a time.
"""
from __future__ import annotations

import ctypes as C
import os
from typing import Iterable, Mapping, Sequence, Union

import numpy as np

from . import _capi
from ._handle import OwnedHandle
from ._library import check, library
from .dtypes import DType, to_dtype
from .errors import InvalidArgumentError


class Attribute:
    """An attribute value with an explicit mirt_attribute_type. Plain Python values are typed by
    their contents (int, float, str, or lists of them); use ints()/floats()/strings() for empty
    lists or to force a type."""

    def __init__(self, type_: int, values: Sequence):
        self.type, self.values = type_, list(values)


def ints(values: Iterable[int]) -> Attribute:
    """An INTS attribute."""
    return Attribute(_capi.ATTRIBUTE_INTS, [int(v) for v in values])


def floats(values: Iterable[float]) -> Attribute:
    """A FLOATS attribute."""
    return Attribute(_capi.ATTRIBUTE_FLOATS, [float(v) for v in values])


def strings(values: Iterable[str]) -> Attribute:
    """A STRINGS attribute."""
    return Attribute(_capi.ATTRIBUTE_STRINGS, [str(v) for v in values])


AttributeValue = Union[int, float, str, Sequence[int], Sequence[float], Sequence[str], np.ndarray, Attribute]


def _typed(name: str, value: AttributeValue) -> Attribute:
    if isinstance(value, Attribute):
        return value
    if isinstance(value, (bool, int, np.integer)):
        return Attribute(_capi.ATTRIBUTE_INT, [int(value)])
    if isinstance(value, (float, np.floating)):
        return Attribute(_capi.ATTRIBUTE_FLOAT, [float(value)])
    if isinstance(value, str):
        return Attribute(_capi.ATTRIBUTE_STRING, [value])
    values = list(np.asarray(value).ravel()) if isinstance(value, np.ndarray) else list(value)
    if all(isinstance(v, str) for v in values) and values:
        return strings(values)
    if all(isinstance(v, (bool, int, np.integer)) for v in values):
        return ints(values)
    if all(isinstance(v, (bool, int, float, np.integer, np.floating)) for v in values):
        return floats(values)
    raise InvalidArgumentError(f"attribute '{name}': cannot type {value!r}; use mirt.ints/floats/strings")


def _c_attribute(name: str, attr: Attribute, keep: list) -> _capi.attribute:
    a = _capi.attribute()
    a.name = _capi.sv(name)
    a.type, a.count = attr.type, len(attr.values)
    if attr.type in (_capi.ATTRIBUTE_INT, _capi.ATTRIBUTE_INTS):
        arr = (C.c_int64 * max(1, a.count))(*attr.values)
        a.ints = C.cast(arr, C.POINTER(C.c_int64))
    elif attr.type in (_capi.ATTRIBUTE_FLOAT, _capi.ATTRIBUTE_FLOATS):
        arr = (C.c_float * max(1, a.count))(*attr.values)
        a.floats = C.cast(arr, C.POINTER(C.c_float))
    else:
        arr = (_capi.string_view * max(1, a.count))(*[_capi.sv(s) for s in attr.values])
        a.strings = C.cast(arr, C.POINTER(_capi.string_view))
    keep += [a.name, arr]
    return a


class Tensor:
    """A tensor of a network (mirt_tensor). Owned by the network: valid while the network lives."""

    def __init__(self, network: "Network", handle: int):
        self._network, self._handle = network, handle

    @property
    def name(self) -> str:
        return _capi.sv_text(library().mirt_tensor_get_name(self._network._live(self._handle)))

    @property
    def dtype(self) -> DType:
        """The dtype as declared or as inferred so far (UNDEFINED for layer outputs before a build)."""
        return DType(library().mirt_tensor_get_dtype(self._network._live(self._handle)))

    @property
    def shape(self) -> tuple[int, ...] | None:
        """Declared dims of inputs and constants (-1 where dynamic); None when unknown."""
        dims = (C.c_int64 * _capi.MAX_RANK)()
        rank = library().mirt_tensor_get_dims(self._network._live(self._handle), dims)
        return tuple(dims[:rank]) if rank else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tensor) and other._handle == self._handle

    def __hash__(self) -> int:
        return hash(self._handle)

    def __repr__(self) -> str:
        return f"mirt.Tensor({self.name!r})"


Dim = Union[int, str, None]


class Network(OwnedHandle):
    """A network definition (mirt_network). Owns its tensors and copies of all constant data.
    Use as a context manager, or call close(), to free it early."""

    _handle: int | None = None  # set first, so __del__ works after a failed __init__
    _what = "network"

    def __init__(self, name: str = ""):
        opts = _capi.init(_capi.network_options)
        opts.name = _capi.sv(name)
        handle = C.c_void_p()
        check(library().mirt_network_create(C.byref(opts), C.byref(handle)))
        self._handle: int | None = handle.value

    def close(self) -> None:
        """Frees the network and all its tensors (mirt_network_destroy). Idempotent."""
        if self._handle:
            library().mirt_network_destroy(self._handle)
            self._handle = None



    def _live(self, value=None):
        """The network's handle (or ``value``, for a tensor of it) while the network is open."""
        handle = super()._live()
        return handle if value is None else value

    def add_input(self, name: str, dtype: DType | str | np.dtype | type, shape: Sequence[Dim]) -> Tensor:
        """Adds a graph input (mirt_network_add_input). A dim of -1 or None is set at run time (give
        its range in an optimization profile); a string dim ("batch") is dynamic and symbolic: equal
        names are equal extents across inputs. Raises AlreadyExistsError for a taken name."""
        dims = [-1 if (d is None or isinstance(d, str)) else int(d) for d in shape]
        names = (_capi.string_view * max(1, len(dims)))(*[_capi.sv(d if isinstance(d, str) else "") for d in shape])
        out = C.c_void_p()
        check(library().mirt_network_add_input(self._live(), _capi.sv(name), to_dtype(dtype), len(dims),
                                               _capi.dims_array(dims), names, C.byref(out)))
        return Tensor(self, out.value)

    def add_constant(self, name: str, value: np.ndarray | Sequence, dtype: DType | str | None = None) -> Tensor:
        """Adds a constant (weights) from an array; the data is copied (row-major). dtype defaults to
        the array's (numpy.uint16 arrays are bfloat16 bits)."""
        target = to_dtype(dtype) if dtype is not None else None
        arr = np.asarray(value, dtype=target.numpy if target else None)
        target = target or to_dtype(arr.dtype)
        arr = np.ascontiguousarray(arr)
        out = C.c_void_p()
        check(library().mirt_network_add_constant(self._live(), _capi.sv(name), target, arr.ndim,
                                                  _capi.dims_array(arr.shape), arr.ctypes.data_as(C.c_void_p),
                                                  arr.nbytes, C.byref(out)))
        return Tensor(self, out.value)

    def add_layer(self, op_type: str, inputs: Sequence[Tensor | None],
                  attributes: Mapping[str, AttributeValue] | None = None, *, name: str = "", domain: str = "",
                  num_outputs: int = 0, output_names: Sequence[str] | None = None) -> Tensor | tuple[Tensor, ...]:
        """Adds a layer (mirt_network_add_layer). None in inputs marks an omitted optional input.
        Returns the output tensor, or a tuple of them for a layer with several outputs.
        Raises InvalidGraphError naming the layer for an unknown attribute, a wrong attribute type,
        a missing required attribute or a wrong input count."""
        keep: list = []
        desc = _capi.init(_capi.layer_desc)
        desc.op_type, desc.domain, desc.name = _capi.sv(op_type), _capi.sv(domain), _capi.sv(name)
        ins = (C.c_void_p * max(1, len(inputs)))(*[self._own(t) for t in inputs])
        desc.num_inputs, desc.inputs = len(inputs), C.cast(ins, C.POINTER(C.c_void_p))
        attrs = [_c_attribute(k, _typed(k, v), keep) for k, v in (attributes or {}).items()]
        arr = (_capi.attribute * max(1, len(attrs)))(*attrs)
        desc.num_attributes, desc.attributes = len(attrs), arr
        if output_names is not None:
            num_outputs = num_outputs or len(output_names)
            names = (_capi.string_view * len(output_names))(*[_capi.sv(n) for n in output_names])
            desc.output_names = names
        desc.num_outputs = num_outputs
        # Room for the layer's outputs; with num_outputs 0 (the op's default count) unknown here, so
        # generous, and the filled entries are counted.
        outs = (C.c_void_p * max(num_outputs, 64))()
        check(library().mirt_network_add_layer(self._live(), C.byref(desc), outs))
        tensors = tuple(Tensor(self, h) for h in outs if h)
        return tensors[0] if len(tensors) == 1 else tensors

    def _own(self, tensor: Tensor | None) -> int | None:
        if tensor is None:
            return None
        if not isinstance(tensor, Tensor) or tensor._network is not self:
            raise InvalidArgumentError(f"{tensor!r} is not a tensor of this network")
        return tensor._handle

    def mark_output(self, *tensors: Tensor) -> None:
        """Marks tensors as network outputs (in call order)."""
        for t in tensors:
            check(library().mirt_network_mark_output(self._live(), self._own(t)))

    def find_tensor(self, name: str) -> Tensor:
        """The tensor called name; NotFoundError names it when there is none."""
        out = C.c_void_p()
        check(library().mirt_network_find_tensor(self._live(), _capi.sv(name), C.byref(out)))
        return Tensor(self, out.value)

    @property
    def inputs(self) -> list[Tensor]:
        lib = library()
        return [Tensor(self, lib.mirt_network_get_input(self._live(), i))
                for i in range(lib.mirt_network_num_inputs(self._live()))]

    @property
    def outputs(self) -> list[Tensor]:
        lib = library()
        return [Tensor(self, lib.mirt_network_get_output(self._live(), i))
                for i in range(lib.mirt_network_num_outputs(self._live()))]

    @property
    def num_layers(self) -> int:
        return library().mirt_network_num_layers(self._live())


def parse_onnx(model: str | os.PathLike | bytes, network: Network | None = None) -> Network:
    """Parses an ONNX model (a path, or the model's bytes) into network (a new one when None)
    through the onnx parser module (mirt_onnx_parse_file / mirt_onnx_parse_bytes). NotFoundError
    names the parser and the folders searched when it is not installed; IO_ERROR names the path."""
    net = network if network is not None else Network()
    try:
        if isinstance(model, (bytes, bytearray, memoryview)):
            data = bytes(model)
            check(library().mirt_onnx_parse_bytes(net._live(), data, len(data)))
        else:
            check(library().mirt_onnx_parse_file(net._live(), _capi.sv(os.fspath(model))))
    except BaseException:
        if network is None:
            net.close()
        raise
    return net
