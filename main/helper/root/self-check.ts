// The bundled helper's look at itself before it does anything as root: it must be the script node was
// asked to run, and the runtime, this script and the TUN addon must be files only root (or the user
// running it, for a developer's own tree) could have written — a root process must not execute
// user-writable code. From source or tsc's output (development) there is no single file to check:
// node_modules is read too, so only the addon is checked (by the resolver, when it is loaded).
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  addonPathFor,
  checkTrustedFile,
  describeTrustFailure,
  type AddonLayout,
  type TrustOptions,
} from '../../engine/tun/native-addon.js';

export interface SelfCheckInput {
  readonly layout: AddonLayout;
  /** process.argv[1]: the script node was started with. */
  readonly script: string | undefined;
  /** process.execPath: the interpreter running us. */
  readonly runtime: string;
  readonly trust: TrustOptions;
  readonly realpath?: (path: string) => string;
}

export type SelfCheckResult =
  { readonly ok: true; readonly checked: readonly string[] } | { readonly ok: false; readonly reason: string };

export function selfCheck(input: SelfCheckInput): SelfCheckResult {
  if (input.layout.kind !== 'bundle') return { ok: true, checked: [] };
  const real = input.realpath ?? realpathSync;
  const bundle = input.layout.bundleFile;
  let started: string;
  try {
    started = input.script === undefined ? '' : real(resolve(input.script));
  } catch {
    started = '';
  }
  // Another script that require()s the bundle would run as root with our name on it.
  if (started !== real(bundle))
    return { ok: false, reason: `started as ${input.script ?? '(no script)'}, not as ${bundle}` };
  const files = [input.runtime, bundle, addonPathFor(input.layout)];
  for (const file of files) {
    let target: string;
    try {
      target = real(file);
    } catch {
      return { ok: false, reason: `${file} does not exist` };
    }
    // The file that is executed, wherever a symlink points: its own directories are the ones that matter.
    const t = checkTrustedFile(target, input.trust);
    if (!t.ok) return { ok: false, reason: describeTrustFailure(t.failure) };
  }
  return { ok: true, checked: files };
}
