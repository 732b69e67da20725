/* mirt/network.h — the network definition: inputs, constants, layers (ops) and outputs.
 *
 * Ops enter through one generic call, mirt_network_add_layer(): an op type (ONNX operator names and
 * semantics, e.g. "Conv", "Gemm", "Relu"), a domain ("" for the standard set, or a plugin's domain),
 * named typed attributes and input tensors. A new op therefore never changes this ABI.
 * docs/ops.md lists the ops mirt knows and their attributes.
 *
 * Threading: a network is used by one thread at a time.
 */
#ifndef MIRT_NETWORK_H
#define MIRT_NETWORK_H

#include "mirt/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A network definition. Owns its tensors and copies of all constant data. */
typedef struct mirt_network mirt_network;
/* A tensor of a network. Owned by the network; valid until the network is destroyed. */
typedef struct mirt_tensor mirt_tensor;

typedef struct mirt_network_options {
  uint32_t struct_size;
  mirt_string_view name; /* optional; shown by tools and recorded in plans */
} mirt_network_options;
#define MIRT_NETWORK_OPTIONS_INIT {sizeof(mirt_network_options), {NULL, 0}}

/* Creates an empty network.
 * options: may be NULL for defaults.
 * out_network: receives the network; the caller frees it with mirt_network_destroy().
 * Returns INVALID_ARGUMENT when out_network is NULL. */
MIRT_API mirt_status mirt_network_create(const mirt_network_options* options, mirt_network** out_network);
/* Frees network and all its tensors. NULL is a no-op. */
MIRT_API void mirt_network_destroy(mirt_network* network);

/* Adds a graph input.
 * name: unique among the network's tensors.
 * dims: rank extents; MIRT_DYNAMIC_DIM (-1) marks a dimension set at run time (give its range in an
 *   optimization profile, see mirt/builder.h).
 * dim_names: NULL, or rank names; a non-empty name gives a symbolic dimension (equal names are equal
 *   extents across inputs, e.g. "batch").
 * out_tensor: receives the tensor (owned by network); may be NULL.
 * Returns ALREADY_EXISTS for a taken name, INVALID_ARGUMENT for rank > MIRT_MAX_RANK, a dim < -1 or
 * an undefined dtype. */
MIRT_API mirt_status mirt_network_add_input(mirt_network* network, mirt_string_view name, mirt_dtype dtype,
                                            size_t rank, const int64_t* dims, const mirt_string_view* dim_names,
                                            mirt_tensor** out_tensor);

/* Adds a constant (weights). data holds product(dims) elements of dtype, row-major, and is copied.
 * Returns INVALID_ARGUMENT when data_size does not equal product(dims) * mirt_dtype_size(dtype). */
MIRT_API mirt_status mirt_network_add_constant(mirt_network* network, mirt_string_view name, mirt_dtype dtype,
                                               size_t rank, const int64_t* dims, const void* data,
                                               size_t data_size, mirt_tensor** out_tensor);

typedef enum mirt_attribute_type {
  MIRT_ATTRIBUTE_TYPE_UNDEFINED = 0,
  MIRT_ATTRIBUTE_TYPE_INT = 1,     /* ints[0] */
  MIRT_ATTRIBUTE_TYPE_FLOAT = 2,   /* floats[0] */
  MIRT_ATTRIBUTE_TYPE_STRING = 3,  /* strings[0] */
  MIRT_ATTRIBUTE_TYPE_INTS = 4,    /* ints[0..count) */
  MIRT_ATTRIBUTE_TYPE_FLOATS = 5,  /* floats[0..count) */
  MIRT_ATTRIBUTE_TYPE_STRINGS = 6, /* strings[0..count) */
  MIRT_ATTRIBUTE_TYPE_FORCE32 = 0x7FFFFFFF
} mirt_attribute_type;

/* A named typed attribute. Only the array that matches type is read; count is 1 for scalars. */
typedef struct mirt_attribute {
  mirt_string_view name;
  mirt_attribute_type type;
  size_t count;
  const int64_t* ints;
  const float* floats;
  const mirt_string_view* strings;
} mirt_attribute;

/* Lower-case name of an attribute type ("int", "floats", ...); "undefined" for unknown values.
 * Static storage; thread-safe. */
MIRT_API const char* mirt_attribute_type_name(mirt_attribute_type type);

/* A subgraph attribute of a control-flow layer (If: "then_branch", "else_branch"; Loop and Scan:
 * "body"): a body network made with mirt_network_create_body() for the network the layer is added to. */
typedef struct mirt_body_attribute {
  mirt_string_view name;
  const struct mirt_network* body;
} mirt_body_attribute;

/* Describes one layer for mirt_network_add_layer(). */
typedef struct mirt_layer_desc {
  uint32_t struct_size;
  mirt_string_view op_type;  /* e.g. "Conv"; required */
  mirt_string_view domain;   /* "" (or "ai.onnx") for standard ops, else a plugin namespace */
  mirt_string_view name;     /* unique layer name; generated ("Conv_3") when empty */
  size_t num_inputs;
  mirt_tensor* const* inputs; /* num_inputs tensors of this network; NULL marks an omitted optional input */
  size_t num_attributes;
  const mirt_attribute* attributes;
  size_t num_outputs;                 /* 0 means the op's default output count (a plugin op's own count) */
  /* NULL, or num_outputs names; an empty name becomes the layer's name (one output) or
   * "<layer>:<index>" (several). */
  const mirt_string_view* output_names;
  /* since 0.1 */
  /* For a plugin op: the plugin version to use; empty for the newest registered one. */
  mirt_string_view plugin_version;
  /* since 0.1 (control flow) */
  /* The subgraph attributes of a control-flow layer (If, Loop, Scan; docs/control-flow.md). Each
   * body is copied into the layer; the layer gets one extra input per outer-scope value its bodies
   * use, after its own inputs. */
  size_t num_bodies;
  const mirt_body_attribute* bodies;
} mirt_layer_desc;
#define MIRT_LAYER_DESC_INIT {sizeof(mirt_layer_desc), {NULL, 0}, {NULL, 0}, {NULL, 0}, 0, NULL, 0, NULL, 0, NULL, {NULL, 0}, 0, NULL}

/* Adds a layer. The op type and attributes are checked against the op's schema now; shapes are
 * checked by the builder (mirt_builder_build), whose error names the layer.
 * out_outputs: NULL, or an array with room for the layer's output count, which receives its
 *   output tensors (owned by network).
 * Returns INVALID_GRAPH naming the layer for an unknown attribute, a wrong attribute type, a missing
 * required attribute or a wrong input count; ALREADY_EXISTS for a taken layer or output name.
 * An op of another domain is a plugin op when a plugin creator of that namespace and name is
 * registered (mirt/plugin.h): its attributes are the creator's fields and are checked against its
 * field list now. An op type nobody knows yet is accepted when domain is not the standard one (a
 * plugin library may supply it by build time). */
MIRT_API mirt_status mirt_network_add_layer(mirt_network* network, const mirt_layer_desc* desc,
                                            mirt_tensor** out_outputs);

/* ---- Control flow (docs/control-flow.md) ---------------------------------------------------- */

/* Creates an empty body network for a control-flow layer (If, Loop, Scan) of parent.
 * A body's layers may take tensors of parent, or of parent's own parents, as inputs: outer-scope
 * values, which the body reads without copying them in by hand (ONNX's outer-scope names).
 * Its formal inputs are added with mirt_network_add_body_input() in the op's order, its outputs
 * marked with mirt_network_mark_output(); constants and layers are added as to any network.
 * name: optional, for messages ("then_branch").
 * out_body: receives the body; the caller frees it with mirt_network_destroy() once the layer that
 *   takes it is added (the layer keeps a copy). It must not be used after parent is destroyed.
 * Returns INVALID_ARGUMENT when parent or out_body is NULL.
 * Threading: a body and its parents are used by one thread at a time. */
MIRT_API mirt_status mirt_network_create_body(mirt_network* parent, mirt_string_view name,
                                              mirt_network** out_body);

/* Adds a formal input to body (made by mirt_network_create_body). Its type comes from the layer that
 * takes the body, when the network is built: If's branches have none; Loop's body takes the
 * iteration number (int64 scalar), the condition (bool scalar) and the loop-carried values; Scan's
 * body takes the state values and one slice of each scan input.
 * out_tensor: receives the tensor (owned by body); may be NULL.
 * Returns INVALID_ARGUMENT when body is not a body network, ALREADY_EXISTS for a taken name. */
MIRT_API mirt_status mirt_network_add_body_input(mirt_network* body, mirt_string_view name,
                                                 mirt_tensor** out_tensor);

/* Marks tensor as a network output (in call order). */
MIRT_API mirt_status mirt_network_mark_output(mirt_network* network, mirt_tensor* tensor);

/* Finds a tensor by name; NOT_FOUND names the tensor when there is none. */
MIRT_API mirt_status mirt_network_find_tensor(const mirt_network* network, mirt_string_view name,
                                              mirt_tensor** out_tensor);

/* Counts of the network's parts. NULL network gives 0. */
MIRT_API size_t mirt_network_num_inputs(const mirt_network* network);
MIRT_API size_t mirt_network_num_outputs(const mirt_network* network);
MIRT_API size_t mirt_network_num_layers(const mirt_network* network);
/* The index-th input/output tensor, or NULL when out of range. */
MIRT_API mirt_tensor* mirt_network_get_input(const mirt_network* network, size_t index);
MIRT_API mirt_tensor* mirt_network_get_output(const mirt_network* network, size_t index);

/* The tensor's name, valid while the network lives. */
MIRT_API mirt_string_view mirt_tensor_get_name(const mirt_tensor* tensor);
/* The tensor's dtype as declared or as inferred so far (UNDEFINED before inference for layer outputs). */
MIRT_API mirt_dtype mirt_tensor_get_dtype(const mirt_tensor* tensor);
/* The tensor's rank and dims as declared (inputs and constants), or for a layer output as
 * mirt_network_infer_types inferred them; -1 where dynamic. Writes at most MIRT_MAX_RANK dims.
 * Returns the rank, or 0 when unknown. */
MIRT_API size_t mirt_tensor_get_dims(const mirt_tensor* tensor, int64_t* out_dims);

/* since 0.1 (output checks) */
/* Infers the dtype and shape of every tensor of network as defined so far, as the builder does
 * (inputs at their declared dims, dynamic dims unknown), so that mirt_tensor_get_dtype and
 * mirt_tensor_get_dims report layer outputs too (TensorRT's ITensor::getType and getDimensions on
 * a network definition); the ONNX parser uses it to check a model's declared output types. Layers
 * added afterwards stay unknown until the next call. The network itself is not changed.
 * Returns INVALID_ARGUMENT for NULL or a control-flow body (its input types come from the layer that
 * takes it), else inference's error naming the layer, its op and the shapes when the network does
 * not infer (inputs that do not fit a layer, a plugin op whose library is not loaded yet), after
 * which no layer output is known.
 * Threading: not thread-safe against other calls on the same network. */
MIRT_API mirt_status mirt_network_infer_types(mirt_network* network);

#ifdef __cplusplus
}
#endif

#endif /* MIRT_NETWORK_H */
