// What a session needs to know. Built by the CLI or the services from a profile; secrets only in memory.

/** Authentication methods a profile may allow, in the user's order of preference. */
export type AuthMethod = 'pap' | 'chap' | 'mschapv2' | 'eap-mschapv2' | 'eap-tls' | 'eap-peap';
export const AUTH_METHODS: readonly AuthMethod[] = ['pap', 'chap', 'mschapv2', 'eap-mschapv2', 'eap-tls', 'eap-peap'];
/** The methods that run inside EAP: LCP only negotiates "EAP", the method is chosen within it. */
export const EAP_METHODS: ReadonlySet<AuthMethod> = new Set<AuthMethod>(['eap-mschapv2', 'eap-tls', 'eap-peap']);

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';

/** How the server certificate is judged. */
export interface TrustPolicy {
  /** Extra CA certificates (PEM). When absent the system CAs are used. */
  readonly caPem?: string;
  /** Accept exactly this leaf (SHA-256 of DER, hex, any case, ':' optional), whatever its chain. */
  readonly pinSha256?: string;
  /** Labs only: accept any certificate. The leaf is still reported and used for crypto binding. */
  readonly insecure?: boolean;
}

/**
 * How the certificate a server presents inside EAP (EAP-TLS, PEAP) is judged. Absent: like the
 * outer certificate (the same trust policy, the name from sni or host), which fits servers such
 * as SoftEther that present one certificate for both; an NPS behind RRAS needs its own.
 */
export interface EapTrust extends TrustPolicy {
  /** The name the inner certificate must carry; absent: not checked (the CA or pin decides). */
  readonly serverName?: string;
}

export interface ClientCertificate {
  /** PKCS#12 bytes and its passphrase, handed to TLS for mutual authentication. */
  readonly pfx: Buffer;
  readonly passphrase: string;
}

export interface ProxyConfig {
  readonly host: string;
  /** The resolved address to dial instead of resolving host again (see SessionConfig.address). */
  readonly address?: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
}

export interface SessionConfig {
  readonly host: string;
  /**
   * The address to dial, resolved by whoever keeps it out of the tunnel; host still names the server
   * for SNI and the HTTP Host. Dialling the name again could reach another address of a round-robin
   * name, which the tunnel then captures: traffic blackholed, reconnecting forever.
   */
  readonly address?: string;
  /**
   * Every address to race for this server (happy eyeballs, IPv6 first), each kept outside the tunnel
   * like `address`; when present it wins over `address`. A host name alone is raced by Node's own
   * family selection.
   */
  readonly addresses?: readonly string[];
  /**
   * The gateways of this computer's own IPv4 routes when the attempt started, read by whoever set up
   * the attempt (transport/lan-gateways.ts): IPCP may assign none of them (ppp/ipcp-addresses.ts).
   */
  readonly lanGateways?: readonly string[];
  readonly port: number; // default 443
  /** TLS SNI; defaults to host (omitted when host is an IP address). */
  readonly sni?: string;
  readonly tlsMin: TlsMinVersion;
  readonly trust: TrustPolicy;
  readonly clientCertificate?: ClientCertificate;
  /** For the certificate inside EAP-TLS / PEAP; see EapTrust. */
  readonly eapTrust?: EapTrust;
  readonly proxy?: ProxyConfig;
  readonly credentials: Credentials;
  /** Allowed methods in preference order; never empty. */
  readonly authMethods: readonly AuthMethod[];
  /**
   * Carry on when the server asks for no authentication at all. Off by default: without it nothing
   * proves the server knows the password (MS-CHAPv2's proof), so anyone with a certificate could pose as it.
   */
  readonly allowNoAuthentication?: boolean;
  readonly ipv6: boolean;
  /** MRU we ask for; SSTP caps a packet at 4095 bytes, servers usually cap at 1500. */
  readonly mru: number;
  /**
   * How long authentication may wait for the server's answer (ms; default DEFAULT_AUTH_WAIT_MS):
   * behind RADIUS with an MFA push the answer comes only once the user approves on their phone.
   */
  readonly authWaitMs?: number;
}

/** The default authentication wait: Azure MFA's NPS extension and Duo both give the user about 60 s. */
export const DEFAULT_AUTH_WAIT_MS = 60_000;
/** The range a profile or flag may set (seconds): under 5 s is too short for any push, over 10 min is a hang. */
export const AUTH_WAIT_RANGE_S = { min: 5, max: 600 } as const;

/**
 * How a one-time code joins the password: 'append' sends password+code (the PIN+OTP form RADIUS
 * OTP back ends such as RSA SecurID, privacyIDEA or LinOTP check); 'replace' sends the code alone
 * (a token-only policy).
 */
export type OtpMode = 'append' | 'replace';
export const OTP_MODES: readonly [OtpMode, ...OtpMode[]] = ['append', 'replace'];

/**
 * The config dialling exactly `address`: the proxy's when a proxy is used (the TCP connection goes
 * there; the CONNECT request keeps naming the server), else the server's.
 */
export function dialingAddress(config: SessionConfig, address: string): SessionConfig {
  return config.proxy ? { ...config, proxy: { ...config.proxy, address } } : { ...config, address };
}

/**
 * Like dialingAddress, with every address of the server to race (happy eyeballs). `address` is the
 * resolver's first, which alone is dialled when a proxy is used (the proxy is not raced).
 */
export function dialingAddresses(
  config: SessionConfig,
  resolved: { readonly address: string; readonly addresses: readonly string[] },
): SessionConfig {
  if (config.proxy || resolved.addresses.length <= 1) return dialingAddress(config, resolved.address);
  return { ...config, address: resolved.address, addresses: resolved.addresses };
}
