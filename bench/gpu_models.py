"""The models bench_gpu.py times: ResNet-50 (torchvision) and BERT-base (transformers), random
weights with a fixed seed, nothing downloaded. Each comes as a PyTorch module (eval) and as an ONNX
file exported from that same module (opset 17, dynamic batch axis) into a temporary folder.

Runs where PyTorch, torchvision and transformers are installed (the GPU machine); not an API.
"""
import os
import time
import warnings

import torch

SEQ = 128  # BERT sequence length


class BertWrapper(torch.nn.Module):
    """BertModel with plain tensor outputs (last_hidden_state, pooler_output) for export and timing.

    The 2-D padding mask is turned into BERT's classic additive 4-D mask here ((1 - mask) * dtype
    min, shape [batch, 1, 1, seq]) and token_type_ids / position_ids are passed as constant [1, seq]
    buffers. That is the computation BertModel does itself, but its own mask and id helpers
    (transformers 5: masking_utils, arange-based) export as Range/GatherElements/ConstantOfShape
    graphs that mirt's cuda backend does not run (Range int64: bench/GPU.md). transformers
    returns a 4-D mask as it is (masking_utils._preprocess_mask_arguments). PyTorch is timed on
    this same wrapper."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert
        self.register_buffer("position_ids", torch.arange(SEQ, dtype=torch.int64)[None, :], persistent=False)
        self.register_buffer("token_type_ids", torch.zeros(1, SEQ, dtype=torch.int64), persistent=False)

    def forward(self, input_ids, attention_mask):
        dtype = self.bert.embeddings.word_embeddings.weight.dtype
        ext = (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
        out = self.bert(input_ids=input_ids, attention_mask=ext, token_type_ids=self.token_type_ids,
                        position_ids=self.position_ids, return_dict=False)
        return out[0], out[1]


def make_resnet50():
    import torchvision
    torch.manual_seed(0)
    return torchvision.models.resnet50(weights=None).eval()


def make_bert(attn_implementation="sdpa"):
    from transformers import BertConfig, BertModel
    torch.manual_seed(0)
    cfg = BertConfig()  # bert-base: 12 layers, hidden 768, 12 heads, intermediate 3072
    try:
        cfg._attn_implementation = attn_implementation
    except Exception:  # noqa: BLE001 - older/newer config classes
        pass
    bert = BertModel(cfg)  # same seed: the same weights whatever the attention implementation
    if hasattr(bert, "set_attn_implementation"):
        try:
            bert.set_attn_implementation(attn_implementation)
        except Exception:  # noqa: BLE001
            pass
    impl = getattr(bert.config, "_attn_implementation", None)
    wrapper = BertWrapper(bert.eval()).eval()
    wrapper.attn_implementation = impl
    return wrapper


def resnet_inputs(batch, device="cuda", seed=1):
    g = torch.Generator(device="cpu").manual_seed(seed + batch)
    return {"input": torch.randn(batch, 3, 224, 224, generator=g).to(device)}


def bert_inputs(batch, device="cuda", seed=1):
    g = torch.Generator(device="cpu").manual_seed(seed + batch)
    ids = torch.randint(0, 30522, (batch, SEQ), generator=g, dtype=torch.int64)
    mask = torch.ones(batch, SEQ, dtype=torch.int64)
    for b in range(batch):  # every other sequence padded: a mask that is not all ones
        if b % 2 == 1:
            mask[b, SEQ // 2 + (b * 7) % (SEQ // 2):] = 0
    return {"input_ids": ids.to(device), "attention_mask": mask.to(device)}


MODELS = {
    "resnet50": {"make": make_resnet50, "inputs": resnet_inputs, "input_names": ["input"],
                 "output_names": ["logits"], "unit": "img"},
    "bert_base": {"make": make_bert, "inputs": bert_inputs, "input_names": ["input_ids", "attention_mask"],
                  "output_names": ["last_hidden_state", "pooler_output"], "unit": "seq"},
}


def export_onnx(name, folder, log=print):
    """Exports model `name` to folder/name.onnx (opset 17, dynamic batch). Returns (path, info).
    Tries the TorchScript exporter first (dynamo=False: plain opset-17 graphs), then the dynamo one."""
    spec = MODELS[name]
    if name == "bert_base":
        model = make_bert("eager")  # the attention as MatMul/Softmax: what an ONNX consumer gets
    else:
        model = spec["make"]()
    model = model.float().cpu().eval()
    args = tuple(spec["inputs"](2, device="cpu").values())
    path = os.path.join(folder, f"{name}.onnx")
    names = spec["input_names"] + spec["output_names"]
    dyn = {n: {0: "batch"} for n in names}
    info = {"opset": 17}
    t0 = time.perf_counter()
    errors = []
    for dynamo in (False, True):
        try:
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                kw = dict(opset_version=17, input_names=spec["input_names"], output_names=spec["output_names"])
                if dynamo:
                    batch = torch.export.Dim("batch", min=1, max=1024)
                    shapes = {k: {0: batch} for k in spec["input_names"]}
                    if name == "bert_base":
                        shapes = {"input_ids": {0: batch}, "attention_mask": {0: batch}}
                    torch.onnx.export(model, args, path, dynamo=True, dynamic_shapes=shapes, external_data=False, **kw)
                else:
                    torch.onnx.export(model, args, path, dynamo=False, dynamic_axes=dyn, do_constant_folding=True, **kw)
            info["exporter"] = "dynamo" if dynamo else "torchscript"
            break
        except Exception as e:  # noqa: BLE001 - report and try the other exporter
            errors.append(f"dynamo={dynamo}: {type(e).__name__}: {str(e)[:400]}")
            log(f"export of {name} with dynamo={dynamo} failed: {errors[-1]}")
    else:
        raise RuntimeError(f"could not export {name}: {errors}")
    info["export_s"] = round(time.perf_counter() - t0, 2)
    info["bytes"] = os.path.getsize(path)
    if errors:
        info["export_errors"] = errors
    try:
        import onnx
        m = onnx.load(path, load_external_data=False)
        ops = {}
        for n in m.graph.node:
            ops[n.op_type] = ops.get(n.op_type, 0) + 1
        info["ops"] = dict(sorted(ops.items()))
        info["opset_imports"] = {o.domain or "ai.onnx": o.version for o in m.opset_import}
    except Exception as e:  # noqa: BLE001
        info["ops_error"] = str(e)
    if name == "bert_base":
        info["attn_implementation"] = getattr(model, "attn_implementation", None)
    return path, info
