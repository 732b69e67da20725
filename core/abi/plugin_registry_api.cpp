// core/abi/plugin_registry_api.cpp — the plugin-creator calls of mirt/registry.h.
#include "core/base/c_status.hpp"
#include "core/plugin/plugin_registry.hpp"
#include "mirt/registry.h"

using mirt::to_c_status;

extern "C" {

MIRT_EXPORT mirt_status mirt_registry_register_plugin_creator(const mirt_plugin_creator* creator) {
  MIRT_C_GUARD_BEGIN
  return to_c_status(mirt::plugin_registry::instance().add(creator, "", nullptr));
  MIRT_C_GUARD_END
}

MIRT_EXPORT size_t mirt_registry_num_plugin_creators(void) {
  try {
    return mirt::plugin_registry::instance().list().size();
  } catch (...) {
    return 0;
  }
}

MIRT_EXPORT mirt_status mirt_registry_get_plugin_creator(size_t index, mirt_plugin_creator_info* out_info) {
  MIRT_C_GUARD_BEGIN
  if (!out_info || out_info->struct_size < sizeof(mirt_plugin_creator_info))
    return to_c_status({MIRT_STATUS_INVALID_ARGUMENT,
                        "mirt_registry_get_plugin_creator: initialize out_info with MIRT_PLUGIN_CREATOR_INFO_INIT"});
  std::vector<const mirt::plugin_creator_record*> all = mirt::plugin_registry::instance().list();
  if (index >= all.size())
    return to_c_status({MIRT_STATUS_INVALID_ARGUMENT, mirt::cat("mirt_registry_get_plugin_creator: index ", index,
                                                                " is out of range; ", all.size(),
                                                                " creators are registered")});
  mirt_plugin_creator_info info = MIRT_PLUGIN_CREATOR_INFO_INIT;
  info.creator = all[index]->creator;
  info.library_path = mirt::to_c_view(all[index]->library_path);  // records never move or die
  *out_info = info;
  return nullptr;
  MIRT_C_GUARD_END
}

}  // extern "C"
