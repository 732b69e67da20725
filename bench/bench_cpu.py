#!/usr/bin/env python3
"""Times mirt's cpu backend against ONNX Runtime (CPU) on the same models, inputs and thread count,
in the same process and run, and reports mirt/ORT latency ratios (DESIGN.md §9). bench/README.md
explains the method.

    python3 bench/bench_cpu.py --build build-bench [--runs 50] [--quick] [--no-resnet]

Writes bench/results/cpu-<host>-<date>.json (host is 'ci' when $CI is set; --name overrides).
"""
import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    return [x for x in ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile") if x in flags]
    except OSError:
        pass
    return []


def onednn_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libdnnl2"], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.strip() + " (Debian libdnnl2, OpenMP/libgomp runtime)"
    except OSError:
        pass
    return "unknown"


def manifest_environment(build):
    """The environment the cpu module's manifest gives its users (the registry sets it before loading)."""
    try:
        with open(os.path.join(build, "backends", "cpu", "mirt_backend_cpu.mirt-module.json")) as f:
            return json.load(f).get("environment", {})
    except (OSError, ValueError):
        return {}


def git_commit():
    out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "core", "backends", "abi", "parsers"],
                           capture_output=True, text=True).stdout.strip()
    return out.stdout.strip() + ("+dirty" if dirty else "") if out.returncode == 0 else "unknown"


def stats(ms):
    s = sorted(ms)
    n = len(s)
    pct = lambda p: s[min(n - 1, max(0, -(-p * n // 100) - 1))]  # nearest rank
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {"runs": n, "median_ms": med, "p90_ms": pct(90), "mean_ms": sum(s) / n, "min_ms": s[0], "max_ms": s[-1]}


def image(shape):
    return {"input": np.random.default_rng(7).uniform(-1, 1, size=shape).astype(np.float32)}


def bert_feeds(batch, seq):
    rng = np.random.default_rng(7)
    return {"hidden_states": rng.uniform(-1, 1, size=(batch, seq, 768)).astype(np.float32),
            "attention_mask": np.ones((batch, seq), np.int64)}


def models(args, cache):
    """(title, model file, {input name: array}) for each benchmarked point."""
    cnn = os.path.join(ROOT, "samples", "sample_cnn.onnx")
    tfm = os.path.join(ROOT, "samples", "sample_transformer_block.onnx")
    out = [
        ("sample_cnn b1", cnn, image([1, 3, 32, 32])),
        ("sample_cnn b16", cnn, image([16, 3, 32, 32])),
        ("transformer_block b1 s64", tfm, {"x": np.random.default_rng(7).uniform(-1, 1, (1, 64, 64)).astype(np.float32)}),
        ("transformer_block b4 s128", tfm, {"x": np.random.default_rng(7).uniform(-1, 1, (4, 128, 64)).astype(np.float32)}),
    ]

    def generated(file, script, *args):
        """cache/file, written by `script [args[0]] PATH [args[1:]]` when missing."""
        path = os.path.join(cache, file)
        if not os.path.exists(path):
            print(f"generating {path} ...", flush=True)
            subprocess.run([sys.executable, os.path.join(HERE, script), *args[:1], path, *args[1:]], check=True)
        return path

    if not args.no_resnet:
        out.append(("resnet18_like b1 224", generated("resnet18_like.onnx", "make_resnet18.py"), image([1, 3, 224, 224])))
    if not args.no_zoo:  # bench/model_zoo.py: the models (random weights, fixed seeds)
        out.append(("resnet50 b1 224", generated("resnet50.onnx", "model_zoo.py", "resnet50"), image([1, 3, 224, 224])))
        out.append(("mobilenetv2 b1 224", generated("mobilenetv2.onnx", "model_zoo.py", "mobilenetv2"),
                    image([1, 3, 224, 224])))
        out.append(("bert_base 12 layers b1 s128", generated("bert_12l.onnx", "model_zoo.py", "bert", "--layers", "12"),
                    bert_feeds(1, 128)))
    return [m for m in out if not args.only or any(k in m[0] for k in args.only)]


def time_block(fn, n, out):
    clock = time.perf_counter_ns
    for _ in range(n):
        t0 = clock()
        fn()
        out.append((clock() - t0) / 1e6)


def cli_times(mirt_cli, env, model, feeds, runs, workdir):
    """mirt exec's own per-run times (--exportTimes), a cross-check of the ctypes numbers (separate process)."""
    times = os.path.join(workdir, "times.json")
    cmd = [mirt_cli, "exec", "--onnx", model, "--backend", "cpu", "--shapes",
           ",".join(f"{n}:" + "x".join(map(str, a.shape)) for n, a in feeds.items()), "--warmUp", "500", "--iterations", str(runs),
           "--duration", "0", "--exportTimes", times]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    crashed = proc.returncode != 0 and "&&&& PASSED" in proc.stdout and os.path.exists(times)
    if proc.returncode != 0 and not crashed:
        return {"error": f"exit {proc.returncode}: " + proc.stdout[-1500:] + proc.stderr[-1500:]}
    with open(times) as f:
        s = stats([r["latencyMs"] for r in json.load(f)])
    if crashed:  # the exit-time crash of bench/README.md "Known problems"; the times are complete
        s["crashed_at_exit"] = proc.returncode
    os.remove(times)
    return s


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build-bench"), help="meson build folder of mirt")
    p.add_argument("--runs", type=int, default=60, help="timed runs per engine and model (split in rounds)")
    p.add_argument("--rounds", type=int, default=6, help="interleaved mirt/ORT rounds the runs are split into")
    p.add_argument("--warmup", type=int, default=10, help="untimed runs per engine before timing (and 2 per round)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for both (default: all cores)")
    p.add_argument("--no-resnet", action="store_true", help="skip the generated ResNet-18-like model")
    p.add_argument("--no-zoo", action="store_true", help="skip ResNet-50, MobileNetV2 and BERT-base (bench/model_zoo.py)")
    p.add_argument("--only", nargs="+", metavar="TEXT", help="only the models whose title contains one of these")
    p.add_argument("--no-cli", action="store_true", help="skip the `mirt exec --exportTimes` cross-check")
    # The cpu module's manifest sets OMP_WAIT_POLICY=PASSIVE for every user (the registry sets it before
    # loading the module, without overriding a user's value); mirt_ctypes loads libgomp before the
    # module, so the bench sets it itself to time what users get. 'unset' leaves libgomp's default.
    p.add_argument("--omp-wait-policy", choices=["passive", "active", "unset"], default="passive",
                   help="OMP_WAIT_POLICY for mirt's oneDNN/libgomp (default: passive, as the cpu module's manifest)")
    # GOMP_SPINCOUNT: how long libgomp's idle workers spin before they sleep (with PASSIVE: 0 unless set).
    p.add_argument("--gomp-spincount", default="manifest",
                   help="GOMP_SPINCOUNT for mirt's libgomp: a count, 'unset', or 'manifest' (default: the cpu "
                        "module's manifest value, unset when it gives none)")
    p.add_argument("--name", help="host part of the result file name (default: hostname, or 'ci' when $CI is set)")
    p.add_argument("--out", help="result file (default: bench/results/cpu-<name>-<date>.json)")
    p.add_argument("--note", default="", help="free text stored with the results (e.g. machine load)")
    args = p.parse_args()

    # oneDNN here runs on OpenMP (libgomp), which reads OMP_NUM_THREADS when the cpu module loads.
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    if args.omp_wait_policy != "unset":
        os.environ["OMP_WAIT_POLICY"] = args.omp_wait_policy
    else:
        os.environ.pop("OMP_WAIT_POLICY", None)
    spincount = args.gomp_spincount
    if spincount == "manifest":
        spincount = manifest_environment(args.build).get("GOMP_SPINCOUNT", "unset")
    if spincount != "unset":
        os.environ["GOMP_SPINCOUNT"] = str(spincount)
    else:
        os.environ.pop("GOMP_SPINCOUNT", None)
    os.environ["MIRT_MODULE_PATH"] = os.pathsep.join(
        [os.path.join(args.build, "backends", "cpu"), os.path.join(args.build, "parsers", "onnx")])
    import onnxruntime as ort
    sys.path.insert(0, HERE)
    import mirt_ctypes

    lib = mirt_ctypes.Library(os.path.join(args.build, "core", "libmirt.so"))
    mirt_cli = os.path.join(args.build, "tools", "mirt", "mirt")
    cache = os.path.join(HERE, ".cache")
    os.makedirs(cache, exist_ok=True)
    load_before = os.getloadavg()
    per_round = max(1, args.runs // args.rounds)

    results = []
    with tempfile.TemporaryDirectory(prefix="mirt-bench-") as workdir:
        for title, model, feeds in models(args, cache):
            shapes = {n: list(a.shape) for n, a in feeds.items()}
            print(f"== {title} {shapes}", flush=True)

            t0 = time.perf_counter()
            runner = mirt_ctypes.Runner(lib, model, shapes)
            mirt_build_s = time.perf_counter() - t0
            for n, a in feeds.items():
                runner.set_input(n, a)

            so = ort.SessionOptions()
            so.intra_op_num_threads = args.threads
            so.inter_op_num_threads = 1
            so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            so.log_severity_level = 3
            t0 = time.perf_counter()
            sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
            ort_build_s = time.perf_counter() - t0
            # Bound once, like mirt's context: the timed call is run_with_iobinding() alone.
            binding = sess.io_binding()
            ort_inputs = {n: ort.OrtValue.ortvalue_from_numpy(a) for n, a in feeds.items()}
            for n, v in ort_inputs.items():
                binding.bind_ortvalue_input(n, v)
            outs = {}
            for o in sess.get_outputs():
                buf = runner.outputs[o.name]
                outs[o.name] = ort.OrtValue.ortvalue_from_shape_and_type(list(buf.shape), buf.dtype)
                binding.bind_ortvalue_output(o.name, outs[o.name])
            run_ort = lambda: sess.run_with_iobinding(binding)

            # Sanity: both give the same answer on this input (a benchmark of a wrong result is void).
            runner.run()
            run_ort()
            max_abs = max(float(np.abs(runner.outputs[n] - outs[n].numpy()).max()) for n in outs)
            scale = max(float(np.abs(outs[n].numpy()).max()) for n in outs)

            for _ in range(args.warmup):
                runner.run()
            for _ in range(args.warmup):
                run_ort()
            mirt_ms, ort_ms = [], []
            for r in range(args.rounds):  # alternate who goes first, so drifting load hits both alike
                order = [(runner.run, mirt_ms), (run_ort, ort_ms)]
                for fn, out in (order if r % 2 == 0 else order[::-1]):
                    time_block(fn, 2, [])
                    time_block(fn, per_round, out)
            runner.close()
            del sess

            m, o = stats(mirt_ms), stats(ort_ms)
            entry = {
                "model": title, "file": os.path.relpath(model, ROOT), "input": shapes,
                "mirt": m, "onnxruntime": o,
                "ratio_mirt_over_ort": {"median": m["median_ms"] / o["median_ms"], "p90": m["p90_ms"] / o["p90_ms"],
                                        "mean": m["mean_ms"] / o["mean_ms"], "min": m["min_ms"] / o["min_ms"]},
                "build_s": {"mirt": mirt_build_s, "onnxruntime_session": ort_build_s},
                "check": {"max_abs_diff": max_abs, "max_abs_output": scale},
            }
            if not args.no_cli:
                entry["mirt_cli_exportTimes"] = cli_times(mirt_cli, dict(os.environ), model, feeds, args.runs,
                                                          workdir)
            results.append(entry)
            print(f"   mirt median {m['median_ms']:.3f} ms, ORT median {o['median_ms']:.3f} ms, "
                  f"ratio {entry['ratio_mirt_over_ort']['median']:.2f}  (outputs differ by {max_abs:.2e})", flush=True)

    load_after = os.getloadavg()
    name = args.name or ("ci" if os.environ.get("CI") else socket.gethostname())
    date = datetime.date.today().isoformat()
    report = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"hostname": socket.gethostname(), "cpu": cpu_model(), "logical_cpus": os.cpu_count(),
                    "isa": cpu_flags(), "os": platform.platform(),
                    "loadavg_1_5_15_before": load_before, "loadavg_1_5_15_after": load_after},
        "versions": {"mirt": lib.version, "mirt_commit": git_commit(), "onnxruntime": ort.__version__,
                     "onednn": onednn_version(), "numpy": np.__version__, "python": platform.python_version()},
        "method": {
            "threads": args.threads,
            "mirt": f"libmirt C ABI via ctypes (bench/mirt_ctypes.py): built once for the input shape "
                    f"(backend cpu, optimization level 3), buffers bound once, timed call = mirt_context_enqueue; "
                    f"oneDNN on OpenMP with OMP_NUM_THREADS={args.threads}, "
                    f"OMP_WAIT_POLICY={args.omp_wait_policy if args.omp_wait_policy != 'unset' else 'unset (libgomp default)'}, "
                    f"GOMP_SPINCOUNT={spincount}",
            "onnxruntime": f"CPUExecutionProvider, ORT_ENABLE_ALL, intra_op_num_threads={args.threads}, "
                           f"inter_op 1, sequential, default spinning; IOBinding bound once, "
                           f"timed call = run_with_iobinding",
            "timing": f"{args.warmup} warm-up runs each, then {args.rounds} rounds of (2 untimed + {per_round} "
                      f"timed) runs per engine, alternating which engine goes first; time.perf_counter_ns "
                      f"around each call; same process, same input",
            "cli_cross_check": "mirt exec --exportTimes per-run latencies, separate process, not interleaved",
        },
        "note": args.note,
        "results": results,
    }
    out = args.out or os.path.join(HERE, "results", f"cpu-{name}-{date}.json")
    base, n = out[:-len(".json")] if out.endswith(".json") else out, 2
    while not args.out and os.path.exists(out):  # never overwrite a committed result of the same day
        out, n = f"{base}-{n}.json", n + 1
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")

    print(f"\n{'model':30} {'mirt med':>9} {'ORT med':>9} {'mirt p90':>9} {'ORT p90':>9} {'mirt min':>9} "
          f"{'ORT min':>9} {'ratio med':>9} {'ratio min':>9} {'cli med':>9}")
    for e in results:
        cli = e.get("mirt_cli_exportTimes", {}).get("median_ms")
        print(f"{e['model']:30} {e['mirt']['median_ms']:9.3f} {e['onnxruntime']['median_ms']:9.3f} "
              f"{e['mirt']['p90_ms']:9.3f} {e['onnxruntime']['p90_ms']:9.3f} "
              f"{e['mirt']['min_ms']:9.3f} {e['onnxruntime']['min_ms']:9.3f} "
              f"{e['ratio_mirt_over_ort']['median']:9.2f} {e['ratio_mirt_over_ort']['min']:9.2f} "
              f"{cli if cli is None else round(cli, 3)!s:>9}")
    print(f"(ms; ratio = mirt / ORT, above 1 means mirt is slower; {args.threads} threads; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after)\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
