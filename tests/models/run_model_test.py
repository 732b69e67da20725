#!/usr/bin/env python3
"""One whole-model test: makes MODEL with bench/model_zoo.py into a cache folder (once; again only
when model_zoo.py or the arguments change) and compares mirt with ONNX Runtime on it with
`mirt run --mirt --onnxrt` on the cpu backend. The exit code is mirt run's (0 PASSED, 1 FAILED).

    run_model_test.py --mirt MIRT --zoo bench/model_zoo.py --cache DIR MODEL [--layers N]
                      [--bert-inputs BATCHxSEQ] [--inspect] [-- extra mirt run arguments]

--bert-inputs writes BERT's inputs to an .npz first: hidden_states uniform in [-1, 1] and an
attention_mask of ones with the tail of every other sequence padded (zeros), as real batches are.
Fails (exit 2), never skips, when python3 lacks numpy or onnx.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mirt", required=True)
    p.add_argument("--zoo", required=True, help="bench/model_zoo.py")
    p.add_argument("--cache", required=True, help="folder for the generated models (outside git: they are big)")
    p.add_argument("--layers", type=int)
    p.add_argument("--bert-inputs", metavar="BATCHxSEQ")
    p.add_argument("--inspect", action="store_true",
                   help="first require `mirt inspect --json` to find every op type supported and the model buildable")
    p.add_argument("model")
    p.add_argument("run_args", nargs="*", help="after --: more mirt run arguments")
    args = p.parse_args()
    try:
        import numpy as np
        import onnx  # noqa: F401  (model_zoo.py needs it)
    except ImportError as e:
        print(f"FAILED: python3 cannot import {e.name}; install it with: python3 -m pip install numpy onnx onnxruntime",
              file=sys.stderr)
        return 2

    os.makedirs(args.cache, exist_ok=True)
    tag = args.model + (f"_{args.layers}l" if args.layers else "")
    path = os.path.join(args.cache, tag + ".onnx")
    with open(args.zoo, "rb") as f:
        stamp = hashlib.sha256(f.read() + repr(args.layers).encode()).hexdigest()
    stamp_path = path + ".stamp"
    if not (os.path.exists(path) and os.path.exists(stamp_path) and open(stamp_path).read() == stamp):
        cmd = [sys.executable, args.zoo, args.model, path] + (["--layers", str(args.layers)] if args.layers else [])
        print("generating:", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        with open(stamp_path, "w") as f:
            f.write(stamp)
    print(f"model: {path} ({os.path.getsize(path) / 1e6:.1f} MB)", flush=True)

    if args.inspect:
        out = subprocess.run([args.mirt, "inspect", path, "--json", "--backend", "cpu"], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAILED: mirt inspect exited {out.returncode}: {out.stderr}")
            return 1
        report = json.loads(out.stdout)
        bad = [f"{o['op_type']}: {o['support']} {o.get('message', '')}" for o in report["ops"] if o["support"] != "supported"]
        print(f"mirt inspect: {len(report['ops'])} op types, {report['nodes']} nodes; unsupported or unchecked: {bad or 'none'}")
        if bad or not report["whole_model"]["builds"]:
            print("FAILED: mirt inspect does not find every op supported:", bad, report["whole_model"])
            return 1

    run = [args.mirt, "run", path, "--mirt", "--onnxrt", "--backend", "cpu"] + args.run_args
    if args.bert_inputs:
        batch, seq = (int(v) for v in args.bert_inputs.split("x"))
        rng = np.random.default_rng(12)
        mask = np.ones((batch, seq), np.int64)
        mask[1::2, seq * 3 // 4:] = 0
        inputs = os.path.join(args.cache, f"{tag}_inputs_{batch}x{seq}.npz")
        np.savez(inputs, hidden_states=rng.uniform(-1, 1, (batch, seq, 768)).astype(np.float32), attention_mask=mask)
        run += ["--load-inputs", inputs]
    print(" ".join(run), flush=True)
    return subprocess.run(run).returncode


if __name__ == "__main__":
    sys.exit(main())
