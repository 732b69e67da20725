// backends/cuda/runtime_control.hpp — the backend vtable's runtime controls (mirt/backend.h,
// appended group): device selection, events, persisting-L2 window, NVTX ranges, pointer check,
// the tactic timer's device clock, graph replay.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mirt/backend.h"

namespace mirt::cuda {

mirt_status set_device(int32_t device_id);
mirt_status event_record(void* event, void* stream);
size_t persisting_cache_max();
mirt_status stream_set_persisting_window(void* stream, void* base, size_t size, size_t limit);
void range_push(const char* name, void* stream);
void range_pop(void* stream);
int32_t is_device_memory(const void* ptr);
mirt_status time_calls(mirt_status (*run)(void* user), void* user, void* stream, int32_t calls, float* out_ms);

// graph_replay.cpp: a run recorded into a CUDA graph and launched.
mirt_status graph_record_begin(void* stream);
mirt_status graph_record_end(void* stream, void* previous, void** out_graph);
mirt_status graph_launch(void* graph, void* stream);
void graph_destroy(void* graph);

}  // namespace mirt::cuda
