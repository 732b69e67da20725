#!/usr/bin/env python3
"""Installs mirt into a scratch folder and swaps in a backend built outside the tree.

1. `meson install --destdir` of the build into a temporary folder: headers, libmirt, mirt.pc and
   mirt-module.pc, the modules, the `mirt` program.
2. examples/backend, copied out of the repository, is configured, built and installed with meson
   against that install only (PKG_CONFIG_PATH): its module lands in the installed module folder.
3. The installed `mirt` (no MIRT_MODULE_PATH, no LD_LIBRARY_PATH) lists it, and
   `mirt exec --backend example` runs an ONNX model (MatMul, Add, Relu, Mul, Gemm, Softmax, and a
   two-way broadcast) whose outputs are compared with numpy in float64 and with `--backend cpu`;
   the saved plan, loaded with --loadEngine, runs on example again.
4. Both MatMul tactics: the timing cache is edited to force each one; the plan records it
   (`mirt inspect`) and the outputs stay right. Optimization level 0 takes the first.
5. Clear errors: an op the backend lacks, a dtype it lacks, and the module built for another ABI
   version (refused by its manifest, and by its descriptor when the manifest claims the right one).
6. examples/backend/run_example (C, mirt_builder_options.backend = "example") against cpu.

Usage: installed_example_backend_test.py --build BUILD_DIR --example EXAMPLE_SOURCE_DIR
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def run(cmd, env, check=True):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stdout}")
    return proc.returncode, proc.stdout


def error_line(text):
    lines = [line for line in text.splitlines() if "error:" in line] or text.splitlines() or [""]
    return lines[-1][lines[-1].find("error:"):]


def one(pattern):
    found = glob.glob(pattern, recursive=True)
    assert len(found) == 1, f"expected one {pattern}, found {found}"
    return found[0]


def pkg_config_env(stage):
    """Environment whose pkg-config finds the staged mirt.pc. A relocatable .pc (the default since
    pkgconfig.relocatable=true) points into the stage by itself; an older build folder configured
    without it gets the stage as sysroot."""
    env = {k: v for k, v in os.environ.items() if k not in ("MIRT_MODULE_PATH", "LD_LIBRARY_PATH")}
    env["PKG_CONFIG_PATH"] = os.path.dirname(one(f"{stage}/**/pkgconfig/mirt.pc"))
    _, prefix = run(["pkg-config", "--variable=prefix", "mirt"], env)
    if not os.path.realpath(prefix.strip()).startswith(os.path.realpath(stage)):
        env["PKG_CONFIG_SYSROOT_DIR"] = stage
    return env


def model(path):
    """y = Softmax(Gemm(Relu(x W + b) * s, W2, c; transB, alpha, beta)); z = u (2,3,1) * v (4)."""
    rng = np.random.default_rng(7)
    weights = {"W": rng.standard_normal((8, 16)), "b": rng.standard_normal(16), "s": rng.uniform(0.5, 2, 16),
               "W2": rng.standard_normal((5, 16)), "c": rng.standard_normal((1, 5)), "v": rng.standard_normal(4)}
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    nodes = [helper.make_node("MatMul", ["x", "W"], ["h0"]), helper.make_node("Add", ["h0", "b"], ["h1"]),
             helper.make_node("Relu", ["h1"], ["h2"]), helper.make_node("Mul", ["h2", "s"], ["h3"]),
             helper.make_node("Gemm", ["h3", "W2", "c"], ["g"], transB=1, alpha=0.5, beta=2.0),
             helper.make_node("Softmax", ["g"], ["y"], axis=1), helper.make_node("Mul", ["u", "v"], ["z"])]
    graph = helper.make_graph(
        nodes, "example_backend_test",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [6, 8]),
         helper.make_tensor_value_info("u", TensorProto.FLOAT, [2, 3, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [6, 5]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 3, 4])],
        [numpy_helper.from_array(v, k) for k, v in weights.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return weights


def reference(w, x, u):
    w = {k: v.astype(np.float64) for k, v in w.items()}
    h = np.maximum(x.astype(np.float64) @ w["W"] + w["b"], 0) * w["s"]
    g = 0.5 * h @ w["W2"].T + 2.0 * w["c"]
    e = np.exp(g - g.max(axis=1, keepdims=True))
    return {"y": e / e.sum(axis=1, keepdims=True), "z": u.astype(np.float64) * w["v"]}


def outputs(path):
    with open(path) as f:
        return {o["name"]: np.asarray(o["values"], np.float64).reshape(o["dimensions"]) for o in json.load(f)}


def assert_close(got, want, what):
    for name, expected in want.items():
        worst = float(np.max(np.abs(got[name] - expected) / np.maximum(np.abs(expected), 1e-3)))
        print(f"{what}: output {name}: max relative error {worst:.3g}")
        assert worst < 1e-5, f"{what}: output {name} is off by {worst}"


def matmul_tactic(mirt, plan, env):
    _, text = run([mirt, "inspect", "--json", plan], env)
    layers = [layer for layer in json.loads(text)["layers"] if layer["op"] == "MatMul"]
    assert len(layers) == 1, text
    return layers[0]["tactic"]["name"]


def check_abi_refusal(mirt, example, work, env):
    """The backend compiled (without meson: one c++ line) for module ABI 999, under two manifests."""
    _, cflags = run(["pkg-config", "--cflags", "mirt-module"], env)
    _, abi = run(["pkg-config", "--variable=abi_version", "mirt-module"], env)
    for claimed in (abi.strip(), "999"):
        name = f"example_abi999_claims_{claimed}"
        folder = os.path.join(work, name)
        os.makedirs(folder)
        run(["c++", "-std=c++17", "-O1", "-shared", "-fPIC", "-fvisibility=hidden", *cflags.split(),
             "-DEXAMPLE_ABI_VERSION=999", f'-DEXAMPLE_BACKEND_NAME="{name}"', *glob.glob(f"{example}/src/*.cpp"),
             "-o", os.path.join(folder, "libwrong_abi.so")], env)
        with open(os.path.join(folder, f"{name}.mirt-module.json"), "w") as f:
            json.dump({"name": name, "kind": "backend", "version": "0.1.0", "abi_version": int(claimed),
                       "library": "libwrong_abi.so"}, f)
        path_env = dict(env, MIRT_MODULE_PATH=folder)
        _, text = run([mirt, "modules", "--json"], path_env)
        listed = {m["name"]: m for m in json.loads(text)}
        assert listed[name]["compatible"] == (claimed != "999"), text
        code, text = run([mirt, "exec", "--onnx", os.path.join(work, "model.onnx"), "--backend", name,
                          "--iterations", "1", "--duration", "0", "--warmUp", "0"], path_env, check=False)
        print(f"manifest claims ABI {claimed}: {error_line(text)}")
        assert code != 0 and "[INCOMPATIBLE_VERSION]" in text, text
        assert "built for module ABI version 999" in text and "rebuild the module" in text, text


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--example", required=True)
    args = p.parse_args()
    for tool in ("meson", "ninja", "pkg-config", "c++"):
        assert shutil.which(tool), f"{tool} is not on PATH"
    with tempfile.TemporaryDirectory() as work:
        stage = os.path.join(work, "stage")
        run(["meson", "install", "-C", args.build, "--destdir", stage, "--no-rebuild", "--quiet"], os.environ)
        env = pkg_config_env(stage)
        mirt = one(f"{stage}/**/bin/mirt")

        # The example, outside the repository, built against the install only.
        example = shutil.copytree(args.example, os.path.join(work, "example"),
                                  ignore=shutil.ignore_patterns("build*"))
        build = os.path.join(work, "example-build")
        run(["meson", "setup", build, example], env)
        run(["meson", "compile", "-C", build], env)
        run(["meson", "install", "-C", build], env)
        _, moduledir = run(["pkg-config", "--variable=moduledir", "mirt-module"], env)
        assert os.path.exists(os.path.join(moduledir.strip(), "libmirt_backend_example.so")), moduledir
        _, text = run([mirt, "modules", "--json"], env)
        listed = {m["name"]: m for m in json.loads(text)}
        assert listed.get("example", {}).get("compatible") is True, text

        weights = model(os.path.join(work, "model.onnx"))
        rng = np.random.default_rng(11)
        x = rng.uniform(-2, 2, (6, 8)).astype(np.float32)
        u = rng.uniform(-2, 2, (2, 3, 1)).astype(np.float32)
        x.tofile(os.path.join(work, "x.bin"))
        u.tofile(os.path.join(work, "u.bin"))
        want = reference(weights, x, u)

        def exec_model(backend, tag, *extra):
            plan, out = os.path.join(work, f"{tag}.plan"), os.path.join(work, f"{tag}.json")
            _, text = run([mirt, "exec", "--onnx", os.path.join(work, "model.onnx"), "--backend", backend,
                           "--loadInputs", f"x:{work}/x.bin,u:{work}/u.bin", "--exportOutput", out,
                           "--saveEngine", plan, "--iterations", "1", "--duration", "0", "--warmUp", "0", *extra], env)
            assert f"Backend: {backend}" in text, text
            return outputs(out), plan

        cpu, _ = exec_model("cpu", "cpu")
        assert_close(cpu, want, "cpu")
        cache = os.path.join(work, "timing.cache")
        timed, plan = exec_model("example", "timed", "--timingCacheFile", cache)
        assert_close(timed, want, "example")
        assert_close(timed, cpu, "example vs cpu")
        chosen = matmul_tactic(mirt, plan, env)
        assert chosen in ("matmul_rowwise", "matmul_packed"), chosen
        # The plan names its backend: loading it runs on example again.
        out = os.path.join(work, "loaded.json")
        _, text = run([mirt, "exec", "--loadEngine", plan, "--loadInputs", f"x:{work}/x.bin,u:{work}/u.bin",
                       "--exportOutput", out, "--iterations", "1", "--duration", "0", "--warmUp", "0"], env)
        assert "Backend: example" in text, text
        assert_close(outputs(out), want, "example, plan loaded")

        # Each MatMul tactic forced through the timing cache, then optimization level 0.
        with open(cache) as f:
            lines = f.read().splitlines()
        matmul_lines = [i for i, line in enumerate(lines) if "::MatMul|" in line and line.startswith("example ")]
        assert len(matmul_lines) == 1, lines
        for forced in ("matmul_rowwise", "matmul_packed"):
            key = lines[matmul_lines[0]].rsplit("\t", 1)[0]
            lines[matmul_lines[0]] = f"{key}\t{forced}"
            with open(cache, "w") as f:
                f.write("\n".join(lines) + "\n")
            got, plan = exec_model("example", forced, "--timingCacheFile", cache)
            assert matmul_tactic(mirt, plan, env) == forced
            assert_close(got, want, f"example, {forced}")
        got, plan = exec_model("example", "level0", "--builderOptimizationLevel", "0")
        assert matmul_tactic(mirt, plan, env) == "matmul_rowwise"
        assert_close(got, want, "example, optimization level 0")

        # An op and a dtype the backend lacks: the build fails naming the backend, layer and reason.
        for op, dtype, expected in (("Sigmoid", TensorProto.FLOAT, "is not one of this backend's ops"),
                                    ("Relu", TensorProto.INT32, "this backend supports only float32, but input 0 is int32")):
            graph = helper.make_graph([helper.make_node(op, ["a"], ["b"], name="the_layer")], "lacking",
                                      [helper.make_tensor_value_info("a", dtype, [3])],
                                      [helper.make_tensor_value_info("b", dtype, [3])])
            path = os.path.join(work, "lacking.onnx")
            onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
            code, text = run([mirt, "exec", "--onnx", path, "--backend", "example", "--iterations", "1"], env,
                             check=False)
            print(f"{op} ({TensorProto.DataType.Name(dtype)}): {error_line(text)}")
            assert code != 0 and "[UNSUPPORTED]" in text, text
            assert "example backend: layer 'the_layer'" in text and expected in text, text

        check_abi_refusal(mirt, example, work, env)

        _, text = run([os.path.join(build, "run_example")], env)
        print(text)
        assert "PASSED" in text
    print("installed example backend: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
