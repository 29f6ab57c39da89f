// What the connection doctor reports: one shape for the CLI (`causeway doctor`, `causeway test`), the
// app's Doctor panel and the saved compatibility report. Types only, and nothing here can carry a
// secret: the trace is the engine's log (which never holds one) and the user name is optional.
import type { CertificateInfo } from '../engine/certificate-info.js';
import type { FailureCode, Phase } from '../engine/failure.js';
import type { LogEntry } from '../engine/log.js';

/** The doctor's timeline: the session's phases plus what happens around them. */
export type DoctorPhase =
  'dns' | 'tcp' | 'proxy' | 'tls' | 'http' | 'sstp' | 'lcp' | 'auth' | 'ipcp' | 'ipv6cp' | 'data' | 'mtu';

export const DOCTOR_PHASES: readonly DoctorPhase[] = [
  'dns',
  'tcp',
  'proxy',
  'tls',
  'http',
  'sstp',
  'lcp',
  'auth',
  'ipcp',
  'ipv6cp',
  'data',
  'mtu',
];

/**
 * ok: done and fine. warning: done, but something is worth knowing (no ping reply, IPv6 refused).
 * failed: the attempt stopped here. skipped: not part of this attempt (no proxy, IPv6 off, an address
 * instead of a name). not-reached: would have run, but an earlier phase failed.
 */
export type Verdict = 'ok' | 'warning' | 'failed' | 'skipped' | 'not-reached';

/** What a failure (or warning) means and what the person can do about it, in plain words. */
export interface Advice {
  /** Stable key of the advice (e.g. 'certificate-unknown-ca'), for tests and translations. */
  readonly id: string;
  readonly meaning: string;
  readonly action: string;
}

export interface DoctorPhaseResult {
  readonly phase: DoctorPhase;
  readonly verdict: Verdict;
  /** How long the phase took; null when it did not run. */
  readonly ms: number | null;
  /** One line of what was seen (address, version, method…). */
  readonly summary: string;
  readonly advice?: Advice;
}

export interface MtuProbe {
  /** Size of the whole IPv4 packet sent (header included), with Don't Fragment set. */
  readonly size: number;
  readonly passed: boolean;
}

export type MtuCheck =
  | {
      readonly ok: true;
      /** The address the probes went to (the server's tunnel address unless told otherwise). */
      readonly target: string;
      /** The largest IPv4 packet that crossed the tunnel and came back. */
      readonly pathMtu: number;
      /** What PPP allowed: min(our MRU, the server's MRU). */
      readonly linkMtu: number;
      readonly recommendedMru: number;
      /** TCP MSS to clamp SYNs to: path MTU − 40 (IPv4 + TCP headers). */
      readonly recommendedMss: number;
      readonly probes: readonly MtuProbe[];
    }
  | {
      readonly ok: false;
      readonly target: string | null;
      readonly reason: string;
      readonly probes: readonly MtuProbe[];
    };

/** A server family recognised from how it behaved, and what Causeway does about its habits. */
export interface QuirkMatch {
  readonly family: string;
  /** The observations that matched (e.g. 'LCP echo data "Aho Baka Manuke"'). */
  readonly evidence: readonly string[];
  readonly workarounds: readonly string[];
  readonly notes?: string;
}

export interface DoctorFailure {
  readonly phase: Phase | 'dns';
  readonly code: FailureCode;
  readonly message: string;
  readonly detail?: string;
}

export interface DoctorReport {
  readonly format: 'causeway-doctor/1';
  /** host:port as dialled (and the proxy, without its credentials). */
  readonly server: string;
  readonly proxy?: string;
  /** ISO time the attempt started. */
  readonly startedAt: string;
  readonly totalMs: number;
  readonly ok: boolean;
  readonly phases: readonly DoctorPhaseResult[];
  readonly failure?: DoctorFailure;
  /** The server's certificate as seen (also when it was refused): fingerprints are kept in reports. */
  readonly certificate?: CertificateInfo;
  readonly tls?: {
    readonly version: string;
    readonly cipher: string;
    readonly certificateSha256: string;
    readonly subject: string;
  };
  readonly binding?: string;
  readonly authMethod?: string | null;
  readonly ipv4?: { readonly address: string; readonly peer: string | null; readonly dns: readonly string[] };
  readonly ipv6?: boolean;
  readonly mru?: number;
  readonly peerMru?: number;
  readonly echo?: { readonly ok: true; readonly rttMs: number } | { readonly ok: false; readonly reason: string };
  readonly mtu?: MtuCheck;
  readonly quirks: readonly QuirkMatch[];
  /** Present only when the person asked for it (report with --include-user). */
  readonly user?: string;
  /** The protocol trace of the attempt (debug included). */
  readonly trace: readonly LogEntry[];
}
