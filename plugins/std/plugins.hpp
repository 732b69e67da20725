// plugins/std/plugins.hpp — the creators of the standard plugin library (one file per plugin).
#pragma once

#include "mirt/plugin.h"

namespace mirt_std_plugins {

extern const mirt_plugin_creator fast_gelu_creator;        // com.microsoft::FastGelu
extern const mirt_plugin_creator skip_layer_norm_creator;  // com.microsoft::SkipLayerNormalization
extern const mirt_plugin_creator efficient_nms_creator;    // mirt.plugins::EfficientNMS

}  // namespace mirt_std_plugins
