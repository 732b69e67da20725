// core/registry/host_api.cpp — the services table (mirt_host_api) that modules call back into.
#include "core/base/log.hpp"
#include "core/registry/registry.hpp"
#include "mirt/network.h"

namespace mirt {

namespace {

void host_log(mirt_log_level level, const char* source, const char* message) {
  log(level, source ? source : "module", message ? message : "");
}

const mirt_host_api host_table = {
    sizeof(mirt_host_api),
    MIRT_ABI_VERSION,
    mirt_status_create,
    host_log,
    mirt_network_add_input,
    mirt_network_add_constant,
    mirt_network_add_layer,
    mirt_network_mark_output,
    mirt_network_find_tensor,
    mirt_status_get_code,
    mirt_status_get_message,
    mirt_status_destroy,
    mirt_network_create_body,
    mirt_network_add_body_input,
    mirt_network_destroy,
    mirt_network_infer_types,
    mirt_tensor_get_dtype,
    mirt_tensor_get_dims,
};

}  // namespace

const mirt_host_api* host_api() { return &host_table; }

}  // namespace mirt
