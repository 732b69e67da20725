/* mirt/mirt.h — the whole public C API of mirt. Include this one header.
 * Link with -lmirt (pkg-config mirt). Module authors also include mirt/backend.h or mirt/parser.h;
 * plugin authors include mirt/plugin.h. */
#ifndef MIRT_MIRT_H
#define MIRT_MIRT_H

#include "mirt/base.h"
#include "mirt/network.h"
#include "mirt/builder.h"
#include "mirt/runtime.h"
#include "mirt/module.h"
#include "mirt/registry.h"
#include "mirt/parser.h"
#include "mirt/plugin.h"

#endif /* MIRT_MIRT_H */
