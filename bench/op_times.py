#!/usr/bin/env python3
"""Where the time goes: times every node of a model on its own, in mirt (cpu backend) and in ONNX
Runtime (CPU), at the shapes the node sees in the whole model, and prints them sorted by mirt time.

    python3 bench/op_times.py --build build-bench MODEL.onnx input:4x128x64 [input2:4x128 ...] [--threads N] [--runs 30]

Each node becomes a one-node model (its constant inputs stay initializers, the others become
float32 inputs with the shapes ONNX shape inference gives for the whole model). A node run alone
misses what a whole-model runtime gains from fusion and layout propagation (ORT folds
Conv+Relu, runs convs in NCHWc), so the sum of ORT's column is an upper bound of ORT's whole run;
mirt runs node by node anyway, so its sum is close to its whole run.
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def median_ms(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    t = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        fn()
        t.append((time.perf_counter_ns() - t0) / 1e6)
    t.sort()
    return t[len(t) // 2], t[0]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("shape", nargs="+", help="input:AxBxC of each of the model's dynamic inputs")
    p.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build-bench"))
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--runs", type=int, default=30)
    args = p.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ["MIRT_MODULE_PATH"] = os.pathsep.join(
        [os.path.join(args.build, "backends", "cpu"), os.path.join(args.build, "parsers", "onnx")])
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import helper, shape_inference
    sys.path.insert(0, HERE)
    import mirt_ctypes

    lib = mirt_ctypes.Library(os.path.join(args.build, "core", "libmirt.so"))
    given = {}
    for s in args.shape:
        in_name, dims = s.split(":")
        given[in_name] = [int(d) for d in dims.split("x")]
    model = onnx.load(args.model)
    for vi in model.graph.input:
        for d, v in zip(vi.type.tensor_type.shape.dim, given.get(vi.name, [])):
            d.Clear()
            d.dim_value = v
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    for vi in list(inferred.graph.input) + list(inferred.graph.value_info) + list(inferred.graph.output):
        t = vi.type.tensor_type
        shapes[vi.name] = (t.elem_type, [d.dim_value for d in t.shape.dim])
    inits = {i.name: i for i in model.graph.initializer}
    rng = np.random.default_rng(3)

    rows = []
    with tempfile.TemporaryDirectory(prefix="mirt-op-times-") as tmp:
        for index, node in enumerate(model.graph.node):
            label = f"{node.name or index} ({node.op_type})"
            ins, node_inits, feeds = [], [], {}
            for name in node.input:
                if not name:
                    continue
                if name in inits:
                    node_inits.append(inits[name])
                    continue
                elem, shape = shapes[name]
                ins.append(helper.make_tensor_value_info(name, elem, shape))
                if elem == onnx.TensorProto.FLOAT:
                    feeds[name] = rng.uniform(-1, 1, size=shape).astype(np.float32)
            outs = [helper.make_tensor_value_info(n, shapes[n][0], shapes[n][1]) for n in node.output if n]
            if any(vi.type.tensor_type.elem_type != onnx.TensorProto.FLOAT for vi in ins + outs):
                rows.append((label, "-", None, None, "non-float32 I/O, skipped"))
                continue
            g = helper.make_graph([node], "one_node", ins, outs, node_inits)
            m = helper.make_model(g, opset_imports=model.opset_import)
            m.ir_version = model.ir_version
            path = os.path.join(tmp, f"node{index}.onnx")
            onnx.save(m, path)
            in_shape = " ".join("x".join(map(str, shapes[i.name][1])) for i in ins)
            try:
                r = mirt_ctypes.Runner(lib, path, {k: list(v.shape) for k, v in feeds.items()})
                for k, v in feeds.items():
                    r.set_input(k, v)
                mirt_med, mirt_min = median_ms(r.run, 5, args.runs)
                r.close()
            except mirt_ctypes.MirtError as e:
                rows.append((label, in_shape, None, None, str(e)[:120]))
                continue
            so = ort.SessionOptions()
            so.intra_op_num_threads = args.threads
            so.log_severity_level = 3
            sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
            b = sess.io_binding()
            for k, v in feeds.items():
                b.bind_cpu_input(k, v)
            for o in sess.get_outputs():
                b.bind_output(o.name)
            sess.run_with_iobinding(b)  # allocates the outputs once; later runs reuse them
            ort_med, ort_min = median_ms(lambda: sess.run_with_iobinding(b), 5, args.runs)
            rows.append((label, in_shape, (mirt_med, mirt_min), (ort_med, ort_min), ""))

    timed = [r for r in rows if r[2]]
    total_mirt = sum(r[2][0] for r in timed)
    total_ort = sum(r[3][0] for r in timed)
    print(f"{args.model} {' '.join(args.shape)}, {args.threads} threads, median (min) of {args.runs} runs, ms")
    print(f"{'node':34} {'input shape(s)':24} {'mirt':>17} {'ORT':>17} {'ratio':>7} {'share':>6}")
    for label, shp, m, o, note in sorted(rows, key=lambda r: -(r[2][0] if r[2] else 0)):
        if m:
            print(f"{label[:34]:34} {shp[:24]:24} {m[0]:8.3f} ({m[1]:6.3f}) {o[0]:8.3f} ({o[1]:6.3f}) "
                  f"{m[0] / o[0]:7.1f} {100 * m[0] / total_mirt:5.1f}%")
        else:
            print(f"{label[:34]:34} {shp[:24]:24} {note}")
    print(f"{'sum':59} {total_mirt:8.3f}          {total_ort:8.3f}          {total_mirt / total_ort:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
