// backends/cuda/kernels/attention_hopper.hpp — FusedAttention on Hopper's warpgroup MMA for short
// sequences (attention_hopper.cu, built for sm_90a only).
#pragma once

#include "backends/cuda/kernels/attention.hpp"

namespace mirt::cuda {

// Whether the wgmma kernel takes p: float16 or bfloat16, head size 64 for Q, K and V, 1 to 128
// keys, a mask (if any) the same for every query of a head, 16-byte aligned rows. The device is
// not asked: the module runs on sm_90 only, and the tactic that calls this exists only there.
bool attention_hopper_takes(const attention_params& p);

// The wgmma kernel where it takes p, else launch_attention's kernels (a dynamic shape may leave
// its range at run time).
status launch_attention_hopper(const attention_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
