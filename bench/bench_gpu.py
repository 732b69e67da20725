#!/usr/bin/env python3
"""mirt's CUDA backend against PyTorch on the same GPU, in the same process and run.

On the GPU machine (python3 with PyTorch, torchvision, transformers, onnx):

    python3 bench/bench_gpu.py --build STAGED_BUILD --out DIR

STAGED_BUILD is a build folder staged by tests/gpu/stage.sh (core/, backends/, parsers/,
device-libs/). The script exports ResNet-50 and BERT-base to ONNX (bench/gpu_models.py), builds a
mirt plan for backend "cuda" per batch size and precision (FP32, TF32, FP16, BF16) through the C ABI (ctypes,
bench/mirt_ctypes.py), binds torch CUDA tensors as mirt's I/O buffers, checks mirt's outputs against
PyTorch FP32, then times mirt and PyTorch variants (eager FP32/TF32/FP16, channels_last,
torch.compile default and reduce-overhead, FP16) and writes DIR/gpu-<gpu>-<date>.json. Work is done
in priority order under a time budget (--budget-s); what does not fit is recorded as skipped.
See bench/GPU.md.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

T_START = time.perf_counter()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, help="staged build folder (tests/gpu/stage.sh)")
    ap.add_argument("--out", default=os.environ.get("OUT", "."), help="folder for the JSON and logs")
    ap.add_argument("--models", default="resnet50,bert_base")
    ap.add_argument("--resnet-batches", default="1,32,128")
    ap.add_argument("--bert-batches", default="1,32")
    ap.add_argument("--skip", default="", help="comma list of: mirt,eager,compile_ro,compile,profile")
    ap.add_argument("--budget-s", type=float, default=480.0, help="stop starting new work after this many seconds")
    ap.add_argument("--target-s", type=float, default=0.6, help="seconds of timed runs per measurement")
    ap.add_argument("--opt-level", type=int, default=3)
    ap.add_argument("--no-cuda-graph", action="store_true",
                    help="skip the mirt_<precision>_graph rows (mirt's enqueue captured once in a CUDA graph, replayed)")
    ap.add_argument("--mirt-precisions", default="fp16,tf32,fp32",
                    help="comma list of fp32, tf32, fp16, bf16: the mirt builds, in this order")
    ap.add_argument("--tag", default="", help="suffix of the result file name")
    return ap.parse_args()


ARGS = parse_args()
# The loader reads LD_LIBRARY_PATH only at start: gpu_env sets it (mirt's libraries, the CUDA
# libraries of PyTorch's nvidia-* wheels, the staged Debian libraries) and starts the script again.
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "gpu"))
import gpu_env  # noqa: E402

gpu_env.restart_with_mirt_env(ARGS.build)

import torch  # noqa: E402

import gpu_models  # noqa: E402
import gpu_profile  # noqa: E402
from mirt_cuda import MirtCuda  # noqa: E402
import mirt_ctypes as M  # noqa: E402

LOG_LINES = []


def log(*parts):
    line = " ".join(str(p) for p in parts)
    print(f"[{time.perf_counter() - T_START:7.1f}s] {line}", flush=True)
    LOG_LINES.append(line)


def elapsed():
    return time.perf_counter() - T_START


def time_left():
    return ARGS.budget_s - elapsed()


# ---------------------------------------------------------------------------------------------
# timing

def measure(fn, stream, batch):
    """Warm-up, then (a) latency: each run synchronized, host clock, median of many; (b) pipelined:
    runs back to back, CUDA events around them, three rounds, median per-run time."""
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    fn()
    torch.cuda.synchronize()
    first = time.perf_counter() - t0
    warm = 3 if first > 0.05 else 10
    t0 = time.perf_counter()
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    est = (time.perf_counter() - t0) / warm
    iters = int(min(300, max(15, ARGS.target_s / max(est, 1e-5))))
    lat, host = [], []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        torch.cuda.synchronize()
        lat.append((time.perf_counter() - t0) * 1e3)
        host.append((t1 - t0) * 1e3)
    rounds = []
    for _ in range(3):
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        e0.record(stream)
        for _ in range(iters):
            fn()
        e1.record(stream)
        e1.synchronize()
        rounds.append(e0.elapsed_time(e1) / iters)
    lat.sort()
    med = statistics.median(lat)
    pipe = statistics.median(rounds)
    return {"median_ms": round(med, 4), "p90_ms": round(lat[int(0.9 * (len(lat) - 1))], 4),
            "min_ms": round(lat[0], 4), "mean_ms": round(statistics.fmean(lat), 4), "iters": iters,
            "first_run_s": round(first, 3), "host_call_ms": round(statistics.median(host), 4),
            "throughput_per_s": round(batch / med * 1e3, 1),
            "pipelined_ms": round(pipe, 4), "pipelined_throughput_per_s": round(batch / pipe * 1e3, 1)}


def captured(runner, stream):
    """A function that replays mirt's enqueue captured into a CUDA graph on `stream`."""
    graph = torch.cuda.CUDAGraph()
    torch.cuda.synchronize()
    with torch.cuda.graph(graph, stream=stream):
        runner.run(stream.cuda_stream)

    def replay():
        with torch.cuda.stream(stream):
            graph.replay()
    replay.graph = graph  # kept alive with the function
    return replay


def graph_row(runner, stream, batch, ref):
    """mirt's enqueue captured into a CUDA graph on `stream` (torch.cuda.graph), then timed as a
    replay: what a user gets from graph capture of a context (launch overhead gone)."""
    try:
        replay = captured(runner, stream)
        for o in runner.outputs.values():
            if o.is_floating_point():
                o.fill_(float("nan"))
        replay()
        stream.synchronize()
        r = {"check": [compare(o, rr) for o, rr in zip(runner.outputs.values(), ref)]}
        r.update(measure(replay, stream, batch))
        return r
    except Exception as e:  # noqa: BLE001
        return {"error": traceback.format_exc()[-2000:]}


def replay_row(runner, stream, batch, ref):
    """mirt's own graph replay (mirt_context_set_graph_replay) on the runner's context: what a user
    gets from one call, capturing nothing themselves (the first run is plain, the second recorded)."""
    L = runner.lib.lib
    try:
        runner.lib.check(L.mirt_context_set_graph_replay(runner.ctx, 1), "turning graph replay on")
        for o in runner.outputs.values():
            if o.is_floating_point():
                o.fill_(float("nan"))
        for _ in range(3):
            runner.run(stream.cuda_stream)
        stream.synchronize()
        r = {"check": [compare(o, rr) for o, rr in zip(runner.outputs.values(), ref)]}
        r.update(measure(lambda: runner.run(stream.cuda_stream), stream, batch))
        return r
    except Exception:  # noqa: BLE001
        return {"error": traceback.format_exc()[-2000:]}
    finally:
        L.mirt_context_set_graph_replay(runner.ctx, 0)


def compare(out, ref):
    """Max |out - ref| over max |ref| (the relative error quoted), ‖out - ref‖ / ‖ref‖, and whether
    every element is finite."""
    o, r = out.detach().double(), ref.detach().double()
    finite = bool(torch.isfinite(o).all())
    d = (o - r).abs()
    return {"max_rel": float(d.max() / r.abs().max().clamp_min(1e-30)), "l2_rel": float(d.norm() / r.norm().clamp_min(1e-30)),
            "max_abs": float(d.max()), "ref_max_abs": float(r.abs().max()), "all_finite": finite}


def outputs_tuple(y):
    return tuple(y) if isinstance(y, (tuple, list)) else (y,)


# ---------------------------------------------------------------------------------------------
# PyTorch variants

def set_tf32(on):
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on


def torch_variants(name):
    """name -> (precision, description). Order is the order of priority."""
    v = {"eager_fp32": "eager, FP32 (TF32 off for matmul and cuDNN)",
         "eager_tf32": "eager, FP32 with TF32 on for matmul and cuDNN",
         "eager_fp16": "eager, .half()"}
    if name == "resnet50":
        v["eager_fp16_cl"] = "eager, .half(), channels_last"
    v["compile_ro_fp16"] = "torch.compile(mode='reduce-overhead', dynamic=False), .half()" + (", channels_last" if name == "resnet50" else "")
    v["compile_fp16"] = "torch.compile(dynamic=False), .half()" + (", channels_last" if name == "resnet50" else "")
    return v


class TorchModel:
    def __init__(self, name):
        self.name = name
        self.fp32 = gpu_models.MODELS[name]["make"]().cuda().eval()
        self.fp16 = gpu_models.MODELS[name]["make"]().cuda().half().eval()
        self.fp16_cl = self.fp16.to(memory_format=torch.channels_last) if name == "resnet50" else None
        self.compiled = {}

    def inputs_for(self, variant, inputs):
        if self.name != "resnet50":
            return inputs
        x = inputs["input"]
        if "fp16" in variant:
            x = x.half()
            if variant.endswith("_cl") or variant.startswith("compile"):
                x = x.contiguous(memory_format=torch.channels_last)
        return {"input": x}

    def module_for(self, variant):
        if variant in ("eager_fp32", "eager_tf32"):
            return self.fp32
        if variant == "eager_fp16":
            return self.fp16
        if variant == "eager_fp16_cl":
            return self.fp16_cl
        if variant not in self.compiled:
            base = self.fp16_cl if self.name == "resnet50" else self.fp16
            mode = "reduce-overhead" if variant == "compile_ro_fp16" else None
            self.compiled[variant] = torch.compile(base, mode=mode, dynamic=False)
        return self.compiled[variant]

    def fn_for(self, variant, inputs):
        set_tf32(variant == "eager_tf32")
        mod = self.module_for(variant)
        x = self.inputs_for(variant, inputs)
        args = [x[k] for k in gpu_models.MODELS[self.name]["input_names"]]
        ro = variant == "compile_ro_fp16"

        def fn():
            if ro:
                torch.compiler.cudagraph_mark_step_begin()
            return mod(*args)
        return fn


# ---------------------------------------------------------------------------------------------

def environment(build):
    env = {"python": sys.version.split()[0], "torch": torch.__version__, "torch_cuda": torch.version.cuda,
           "cudnn_in_torch": torch.backends.cudnn.version(), "gpu": torch.cuda.get_device_name(0)}
    try:
        q = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit",
                            "--format=csv,noheader"], capture_output=True, text=True, timeout=20).stdout.strip()
        env["nvidia_smi"] = q
        env["driver"] = q.split(",")[1].strip() if q else None
    except Exception as e:  # noqa: BLE001
        env["nvidia_smi_error"] = str(e)
    for mod in ("torchvision", "transformers", "onnx"):
        try:
            env[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001
            env[mod] = None
    info = os.path.join(build, "BUILD_INFO.txt")
    if os.path.exists(info):
        env["mirt_build"] = open(info).read().strip()
    return env


def loaded_libs():
    found = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if any(s in p for s in ("libcudnn.so", "libcudnn_", "libcublasLt", "libcudart", "libmirt")):
                found.add(p)
    return sorted(found)


def main():
    out = os.path.abspath(ARGS.out)
    os.makedirs(out, exist_ok=True)
    skip = set(s for s in ARGS.skip.split(",") if s)
    build = os.path.abspath(ARGS.build)
    torch.backends.cudnn.benchmark = True
    torch.cuda.init()
    res = {"kind": "bench_gpu", "date": datetime.date.today().isoformat(), "env": environment(build),
           "method": {
               "latency": "median of N runs, each followed by torch.cuda.synchronize(), host clock (perf_counter); N fills ~target_s",
               "pipelined": "N runs back to back between two CUDA events on the run's stream, median of 3 rounds",
               "throughput_per_s": "batch / median latency; pipelined_throughput_per_s: batch / pipelined time",
               "ratio": "mirt time / PyTorch time (above 1: mirt is slower)",
               "mirt": "ONNX (opset 17) parsed and built for backend 'cuda' at the benchmarked shape (profile min=opt=max), "
                       "optimization level %d, precision flags 0 (FP32), MIRT_PRECISION_FLAG_TF32, _FP16 or _BF16 (mixed: "
                       "FP32 I/O and FP32 softmax/normalization/reductions); I/O bound to torch CUDA "
                       "tensors once; timed call: mirt_context_enqueue on a torch-created stream" % ARGS.opt_level,
               "torch": "cudnn.benchmark=True; eager FP32 with TF32 off, eager TF32, eager .half(), channels_last (ResNet), "
                        "torch.compile default / reduce-overhead with dynamic=False on the FP16 model; torch.no_grad()",
               "check": "outputs vs PyTorch eager FP32 (TF32 off) on the same inputs: max|d|/max|ref| and L2 relative; mirt's "
                        "outputs are filled with NaN before the run",
               "target_s": ARGS.target_s, "budget_s": ARGS.budget_s},
           "models": {}, "skipped": [], "errors": []}
    result_path = os.path.join(out, f"gpu-{ARGS.tag or 'run'}.json")

    def save():
        res["elapsed_s"] = round(elapsed(), 1)
        with open(result_path, "w") as f:
            json.dump(res, f, indent=1)

    log("env:", json.dumps(res["env"]))
    lib = None
    if "mirt" not in skip:
        try:
            lib = M.Library(os.path.join(build, "core", "libmirt.so"))
            res["env"]["mirt_version"] = lib.version
            log("mirt", lib.version)
        except Exception as e:  # noqa: BLE001
            res["errors"].append(f"loading libmirt: {e}")
            log("ERROR loading libmirt:", e)
    tmp = tempfile.mkdtemp(prefix="mirt-gpubench-")
    models = [m for m in ARGS.models.split(",") if m]
    batches = {"resnet50": [int(b) for b in ARGS.resnet_batches.split(",") if b],
               "bert_base": [int(b) for b in ARGS.bert_batches.split(",") if b]}
    tm = {}
    kept_runners = {}  # (model, batch) -> MirtCuda TF32, profiled in phase 2
    mirt_stream = torch.cuda.Stream()
    torch_stream = torch.cuda.current_stream()

    # Phase 1: export, mirt FP32/TF32 (check + time), PyTorch eager variants.
    for name in models:
        mres = res["models"].setdefault(name, {"batches": {}})
        try:
            path, info = gpu_models.export_onnx(name, tmp, log=log)
            mres["onnx"] = info
            log(f"exported {name}: {info.get('exporter')} {info['export_s']} s, {info['bytes'] / 1e6:.1f} MB, ops {info.get('ops')}")
        except Exception as e:  # noqa: BLE001
            path = None
            mres["onnx_error"] = traceback.format_exc()[-2000:]
            log(f"ERROR exporting {name}:", e)
        tm[name] = TorchModel(name)
        mres["torch_variants"] = torch_variants(name)
        save()
        for bs in batches[name]:
            b = mres["batches"].setdefault(str(bs), {"torch": {}, "mirt": {}})
            inputs = gpu_models.MODELS[name]["inputs"](bs)
            with torch.no_grad():
                set_tf32(False)
                ref = outputs_tuple(tm[name].fp32(*[inputs[k] for k in gpu_models.MODELS[name]["input_names"]]))
                ref = tuple(r.detach().clone() for r in ref)
            # mirt
            precision_flags = {"fp32": 0, "tf32": 1, "fp16": 2, "bf16": 4}
            for prec in [p for p in ARGS.mirt_precisions.split(",") if p]:
                flags = precision_flags[prec]
                if lib is None or path is None:
                    break
                if time_left() < 30:
                    res["skipped"].append(f"mirt {name} bs{bs} {prec}: time")
                    continue
                key = f"mirt_{prec}"
                r = {}
                runner = None
                try:
                    shapes = {k: tuple(v.shape) for k, v in inputs.items()}
                    runner = MirtCuda(lib, path, shapes, precision_flags=flags, opt_level=ARGS.opt_level)
                    r.update({k: round(v, 3) for k, v in runner.times.items()})
                    runner.set_inputs(inputs)
                    for o in runner.outputs.values():
                        if o.is_floating_point():
                            o.fill_(float("nan"))
                    torch.cuda.synchronize()
                    runner.run(mirt_stream.cuda_stream)
                    mirt_stream.synchronize()
                    outs = list(runner.outputs.values())
                    r["check"] = [compare(o, rr) for o, rr in zip(outs, ref)]
                    log(f"{name} bs{bs} {key}: build {r['build_s']} s, check {[round(c['max_rel'], 7) for c in r['check']]}")
                    r.update(measure(lambda: runner.run(mirt_stream.cuda_stream), mirt_stream, bs))
                    log(f"{name} bs{bs} {key}: median {r['median_ms']} ms, pipelined {r['pipelined_ms']} ms")
                    if not ARGS.no_cuda_graph:
                        b["mirt"][key + "_graph"] = graph_row(runner, mirt_stream, bs, ref)
                        log(f"{name} bs{bs} {key}_graph: {b['mirt'][key + '_graph']}")
                        b["mirt"][key + "_replay"] = replay_row(runner, mirt_stream, bs, ref)
                        log(f"{name} bs{bs} {key}_replay: {b['mirt'][key + '_replay']}")
                    if "profile" not in skip and not (name == "resnet50" and bs == 32):
                        kept_runners[(name, bs, prec)] = runner
                        runner = None
                except Exception as e:  # noqa: BLE001
                    r["error"] = str(e)[-3000:]
                    log(f"ERROR {name} bs{bs} {key}:", str(e)[-1500:])
                finally:
                    if runner is not None:
                        runner.close()
                b["mirt"][key] = r
                save()
            # PyTorch eager
            for variant in [v for v in torch_variants(name) if v.startswith("eager")]:
                if "eager" in skip:
                    break
                if time_left() < 20:
                    res["skipped"].append(f"torch {name} bs{bs} {variant}: time")
                    continue
                try:
                    with torch.no_grad():
                        fn = tm[name].fn_for(variant, inputs)
                        outs = outputs_tuple(fn())
                        r = {"check": [compare(o.float(), rr) for o, rr in zip(outs, ref)]}
                        r.update(measure(fn, torch_stream, bs))
                    log(f"{name} bs{bs} {variant}: median {r['median_ms']} ms, pipelined {r['pipelined_ms']} ms")
                except Exception as e:  # noqa: BLE001
                    r = {"error": str(e)[-2000:]}
                    log(f"ERROR {name} bs{bs} {variant}:", e)
                b["torch"][variant] = r
                save()
            del ref

    # Phase 2: where the time goes (kernel profile of mirt TF32 and PyTorch eager TF32 / best FP16).
    if "profile" not in skip:
        for (name, bs) in sorted(set((n, b) for n, b, _ in kept_runners)):
            if time_left() < 25:
                res["skipped"].append(f"profile {name} bs{bs}: time")
                continue
            b = res["models"][name]["batches"][str(bs)]
            runs = 5 if (name == "resnet50" and bs >= 64) else 20
            prof = {}
            try:
                for prec in ("fp16", "bf16", "tf32", "fp32"):
                    runner = kept_runners.get((name, bs, prec))
                    if runner is not None:
                        prof["mirt_" + prec] = gpu_profile.profile_fn(lambda: runner.run(mirt_stream.cuda_stream), runs)
                        if not ARGS.no_cuda_graph:  # the same kernels replayed from a graph: the gaps between them
                            prof["mirt_" + prec + "_graph"] = gpu_profile.profile_fn(captured(runner, mirt_stream), runs)
                inputs = gpu_models.MODELS[name]["inputs"](bs)
                with torch.no_grad():
                    for variant in ("eager_tf32", "eager_fp16_cl" if name == "resnet50" else "eager_fp16"):
                        prof["torch_" + variant] = gpu_profile.profile_fn(tm[name].fn_for(variant, inputs), runs)
                for k, v in prof.items():
                    log(f"profile {name} bs{bs} {k}: kernels {v['kernel_ms_per_run']} ms/run in {v['kernels_per_run']} kernels, "
                        f"wall {v['wall_ms_per_run_under_profiler']} ms; timeline {v['timeline']}; " +
                        ", ".join(f"{c} {x['ms']}" for c, x in v['categories_ms'].items()))
                    log("  CUDA API per run: " + ", ".join(f"{a} x{x['count']} {x['host_ms']} ms"
                                                         for a, x in list(v['cuda_api_per_run'].items())[:8]))
            except Exception as e:  # noqa: BLE001
                prof["error"] = traceback.format_exc()[-2000:]
                log(f"ERROR profile {name} bs{bs}:", e)
            b["profile"] = prof
            save()
    for runner in kept_runners.values():
        runner.close()
    kept_runners.clear()

    # Phase 3: torch.compile, reduce-overhead first (usually the best), then default.
    for variant in ("compile_ro_fp16", "compile_fp16"):
        tag = "compile_ro" if variant == "compile_ro_fp16" else "compile"
        for name in models:
            for bs in batches[name]:
                b = res["models"][name]["batches"][str(bs)]
                if tag in skip:
                    continue
                if time_left() < 45:
                    res["skipped"].append(f"torch {name} bs{bs} {variant}: time")
                    continue
                inputs = gpu_models.MODELS[name]["inputs"](bs)
                try:
                    with torch.no_grad():
                        fn = tm[name].fn_for(variant, inputs)
                        t0 = time.perf_counter()
                        outs = outputs_tuple(fn())
                        torch.cuda.synchronize()
                        compile_s = time.perf_counter() - t0
                        set_tf32(False)
                        ref = outputs_tuple(tm[name].fp32(*[inputs[k] for k in gpu_models.MODELS[name]["input_names"]]))
                        r = {"compile_s": round(compile_s, 2), "check": [compare(o.float(), rr) for o, rr in zip(outs, ref)]}
                        del outs, ref
                        r.update(measure(fn, torch_stream, bs))
                    log(f"{name} bs{bs} {variant}: compile {r['compile_s']} s, median {r['median_ms']} ms, pipelined {r['pipelined_ms']} ms")
                except Exception as e:  # noqa: BLE001
                    r = {"error": traceback.format_exc()[-2000:]}
                    log(f"ERROR {name} bs{bs} {variant}:", e)
                b["torch"][variant] = r
                save()

    # Ratios: mirt / best PyTorch (any variant) and mirt / PyTorch at the same precision.
    for name, mres in res["models"].items():
        for bs, b in mres["batches"].items():
            tv = {k: v for k, v in b["torch"].items() if "median_ms" in v}
            if not tv:
                continue
            best = min(tv, key=lambda k: tv[k]["median_ms"])
            best_p = min(tv, key=lambda k: tv[k]["pipelined_ms"])
            b["best_torch"] = {"latency": best, "median_ms": tv[best]["median_ms"],
                               "pipelined": best_p, "pipelined_ms": tv[best_p]["pipelined_ms"]}
            ratios = {}
            pairs = [(k + suffix, same) for k, same in (("mirt_fp32", "eager_fp32"), ("mirt_tf32", "eager_tf32"),
                                                        ("mirt_fp16", "eager_fp16"), ("mirt_bf16", "eager_fp16"))
                     for suffix in ("", "_graph", "_replay")]
            for key, same in pairs:
                m = b["mirt"].get(key, {})
                if "median_ms" not in m:
                    continue
                ratios[key] = {"vs_best_latency": round(m["median_ms"] / tv[best]["median_ms"], 2),
                               "vs_best_pipelined": round(m["pipelined_ms"] / tv[best_p]["pipelined_ms"], 2)}
                if same in tv:
                    ratios[key]["vs_" + same] = round(m["median_ms"] / tv[same]["median_ms"], 2)
            b["ratios"] = ratios
    res["loaded_libs"] = loaded_libs()
    save()
    print_table(res)
    log("wrote", result_path)


def print_table(res):
    print("\nmodel      bs | variant            median ms  p90 ms  pipelined ms  per s (pipelined) | check max_rel")
    for name, mres in res["models"].items():
        for bs, b in mres["batches"].items():
            rows = [(k, v) for k, v in b.get("mirt", {}).items()] + [(k, v) for k, v in b.get("torch", {}).items()]
            for k, v in rows:
                if "median_ms" in v:
                    chk = ",".join(f"{c['max_rel']:.1e}" for c in v.get("check", []))
                    print(f"{name:10s} {bs:>3s} | {k:18s} {v['median_ms']:9.3f} {v['p90_ms']:7.3f} {v['pipelined_ms']:12.3f}"
                          f"  {v['pipelined_throughput_per_s']:16.1f} | {chk}")
                else:
                    print(f"{name:10s} {bs:>3s} | {k:18s} ERROR {str(v.get('error', ''))[-200:]}")
            if b.get("best_torch"):
                print(f"{name:10s} {bs:>3s} | best torch: {b['best_torch']}; ratios mirt/torch: {b.get('ratios')}")
    if res["skipped"]:
        print("skipped:", res["skipped"])
    print_targets(res)


def print_targets(res):
    """Issue 5's table: mirt's fastest row against the best PyTorch variant, as a speed-up
    (PyTorch time / mirt time; the target is at least 1.3 at every point), by latency and pipelined."""
    print("\nmodel      bs | mirt best (latency)        ms | torch best (latency)      ms | speed-up | pipelined: mirt ms / torch ms speed-up | 1.3x")
    for name, mres in res["models"].items():
        for bs, b in mres["batches"].items():
            mv = {k: v for k, v in b.get("mirt", {}).items() if "median_ms" in v}
            tv = {k: v for k, v in b.get("torch", {}).items() if "median_ms" in v}
            if not mv or not tv:
                print(f"{name:10s} {bs:>3s} | incomplete (mirt rows {len(mv)}, torch rows {len(tv)})")
                continue
            m, t = min(mv, key=lambda k: mv[k]["median_ms"]), min(tv, key=lambda k: tv[k]["median_ms"])
            mp, tp = min(mv, key=lambda k: mv[k]["pipelined_ms"]), min(tv, key=lambda k: tv[k]["pipelined_ms"])
            up = tv[t]["median_ms"] / mv[m]["median_ms"]
            upp = tv[tp]["pipelined_ms"] / mv[mp]["pipelined_ms"]
            print(f"{name:10s} {bs:>3s} | {m:18s} {mv[m]['median_ms']:8.3f} | {t:16s} {tv[t]['median_ms']:8.3f} | {up:7.2f}x | "
                  f"{mv[mp]['pipelined_ms']:8.3f} / {tv[tp]['pipelined_ms']:8.3f} {upp:6.2f}x | "
                  f"{'met' if min(up, upp) >= 1.3 else 'not met'}")


if __name__ == "__main__":
    main()
