// tools/mirt/onnxrt_process.hpp — runs ONNX Runtime for `mirt run --onnxrt` through a Python helper
// (onnxrt_runner.py) in a child process; inputs and outputs travel as .npz files.
#pragma once

#include <string>
#include <vector>

#include "npz.hpp"

namespace mirt::cli {

// Where onnxrt_runner.py is: $MIRT_ONNXRT_RUNNER, else beside the mirt executable (build tree), else
// <prefix>/share/mirt beside <prefix>/bin/mirt. Throws std::runtime_error naming the places tried.
std::string find_onnxrt_runner();

// Runs model in ONNX Runtime (CPU provider) on inputs with `python onnxrt_runner.py` in a child
// process and returns its outputs. workdir holds the exchanged files. Throws std::runtime_error with
// the reason when python cannot be started, numpy/onnxruntime are missing, an input is missing or
// ONNX Runtime fails (the helper's own message goes to stderr).
std::vector<npy_array> run_onnxrt(const std::string& python, const std::string& model, const std::vector<npy_array>& inputs,
                                  const std::string& workdir);

}  // namespace mirt::cli
