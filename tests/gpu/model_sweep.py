#!/usr/bin/env python3
"""Exports common PyTorch models (torchvision, and transformers built from their default configs
with random weights: nothing is downloaded) to ONNX, then runs each through `mirt run --mirt
--onnxrt` on the chosen backends and reports PASSED / FAILED / the first error line per model and
backend, as a table and as JSON. A coverage report for the GPU machine (it needs torch): it asserts
nothing itself and always exits 0 unless it cannot start.

  tests/gpu/model_sweep.py --mirt BUILD/tools/mirt/mirt --out $OUT [--backends cpu cuda] [--only resnet18 ...]
"""
import argparse
import json
import os
import subprocess
import sys
import time


def torchvision_models():
    import torchvision.models as tv
    import torchvision.models.segmentation as seg
    image = (1, 3, 224, 224)
    return {
        "resnet18": (lambda: tv.resnet18(), image),
        "mobilenet_v3_small": (lambda: tv.mobilenet_v3_small(), image),
        "efficientnet_b0": (lambda: tv.efficientnet_b0(), image),
        "densenet121": (lambda: tv.densenet121(), image),
        "squeezenet1_1": (lambda: tv.squeezenet1_1(), image),
        "shufflenet_v2_x1_0": (lambda: tv.shufflenet_v2_x1_0(), image),
        "regnet_y_400mf": (lambda: tv.regnet_y_400mf(), image),
        "googlenet": (lambda: tv.googlenet(aux_logits=False, init_weights=True), image),
        "inception_v3": (lambda: tv.inception_v3(aux_logits=False, init_weights=True), (1, 3, 299, 299)),
        "vit_b_16": (lambda: tv.vit_b_16(), image),
        "convnext_tiny": (lambda: tv.convnext_tiny(), image),
        "swin_t": (lambda: tv.swin_t(), image),
        "deeplabv3_mobilenet_v3_large": (lambda: seg.deeplabv3_mobilenet_v3_large(weights_backbone=None, aux_loss=False), (1, 3, 256, 256)),
        "lraspp_mobilenet_v3_large": (lambda: seg.lraspp_mobilenet_v3_large(weights_backbone=None), (1, 3, 256, 256)),
        "r3d_18": (lambda: tv.video.r3d_18(), (1, 3, 8, 112, 112)),
    }


def transformer_models():
    import transformers as tf
    seq = (1, 64)

    def tiny_llama():
        c = tf.LlamaConfig(hidden_size=256, intermediate_size=688, num_hidden_layers=2, num_attention_heads=4,
                           num_key_value_heads=2, vocab_size=1000, use_cache=False)
        return tf.LlamaModel(c)
    return {
        "bert_base": (lambda: tf.BertModel(tf.BertConfig()), seq),
        "distilbert": (lambda: tf.DistilBertModel(tf.DistilBertConfig()), seq),
        "roberta": (lambda: tf.RobertaModel(tf.RobertaConfig()), seq),
        "gpt2": (lambda: tf.GPT2Model(tf.GPT2Config(n_layer=4, use_cache=False)), seq),
        "vit_hf": (lambda: tf.ViTModel(tf.ViTConfig()), (1, 3, 224, 224)),
        "tiny_llama": (tiny_llama, seq),
    }


def export(name, build, shape, path):
    import torch
    torch.backends.mha.set_fastpath_enabled(False)  # torchvision's ViT would export a fused op ONNX lacks
    model = build().eval()
    if len(shape) == 2:  # token ids
        args = (torch.randint(0, 100, shape),)
        names = ["input_ids"]
    else:
        args = (torch.randn(*shape),)
        names = ["input"]
    with torch.no_grad():
        try:
            torch.onnx.export(model, args, path, input_names=names, opset_version=18, dynamo=False)
        except TypeError:  # a torch without the dynamo switch
            torch.onnx.export(model, args, path, input_names=names, opset_version=18)


def run_mirt(mirt, model, backend, timeout, log):
    cmd = [mirt, "run", model, "--mirt", "--onnxrt", "--backend", backend, "--atol", "1e-3", "--rtol", "1e-3"]
    start = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"result": "TIMEOUT", "seconds": timeout}
    text = p.stdout + p.stderr
    with open(log, "w") as f:
        f.write(text)
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    # The lines that say why: errors and per-output mismatches, not the closing summary.
    why = [l for l in lines if ("rror" in l or "mismatch" in l.lower() or "max abs" in l.lower() or "FAILED" in l)
           and "| Runtime:" not in l]
    result = "PASSED" if p.returncode == 0 and "PASSED" in text else "FAILED" if "FAILED" in text else "ERROR"
    detail = "" if result == "PASSED" else " / ".join(why[:3]) or (lines[-1] if lines else f"exit {p.returncode}")
    return {"result": result, "detail": detail[:400], "seconds": round(time.time() - start, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirt", required=True, help="the mirt executable")
    ap.add_argument("--out", required=True, help="folder for the models, the log and sweep.json")
    ap.add_argument("--backends", nargs="+", default=["cpu", "cuda"])
    ap.add_argument("--only", nargs="*", help="model names to run")
    ap.add_argument("--timeout", type=int, default=180, help="seconds per mirt run")
    ap.add_argument("--markdown", help="also write the table as Markdown to this file")
    a = ap.parse_args()
    models = {}
    for source in (torchvision_models, transformer_models):
        try:
            models.update(source())
        except Exception as e:  # a missing package skips its models
            print(f"skipping {source.__name__}: {e}", flush=True)
    report = []
    for name, (build, shape) in models.items():
        if a.only and name not in a.only:
            continue
        path = os.path.join(a.out, name + ".onnx")
        entry = {"model": name, "input": list(shape)}
        try:
            export(name, build, shape, path)
        except Exception as e:
            entry["export"] = f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"
            report.append(entry)
            print(f"{name}: export failed: {entry['export']}", flush=True)
            continue
        for backend in a.backends:
            entry[backend] = run_mirt(a.mirt, path, backend, a.timeout, os.path.join(a.out, f"{name}-{backend}.log"))
            print(f"{name} [{backend}]: {entry[backend]['result']} {entry[backend].get('detail', '')}", flush=True)
        report.append(entry)
        os.remove(path)
    with open(os.path.join(a.out, "sweep.json"), "w") as f:
        json.dump(report, f, indent=1)
    summary = []
    for backend in a.backends:
        passed = sum(1 for e in report if e.get(backend, {}).get("result") == "PASSED")
        summary.append(f"{backend}: {passed} of {len(report)} models PASSED")
        print(summary[-1])
    if a.markdown:
        write_markdown(a.markdown, report, a.backends, summary)
    return 0


def write_markdown(path, report, backends, summary):
    rows = ["| model | input | " + " | ".join(backends) + " |", "|---|---|" + "---|" * len(backends)]
    for e in report:
        cells = []
        for b in backends:
            r = e.get(b)
            cells.append("export failed: " + e["export"][:120] if r is None else
                         r["result"] if r["result"] == "PASSED" else f"{r['result']}: {r.get('detail', '')[:160]}")
        rows.append(f"| {e['model']} | {'x'.join(map(str, e['input']))} | " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    with open(path, "w") as f:
        f.write("\n".join(rows + ["", "; ".join(summary), ""]))


if __name__ == "__main__":
    sys.exit(main())
