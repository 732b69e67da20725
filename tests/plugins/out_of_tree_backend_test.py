#!/usr/bin/env python3
"""The out-of-tree example backend (plugins/examples/out_of_tree_backend) built as a user would: the
public headers laid out as `meson install` lays them out, the generated mirt.pc read by pkg-config,
the C compiler; then selected with `mirt exec --backend toy` and compared with numpy.

Usage: out_of_tree_backend_test.py --mirt MIRT --pc MIRT_PC --headers ABI_INCLUDE_MIRT --source C --manifest JSON
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper


def run(cmd, env=None):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return proc.returncode, proc.stdout


def main():
    p = argparse.ArgumentParser()
    for name in ("--mirt", "--pc", "--headers", "--source", "--manifest"):
        p.add_argument(name, required=True)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as work:
        # Headers where `meson install` puts them under the prefix of mirt.pc, inside a sysroot.
        root = os.path.join(work, "root")
        includedir = subprocess.run(["pkg-config", "--variable=includedir", args.pc], check=True,
                                    stdout=subprocess.PIPE, text=True).stdout.strip()
        shutil.copytree(args.headers, os.path.join(root + includedir, "mirt"))
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(args.pc), PKG_CONFIG_SYSROOT_DIR=root)
        cflags = subprocess.run(["pkg-config", "--cflags", "mirt"], check=True, stdout=subprocess.PIPE, text=True,
                                env=env).stdout.split()
        modules = os.path.join(work, "modules")
        os.makedirs(modules)
        library = os.path.join(modules, "libmirt_backend_toy.so")
        code, text = run(["cc", "-std=c99", "-pedantic", "-Wall", "-Werror", "-shared", "-fPIC", *cflags, args.source,
                          "-o", library])
        if code != 0:
            raise AssertionError(f"compiling the toy backend failed:\n{text}")
        shutil.copy(args.manifest, modules)
        env = dict(os.environ, MIRT_MODULE_PATH=os.environ.get("MIRT_MODULE_PATH", "") + ":" + modules)

        code, text = run([args.mirt, "modules", "--json"], env)
        listed = {m["name"]: m for m in json.loads(text)}
        assert "toy" in listed and listed["toy"]["kind"] == "backend", text

        # y = relu(x) * x - x, all ops the toy backend has.
        nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Mul", ["r", "x"], ["m"]),
                 helper.make_node("Sub", ["m", "x"], ["y"])]
        graph = helper.make_graph(nodes, "toy", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 7])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 7])])
        model = os.path.join(work, "toy.onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), model)
        x = np.random.default_rng(3).uniform(-2, 2, size=(2, 7)).astype(np.float32)
        x.tofile(os.path.join(work, "x.bin"))
        out_json = os.path.join(work, "out.json")
        code, text = run([args.mirt, "exec", "--onnx", model, "--backend", "toy", "--iterations", "1", "--duration",
                          "0", "--warmUp", "0", "--loadInputs", f"x:{work}/x.bin", "--exportOutput", out_json], env)
        if code != 0 or "Backend: toy" not in text:
            raise AssertionError(f"mirt exec --backend toy failed (exit {code}):\n{text}")
        with open(out_json) as f:
            (y,) = json.load(f)
        x64 = x.astype(np.float64)
        expected = np.maximum(x64, 0) * x64 - x64
        got = np.asarray(y["values"], dtype=np.float64).reshape(y["dimensions"])
        worst = float(np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1e-3)))
        print(f"toy backend: max relative error {worst:.3g}")
        assert worst < 1e-6, worst

        # An op the toy backend lacks is refused naming the backend.
        graph = helper.make_graph([helper.make_node("Sigmoid", ["x"], ["y"])], "toy2",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), model)
        code, text = run([args.mirt, "exec", "--onnx", model, "--backend", "toy", "--iterations", "1"], env)
        assert code != 0 and "toy backend" in text, text
    print("out-of-tree backend: OK")


if __name__ == "__main__":
    main()
