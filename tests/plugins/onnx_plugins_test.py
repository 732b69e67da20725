#!/usr/bin/env python3
"""ONNX models with ops mirt does not know, run by `mirt exec --plugins` with the example plugin
libraries and compared with numpy float64 references; `mirt modules --plugins` lists the creators'
fields; without the plugin, exec fails naming the op.

Usage: onnx_plugins_test.py --mirt MIRT --c-plugin LIB --cpp-plugin LIB --frame-plugin LIB --models-script SCRIPT
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc.returncode, proc.stdout


def exec_model(args, workdir, model, plugin, x, shapes):
    x_path = os.path.join(workdir, "x.bin")
    x.astype(np.float32).tofile(x_path)
    out_json = os.path.join(workdir, "out.json")
    code, text = run([args.mirt, "exec", "--onnx", model, "--plugins", plugin, "--backend", "cpu",
                      "--iterations", "1", "--duration", "0", "--warmUp", "0", "--shapes", shapes,
                      "--loadInputs", f"x:{x_path}", "--exportOutput", out_json])
    if code != 0 or "&&&& PASSED" not in text:
        raise AssertionError(f"mirt exec failed (exit {code}):\n{text}")
    with open(out_json) as f:
        (y,) = json.load(f)
    return np.asarray(y["values"], dtype=np.float64).reshape(y["dimensions"])


def check_close(name, actual, expected, rtol=1e-5):
    if actual.shape != expected.shape:
        raise AssertionError(f"{name}: shape {actual.shape}, expected {expected.shape}")
    worst = float(np.max(np.abs(actual - expected) / np.maximum(np.abs(expected), 1e-3)))
    print(f"{name}: max relative error {worst:.3g}")
    if worst > rtol:
        raise AssertionError(f"{name}: max relative error {worst} above {rtol}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mirt", required=True)
    p.add_argument("--c-plugin", required=True)
    p.add_argument("--cpp-plugin", required=True)
    p.add_argument("--frame-plugin", required=True)
    p.add_argument("--models-script", required=True)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, args.models_script, work], check=True)
        rng = np.random.default_rng(5)

        x = rng.uniform(-2, 2, size=(3, 5))
        y = exec_model(args, work, os.path.join(work, "my_custom_op.onnx"), args.c_plugin, x, "x:3x5")
        check_close("MyCustomOp (C plugin)", y, 1.5 * np.tanh(2 * x.astype(np.float32).astype(np.float64)) - 0.25)

        x = rng.uniform(-1, 1, size=(3, 4, 6))
        y = exec_model(args, work, os.path.join(work, "l2_norm.onnx"), args.cpp_plugin, x, "x:3x4x6")
        x64 = x.astype(np.float32).astype(np.float64)
        check_close("L2NormLastAxis (C++ plugin)", y, np.sqrt(np.sum(x64 * x64, axis=-1, keepdims=True) + 0.001))

        # An output dim that is an expression of a dynamic input dim, at two shapes.
        for batch, samples in ((2, 64), (3, 50)):
            x = rng.uniform(-1, 1, size=(batch, samples))
            y = exec_model(args, work, os.path.join(work, "frame_signal.onnx"), args.frame_plugin, x,
                           f"x:{batch}x{samples}")
            frames = (samples - 16) // 8 + 1
            expected = np.stack([x[:, f * 8:f * 8 + 16] for f in range(frames)], axis=1)
            check_close(f"FrameSignal (dim expressions) at {batch}x{samples}", y,
                        expected.astype(np.float32).astype(np.float64), rtol=0)

        code, text = run([args.mirt, "modules", "--plugins", "--json", "--loadLibrary", args.c_plugin])
        if code != 0:
            raise AssertionError(f"mirt modules --plugins failed:\n{text}")
        creators = {f"{c['namespace']}::{c['name']}": c for c in json.loads(text)}
        fields = {f["name"]: f for f in creators["com.example::MyCustomOp"]["fields"]}
        assert fields["alpha"]["type"] == "float" and fields["alpha"]["required"], fields
        assert fields["beta"]["type"] == "float" and not fields["beta"]["required"], fields

        code, text = run([args.mirt, "exec", "--onnx", os.path.join(work, "my_custom_op.onnx"), "--backend", "cpu",
                          "--shapes", "x:3x5", "--iterations", "1", "--duration", "0", "--warmUp", "0"])
        if code == 0 or "MyCustomOp" not in text or "plugin" not in text:
            raise AssertionError(f"exec without the plugin should fail naming the op (exit {code}):\n{text}")
    print("onnx plugin models: OK")


if __name__ == "__main__":
    main()
