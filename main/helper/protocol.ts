// The helper's wire protocol: one JSON object per line each way (requests on stdin, a Unix socket
// that also carries the TUN's descriptor back; answers on stdout). Every request field is declared
// here once; the helper validates with these schemas and the client derives its argument types
// from them. Values that reach a command line are the parsed, re-formatted ones, never raw input.
import { z } from 'zod';
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
export const ifName = z.string().regex(IFNAME, 'must be 1-15 of A-Z a-z 0-9 _ -, starting with a letter');
/** A resolvconf record name as we make them: `<ifname>.causeway` or `tun.<ifname>.causeway` (dns-resolvconf.ts). */
export const RESOLVCONF_RECORD = /^(tun\.)?[a-zA-Z][a-zA-Z0-9_-]{0,14}\.causeway$/;

const requestId = z.number().int().min(0).max(0x7fffffff);

function parsed<T>(what: string, maxLength: number, parse: (s: string) => T | undefined) {
  return z
    .string()
    .max(maxLength, `not ${what}`)
    .transform((s, ctx) => {
      const v = parse(s);
      if (v === undefined) {
        ctx.addIssue({ code: 'custom', message: `not ${what}` });
        return z.NEVER;
      }
      return v;
    });
}

/** Canonical text of a strictly parsed address. */
export const ipv4Address = parsed('an IPv4 address', 15, (s) => mapIp(parseIpv4(s)));
export const ipAddress = parsed('an IPv4 or IPv6 address', 45, (s) => mapIp(parseIp(s)));
/** The tunnel's own IPv4: an address, or the same with /32. */
export const ipv4Host = parsed('an IPv4 address (optionally /32)', 18, (s) =>
  mapIp(parseIpv4(s.endsWith('/32') ? s.slice(0, -3) : s)),
);
export const cidr = z
  .string()
  .max(49, 'not a CIDR')
  .transform((s, ctx) => {
    const r = parseCidr(s);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: `not a CIDR: ${r.reason}` });
      return z.NEVER;
    }
    return { text: formatCidr(r.cidr), family: r.cidr.address.family };
  });
/** An IPv6 interface address with its on-link prefix (64..128), e.g. fe80::1/64 from IPv6CP. */
export const ipv6Interface = parsed('an IPv6 address/prefix (64..128)', 49, (s) => {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIpv6(s.slice(0, slash));
  const prefix = s.slice(slash + 1);
  if (ip === undefined || !/^(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-8])$/.test(prefix)) return undefined;
  return `${formatIp(ip)}/${prefix}`;
});
export const domainName = z.string().max(254).refine(isDomainName, 'not a domain name');

function mapIp(ip: ReturnType<typeof parseIp>): string | undefined {
  return ip === undefined ? undefined : formatIp(ip);
}

// ---- requests ----------------------------------------------------------------------------------

export const helloRequest = z.strictObject({ id: requestId, verb: z.literal('hello') });

export const createTunRequest = z.strictObject({
  id: requestId,
  verb: z.literal('create-tun'),
  /** Chosen by the helper (causeway0, causeway1, …) when absent. */
  name: ifName.optional(),
  /** The user who may attach to the TUN without privileges. */
  uid: z.number().int().min(0).max(0x7ffffffe),
});

/**
 * Opens the TUN this helper created and sends its descriptor over the Unix socket on our stdin
 * (SCM_RIGHTS), before answering; the caller reads it after the answer. Only to the user who
 * launched us (the socket's peer credentials, and PKEXEC_UID under pkexec).
 */
export const openTunRequest = z.strictObject({
  id: requestId,
  verb: z.literal('open-tun'),
  name: ifName,
  /** IFF_VNET_HDR, so the engine can write merged TCP segments (GSO). Default true. */
  offload: z.boolean().optional(),
});

export const configureRequest = z.strictObject({
  id: requestId,
  verb: z.literal('configure'),
  name: ifName,
  /** Our IPCP address; assigned as /32 point-to-point with the peer. */
  address: ipv4Host,
  peer: ipv4Address,
  mtu: z.number().int().min(LIMITS.mtuMin).max(LIMITS.mtuMax),
  ipv6: z.strictObject({ address: ipv6Interface }).optional(),
});

export const setRoutesRequest = z.strictObject({
  id: requestId,
  verb: z.literal('set-routes'),
  name: ifName,
  /** full: everything through the tunnel (plus `routes`); split: only `routes`. */
  mode: z.enum(['full', 'split']),
  routes: z.array(cidr).max(LIMITS.maxRoutes, `at most ${LIMITS.maxRoutes} routes`),
  /** The SSTP server: keeps its host route through the original path when the tunnel would capture it. */
  serverAddress: ipAddress,
  /**
   * The server's other addresses (its other family for happy eyeballs, the alternates of a server
   * list): each keeps its path the same way, so a reconnect to any of them stays outside the tunnel.
   */
  serverAddresses: z
    .array(ipAddress)
    .max(LIMITS.maxServerAddresses, `at most ${LIMITS.maxServerAddresses} server addresses`)
    .optional(),
});

export const setDnsRequest = z.strictObject({
  id: requestId,
  verb: z.literal('set-dns'),
  name: ifName,
  servers: z
    .array(ipAddress)
    .min(1, 'at least one server')
    .max(LIMITS.maxDnsServers, `at most ${LIMITS.maxDnsServers} servers`),
  searchDomains: z
    .array(domainName)
    .max(LIMITS.maxSearchDomains, `at most ${LIMITS.maxSearchDomains} search domains`)
    .optional(),
  /**
   * Full tunnel: every query goes to the tunnel's servers (systemd-resolved `~.` and default route;
   * resolvconf and resolv.conf: ours first/only). Absent or false (split tunnel): only the search
   * domains go there with resolved; resolvconf and resolv.conf keep the system's servers first.
   */
  defaultRoute: z.boolean().optional(),
});

export const teardownRequest = z.strictObject({ id: requestId, verb: z.literal('teardown') });

/** Where the SSTP connection may go while the kill switch blocks everything else. */
export const killSwitchEndpoint = z.strictObject({
  address: ipAddress,
  port: z.number().int().min(1).max(65535),
});

/**
 * Blocks all traffic but the tunnel's, this helper's TUN included once it exists (kill-switch.ts):
 * the `inet causeway` nftables table, replaced whole when armed again. It outlives teardown and the
 * helper's exit; only kill-switch-disarm removes it.
 */
export const killSwitchArmRequest = z.strictObject({
  id: requestId,
  verb: z.literal('kill-switch-arm'),
  /** The server's addresses and port, or the proxy's when one is used. */
  endpoints: z
    .array(killSwitchEndpoint)
    .min(1, 'at least one endpoint')
    .max(LIMITS.maxServerAddresses, `at most ${LIMITS.maxServerAddresses} endpoints`),
  /** Also allow the LAN (RFC 1918, link-local, ULA, local multicast). Default false. */
  allowLan: z.boolean().optional(),
});

export const killSwitchDisarmRequest = z.strictObject({ id: requestId, verb: z.literal('kill-switch-disarm') });

const lifetimeSeconds = z.number().int().min(0).max(0xffffffff);

/**
 * The TUN's IPv6 (ipv6-linux.ts): `linkLocal` is fe80::<IPv6CP identifier>/64; `global` the address
 * the engine built from a Router Advertisement, with its lifetimes (0xffffffff: forever). Replaces the
 * previous set-ipv6; without linkLocal, IPv6 is gone. A full tunnel's IPv6 follows: into the TUN while
 * it has IPv6, blocked (unreachable) otherwise.
 */
export const setIpv6Request = z.strictObject({
  id: requestId,
  verb: z.literal('set-ipv6'),
  name: ifName,
  linkLocal: ipv6Interface.refine((s) => s.startsWith('fe80::') && s.endsWith('/64'), 'not fe80::…/64').optional(),
  global: z
    .strictObject({
      address: ipv6Interface.refine((s) => !s.startsWith('fe80:') && s.endsWith('/64'), 'not a global …/64'),
      validLifetime: lifetimeSeconds,
      preferredLifetime: lifetimeSeconds,
    })
    .optional(),
});

export const request = z.discriminatedUnion('verb', [
  helloRequest,
  createTunRequest,
  openTunRequest,
  configureRequest,
  setRoutesRequest,
  setDnsRequest,
  teardownRequest,
  killSwitchArmRequest,
  killSwitchDisarmRequest,
  setIpv6Request,
]);

export type Request = z.output<typeof request>;
export type HelloRequest = z.output<typeof helloRequest>;
export type CreateTunRequest = z.output<typeof createTunRequest>;
export type OpenTunRequest = z.output<typeof openTunRequest>;
export type ConfigureRequest = z.output<typeof configureRequest>;
export type SetRoutesRequest = z.output<typeof setRoutesRequest>;
export type SetDnsRequest = z.output<typeof setDnsRequest>;
export type SetIpv6Request = z.output<typeof setIpv6Request>;
export type KillSwitchArmRequest = z.output<typeof killSwitchArmRequest>;

/** What a caller writes for each verb (before validation), without the envelope. */
export type RequestInput<S extends z.ZodType> = Omit<z.input<S>, 'id' | 'verb'>;

// ---- responses ---------------------------------------------------------------------------------

export const helloResult = z.strictObject({
  protocol: z.number().int(),
  version: z.string(),
  pid: z.number().int(),
  uid: z.number().int(),
  /** The kill switch's table: adopted = found in place at start (a crashed or always-on run's). */
  killSwitch: z.enum(['off', 'adopted', 'armed']).optional(),
});
export const createTunResult = z.strictObject({ name: ifName });
/** vnet: the descriptor carries a virtio_net_hdr (IFF_VNET_HDR was granted). */
export const openTunResult = z.strictObject({ name: ifName, vnet: z.boolean() });
export const configureResult = z.strictObject({});
export const setRoutesResult = z.strictObject({
  /** The host route kept for the server, when one was needed and added. */
  serverRoute: z.strictObject({ destination: z.string(), gateway: z.string().optional(), dev: ifName }).optional(),
  /** The same for serverAddresses that needed one, in their order. */
  otherServerRoutes: z
    .array(z.strictObject({ destination: z.string(), gateway: z.string().optional(), dev: ifName }))
    .optional(),
});
export const setIpv6Result = z.strictObject({});
/** Which resolver manager took the settings (dns-detect.ts). */
export const setDnsResult = z.strictObject({ method: z.enum(['resolved', 'resolvconf', 'resolv.conf']) });
export const teardownResult = z.strictObject({ undone: z.number().int(), failed: z.number().int() });
/** tunnel: the interface let through (null until create-tun). */
export const killSwitchArmResult = z.strictObject({ tunnel: ifName.nullable() });
/** removed: false when there was no table to remove. */
export const killSwitchDisarmResult = z.strictObject({ removed: z.boolean() });

export type HelloResult = z.output<typeof helloResult>;
export type CreateTunResult = z.output<typeof createTunResult>;
export type OpenTunResult = z.output<typeof openTunResult>;
export type ConfigureResult = z.output<typeof configureResult>;
export type SetRoutesResult = z.output<typeof setRoutesResult>;
export type SetDnsResult = z.output<typeof setDnsResult>;
export type TeardownResult = z.output<typeof teardownResult>;
export type KillSwitchArmResult = z.output<typeof killSwitchArmResult>;
export type KillSwitchDisarmResult = z.output<typeof killSwitchDisarmResult>;

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

export const response = z.discriminatedUnion('ok', [
  z.strictObject({ id: z.number().int().nullable(), ok: z.literal(true), result: z.record(z.string(), z.unknown()) }),
  z.strictObject({
    id: z.number().int().nullable(),
    ok: z.literal(false),
    error: z.strictObject({ code: z.enum(REMOTE_ERROR_CODES), message: z.string() }),
  }),
]);
export type Response = z.output<typeof response>;
