{
  "targets": [
    {
      "target_name": "causeway_tun",
      "sources": ["causeway_tun.c", "fdpass.c", "gso.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources": [] }]
      ]
    }
  ]
}
