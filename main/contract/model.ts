// The model the renderer sees. Types only: the renderer imports this file with `import type`, so
// nothing here may carry a secret (there is no field a password could travel back in).
import type { CertificateInfo } from '../engine/certificate-info.js';
import type { FailureCode, Phase } from '../engine/failure.js';
import type { LogEntry, LogLevel } from '../engine/log.js';
import type { PhaseTiming } from '../engine/timings.js';
import type { Profile, ProfileDraft, ProfileIssue } from './profile.js';

export type {
  CertificateInfo,
  FailureCode,
  LogEntry,
  LogLevel,
  Phase,
  PhaseTiming,
  Profile,
  ProfileDraft,
  ProfileIssue,
};

/** A session failure as shown to a person: what happened, where, and what to do. */
export interface FailureView {
  readonly phase: Phase;
  readonly code: FailureCode;
  readonly message: string;
  readonly detail?: string;
}

export interface TlsView {
  readonly version: string;
  readonly cipher: string;
  /** Display form "AB:CD:…". */
  readonly sha256: string;
}

export interface SystemView {
  readonly interfaceName: string;
  readonly mtu: number;
  /** CIDRs sent through the tunnel ('0.0.0.0/0' for a full tunnel). */
  readonly routes: readonly string[];
  /** DNS servers given to the system; empty when the profile keeps the system's own. */
  readonly dns: readonly string[];
}

/** Connection state of one profile: main owns it and pushes every change. */
export type ConnectionState =
  | { readonly state: 'disconnected' }
  | {
      readonly state: 'connecting';
      readonly phase: Phase;
      readonly attempt: number;
      /** Authentication under way: the server may take until `deadline` (ms since epoch), e.g. for an MFA push. */
      readonly authWait?: { readonly deadline: number; readonly waitMs: number };
    }
  | {
      readonly state: 'connected';
      readonly attempt: number;
      readonly addresses: {
        readonly ipv4: string;
        readonly peer: string | null;
        /** The TUN has IPv6 from the tunnel (IPv6CP open and applied). */
        readonly ipv6: boolean;
        /** Its address: the router advertisement's (SLAAC, "2001:db8::…/64"), else the link-local one. */
        readonly ipv6Address?: string;
      };
      readonly dns: readonly string[];
      /** The server in use: with alternates, the one of the list that connected. */
      readonly server: { readonly host: string; readonly port: number };
      /** Servers of the list passed over before it ("host:port") and why. */
      readonly skipped?: readonly { readonly server: string; readonly reason: string }[];
      readonly tls: TlsView;
      /** ms since epoch. */
      readonly since: number;
      readonly bytesIn: number;
      readonly bytesOut: number;
      /** 'session' until the data plane (TUN) is attached: the tunnel is up but carries only our own test packets. */
      readonly dataPlane: 'tunnel' | 'session';
      /** With dataPlane 'tunnel': what the system was given (the interface, its routes, DNS servers). */
      readonly system?: SystemView;
    }
  | { readonly state: 'disconnecting' }
  | { readonly state: 'reconnecting'; readonly retry: number; readonly retryAt: number; readonly failure: FailureView }
  /**
   * Was connected, but has not answered since the computer woke up, the process was frozen or the
   * route to the server changed: an SSTP echo is under way. Never shown as connected.
   */
  | {
      readonly state: 'checking';
      readonly reason: 'resume' | 'clock-jump' | 'network-change';
      readonly attempt: number;
    }
  /** The connection was lost and there is no route to the server: nothing is tried until there is one. */
  | {
      readonly state: 'waiting-for-network';
      readonly retry: number;
      readonly since: number;
      readonly failure: FailureView;
    }
  | { readonly state: 'error'; readonly failure: FailureView; readonly attempt?: number }
  /** The pinned certificate changed: possible interception. Never folded into 'error'. */
  | {
      readonly state: 'pin-mismatch';
      readonly failure: FailureView;
      readonly expected: string;
      readonly certificate: CertificateInfo;
      readonly attempt?: number;
    };

/** A connection's kill switch while in force; blocking: traffic is blocked now (the tunnel is not up). */
export interface KillSwitchView {
  readonly mode: 'on' | 'always';
  readonly blocking: boolean;
}

export type ConnectionSnapshot = { readonly profileId: string; readonly killSwitch?: KillSwitchView } & ConnectionState;
export type ConnectionStateName = ConnectionState['state'];

export interface TrustPrompt {
  readonly promptId: string;
  readonly profileId: string;
  readonly profileName: string;
  /** 'unknown': first sight, may be trusted for this profile. 'changed': the pinned one was replaced. */
  readonly kind: 'unknown' | 'changed';
  readonly certificate: CertificateInfo;
  readonly message: string;
  /** For 'changed': the fingerprint the profile trusted (display form). */
  readonly expected?: string;
  /**
   * Absent: the VPN server's certificate (pinned as tls.pinnedSha256). 'eap': the sign-in server's,
   * presented inside EAP-TLS / PEAP (pinned as eapTrust.pinnedSha256).
   */
  readonly target?: 'eap';
}

/** A one-time code the connection waits for (a profile with `otp`), at connect or after a drop. */
export interface OtpPrompt {
  readonly promptId: string;
  readonly profileId: string;
  readonly profileName: string;
  /** 1 for the first connect; more for reconnects. */
  readonly attempt: number;
  readonly message: string;
  /** Why the previous answer was not used (not a code, or one already spent). */
  readonly reason?: string;
}

export interface LogLine {
  readonly profileId: string;
  readonly attempt: number;
  readonly entry: LogEntry;
}

export interface AttemptView {
  readonly attempt: number;
  readonly startedAt: number;
  readonly size: number;
}

/** Whether the keychain holds a secret; null when the keychain cannot be asked. Never the secret itself. */
export type SecretSaved = boolean | null;

export interface ProfileView {
  readonly profile: Profile;
  /** Whether the keychain holds a password for it (the same as secrets.password). */
  readonly hasPassword: SecretSaved;
  readonly secrets: {
    readonly password: SecretSaved;
    readonly proxyPassword: SecretSaved;
    readonly pkcs12Passphrase: SecretSaved;
    readonly clientKey?: SecretSaved;
  };
}

/** A certificate of a CA file, as the editor shows it next to the field. */
export interface CaCertificateView {
  readonly subject: string;
  readonly issuer: string;
  readonly validTo: string;
  readonly sha256: string;
  readonly isCa: boolean;
}

export interface ImportEntryView {
  readonly index: number;
  readonly name: string;
  readonly server: string;
  readonly username: string;
  readonly line: number;
  /** The source carried a password (it goes to the keychain on save; it is never sent here). */
  readonly hasPassword: boolean;
  readonly draft: ProfileDraft;
  /**
   * Settings of this entry that weaken TLS or authentication (insecure, a pin, a CA, PAP/CHAP,
   * no authentication), worst first. Saving such an entry needs `acceptRisks` in import.commit.
   */
  readonly risks?: readonly ImportRiskView[];
}

export interface ImportRiskView {
  /** The profile field, e.g. "tls.insecure", "authMethods.pap". */
  readonly field: string;
  readonly message: string;
}

export interface ImportDiagnosticView {
  readonly line: number;
  readonly text: string;
}

export interface AppInfo {
  readonly version: string;
  readonly host: 'electron' | 'browser';
  readonly platform: string;
  /** null when the host cannot start at login. */
  readonly autostart: boolean | null;
}
