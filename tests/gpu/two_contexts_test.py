#!/usr/bin/env python3
"""tests/gpu/two_contexts_test.py BUILD — two execution contexts on one cuda engine, enqueued from
two host threads on two CUDA streams at once, give exactly the results each gives alone.

For each sample model and precision (FP32, FP16): one engine, two contexts with their own I/O
tensors and different inputs. Each context runs alone first (its reference; the two references
must differ, so swapped or shared buffers would show). Then two threads each enqueue their context
ROUNDS times on their own stream, outputs poisoned with NaN before each run, and compare every
result bit for bit with their reference; then the same again with graph replay on in both contexts
(mirt_context_set_graph_replay: each records its run into a CUDA graph while the other thread
runs or records). Prints one line per check and "N passed, N failed"; exit
status 0 when all passed. Run from the repository root; tests/gpu/run.sh runs it. Sets its library
paths and restarts itself (tests/gpu/gpu_env.py).
"""
import os
import sys
import threading
import traceback

from gpu_env import ROOT, restart_with_mirt_env

ROUNDS = 50


def main():
    build = os.path.abspath(sys.argv[1])
    restart_with_mirt_env(build)
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import torch

    import mirt_ctypes as M
    from mirt_cuda import MirtCuda

    lib = M.Library(os.path.join(build, "core", "libmirt.so"))
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        print(("PASS " if ok else "FAIL ") + what, flush=True)
        passed, failed = passed + bool(ok), failed + (not ok)

    models = [("sample_cnn", {"input": (4, 3, 32, 32)}), ("sample_transformer_block", {"x": (2, 16, 64)})]
    for model, shapes in models:
        for prec, flags in (("fp32", 0), ("fp16", 2)):
            what = f"{model} {prec}"
            try:
                runner = MirtCuda(lib, os.path.join(ROOT, "samples", model + ".onnx"), shapes, precision_flags=flags)
                contexts = [(runner.ctx, runner.inputs, runner.outputs), runner.new_context(shapes)]
                gen = torch.Generator(device="cuda").manual_seed(7)
                for _, inputs, _ in contexts:
                    for t in inputs.values():
                        t.copy_(torch.randn(t.shape, generator=gen, device="cuda").to(t.dtype))
                streams = [torch.cuda.Stream(), torch.cuda.Stream()]
                torch.cuda.synchronize()
                refs = []
                for (ctx, _, outputs), s in zip(contexts, streams):
                    runner.run(s.cuda_stream, ctx)
                    s.synchronize()
                    refs.append([o.clone() for o in outputs.values()])
                check(all(torch.isfinite(r.float()).all().item() for ref in refs for r in ref), what + ": references finite")
                check(any(not torch.equal(a, b) for a, b in zip(refs[0], refs[1])), what + ": the two inputs give different outputs")

                def concurrently(label):
                    mismatches = [0, 0]
                    errors = []
                    start = threading.Barrier(2)

                    def worker(k):
                        ctx, _, outputs = contexts[k]
                        s = streams[k]
                        try:
                            start.wait()
                            for _ in range(ROUNDS):
                                with torch.cuda.stream(s):
                                    for o in outputs.values():
                                        if o.is_floating_point():
                                            o.fill_(float("nan"))
                                runner.run(s.cuda_stream, ctx)
                                s.synchronize()
                                if not all(torch.equal(o, r) for o, r in zip(outputs.values(), refs[k])):
                                    mismatches[k] += 1
                        except Exception:  # noqa: BLE001
                            errors.append(traceback.format_exc())

                    threads = [threading.Thread(target=worker, args=(k,)) for k in (0, 1)]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join()
                    for e in errors:
                        print(e)
                    check(not errors, what + label + ": both threads ran without error")
                    check(mismatches == [0, 0], what + label + f": {ROUNDS} concurrent runs per context equal their lone "
                                                               f"runs bit for bit (mismatching runs: {mismatches})")

                concurrently("")
                for ctx, _, _ in contexts:
                    lib.check(lib.lib.mirt_context_set_graph_replay(ctx, 1), "turning graph replay on")
                concurrently(" with graph replay")
                runner.close()
            except Exception:  # noqa: BLE001
                check(False, what + ": " + traceback.format_exc()[-1500:])
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
