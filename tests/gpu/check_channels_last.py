#!/usr/bin/env python3
"""tests/gpu/check_channels_last.py PLAN_JSON INPUT — checks a half-precision CNN plan (`mirt inspect
--json` of it) for the layout pass's work on the cuda backend: every convolution and MaxPool runs
channels-last (the image stem too, though the model's batch is dynamic), and the float32 input
reaches the region through one converting Reformat, not a Cast. Exit 1 naming what is not so."""
import json
import sys


def main():
    path, graph_input = sys.argv[1], sys.argv[2]
    with open(path) as f:
        layers = json.load(f)["layers"]
    problems = []
    for layer in layers:
        attrs = layer.get("attributes") or {}
        if layer["op"] in ("Conv", "FusedConv", "MaxPool") and attrs.get("layout") != "NHWC":
            problems.append(f"layer {layer['name']!r} ({layer['op']}) is not channels-last")
    readers = [layer for layer in layers if graph_input in layer["inputs"]]
    if [r["op"] for r in readers] != ["Reformat"] or (readers[0].get("attributes") or {}).get("to") != "NHWC":
        problems.append(f"input {graph_input!r} is read by {[(r['name'], r['op']) for r in readers]}, "
                        "expected one Reformat to NHWC")
    for p in problems:
        print("check_channels_last:", p)
    print("check_channels_last:", "ok" if not problems else "FAILED", f"({len(layers)} layers)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
