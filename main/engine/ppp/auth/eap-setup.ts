// Which EAP methods the dispatcher runs, from the profile's allowed methods: LCP only agrees on
// "EAP", so every allowed EAP-family method is ready, in the profile's order, whichever the server
// asks for. TLS-based methods get the client certificate and the inner-certificate trust here.
import type { AuthMethod, ClientCertificate, SessionConfig, TlsMinVersion } from '../../config.js';
import { EAP_METHODS } from '../../config.js';
import type { AuthenticatorContext } from './authenticator.js';
import { EAP_TYPE_MSCHAPV2 } from './eap-packet.js';
import { EAP_TYPE_PEAP, EAP_TYPE_TLS } from './eap-tls-fragments.js';
import { noClientCertificate } from './eap-tls-failures.js';
import type { EapMethod, EapMethodHost } from './eap-tls-host.js';
import type { InnerTrust } from './eap-tls-trust.js';
import { EapTlsMethod } from './eap-tls.js';
import { PeapMethod } from './peap.js';
import type { TlsOverEapOptions } from './tls-over-eap.js';
import type { EapMethodSpec, EapOptions } from './eap.js';

export interface EapSetup {
  /** The profile's allowed methods in preference order (non-EAP ones are ignored here). */
  readonly authMethods: readonly AuthMethod[];
  readonly clientCertificate?: ClientCertificate;
  /** How the certificate inside EAP is judged. */
  readonly trust: InnerTrust;
  readonly tlsMin?: TlsMinVersion;
  /** LCP's negotiated peer MRU, read when a fragment is cut. */
  readonly peerMru?: () => number;
  /** Calendar time for certificate validity; default Date.now (tests move it). */
  readonly now?: () => number;
}

/** The inner certificate's trust: the profile's EAP trust, else the outer one with the outer name. */
export function innerTrustOf(config: SessionConfig): InnerTrust {
  if (config.eapTrust !== undefined) {
    const { serverName, ...policy } = config.eapTrust;
    return { policy, ...(serverName !== undefined ? { serverName } : {}) };
  }
  return { policy: config.trust, serverName: config.sni ?? config.host };
}

/** Everything a session's EAP methods need from its config. */
export function eapSetupOf(config: SessionConfig, peerMru: () => number): EapSetup {
  return {
    authMethods: config.authMethods,
    ...(config.clientCertificate !== undefined ? { clientCertificate: config.clientCertificate } : {}),
    trust: innerTrustOf(config),
    tlsMin: config.tlsMin,
    peerMru,
  };
}

const TYPE_OF: Partial<Record<AuthMethod, number>> = {
  'eap-mschapv2': EAP_TYPE_MSCHAPV2,
  'eap-tls': EAP_TYPE_TLS,
  'eap-peap': EAP_TYPE_PEAP,
};

/** EapAuthenticator options for the method LCP agreed on (`method` is always among those run). */
export function eapOptions(method: AuthMethod, ctx: AuthenticatorContext, setup: EapSetup): EapOptions {
  const allowed = [method, ...setup.authMethods.filter((m) => m !== method && EAP_METHODS.has(m))];
  const methods: EapMethodSpec[] = [];
  for (const m of allowed) {
    if (m === 'eap-tls') methods.push(eapTlsSpec(ctx, setup));
    if (m === 'eap-peap') methods.push(peapSpec(ctx, setup));
  }
  return {
    method,
    mschapv2: allowed.includes('eap-mschapv2'),
    methods,
    order: allowed.flatMap((m) => (TYPE_OF[m] === undefined ? [] : [TYPE_OF[m]])),
    ...(setup.peerMru !== undefined ? { peerMru: setup.peerMru } : {}),
  };
}

function eapTlsSpec(ctx: AuthenticatorContext, setup: EapSetup): EapMethodSpec {
  return {
    type: EAP_TYPE_TLS,
    create: (host: EapMethodHost): EapMethod => {
      const cert = setup.clientCertificate;
      if (cert === undefined) return new RefusingMethod(EAP_TYPE_TLS, host, noClientCertificate('EAP-TLS'));
      return new EapTlsMethod(host, {
        tls: tlsOptionsFor(cert, setup.tlsMin),
        trust: setup.trust,
        user: ctx.credentials.username,
        ...(setup.now !== undefined ? { now: setup.now } : {}),
      });
    },
  };
}

/** PEAP (EAP-MSCHAPv2 inside): the password goes into the tunnel, the server is judged like EAP-TLS's. */
function peapSpec(ctx: AuthenticatorContext, setup: EapSetup): EapMethodSpec {
  return {
    type: EAP_TYPE_PEAP,
    create: (host: EapMethodHost): EapMethod =>
      new PeapMethod(host, {
        credentials: ctx.credentials,
        trust: setup.trust,
        ...(setup.now !== undefined ? { now: setup.now } : {}),
      }),
  };
}

export function tlsOptionsFor(cert: ClientCertificate, tlsMin: TlsMinVersion | undefined): TlsOverEapOptions {
  return { pfx: cert.pfx, passphrase: cert.passphrase, ...(tlsMin !== undefined ? { minVersion: tlsMin } : {}) };
}

/** A method we cannot run for want of configuration: its first Request ends authentication, explained. */
class RefusingMethod implements EapMethod {
  constructor(
    readonly type: number,
    private readonly host: EapMethodHost,
    private readonly why: ReturnType<typeof noClientCertificate>,
  ) {}
  request(): void {
    this.host.fail(this.why);
  }
  success(): { readonly ok: false; readonly failure: ReturnType<typeof noClientCertificate> } {
    return { ok: false, failure: this.why };
  }
  failure(): ReturnType<typeof noClientCertificate> {
    return this.why;
  }
  stop(): void {}
}
