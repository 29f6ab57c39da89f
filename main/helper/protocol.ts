// The helper's wire protocol: one JSON object per line each way (requests on stdin, a Unix socket
// that also carries the TUN's descriptor back; answers on stdout). Every request field is declared
// here once; the helper validates with these checks (check.ts: no zod in the root helper, issue 17)
// and the client derives its argument types from them. Values that reach a command line are the
// parsed, re-formatted ones, never raw input.
import {
  array,
  boolean,
  integer,
  literal,
  nullable,
  oneOf,
  optional,
  parsedString,
  record,
  refine,
  strictObject,
  string,
  tagged,
  type Check,
  type Input,
  type Output,
} from './check.js';
import {
  formatCidr,
  formatIp,
  isDomainName,
  MAX_ROUTES,
  parseCidr,
  parseIp,
  parseIpv4,
  parseIpv6,
} from '../engine/addresses.js';

// 2: open-tun (the TUN's descriptor handed over on stdin, which is a Unix socket).
export const PROTOCOL_VERSION = 2;
export const HELPER_VERSION = '0.1.0';

export const LIMITS = {
  /** Longest request line; anything longer is refused unread. */
  maxLineBytes: 16 * 1024,
  maxRoutes: MAX_ROUTES,
  maxDnsServers: 4,
  maxSearchDomains: 8,
  mtuMin: 576,
  mtuMax: 9000,
  /** Further server addresses kept outside the tunnel: both families, a failover list (4 + 4 per server, a few servers). */
  maxServerAddresses: 32,
} as const;

export const VERBS = [
  'hello',
  'create-tun',
  'open-tun',
  'configure',
  'set-routes',
  'set-dns',
  'teardown',
  'kill-switch-arm',
  'kill-switch-disarm',
  'set-ipv6',
] as const;
export type Verb = (typeof VERBS)[number];

// ---- field validators --------------------------------------------------------------------------

/** Starts with a letter so it can never read as an option to `ip`; IFNAMSIZ - 1 long at most. */
export const IFNAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,14}$/;
export const ifName = string({ pattern: IFNAME, message: 'must be 1-15 of A-Z a-z 0-9 _ -, starting with a letter' });
/** A resolvconf record name as we make them: `<ifname>.causeway` or `tun.<ifname>.causeway` (dns-resolvconf.ts). */
export const RESOLVCONF_RECORD = /^(tun\.)?[a-zA-Z][a-zA-Z0-9_-]{0,14}\.causeway$/;

export const requestId = integer(0, 0x7fffffff);

/** Canonical text of a strictly parsed address. */
export const ipv4Address = parsedString(15, 'not an IPv4 address', (s) => mapIp(parseIpv4(s)));
export const ipAddress = parsedString(45, 'not an IPv4 or IPv6 address', (s) => mapIp(parseIp(s)));
/** The tunnel's own IPv4: an address, or the same with /32. */
export const ipv4Host = parsedString(18, 'not an IPv4 address (optionally /32)', (s) =>
  mapIp(parseIpv4(s.endsWith('/32') ? s.slice(0, -3) : s)),
);
/** A network without host bits (10.1.0.0/16, never 10.1.0.5/16): the text re-formatted, and its family. */
export const cidr: Check<{ text: string; family: 4 | 6 }, string> = (v, path) => {
  if (typeof v !== 'string') return { ok: false, path, message: 'expected a string' };
  if (v.length > 49) return { ok: false, path, message: 'not a CIDR' };
  const r = parseCidr(v);
  if (!r.ok) return { ok: false, path, message: `not a CIDR: ${r.reason}` };
  return { ok: true, value: { text: formatCidr(r.cidr), family: r.cidr.address.family } };
};
/** An IPv6 interface address with its on-link prefix (64..128), e.g. fe80::1/64 from IPv6CP. */
export const ipv6Interface = parsedString(49, 'not an IPv6 address/prefix (64..128)', (s) => {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIpv6(s.slice(0, slash));
  const prefix = s.slice(slash + 1);
  if (ip === undefined || !/^(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-8])$/.test(prefix)) return undefined;
  return `${formatIp(ip)}/${prefix}`;
});
export const domainName = parsedString(254, 'not a domain name', (s) => (isDomainName(s) ? s : undefined));

function mapIp(ip: ReturnType<typeof parseIp>): string | undefined {
  return ip === undefined ? undefined : formatIp(ip);
}

// ---- requests ----------------------------------------------------------------------------------

export const helloRequest = strictObject({ id: requestId, verb: literal('hello') });

export const createTunRequest = strictObject({
  id: requestId,
  verb: literal('create-tun'),
  /** Chosen by the helper (causeway0, causeway1, …) when absent. */
  name: optional(ifName),
  /** The user who may attach to the TUN without privileges. */
  uid: integer(0, 0x7ffffffe),
});

/**
 * Opens the TUN this helper created and sends its descriptor over the Unix socket on our stdin
 * (SCM_RIGHTS), before answering; the caller reads it after the answer. Only to the user who
 * launched us (the socket's peer credentials, and PKEXEC_UID under pkexec).
 */
export const openTunRequest = strictObject({
  id: requestId,
  verb: literal('open-tun'),
  name: ifName,
  /** IFF_VNET_HDR, so the engine can write merged TCP segments (GSO). Default true. */
  offload: optional(boolean),
});

export const configureRequest = strictObject({
  id: requestId,
  verb: literal('configure'),
  name: ifName,
  /** Our IPCP address; assigned as /32 point-to-point with the peer. */
  address: ipv4Host,
  peer: ipv4Address,
  mtu: integer(LIMITS.mtuMin, LIMITS.mtuMax),
  ipv6: optional(strictObject({ address: ipv6Interface })),
});

export const setRoutesRequest = strictObject({
  id: requestId,
  verb: literal('set-routes'),
  name: ifName,
  /** full: everything through the tunnel (plus `routes`); split: only `routes`. */
  mode: oneOf(['full', 'split']),
  routes: array(cidr, { max: LIMITS.maxRoutes, maxMessage: `at most ${LIMITS.maxRoutes} routes` }),
  /** The SSTP server: keeps its host route through the original path when the tunnel would capture it. */
  serverAddress: ipAddress,
  /**
   * The server's other addresses (its other family for happy eyeballs, the alternates of a server
   * list): each keeps its path the same way, so a reconnect to any of them stays outside the tunnel.
   */
  serverAddresses: optional(
    array(ipAddress, {
      max: LIMITS.maxServerAddresses,
      maxMessage: `at most ${LIMITS.maxServerAddresses} server addresses`,
    }),
  ),
});

export const setDnsRequest = strictObject({
  id: requestId,
  verb: literal('set-dns'),
  name: ifName,
  servers: array(ipAddress, {
    min: 1,
    minMessage: 'at least one server',
    max: LIMITS.maxDnsServers,
    maxMessage: `at most ${LIMITS.maxDnsServers} servers`,
  }),
  searchDomains: optional(
    array(domainName, {
      max: LIMITS.maxSearchDomains,
      maxMessage: `at most ${LIMITS.maxSearchDomains} search domains`,
    }),
  ),
  /**
   * Full tunnel: every query goes to the tunnel's servers (systemd-resolved `~.` and default route;
   * resolvconf and resolv.conf: ours first/only). Absent or false (split tunnel): only the search
   * domains go there with resolved; resolvconf and resolv.conf keep the system's servers first.
   */
  defaultRoute: optional(boolean),
});

export const teardownRequest = strictObject({ id: requestId, verb: literal('teardown') });

/** Where the SSTP connection may go while the kill switch blocks everything else. */
export const killSwitchEndpoint = strictObject({ address: ipAddress, port: integer(1, 65535) });

/**
 * Blocks all traffic but the tunnel's, this helper's TUN included once it exists (kill-switch.ts):
 * the `inet causeway` nftables table, replaced whole when armed again. It outlives teardown and the
 * helper's exit; only kill-switch-disarm removes it.
 */
export const killSwitchArmRequest = strictObject({
  id: requestId,
  verb: literal('kill-switch-arm'),
  /** The server's addresses and port, or the proxy's when one is used. */
  endpoints: array(killSwitchEndpoint, {
    min: 1,
    minMessage: 'at least one endpoint',
    max: LIMITS.maxServerAddresses,
    maxMessage: `at most ${LIMITS.maxServerAddresses} endpoints`,
  }),
  /** Also allow the LAN (RFC 1918, link-local, ULA, local multicast). Default false. */
  allowLan: optional(boolean),
});

export const killSwitchDisarmRequest = strictObject({ id: requestId, verb: literal('kill-switch-disarm') });

const lifetimeSeconds = integer(0, 0xffffffff);

/**
 * The TUN's IPv6 (ipv6-linux.ts): `linkLocal` is fe80::<IPv6CP identifier>/64; `global` the address
 * the engine built from a Router Advertisement, with its lifetimes (0xffffffff: forever). Replaces the
 * previous set-ipv6; without linkLocal, IPv6 is gone. A full tunnel's IPv6 follows: into the TUN while
 * it has IPv6, blocked (unreachable) otherwise.
 */
export const setIpv6Request = strictObject({
  id: requestId,
  verb: literal('set-ipv6'),
  name: ifName,
  linkLocal: optional(refine(ipv6Interface, (s) => s.startsWith('fe80::') && s.endsWith('/64'), 'not fe80::…/64')),
  global: optional(
    strictObject({
      address: refine(ipv6Interface, (s) => !s.startsWith('fe80:') && s.endsWith('/64'), 'not a global …/64'),
      validLifetime: lifetimeSeconds,
      preferredLifetime: lifetimeSeconds,
    }),
  ),
});

/** Every request, by verb (the helper answers unknown-verb before this for a verb not listed). */
export const request = tagged('verb', {
  hello: helloRequest,
  'create-tun': createTunRequest,
  'open-tun': openTunRequest,
  configure: configureRequest,
  'set-routes': setRoutesRequest,
  'set-dns': setDnsRequest,
  teardown: teardownRequest,
  'kill-switch-arm': killSwitchArmRequest,
  'kill-switch-disarm': killSwitchDisarmRequest,
  'set-ipv6': setIpv6Request,
} satisfies Record<Verb, Check<unknown, unknown>>);

export type Request = Output<typeof request>;
export type HelloRequest = Output<typeof helloRequest>;
export type CreateTunRequest = Output<typeof createTunRequest>;
export type OpenTunRequest = Output<typeof openTunRequest>;
export type ConfigureRequest = Output<typeof configureRequest>;
export type SetRoutesRequest = Output<typeof setRoutesRequest>;
export type SetDnsRequest = Output<typeof setDnsRequest>;
export type SetIpv6Request = Output<typeof setIpv6Request>;
export type KillSwitchArmRequest = Output<typeof killSwitchArmRequest>;

/** What a caller writes for each verb (before validation), without the envelope. */
export type RequestInput<C> = Omit<Input<C>, 'id' | 'verb'>;

// ---- responses ---------------------------------------------------------------------------------

const int = integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
const text = string();
const hostRoute = strictObject({ destination: text, gateway: optional(text), dev: ifName });

export const helloResult = strictObject({
  protocol: int,
  version: text,
  pid: int,
  uid: int,
  /** The kill switch's table: adopted = found in place at start (a crashed or always-on run's). */
  killSwitch: optional(oneOf(['off', 'adopted', 'armed'])),
});
export const createTunResult = strictObject({ name: ifName });
/** vnet: the descriptor carries a virtio_net_hdr (IFF_VNET_HDR was granted). */
export const openTunResult = strictObject({ name: ifName, vnet: boolean });
export const configureResult = strictObject({});
export const setRoutesResult = strictObject({
  /** The host route kept for the server, when one was needed and added. */
  serverRoute: optional(hostRoute),
  /** The same for serverAddresses that needed one, in their order. */
  otherServerRoutes: optional(array(hostRoute, { max: LIMITS.maxServerAddresses })),
});
export const setIpv6Result = strictObject({});
/** Which resolver manager took the settings (dns-detect.ts). */
export const setDnsResult = strictObject({ method: oneOf(['resolved', 'resolvconf', 'resolv.conf']) });
export const teardownResult = strictObject({ undone: int, failed: int });
/** tunnel: the interface let through (null until create-tun). */
export const killSwitchArmResult = strictObject({ tunnel: nullable(ifName) });
/** removed: false when there was no table to remove. */
export const killSwitchDisarmResult = strictObject({ removed: boolean });

export type HelloResult = Output<typeof helloResult>;
export type CreateTunResult = Output<typeof createTunResult>;
export type OpenTunResult = Output<typeof openTunResult>;
export type ConfigureResult = Output<typeof configureResult>;
export type SetRoutesResult = Output<typeof setRoutesResult>;
export type SetDnsResult = Output<typeof setDnsResult>;
export type TeardownResult = Output<typeof teardownResult>;
export type KillSwitchArmResult = Output<typeof killSwitchArmResult>;
export type KillSwitchDisarmResult = Output<typeof killSwitchDisarmResult>;

/**
 * bad-request: not JSON / not an object · too-large: line over the limit · unknown-verb ·
 * invalid: a field failed validation · refused: valid but not allowed (not our interface, uid
 * mismatch, name taken, wrong order) · failed: a system command failed · shutting-down.
 */
export const REMOTE_ERROR_CODES = [
  'bad-request',
  'too-large',
  'unknown-verb',
  'invalid',
  'refused',
  'failed',
  'shutting-down',
] as const;
export type RemoteErrorCode = (typeof REMOTE_ERROR_CODES)[number];

const answerId = nullable(int);
export const response = tagged('ok', {
  true: strictObject({ id: answerId, ok: literal(true), result: record }),
  false: strictObject({
    id: answerId,
    ok: literal(false),
    error: strictObject({ code: oneOf(REMOTE_ERROR_CODES), message: text }),
  }),
});
export type Response = Output<typeof response>;
