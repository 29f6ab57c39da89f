// The product addon, causeway_tun.node: the API of exports.c and nothing else. What the files do is
// in tun.h; the test hook lives in test_addon.c, linked only into causeway_tun_test.node (binding.gyp).
#include "tun.h"

NAPI_MODULE_INIT() { return tun_define_exports(env, exports); }
