#!/usr/bin/env python3
"""Runs whole ONNX models through mirt (the `mirt exec` CLI, cpu backend) and ONNX Runtime (CPU) on
the same deterministic random inputs, and compares every output.

    python3 tests/models/compare_onnxruntime.py --mirt build/tools/mirt/mirt --samples samples
    (modules are found through MIRT_MODULE_PATH, as for the CLI)

Each case prints per output the max absolute error, the max relative error |mirt - ort| / |ort|
(over elements with |ort| >= 1e-3), the largest share of the tolerance used, and PASSED/FAILED; an
element passes when |mirt - ort| <= atol + rtol * |ort| (fp32: rtol 1e-4, atol 1e-5). Exits 1 when any case fails, 2 when it cannot run at all (no
onnxruntime, no mirt binary): the test must never pass by skipping.

Cases: both samples at two sizes each (one build per shape), and a dynamic-shape case: the
transformer block built once with a min/opt/max profile (--saveEngine), then run at several shapes
from that plan (--loadEngine).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import onnxruntime as ort
except ImportError as e:  # fail loudly: the setup script installs these (pip install numpy onnxruntime)
    print(f"FAILED: cannot import {e.name} ({e}); install it with: pip install numpy onnxruntime", file=sys.stderr)
    sys.exit(2)

RTOL, ATOL = 1e-4, 1e-5
REL_FLOOR = 1e-3


def shape_text(shape):
    return "x".join(str(d) for d in shape)


def make_input(shape, seed):
    # Uniform in [-1, 1), like mirt exec's own fill, but from numpy's fixed-seed generator.
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape).astype(np.float32)


def run_mirt(mirt, workdir, tag, model, inputs, build_flags, run_shapes, load_plan=None, save_plan=None):
    """Runs `mirt exec` once; returns ({output name: array}, problem). problem is None, or says how
    mirt exec crashed after it had written its outputs (they are still compared; the case fails)."""
    files = []
    for name, value in inputs.items():
        path = os.path.join(workdir, f"{tag}.{name}.bin")
        value.tofile(path)
        files.append(f"{name}:{path}")
    out_json = os.path.join(workdir, f"{tag}.out.json")
    cmd = [mirt, "exec", "--backend", "cpu", "--iterations", "1", "--duration", "0", "--warmUp", "0",
           "--loadInputs", ",".join(files), "--exportOutput", out_json,
           "--shapes", ",".join(f"{n}:{shape_text(s)}" for n, s in run_shapes.items())]
    cmd += ["--loadEngine", load_plan] if load_plan else ["--onnx", model] + build_flags
    if save_plan:
        cmd += ["--saveEngine", save_plan]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    problem = None
    if proc.returncode != 0:
        if "&&&& PASSED" not in proc.stdout or not os.path.exists(out_json):
            raise RuntimeError(f"mirt exec failed (exit {proc.returncode}):\n  {' '.join(cmd)}\n{proc.stdout}")
        # Seen with the cpu module: a SIGSEGV at exit, when the module (and libdnnl's libgomp) is
        # unloaded while OpenMP worker threads still run (bench/README.md, "Known problems").
        problem = (f"mirt exec crashed (exit {proc.returncode}) after '&&&& PASSED', i.e. while shutting down: "
                   f"{' '.join(cmd)}")
    with open(out_json) as f:
        exported = json.load(f)
    outputs = {}
    for o in exported:
        if o["dtype"] != "float32":
            raise RuntimeError(f"output '{o['name']}' has dtype {o['dtype']}; this test compares float32 only")
        outputs[o["name"]] = np.asarray(o["values"], dtype=np.float64).reshape(o["dimensions"])
    return outputs, problem


def run_ort(session, inputs):
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, inputs)))


def compare(name, got, want):
    """Prints one output's errors; returns True when it is within tolerance."""
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        print(f"    {name}: shape {list(got.shape)} from mirt, {list(want.shape)} from ORT  FAILED")
        return False
    diff = np.abs(got - want)
    finite = np.isfinite(got).all() and np.isfinite(want).all()
    max_abs = float(diff.max()) if diff.size else 0.0
    sizable = np.abs(want) >= REL_FLOOR  # relative error of values near zero says little
    max_rel = float((diff[sizable] / np.abs(want[sizable])).max()) if sizable.any() else 0.0
    tolerance = ATOL + RTOL * np.abs(want)
    used = float((diff / tolerance).max()) if diff.size else 0.0
    bad = int(np.count_nonzero(diff > tolerance))
    ok = finite and bad == 0
    worst = f", worst at {np.unravel_index(int(diff.argmax()), diff.shape)}" if diff.size and not ok else ""
    print(f"    {name} {list(want.shape)}: max abs {max_abs:.3e}, max rel {max_rel:.3e} (|ort| >= {REL_FLOOR:g}), "
          f"{used:.2f} of tolerance used, {bad}/{diff.size} outside rtol {RTOL:g} atol {ATOL:g}{'' if finite else ', NON-FINITE values'}{worst}"
          f"  {'PASSED' if ok else 'FAILED'}")
    return ok


def cases(samples):
    cnn = os.path.join(samples, "sample_cnn.onnx")
    tfm = os.path.join(samples, "sample_transformer_block.onnx")
    # (title, model, input name, [run shapes], build flags or None for one static build per shape)
    return [
        ("sample_cnn batch 1", cnn, "input", [[1, 3, 32, 32]], None),
        ("sample_cnn batch 8", cnn, "input", [[8, 3, 32, 32]], None),
        ("sample_transformer_block batch 1 seq 16", tfm, "x", [[1, 16, 64]], None),
        ("sample_transformer_block batch 4 seq 33", tfm, "x", [[4, 33, 64]], None),
        ("sample_transformer_block dynamic: one plan (min 1x1, opt 2x16, max 4x64), runs 2x16, 3x47, 4x64",
         tfm, "x", [[2, 16, 64], [3, 47, 64], [4, 64, 64]],
         ["--minShapes", "x:1x1x64", "--optShapes", "x:2x16x64", "--maxShapes", "x:4x64x64"]),
        ("sample_cnn dynamic: one plan (min 1, opt 4, max 16), runs batch 4 and 13",
         cnn, "input", [[4, 3, 32, 32], [13, 3, 32, 32]],
         ["--minShapes", "input:1x3x32x32", "--optShapes", "input:4x3x32x32", "--maxShapes", "input:16x3x32x32"]),
    ]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mirt", required=True, help="the mirt CLI executable")
    p.add_argument("--samples", default=os.path.join(here, "..", "..", "samples"), help="folder of the sample models")
    p.add_argument("--keep", metavar="DIR", help="keep inputs, outputs and plans in DIR")
    args = p.parse_args()
    if not os.access(args.mirt, os.X_OK):
        print(f"FAILED: '{args.mirt}' is not an executable mirt CLI", file=sys.stderr)
        return 2
    if not os.environ.get("MIRT_MODULE_PATH"):
        print("note: MIRT_MODULE_PATH is not set; mirt will look for installed modules only", file=sys.stderr)

    print(f"mirt: {args.mirt}; onnxruntime {ort.__version__} (CPUExecutionProvider); rtol {RTOL:g}, atol {ATOL:g}")
    workdir_obj = None if args.keep else tempfile.TemporaryDirectory(prefix="mirt-vs-ort-")
    workdir = args.keep or workdir_obj.name
    os.makedirs(workdir, exist_ok=True)
    failures = []
    for index, (title, model, input_name, shapes, profile_flags) in enumerate(cases(args.samples)):
        print(f"[{index}] {title}")
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        session = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
        plan = os.path.join(workdir, f"case{index}.plan") if profile_flags else None
        for run_index, shape in enumerate(shapes):
            tag = f"case{index}.run{run_index}"
            inputs = {input_name: make_input(shape, seed=1000 * index + run_index)}
            print(f"  {input_name} {shape}" + ("" if not plan else " (plan built here)" if run_index == 0
                                                 else " (same plan, loaded)"))
            try:
                if plan is None:
                    got, problem = run_mirt(args.mirt, workdir, tag, model, inputs, [], {input_name: shape})
                elif run_index == 0:
                    got, problem = run_mirt(args.mirt, workdir, tag, model, inputs, profile_flags, {input_name: shape},
                                   save_plan=plan)
                else:
                    got, problem = run_mirt(args.mirt, workdir, tag, model, inputs, [], {input_name: shape}, load_plan=plan)
            except RuntimeError as e:
                print(f"    {e}\n    FAILED")
                failures.append(f"{title} {shape}: mirt exec failed")
                continue
            want = run_ort(session, inputs)
            for name in want:
                if name not in got:
                    print(f"    {name}: missing from mirt's outputs ({sorted(got)})  FAILED")
                    failures.append(f"{title} {shape}: {name} missing")
                elif not compare(name, got[name], want[name]):
                    failures.append(f"{title} {shape}: {name}")
            if problem:
                print(f"    {problem}\n    FAILED")
                failures.append(f"{title} {shape}: mirt exec crashed at exit (exit code, not numbers)")
    if workdir_obj:
        workdir_obj.cleanup()
    if failures:
        print(f"FAILED: {len(failures)} comparison(s):\n  " + "\n  ".join(failures))
        return 1
    print("PASSED: every output of every case matches ONNX Runtime")
    return 0


if __name__ == "__main__":
    sys.exit(main())
