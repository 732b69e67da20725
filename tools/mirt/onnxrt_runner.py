#!/usr/bin/env python3
"""ONNX Runtime side of `mirt run --onnxrt`: runs MODEL on the CPU provider with the arrays of
INPUTS.npz and writes every output to OUTPUTS.npz (uncompressed, output names as keys).

    python3 onnxrt_runner.py MODEL INPUTS.npz OUTPUTS.npz [--threads N]

Inputs are cast to the dtype the model declares (mirt may narrow int64 to int32). Exit codes:
0 ok, 3 numpy/onnxruntime missing, 4 bad inputs, 5 ONNX Runtime failed. Messages go to stderr.
"""
import argparse
import sys
import zipfile

TYPES = {"tensor(float)": "float32", "tensor(double)": "float64", "tensor(float16)": "float16",
         "tensor(int8)": "int8", "tensor(uint8)": "uint8", "tensor(int32)": "int32", "tensor(int64)": "int64",
         "tensor(bool)": "bool", "tensor(int16)": "int16", "tensor(uint16)": "uint16"}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("inputs")
    p.add_argument("outputs")
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (0: ONNX Runtime's default)")
    args = p.parse_args()
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError as e:
        print(f"onnxrt_runner: cannot import {e.name}: {e} (install it with: python3 -m pip install numpy onnxruntime)",
              file=sys.stderr)
        return 3

    so = ort.SessionOptions()
    so.log_severity_level = 3
    if args.threads > 0:
        so.intra_op_num_threads = args.threads
    try:
        session = ort.InferenceSession(args.model, so, providers=["CPUExecutionProvider"])
    except Exception as e:  # ORT raises its own exception types; the message is what matters
        print(f"onnxrt_runner: ONNX Runtime cannot load '{args.model}': {e}", file=sys.stderr)
        return 5
    with np.load(args.inputs, allow_pickle=False) as npz:
        given = {k: npz[k] for k in npz.files}
    feeds = {}
    for i in session.get_inputs():
        if i.name not in given:
            print(f"onnxrt_runner: no array for input '{i.name}' in {args.inputs} (it has: {sorted(given)})",
                  file=sys.stderr)
            return 4
        want = TYPES.get(i.type)
        feeds[i.name] = given[i.name].astype(want) if want and given[i.name].dtype != want else given[i.name]
    try:
        names = [o.name for o in session.get_outputs()]
        values = session.run(names, feeds)
    except Exception as e:
        print(f"onnxrt_runner: ONNX Runtime failed to run '{args.model}': {e}", file=sys.stderr)
        return 5
    # As np.savez writes it, but any output name works as a key (np.savez(file, **kw) rejects "file").
    with zipfile.ZipFile(args.outputs, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, value in zip(names, values):
            with zf.open(name + ".npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.ascontiguousarray(value), allow_pickle=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
