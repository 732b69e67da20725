#!/usr/bin/env python3
"""One whole-model test: makes MODEL with bench/model_zoo.py into a cache folder (once; again only
when model_zoo.py or the arguments change) and compares mirt with ONNX Runtime on it with
`mirt run --mirt --onnxrt` on the cpu backend. The exit code is mirt run's (0 PASSED, 1 FAILED).

    run_model_test.py --mirt MIRT --zoo bench/model_zoo.py --cache DIR MODEL [--layers N]
                      [--bert-inputs BATCHxSEQ] [-- extra mirt run arguments]

--bert-inputs writes BERT's inputs to an .npz first: hidden_states uniform in [-1, 1] and an
attention_mask of ones with the tail of every other sequence padded (zeros), as real batches are.
Fails (exit 2), never skips, when python3 lacks numpy or onnx.
"""
import argparse
import hashlib
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
