// backends/cuda/kernels/device_timer.hpp — a kernel that keeps the device busy for a while, so that
// calls the host issues meanwhile queue up and run back to back (the tactic timer's device clock).
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// One thread that spins for `cycles` clock cycles of its SM on stream.
status launch_busy_wait(long long cycles, cudaStream_t stream);

}  // namespace mirt::cuda
