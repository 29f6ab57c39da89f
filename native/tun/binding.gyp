# Two addons from one set of sources: causeway_tun (the product, staged by
# scripts/packaging/bundle.mjs) and causeway_tun_test (the same plus the coalesce() test hook of
# test_addon.c, loaded only by test/unit/engine/tun/test-addon.ts), which nothing stages or ships.
{
  "variables": {
    "tun_sources": [
      "napi_helpers.c", "lifetime.c", "open.c", "attach.c", "read.c", "write.c", "info.c",
      "fdpass_js.c", "exports.c", "fdpass.c", "gso.c", "gso_udp.c", "ack_thin.c", "gso_read.c"
    ]
  },
  "target_defaults": {
    "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
    # Hidden by default: the names the files share (tun.h) link inside the addon only, and the
    # dynamic linker can never bind one to a same-named symbol of the process that loads it.
    # NAPI_MODULE_INIT marks the one entry point visible.
    "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-fvisibility=hidden"]
  },
  "targets": [
    {
      "target_name": "causeway_tun",
      "sources": ["causeway_tun.c", "<@(tun_sources)"],
      "conditions": [["OS!='linux'", { "type": "none", "sources": [] }]]
    },
    {
      "target_name": "causeway_tun_test",
      "sources": ["test_addon.c", "<@(tun_sources)"],
      "conditions": [["OS!='linux'", { "type": "none", "sources": [] }]]
    }
  ]
}
