/* mirt/base.h — versions, export macros, strings, status objects and data types.
 *
 * Everything in abi/include/mirt/ is the stable contract of mirt; nothing else is API.
 * Rules that hold for every function in these headers unless its block says otherwise:
 *   - Fallible calls return a mirt_status. NULL means success; a non-NULL status is owned by the
 *     caller and released with mirt_status_destroy().
 *   - Outputs come last, carry an out_ prefix, and are left untouched when the call fails.
 *   - Strings passed in are UTF-8 mirt_string_view values and are copied when kept.
 *   - Every *_destroy() accepts NULL and does nothing then.
 *   - Option structs start with struct_size; set it with the matching MIRT_<NAME>_INIT macro.
 */
#ifndef MIRT_BASE_H
#define MIRT_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ------------------------------------------------------------------------------- */

/* Semantic version of the API. Plans record the exact version and are refused by any other. */
#define MIRT_VERSION_MAJOR 0
#define MIRT_VERSION_MINOR 1
#define MIRT_VERSION_PATCH 0
#define MIRT_VERSION_STRING "0.1.0"
#define MIRT_VERSION_NUMBER (MIRT_VERSION_MAJOR * 1000000 + MIRT_VERSION_MINOR * 1000 + MIRT_VERSION_PATCH)

/* Version of the module ABI (mirt/module.h and the vtables it names). A module built against
 * another value is refused by the registry with a message that names both. Bumped whenever a
 * shipped table changes in an incompatible way (appending a "since" group does not bump it). */
#define MIRT_ABI_VERSION 1

/* ---- Export and deprecation ----------------------------------------------------------------- */

#if defined(_WIN32)
#  define MIRT_EXPORT __declspec(dllexport)
#else
#  define MIRT_EXPORT __attribute__((visibility("default")))
#endif

#ifdef MIRT_BUILDING_LIBRARY
#  define MIRT_API MIRT_EXPORT
#else
#  define MIRT_API
#endif

/* MIRT_DEPRECATED("since 0.3; use mirt_x_v2") marks a call that keeps working for the period
 * stated in docs/versioning.md, and is listed in CHANGELOG.md. */
#if defined(__GNUC__) || defined(__clang__)
#  define MIRT_DEPRECATED(why) __attribute__((deprecated(why)))
#else
#  define MIRT_DEPRECATED(why)
#endif

/* The version of the library actually loaded, as "MAJOR.MINOR.PATCH". Never NULL; static storage.
 * Compare with MIRT_VERSION_STRING to detect a header/library mismatch. Thread-safe. */
MIRT_API const char* mirt_version(void);
/* MIRT_VERSION_NUMBER of the loaded library. Thread-safe. */
MIRT_API uint32_t mirt_version_number(void);
/* MIRT_ABI_VERSION of the loaded library. Thread-safe. */
MIRT_API uint32_t mirt_abi_version(void);

/* ---- Strings -------------------------------------------------------------------------------- */

/* A UTF-8 string that need not be NUL-terminated. {NULL, 0} is the empty string. */
typedef struct mirt_string_view {
  const char* data;
  size_t length;
} mirt_string_view;

/* A view of a NUL-terminated literal or C string (NULL gives the empty view). */
MIRT_API mirt_string_view mirt_string_view_of(const char* c_string);

/* Frees a string that mirt returned through a char** out parameter. NULL is a no-op. */
MIRT_API void mirt_string_free(char* string);

/* ---- Status --------------------------------------------------------------------------------- */

typedef enum mirt_status_code {
  MIRT_STATUS_OK = 0,                   /* success; never carried by a non-NULL status */
  MIRT_STATUS_INVALID_ARGUMENT = 1,     /* a parameter has a value the call cannot take */
  MIRT_STATUS_INVALID_GRAPH = 2,        /* the network breaks a rule: cycle, dangling input, bad attribute */
  MIRT_STATUS_INVALID_SHAPE = 3,        /* a shape does not fit an op, a profile or a buffer */
  MIRT_STATUS_NOT_FOUND = 4,            /* a named tensor, module, file or profile does not exist */
  MIRT_STATUS_UNSUPPORTED = 5,          /* valid, but no installed module implements it */
  MIRT_STATUS_INCOMPATIBLE_VERSION = 6, /* plan or module from another mirt/ABI version */
  MIRT_STATUS_CORRUPT_DATA = 7,         /* a plan or model that is truncated or damaged */
  MIRT_STATUS_OUT_OF_MEMORY = 8,        /* an allocation failed; the message says how much */
  MIRT_STATUS_IO_ERROR = 9,             /* a file could not be read or written */
  MIRT_STATUS_MODULE_ERROR = 10,        /* a module could not be loaded or misbehaved */
  MIRT_STATUS_DEVICE_ERROR = 11,        /* the backend's device reported a failure */
  MIRT_STATUS_ALREADY_EXISTS = 12,      /* a name is taken (module, tensor, plugin creator) */
  MIRT_STATUS_FAILED_PRECONDITION = 13, /* the object is not in a state for this call (e.g. no shapes set) */
  MIRT_STATUS_INTERNAL = 14,            /* a bug in mirt; please report it with the message */
  MIRT_STATUS_CODE_FORCE32 = 0x7FFFFFFF
} mirt_status_code;

/* A failure: a code and a message that names the culprit. NULL is success. */
typedef struct mirt_status_impl* mirt_status;

/* Makes a status. Returns NULL when code is MIRT_STATUS_OK. The message is copied.
 * The caller owns the result (mirt_status_destroy). Thread-safe. */
MIRT_API mirt_status mirt_status_create(mirt_status_code code, mirt_string_view message);
/* The code of status; MIRT_STATUS_OK for NULL. */
MIRT_API mirt_status_code mirt_status_get_code(mirt_status status);
/* The message, NUL-terminated, valid until the status is destroyed; "" for NULL. */
MIRT_API const char* mirt_status_get_message(mirt_status status);
/* The name of a code, e.g. "INVALID_SHAPE". Static storage. */
MIRT_API const char* mirt_status_code_name(mirt_status_code code);
/* Releases status. NULL is a no-op. */
MIRT_API void mirt_status_destroy(mirt_status status);

/* ---- Data types ----------------------------------------------------------------------------- */

typedef enum mirt_dtype {
  MIRT_DTYPE_UNDEFINED = 0,
  MIRT_DTYPE_FLOAT32 = 1,
  MIRT_DTYPE_FLOAT16 = 2,
  MIRT_DTYPE_BFLOAT16 = 3,
  MIRT_DTYPE_INT8 = 4,
  MIRT_DTYPE_UINT8 = 5,
  MIRT_DTYPE_INT32 = 6,
  MIRT_DTYPE_INT64 = 7,
  MIRT_DTYPE_BOOL = 8,
  MIRT_DTYPE_FLOAT64 = 9,
  MIRT_DTYPE_FORCE32 = 0x7FFFFFFF
} mirt_dtype;

/* Bytes per element of dtype; 0 for MIRT_DTYPE_UNDEFINED or an unknown value. */
MIRT_API size_t mirt_dtype_size(mirt_dtype dtype);
/* Lower-case name ("float32"); "undefined" for unknown values. Static storage. */
MIRT_API const char* mirt_dtype_name(mirt_dtype dtype);

/* Largest tensor rank mirt handles. */
#define MIRT_MAX_RANK 8

/* A dimension whose extent is known only at run time. */
#define MIRT_DYNAMIC_DIM (-1)

/* Where a tensor's buffer lives. */
typedef enum mirt_tensor_location {
  MIRT_TENSOR_LOCATION_UNDEFINED = 0,
  MIRT_TENSOR_LOCATION_HOST = 1,   /* the address is host memory */
  MIRT_TENSOR_LOCATION_DEVICE = 2, /* the address is the backend's device memory */
  MIRT_TENSOR_LOCATION_FORCE32 = 0x7FFFFFFF
} mirt_tensor_location;

/* Direction of a copy between host memory and a backend's device memory. */
typedef enum mirt_copy_kind {
  MIRT_COPY_KIND_UNDEFINED = 0,
  MIRT_COPY_KIND_HOST_TO_DEVICE = 1,
  MIRT_COPY_KIND_DEVICE_TO_HOST = 2,
  MIRT_COPY_KIND_DEVICE_TO_DEVICE = 3,
  MIRT_COPY_KIND_FORCE32 = 0x7FFFFFFF
} mirt_copy_kind;

/* ---- Logging -------------------------------------------------------------------------------- */

typedef enum mirt_log_level {
  MIRT_LOG_LEVEL_UNDEFINED = 0,
  MIRT_LOG_LEVEL_ERROR = 1,
  MIRT_LOG_LEVEL_WARNING = 2,
  MIRT_LOG_LEVEL_INFO = 3,
  MIRT_LOG_LEVEL_VERBOSE = 4,
  MIRT_LOG_LEVEL_FORCE32 = 0x7FFFFFFF
} mirt_log_level;

/* Receives log lines. source names the component ("builder", "registry", a module name). */
typedef void (*mirt_log_fn)(void* user_data, mirt_log_level level, const char* source, const char* message);

/* Routes log lines at or below max_level to fn (NULL restores the default: warnings and errors
 * to stderr). Process-wide; thread-safe; fn may be called from any thread. */
MIRT_API void mirt_set_log_callback(mirt_log_fn fn, void* user_data, mirt_log_level max_level);

#ifdef __cplusplus
}
#endif

#endif /* MIRT_BASE_H */
