/* mirt/parser.h — model parsers (modules of kind PARSER) and the calls that use them.
 *
 * A parser fills a mirt_network from a model file through the host's network calls only. The
 * registry loads the parser module on the first parse call.
 */
#ifndef MIRT_PARSER_H
#define MIRT_PARSER_H

#include "mirt/base.h"
#include "mirt/module.h"
#include "mirt/network.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mirt_parser_vtable {
  uint32_t struct_size;
  /* since 0.1 */
  /* Parses size bytes at data into network. base_dir locates external data files ("" for none). */
  mirt_status (*parse)(mirt_network* network, const void* data, size_t size, mirt_string_view base_dir);
} mirt_parser_vtable;

/* Parses a model with the parser module named format ("onnx") into network (normally empty).
 * NOT_FOUND names the parser and the folders searched when it is not installed; IO_ERROR names
 * the path. */
MIRT_API mirt_status mirt_parser_parse_file(mirt_network* network, mirt_string_view format, mirt_string_view path);
/* Parses size bytes of a model; external data is looked up in base_dir. */
MIRT_API mirt_status mirt_parser_parse_bytes(mirt_network* network, mirt_string_view format, const void* data,
                                             size_t size, mirt_string_view base_dir);

/* ONNX sugar over the two calls above. */
MIRT_API mirt_status mirt_onnx_parse_file(mirt_network* network, mirt_string_view path);
MIRT_API mirt_status mirt_onnx_parse_bytes(mirt_network* network, const void* data, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* MIRT_PARSER_H */
