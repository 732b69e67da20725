#!/usr/bin/env python3
"""A stand-in for onnxrt_runner.py (set as $MIRT_ONNXRT_RUNNER) that runs the real one, then adds
PERTURB_BY (default 0.05) to element 0 of every float output: a reference that mirt's outputs must
not match, so `mirt run` has to report FAILED for it.

    REAL_ONNXRT_RUNNER=.../onnxrt_runner.py perturbing_onnxrt_runner.py MODEL IN.npz OUT.npz
"""
import os
import subprocess
import sys

import numpy as np

rc = subprocess.run([sys.executable, os.environ["REAL_ONNXRT_RUNNER"]] + sys.argv[1:]).returncode
if rc != 0:
    sys.exit(rc)
out = sys.argv[3]
with np.load(out) as npz:
    arrays = {k: npz[k].copy() for k in npz.files}
for a in arrays.values():
    if a.dtype.kind == "f" and a.size:
        a.reshape(-1)[0] += float(os.environ.get("PERTURB_BY", "0.05"))
np.savez(out, **arrays)
