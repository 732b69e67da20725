"""pytest set-up for the Python package tests: the package from python/ of this source tree and the
library of the meson build folder (MIRT_LIBRARY or MIRT_BUILD_DIR when set; else <repo>/build)."""
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

import mirt  # noqa: E402


def build_dir() -> str:
    """The meson build folder holding the loaded libmirt (for the CLI and tiny C programs)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(mirt.library_path())))


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


def build_cpu(net: "mirt.Network", profiles=(), **options) -> "mirt.Plan":
    """net built for the cpu backend (optimization level 0 unless given: fast)."""
    options.setdefault("optimization_level", 0)
    with mirt.BuilderConfig(backend="cpu", profiles=profiles, **options) as config:
        return mirt.build(net, config)


def gemm_network(rng, batch_dim="batch", n_in=4, n_out=3):
    """x [batch, n_in] -> Gemm(W [n_out, n_in], b; transB=1, alpha=0.5) -> fc -> Relu -> act (output);
    returns the network and a float64 reference function."""
    w = rng.uniform(-1, 1, (n_out, n_in)).astype(np.float32)
    b = rng.uniform(-1, 1, (n_out,)).astype(np.float32)
    net = mirt.Network("gemm_relu")
    x = net.add_input("x", "float32", (batch_dim, n_in))
    fc = net.add_layer("Gemm", [x, net.add_constant("W", w), net.add_constant("b", b)],
                       {"transB": 1, "alpha": 0.5}, name="fc")
    act = net.add_layer("Relu", [fc], name="act")
    net.mark_output(act)

    def reference(xv):
        return np.maximum(0.5 * (xv.astype(np.float64) @ w.astype(np.float64).T) + b, 0.0)
    return net, reference


def assert_close(actual, expected, rtol=1e-5, atol=1e-6):
    """Relative error against a float64 reference."""
    actual = np.asarray(actual, dtype=np.float64)
    assert actual.shape == expected.shape
    err = np.max(np.abs(actual - expected) / (np.abs(expected) + atol / rtol)) if actual.size else 0.0
    assert err <= rtol, f"max relative error {err:.3g} > {rtol:.3g}"
