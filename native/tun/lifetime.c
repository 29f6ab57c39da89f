// The handle's lifetime and its poll. A handle is closed by JS (close()), by the garbage collector
// (the external's finalizer) or by the environment going away (worker, process exit), whichever
// comes first; the fd is closed at once, the memory only when both libuv (uv_close) and JS (the
// finalizer) are done with it. uv_poll is level-triggered on the JS thread's loop, started only
// for what JS asked for (reading, a writable notice).
#include "tun.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

static void on_poll(uv_poll_t *handle, int status, int events);

static void on_closed(uv_handle_t *handle) {
  tun_t *t = handle->data;
  t->close_done = 1;
  free(t->slab);
  free(t->bounds);
  free(t->thinned);
  t->slab = NULL;
  t->bounds = NULL;
  t->thinned = NULL;
  if (t->finalized) free(t);
}

// Idempotent. The fd is closed synchronously so the kernel sees the detach at once; the poll
// handle's memory is released later by on_closed.
void tun_close(tun_t *t) {
  if (t->closed) return;
  t->closed = 1;
  uv_poll_stop(&t->poll);
  t->poll_events = 0;
  close(t->fd);
  t->fd = -1;
  if (!t->in_cleanup) napi_remove_env_cleanup_hook(t->env, tun_cleanup_hook, t);
  napi_delete_reference(t->env, t->on_read);
  napi_delete_reference(t->env, t->on_writable);
  napi_delete_reference(t->env, t->on_error);
  napi_async_destroy(t->env, t->async_ctx);
  uv_close((uv_handle_t *)&t->poll, on_closed);
}

// The environment is going away (process exit, worker termination) with the device still open.
void tun_cleanup_hook(void *arg) {
  tun_t *t = arg;
  t->in_cleanup = 1;
  tun_close(t);
}

// The JS side dropped the handle without closing it: close it for them.
void tun_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  tun_t *t = data;
  t->finalized = 1;
  tun_close(t);
  if (t->close_done) free(t);
}

int tun_update_poll(tun_t *t) {
  if (t->closed) return 0;
  int ev = (t->reading ? UV_READABLE : 0) | (t->want_writable ? UV_WRITABLE : 0);
  if (ev == t->poll_events) return 0;
  int r = ev ? uv_poll_start(&t->poll, ev, on_poll) : uv_poll_stop(&t->poll);
  if (r == 0) t->poll_events = ev;
  return r;
}

void tun_call_js(tun_t *t, napi_ref ref, size_t argc, napi_value *argv) {
  napi_env env = t->env;
  napi_value fn, recv;
  if (napi_get_reference_value(env, ref, &fn) != napi_ok || fn == NULL) return;
  napi_get_global(env, &recv);  // napi_make_callback insists on an object receiver
  if (napi_make_callback(env, t->async_ctx, recv, fn, argc, argv, NULL) != napi_ok) {
    // Nothing above us to catch it: hand it to process 'uncaughtException' like any callback.
    bool pending = false;
    napi_value exc;
    napi_is_exception_pending(env, &pending);
    if (pending && napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
  }
}

void tun_report_error(tun_t *t, napi_value error) {
  t->reading = 0;
  t->want_writable = 0;
  tun_update_poll(t);
  tun_call_js(t, t->on_error, 1, &error);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  tun_t *t = handle->data;
  if (t->closed) return;
  if (status < 0) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(t->env, &scope) != napi_ok) return;
    tun_report_error(t, tun_errno_error(t->env, -status, "poll", t->name));
    napi_close_handle_scope(t->env, scope);
    return;
  }
  if ((events & UV_WRITABLE) && t->want_writable) {
    t->want_writable = 0;
    tun_update_poll(t);
    napi_handle_scope scope;
    if (napi_open_handle_scope(t->env, &scope) != napi_ok) return;
    tun_call_js(t, t->on_writable, 0, NULL);
    napi_close_handle_scope(t->env, scope);
    if (t->closed) return;
  }
  if ((events & UV_READABLE) && t->reading) tun_drain(t);
}

napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = tun_get_handle(env, argv[0]);
  if (t != NULL) tun_close(t);
  return NULL;
}
