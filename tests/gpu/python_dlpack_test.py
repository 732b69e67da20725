#!/usr/bin/env python3
"""tests/gpu/python_dlpack_test.py BUILD — the Python package (python/) on the cuda backend with torch
CUDA tensors passed through DLPack, against torch's own result on the same small CNN.

Checks: the engine's I/O lives in device memory; Context.run() with torch CUDA tensors on a torch
stream writes into the given output tensor (no copy: the same tensor object, its memory changed) and
allocates missing outputs as torch CUDA tensors; results equal torch FP32 (TF32 off) by relative
error at batch 1, 3 and 8 of one dynamic profile; numpy arrays on the same engine (staged through
device buffers) give the same results; bad input is refused naming the tensor: a torch CPU tensor on
the cuda engine, a CUDA tensor on a cpu engine, a non-contiguous CUDA tensor, a float64 tensor.
Prints one line per check and "N passed, N failed"; exit status 0 when all passed.

BUILD is a build folder or a staged one (tests/gpu/stage.sh). Run from the repository root;
tests/gpu/run.sh runs it. The script sets its library paths and restarts itself (tests/gpu/gpu_env.py).
"""
import os
import sys
import traceback

from gpu_env import ROOT, restart_with_mirt_env

if len(sys.argv) != 2:
    sys.exit("usage: tests/gpu/python_dlpack_test.py BUILD")
BUILD = os.path.abspath(sys.argv[1])
restart_with_mirt_env(BUILD)
sys.path.insert(0, os.path.join(ROOT, "python"))

try:
    import numpy as np
    import torch
    import torch.nn.functional as F

    import mirt
except Exception:  # counted as a failure with the reason, not a bare traceback
    print(f"FAIL imports (numpy, torch, mirt from {ROOT}/python)\n{traceback.format_exc()}")
    print("0 passed, 1 failed")
    sys.exit(1)

RESULTS = {"passed": 0, "failed": 0}


def check(name, fn):
    try:
        fn()
        RESULTS["passed"] += 1
        print(f"PASS {name}", flush=True)
    except BaseException:  # every check runs; the summary counts failures
        RESULTS["failed"] += 1
        print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)


def expect_error(cls, needles, fn):
    try:
        fn()
    except cls as e:
        missing = [n for n in needles if n not in str(e)]
        assert not missing, f"message {str(e)!r} lacks {missing}"
        print(f"    refused: {e}")
        return
    raise AssertionError(f"no {cls.__name__} raised")


# ---- The model: Conv(3->8, 3x3, pad 1) + bias -> Relu -> GlobalAveragePool -> Flatten -> Gemm(8->10) -> Softmax

gen = torch.Generator().manual_seed(7)
W1 = torch.randn(8, 3, 3, 3, generator=gen) * 0.3
B1 = torch.randn(8, generator=gen) * 0.1
W2 = torch.randn(10, 8, generator=gen) * 0.5
B2 = torch.randn(10, generator=gen) * 0.1


def network():
    net = mirt.Network("python_dlpack_cnn")
    x = net.add_input("x", "float32", ("batch", 3, 16, 16))
    conv = net.add_layer("Conv", [x, net.add_constant("w1", W1.numpy()), net.add_constant("b1", B1.numpy())],
                         {"pads": [1, 1, 1, 1], "kernel_shape": [3, 3]}, name="conv")
    act = net.add_layer("Relu", [conv], name="act")
    pooled = net.add_layer("GlobalAveragePool", [act], name="pool")
    flat = net.add_layer("Flatten", [pooled], {"axis": 1}, name="flat")
    logits = net.add_layer("Gemm", [flat, net.add_constant("w2", W2.numpy()), net.add_constant("b2", B2.numpy())],
                           {"transB": 1}, name="logits")
    net.mark_output(net.add_layer("Softmax", [logits], {"axis": 1}, name="probs"))
    return net


def torch_reference(x):
    with torch.no_grad():
        h = F.relu(F.conv2d(x, W1.to(x.device), B1.to(x.device), padding=1))
        h = h.mean(dim=(2, 3))
        return torch.softmax(F.linear(h, W2.to(x.device), B2.to(x.device)), dim=1)


def assert_close(actual, expected, rtol=2e-4):
    a = torch.as_tensor(actual).double().cpu()
    e = expected.double().cpu()
    assert a.shape == e.shape, f"shape {tuple(a.shape)}, expected {tuple(e.shape)}"
    err = ((a - e).abs().max() / e.abs().max()).item()
    assert err <= rtol, f"relative error {err:.3g} > {rtol}"
    print(f"    relative error {err:.2e}")


def build(backend):
    profile = {"x": ((1, 3, 16, 16), (4, 3, 16, 16), (8, 3, 16, 16))}
    with network() as net, mirt.BuilderConfig(backend=backend, optimization_level=0, profiles=[profile]) as config:
        with mirt.build(net, config) as plan:
            return mirt.Engine(plan)


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}; mirt {mirt.version()} from {mirt.library_path()}")
    engine = build("cuda")
    ctx = engine.create_context()
    stream = torch.cuda.Stream()

    def io_on_device():
        assert engine.backend == "cuda"
        assert all(t.location is mirt.TensorLocation.DEVICE for t in engine.io_tensors), engine.io_tensors

    def into_given_outputs():
        for batch in (1, 3, 8):
            with torch.cuda.stream(stream):
                x = torch.randn(batch, 3, 16, 16, device="cuda")
                out = torch.full((batch, 10), float("nan"), device="cuda")
                result = ctx.run({"x": x}, outputs={"probs": out}, stream=stream)
            assert result["probs"] is out
            stream.synchronize()
            assert_close(out, torch_reference(x))

    def allocated_outputs():
        x = torch.randn(5, 3, 16, 16, device="cuda")
        result = ctx.run({"x": x})  # default stream
        probs = result["probs"]
        assert isinstance(probs, torch.Tensor) and probs.is_cuda and probs.shape == (5, 10), probs
        torch.cuda.synchronize()
        assert_close(probs, torch_reference(x))
        with torch.cuda.stream(stream):
            x = torch.randn(6, 3, 16, 16, device="cuda")
        probs = ctx.run({"x": x}, stream=stream.cuda_stream)["probs"]  # an int cudaStream_t
        stream.synchronize()
        assert_close(probs, torch_reference(x))

    def numpy_staged():
        x = np.random.default_rng(3).standard_normal((2, 3, 16, 16)).astype(np.float32)
        probs = ctx.run({"x": x})["probs"]
        assert isinstance(probs, np.ndarray)
        assert_close(probs, torch_reference(torch.from_numpy(x)))

    def cpu_tensor_refused():
        out = torch.empty(2, 10, device="cuda")
        expect_error(mirt.InvalidArgumentError, ["input 'x'", "CPU", "cuda"],
                     lambda: ctx.run({"x": torch.randn(2, 3, 16, 16)}, outputs={"probs": out}))

    def noncontiguous_refused():
        x = torch.randn(2, 3, 16, 32, device="cuda")[..., ::2]
        expect_error(mirt.InvalidArgumentError, ["input 'x'", "strides", "row-major"], lambda: ctx.run({"x": x}))

    def wrong_dtype_refused():
        x = torch.randn(2, 3, 16, 16, device="cuda", dtype=torch.float64)
        expect_error(mirt.InvalidArgumentError, ["input 'x'", "float64", "expected float32"], lambda: ctx.run({"x": x}))

    def cuda_tensor_on_cpu_engine_refused():
        with build("cpu") as cpu_engine, cpu_engine.create_context() as cpu_ctx:
            x = torch.randn(2, 3, 16, 16, device="cuda")
            expect_error(mirt.InvalidArgumentError, ["input 'x'", "CUDA:0", "'cpu'"], lambda: cpu_ctx.run({"x": x}))
            assert_close(cpu_ctx.run({"x": x.cpu()})["probs"], torch_reference(x))

    def graph_replay():
        # Fixed buffers, new data each run: a plain run, a recorded one, then graph launches.
        with engine.create_context() as replayed, torch.cuda.stream(stream):
            replayed.set_graph_replay(True)
            x = torch.empty(4, 3, 16, 16, device="cuda")
            out = torch.empty(4, 10, device="cuda")
            for run in range(4):
                x.copy_(torch.randn(4, 3, 16, 16, device="cuda"))
                out.fill_(float("nan"))
                replayed.run({"x": x}, outputs={"probs": out}, stream=stream)
                stream.synchronize()
                assert_close(out, torch_reference(x))

    for name, fn in [("engine I/O in device memory", io_on_device),
                     ("graph replay: four runs on fixed buffers with new data", graph_replay),
                     ("torch CUDA tensors on a stream, into given outputs, batch 1/3/8", into_given_outputs),
                     ("outputs allocated as torch CUDA tensors", allocated_outputs),
                     ("numpy arrays staged through device buffers", numpy_staged),
                     ("a torch CPU tensor on the cuda engine is refused", cpu_tensor_refused),
                     ("a non-contiguous CUDA tensor is refused", noncontiguous_refused),
                     ("a float64 CUDA tensor is refused", wrong_dtype_refused),
                     ("a CUDA tensor on a cpu engine is refused", cuda_tensor_on_cpu_engine_refused)]:
        check(name, fn)
    ctx.close()
    engine.close()


try:
    main()
except BaseException:  # set-up failed: counted, not a traceback alone
    RESULTS["failed"] += 1
    print(f"FAIL set-up\n{traceback.format_exc()}", flush=True)
print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
sys.exit(0 if RESULTS["failed"] == 0 else 1)
