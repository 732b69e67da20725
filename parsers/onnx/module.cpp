// parsers/onnx/module.cpp — the module's one export: mirt_module_entry and the parser vtable.
#include <atomic>
#include <new>
#include <string>
#include <string_view>

#include "mirt/module.h"
#include "mirt/parser.h"
#include "parsers/onnx/model_importer.hpp"

namespace {

// The host's services, set by mirt_module_entry (the vtable's parse does not receive them).
std::atomic<const mirt_host_api*> g_host{nullptr};

mirt_status to_host_status(const mirt_host_api& host, mirt::onnx::status s) {
  if (s.ok()) return nullptr;
  if (s.from_host()) return s.release_host_status();
  const std::string& m = s.message();
  return host.status_create(s.code(), {m.data(), m.size()});
}

// The ABI edge: no exception leaves this function.
mirt_status parse(mirt_network* network, const void* data, size_t size, mirt_string_view base_dir) {
  const mirt_host_api* host = g_host.load();
  if (!host) return nullptr;  // unreachable: the vtable is only reachable through mirt_module_entry
  try {
    if (!network) return to_host_status(*host, {MIRT_STATUS_INVALID_ARGUMENT, "onnx parse: network is NULL"});
    std::string_view dir(base_dir.data ? base_dir.data : "", base_dir.data ? base_dir.length : 0);
    return to_host_status(*host, mirt::onnx::import_model(*host, network, data, size, dir));
  } catch (const std::bad_alloc&) {
    static const char message[] = "onnx parse: out of memory while reading the model";
    return host->status_create(MIRT_STATUS_OUT_OF_MEMORY, {message, sizeof message - 1});
  } catch (const std::exception& e) {
    std::string message = std::string("onnx parse: unexpected error (a bug in the parser): ") + e.what();
    return host->status_create(MIRT_STATUS_INTERNAL, {message.data(), message.size()});
  } catch (...) {
    static const char message[] = "onnx parse: unexpected non-standard exception (a bug in the parser)";
    return host->status_create(MIRT_STATUS_INTERNAL, {message, sizeof message - 1});
  }
}

const mirt_parser_vtable parser_vtable = {
    sizeof(mirt_parser_vtable),
    parse,
};

const mirt_module_desc module_desc = {
    sizeof(mirt_module_desc),
    MIRT_ABI_VERSION,
    "onnx",
    "0.1.0",
    MIRT_MODULE_KIND_PARSER,
    "ONNX model parser (protobuf ModelProto, opsets 1 and later, external data)",
    nullptr,  // score: default
    &parser_vtable,
};

}  // namespace

// Returns NULL for a host of another ABI version or one whose table lacks the network calls.
extern "C" MIRT_EXPORT const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version, const mirt_host_api* host) {
  if (host_abi_version != MIRT_ABI_VERSION || !host) return nullptr;
  if (host->struct_size < offsetof(mirt_host_api, network_find_tensor) + sizeof(host->network_find_tensor))
    return nullptr;
  if (!host->status_create || !host->network_add_input || !host->network_add_constant || !host->network_add_layer ||
      !host->network_mark_output)
    return nullptr;
  g_host.store(host);
  return &module_desc;
}
