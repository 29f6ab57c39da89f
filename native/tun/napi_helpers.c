// N-API helpers shared by the addon's files: errors shaped like Node's system errors (code,
// errno, syscall), and argument checks that leave a TypeError/RangeError pending and return 0, so
// every js_* function can validate in one line and return NULL.
#include "tun.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *errno_name(int err) {
  switch (err) {
    case EBADFD: return "EBADFD";  // libuv has no name for it; the kernel uses it for a detached TUN
    default: break;
  }
  const char *n = uv_err_name(-err);
  return (n != NULL && strncmp(n, "Unknown", 7) != 0) ? n : "EUNKNOWN";
}

// A JS Error shaped like Node's system errors: message, code, errno (negative), syscall.
napi_value tun_errno_error(napi_env env, int err, const char *syscall, const char *detail) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s %s%s%s: %s", syscall, errno_name(err), detail ? " " : "", detail ? detail : "",
           strerror(err));
  napi_value code, text, error, num, sys;
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_create_int32(env, -err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "syscall", sys);
  return error;
}

void tun_throw_errno(napi_env env, int err, const char *syscall, const char *detail) {
  napi_throw(env, tun_errno_error(env, err, syscall, detail));
}

// Throws for a failed N-API call unless something already did.
void tun_throw_pending_or(napi_env env, const char *message) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_NAPI", message);
}

// ---- argument helpers --------------------------------------------------------------------------

tun_t *tun_get_handle(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a TUN handle");
    return NULL;
  }
  return data;
}

int tun_get_u32(napi_env env, napi_value v, uint32_t lo, uint32_t hi, const char *what, uint32_t *out) {
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_number || napi_get_value_uint32(env, v, out) != napi_ok ||
      *out < lo || *out > hi) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be an integer in %u..%u", what, lo, hi);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return 0;
  }
  return 1;
}

int tun_is_function(napi_env env, napi_value v) {
  napi_valuetype type;
  return napi_typeof(env, v, &type) == napi_ok && type == napi_function;
}

int tun_get_bool(napi_env env, napi_value v, bool fallback, const char *what, bool *out) {
  napi_valuetype type;
  *out = fallback;
  if (napi_typeof(env, v, &type) != napi_ok) return 0;
  if (type == napi_undefined) return 1;
  if (type != napi_boolean || napi_get_value_bool(env, v, out) != napi_ok) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a boolean", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return 0;
  }
  return 1;
}

int tun_get_fd(napi_env env, napi_value v, const char *what, int *out) {
  uint32_t u;
  if (!tun_get_u32(env, v, 0, INT32_MAX, what, &u)) return 0;
  *out = (int)u;
  return 1;
}
