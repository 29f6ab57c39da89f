// What `causeway test` reports: its own file so the runner (commands/test.ts) and the printers
// (output.ts) both import it and neither imports the other.
import type { SessionFailure } from '../engine/failure.js';
import type { PingOutcome } from '../engine/packet/ping.js';

export interface TestReport {
  readonly event: 'result';
  readonly ok: boolean;
  readonly server: string;
  readonly phases: Record<string, number>;
  readonly totalMs: number;
  readonly ipv4?: { readonly address: string; readonly peer: string | null; readonly dns: readonly string[] };
  readonly ipv6?: boolean;
  readonly authMethod?: string | null;
  readonly tls?: {
    readonly version: string;
    readonly cipher: string;
    readonly certificateSha256: string;
    readonly subject: string;
  };
  readonly echo?: PingOutcome;
  readonly failure?: SessionFailure;
  /** The doctor's verdict per phase (dns … mtu): the same as the app's Test shows. */
  readonly verdicts?: Record<string, string>;
}
