// plugins/std/library.cpp — the standard plugin library's entry point: ops real models contain that
// the core op set does not have (docs/plugins.md lists them).
#include "plugins/std/plugins.hpp"

#include "mirt/plugin.hpp"

MIRT_PLUGIN_LIBRARY("std", "0.1.0", "standard layer plugins: FastGelu, SkipLayerNormalization, EfficientNMS",
                    &mirt_std_plugins::fast_gelu_creator, &mirt_std_plugins::skip_layer_norm_creator,
                    &mirt_std_plugins::efficient_nms_creator)
