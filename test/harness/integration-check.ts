// Whether this machine can run the integration suites (root, Linux, the tools, the Debian SoftEther
// build the SSTP patch is made for), and node:test's skip built on it, which refuses to skip in CI.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from './netns.js';
import { VPNCMD } from './softether-vpncmd.js';
import { DEBIAN_VPNSERVER, DEBIAN_VPNSERVER_SHA256, sha256Hex } from './vpnserver-patch.js';

export type IntegrationCheck = { ok: true } | { ok: false; why: string };

const REQUIRED_TOOLS = ['ip', 'unshare', 'setpriv', 'timeout', 'openssl', 'sh', 'mount', 'tinyproxy', 'nginx'] as const;

/** Root on Linux: what network namespaces and bind mounts need. */
export function requireRoot(): IntegrationCheck {
  if (process.platform !== 'linux')
    return { ok: false, why: `integration tests need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0)
    return { ok: false, why: 'integration tests need root (network namespaces, bind mounts)' };
  return { ok: true };
}

let sourceHashVerdict: string | undefined;

/** Everything the harness (SoftEther, nginx, tinyproxy) needs, with the first missing piece named. */
export function canRunIntegration(): IntegrationCheck {
  const root = requireRoot();
  if (!root.ok) return root;
  const missing = REQUIRED_TOOLS.filter((name) => findExecutable(name) === undefined);
  if (missing.length > 0) return { ok: false, why: `missing tools: ${missing.join(', ')}` };
  for (const file of [DEBIAN_VPNSERVER, VPNCMD, join(DEBIAN_VPNSERVER, '..', 'hamcore.se2'), '/dev/net/tun']) {
    if (!existsSync(file))
      return { ok: false, why: `missing ${file} (apt packages softether-vpnserver, softether-vpncmd)` };
  }
  if (sourceHashVerdict === undefined) {
    const actual = sha256Hex(readFileSync(DEBIAN_VPNSERVER));
    sourceHashVerdict =
      actual === DEBIAN_VPNSERVER_SHA256
        ? ''
        : `${DEBIAN_VPNSERVER} has sha256 ${actual}, not the Debian 12 build the SSTP patch is made for`;
  }
  if (sourceHashVerdict !== '') return { ok: false, why: sourceHashVerdict };
  return { ok: true };
}

/**
 * For node:test's `skip` option: the reason to skip, or false. In CI (CI=true or
 * CAUSEWAY_REQUIRE_INTEGRATION=1) a failed check throws instead, so integration tests cannot
 * silently turn into skips there.
 */
export function integrationSkip(): string | false {
  const check = canRunIntegration();
  if (check.ok) return false;
  const required = process.env['CAUSEWAY_REQUIRE_INTEGRATION'] === '1' || process.env['CI'] === 'true';
  if (required) throw new Error(`integration tests are required here but cannot run: ${check.why}`);
  return check.why;
}
