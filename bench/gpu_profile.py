"""gpu_profile.py — where the time goes on the GPU: every CUDA kernel of a few runs, seen through
torch.profiler (CUPTI sees mirt's kernels as well as PyTorch's), grouped into categories."""

import os
import time

import torch

CATEGORIES = [
    ("bias add (cuDNN AddTensor)", ("op_generic_tensor_kernel", "addtensor")),
    ("softmax", ("softmax",)),
    ("layer norm", ("layernorm", "layer_norm")),
    ("batch norm", ("batch_norm", "batchnorm", "bn_fw")),
    ("pooling", ("pool",)),
    ("convolution (cuDNN)", ("conv", "fprop", "implicit", "winograd", "cudnn", "xmma_fprop", "precomputed")),
    ("GEMM (cuBLAS/cuBLASLt/CUTLASS)", ("gemm", "nvjet", "cutlass", "cublas", "sgemm", "hgemm", "matmul", "xmma")),
    ("transpose / copy / reformat", ("transpose", "copy", "permute", "expand", "concat", "slice", "gather", "cast", "memcpy", "memset", "reformat")),
    ("elementwise / activation", ("elementwise", "unary", "binary", "relu", "gelu", "erf", "add", "mul", "where", "tanh", "vectorized", "triton_poi")),
    ("reduction", ("reduce", "triton_red", "triton_per")),
]


def categorize(kname):
    k = kname.lower()
    for cat, keys in CATEGORIES:
        if any(s in k for s in keys):
            return cat
    return "other"


def timeline(prof, runs):
    """The device's timeline over the profiled runs: kernel and copy intervals merged into busy
    time, the rest of the span (first start to last end) idle, and the median gap between one
    device event's end and the next one's start (where the next starts later)."""
    from torch.autograd import DeviceType
    spans = sorted((e.time_range.start, e.time_range.end) for e in prof.events() if e.device_type == DeviceType.CUDA)
    if not spans:
        return {}
    busy, gaps = 0.0, []
    start, end = spans[0]
    for s, e in spans[1:]:
        if s > end:
            busy += end - start
            gaps.append(s - end)
            start, end = s, e
        else:
            end = max(end, e)
    busy += end - start
    span = max(e for _, e in spans) - spans[0][0]
    gaps.sort()
    return {"device_span_ms_per_run": round(span / runs / 1e3, 4), "device_busy_ms_per_run": round(busy / runs / 1e3, 4),
            "device_idle_ms_per_run": round((span - busy) / runs / 1e3, 4),
            "median_gap_us": round(gaps[len(gaps) // 2], 2) if gaps else 0.0}


def profile_fn(fn, runs):
    from torch.profiler import ProfilerActivity, profile
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        t0 = time.perf_counter()
        for _ in range(runs):
            fn()
        torch.cuda.synchronize()
        wall = (time.perf_counter() - t0) / runs
    kernels = {}
    for e in prof.key_averages():
        dev = getattr(e, "device_time_total", None)
        if dev is None:
            dev = getattr(e, "cuda_time_total", 0)
        self_dev = getattr(e, "self_device_time_total", None)
        if self_dev is None:
            self_dev = getattr(e, "self_cuda_time_total", dev)
        # kernels and memcpys are the device-side events: their self device time is their time
        if self_dev and getattr(e, "device_type", None) is not None and str(e.device_type).endswith("CUDA"):
            kernels[e.key] = (self_dev / runs / 1e3, e.count / runs)
    # CUDA runtime/driver API calls seen by CUPTI on the host (cudaLaunchKernel, cudaMemcpyAsync,
    # cudaStreamSynchronize, ...): count and host time per run.
    api = {}
    for e in prof.key_averages():
        k = e.key
        if (k.startswith("cuda") or k.startswith("cu")) and not k.startswith(("cudnn", "cublas")) and \
                not str(getattr(e, "device_type", "")).endswith("CUDA"):
            api[k] = {"count": round(e.count / runs, 1),
                      "host_ms": round(getattr(e, "self_cpu_time_total", 0) / runs / 1e3, 4)}
    total = sum(t for t, _ in kernels.values())
    cats = {}
    for k, (t, n) in kernels.items():
        c = categorize(k)
        a = cats.setdefault(c, [0.0, 0.0])
        a[0] += t
        a[1] += n
    top = sorted(kernels.items(), key=lambda kv: -kv[1][0])[:int(os.environ.get("MIRT_PROFILE_TOP", "15"))]  # more: MIRT_PROFILE_TOP=N
    return {"runs": runs, "wall_ms_per_run_under_profiler": round(wall * 1e3, 3),
            "kernel_ms_per_run": round(total, 3),
            "kernels_per_run": round(sum(n for _, n in kernels.values()), 1),
            "categories_ms": {c: {"ms": round(t, 3), "share": round(t / total, 3) if total else 0, "kernels": round(n, 1)}
                              for c, (t, n) in sorted(cats.items(), key=lambda kv: -kv[1][0])},
            "timeline": timeline(prof, runs),
            "cuda_api_per_run": dict(sorted(api.items(), key=lambda kv: -kv[1]["host_ms"])),
            "top_kernels": [{"name": k[:160], "ms": round(t, 4), "count": round(n, 1), "category": categorize(k)}
                            for k, (t, n) in top]}
